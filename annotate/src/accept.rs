//! A person's verdict on a piece of a model run's evidence, made into edits:
//! accepting (or accepting to edit) makes a label with the model as its source,
//! rejecting records it; the verdict goes into the run in the same batch, so one undo
//! takes both back.

use crate::dataset::{Dataset, Review};
use crate::edit::{Edit, EditError, LabelRef};
use crate::geometry::BBox;
use crate::labels::{Ids, category_named};
use crate::run::{EvidenceItem, Verdict};
use crate::time::FrameTimes;

/// What a person decided about a piece of evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Accept,
    /// Accept, then correct the new label by hand.
    Edit,
    Reject,
}

impl Decision {
    pub fn review(self) -> Review {
        match self {
            Decision::Accept => Review::Accepted,
            Decision::Edit => Review::Edited,
            Decision::Reject => Review::Rejected,
        }
    }
}

/// The edits of a decision (one [`Edit::Batch`]) and the label it made.
#[derive(Clone, Debug, PartialEq)]
pub struct Decided {
    pub edit: Edit,
    pub label: Option<LabelRef>,
}

/// Colour of the categories that accepting evidence creates.
const MODEL_CATEGORY: [u8; 3] = [255, 64, 200];

/// Decide on `item` of run `run`. A box is placed on the frame showing at the time the
/// model gave (through `times`, the video's frames), or on `frame_now` when it gave
/// none; a new object name gets a category of its own.
pub fn decide(
    data: &Dataset,
    run: &str,
    item: EvidenceItem,
    decision: Decision,
    times: &dyn FrameTimes,
    frame_now: u64,
) -> Result<Decided, EditError> {
    let not_found = |kind: &'static str, id: String| EditError::NotFound { kind, id };
    let r = data.run(run).ok_or_else(|| not_found("model run", run.to_owned()))?;
    let review = decision.review();
    let mut edits = Vec::new();
    let label = if decision == Decision::Reject {
        None
    } else {
        let mut ids = Ids::of(data);
        let missing = || not_found("piece of evidence", format!("{item:?} of run {run}"));
        let category = |name: &str, edits: &mut Vec<Edit>| {
            let (id, new) = category_named(data, name, Some(MODEL_CATEGORY));
            edits.extend(new);
            id
        };
        let (label, edit) = match &item {
            EvidenceItem::Box { index } => {
                let b = r.prediction.boxes.get(*index).ok_or_else(missing)?;
                let frame = b.time_s.map_or(frame_now, |t| times.frame_at_time(t));
                let category = category(b.label.as_deref().unwrap_or(""), &mut edits);
                let mut track = r.track_of(&[(frame, b.bbox)], ids.next("track"), category);
                track.review = review;
                (LabelRef::Track(track.id.clone()), Edit::InsertTrack { index: data.tracks.len(), track })
            }
            EvidenceItem::Track { label } => {
                let boxes: Vec<(u64, BBox)> = r
                    .boxes_of(label)
                    .iter()
                    .filter_map(|b| Some((times.frame_at_time(b.time_s?), b.bbox)))
                    .collect();
                if boxes.is_empty() {
                    return Err(missing());
                }
                let category = category(label, &mut edits);
                let mut track = r.track_of(&boxes, ids.next("track"), category);
                track.review = review;
                (LabelRef::Track(track.id.clone()), Edit::InsertTrack { index: data.tracks.len(), track })
            }
            EvidenceItem::Span { index } => {
                let mut segment = r.segment_of(*index, ids.next("seg")).ok_or_else(missing)?;
                segment.review = review;
                (
                    LabelRef::Segment(segment.id.clone()),
                    Edit::InsertSegment { index: data.segments.len(), segment },
                )
            }
            EvidenceItem::Answer => {
                let mut question = r.question_of(ids.next("q")).ok_or_else(missing)?;
                question.review = review;
                let index = data.questions.len();
                (LabelRef::Question(question.id.clone()), Edit::InsertQuestion { index, question })
            }
        };
        edits.push(edit);
        Some(label)
    };
    let verdicts = r.with_verdict(Verdict { item, review, label: label.clone() });
    edits.push(Edit::SetVerdicts { run: run.to_owned(), verdicts });
    Ok(Decided { edit: Edit::Batch { edits }, label })
}
