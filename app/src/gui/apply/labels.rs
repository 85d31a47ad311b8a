//! Labels: what the canvas, lanes, selection, questions and review panels report,
//! made into edits, selections and seeks.

use annotate::time::FrameTimes;
use annotate::{Edit, Evidence, LabelRef, Provenance, Question, QuestionKind, Review, Segment};
use viewer::PlaybackCommand;

use crate::gui::VidenceApp;
use crate::gui::canvas::{CanvasAction, Tool};
use crate::gui::dataset_panel::DatasetAction;
use crate::gui::lanes::LaneAction;
use crate::gui::objects::Jump;
use crate::gui::questions::{self, QuestionAction};
use crate::gui::review::ReviewAction;
use crate::gui::selection::{SegmentAction, SelectionAction};
use crate::gui::session::{Notice, ReviewMode};
use crate::gui::ui_state::LeftTab;

impl VidenceApp {
    pub(super) fn canvas_action(&mut self, action: CanvasAction) {
        match action {
            CanvasAction::Select(track) => self.session.selected = track.map(LabelRef::Track),
            CanvasAction::Draw { bbox, frame } => {
                let Some(d) = &self.session.dataset else { return };
                let Some(video) = d.video_id.clone() else { return };
                let data = d.document.dataset();
                let id = data.fresh_id("track");
                let mut edits = Vec::new();
                // A new box gets the category last used, else the first; a dataset
                // without any gets "object".
                let category = match self.session.next_category() {
                    Some(c) => c.id.clone(),
                    None => {
                        let (id, new) = annotate::category_named(data, "object", None);
                        edits.extend(new);
                        id
                    }
                };
                let track = annotate::Track {
                    attributes: Vec::new(),
                    z_order: 0,
                    id: id.clone(),
                    video,
                    category: category.clone(),
                    keyframes: vec![annotate::Keyframe { frame, bbox, outside: false, occluded: false }]
                        .into(),
                    interpolation: annotate::Interpolation::Linear,
                    source: Provenance::Human,
                    review: Review::Unreviewed,
                };
                edits.push(Edit::InsertTrack { index: data.tracks.len(), track });
                self.session.last_category = Some(category);
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

    pub(super) fn selection_action(&mut self, action: SelectionAction) {
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
                self.session.last_category = Some(category.clone());
                Some(Edit::SetTrackCategory { track: track_id, category })
            }
            SelectionAction::NewCategory(name) => {
                let Some(data) = self.dataset() else { return };
                let (category, new) = annotate::category_named(data, &name, None);
                self.session.last_category = Some(category.clone());
                let set = Edit::SetTrackCategory { track: track_id, category };
                Some(Edit::Batch { edits: new.into_iter().chain([set]).collect() })
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

    pub(super) fn segment_action(&mut self, action: SegmentAction) {
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

    pub(super) fn lane_action(&mut self, action: LaneAction) {
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
    pub(super) fn new_segment(&mut self, label: String, start_s: f64, end_s: f64) {
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
    pub(super) fn mark(&mut self, is_in: bool) {
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

    pub(super) fn jump_keyframe(&mut self, forward: bool) {
        let (Some(id), Some(frame)) = (self.session.selected_track(), self.current_frame()) else { return };
        let Some(track) = self.dataset().and_then(|d| d.track(id)) else { return };
        let mut frames = track.keyframes.iter().map(|k| k.frame);
        let target = if forward { frames.find(|&f| f > frame) } else { frames.rev().find(|&f| f < frame) };
        if let Some(f) = target {
            self.session.commands.push(PlaybackCommand::SeekFrame(f));
        }
    }

    /// Go to the start of the next (or previous) segment on this video and select it.
    pub(super) fn jump_segment(&mut self, forward: bool) {
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
    pub(super) fn pick(&mut self, label: LabelRef, jump: Option<Jump>) {
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

    /// Select the label a problem's JSON path points into (`$.tracks[3].keyframes[2]...`)
    /// and bring it on screen: the keyframe it names, or the label's start.
    pub(super) fn go_to_problem(&mut self, path: &str) {
        let index = |list: &str, rest: &str| -> Option<usize> {
            rest.strip_prefix(list)?.strip_prefix('[')?.split(']').next()?.parse().ok()
        };
        let Some(d) = self.dataset() else { return };
        let rest = path.strip_prefix("$.").unwrap_or(path);
        let (label, video) = if let Some(i) = index("tracks", rest) {
            let Some(t) = d.tracks.get(i) else { return };
            (LabelRef::Track(t.id.clone()), t.video.clone())
        } else if let Some(i) = index("segments", rest) {
            let Some(s) = d.segments.get(i) else { return };
            (LabelRef::Segment(s.id.clone()), s.video.clone())
        } else if let Some(i) = index("questions", rest) {
            let Some(q) = d.questions.get(i) else { return };
            (LabelRef::Question(q.id.clone()), q.video.clone())
        } else {
            return;
        };
        if self.session.video_id() != Some(video.as_str()) {
            if d.video(&video).is_some() {
                self.dataset_action(DatasetAction::ShowVideo(video));
            }
            self.pick(label, None);
            return;
        }
        let keyframe = match (&label, rest.split_once("].keyframes[")) {
            (LabelRef::Track(id), Some((_, k))) => k
                .split(']')
                .next()
                .and_then(|k| k.parse::<usize>().ok())
                .and_then(|k| Some(d.track(id)?.keyframes.get(k)?.frame)),
            _ => None,
        };
        let jump = keyframe.map(Jump::Frame).or_else(|| self.jump_to(&label));
        self.pick(label, jump);
    }

    /// Where a label is: its first keyframe or its start.
    pub(super) fn jump_to(&self, label: &LabelRef) -> Option<Jump> {
        let d = self.dataset()?;
        match label {
            LabelRef::Track(id) => Some(Jump::Frame(d.track(id)?.keyframes.first()?.frame)),
            LabelRef::Segment(id) => Some(Jump::Time(d.segment(id)?.start_s)),
            LabelRef::Question(_) => None,
        }
    }

    pub(super) fn question_action(&mut self, action: QuestionAction) {
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
    pub(super) fn selected_box(&self, frame: u64) -> Option<annotate::BBox> {
        Some(self.dataset()?.track(self.session.selected_track()?)?.box_at(frame)?.bbox)
    }

    /// Review mode on (at the first unreviewed label) or off.
    pub(super) fn toggle_review(&mut self) {
        if std::mem::take(&mut self.session.review) != ReviewMode::Off {
            return;
        }
        let Some(video) = self.session.video_id().map(str::to_owned) else { return };
        let first = self.dataset().and_then(|d| d.next_unreviewed(&video, None));
        self.review_go(first);
    }

    pub(super) fn review_go(&mut self, label: Option<LabelRef>) {
        if let Some(label) = &label {
            let jump = self.jump_to(label);
            self.pick(label.clone(), jump);
        }
        self.session.review = ReviewMode::On(label);
    }

    pub(super) fn review_action(&mut self, action: ReviewAction) {
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
}
