//! `vidence bench`: measured numbers printed with the machine they ran on: a video
//! decoded, sought and played (`video`), datasets saved and opened (`data`), a video
//! rendered with its overlay (`render`). Speed targets live here, not in tests.

pub mod data;
mod render;
mod video;

use std::path::PathBuf;

use clap::Subcommand;
use serde::Serialize;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Decode every frame to RGBA; compare with the `ffmpeg` program on the same file.
    Decode {
        video: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Exact random seeks, against the naive way (keyframe, then decode and convert all).
    Seek {
        video: PathBuf,
        #[arg(long, default_value_t = 100)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Save, load and validate a generated dataset of many tracks.
    Dataset {
        #[arg(long, default_value_t = 10_000)]
        tracks: usize,
        #[arg(long, default_value_t = 100)]
        keyframes_per_track: u64,
        #[arg(long)]
        json: bool,
    },
    /// Open and save a dataset of many model runs with their tokens.
    Runs {
        #[arg(long, default_value_t = 10_000)]
        runs: usize,
        #[arg(long, default_value_t = 256)]
        tokens: usize,
        #[arg(long)]
        json: bool,
    },
    /// Render the video with labels, model runs, captions and the timeline strip drawn
    /// on (`vidence render`), against the `ffmpeg` program re-encoding it with the same
    /// x264 settings.
    Render {
        video: PathBuf,
        /// Both sides run in turn this many times.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        #[arg(long)]
        json: bool,
    },
    /// Play through the decode thread and cache: step latency and peak memory.
    Play {
        video: PathBuf,
        /// Memory for decoded frames, in MiB.
        #[arg(long, default_value_t = viewer::DEFAULT_CACHE_BYTES >> 20)]
        cache_mb: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: &BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Decode { video, json } => print(&video::decode(video)?, *json),
        BenchCommand::Seek { video, n, seed, json } => print(&video::seek(video, *n, *seed)?, *json),
        BenchCommand::Play { video, cache_mb, json } => print(&video::play(video, *cache_mb)?, *json),
        BenchCommand::Render { video, rounds, json } => print(&render::render(video, *rounds)?, *json),
        BenchCommand::Runs { runs, tokens, json } => print(&data::runs_dataset(*runs, *tokens)?, *json),
        BenchCommand::Dataset { tracks, keyframes_per_track, json } => {
            print(&data::dataset(*tracks, *keyframes_per_track)?, *json)
        }
    }
}

fn print(result: &impl Serialize, json: bool) -> anyhow::Result<()> {
    let mut value = serde_json::to_value(result)?;
    value["machine"] = serde_json::Value::String(model::machine::describe());
    if json {
        println!("{}", serde_json::to_string(&value)?);
    } else {
        for (k, v) in value.as_object().into_iter().flatten() {
            println!("{k:>18}  {v}");
        }
    }
    Ok(())
}
