//! Turning what the panels report into edits on the open dataset, selections and
//! seeks.

use annotate::{Edit, Evidence, LabelRef, Provenance, Question, QuestionKind, Review, Segment};
use viewer::PlaybackCommand;

use super::VidenceApp;
use super::canvas::{CanvasAction, Tool};
use super::dataset_panel::DatasetAction;
use super::lanes::LaneAction;
use super::objects::Jump;
use super::questions::{self, QuestionAction};
use super::review::ReviewAction;
use super::selection::{SegmentAction, SelectionAction};

impl VidenceApp {
    pub(super) fn canvas_action(&mut self, action: CanvasAction) {
        let frame = self.current_frame().unwrap_or(0);
        match action {
            CanvasAction::Select(track) => self.selected = track.map(LabelRef::Track),
            CanvasAction::Draw(bbox) => {
                let Some(d) = &self.dataset else { return };
                let Some(video) = d.video_id.clone() else { return };
                let data = d.document.dataset();
                let id = data.fresh_id("track");
                let mut edits = Vec::new();
                // A new box gets the first category; a dataset without any gets "object".
                let category = match data.categories.first() {
                    Some(c) => c.id.clone(),
                    None => {
                        let c =
                            annotate::Category { id: "object".into(), name: "object".into(), color: None };
                        edits.push(Edit::InsertCategory { index: 0, category: c });
                        "object".to_owned()
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
                self.selected = Some(LabelRef::Track(id));
                self.tool = Tool::Select;
            }
            CanvasAction::Place { track, bbox } => {
                // Editing a box makes (or updates) a keyframe on this frame.
                let occluded = self
                    .dataset()
                    .and_then(|d| d.tracks.iter().find(|t| t.id == track))
                    .and_then(|t| t.box_at(frame))
                    .is_some_and(|b| b.occluded);
                let keyframe = annotate::Keyframe { frame, bbox, outside: false, occluded };
                self.edit(Edit::SetKeyframe { track, keyframe });
            }
        }
    }

    pub(super) fn selection_action(&mut self, action: SelectionAction) {
        let (Some(LabelRef::Track(track_id)), Some(frame)) = (self.selected.clone(), self.current_frame())
        else {
            return;
        };
        let Some(track) = self.dataset().and_then(|d| d.tracks.iter().find(|t| t.id == track_id)).cloned()
        else {
            return;
        };
        let here = track.box_at(frame);
        let keyframe_here = |outside: bool, occluded: bool| {
            here.map(|b| annotate::Keyframe { frame, bbox: b.bbox, outside, occluded })
        };
        let edit = match action {
            SelectionAction::Seek(f) => {
                self.commands.push(PlaybackCommand::SeekFrame(f));
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
                let taken = |id: &str| self.dataset().is_some_and(|d| d.tracks.iter().any(|t| t.id == id));
                let new_id = (2..).map(|n| format!("{track_id}-{n}")).find(|id| !taken(id));
                new_id.map(|new_id| Edit::SplitTrack { track: track_id, frame, new_id })
            }
            SelectionAction::MergeInto(into) => {
                self.selected = Some(LabelRef::Track(into.clone()));
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
                self.selected = None;
                Some(Edit::RemoveTrack { id: track_id })
            }
        };
        if let Some(edit) = edit {
            self.edit(edit);
        }
    }

    pub(super) fn segment_action(&mut self, action: SegmentAction) {
        let Some(LabelRef::Segment(id)) = self.selected.clone() else { return };
        let Some(segment) = self.dataset().and_then(|d| d.segment(&id)).cloned() else { return };
        let now = self.current_frame().and_then(|f| self.time_of(f)).unwrap_or(0.0);
        let edit = match action {
            SegmentAction::SetLabel(label) => Edit::SetSegmentLabel { id, label },
            SegmentAction::StartHere => Edit::SetSegmentSpan { id, start_s: now, end_s: segment.end_s },
            SegmentAction::EndHere => Edit::SetSegmentSpan { id, start_s: segment.start_s, end_s: now },
            SegmentAction::Seek(t) => {
                self.commands.push(PlaybackCommand::SeekTime(t));
                return;
            }
            SegmentAction::SetReview(review) => Edit::SetReview { label: LabelRef::Segment(id), review },
            SegmentAction::Delete => {
                self.selected = None;
                Edit::RemoveSegment { id }
            }
        };
        self.edit(edit);
    }

    pub(super) fn lane_action(&mut self, action: LaneAction) {
        match action {
            LaneAction::Select(id) => self.selected = id.map(LabelRef::Segment),
            LaneAction::Create { label, start_s, end_s } => self.new_segment(label, start_s, end_s),
            LaneAction::SetSpan { id, start_s, end_s } => {
                self.selected = Some(LabelRef::Segment(id.clone()));
                self.edit(Edit::SetSegmentSpan { id, start_s, end_s });
            }
        }
    }

    /// Add a segment on the video on screen and select it.
    pub(super) fn new_segment(&mut self, label: String, start_s: f64, end_s: f64) {
        let Some(d) = &self.dataset else { return };
        let Some(video) = d.video_id.clone() else { return };
        let id = d.document.dataset().fresh_id("seg");
        let index = d.document.dataset().segments.len();
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
        self.selected = Some(LabelRef::Segment(id));
    }

    /// Select a label and bring it on screen.
    pub(super) fn pick(&mut self, label: LabelRef, jump: Option<Jump>) {
        match jump {
            Some(Jump::Frame(f)) => {
                // A track already in view stays where it is.
                let visible = match (&label, self.dataset(), self.current_frame()) {
                    (LabelRef::Track(id), Some(d), Some(now)) => {
                        d.track(id).and_then(|t| t.box_at(now)).is_some()
                    }
                    _ => false,
                };
                if !visible {
                    self.commands.push(PlaybackCommand::SeekFrame(f));
                }
            }
            Some(Jump::Time(t)) => self.commands.push(PlaybackCommand::SeekTime(t)),
            None => {}
        }
        match label {
            LabelRef::Question(id) => {
                self.question = Some(id);
                self.left_tab = super::LeftTab::Questions;
            }
            other => self.selected = Some(other),
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

    pub(super) fn question_action(&mut self, action: QuestionAction) {
        let frame = self.current_frame().unwrap_or(0);
        let now = self.time_of(frame).unwrap_or(0.0);
        let open = self.question.as_deref().and_then(|id| self.dataset()?.question(id)).cloned();
        let edit = match (action, open) {
            (QuestionAction::Open(id), _) => {
                self.question = Some(id);
                return;
            }
            (QuestionAction::New, _) => {
                let Some(d) = &self.dataset else { return };
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
                self.question = Some(id);
                Edit::InsertQuestion { index: d.document.dataset().questions.len(), question }
            }
            (QuestionAction::Set(question), _) => Edit::SetQuestion { question },
            (QuestionAction::Delete(id), _) => {
                self.question = None;
                Edit::RemoveQuestion { id }
            }
            (QuestionAction::Seek(t), _) => {
                self.commands.push(PlaybackCommand::SeekTime(t));
                return;
            }
            (_, None) => {
                self.notices.push("Open a question first (Questions tab).".to_owned());
                return;
            }
            (QuestionAction::LinkSelection, Some(mut q)) => {
                let marks = self.video.as_ref().map_or((None, None), |v| v.marks);
                let evidence = match (&self.selected, marks) {
                    (Some(LabelRef::Track(id)), _) => Evidence::Track { id: id.clone() },
                    (Some(LabelRef::Segment(id)), _) => Evidence::Segment { id: id.clone() },
                    (_, (Some(i), Some(o))) if i < o => Evidence::Span {
                        start_s: self.time_of(i).unwrap_or(0.0),
                        end_s: self.time_of(o).unwrap_or(0.0),
                    },
                    _ => {
                        self.notices
                            .push("Nothing to link: select a track or segment, or mark I and O.".into());
                        return;
                    }
                };
                q.evidence.push(evidence);
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::LinkBox, Some(mut q)) => {
                let Some(bbox) = self.selected_box(frame) else {
                    self.notices.push("Select a track with a box on this frame to link its box.".into());
                    return;
                };
                q.evidence.push(Evidence::Box { time_s: now, bbox });
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::LinkTime, Some(mut q)) => {
                q.evidence.push(Evidence::Time { time_s: now });
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::AddStep(kind), Some(mut q)) => {
                q.rationale.push(questions::new_step(kind));
                self.drafts.step = Some(q.rationale.len() - 1);
                Edit::SetQuestion { question: q }
            }
            (QuestionAction::Ground(i), Some(mut q)) => {
                let bbox = self.selected_box(frame);
                let Some(step) = q.rationale.get_mut(i) else { return };
                step.time_s = Some(now);
                step.bbox = bbox;
                Edit::SetQuestion { question: q }
            }
        };
        self.edit(edit);
    }

    /// The selected track's box on `frame`, if it is in view there.
    fn selected_box(&self, frame: u64) -> Option<annotate::BBox> {
        let Some(LabelRef::Track(id)) = &self.selected else { return None };
        Some(self.dataset()?.track(id)?.box_at(frame)?.bbox)
    }

    /// Review mode on (at the first unreviewed label) or off.
    pub(super) fn toggle_review(&mut self) {
        if self.review.take().is_some() {
            return;
        }
        let Some(video) = self.dataset.as_ref().and_then(|d| d.video_id.clone()) else { return };
        let first = self.dataset().and_then(|d| d.next_unreviewed(&video, None));
        self.review_go(first);
    }

    fn review_go(&mut self, label: Option<LabelRef>) {
        if let Some(label) = &label {
            let jump = self.jump_to(label);
            self.pick(label.clone(), jump);
        }
        self.review = Some(label);
    }

    pub(super) fn review_action(&mut self, action: ReviewAction) {
        let Some(video) = self.dataset.as_ref().and_then(|d| d.video_id.clone()) else { return };
        let current = self.under_review().cloned();
        match action {
            ReviewAction::Exit => self.review = None,
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
                self.review = None;
            }
        }
    }

    pub(super) fn dataset_action(&mut self, action: DatasetAction) {
        match action {
            DatasetAction::OpenFile(path) => self.loader.open(path),
            DatasetAction::ShowVideo(id) => {
                let Some(d) = &self.dataset else { return };
                let Some(video) = d.document.dataset().video(&id) else { return };
                let dir = d.document.path().parent().map(std::path::Path::to_path_buf).unwrap_or_default();
                self.switching_video = Some(id);
                self.loader.open(dir.join(&video.path));
            }
        }
    }
}
