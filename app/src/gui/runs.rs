//! Model runs in the app: polling the model each frame, the model panel's and the
//! trace's actions, and a verdict on a piece of evidence turned into edits: accepting
//! makes a label with the model as its source, rejecting records it; both are undone
//! together with the verdict.

use annotate::{Category, Edit, EvidenceItem, LabelRef, Review, Verdict};
use viewer::PlaybackCommand;

use super::VidenceApp;
use super::ask_panel::AskAction;
use super::asker::Outcome;
use super::trace::{Decision, TraceAction};

impl VidenceApp {
    pub(super) fn poll_model(&mut self, ctx: &egui::Context) {
        let dataset = &self.dataset;
        let next_id =
            || dataset.as_ref().map_or_else(|| "run-1".to_owned(), |d| d.document.dataset().fresh_id("run"));
        match self.asker.poll(next_id) {
            Some(Outcome::Finished(run)) => {
                let id = run.id.clone();
                let index = self.dataset().map_or(0, |d| d.predictions.len());
                self.edit(Edit::InsertRun { index, run });
                self.show_run(Some(id));
            }
            Some(Outcome::Cancelled) => self.notices.push("The model run was cancelled.".into()),
            Some(Outcome::Failed(e)) => self.notices.push(format!("The model run failed: {e}")),
            None => {}
        }
        // The worker cannot wake the GUI: look again soon while it works.
        if self.asker.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    fn show_run(&mut self, id: Option<String>) {
        self.shown_run = id;
        self.highlight = None;
        self.selected = None;
    }

    pub(super) fn ask_action(&mut self, action: AskAction) {
        match action {
            AskAction::Load => self.asker.load(),
            AskAction::Run => {
                let (Some(video), Some(id)) =
                    (&self.video, self.dataset.as_ref().and_then(|d| d.video_id.clone()))
                else {
                    return;
                };
                let mut request = self.asker.request.clone();
                if request.task == crate::ask::TaskKind::Region {
                    // A region question asks about the selected box, on this frame.
                    let frame = video.current_frame();
                    let at = video.server.index().time_of(frame);
                    let bbox = self
                        .selected_track()
                        .and_then(|t| self.dataset()?.track(t)?.box_at(frame))
                        .map(|b| b.bbox.0.map(f64::from));
                    let Some(bbox) = bbox else {
                        self.notices.push("Select a box to ask about its region.".into());
                        return;
                    };
                    request.region = Some((bbox, at));
                }
                // With no range given, the clip is the timeline selection (the I-O marks).
                if let (None, None, (Some(i), Some(o))) = (request.from_s, request.to_s, video.marks) {
                    let index = video.server.index();
                    (request.from_s, request.to_s) =
                        (Some(index.time_of(i.min(o))), Some(index.time_of(i.max(o))));
                }
                let path = std::path::PathBuf::from(&video.server.info().path);
                if let Err(e) = self.asker.run(request, &path, id) {
                    self.notices.push(e);
                }
            }
            AskAction::Cancel => self.asker.cancel(),
            AskAction::ReadPasted => {
                let Some(d) = &self.dataset else { return };
                let data = d.document.dataset();
                let Some(video) = d.video_id.as_deref().and_then(|id| data.video(id)) else { return };
                let run = self.asker.pasted_run(data.fresh_id("run"), video);
                let (id, index) = (run.id.clone(), data.predictions.len());
                self.edit(Edit::InsertRun { index, run: Box::new(run) });
                self.show_run(Some(id));
            }
            AskAction::Show(id) => self.show_run(id),
            AskAction::DeleteRun(id) => {
                if self.shown_run.as_ref() == Some(&id) {
                    self.show_run(None);
                }
                self.edit(Edit::RemoveRun { id });
            }
        }
    }

    pub(super) fn trace_action(&mut self, action: TraceAction) {
        match action {
            TraceAction::Seek(t) => self.commands.push(PlaybackCommand::SeekTime(t)),
            TraceAction::Highlight { index, time_s } => {
                self.highlight = Some(index);
                if let Some(t) = time_s {
                    self.commands.push(PlaybackCommand::SeekTime(t));
                }
            }
            TraceAction::Decide { item, decision } => self.decide(item, decision),
        }
    }

    /// Accept (make a label), edit (accept, then select it) or reject a piece of the
    /// shown run's evidence, recording the verdict in the run.
    fn decide(&mut self, item: EvidenceItem, decision: Decision) {
        let Some(d) = &self.dataset else { return };
        let data = d.document.dataset();
        let Some(run) = self.shown_run.as_deref().and_then(|id| data.run(id)) else { return };
        let Some(video) = &self.video else { return };
        let index = video.server.index();
        let review = match decision {
            Decision::Accept => Review::Accepted,
            Decision::Edit => Review::Edited,
            Decision::Reject => Review::Rejected,
        };
        let mut edits = Vec::new();
        let label = if decision == Decision::Reject {
            None
        } else {
            // Boxes are placed on the frame showing at the time the model gave.
            let frame_of = |t: f64| index.frame_at_time(t);
            let category_of = |name: &str, edits: &mut Vec<Edit>| {
                let name = if name.is_empty() { "object" } else { name };
                if let Some(c) = data.categories.iter().find(|c| c.name.eq_ignore_ascii_case(name)) {
                    return c.id.clone();
                }
                let id = name.to_lowercase().replace(' ', "-");
                edits.push(Edit::InsertCategory {
                    index: data.categories.len(),
                    category: Category { id: id.clone(), name: name.to_owned(), color: Some([255, 64, 200]) },
                });
                id
            };
            let made = match &item {
                EvidenceItem::Box { index: i } => run.prediction.boxes.get(*i).map(|b| {
                    let frame = b.time_s.map_or(video.current_frame(), frame_of);
                    let category = category_of(b.label.as_deref().unwrap_or(""), &mut edits);
                    let mut track = run.track_of(&[(frame, b.bbox)], data.fresh_id("track"), category);
                    track.review = review;
                    (LabelRef::Track(track.id.clone()), Edit::InsertTrack { index: data.tracks.len(), track })
                }),
                EvidenceItem::Track { label } => {
                    let boxes: Vec<(u64, annotate::BBox)> = run
                        .boxes_of(label)
                        .iter()
                        .filter_map(|b| Some((frame_of(b.time_s?), b.bbox)))
                        .collect();
                    let category = category_of(label, &mut edits);
                    let mut track = run.track_of(&boxes, data.fresh_id("track"), category);
                    track.review = review;
                    Some((
                        LabelRef::Track(track.id.clone()),
                        Edit::InsertTrack { index: data.tracks.len(), track },
                    ))
                }
                EvidenceItem::Span { index: i } => {
                    run.segment_of(*i, data.fresh_id("seg")).map(|mut segment| {
                        segment.review = review;
                        (
                            LabelRef::Segment(segment.id.clone()),
                            Edit::InsertSegment { index: data.segments.len(), segment },
                        )
                    })
                }
                EvidenceItem::Answer => run.question_of(data.fresh_id("q")).map(|mut question| {
                    question.review = review;
                    (
                        LabelRef::Question(question.id.clone()),
                        Edit::InsertQuestion { index: data.questions.len(), question },
                    )
                }),
            };
            let Some((label, edit)) = made else { return };
            edits.push(edit);
            Some(label)
        };
        let verdicts = run.with_verdict(Verdict { item, review, label: label.clone() });
        edits.push(Edit::SetVerdicts { run: run.id.clone(), verdicts });
        self.edit(Edit::Batch { edits });
        if decision == Decision::Edit {
            match label {
                Some(LabelRef::Question(q)) => {
                    self.question = Some(q);
                    self.left_tab = super::LeftTab::Questions;
                }
                other => self.selected = other,
            }
        }
    }
}
