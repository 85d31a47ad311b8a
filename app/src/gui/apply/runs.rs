//! Model runs: asking, showing a run (its tokens read on a thread), the trace's
//! actions, and verdicts on evidence made into edits (`annotate::accept`).

use std::path::PathBuf;
use std::sync::Arc;

use annotate::accept::Decision;
use annotate::time::FrameTimes;
use annotate::{Edit, LabelRef};
use viewer::PlaybackCommand;

use crate::gui::VidenceApp;
use crate::gui::ask_panel::AskAction;
use crate::gui::asker::{ModelState, pasted_run};
use crate::gui::batch_panel::BatchAction;
use crate::gui::dataset_run::{BatchEvent, DatasetRun};
use crate::gui::session::{Notice, ShownRun};
use crate::gui::trace::TraceAction;
use crate::gui::ui_state::LeftTab;

impl VidenceApp {
    pub(super) fn show_run(&mut self, id: Option<String>) {
        (self.session.shown_run, self.session.compared_run) = (None, None);
        let run = id.as_deref().and_then(|id| self.session.data()?.run(id));
        if let (Some(run), Some(d)) = (run, &self.session.dataset) {
            // Tokens made here are at hand; those saved before are read on a thread.
            let (id, tokens, path) = (run.id.clone(), run.tokens.clone(), d.document.path().to_owned());
            let loaded = tokens.loaded().map(|list| Ok(Arc::clone(list)));
            if loaded.is_none() && !tokens.is_empty() {
                let read = self.workers.read_tokens(id.clone(), move || tokens.read(&path));
                if let Err(e) = read {
                    self.session.notify(Notice::error(e));
                }
            }
            self.session.shown_run = Some(ShownRun { id, tokens: loaded });
        }
        self.session.highlight = None;
        self.session.selected = None;
    }

    pub(super) fn ask_action(&mut self, action: AskAction) {
        match action {
            AskAction::Load => self.workers.asker.load(&self.ui.model.spec, self.ui.model.device),
            AskAction::Run => {
                let (Some(video), Some(id)) =
                    (&self.session.video, self.session.video_id().map(str::to_owned))
                else {
                    return;
                };
                let mut request = self.ui.model.request.clone();
                let index = video.server.index();
                if request.task == annotate::TaskKind::Region {
                    // A region question asks about the selected box, on the frame seen.
                    let frame = self.session.frame_seen().unwrap_or(0);
                    let Some(bbox) = self.selected_box(frame).map(|b| b.0.map(f64::from)) else {
                        self.session.notify(Notice::warning("Select a box to ask about its region."));
                        return;
                    };
                    request.region = Some((bbox, index.time_of(frame)));
                    request.answers = self.session.selected.clone();
                }
                // With no range given, the clip is the timeline selection (the I-O marks).
                if let (None, None, (Some(i), Some(o))) = (request.from_s, request.to_s, video.marks) {
                    (request.from_s, request.to_s) =
                        (Some(index.time_of(i.min(o))), Some(index.time_of(i.max(o))));
                }
                let path = PathBuf::from(&video.server.info().path);
                if let Err(e) = self.workers.asker.run(request, &path, id) {
                    self.session.notify(Notice::error(e));
                }
            }
            AskAction::Cancel => self.workers.asker.cancel(),
            AskAction::ReadPasted => {
                let (Some(data), Some(id)) = (self.session.data(), self.session.video_id()) else { return };
                let Some(video) = data.video(id) else { return };
                let run = pasted_run(&self.ui.model, data.fresh_id("run"), video);
                let (id, index) = (run.id.clone(), data.runs.len());
                self.edit(Edit::InsertRun { index, run: Box::new(run) });
                self.show_run(Some(id));
            }
            AskAction::Dataset(BatchAction::Start) => self.run_dataset(),
            AskAction::Dataset(BatchAction::Pause(paused)) => {
                self.workers.dataset_run.iter().for_each(|r| r.set_paused(paused));
            }
            AskAction::Dataset(BatchAction::Stop) => {
                self.workers.dataset_run.iter().for_each(DatasetRun::stop);
            }
            AskAction::Show(id) => self.show_run(id),
            AskAction::DeleteRun(id) => {
                if self.session.shown_run.as_ref().is_some_and(|s| s.id == id) {
                    self.show_run(None);
                }
                self.edit(Edit::RemoveRun { id });
            }
        }
    }

    /// The Model tab's run over the dataset as it is in the window, unsaved edits
    /// included.
    fn run_dataset(&mut self) {
        let Some(d) = &self.session.dataset else { return };
        let asker = &self.workers.asker;
        let here = match (&asker.state, &asker.model) {
            _ if self.ui.model.dataset.on_server => None,
            (ModelState::Ready(spec), Some(model)) if !asker.is_busy() => {
                Some((spec.clone(), Arc::clone(model)))
            }
            _ => {
                self.session.notify(Notice::warning("Load a model first, or choose servers."));
                return;
            }
        };
        // A copy: the document's shared snapshot would be copied at the first answer's
        // edit all the same, while the run holds it.
        let (path, data) = (d.document.path().to_owned(), d.document.dataset().clone());
        if let Err(e) = self.workers.run_dataset(&self.ui.model, path, data, here) {
            self.session.notify(Notice::error(e));
        }
    }

    /// The run over the dataset: its answers added as they arrive (one edit a frame),
    /// or its end told.
    pub(super) fn batch_event(&mut self, event: BatchEvent) {
        match event {
            BatchEvent::Arrived { dataset, lines } => {
                let open = self.session.dataset.as_ref().filter(|d| d.document.path() == dataset);
                let Some(d) = open else {
                    // The answers are in the store; the dataset they are for is not open.
                    if let Some(run) = self.workers.dataset_run.as_ref().filter(|r| !r.is_stopping()) {
                        run.stop();
                        self.session.notify(Notice::warning(format!(
                            "The run over {} stopped: that dataset is no longer open. Its answers are kept in {}; run it again there to add them.",
                            dataset.display(),
                            annotate::batch::folder(&dataset).display()
                        )));
                    }
                    return;
                };
                let merge = annotate::batch::merge(d.document.dataset(), &[("its store".to_owned(), lines)]);
                let edit = annotate::batch::insert(d.document.dataset(), merge.new);
                if let Some(first) = merge.conflicts.first() {
                    let more = merge.conflicts.len() - 1;
                    self.session.notify(Notice::warning(format!("{first} (and {more} more)")));
                }
                if let Some(edit) = edit {
                    self.edit(edit);
                }
            }
            BatchEvent::Finished(result) => {
                self.workers.dataset_run = None;
                match result {
                    Ok(summary) => self.session.notify(Notice::info(summary.describe())),
                    Err(e) => {
                        self.session.notify(Notice::error(format!("The run over the dataset failed: {e}")));
                    }
                }
            }
        }
    }

    pub(super) fn trace_action(&mut self, action: TraceAction) {
        match action {
            TraceAction::Seek(t) => self.session.commands.push(PlaybackCommand::SeekTime(t)),
            TraceAction::Highlight { index, time_s } => {
                self.session.highlight = Some(index);
                if let Some(t) = time_s {
                    self.session.commands.push(PlaybackCommand::SeekTime(t));
                }
            }
            TraceAction::Decide { item, decision } => self.decide(item, decision),
        }
    }

    /// Accept (make a label), edit (accept, then select it) or reject a piece of the
    /// shown run's evidence.
    pub(super) fn decide(&mut self, item: annotate::EvidenceItem, decision: Decision) {
        let (Some(data), Some(shown), Some(video)) =
            (self.session.data(), &self.session.shown_run, &self.session.video)
        else {
            return;
        };
        let frame = self.session.frame_seen().unwrap_or(0);
        let decided =
            annotate::accept::decide(data, &shown.id, item, decision, video.server.index().as_ref(), frame);
        match decided {
            Ok(decided) => {
                self.edit(decided.edit);
                if let Some(name) = decided.unmatched {
                    self.session.notify(Notice::info(format!(
                        "No category is named {name:?}: the box went under {:?} (change it in the Selection panel).",
                        annotate::accept::MODEL_LABELS
                    )));
                }
                if decision == Decision::Edit {
                    match decided.label {
                        Some(LabelRef::Question(q)) => {
                            self.session.question = Some(q);
                            self.ui.left_tab = LeftTab::Questions;
                        }
                        other => self.session.selected = other,
                    }
                }
            }
            Err(e) => self.session.notify(Notice::error(format!("cannot decide: {e}"))),
        }
    }
}
