//! `vidence predict`: a model over every question of a dataset, on this machine or on
//! OpenAI-compatible servers. `ask` chooses the jobs and skips those the store or the
//! dataset already holds; `threads` runs the rest, each finished job one line synced
//! to the run's store (`annotate::batch`) before the next is counted, so a killed run
//! loses only the jobs in flight, and the same command run again asks only the rest.
//! The command (`run`) joins the store into the dataset at its end, unless it is one
//! shard of several; the window's Run on dataset… calls `ask` the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use annotate::batch::{self, Job, Line, Questions, Selection};
use annotate::dialect::Grounding;
use annotate::{Dataset, Document, Sampling, TaskKind};
use anyhow::Context as _;
use model::backend::{Backend, Local, Remote, Retry, VideoInput};
use model::device::DeviceChoice;
use serde::Serialize;

use crate::ask::AskRequest;
use crate::control::Control;

mod threads;

#[derive(clap::Args)]
pub struct Predict {
    pub dataset: PathBuf,
    /// This machine's model: a checkpoint folder, or a hub id (downloaded if missing).
    #[arg(long, conflicts_with = "endpoint", required_unless_present = "endpoint")]
    pub model: Option<String>,
    /// auto (a GPU if there is one), cpu, cuda, cuda:N or metal.
    #[arg(long, default_value_t = DeviceChoice::Auto)]
    pub device: DeviceChoice,
    /// An OpenAI-compatible server (http://host:8000, with or without /v1); give it
    /// again for each server, and the jobs are spread over them.
    #[arg(long, requires = "served_model")]
    pub endpoint: Vec<String>,
    /// The model as the servers name it.
    #[arg(long)]
    pub served_model: Option<String>,
    /// The environment variable holding the servers' API key, if they want one.
    #[arg(long, default_value = API_KEY_ENV)]
    pub api_key_env: String,
    /// The served model's coordinates: qwen3-vl (0-1000), qwen2.5-vl or open-o3
    /// (pixels of the resized frames).
    #[arg(long, default_value = "qwen3-vl")]
    pub grounding: String,
    /// How a server is sent a video: video (one video_url of JPEG frames, as vLLM takes
    /// it) or images (a picture a frame, each after its time).
    #[arg(long, default_value = "video")]
    pub video_input: String,
    /// auto (each question's kind chooses: when, where as track, else answer), answer,
    /// track, when or captions (one job a video).
    #[arg(long, default_value = "auto")]
    pub task: String,
    /// all, unanswered (no run of any model answers them yet) or ID,ID,...
    #[arg(long, default_value = "all")]
    pub questions: Questions,
    /// Only these videos (ID,ID,...).
    #[arg(long, value_delimiter = ',')]
    pub videos: Vec<String>,
    #[arg(long, default_value_t = AskRequest::default().fps)]
    pub fps: f64,
    #[arg(long, default_value_t = AskRequest::default().max_frames)]
    pub max_frames: u64,
    /// uniform, scene or grid.
    #[arg(long, default_value = "uniform")]
    pub sampling: Sampling,
    #[arg(long, default_value_t = AskRequest::default().max_tokens)]
    pub max_tokens: usize,
    /// Requests in flight at once on each server (this machine's model answers one at a time).
    #[arg(long, default_value_t = CONCURRENCY)]
    pub concurrency: usize,
    /// Seconds to wait for each reply.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
    /// Tries for each request a busy or failing server did not answer.
    #[arg(long, default_value_t = Retry::default().attempts)]
    pub attempts: u32,
    /// Alternatives asked for at each token of a server's answer (0: no log-probabilities).
    #[arg(long, default_value_t = 5)]
    pub top_logprobs: u8,
    /// This machine's part of the jobs, I of N: its store is joined to the others' by
    /// `vidence runs merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// The run's name, as `vidence eval --run` takes it (default: the model's).
    #[arg(long)]
    pub run: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// Where the servers' API key is looked for, and the requests in flight on each,
/// unless told otherwise (the window's form starts from these too).
pub const API_KEY_ENV: &str = "OPENAI_API_KEY";
pub const CONCURRENCY: usize = 8;

impl Predict {
    /// The command line's settings for `dataset` and this machine's `model`, every other
    /// one its default: the window's form starts from these.
    pub fn defaults(dataset: &Path, model: &str) -> Result<Self, String> {
        #[derive(clap::Parser)]
        struct Line {
            #[command(flatten)]
            predict: Predict,
        }
        let line = [std::ffi::OsStr::new("predict"), dataset.as_os_str(), "--model".as_ref(), model.as_ref()];
        clap::Parser::try_parse_from(line).map(|l: Line| l.predict).map_err(|e| e.to_string())
    }
}

/// What a call did, as `--json` prints it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub run: String,
    pub jobs: usize,
    pub answered: usize,
    pub failed: usize,
    /// Answered by an earlier call.
    pub skipped: usize,
    /// Not asked: the run was stopped (Ctrl+C) first.
    pub stopped: usize,
    pub store: PathBuf,
    /// The first kinds of failure, each with the first job it happened to.
    pub errors: Vec<String>,
    /// Lines of the store that did not read (left as they are; their jobs are asked again).
    pub unread: Vec<String>,
}

impl Summary {
    /// The counts in words, then the first kinds of failure, a line each.
    pub fn describe(&self) -> String {
        let stopped =
            if self.stopped > 0 { format!(", {} not asked (stopped)", self.stopped) } else { String::new() };
        let mut text = format!(
            "{}: {} jobs, {} answered now, {} answered before, {} failed{stopped}",
            self.run, self.jobs, self.answered, self.skipped, self.failed
        );
        self.errors.iter().chain(&self.unread).for_each(|e| text.push_str(&format!("\n  {e}")));
        text
    }
}

/// Where the jobs go: each backend with the threads it gets.
pub struct Lane {
    name: String,
    backend: Arc<dyn Backend>,
    threads: usize,
    endpoint: Option<String>,
}

impl Lane {
    /// A model in this process, `name`: one job at a time.
    pub fn here(name: &str, backend: Arc<dyn Backend>) -> Self {
        Self { name: name.to_owned(), backend, threads: 1, endpoint: None }
    }
}

/// What a run tells as it goes.
pub enum Progress<'a> {
    /// The jobs are chosen: `summary` counts them, `stored` is what earlier calls left
    /// in the store.
    Started { summary: &'a Summary, stored: &'a [Line] },
    /// A job ended and its line is in the store.
    Ended { summary: &'a Summary, line: &'a Line },
}

pub fn command(args: &Predict) -> anyhow::Result<()> {
    // Jobs in flight finish and are kept.
    let summary = run(args, crate::control::stop_on_ctrl_c())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{}", summary.describe());
        println!("store: {}", summary.store.display());
    }
    if summary.failed > 0 {
        anyhow::bail!("{} jobs failed; the same command asks them again", summary.failed);
    }
    Ok(())
}

/// The whole call: the dataset read, its unfinished jobs asked with a progress bar, the
/// store joined into the dataset.
pub fn run(args: &Predict, control: &Control) -> anyhow::Result<Summary> {
    let data = annotate::load(&args.dataset)?;
    let bar = progress_bar();
    let summary = ask(args, &data, |model| lanes(args, model), control, &mut |progress| match progress {
        Progress::Started { summary, .. } => bar.set_length((summary.jobs - summary.skipped) as u64),
        Progress::Ended { summary, .. } => {
            bar.set_message(format!("{} answered, {} failed", summary.answered, summary.failed));
            bar.inc(1);
        }
    })?;
    bar.finish_and_clear();
    if args.shard.is_none() {
        join(&args.dataset, &summary.store)?;
    }
    Ok(summary)
}

/// The jobs of `data` (the dataset at `args.dataset`) chosen, those no earlier call
/// finished asked on the `lanes` made for the model (made only when there is one),
/// each outcome synced to the store and told to `watch`.
pub fn ask(
    args: &Predict,
    data: &Dataset,
    lanes: impl FnOnce(&str) -> anyhow::Result<Vec<Lane>>,
    control: &Control,
    watch: &mut dyn FnMut(Progress),
) -> anyhow::Result<Summary> {
    let task = match args.task.as_str() {
        "auto" => None,
        name => Some(name.parse::<TaskKind>().map_err(|e| anyhow::anyhow!("--task {e}"))?),
    };
    server_settings(args)?;
    anyhow::ensure!(args.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(args.attempts >= 1, "--attempts must be at least 1");
    let shard = args.shard.as_deref().map(batch::parse_shard).transpose().map_err(anyhow::Error::msg)?;
    let selection = Selection { task, questions: &args.questions, videos: &args.videos };
    let mut jobs = batch::jobs(data, &selection).map_err(anyhow::Error::msg)?;
    if let Some((i, n)) = shard {
        jobs = batch::shard(jobs, i, n);
    }
    let model = match (&args.model, &args.served_model) {
        (Some(m), _) => m.clone(),
        (None, Some(m)) => m.clone(),
        (None, None) => anyhow::bail!("give --model, or --endpoint with --served-model"),
    };
    let name = args.run.clone().unwrap_or_else(|| model.clone());
    let store_path = batch::store_path(&args.dataset, &name, shard);
    let read = batch::read(&store_path).with_context(|| format!("cannot read {}", store_path.display()))?;
    let standing = batch::standing(data, &name, &read.lines);
    let mut summary =
        Summary { run: name.clone(), jobs: jobs.len(), store: store_path.clone(), ..Summary::default() };
    summary.unread = read
        .bad
        .iter()
        .map(|(n, why)| {
            format!("{}:{n}: a line that does not read is kept as it is ({why})", store_path.display())
        })
        .collect();
    let todo: Vec<Job> = jobs.into_iter().filter(|j| !standing.answered.contains(&j.key)).collect();
    summary.skipped = summary.jobs - todo.len();
    let mut store = batch::Store::append_to(&store_path, &read)?;
    watch(Progress::Started { summary: &summary, stored: &read.lines });
    if !todo.is_empty() {
        let lanes = lanes(&model)?;
        let request = AskRequest {
            fps: args.fps,
            max_frames: args.max_frames,
            sampling: args.sampling,
            max_tokens: args.max_tokens,
            ..AskRequest::default()
        };
        let context = threads::Context { data, dataset: &args.dataset, name: &name, model: &model, request };
        threads::work(&context, todo, lanes, &mut store, &mut summary, control, watch)?;
    }
    Ok(summary)
}

/// How the servers are asked: their coordinates and how a video goes to them.
fn server_settings(args: &Predict) -> anyhow::Result<(Grounding, VideoInput)> {
    let grounding: Grounding = args.grounding.parse().map_err(|e| anyhow::anyhow!("--grounding {e}"))?;
    let video_input = match args.video_input.as_str() {
        "video" => VideoInput::Video,
        "images" => VideoInput::Images,
        other => anyhow::bail!("--video-input {other:?} is not one of video, images"),
    };
    Ok((grounding, video_input))
}

/// The backends: this machine's model (`model`, loaded), or each server with
/// `--concurrency` threads.
pub fn lanes(args: &Predict, model: &str) -> anyhow::Result<Vec<Lane>> {
    if args.endpoint.is_empty() {
        let folder = model::hub::Hub::from_env().fetch(model, &mut |_| {})?;
        let device = args.device.open()?;
        let loaded = model::worker::Loaded::open(&folder, &device, &mut |_| {})?;
        return Ok(vec![Lane::here(model, Arc::new(Local::new(loaded)))]);
    }
    let (grounding, video_input) = server_settings(args)?;
    let key = std::env::var(&args.api_key_env).ok().filter(|k| !k.is_empty());
    let retry = Retry { attempts: args.attempts, ..Retry::default() };
    args.endpoint
        .iter()
        .map(|address| {
            let server = model::server::Server::new(address, key.clone(), Duration::from_secs(args.timeout))?;
            let endpoint = server.address().to_owned();
            let remote = Remote {
                server,
                model: model.to_owned(),
                grounding,
                video_input,
                top_logprobs: args.top_logprobs,
                retry,
            };
            Ok(Lane {
                name: endpoint.clone(),
                backend: Arc::new(remote),
                threads: args.concurrency,
                endpoint: Some(endpoint),
            })
        })
        .collect()
}

/// The answers of the store at `store` that the dataset does not hold yet, added to it
/// as one edit and saved.
fn join(dataset: &Path, store: &Path) -> anyhow::Result<()> {
    let lines = batch::read(store)?.lines;
    let (mut doc, _) = Document::open(dataset)?;
    let merge = batch::merge(doc.dataset(), &[(store.display().to_string(), lines)]);
    for c in &merge.conflicts {
        eprintln!("{c}");
    }
    add_runs(&mut doc, merge.new)
}

/// `runs` added to the dataset after its own, as one edit, and saved.
pub fn add_runs(doc: &mut Document, runs: Vec<annotate::ModelRun>) -> anyhow::Result<()> {
    let Some(edit) = batch::insert(doc.dataset(), runs) else { return Ok(()) };
    doc.apply(edit).map_err(|e| anyhow::anyhow!("cannot add the runs: {e}"))?;
    doc.save()?;
    Ok(())
}

/// Done and failed counts, the rate and the time left, on standard error (drawn only
/// on a terminal).
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} jobs, {msg}, {per_sec}, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}
