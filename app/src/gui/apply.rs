//! The one writer of the session: `apply` carries out an [`Action`], turning what
//! the panels report into edits on the open dataset (each one `Edit`, so one undo step
//! and one journal line), selections, seeks and work for the workers.

use std::path::{Path, PathBuf};

use annotate::accept::Decision;
use annotate::time::FrameTimes;
use annotate::{DatasetError, Edit, Evidence, LabelRef, Provenance, Question, QuestionKind, Review, Segment};
use viewer::PlaybackCommand;

use super::VidenceApp;
use super::action::{Action, ConflictChoice};
use super::ask_panel::AskAction;
use super::asker::{Outcome, pasted_run};
use super::canvas::{CanvasAction, Tool};
use super::dataset_panel::DatasetAction;
use super::lanes::LaneAction;
use super::loader::LoadEvent;
use super::objects::Jump;
use super::questions::{self, QuestionAction};
use super::review::ReviewAction;
use super::selection::{SegmentAction, SelectionAction};
use super::session::{Notice, OpenDataset, Opening, ReviewMode, ShownRun};
use super::trace::TraceAction;
use super::ui_state::LeftTab;
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
            Action::Pick(label, jump) => self.pick(label, Some(jump)),
            Action::HoverPrediction(index) => self.session.hovered_prediction = index,
            Action::SetTool(tool) => self.session.tool = tool,
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
            }
            Action::Redo => {
                if let Some(d) = &mut self.session.dataset {
                    d.document.redo();
                }
            }
            Action::Save => self.save(None),
            Action::SaveTo(path) => self.save(Some(&path)),
            Action::SaveAsDialog => {
                let Some(d) = &self.session.dataset else { return };
                if let Err(e) = self.workers.save_as_dialog(d.document.path()) {
                    self.session.notify(Notice::error(e));
                }
            }
            Action::OpenDialog => {
                if let Err(e) = self.workers.open_dialog() {
                    self.session.notify(Notice::error(e));
                }
            }
            Action::AddFiles(paths) => {
                for (i, path) in paths.into_iter().enumerate() {
                    self.add_file(path, i == 0);
                }
            }
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
                    ConflictChoice::SaveAs => self.apply(Action::SaveAsDialog),
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

    /// Remember `path` in the file list and, if `show`, open it.
    fn add_file(&mut self, path: PathBuf, show: bool) {
        if !self.session.files.contains(&path) {
            self.session.files.push(path.clone());
        }
        if show {
            self.workers.loader.open(path);
        }
    }

    fn loaded(&mut self, event: LoadEvent) {
        let s = &mut self.session;
        match event {
            LoadEvent::Progress { path, fraction } => s.progress = Some((super::file_name(&path), fraction)),
            LoadEvent::Dataset { document, video_id, set_aside } => {
                self.opened += 1;
                let open = OpenDataset {
                    document: *document,
                    video_id,
                    serial: self.opened,
                    autosave: Default::default(),
                    set_aside,
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
                    (Opening::Video(id), Some(d)) => d.video_id = Some(id),
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
                self.ui.canvas.fit();
                self.check_video();
            }
            LoadEvent::Warning { path, message } => {
                s.notify(Notice::warning(format!("{}: {message}", super::file_name(&path))));
            }
            LoadEvent::Failed { path, message } => {
                s.progress = None;
                s.opening = Opening::Nothing;
                s.notify(Notice::error(format!("{}: {message}", super::file_name(&path))));
            }
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
        let info = video.server.info();
        let file = annotate::Video {
            width: info.width,
            height: info.height,
            fps: info.fps,
            frame_count: info.frame_count,
            duration_s: info.duration_s,
            ..record.clone()
        };
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
            Ok(()) => {}
            Err(DatasetError::ChangedOnDisk { .. }) => self.session.conflict = true,
            Err(e) => self.session.notify(Notice::error(format!("not saved: {e}"))),
        }
    }

    fn canvas_action(&mut self, action: CanvasAction) {
        match action {
            CanvasAction::Select(track) => self.session.selected = track.map(LabelRef::Track),
            CanvasAction::Draw { bbox, frame } => {
                let Some(d) = &self.session.dataset else { return };
                let Some(video) = d.video_id.clone() else { return };
                let data = d.document.dataset();
                let id = data.fresh_id("track");
                let mut edits = Vec::new();
                // A new box gets the first category; a dataset without any gets "object".
                let category = match data.categories.first() {
                    Some(c) => c.id.clone(),
                    None => {
                        let (id, new) = annotate::category_named(data, "object", None);
                        edits.extend(new);
                        id
                    }
                };
                let track = annotate::Track {
                    id: id.clone(),
                    video,
                    category,
                    keyframes: vec![annotate::Keyframe { frame, bbox, outside: false, occluded: false }]
                        .into(),
                    interpolation: annotate::Interpolation::Linear,
                    source: Provenance::Human,
                    review: Review::Unreviewed,
                };
                edits.push(Edit::InsertTrack { index: data.tracks.len(), track });
                self.edit(Edit::Batch { edits });
                self.session.selected = Some(LabelRef::Track(id));
                self.session.tool = Tool::Select;
            }
            CanvasAction::Place { track, bbox, frame } => {
                // Editing a box makes (or updates) a keyframe on the frame it was seen on.
                let occluded = self
                    .dataset()
                    .and_then(|d| d.track(&track))
                    .and_then(|t| t.box_at(frame))
                    .is_some_and(|b| b.occluded);
                let keyframe = annotate::Keyframe { frame, bbox, outside: false, occluded };
                self.edit(Edit::SetKeyframe { track, keyframe });
            }
        }
    }

    fn selection_action(&mut self, action: SelectionAction) {
        let (Some(LabelRef::Track(track_id)), Some(frame)) =
            (self.session.selected.clone(), self.session.frame_seen())
        else {
            return;
        };
        let Some(track) = self.dataset().and_then(|d| d.track(&track_id)).cloned() else { return };
        let here = track.box_at(frame);
        let keyframe_here = |outside: bool, occluded: bool| {
            here.map(|b| annotate::Keyframe { frame, bbox: b.bbox, outside, occluded })
        };
        let edit = match action {
            SelectionAction::Seek(f) => {
                self.session.commands.push(PlaybackCommand::SeekFrame(f));
                return;
            }
            SelectionAction::ToggleOccluded => keyframe_here(false, !here.is_some_and(|b| b.occluded))
                .map(|keyframe| Edit::SetKeyframe { track: track_id, keyframe }),
            SelectionAction::MarkOutside => {
                keyframe_here(true, false).map(|keyframe| Edit::SetKeyframe { track: track_id, keyframe })
            }
            SelectionAction::DeleteKeyframe => Some(Edit::DeleteKeyframe { track: track_id, frame }),
            SelectionAction::DeleteFromHere => Some(Edit::DeleteTrackFrom { track: track_id, frame }),
            SelectionAction::SplitHere => {
                let taken = |id: &str| self.dataset().is_some_and(|d| d.track(id).is_some());
                let new_id = (2..).map(|n| format!("{track_id}-{n}")).find(|id| !taken(id));
                new_id.map(|new_id| Edit::SplitTrack { track: track_id, frame, new_id })
            }
            SelectionAction::MergeInto(into) => {
                self.session.selected = Some(LabelRef::Track(into.clone()));
                Some(Edit::MergeTracks { into, from: track_id })
            }
            SelectionAction::SetCategory(category) => {
                Some(Edit::SetTrackCategory { track: track_id, category })
            }
            SelectionAction::SetInterpolation(interpolation) => {
                Some(Edit::SetInterpolation { track: track_id, interpolation })
            }
            SelectionAction::SetReview(review) => {
                Some(Edit::SetReview { label: LabelRef::Track(track_id), review })
            }
            SelectionAction::DeleteTrack => {
                self.session.selected = None;
                Some(Edit::RemoveTrack { id: track_id })
            }
        };
        if let Some(edit) = edit {
            self.edit(edit);
        }
    }

    fn segment_action(&mut self, action: SegmentAction) {
        let Some(LabelRef::Segment(id)) = self.session.selected.clone() else { return };
        let Some(segment) = self.dataset().and_then(|d| d.segment(&id)).cloned() else { return };
        // Times go by the play head, as the timecode shows it.
        let now = self.current_frame().and_then(|f| self.time_of(f)).unwrap_or(0.0);
        let edit = match action {
            SegmentAction::SetLabel(label) => Edit::SetSegmentLabel { id, label },
            SegmentAction::StartHere => Edit::SetSegmentSpan { id, start_s: now, end_s: segment.end_s },
            SegmentAction::EndHere => Edit::SetSegmentSpan { id, start_s: segment.start_s, end_s: now },
            SegmentAction::Seek(t) => {
                self.session.commands.push(PlaybackCommand::SeekTime(t));
                return;
            }
            SegmentAction::SetReview(review) => Edit::SetReview { label: LabelRef::Segment(id), review },
            SegmentAction::Delete => {
                self.session.selected = None;
                Edit::RemoveSegment { id }
            }
        };
        self.edit(edit);
    }

    fn lane_action(&mut self, action: LaneAction) {
        match action {
            LaneAction::Select(id) => self.session.selected = id.map(LabelRef::Segment),
            LaneAction::Create { label, start_s, end_s } => self.new_segment(label, start_s, end_s),
            LaneAction::SetSpan { id, start_s, end_s } => {
                self.session.selected = Some(LabelRef::Segment(id.clone()));
                self.edit(Edit::SetSegmentSpan { id, start_s, end_s });
            }
        }
    }

    /// Add a segment on the video on screen and select it.
    fn new_segment(&mut self, label: String, start_s: f64, end_s: f64) {
        let Some(d) = &self.session.dataset else { return };
        let Some(video) = d.video_id.clone() else { return };
        let data = d.document.dataset();
        let id = data.fresh_id("seg");
        let index = data.segments.len();
        let label = if label.trim().is_empty() { "event".to_owned() } else { label.trim().to_owned() };
        let segment = Segment {
            id: id.clone(),
            video,
            label,
            start_s,
            end_s,
            source: Provenance::Human,
            review: Review::Unreviewed,
        };
        self.edit(Edit::InsertSegment { index, segment });
        self.session.selected = Some(LabelRef::Segment(id));
    }

    /// Set the in (I) or out (O) mark at the play head; O after I makes a segment.
    fn mark(&mut self, is_in: bool) {
        let Some(frame) = self.current_frame() else { return };
        let Some(video) = &mut self.session.video else { return };
        if is_in {
            video.marks.0 = Some(frame);
            return;
        }
        video.marks.1 = Some(frame);
        if let Some(start) = video.marks.0.filter(|&start| start < frame) {
            let index = video.server.index();
            let (start_s, end_s) = (index.time_of(start), index.time_of(frame));
            self.new_segment(self.ui.lanes.new_label.clone(), start_s, end_s);
        }
    }

    fn jump_keyframe(&mut self, forward: bool) {
        let (Some(id), Some(frame)) = (self.session.selected_track(), self.current_frame()) else { return };
        let Some(track) = self.dataset().and_then(|d| d.track(id)) else { return };
        let mut frames = track.keyframes.iter().map(|k| k.frame);
        let target = if forward { frames.find(|&f| f > frame) } else { frames.rev().find(|&f| f < frame) };
        if let Some(f) = target {
            self.session.commands.push(PlaybackCommand::SeekFrame(f));
        }
    }

    /// Go to the start of the next (or previous) segment on this video and select it.
    fn jump_segment(&mut self, forward: bool) {
        let Some(now) = self.current_frame().and_then(|f| self.time_of(f)) else { return };
        let (Some(data), Some(video)) = (self.session.data(), self.session.video_id()) else { return };
        let mut starts: Vec<(f64, String)> =
            data.segments_of(video).map(|s| (s.start_s, s.id.clone())).collect();
        starts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // A segment starting on this very frame counts as here, not ahead.
        let eps = 1e-6;
        let target = if forward {
            starts.into_iter().find(|(t, _)| *t > now + eps)
        } else {
            starts.into_iter().rev().find(|(t, _)| *t < now - eps)
        };
        if let Some((t, id)) = target {
            self.session.commands.push(PlaybackCommand::SeekTime(t));
            self.session.selected = Some(LabelRef::Segment(id));
        }
    }

    /// Select a label and bring it on screen.
    fn pick(&mut self, label: LabelRef, jump: Option<Jump>) {
        match jump {
            Some(Jump::Frame(f)) => {
                // A track already in view stays where it is.
                let visible = match (&label, self.dataset(), self.session.frame_seen()) {
                    (LabelRef::Track(id), Some(d), Some(now)) => {
                        d.track(id).and_then(|t| t.box_at(now)).is_some()
                    }
                    _ => false,
                };
                if !visible {
                    self.session.commands.push(PlaybackCommand::SeekFrame(f));
                }
            }
            Some(Jump::Time(t)) => self.session.commands.push(PlaybackCommand::SeekTime(t)),
            None => {}
        }
        match label {
            LabelRef::Question(id) => {
                self.session.question = Some(id);
                self.ui.left_tab = LeftTab::Questions;
            }
            other => self.session.selected = Some(other),
        }
    }

    /// Where a label is: its first keyframe or its start.
    fn jump_to(&self, label: &LabelRef) -> Option<Jump> {
        let d = self.dataset()?;
        match label {
            LabelRef::Track(id) => Some(Jump::Frame(d.track(id)?.keyframes.first()?.frame)),
            LabelRef::Segment(id) => Some(Jump::Time(d.segment(id)?.start_s)),
            LabelRef::Question(_) => None,
        }
    }

    fn question_action(&mut self, action: QuestionAction) {
        // A box goes with the picture it was seen on; a bare time with the play head.
        let frame = self.session.frame_seen().unwrap_or(0);
        let seen = self.session.time_seen().unwrap_or(0.0);
        let now = self.current_frame().and_then(|f| self.time_of(f)).unwrap_or(0.0);
        let open = self.session.question.as_deref().and_then(|id| self.dataset()?.question(id)).cloned();
        let edit = match (action, open) {
            (QuestionAction::Open(id), _) => {
                self.session.question = Some(id);
                return;
            }
            (QuestionAction::New, _) => {
                let Some(d) = &self.session.dataset else { return };
                let Some(video) = d.video_id.clone() else { return };
                let id = d.document.dataset().fresh_id("q");
                let question = Question {
                    id: id.clone(),
                    video,
                    kind: QuestionKind::What,
                    text: String::new(),
                    options: Vec::new(),
                    answer: String::new(),
                    evidence: Vec::new(),
                    rationale: Vec::new(),
                    source: Provenance::Human,
                    review: Review::Unreviewed,
                };
                self.session.question = Some(id);
                Edit::InsertQuestion { index: d.document.dataset().questions.len(), question }
            }
            (QuestionAction::Set(question), _) => Edit::SetQuestion { question },
            (QuestionAction::Delete(id), _) => {
                self.session.question = None;
                Edit::RemoveQuestion { id }
            }
            (QuestionAction::Seek(t), _) => {
                self.session.commands.push(PlaybackCommand::SeekTime(t));
                return;
            }
            (_, None) => {
                self.session.notify(Notice::warning("Open a question first (Questions tab)."));
                return;
            }
            (QuestionAction::LinkSelection, Some(mut q)) => {
                let marks = self.session.video.as_ref().map_or((None, None), |v| v.marks);
                let evidence = match (&self.session.selected, marks) {
                    (Some(LabelRef::Track(id)), _) => Evidence::Track { id: id.clone() },
                    (Some(LabelRef::Segment(id)), _) => Evidence::Segment { id: id.clone() },
                    (_, (Some(i), Some(o))) if i < o => Evidence::Span {
                        start_s: self.time_of(i).unwrap_or(0.0),
                        end_s: self.time_of(o).unwrap_or(0.0),
                    },
                    _ => {
                        let nothing = "Nothing to link: select a track or segment, or mark I and O.";
                        self.session.notify(Notice::warning(nothing));
                        return;
                    }
                };
                q.evidence.push(evidence);
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::LinkBox, Some(mut q)) => {
                let Some(bbox) = self.selected_box(frame) else {
                    self.session
                        .notify(Notice::warning("Select a track with a box on this frame to link its box."));
                    return;
                };
                q.evidence.push(Evidence::Box { time_s: seen, bbox });
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::LinkTime, Some(mut q)) => {
                q.evidence.push(Evidence::Time { time_s: now });
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::AddStep(kind), Some(mut q)) => {
                q.rationale.push(questions::new_step(kind));
                self.ui.drafts.step = Some(q.rationale.len() - 1);
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::Ground(i), Some(mut q)) => {
                let bbox = self.selected_box(frame);
                let Some(step) = q.rationale.get_mut(i) else { return };
                step.time_s = Some(if bbox.is_some() { seen } else { now });
                step.bbox = bbox;
                Edit::SetQuestion { question: q }
            }
        };
        self.edit(edit);
    }

    /// The selected track's box on `frame`, if it is in view there.
    fn selected_box(&self, frame: u64) -> Option<annotate::BBox> {
        Some(self.dataset()?.track(self.session.selected_track()?)?.box_at(frame)?.bbox)
    }

    /// Review mode on (at the first unreviewed label) or off.
    fn toggle_review(&mut self) {
        if std::mem::take(&mut self.session.review) != ReviewMode::Off {
            return;
        }
        let Some(video) = self.session.video_id().map(str::to_owned) else { return };
        let first = self.dataset().and_then(|d| d.next_unreviewed(&video, None));
        self.review_go(first);
    }

    fn review_go(&mut self, label: Option<LabelRef>) {
        if let Some(label) = &label {
            let jump = self.jump_to(label);
            self.pick(label.clone(), jump);
        }
        self.session.review = ReviewMode::On(label);
    }

    fn review_action(&mut self, action: ReviewAction) {
        let Some(video) = self.session.video_id().map(str::to_owned) else { return };
        let current = self.under_review().cloned();
        match action {
            ReviewAction::Exit => self.session.review = ReviewMode::Off,
            ReviewAction::Skip => {
                let next = self.dataset().and_then(|d| d.next_unreviewed(&video, current.as_ref()));
                self.review_go(next);
            }
            ReviewAction::Set(review) => {
                let Some(label) = current else { return };
                self.edit(Edit::SetReview { label: label.clone(), review });
                let next = self.dataset().and_then(|d| d.next_unreviewed(&video, Some(&label)));
                self.review_go(next);
            }
            ReviewAction::Edit => {
                let Some(label) = current else { return };
                self.edit(Edit::SetReview { label, review: Review::Edited });
                self.session.review = ReviewMode::Off;
            }
        }
    }

    fn dataset_action(&mut self, action: DatasetAction) {
        match action {
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

    fn show_run(&mut self, id: Option<String>) {
        self.session.shown_run = None;
        let run = id.as_deref().and_then(|id| self.session.data()?.run(id));
        if let (Some(run), Some(d)) = (run, &self.session.dataset) {
            // Tokens made here are at hand; those saved before are read on a thread.
            let (id, tokens, path) = (run.id.clone(), run.tokens.clone(), d.document.path().to_owned());
            let loaded = tokens.loaded().map(|list| Ok(std::sync::Arc::clone(list)));
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

    fn ask_action(&mut self, action: AskAction) {
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
            AskAction::Show(id) => self.show_run(id),
            AskAction::DeleteRun(id) => {
                if self.session.shown_run.as_ref().is_some_and(|s| s.id == id) {
                    self.show_run(None);
                }
                self.edit(Edit::RemoveRun { id });
            }
        }
    }

    fn trace_action(&mut self, action: TraceAction) {
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
    fn decide(&mut self, item: annotate::EvidenceItem, decision: Decision) {
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
