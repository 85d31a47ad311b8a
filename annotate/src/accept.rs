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
    /// The model's name for the object when no category has it: the box went under
    /// [`MODEL_LABELS`] (the name stays in the run, linked by the verdict).
    pub unmatched: Option<String>,
}

/// The one category that boxes go under when the model's name for them is no
/// category's name: the list of categories stays the dataset's, not the model's.
pub const MODEL_LABELS: &str = "model labels";

/// Colour of the category that accepting evidence creates.
const MODEL_CATEGORY: [u8; 3] = [255, 64, 200];

/// The category of a box the model named `name`: the category of that name (ignoring
/// case), else [`MODEL_LABELS`]; whether it matched none.
fn model_category(data: &Dataset, name: &str, edits: &mut Vec<Edit>) -> (String, bool) {
    let name = name.trim();
    if let Some(c) = data.categories.iter().find(|c| !name.is_empty() && c.name.eq_ignore_ascii_case(name)) {
        return (c.id.clone(), false);
    }
    let (id, new) = category_named(data, MODEL_LABELS, Some(MODEL_CATEGORY));
    edits.extend(new);
    (id, true)
}

/// Decide on `item` of run `run`. A box is placed on the frame showing at the time the
/// model gave (through `times`, the video's frames), or on `frame_now` when it gave
/// none; it goes under the category of the model's name for it, else under
/// [`MODEL_LABELS`].
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
    let mut unmatched = None;
    let label = if decision == Decision::Reject {
        None
    } else {
        let mut ids = Ids::of(data);
        let missing = || not_found("piece of evidence", format!("{item:?} of run {run}"));
        let mut category = |name: &str, edits: &mut Vec<Edit>| {
            let (id, unmatched_name) = model_category(data, name, edits);
            if unmatched_name {
                unmatched = Some(name.trim().to_owned());
            }
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
    Ok(Decided { edit: Edit::Batch { edits }, label, unmatched })
}
