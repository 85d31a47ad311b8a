//! The inference thread: a queue of jobs (load a model, run a task) worked off one at
//! a time on a named thread, reporting load progress and results, streamed tokens and the parsed
//! prediction over a channel, so a GUI or the CLI drives the model without blocking.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use annotate::Prediction;
use annotate::dialect::{Context, Coordinates, FrameGrid, Task, parse};
use candle_core::{Device, Tensor};

use crate::backend::{Local, within};
use crate::device::{DeviceChoice, describe};
use crate::generate::{Finish, GenerationConfig, Token, generate};
use crate::hub::{Download, Hub};
use crate::qwen3_vl::processor::{Processor, Rgb};
use crate::qwen3_vl::prompt::{self, IM_END, Part, Tokenizer};
use crate::qwen3_vl::{Pixels, Precision, Qwen3Vl};

/// What the model looks at.
#[derive(Clone, Debug)]
pub enum Media {
    None,
    Image(Rgb),
    /// Sampled frames, their indices in the video, and the video's frame rate.
    Video {
        frames: Vec<Rgb>,
        indices: Vec<u64>,
        fps: f64,
    },
}

#[derive(Clone, Debug)]
pub struct Job {
    pub task: Task,
    pub media: Media,
    /// The video's size: predicted boxes come back in its pixels.
    pub video_width: u32,
    pub video_height: u32,
    /// Where the clip starts in the video, in seconds.
    pub clip_start_s: f64,
    /// The picture is a grid of frames: told to the model, and its boxes moved back
    /// onto the frames.
    pub grid: Option<FrameGrid>,
    pub generation: GenerationConfig,
}

pub enum Request {
    /// A checkpoint folder, or a hub id (downloaded into the hub cache if it is not
    /// there), on a device.
    Load {
        spec: String,
        device: DeviceChoice,
    },
    Run(Job),
}

#[derive(Debug)]
pub enum Event {
    /// Part of a checkpoint's file has arrived from the hub.
    Downloading(Download),
    /// The fraction of the model's layers read so far.
    Loading(f32),
    Loaded {
        folder: PathBuf,
        /// The device it runs on (`cpu`, `cuda:0`, ...).
        device: String,
        /// Its image and video processors' settings.
        processor: Processor,
        /// The model itself, for a batch to share (one job at a time with this thread).
        model: Arc<Local>,
    },
    /// One more token of the answer, with its text and the texts of the likeliest
    /// tokens at its place (`token.top`).
    Token {
        token: Token,
        text: String,
        top: Vec<String>,
    },
    Done {
        text: String,
        tokens: Vec<Token>,
        finish: Finish,
        prediction: Prediction,
    },
    Failed(String),
}

pub struct Worker {
    requests: Sender<Request>,
    events: Receiver<Event>,
    cancel: Arc<AtomicBool>,
}

/// A model ready to run: its weights, its tokenizer and its processors.
pub struct Loaded {
    pub model: Qwen3Vl,
    pub tokenizer: Tokenizer,
    pub processor: Processor,
}

impl Worker {
    /// Start the `vidence-model` thread; inference may use every core.
    pub fn start() -> std::io::Result<Self> {
        Self::with_threads(None)
    }

    /// Start the `vidence-model` thread, its inference on at most `threads` threads
    /// (`None`: every core). An app leaves a core to its own threads this way, so
    /// that playback and the UI go on while the model runs.
    pub fn with_threads(threads: Option<usize>) -> std::io::Result<Self> {
        let (requests, incoming) = channel::<Request>();
        let (send, events) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        std::thread::Builder::new().name("vidence-model".into()).spawn(move || {
            // Candle's CPU kernels run on the rayon pool they are called from.
            let pool = threads.and_then(|n| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .thread_name(|i| format!("vidence-model-{i}"))
                    .build()
                    .ok()
                    .map(Arc::new)
            });
            // Each request runs on the pool, not this thread's wait for the next: a
            // batch sharing the model then gets the pool's threads between requests.
            serve(&incoming, &send, &stop, pool);
        })?;
        Ok(Self { requests, events, cancel })
    }

    pub fn send(&self, request: Request) {
        // The thread lives as long as the worker; a failed send means it is gone.
        let _ = self.requests.send(request);
    }

    /// Stop the job running now at its next token.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn events(&self) -> &Receiver<Event> {
        &self.events
    }
}

/// Work off requests until the worker is dropped.
fn serve(
    incoming: &Receiver<Request>,
    send: &Sender<Event>,
    stop: &Arc<AtomicBool>,
    pool: Option<Arc<rayon::ThreadPool>>,
) {
    let mut loaded: Option<Arc<Local>> = None;
    for request in incoming.iter() {
        stop.store(false, Ordering::Relaxed);
        let event = match request {
            Request::Load { spec, device } => {
                // The model in use goes first: memory holds one model at a time.
                loaded = None;
                match within(pool.as_deref(), || load(&spec, device, send)) {
                    Ok((folder, l)) => {
                        let (device, processor) = (describe(l.model.text.device()), l.processor.clone());
                        let model = Arc::new(Local::on_pool(l, pool.clone()));
                        loaded = Some(Arc::clone(&model));
                        Event::Loaded { folder, device, processor, model }
                    }
                    Err(e) => Event::Failed(e.to_string()),
                }
            }
            Request::Run(job) => match loaded.as_ref().map(|l| l.lock()) {
                Some(Ok(mut l)) => {
                    let l: &mut Loaded = &mut l;
                    within(pool.as_deref(), || run(l, &job, stop, send))
                        .unwrap_or_else(|e| Event::Failed(e.to_string()))
                }
                Some(Err(e)) => Event::Failed(e),
                None => Event::Failed("no model loaded".into()),
            },
        };
        if send.send(event).is_err() {
            return;
        }
    }
}

/// Fetch and load a checkpoint, telling `send` how the download and the loading go.
fn load(spec: &str, device: DeviceChoice, send: &Sender<Event>) -> crate::Result<(PathBuf, Loaded)> {
    let folder = Hub::from_env().fetch(spec, &mut |d| {
        let _ = send.send(Event::Downloading(d.clone()));
    })?;
    let device = device.open()?;
    let loaded = Loaded::open(&folder, &device, &mut |f| {
        let _ = send.send(Event::Loading(f));
    })?;
    Ok((folder, loaded))
}

impl Loaded {
    /// A checkpoint folder's model (in the precision that suits `device`), tokenizer and
    /// processors; `progress` hears the fraction of the layers read.
    pub fn open(folder: &Path, device: &Device, progress: &mut dyn FnMut(f32)) -> crate::Result<Self> {
        check_folder(folder)?;
        let tokenizer = Tokenizer::load(folder)?;
        let processor = Processor::load(folder)?;
        let model = Qwen3Vl::load_reporting(folder, Precision::for_device(device), device, progress)?;
        Ok(Self { model, tokenizer, processor })
    }

    /// Start on a chat of one user turn (`media`, then `text`), with the assistant
    /// prompt: the prompt's ids and the logits for the first answer token.
    pub fn prefill(&mut self, media: &Media, text: &str) -> crate::Result<(Vec<u32>, Vec<f32>)> {
        let (ids, logits, _) = prefill(&mut self.model, &self.tokenizer, &self.processor, media, text)?;
        Ok((ids, logits))
    }
}

/// A checkpoint folder lacking what every one has gets one message naming it all.
fn check_folder(folder: &Path) -> crate::Result<()> {
    let has = |name: &str| folder.join(name).is_file();
    let mut lacks: Vec<&str> = ["config.json", "tokenizer.json"].into_iter().filter(|f| !has(f)).collect();
    if !has("model.safetensors") && !has("model.safetensors.index.json") {
        lacks.push("model.safetensors (or model.safetensors.index.json and its shards)");
    }
    if lacks.is_empty() {
        return Ok(());
    }
    Err(crate::ModelError::Config {
        path: folder.to_owned(),
        message: format!("this folder is not a checkpoint: it lacks {}", lacks.join(" and ")),
    })
}

/// Start `model` on a chat of one user turn (`media`, then `text`), with the
/// assistant prompt: the prompt's ids, the logits for the first answer token, and the
/// time the model's forward pass took (the pixels and the prompt made before it not counted).
fn prefill(
    model: &mut Qwen3Vl,
    tokenizer: &Tokenizer,
    processor: &Processor,
    media: &Media,
    text: &str,
) -> crate::Result<(Vec<u32>, Vec<f32>, Duration)> {
    let input = |e: String| crate::ModelError::Input(e);
    let (part, pixels, patch) = match media {
        Media::None => (None, None, 1),
        Media::Image(rgb) => {
            let (values, grid) = processor.image.image(rgb).map_err(input)?;
            (Some(Part::Image { grid }), Some((values, grid)), patch_len(&processor.image))
        }
        Media::Video { frames, indices, fps } => {
            let video = &processor.video;
            let (values, grid) = video.video(frames).map_err(input)?;
            let timestamps = prompt::frame_pair_times(indices, *fps, video.pixels.temporal_patch_size);
            (Some(Part::Video { grid, timestamps }), Some((values, grid)), patch_len(&video.pixels))
        }
    };
    let parts: Vec<Part> = part.into_iter().chain([Part::Text(text.to_owned())]).collect();
    let ids = tokenizer.encode(&prompt::chat(&parts, model.config.vision.spatial_merge_size))?;
    let device = model.text.device().clone();
    let tensor =
        pixels.as_ref().map(|(v, _)| Tensor::from_slice(v, (v.len() / patch, patch), &device)).transpose()?;
    let grids: Vec<[usize; 3]> = pixels.iter().map(|(_, g)| *g).collect();
    let given = tensor.as_ref().map(|values| Pixels { values, grids: &grids });
    let started = Instant::now();
    let logits = match media {
        Media::Video { .. } => model.prefill(&ids, None, given)?,
        _ => model.prefill(&ids, given, None)?,
    };
    Ok((ids, logits, started.elapsed()))
}

/// The values in one patch of `settings`' pixels.
fn patch_len(settings: &crate::qwen3_vl::processor::ImageSettings) -> usize {
    3 * settings.temporal_patch_size * settings.patch_size * settings.patch_size
}

fn run(l: &mut Loaded, job: &Job, cancel: &Arc<AtomicBool>, send: &Sender<Event>) -> crate::Result<Event> {
    let answered = l.answer(job, cancel, &mut |token, tokenizer| {
        let text = |id: u32| tokenizer.decode(&[id]).unwrap_or_default();
        let top = token.top.iter().map(|c| text(c.id)).collect();
        let _ = send.send(Event::Token { token, text: text(token.id), top });
    })?;
    let Answered { text, tokens, finish, prediction, .. } = answered;
    Ok(Event::Done { text, tokens, finish, prediction })
}

/// A job's answer: the text, its tokens, why it stopped and what was read out of it.
pub struct Answered {
    pub text: String,
    pub tokens: Vec<Token>,
    pub finish: Finish,
    pub prediction: Prediction,
    /// Seconds in the model's own passes (the vision tower, the prompt, each token);
    /// resizing the frames, making the prompt and reading the answer are not in it.
    pub model_s: f64,
}

impl Loaded {
    /// Run `job`, telling `on_token` each token as it comes (with the tokenizer that
    /// spells it), and read its answer.
    pub fn answer(
        &mut self,
        job: &Job,
        cancel: &Arc<AtomicBool>,
        on_token: &mut dyn FnMut(Token, &Tokenizer),
    ) -> crate::Result<Answered> {
        let text = match &job.grid {
            Some(grid) => format!("{}\n{}", grid.describe(job.clip_start_s), job.task.prompt()),
            None => job.task.prompt(),
        };
        let (ids, first, prefill_took) =
            prefill(&mut self.model, &self.tokenizer, &self.processor, &job.media, &text)?;
        let mut config = job.generation.clone();
        config.stop_tokens.extend(self.tokenizer.id(IM_END));
        let tokenizer = &self.tokenizer;
        let started = Instant::now();
        let generated = generate(&mut self.model, &ids, first, &config, cancel, |t| on_token(t, tokenizer))?;
        let model_s = (prefill_took + started.elapsed()).as_secs_f64();
        let ids: Vec<u32> = generated.tokens.iter().map(|t| t.id).collect();
        let text = self.tokenizer.decode(&ids)?;
        let cx = Context {
            video_width: job.video_width,
            video_height: job.video_height,
            coordinates: Coordinates::Relative1000,
            clip_start_s: job.clip_start_s,
        };
        let prediction = job.read(&text, &cx);
        Ok(Answered { text, tokens: generated.tokens, finish: generated.finish, prediction, model_s })
    }
}

impl Job {
    /// What `text`, the answer to this job, says, read on `cx` (a grid's boxes moved
    /// back onto their frames).
    pub fn read(&self, text: &str, cx: &Context) -> Prediction {
        match &self.grid {
            Some(grid) => grid.to_frames(parse(text, cx), self.video_width, self.video_height),
            None => parse(text, cx),
        }
    }
}
