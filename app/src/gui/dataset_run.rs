//! "Run on dataset…": `predict::ask` over the open dataset on the `vidence-batch`
//! thread (its jobs answered on `vidence-predict-N`, as `vidence predict` answers
//! them), paused, resumed or stopped from the Model tab. Each answer is synced to the
//! run's store first, then comes back to be added to the dataset as it arrives; what
//! the window does not take stays in the store for the next run or `runs merge`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use annotate::Dataset;
use annotate::batch::{Line, Questions};
use annotate::dialect::Grounding;
use model::backend::{Backend, Local};

use super::asker::ModelForm;
use crate::control::Control;
use crate::predict::{self, Lane, Predict, Progress, Summary};

/// What the form asks for, beside the Model tab's sampling settings.
pub struct DatasetForm {
    pub unanswered_only: bool,
    /// Servers rather than this machine's model.
    pub on_server: bool,
    /// One server or several, apart by spaces or commas.
    pub endpoints: String,
    pub served_model: String,
    pub api_key_env: String,
    pub grounding: Grounding,
    pub concurrency: usize,
    /// The run's name (empty: the model's).
    pub run: String,
}

impl Default for DatasetForm {
    fn default() -> Self {
        Self {
            unanswered_only: false,
            on_server: false,
            endpoints: String::new(),
            served_model: String::new(),
            api_key_env: predict::API_KEY_ENV.into(),
            grounding: Grounding::default(),
            concurrency: predict::CONCURRENCY,
            run: String::new(),
        }
    }
}

/// What the run's thread tells the window.
enum Message {
    Started { jobs: usize, skipped: usize, stored: Vec<Line> },
    Ended { line: Line, answered: usize, failed: usize },
    Finished(Result<Summary, String>),
}

/// What `poll` hands the app.
pub enum BatchEvent {
    /// Answers for the dataset at `dataset`, the one the run is over.
    Arrived {
        dataset: PathBuf,
        lines: Vec<Line>,
    },
    Finished(Result<Summary, String>),
}

/// A run over the dataset, going.
pub struct DatasetRun {
    pub name: String,
    pub dataset: PathBuf,
    /// It uses this machine's model (which the Model tab then leaves alone).
    pub local: bool,
    pub jobs: usize,
    /// Answered before this run.
    pub skipped: usize,
    pub answered: usize,
    pub failed: usize,
    control: Arc<Control>,
    messages: Receiver<Message>,
}

impl DatasetRun {
    /// Start on `data` (the open dataset, saved at `dataset`) with the form's settings:
    /// on `here` (this machine's model and its name) or on the form's servers.
    pub fn start(
        form: &ModelForm,
        dataset: PathBuf,
        data: Dataset,
        here: Option<(String, Arc<Local>)>,
        wake: egui::Context,
    ) -> Result<Self, String> {
        let f = &form.dataset;
        let model = match &here {
            Some((name, _)) => name.clone(),
            None => f.served_model.trim().to_owned(),
        };
        let mut args = Predict::defaults(&dataset, &model)?;
        args.device = form.device;
        (args.fps, args.max_frames) = (form.request.fps, form.request.max_frames);
        (args.sampling, args.max_tokens) = (form.request.sampling, form.request.max_tokens);
        args.questions = if f.unanswered_only { Questions::Unanswered } else { Questions::All };
        args.run = Some(f.run.trim()).filter(|r| !r.is_empty()).map(str::to_owned);
        if here.is_none() {
            args.endpoint =
                f.endpoints.split([' ', ',']).filter(|e| !e.is_empty()).map(str::to_owned).collect();
            if args.endpoint.is_empty() || model.is_empty() {
                return Err("name a server and the model it serves".into());
            }
            (args.model, args.served_model) = (None, Some(model.clone()));
            args.api_key_env = f.api_key_env.trim().to_owned();
            args.grounding = f.grounding.name().to_owned();
            args.concurrency = f.concurrency.max(1);
        }
        let name = args.run.clone().unwrap_or_else(|| model.clone());
        let control = Arc::new(Control::new());
        let (send, messages) = channel();
        let (stop, local) = (Arc::clone(&control), here.is_some());
        let work = move || {
            let tell = |m: Message| {
                let _ = send.send(m);
                wake.request_repaint();
            };
            let lanes = |model: &str| match here {
                Some((_, backend)) => Ok(vec![Lane::here(model, backend as Arc<dyn Backend>)]),
                None => predict::lanes(&args, model),
            };
            let mut watch = |progress: Progress| match progress {
                Progress::Started { summary, stored } => {
                    tell(Message::Started {
                        jobs: summary.jobs,
                        skipped: summary.skipped,
                        stored: stored.to_vec(),
                    });
                }
                Progress::Ended { summary, line } => tell(Message::Ended {
                    line: line.clone(),
                    answered: summary.answered,
                    failed: summary.failed,
                }),
            };
            let result = predict::ask(&args, &data, lanes, &stop, &mut watch).map_err(|e| format!("{e:#}"));
            tell(Message::Finished(result));
        };
        std::thread::Builder::new()
            .name("vidence-batch".into())
            .spawn(work)
            .map_err(|e| format!("cannot start the run: {e}"))?;
        Ok(Self { name, dataset, local, jobs: 0, skipped: 0, answered: 0, failed: 0, control, messages })
    }

    pub fn set_paused(&self, paused: bool) {
        self.control.pause.store(paused, Ordering::Relaxed);
    }

    pub fn is_paused(&self) -> bool {
        self.control.pause.load(Ordering::Relaxed)
    }

    /// Take no new job; those in flight finish and are kept.
    pub fn stop(&self) {
        self.control.stop.store(true, Ordering::Relaxed);
    }

    pub fn is_stopping(&self) -> bool {
        self.control.stop.load(Ordering::Relaxed)
    }

    /// Jobs to ask in this run, and those ended so far.
    pub fn progress(&self) -> (usize, usize) {
        (self.jobs - self.skipped, self.answered + self.failed)
    }

    /// What arrived since the last frame; the answers of a frame come together.
    pub fn poll(&mut self) -> Vec<BatchEvent> {
        let (mut lines, mut finished) = (Vec::new(), None);
        loop {
            let message = match self.messages.try_recv() {
                Ok(message) => message,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    finished.get_or_insert(Err("the run stopped without a word".to_owned()));
                    break;
                }
            };
            match message {
                Message::Started { jobs, skipped, stored } => {
                    (self.jobs, self.skipped) = (jobs, skipped);
                    lines.extend(stored);
                }
                Message::Ended { line, answered, failed } => {
                    (self.answered, self.failed) = (answered, failed);
                    lines.push(line);
                }
                Message::Finished(result) => finished = Some(result),
            }
        }
        let mut out = Vec::new();
        if !lines.is_empty() {
            out.push(BatchEvent::Arrived { dataset: self.dataset.clone(), lines });
        }
        out.extend(finished.map(BatchEvent::Finished));
        out
    }
}
