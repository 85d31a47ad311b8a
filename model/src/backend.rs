//! Where a batch's jobs are answered, behind one trait: this program's model on
//! candle ([`Local`]), or a model an OpenAI-compatible server serves ([`Remote`]: the
//! frames Vidence sampled sent as JPEG, busy and failing servers asked again after a
//! wait). Both answer a worker [`Job`] with the text, its tokens and what it says.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use annotate::Prediction;
use annotate::dialect::{Context, Coordinates, Grounding, Task};
use annotate::{Alternative, RunToken};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::qwen3_vl::processor::Rgb;
use crate::server::{Server, ServerError};
use crate::worker::{Job, Loaded, Media};

/// A job's answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub text: String,
    pub tokens: Vec<RunToken>,
    pub prediction: Prediction,
    /// What the answer's boxes were read on.
    pub coordinates: Coordinates,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub attempts: u32,
    pub latency_s: f64,
    /// Of `latency_s`, the seconds in this machine's model's own passes (none for a server).
    pub model_s: Option<f64>,
}

/// Why a job was not answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub reason: String,
    pub attempts: u32,
    /// The server did not answer at all (no connection, or none in time): the job may
    /// go to another server.
    pub unreachable: bool,
}

pub trait Backend: Send + Sync {
    /// Answer `job`, blocking until it is done.
    fn answer(&self, job: &Job) -> Result<Answer, Failure>;
}

/// The model in this process: one job at a time (the model has one cache). The app's
/// model thread and a batch share one, so that memory holds the model once.
pub struct Local {
    loaded: Mutex<Loaded>,
    cancel: Arc<AtomicBool>,
    /// Where candle's CPU kernels run (`None`: rayon's global pool, every core).
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl std::fmt::Debug for Local {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Local")
    }
}

impl Local {
    pub fn new(loaded: Loaded) -> Self {
        Self::on_pool(loaded, None)
    }

    /// A model whose kernels run on `pool`, as the model thread's do.
    pub fn on_pool(loaded: Loaded, pool: Option<Arc<rayon::ThreadPool>>) -> Self {
        Self { loaded: Mutex::new(loaded), cancel: Arc::default(), pool }
    }

    /// The model, once no other job uses it.
    pub fn lock(&self) -> Result<MutexGuard<'_, Loaded>, String> {
        self.loaded.lock().map_err(|_| "the model failed on an earlier job".to_owned())
    }
}

impl Backend for Local {
    fn answer(&self, job: &Job) -> Result<Answer, Failure> {
        within(self.pool.as_deref(), || self.answer_here(job))
    }
}

/// `work` with candle's CPU kernels on `pool` (`None`: on rayon's global pool).
pub(crate) fn within<T: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

impl Local {
    fn answer_here(&self, job: &Job) -> Result<Answer, Failure> {
        let failed = |reason: String| Failure { reason, attempts: 1, unreachable: false };
        let mut loaded = self.lock().map_err(failed)?;
        let started = Instant::now();
        let mut tokens = Vec::new();
        let answered = loaded
            .answer(job, &self.cancel, &mut |token, tokenizer| {
                let text = |id: u32| tokenizer.decode(&[id]).unwrap_or_default();
                let top = token
                    .top
                    .iter()
                    .filter(|c| c.logprob.is_finite())
                    .map(|c| Alternative { text: text(c.id), logprob: c.logprob })
                    .collect();
                tokens.push(RunToken { text: text(token.id), logprob: token.logprob, top });
            })
            .map_err(|e| failed(e.to_string()))?;
        Ok(Answer {
            completion_tokens: Some(tokens.len() as u64),
            text: answered.text,
            tokens,
            prediction: answered.prediction,
            coordinates: Coordinates::Relative1000,
            prompt_tokens: None,
            attempts: 1,
            latency_s: started.elapsed().as_secs_f64(),
            model_s: Some(answered.model_s),
        })
    }
}

/// How a server takes a video.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoInput {
    /// One `video_url` of JPEG frames, with `media_io_kwargs.video` saying which frames
    /// of the clip they are and its frame rate (vLLM).
    Video,
    /// An `image_url` a frame, each after its time as `<t seconds>` (servers without
    /// video input).
    Images,
}

/// How often and how long to wait before asking a server again.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The wait after the first failure; it doubles after each.
    pub first_wait: Duration,
    /// No wait is longer, whatever a server's `Retry-After` asks.
    pub longest_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self { attempts: 5, first_wait: Duration::from_millis(500), longest_wait: Duration::from_secs(60) }
    }
}

/// A model an OpenAI-compatible server serves.
pub struct Remote {
    pub server: Server,
    /// The model as the server names it.
    pub model: String,
    /// Its coordinates and layout (Qwen3-VL's 0-1000 grid, Qwen2.5-VL's pixels).
    pub grounding: Grounding,
    pub video_input: VideoInput,
    /// Alternatives asked for at each token (0: no log-probabilities asked).
    pub top_logprobs: u8,
    pub retry: Retry,
}

impl Backend for Remote {
    fn answer(&self, job: &Job) -> Result<Answer, Failure> {
        let body = self.request(job);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let started = Instant::now();
            match self.server.complete(&body) {
                Ok(reply) => {
                    let coordinates = self.grounding.coordinates(job.video_width, job.video_height);
                    let cx = Context {
                        video_width: job.video_width,
                        video_height: job.video_height,
                        coordinates,
                        clip_start_s: job.clip_start_s,
                    };
                    return Ok(Answer {
                        prediction: job.read(&reply.text, &cx),
                        text: reply.text,
                        tokens: reply.tokens,
                        coordinates,
                        prompt_tokens: reply.prompt_tokens,
                        completion_tokens: reply.completion_tokens,
                        attempts,
                        latency_s: started.elapsed().as_secs_f64(),
                        model_s: None,
                    });
                }
                Err(e) => match e.retry() {
                    Some(asked) if attempts < self.retry.attempts => {
                        let doubled = self.retry.first_wait * 2u32.saturating_pow(attempts - 1);
                        std::thread::sleep(asked.unwrap_or(doubled).min(self.retry.longest_wait));
                    }
                    _ => {
                        let unreachable = matches!(e, ServerError::Unreachable { .. });
                        return Err(Failure { reason: e.to_string(), attempts, unreachable });
                    }
                },
            }
        }
    }
}

impl Remote {
    /// The chat completion request for `job`.
    pub fn request(&self, job: &Job) -> Value {
        let task = match (&job.task, self.grounding) {
            // A drawn region goes onto the grid the model answers in.
            (Task::Region { bbox, time_s }, g) if g != Grounding::Qwen3Vl => {
                let (w, h) = annotate::dialect::qwen25_video_size(job.video_width, job.video_height);
                let scale = |v: u32, size: u32| (f64::from(v) * f64::from(size) / 1000.0).round() as u32;
                let bbox = [scale(bbox[0], w), scale(bbox[1], h), scale(bbox[2], w), scale(bbox[3], h)];
                Task::Region { bbox, time_s: *time_s }
            }
            (task, _) => task.clone(),
        };
        let text = match &job.grid {
            Some(grid) => format!("{}\n{}", grid.describe(job.clip_start_s), task.prompt_for(self.grounding)),
            None => task.prompt_for(self.grounding),
        };
        let mut content = Vec::new();
        let mut video_kwargs = None;
        match &job.media {
            Media::None => {}
            Media::Image(rgb) => content.push(image_part(rgb)),
            Media::Video { frames, indices, fps } => match self.video_input {
                VideoInput::Video => {
                    let jpegs: Vec<String> = frames.iter().map(jpeg_base64).collect();
                    let url = format!("data:video/jpeg;base64,{}", jpegs.join(","));
                    content.push(json!({"type": "video_url", "video_url": {"url": url}}));
                    let total = indices.iter().max().map_or(1, |last| last + 1);
                    video_kwargs = Some(json!({
                        "fps": fps,
                        "frames_indices": indices,
                        "total_num_frames": total,
                        "duration": total as f64 / fps,
                    }));
                }
                VideoInput::Images => {
                    for (frame, index) in frames.iter().zip(indices) {
                        let t = *index as f64 / fps;
                        content.push(json!({"type": "text", "text": format!("<{t:.1} seconds>")}));
                        content.push(image_part(frame));
                    }
                }
            },
        }
        content.push(json!({"type": "text", "text": text}));
        let g = &job.generation;
        let mut body = json!({
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            "max_tokens": g.max_tokens,
            "temperature": g.temperature,
            "top_p": g.top_p,
            "seed": g.seed,
        });
        if g.repetition_penalty != 1.0 {
            body["repetition_penalty"] = json!(g.repetition_penalty);
        }
        if self.top_logprobs > 0 {
            body["logprobs"] = json!(true);
            body["top_logprobs"] = json!(self.top_logprobs);
        }
        if let Some(video) = video_kwargs {
            body["media_io_kwargs"] = json!({ "video": video });
        }
        body
    }
}

fn image_part(rgb: &Rgb) -> Value {
    json!({"type": "image_url", "image_url": {"url": format!("data:image/jpeg;base64,{}", jpeg_base64(rgb))}})
}

/// A frame as a JPEG of quality 95, in base64.
fn jpeg_base64(rgb: &Rgb) -> String {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
    // An 8-bit RGB frame of its own size always encodes.
    let _ = image::ImageEncoder::write_image(
        encoder,
        &rgb.data,
        rgb.width as u32,
        rgb.height as u32,
        image::ExtendedColorType::Rgb8,
    );
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
