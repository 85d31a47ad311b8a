//! The one writer of the session: `apply` carries out an [`Action`]. Work for the
//! workers, files opening and saving are here; what the panels report about labels
//! (each one `Edit`, so one undo step and one journal line) is in `labels`, and
//! model runs in `runs`.

mod eval;
mod export;
mod files;
mod labels;
mod runs;

use std::path::Path;

use annotate::{DatasetError, Edit, LabelRef};
use viewer::PlaybackCommand;

use super::VidenceApp;
use super::action::{Action, ConflictChoice};
use super::asker::Outcome;
use super::canvas::Tool;
use super::dataset_panel::DatasetAction;
use super::dialogs::Purpose;
use super::loader::LoadEvent;
use super::selection::SelectionAction;
use super::session::{Notice, OpenDataset, Opening, ReviewMode};
use super::video::VideoView;

impl VidenceApp {
    pub(super) fn apply(&mut self, action: Action) {
        match action {
            Action::Playback(command) => self.session.commands.push(command),
            Action::Scrub(on) => {
                if let Some(v) = &mut self.session.video {
                    v.scrubbing = on;
                }
            }
            Action::Mark { is_in } => self.mark(is_in),
            Action::JumpKeyframe { forward } => self.jump_keyframe(forward),
            Action::JumpSegment { forward } => self.jump_segment(forward),
            Action::Canvas(a) => self.canvas_action(a),
            Action::Lane(a) => self.lane_action(a),
            Action::Selection(a) => self.selection_action(a),
            Action::Segment(a) => self.segment_action(a),
            Action::Question(a) => self.question_action(a),
            Action::Review(a) => self.review_action(a),
            Action::Dataset(a) => self.dataset_action(a),
            Action::Ask(a) => self.ask_action(a),
            Action::Trace(a) => self.trace_action(a),
            Action::Eval(a) => self.eval_action(a),
            Action::Pick(label, jump) => self.pick(label, Some(jump)),
            Action::HoverPrediction(index) => self.session.hovered_prediction = index,
            Action::SetTool(tool) => self.session.tool = tool,
            Action::ToggleDraw => {
                self.session.tool = if self.session.tool == Tool::Draw { Tool::Select } else { Tool::Draw };
            }
            Action::Escape => {
                self.session.tool = Tool::Select;
                self.session.selected = None;
            }
            Action::DeleteSelected => match self.session.selected.clone() {
                Some(LabelRef::Segment(id)) => {
                    self.session.selected = None;
                    self.edit(Edit::RemoveSegment { id });
                }
                Some(LabelRef::Track(_)) => self.selection_action(SelectionAction::DeleteFromHere),
                _ => {}
            },
            Action::ToggleReview => self.toggle_review(),
            Action::Undo => {
                if let Some(d) = &mut self.session.dataset {
                    d.document.undo();
                }
                self.keep_shown_video();
            }
            Action::Redo => {
                if let Some(d) = &mut self.session.dataset {
                    d.document.redo();
                }
                self.keep_shown_video();
            }
            Action::Save => self.save(None),
            Action::PickFile(purpose) => self.pick_file(purpose),
            Action::Picked(picked) => self.picked(picked),
            Action::NewDataset(at) => self.new_dataset(at),
            Action::AddFiles(paths) => self.add_files(paths),
            Action::Transferred(result) => self.transferred(result),
            Action::CloseReport => self.session.report = None,
            Action::CancelVideoExport => self.cancel_video_export(),
            Action::SaveView => self.save_view(),
            Action::VideoExported(result) => self.video_exported(result),
            Action::ViewSaved(result) => self.view_saved(result),
            Action::Conflict(choice) => {
                self.session.conflict = false;
                match choice {
                    ConflictChoice::Reload => {
                        // The dropped edits stay in the old journal, set aside as stale
                        // when the file is opened again.
                        if let Some(d) = self.session.dataset.take() {
                            self.workers.loader.open(d.document.path().to_owned());
                        }
                    }
                    ConflictChoice::SaveAs => self.pick_file(Purpose::SaveAs),
                    ConflictChoice::KeepEditing => {}
                }
            }
            Action::DismissNotice(i) => {
                if i < self.session.notices.len() {
                    self.session.notices.remove(i);
                }
            }
            Action::Notify(notice) => self.session.notify(notice),
            Action::Loaded(event) => self.loaded(event),
            Action::Saved { serial, result } => self.saved(serial, result),
            Action::SetAside(apply) => {
                let Some(aside) = self.session.dataset.as_mut().and_then(|d| d.set_aside.take()) else {
                    return;
                };
                if apply && let Err(e) = self.workers.read_set_aside(aside.path) {
                    self.session.notify(Notice::error(e));
                }
            }
            Action::SetAsideRead(read) => {
                let Some(d) = &mut self.session.dataset else { return };
                let notice = match read {
                    Ok(edits) => {
                        let report = d.document.apply_set_aside(edits);
                        let skipped: Vec<String> =
                            report.skipped.iter().map(|(n, why)| format!("edit {} ({why})", n + 1)).collect();
                        if skipped.is_empty() {
                            Notice::info(format!("Applied the {} edit(s) set aside.", report.applied))
                        } else {
                            Notice::warning(format!(
                                "Applied {} of the edits set aside; {} no longer apply to the file as it is: {}.",
                                report.applied,
                                skipped.len(),
                                skipped.join("; ")
                            ))
                        }
                    }
                    Err(e) => Notice::error(format!("cannot read the edits set aside: {e}")),
                };
                self.session.notify(notice);
            }
            Action::TokensRead { run, result } => {
                if let Some(shown) = self.session.shown_run.as_mut().filter(|s| s.id == run) {
                    shown.tokens = Some(result.map_err(|e| e.to_string()));
                }
            }
            Action::Autosave(health) => {
                let Some(d) = &mut self.session.dataset else { return };
                let recovered = d.autosave.failing.is_some() && health.failing.is_none();
                d.autosave = health;
                if recovered {
                    self.session.notify(Notice::info("Autosave works again: the journal holds every edit."));
                }
            }
            Action::Scored(result) => self.scored(result),
            Action::Batch(event) => self.batch_event(event),
            Action::Model(outcome) => match outcome {
                Outcome::Finished(run) => {
                    let id = run.id.clone();
                    let index = self.dataset().map_or(0, |d| d.runs.len());
                    self.edit(Edit::InsertRun { index, run });
                    self.show_run(Some(id));
                }
                Outcome::Cancelled => self.session.notify(Notice::info("The model run was cancelled.")),
                Outcome::Failed(e) => {
                    self.session.notify(Notice::error(format!("The model run failed: {e}")));
                }
            },
        }
    }

    fn loaded(&mut self, event: LoadEvent) {
        let s = &mut self.session;
        match event {
            LoadEvent::Progress { path, fraction } => s.progress = Some((super::file_name(&path), fraction)),
            LoadEvent::Dataset { document, video_id, set_aside, problems } => {
                self.opened += 1;
                let open = OpenDataset {
                    document: *document,
                    video_id,
                    serial: self.opened,
                    autosave: Default::default(),
                    set_aside,
                    missing: None,
                    problems,
                };
                if open.video_id.is_some() {
                    s.opening = Opening::Dataset(Box::new(open));
                } else {
                    s.dataset = Some(open);
                }
            }
            LoadEvent::Video(opened) => {
                s.progress = None;
                s.video = Some(VideoView::new(*opened));
                match (std::mem::take(&mut s.opening), &mut s.dataset) {
                    // Another video of the same dataset.
                    (Opening::Video(id), Some(d)) => {
                        if d.missing.as_ref().is_some_and(|(m, _)| m == &id) {
                            d.missing = None;
                        }
                        d.video_id = Some(id);
                    }
                    (Opening::Dataset(d), _) => s.dataset = Some(*d),
                    _ => s.dataset = None,
                }
                // What was selected belonged to the previous video.
                s.selected = None;
                s.question = None;
                s.review = ReviewMode::Off;
                s.shown_run = None;
                s.highlight = None;
                s.tool = Tool::Select;
                s.commands.clear();
                if let Some(t) = s.start_time.take() {
                    s.commands.push(PlaybackCommand::SeekTime(t));
                }
                if let Some(item) = s.opening_item.take() {
                    self.show_item(item);
                }
                self.ui.canvas.fit();
                self.check_video();
            }
            LoadEvent::Info { path, message } => {
                s.notify(Notice::info(format!("{}: {message}", super::file_name(&path))));
            }
            LoadEvent::Warning { path, message } => {
                s.notify(Notice::warning(format!("{}: {message}", super::file_name(&path))));
            }
            LoadEvent::Failed { path, message } => {
                s.progress = None;
                // A file that does not open leaves the list.
                s.files.retain(|f| f != &path);
                match std::mem::take(&mut s.opening) {
                    // The dataset opens without its video, which can be located.
                    Opening::Dataset(mut d) => {
                        d.missing = d.video_id.take().map(|id| (id, message.clone()));
                        s.dataset = Some(*d);
                        s.video = None;
                    }
                    Opening::Video(id) => {
                        if let Some(d) = &mut s.dataset {
                            d.missing = Some((id, message.clone()));
                        }
                    }
                    Opening::Nothing => {}
                }
                s.notify(Notice::error(format!("{}: {message}", super::file_name(&path))));
            }
            LoadEvent::Labels(path) => {
                s.progress = None;
                s.files.retain(|f| f != &path);
                self.import(vec![path]);
            }
            LoadEvent::Created(result) => self.created(result),
            LoadEvent::Described { dataset, records, failed } => self.described(&dataset, records, failed),
            LoadEvent::Relinked { dataset, result } => self.relinked(&dataset, result),
        }
    }

    /// After an undo or redo: a video on screen that left the dataset (its adding
    /// undone) gives way to the dataset's first, or to none.
    fn keep_shown_video(&mut self) {
        let Some(d) = &mut self.session.dataset else { return };
        let Some(id) = &d.video_id else { return };
        if d.document.dataset().video(id).is_some() {
            return;
        }
        d.video_id = None;
        match d.document.dataset().videos.first().map(|v| v.id.clone()) {
            Some(first) => self.dataset_action(DatasetAction::ShowVideo(first)),
            None => self.session.video = None,
        }
    }

    /// The dataset's record of the video on screen against the file: a re-encoded
    /// video would put every label on the wrong frame.
    fn check_video(&mut self) {
        let (Some(data), Some(id), Some(video)) =
            (self.session.data(), self.session.video_id(), &self.session.video)
        else {
            return;
        };
        let Some(record) = data.video(id) else { return };
        let file = crate::videos::record_of(video.server.info(), record.id.clone(), record.path.clone());
        let differ = record.mismatches(&file);
        if !differ.is_empty() {
            let text = format!(
                "{} is not the video the dataset describes as {:?} ({}): its labels may sit on the wrong frames.",
                record.path,
                record.id,
                differ.join("; ")
            );
            self.session.notify(Notice::warning(text));
        }
    }

    /// Apply an edit to the open dataset; a refused edit becomes a notice.
    fn edit(&mut self, edit: Edit) {
        let Some(d) = &mut self.session.dataset else { return };
        if let Err(e) = d.document.apply(edit) {
            self.session.notify(Notice::error(format!("edit refused: {e}")));
        }
    }

    /// Save on a worker thread, over the file or to `to`; editing goes on meanwhile.
    fn save(&mut self, to: Option<&Path>) {
        let Some(d) = &self.session.dataset else { return };
        let job = match to {
            Some(path) => d.document.begin_save_as(path),
            None => d.document.begin_save(),
        };
        if let Err(e) = self.workers.save(d.serial, job) {
            self.session.notify(Notice::error(e));
        }
    }

    fn saved(&mut self, serial: u64, result: Result<annotate::Saved, DatasetError>) {
        let d = self.session.dataset.as_mut().filter(|d| d.serial == serial);
        let finished = match (result, d) {
            (Ok(saved), Some(d)) => d.document.finish_save(saved),
            // The dataset was closed while it saved: the file is written, nothing waits.
            (Ok(_), None) => Ok(()),
            (Err(e), _) => Err(e),
        };
        match finished {
            Ok(()) => {
                if let Some(d) = self.session.dataset.as_ref().filter(|d| d.serial == serial) {
                    let name = super::file_name(d.document.path());
                    self.session.notify(Notice::info(format!("Saved {name}.")));
                }
            }
            Err(DatasetError::ChangedOnDisk { .. }) => self.session.conflict = true,
            Err(e) => self.session.notify(Notice::error(format!("not saved: {e}"))),
        }
    }

    fn dataset_action(&mut self, action: DatasetAction) {
        match action {
            DatasetAction::Recheck => {
                if let Some(d) = &mut self.session.dataset {
                    d.problems = annotate::validate(d.document.dataset());
                }
            }
            DatasetAction::GoTo(path) => self.go_to_problem(&path),
            DatasetAction::OpenFile(path) => self.workers.loader.open(path),
            DatasetAction::ShowVideo(id) => {
                let Some(d) = &self.session.dataset else { return };
                let Some(video) = d.document.dataset().video(&id) else { return };
                let dir = d.document.path().parent().map(Path::to_path_buf).unwrap_or_default();
                self.workers.loader.open(dir.join(&video.path));
                self.session.opening = Opening::Video(id);
            }
        }
    }
}
