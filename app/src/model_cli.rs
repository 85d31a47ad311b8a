//! `vidence model inspect`: run the chat template on one user message (an image or a
//! video first, then the text), with the assistant prompt, and print the logits for
//! the next token: for parity checks against other implementations, and debugging.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use candle_core::{DType, Device, Tensor};
use model::qwen3_vl::processor::{ImageSettings, Rgb, VideoSettings};
use model::qwen3_vl::prompt::{self, Part, Tokenizer};
use model::qwen3_vl::{Pixels, Qwen3Vl};
use serde::Serialize;
use viewer::VideoSource;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Logits for the token after a prompt.
    Inspect {
        /// A checkpoint folder, or a hub id already in the Hugging Face cache.
        #[arg(long)]
        model: String,
        #[arg(long)]
        prompt: String,
        /// A picture (any format FFmpeg reads) before the text.
        #[arg(long, conflicts_with = "video")]
        image: Option<PathBuf>,
        /// A video before the text, sampled at --fps.
        #[arg(long)]
        video: Option<PathBuf>,
        #[arg(long, default_value_t = 2.0)]
        fps: f64,
        #[arg(long, default_value_t = 10)]
        top_k: usize,
        /// Print every logit too.
        #[arg(long)]
        full_logits: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct Top {
    id: u32,
    token: String,
    logit: f32,
    logprob: f32,
}

#[derive(Serialize)]
struct Inspection {
    input_tokens: usize,
    top: Vec<Top>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logits: Option<Vec<f32>>,
}

pub fn run(command: &ModelCommand) -> anyhow::Result<()> {
    let ModelCommand::Inspect { model, prompt, image, video, fps, top_k, full_logits, json } = command;
    let folder = model::hub::resolve(model)?;
    let tokenizer = Tokenizer::load(&folder)?;
    let mut qwen = Qwen3Vl::load(&folder, DType::F32, &Device::Cpu)?;
    let merge = qwen.config.vision.spatial_merge_size;
    let settings = ImageSettings::default();
    let (part, pixels) = match (image, video) {
        (Some(path), _) => {
            let picture = read_frames(path, &[0])?.remove(0);
            let (values, grid) = settings.image(&picture).map_err(anyhow::Error::msg)?;
            (Some(Part::Image { grid }), Some((values, grid, true)))
        }
        (None, Some(path)) => {
            let (frames, timestamps) = sample_video(path, *fps)?;
            let video = VideoSettings { fps: *fps, ..VideoSettings::default() };
            let (values, grid) = settings.video(&frames, &video).map_err(anyhow::Error::msg)?;
            (Some(Part::Video { grid, timestamps }), Some((values, grid, false)))
        }
        (None, None) => (None, None),
    };
    let parts: Vec<Part> = part.into_iter().chain([Part::Text(prompt.clone())]).collect();
    let ids = tokenizer.encode(&prompt::chat(&parts, merge))?;
    let tensor = pixels
        .as_ref()
        .map(|(values, grid, _)| {
            let patch = values.len() / (grid[0] * grid[1] * grid[2]).max(1);
            Tensor::from_slice(values, (values.len() / patch.max(1), patch), &Device::Cpu)
        })
        .transpose()?;
    let grids: Vec<[usize; 3]> = pixels.iter().map(|(_, grid, _)| *grid).collect();
    let media = tensor.as_ref().map(|values| Pixels { values, grids: &grids });
    let is_image = pixels.as_ref().is_some_and(|(_, _, image)| *image);
    let logits = if is_image { qwen.prefill(&ids, media, None)? } else { qwen.prefill(&ids, None, media)? };

    let logprobs = model::generate::log_softmax(&logits);
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    let top = order
        .iter()
        .take(*top_k)
        .map(|&i| Top {
            id: i as u32,
            token: tokenizer.token(i as u32).unwrap_or_default(),
            logit: logits[i],
            logprob: logprobs[i],
        })
        .collect();
    let inspection = Inspection { input_tokens: ids.len(), top, logits: full_logits.then_some(logits) };
    if *json {
        println!("{}", serde_json::to_string(&inspection)?);
    } else {
        println!("{} input tokens; most likely next tokens:", inspection.input_tokens);
        for t in &inspection.top {
            println!(
                "  {:>8}  {:<20} logit {:>9.4}  logprob {:>9.4}",
                t.id,
                format!("{:?}", t.token),
                t.logit,
                t.logprob
            );
        }
    }
    Ok(())
}

/// Exact frames of a video (or the one frame of a picture) as 8-bit RGB.
fn read_frames(path: &Path, indices: &[u64]) -> anyhow::Result<Vec<Rgb>> {
    let mut source = VideoSource::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    indices
        .iter()
        .map(|&i| {
            let frame = source.frame(i)?;
            let rgba = frame.to_rgba()?;
            let data = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            Ok(Rgb { width: frame.width as usize, height: frame.height as usize, data })
        })
        .collect()
}

/// Frames sampled at `fps` as the reference samples them, and the time of each pair.
fn sample_video(path: &Path, fps: f64) -> anyhow::Result<(Vec<Rgb>, Vec<f64>)> {
    let source = VideoSource::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let info = source.info();
    let settings = VideoSettings { fps, ..VideoSettings::default() };
    let indices = settings.sample(info.frame_count, info.fps);
    anyhow::ensure!(!indices.is_empty(), "{} has no frames", path.display());
    let frames = read_frames(path, &indices)?;
    Ok((frames, prompt::frame_pair_times(&indices, info.fps, 2)))
}
