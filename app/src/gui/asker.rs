//! The GUI's side of the model: the worker thread (started on first use), the model
//! being loaded or in use, the models loaded before (kept in a file, read and written
//! on threads), a job being prepared (frames sampled and decoded on a
//! thread of its own) or generated, and the tokens streamed so far. `poll` is called
//! once per frame and never waits.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate::{Alternative, Backend, ModelRef, ModelRun, RunToken};
use model::backend::Local;
use model::device::DeviceChoice;
use model::hub::Download;
use model::qwen3_vl::processor::Processor;
use model::worker::{Event, Request, Worker};

use super::dataset_run::DatasetForm;
use super::pending::Pending;
use crate::ask::{AskRequest, Asked, Prepared};

/// Where the model stands.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelState {
    None,
    /// The model, and how far its loading has got.
    Loading(String, LoadStep),
    Ready(String),
    /// The model asked for, and why it did not load.
    Failed(String, String),
}

/// How far a load has got.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadStep {
    /// A file of the checkpoint coming from the hub.
    Downloading(Download),
    /// The fraction of the layers read.
    Reading(f32),
}

/// A question on its way: its frames being prepared, or the answer streaming in.
pub struct Live {
    pub request: AskRequest,
    pub video: String,
    pub prepared: Option<Asked>,
    pub tokens: Vec<RunToken>,
    pub cancelling: bool,
    frames: Option<Pending<anyhow::Result<Prepared>>>,
}

impl Live {
    pub fn is_preparing(&self) -> bool {
        self.frames.is_some()
    }
}

/// What `poll` reports to the app.
pub enum Outcome {
    /// A run finished: to be added to the dataset.
    Finished(Box<ModelRun>),
    Cancelled,
    Failed(String),
}

/// What the Model tab's form holds: the model to load, where, and the next request.
pub struct ModelForm {
    /// The model the next load uses: a folder or a hub id.
    pub spec: String,
    /// The device the next load asks for.
    pub device: DeviceChoice,
    pub request: AskRequest,
    /// The pasted output of a model run elsewhere, to be read as a run.
    pub pasted: String,
    /// "Run on dataset…".
    pub dataset: DatasetForm,
}

impl Default for ModelForm {
    fn default() -> Self {
        Self {
            spec: String::new(),
            device: DeviceChoice::Auto,
            request: AskRequest::default(),
            pasted: String::new(),
            dataset: DatasetForm::default(),
        }
    }
}

pub struct Asker {
    worker: Option<Worker>,
    pub state: ModelState,
    /// The loaded model's device (`cpu`, `cuda:0`, ...) and processors.
    pub running_on: Option<String>,
    /// The loaded model's hub revision, when it came from the hub.
    revision: Option<String>,
    pub processor: Processor,
    /// The loaded model, shared with a run over the dataset.
    pub model: Option<Arc<Local>>,
    /// Models loaded before, most recent first.
    pub recent: Vec<String>,
    /// Where `recent` is kept across runs, and its contents on their way in.
    recent_file: Option<PathBuf>,
    recent_read: Option<Pending<Vec<String>>>,
    pub live: Option<Live>,
}

impl Default for Asker {
    fn default() -> Self {
        Self {
            worker: None,
            state: ModelState::None,
            running_on: None,
            revision: None,
            processor: Processor::default(),
            model: None,
            recent: Vec::new(),
            recent_file: None,
            recent_read: None,
            live: None,
        }
    }
}

impl Asker {
    fn worker(&mut self) -> Result<&Worker, String> {
        if self.worker.is_none() {
            // One core stays with the GUI, decode and thumbnail threads.
            let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
            let worker = Worker::with_threads(Some(cores.saturating_sub(1).max(1)));
            self.worker = Some(worker.map_err(|e| format!("cannot start the model thread: {e}"))?);
        }
        self.worker.as_ref().ok_or_else(|| "no model thread".to_owned())
    }

    /// Keep the recent models in `file` (a JSON list), reading what it holds on a
    /// thread.
    pub fn remember_in(&mut self, file: PathBuf) {
        let path = file.clone();
        // A missing or unreadable list is an empty one: it only saves typing.
        self.recent_read =
            Pending::spawn("vidence-recent-models", "reading the recent models", None, move || {
                std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok())
                    .unwrap_or_default()
            })
            .ok();
        self.recent_file = Some(file);
    }

    /// Write the recent models to their file, on a thread.
    fn save_recent(&self) {
        let Some(path) = self.recent_file.clone() else { return };
        let Ok(text) = serde_json::to_string_pretty(&self.recent) else { return };
        let _ = std::thread::Builder::new().name("vidence-recent-models".into()).spawn(move || {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(&path, text);
        });
    }

    pub fn load(&mut self, spec: &str, device: DeviceChoice) {
        let spec = spec.trim().to_owned();
        if spec.is_empty() {
            self.state = ModelState::Failed(spec, "name a checkpoint folder or a hub id".into());
            return;
        }
        match self.worker() {
            Ok(w) => {
                w.send(Request::Load { spec: spec.clone(), device });
                (self.running_on, self.model) = (None, None);
                self.state = ModelState::Loading(spec, LoadStep::Reading(0.0));
            }
            Err(e) => self.state = ModelState::Failed(spec, e),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.live.is_some() || matches!(self.state, ModelState::Loading(..))
    }

    /// Start a run of `request` on `video` (a file): its frames are sampled and
    /// decoded on a thread, then the job goes to the worker.
    pub fn run(&mut self, request: AskRequest, path: &Path, video: String) -> Result<(), String> {
        if !matches!(self.state, ModelState::Ready(_)) {
            return Err("load a model first".into());
        }
        let (path, job) = (PathBuf::from(path), request.clone());
        let frames =
            Pending::spawn("vidence-ask-frames", "sampling frames", None, move || job.prepare(&path))?;
        self.live = Some(Live {
            request,
            video,
            prepared: None,
            tokens: Vec::new(),
            cancelling: false,
            frames: Some(frames),
        });
        Ok(())
    }

    pub fn cancel(&mut self) {
        if let Some(live) = &mut self.live {
            live.cancelling = true;
            if let Some(w) = &self.worker {
                w.cancel();
            }
        }
    }

    /// Take what arrived since the last frame; a finished run comes back once.
    pub fn poll(&mut self, fresh_id: impl Fn() -> String) -> Option<Outcome> {
        if let Some(Ok(list)) = Pending::take(&mut self.recent_read) {
            for spec in list {
                if !self.recent.contains(&spec) {
                    self.recent.push(spec);
                }
            }
            self.recent.truncate(8);
        }
        if let Some(live) = &mut self.live
            && let Some(prepared) = Pending::take(&mut live.frames)
        {
            match prepared {
                Ok(Ok(prepared)) => {
                    if live.cancelling {
                        self.live = None;
                        return Some(Outcome::Cancelled);
                    }
                    live.prepared = Some(prepared.asked(&live.request));
                    if let Some(w) = &self.worker {
                        w.send(Request::Run(prepared.job));
                    }
                }
                Ok(Err(e)) => {
                    self.live = None;
                    return Some(Outcome::Failed(format!("cannot sample the clip: {e:#}")));
                }
                Err(e) => {
                    self.live = None;
                    return Some(Outcome::Failed(e));
                }
            }
        }
        let worker = self.worker.as_ref()?;
        while let Ok(event) = worker.events().try_recv() {
            match event {
                Event::Downloading(download) => {
                    if let ModelState::Loading(_, step) = &mut self.state {
                        *step = LoadStep::Downloading(download);
                    }
                }
                Event::Loading(fraction) => {
                    if let ModelState::Loading(_, step) = &mut self.state {
                        *step = LoadStep::Reading(fraction);
                    }
                }
                Event::Loaded { folder, device, processor, model } => {
                    (self.running_on, self.model) = (Some(device), Some(model));
                    self.revision = model::hub::revision_of(&folder);
                    self.processor = processor;
                    if let ModelState::Loading(spec, _) = &self.state {
                        self.recent.retain(|r| r != spec);
                        self.recent.insert(0, spec.clone());
                        self.recent.truncate(8);
                        self.state = ModelState::Ready(spec.clone());
                        self.save_recent();
                    }
                }
                Event::Failed(message) => {
                    if let ModelState::Loading(spec, _) = &self.state {
                        self.state =
                            ModelState::Failed(spec.clone(), format!("cannot load {spec}: {message}"));
                    } else if self.live.take().is_some() {
                        return Some(Outcome::Failed(message));
                    }
                }
                Event::Token { token, text, top } => {
                    if let Some(live) = &mut self.live {
                        let top = token
                            .top
                            .iter()
                            .zip(top)
                            .filter(|(c, _)| c.logprob.is_finite())
                            .map(|(c, text)| Alternative { text, logprob: c.logprob })
                            .collect();
                        live.tokens.push(RunToken { text, logprob: token.logprob, top });
                    }
                }
                Event::Done { text, finish, prediction, .. } => {
                    let live = self.live.take()?;
                    if finish == model::generate::Finish::Cancelled {
                        return Some(Outcome::Cancelled);
                    }
                    let ModelState::Ready(model) = &self.state else { return None };
                    let model = model.clone();
                    let name = ModelRef {
                        backend: Backend::Local,
                        name: model,
                        revision: self.revision.clone(),
                        endpoint: None,
                    };
                    let mut run = live.prepared?.run(fresh_id(), live.video, name, text, prediction);
                    run.set_tokens(live.tokens);
                    return Some(Outcome::Finished(Box::new(run)));
                }
            }
        }
        None
    }
}

/// A model's output from elsewhere (`form.pasted`, in any format the parser knows),
/// read as a run with the form's settings, the clip starting at its `from_s`.
pub fn pasted_run(form: &ModelForm, id: String, video: &annotate::Video) -> ModelRun {
    let asked = Asked::given(&form.request, video);
    let prediction = annotate::dialect::parse(&form.pasted, &asked.reading.context);
    let model =
        ModelRef { backend: Backend::Given, name: "pasted output".into(), revision: None, endpoint: None };
    asked.run(id, video.id.clone(), model, form.pasted.clone(), prediction)
}
