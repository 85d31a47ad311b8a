//! `vidence model inspect`: run the chat template on one user message (an image or a
//! video first, then the text), with the assistant prompt, and print the logits for
//! the next token: for parity checks against other implementations, and debugging.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context as _;
use model::device::{DeviceChoice, describe};
use model::hub::{Download, Hub};
use model::worker::{Loaded, Media};
use serde::Serialize;

use annotate::{Sampling, TaskKind};

use crate::ask::AskRequest;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Logits for the token after a prompt.
    Inspect {
        /// A checkpoint folder, or a hub id (downloaded into the Hugging Face cache if missing).
        #[arg(long)]
        model: String,
        #[arg(long)]
        prompt: String,
        /// A picture (PNG, JPEG, WebP or BMP) before the text.
        #[arg(long, conflicts_with = "video")]
        image: Option<PathBuf>,
        /// A video before the text, sampled at --fps.
        #[arg(long)]
        video: Option<PathBuf>,
        #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
        fps: f64,
        #[arg(long, default_value_t = 10)]
        top_k: usize,
        /// auto (a GPU if there is one), cpu, cuda, cuda:N or metal.
        #[arg(long, default_value_t = DeviceChoice::Auto)]
        device: DeviceChoice,
        /// Print every logit too.
        #[arg(long)]
        full_logits: bool,
        /// Also decode this many tokens greedily and print their ids.
        #[arg(long, default_value_t = 0)]
        greedy: usize,
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
    input_ids: Vec<u32>,
    device: String,
    top: Vec<Top>,
    #[serde(skip_serializing_if = "Option::is_none")]
    logits: Option<Vec<f32>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    greedy: Vec<u32>,
}

pub fn run(command: &ModelCommand) -> anyhow::Result<()> {
    let ModelCommand::Inspect { model, prompt, image, video, fps, top_k, device, full_logits, greedy, json } =
        command;
    anyhow::ensure!(*top_k >= 1, "--top-k must be at least 1");
    anyhow::ensure!(fps.is_finite() && *fps > 0.0, "--fps must be above 0 (got {fps})");
    let folder = Hub::from_env().fetch(model, &mut report_download)?;
    let device = device.open()?;
    let mut loaded = Loaded::open(&folder, &device, &mut |_| {})?;
    let media = match (image, video) {
        (Some(path), _) => Media::Image(
            crate::ask::read_picture(path)?
                .with_context(|| format!("{} is not a picture file", path.display()))?,
        ),
        // The whole video at `fps`, up to the reference's 768 frames.
        (None, Some(path)) => {
            AskRequest { fps: *fps, max_frames: 768, ..AskRequest::default() }.prepare(path)?.job.media
        }
        (None, None) => Media::None,
    };
    let (ids, logits) = loaded.prefill(&media, prompt)?;
    let continuation = if *greedy > 0 {
        let config = model::generate::GenerationConfig { max_tokens: *greedy, ..Default::default() };
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let generated =
            model::generate::generate(&mut loaded.model, &ids, logits.clone(), &config, &cancel, |_| {})?;
        generated.tokens.iter().map(|t| t.id).collect()
    } else {
        Vec::new()
    };
    let tokenizer = &loaded.tokenizer;

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
    let inspection = Inspection {
        input_tokens: ids.len(),
        input_ids: ids,
        device: describe(&device),
        top,
        logits: full_logits.then_some(logits),
        greedy: continuation,
    };
    if *json {
        println!("{}", serde_json::to_string(&inspection)?);
    } else {
        println!(
            "{} input tokens on {}; most likely next tokens:",
            inspection.input_tokens, inspection.device
        );
        for t in &inspection.top {
            println!(
                "  {:>8}  {:<20} logit {:>9.4}  logprob {:>9.4}",
                t.id,
                format!("{:?}", t.token),
                t.logit,
                t.logprob
            );
        }
        if !inspection.greedy.is_empty() {
            println!("greedy continuation: {:?}", tokenizer.decode(&inspection.greedy)?);
        }
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct Ask {
    /// A video (or a picture).
    pub video: PathBuf,
    /// A checkpoint folder, or a hub id (downloaded into the Hugging Face cache if missing).
    #[arg(long)]
    pub model: String,
    /// The question (for track: the object; for when: the event).
    #[arg(long, default_value = "")]
    pub question: String,
    /// answer, track, when, region or captions.
    #[arg(long, default_value = "answer")]
    pub task: TaskKind,
    /// The clip to look at, in seconds (default: the whole video).
    #[arg(long, allow_negative_numbers = true)]
    pub from: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub to: Option<f64>,
    /// Frames per second to sample (the Model tab's default).
    #[arg(long, default_value_t = AskRequest::default().fps, allow_negative_numbers = true)]
    pub fps: f64,
    /// At most this many frames (the Model tab's default).
    #[arg(long, default_value_t = AskRequest::default().max_frames)]
    pub max_frames: u64,
    /// uniform (evenly in time), scene (where the picture changes most) or grid (up to
    /// nine frames tiled into one picture).
    #[arg(long, default_value = "uniform")]
    pub sampling: Sampling,
    /// For region: x1,y1,x2,y2 in video pixels, on the frame at --from.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub r#box: Option<Vec<f64>>,
    /// The most tokens to generate (the Model tab's default).
    #[arg(long, default_value_t = AskRequest::default().max_tokens)]
    pub max_tokens: usize,
    /// auto (a GPU if there is one), cpu, cuda, cuda:N or metal.
    #[arg(long, default_value_t = DeviceChoice::Auto)]
    pub device: DeviceChoice,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Answer<'a> {
    task: String,
    text: &'a str,
    finish: model::generate::Finish,
    tokens: &'a [model::generate::Token],
    prediction: &'a annotate::Prediction,
}

/// `vidence ask`: run a task on a clip through the inference thread, streaming the
/// answer, then print what it says (boxes, spans, steps) in video pixels and seconds.
pub fn ask(args: &Ask) -> anyhow::Result<()> {
    use model::worker::{Event, Request, Worker};
    use std::io::Write as _;

    let region = match (args.task, args.r#box.as_deref()) {
        (TaskKind::Region, Some(&[x1, y1, x2, y2])) => Some(([x1, y1, x2, y2], args.from.unwrap_or(0.0))),
        (TaskKind::Region, Some(other)) => {
            anyhow::bail!("--box takes four numbers x1,y1,x2,y2, not {}", other.len())
        }
        (TaskKind::Region, None) => anyhow::bail!("region needs --box x1,y1,x2,y2"),
        _ => None,
    };
    let request = AskRequest {
        task: args.task,
        prompt: args.question.clone(),
        from_s: args.from,
        to_s: args.to,
        fps: args.fps,
        max_frames: args.max_frames,
        sampling: args.sampling,
        region,
        max_tokens: args.max_tokens,
        answers: None,
    };
    let prepared = request.prepare(&args.video)?;
    if !args.json {
        eprintln!(
            "{} frame(s) sampled {} at up to {} fps (at most {}), up to {} tokens",
            prepared.frames_s.len(),
            request.sampling.name(),
            request.fps,
            request.max_frames,
            request.max_tokens
        );
    }
    let task = prepared.job.task.clone();
    let worker = Worker::start()?;
    worker.send(Request::Load { spec: args.model.clone(), device: args.device });
    worker.send(Request::Run(prepared.job));
    let mut stdout = std::io::stdout();
    loop {
        match worker.events().recv()? {
            Event::Downloading(d) => report_download(&d),
            Event::Loading(_) | Event::Loaded { .. } => {}
            Event::Failed(e) => anyhow::bail!(e),
            Event::Token { text, .. } => {
                if !args.json {
                    print!("{text}");
                    stdout.flush()?;
                }
            }
            Event::Done { text, tokens, finish, prediction } => {
                if args.json {
                    let answer = Answer {
                        task: task.to_string(),
                        text: &text,
                        finish,
                        tokens: &tokens,
                        prediction: &prediction,
                    };
                    println!("{}", serde_json::to_string(&answer)?);
                } else {
                    println!("\n\n{}", summary(&prediction));
                }
                return Ok(());
            }
        }
    }
}

fn summary(p: &annotate::Prediction) -> String {
    let mut lines = Vec::new();
    if let Some(answer) = &p.answer {
        lines.push(format!("answer: {answer}"));
    }
    for b in &p.boxes {
        let [x1, y1, x2, y2] = b.bbox.0;
        let at = b.time_s.map_or_else(String::new, |t| format!(" at {t:.2} s"));
        lines.push(format!(
            "box {}{at}: [{x1:.0}, {y1:.0}, {x2:.0}, {y2:.0}]",
            b.label.as_deref().unwrap_or("")
        ));
    }
    for s in &p.spans {
        lines.push(format!(
            "span {}: {:.2} s – {:.2} s",
            s.label.as_deref().unwrap_or(""),
            s.start_s,
            s.end_s
        ));
    }
    for (i, s) in p.steps.iter().enumerate() {
        lines.push(format!("step {}: {:?} {}", i + 1, s.kind, s.text));
    }
    for problem in &p.problems {
        lines.push(format!("could not read: {problem}"));
    }
    if lines.is_empty() {
        lines.push("no evidence in the answer".into());
    }
    lines.join("\n")
}

/// A download's progress on standard error: on one line rewritten as it goes on a
/// terminal, else a line for each file once it is in.
fn report_download(d: &Download) {
    let finished = d.done >= d.total;
    if std::io::stderr().is_terminal() {
        eprint!("\rdownloading {d}");
        if finished {
            eprintln!();
        }
    } else if finished {
        eprintln!("downloaded {d}");
    }
}
