//! Asking the model about a clip: the request (task, prompt, time range, frame
//! sampling), the frames it samples (decoded exactly by index), and the job for the
//! model worker. Shared by `vidence ask` and the GUI's model panel, which prepares a
//! job on a thread of its own.

use annotate::time::FrameTimes;
use std::path::Path;

use annotate::dialect::{Context, Coordinates, FrameGrid, Task};
use annotate::{
    Dialect, Generation, ModelRef, ModelRun, Prediction, Reading, RunSettings, Sampling, TaskKind,
};
use anyhow::Context as _;
use model::qwen3_vl::processor::{Processor, Rgb, VideoSettings};
use model::worker::{Job, Media};
use viewer::VideoSource;

#[derive(Clone, Debug, PartialEq)]
pub struct AskRequest {
    pub task: TaskKind,
    /// The question, object or event (unused by captions and region).
    pub prompt: String,
    /// The clip, in seconds; `None` for the video's start or end.
    pub from_s: Option<f64>,
    pub to_s: Option<f64>,
    pub fps: f64,
    pub max_frames: u64,
    pub sampling: Sampling,
    /// For a region question: the box in video pixels, and when it was drawn.
    pub region: Option<([f64; 4], f64)>,
    pub max_tokens: usize,
    /// The question or label the run answers (a region question: the selected track).
    pub answers: Option<annotate::LabelRef>,
}

impl Default for AskRequest {
    fn default() -> Self {
        Self {
            task: TaskKind::Answer,
            prompt: String::new(),
            from_s: None,
            to_s: None,
            fps: 2.0,
            max_frames: 32,
            sampling: Sampling::Uniform,
            region: None,
            max_tokens: 512,
            answers: None,
        }
    }
}

/// A job ready for the worker, and where its frames came from.
pub struct Prepared {
    pub job: Job,
    /// Video times of the frames the model sees.
    pub frames_s: Vec<f64>,
    pub clip_start_s: f64,
    pub clip_end_s: f64,
}

impl AskRequest {
    fn video_settings(&self) -> VideoSettings {
        VideoSettings { fps: self.fps, max_frames: self.max_frames.max(2), ..VideoSettings::default() }
    }

    /// Refuse a request that makes no sense for a video of `duration_s` seconds at
    /// `width`x`height`, saying which setting is wrong.
    pub fn check(&self, duration_s: f64, width: u32, height: u32) -> anyhow::Result<()> {
        anyhow::ensure!(self.fps.is_finite() && self.fps > 0.0, "--fps must be above 0 (got {})", self.fps);
        anyhow::ensure!(self.max_frames >= 1, "--max-frames must be at least 1");
        anyhow::ensure!(self.max_tokens >= 1, "--max-tokens must be at least 1");
        for (name, t) in [("--from", self.from_s), ("--to", self.to_s)] {
            let Some(t) = t else { continue };
            anyhow::ensure!(t.is_finite(), "{name} must be a number of seconds (got {t})");
            anyhow::ensure!(t >= 0.0, "{name} is negative ({t} s): times count from the first frame");
            anyhow::ensure!(
                t <= duration_s,
                "{name} {t} s is past the end of the video ({duration_s:.3} s long)"
            );
        }
        if let (Some(from), Some(to)) = (self.from_s, self.to_s) {
            anyhow::ensure!(from <= to, "the clip starts at {from} s, after it ends at {to} s");
        }
        if let Some(([x1, y1, x2, y2], _)) = self.region {
            anyhow::ensure!(
                [x1, y1, x2, y2].iter().all(|v| v.is_finite()),
                "the region box [{x1}, {y1}, {x2}, {y2}] is not four numbers"
            );
            anyhow::ensure!(
                x1 < x2 && y1 < y2,
                "the region box [{x1}, {y1}, {x2}, {y2}] is inverted or empty"
            );
            // A box partly off the frame (an object at its edge) is clamped onto it.
            let (w, h) = (f64::from(width), f64::from(height));
            anyhow::ensure!(
                x1 < w && y1 < h && x2 > 0.0 && y2 > 0.0,
                "the region box [{x1}, {y1}, {x2}, {y2}] is off the {width}x{height} frame"
            );
        }
        Ok(())
    }

    /// The clip's first and last frame.
    fn clip(&self, index: &viewer::FrameIndex, frame_count: u64) -> anyhow::Result<(u64, u64)> {
        let first = self.from_s.map_or(0, |t| index.frame_at_time(t));
        let last = self.to_s.map_or(frame_count.saturating_sub(1), |t| index.frame_at_time(t));
        anyhow::ensure!(first <= last, "the clip starts after it ends");
        Ok((first, last))
    }

    /// How many frames the model sees of a clip of `frames` frames at `video_fps`
    /// (scene-aware sampling takes as many as uniform; a grid at most nine).
    pub fn frame_count(&self, frames: u64, video_fps: f64) -> usize {
        let n = self.video_settings().sample(frames, video_fps).len();
        if self.sampling == Sampling::Grid { n.min(FrameGrid::MAX_FRAMES) } else { n }
    }

    /// The task with its prompt; a region goes onto the model's 0–1000 grid.
    pub fn task(&self, width: u32, height: u32, clip_start_s: f64) -> anyhow::Result<Task> {
        let to_grid = |v: f64, size: u32| (v / f64::from(size) * 1000.0).round().clamp(0.0, 1000.0) as u32;
        Ok(match self.task {
            TaskKind::Answer => Task::Answer { question: self.prompt.clone() },
            TaskKind::Track => Task::Track { object: self.prompt.clone() },
            TaskKind::When => Task::When { event: self.prompt.clone() },
            TaskKind::Captions => Task::Captions,
            TaskKind::Region => {
                let (b, at) = self.region.context("a region question needs a box")?;
                let bbox = [
                    to_grid(b[0], width),
                    to_grid(b[1], height),
                    to_grid(b[2], width),
                    to_grid(b[3], height),
                ];
                Task::Region { bbox, time_s: (at - clip_start_s).max(0.0) }
            }
        })
    }

    /// Sample and decode the clip's frames (or read the picture) and build the
    /// worker's job.
    pub fn prepare(&self, video: &Path) -> anyhow::Result<Prepared> {
        if let Some(picture) = read_picture(video)? {
            let (width, height) = (picture.width as u32, picture.height as u32);
            self.check(0.0, width, height)?;
            return Ok(Prepared {
                job: self.job(Media::Image(picture), width, height, 0.0, None)?,
                frames_s: vec![0.0],
                clip_start_s: 0.0,
                clip_end_s: 0.0,
            });
        }
        let mut source =
            VideoSource::open(video).with_context(|| format!("cannot read {}", video.display()))?;
        self.prepare_on(&mut source)
    }

    /// Sample and decode the clip's frames from a video already open (its index made
    /// once for every request about it) and build the worker's job.
    pub fn prepare_on(&self, source: &mut VideoSource) -> anyhow::Result<Prepared> {
        let info = source.info().clone();
        let index = std::sync::Arc::clone(source.index());
        self.check(index.duration_s(), info.width, info.height)?;
        let (first, last) = self.clip(&index, info.frame_count)?;
        let clip_start_s = index.time_of(first);
        let mut grid = None;
        let (media, absolute) = if info.frame_count <= 1 {
            (Media::Image(read_frames(source, &[0])?.remove(0)), vec![0])
        } else {
            let settings = self.video_settings();
            let mut relative = settings.sample(last - first + 1, info.fps);
            match self.sampling {
                Sampling::Uniform => {}
                Sampling::Scene => {
                    let dense = VideoSettings {
                        fps: self.fps * 4.0,
                        max_frames: settings.max_frames * 4,
                        ..settings
                    };
                    let candidates = dense.sample(last - first + 1, info.fps);
                    let absolute: Vec<u64> = candidates.iter().map(|i| i + first).collect();
                    let thumbnails = grey_thumbnails(source, &absolute)?;
                    relative = VideoSettings::scene_aware(&candidates, &thumbnails, relative.len());
                }
                Sampling::Grid => {
                    let n = relative.len().min(FrameGrid::MAX_FRAMES) as u64;
                    relative = VideoSettings { min_frames: n, max_frames: n, ..settings }
                        .sample(last - first + 1, info.fps);
                }
            }
            let absolute: Vec<u64> = relative.iter().map(|i| i + first).collect();
            let frames = read_frames(source, &absolute)?;
            if self.sampling == Sampling::Grid {
                let times: Vec<f64> = absolute.iter().map(|&i| index.time_of(i)).collect();
                let layout = FrameGrid::new(&times);
                let picture =
                    model::grid::tile(&layout, &frames).context("the frames are too small to tile")?;
                grid = Some(layout);
                (Media::Image(picture), absolute)
            } else {
                (Media::Video { frames, indices: relative, fps: info.fps }, absolute)
            }
        };
        Ok(Prepared {
            job: self.job(media, info.width, info.height, clip_start_s, grid)?,
            frames_s: absolute.iter().map(|&i| index.time_of(i)).collect(),
            clip_start_s,
            clip_end_s: index.time_of(last),
        })
    }

    fn job(
        &self,
        media: Media,
        width: u32,
        height: u32,
        clip_start_s: f64,
        grid: Option<FrameGrid>,
    ) -> anyhow::Result<Job> {
        Ok(Job {
            task: self.task(width, height, clip_start_s)?,
            media,
            video_width: width,
            video_height: height,
            clip_start_s,
            grid,
            generation: {
                let g = self.generation();
                model::generate::GenerationConfig {
                    max_tokens: g.max_tokens,
                    temperature: g.temperature,
                    top_p: g.top_p,
                    repetition_penalty: g.repetition_penalty,
                    seed: g.seed,
                    stop_tokens: Vec::new(),
                }
            },
        })
    }

    /// What a run saved in the dataset records of this request, on the clip
    /// `from_s`..`to_s` with the frames seen at `frames_s`.
    pub fn settings(&self, from_s: f64, to_s: f64, frames_s: Vec<f64>) -> RunSettings {
        RunSettings {
            task: self.task,
            prompt: self.prompt.clone(),
            from_s,
            to_s,
            fps: self.fps,
            max_frames: self.max_frames as usize,
            sampling: self.sampling,
            region: self.region.map(|(b, _)| annotate::BBox(b.map(|v| v as f32))),
            frames_s,
            given: Vec::new(),
        }
    }

    /// The generation settings (greedy, as the runs are meant to be reproduced).
    pub fn generation(&self) -> Generation {
        Generation { max_tokens: self.max_tokens, ..Generation::default() }
    }
}

/// How a run was asked, as the dataset records it.
pub struct Asked {
    pub answers: Option<annotate::LabelRef>,
    pub settings: RunSettings,
    pub generation: Option<Generation>,
    pub reading: Reading,
}

impl Asked {
    /// The record of text given to Vidence about `video` (pasted, or written
    /// elsewhere) as if `request` had asked it, read on the video's own size.
    pub fn given(request: &AskRequest, video: &annotate::Video) -> Self {
        let from_s = request.from_s.unwrap_or(0.0);
        let context = Context {
            video_width: video.width,
            video_height: video.height,
            coordinates: Coordinates::Relative1000,
            clip_start_s: from_s,
        };
        Self {
            answers: request.answers.clone(),
            settings: request.settings(from_s, request.to_s.unwrap_or(video.duration_s), Vec::new()),
            generation: None,
            reading: Reading { dialect: Dialect::Qwen3Vl, context, grid: None },
        }
    }

    /// The run of `raw`, read into `prediction` (tokens, if any, set after).
    pub fn run(
        self,
        id: String,
        video: String,
        model: ModelRef,
        raw: String,
        prediction: Prediction,
    ) -> ModelRun {
        ModelRun {
            id,
            video,
            answers: self.answers,
            model,
            settings: self.settings,
            generation: self.generation,
            reading: self.reading,
            raw,
            tokens: annotate::Tokens::default(),
            box_confidence: Vec::new(),
            prediction,
            verdicts: Vec::new(),
            judgements: Vec::new(),
            call: None,
        }
    }
}

impl Prepared {
    /// How `request` was asked of this job, as the run records it.
    pub fn asked(&self, request: &AskRequest) -> Asked {
        let job = &self.job;
        let context = Context {
            video_width: job.video_width,
            video_height: job.video_height,
            coordinates: Coordinates::Relative1000,
            clip_start_s: job.clip_start_s,
        };
        Asked {
            answers: request.answers.clone(),
            settings: request.settings(self.clip_start_s, self.clip_end_s, self.frames_s.clone()),
            generation: Some(request.generation()),
            reading: Reading { dialect: Dialect::Qwen3Vl, context, grid: job.grid.clone() },
        }
    }
}

/// The prompt's length in tokens before it runs: exact for the frames (`processor`'s
/// sizing), estimated for the text (about four characters a token, plus the chat
/// template's and the timestamps' tokens).
pub fn estimate_tokens(
    processor: &Processor,
    task_prompt: &str,
    frames: usize,
    width: u32,
    height: u32,
) -> usize {
    let text = task_prompt.len() / 4 + 12;
    if frames < 2 {
        let image = &processor.image;
        let (h, w) = image.image_size(height as usize, width as usize).unwrap_or((0, 0));
        return text + h * w / (image.factor() * image.factor());
    }
    let video = &processor.video;
    let factor = video.pixels.factor();
    let pairs = frames.div_ceil(video.pixels.temporal_patch_size);
    let per_pair = video
        .frame_size(frames, height as usize, width as usize)
        .map_or(0, |(h, w)| h * w / (factor * factor));
    // Each frame pair: "<t seconds>" (about 5 tokens), vision start and end, the pads.
    text + pairs * (per_pair + 7)
}

/// A still picture (PNG, JPEG, WebP or BMP) as 8-bit RGB, read
/// as the image it is (never through a video decoder's 4:2:0); `None` for a file of
/// another kind.
pub fn read_picture(path: &Path) -> anyhow::Result<Option<Rgb>> {
    let reader = image::ImageReader::open(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .with_guessed_format()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if reader.format().is_none() {
        return Ok(None);
    }
    let picture = reader.decode().with_context(|| format!("cannot decode the picture {}", path.display()))?;
    let rgb = picture.into_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    Ok(Some(Rgb { width, height, data: rgb.into_raw() }))
}

/// Exact frames of a video as 8-bit RGB.
pub fn read_frames(source: &mut VideoSource, indices: &[u64]) -> anyhow::Result<Vec<Rgb>> {
    indices
        .iter()
        .map(|&i| {
            let frame = source.frame(i)?;
            Ok(Rgb { width: frame.width as usize, height: frame.height as usize, data: frame.to_rgb()? })
        })
        .collect()
}

/// 32x18 grey thumbnails of frames, to compare them cheaply.
fn grey_thumbnails(source: &mut VideoSource, indices: &[u64]) -> anyhow::Result<Vec<Vec<u8>>> {
    indices
        .iter()
        .map(|&i| {
            let rgba = source.frame(i)?.to_rgba_scaled(32, 18)?;
            Ok(rgba
                .chunks_exact(4)
                .map(|p| ((u16::from(p[0]) + u16::from(p[1]) + u16::from(p[2])) / 3) as u8)
                .collect())
        })
        .collect()
}
