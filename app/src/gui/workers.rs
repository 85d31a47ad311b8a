//! The threads the window talks to: the file loader, the model, a save in progress
//! and the file dialogs. `poll` turns whatever they finished into actions, without
//! waiting.

use std::path::PathBuf;

use std::sync::Arc;

use annotate::{DatasetError, RunToken, SaveJob, Saved};

use super::action::Action;
use super::asker::Asker;
use super::dataset_run::DatasetRun;
use super::dialogs::{DialogKind, Dialogs};
use super::evaluate::Scored;
use super::export_video::VideoExport;
use super::loader::Loader;
use super::pending::Pending;
use super::session::Notice;
use super::transfer::Done;

/// A run's tokens as read from beside the dataset.
pub type TokensRead = std::io::Result<Arc<[RunToken]>>;

pub struct Workers {
    pub loader: Loader,
    pub asker: Asker,
    /// A run over the dataset going.
    pub dataset_run: Option<DatasetRun>,
    /// A video being rendered (Export video…).
    pub video_export: Option<VideoExport>,
    /// The view being saved as a picture.
    picture: Option<Pending<Result<PathBuf, String>>>,
    /// A save running, and the serial of the dataset it saves.
    pub saving: Option<Pending<Result<Saved, DatasetError>>>,
    saving_serial: u64,
    pub dialogs: Dialogs,
    /// Edits set aside, being read to be applied.
    set_aside: Option<Pending<std::io::Result<Vec<annotate::Edit>>>>,
    /// A run's tokens being read, with the run's id.
    tokens: Option<Pending<(String, TokensRead)>>,
    /// An import or export running, and what it is in words.
    transfer: Option<Pending<Result<Done, String>>>,
    /// A model's runs being scored: the model and the dataset's change count.
    scoring: Option<Pending<Result<Box<Scored>, String>>>,
    transfer_what: String,
    /// Woken when a worker finishes.
    ctx: egui::Context,
}

impl Workers {
    pub fn new(loader: Loader, dialogs: DialogKind, ctx: egui::Context) -> Self {
        Self {
            loader,
            asker: Asker::default(),
            dataset_run: None,
            video_export: None,
            picture: None,
            saving: None,
            saving_serial: 0,
            dialogs: Dialogs::new(dialogs, ctx.clone()),
            tokens: None,
            transfer: None,
            scoring: None,
            transfer_what: String::new(),
            set_aside: None,
            ctx,
        }
    }

    pub fn save(&mut self, serial: u64, job: SaveJob) -> Result<(), String> {
        if self.saving.is_some() {
            return Ok(());
        }
        self.saving =
            Some(Pending::spawn("vidence-save", "saving", Some(self.ctx.clone()), move || job.run())?);
        self.saving_serial = serial;
        Ok(())
    }

    /// Read a run's tokens (the newest request wins).
    pub fn read_tokens(
        &mut self,
        run: String,
        read: impl FnOnce() -> std::io::Result<Arc<[RunToken]>> + Send + 'static,
    ) -> Result<(), String> {
        let wake = Some(self.ctx.clone());
        self.tokens = Some(Pending::spawn("vidence-tokens", "reading tokens", wake, move || (run, read()))?);
        Ok(())
    }

    /// Read the edits of a journal set aside, to apply them.
    pub fn read_set_aside(&mut self, path: PathBuf) -> Result<(), String> {
        let wake = Some(self.ctx.clone());
        let read = move || annotate::read_any(&path).map(|r| r.edits);
        self.set_aside =
            Some(Pending::spawn("vidence-set-aside", "reading the edits set aside", wake, read)?);
        Ok(())
    }

    /// Import or export on a worker; one at a time.
    pub fn transfer(
        &mut self,
        what: String,
        work: impl FnOnce() -> Result<Done, String> + Send + 'static,
    ) -> Result<(), String> {
        if self.transfer.is_some() {
            return Err(format!("{} still runs: wait for it to end", self.transfer_what));
        }
        let wake = Some(self.ctx.clone());
        self.transfer = Some(Pending::spawn("vidence-transfer", "the import or export", wake, work)?);
        self.transfer_what = what;
        Ok(())
    }

    /// Score `model`'s runs in `data` (the dataset at change `changes`), compared with
    /// `against`'s where given; one at a time.
    pub fn score(
        &mut self,
        model: String,
        against: Option<String>,
        changes: u64,
        data: Arc<annotate::Dataset>,
    ) -> Result<(), String> {
        if self.scoring.is_some() {
            return Ok(());
        }
        let wake = Some(self.ctx.clone());
        let work = move || {
            let mine =
                annotate::eval::score(&data, &model).map_err(|e| format!("cannot score {model}: {e}"))?;
            let theirs = match against {
                Some(other) => Some(
                    annotate::eval::score(&data, &other)
                        .map(|s| (other.clone(), s))
                        .map_err(|e| format!("cannot score {other}: {e}"))?,
                ),
                None => None,
            };
            Ok(Box::new(Scored::new(model, changes, mine, theirs)))
        };
        self.scoring = Some(Pending::spawn("vidence-eval", "scoring", wake, work)?);
        Ok(())
    }

    /// Start a run over `data` (the open dataset, at `path`) with the Model tab's
    /// settings, on `here` (this machine's model) or the form's servers; one at a time.
    pub fn run_dataset(
        &mut self,
        form: &super::asker::ModelForm,
        path: PathBuf,
        data: annotate::Dataset,
        here: Option<(String, Arc<model::backend::Local>)>,
    ) -> Result<(), String> {
        if self.dataset_run.is_some() {
            return Err("a run over the dataset is going: stop it first".into());
        }
        self.dataset_run = Some(DatasetRun::start(form, path, data, here, self.ctx.clone())?);
        Ok(())
    }

    /// Render a video on a worker (Export video…); one at a time.
    pub fn export_video(
        &mut self,
        data: Arc<annotate::Dataset>,
        folder: PathBuf,
        options: crate::render::Options,
        out: PathBuf,
    ) -> Result<(), String> {
        if self.video_export.is_some() {
            return Err("a video export runs: cancel it or wait for it to end".into());
        }
        self.video_export = Some(VideoExport::start(data, folder, options, out, self.ctx.clone())?);
        Ok(())
    }

    /// Save a picture on a worker; one at a time.
    pub fn save_picture(
        &mut self,
        work: impl FnOnce() -> Result<PathBuf, String> + Send + 'static,
    ) -> Result<(), String> {
        if self.picture.is_some() {
            return Err("a picture is being saved: wait for it".into());
        }
        let wake = Some(self.ctx.clone());
        self.picture = Some(Pending::spawn("vidence-picture", "saving the view", wake, work)?);
        Ok(())
    }

    pub fn is_scoring(&self) -> bool {
        self.scoring.is_some()
    }

    /// The import or export running, in words.
    pub fn transferring(&self) -> Option<&str> {
        self.transfer.as_ref().map(|_| self.transfer_what.as_str())
    }

    /// What finished since the last frame.
    pub fn poll(&mut self, next_run_id: impl Fn() -> String) -> Vec<Action> {
        let mut out: Vec<Action> = self.loader.poll().into_iter().map(Action::Loaded).collect();
        match Pending::take(&mut self.saving) {
            Some(Ok(result)) => out.push(Action::Saved { serial: self.saving_serial, result }),
            Some(Err(e)) => out.push(Action::Notify(Notice::error(format!("not saved: {e}")))),
            None => {}
        }
        match Pending::take(&mut self.set_aside) {
            Some(Ok(read)) => out.push(Action::SetAsideRead(read)),
            Some(Err(e)) => out.push(Action::Notify(Notice::error(e))),
            None => {}
        }
        match Pending::take(&mut self.tokens) {
            Some(Ok((run, result))) => out.push(Action::TokensRead { run, result }),
            Some(Err(e)) => out.push(Action::Notify(Notice::error(e))),
            None => {}
        }
        match Pending::take(&mut self.scoring) {
            Some(Ok(result)) => out.push(Action::Scored(result)),
            Some(Err(e)) => out.push(Action::Notify(Notice::error(e))),
            None => {}
        }
        if let Some(result) = Pending::take(&mut self.picture) {
            out.push(Action::ViewSaved(result.and_then(|r| r)));
        }
        if let Some(ended) = self.video_export.as_mut().and_then(VideoExport::poll) {
            self.video_export = None;
            out.push(Action::VideoExported(ended));
        }
        if let Some(result) = Pending::take(&mut self.transfer) {
            out.push(Action::Transferred(result.and_then(|r| r)));
        }
        out.extend(self.asker.poll(next_run_id).map(Action::Model));
        if let Some(run) = &mut self.dataset_run {
            out.extend(run.poll().into_iter().map(Action::Batch));
        }
        out
    }
}
