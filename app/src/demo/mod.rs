//! `vidence demo`: a generated scene with exact labels, for trying the app and for
//! tests. The same seed gives the same bytes.

mod example_run;
mod labels;
mod scene;

pub use example_run::MODEL_ID as EXAMPLE_MODEL_ID;
pub use scene::Rng;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use viewer::encode::{EncodeSettings, VideoWriter};

pub const VIDEO_FILE: &str = "demo.mp4";
pub const DATASET_FILE: &str = "demo.vidence.json";

pub struct Demo {
    pub video: PathBuf,
    pub dataset: PathBuf,
}

/// What to do with a demo dataset already in the folder (it may hold edits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Refuse,
    /// Write a new one, keeping the old as its backup (`.demo.vidence.json.bak1`).
    Replace,
}

/// Write the demo video and its dataset into `dir`.
pub fn generate(dir: &Path, seed: u64, existing: Existing) -> anyhow::Result<Demo> {
    let video = dir.join(VIDEO_FILE);
    let dataset = dir.join(DATASET_FILE);
    if dataset.exists() {
        anyhow::ensure!(
            existing == Existing::Replace,
            "{} is there already and may hold edits: pass --replace to write a new demo \
             (the old dataset is kept as {})",
            dataset.display(),
            annotate::backup_path(&dataset, 1).display()
        );
        annotate::keep_backups(&dataset);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut settings = EncodeSettings::h264(scene::WIDTH, scene::HEIGHT, scene::FPS);
    settings.gop = 60; // a keyframe every 2 s keeps scrubbing snappy
    settings.crf = 20;
    let mut writer = VideoWriter::create(&video, &settings)?;
    let mut renderer = scene::Renderer::new(scene::shapes(seed));
    let mut rgb = Vec::new();
    let mut states = Vec::with_capacity(scene::FRAMES as usize);
    for frame in 0..scene::FRAMES {
        states.push(renderer.render(frame, &mut rgb));
        writer.write_rgb(&rgb, frame as i64)?;
    }
    writer.finish()?;
    let mut data = labels::dataset(renderer.shapes(), &states, VIDEO_FILE, seed);
    data.runs.extend(example_run::example_run(&data));
    annotate::save_atomic(&data, &dataset)?;
    Ok(Demo { video, dataset })
}

/// Where the demo lives unless told otherwise: the user's data folder.
pub fn default_dir() -> anyhow::Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("", "", "vidence").context("no home folder to keep the demo in")?;
    Ok(dirs.data_dir().join("demo"))
}

/// The demo in the user's data folder, generated on first use.
pub fn ensure_default() -> anyhow::Result<Demo> {
    let dir = default_dir()?;
    let demo = Demo { video: dir.join(VIDEO_FILE), dataset: dir.join(DATASET_FILE) };
    if demo.video.exists() && demo.dataset.exists() {
        return Ok(demo);
    }
    eprintln!("Generating the demo dataset in {} ...", dir.display());
    // A dataset without its video is worth keeping too.
    generate(&dir, DEFAULT_SEED, Existing::Replace)
}

pub const DEFAULT_SEED: u64 = 7;
