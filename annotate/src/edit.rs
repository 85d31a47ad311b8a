//! Every change to a dataset is an [`Edit`] value. Applying one returns its inverse,
//! so undo, redo, the autosave journal, tests and logs all speak the same language.

use serde::{Deserialize, Serialize};

use crate::dataset::{
    Category, Dataset, Interpolation, Keyframe, Keyframes, Question, Review, Segment, Track, Video,
};
use crate::run::{Judgement, ModelRun, Verdict};

/// A label that carries a review state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum LabelRef {
    Track(String),
    Segment(String),
    Question(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "edit", rename_all = "snake_case")]
pub enum Edit {
    /// Insert at `index` (clamped to the list's length).
    InsertTrack {
        index: usize,
        track: Track,
    },
    RemoveTrack {
        id: String,
    },
    InsertSegment {
        index: usize,
        segment: Segment,
    },
    RemoveSegment {
        id: String,
    },
    InsertQuestion {
        index: usize,
        question: Question,
    },
    RemoveQuestion {
        id: String,
    },
    InsertCategory {
        index: usize,
        category: Category,
    },
    RemoveCategory {
        id: String,
    },
    InsertVideo {
        index: usize,
        video: Video,
    },
    /// Remove a video that no label, question or run refers to.
    RemoveVideo {
        id: String,
    },
    /// Point a video's record at another file (a moved video, relinked).
    SetVideoPath {
        id: String,
        path: String,
    },
    InsertRun {
        index: usize,
        run: Box<ModelRun>,
    },
    RemoveRun {
        id: String,
    },
    /// Replace a model run's verdicts.
    SetVerdicts {
        run: String,
        verdicts: Vec<Verdict>,
    },
    /// Replace a model run's judges' scores.
    SetJudgements {
        run: String,
        judgements: Vec<Judgement>,
    },
    /// Add a keyframe, or replace the one on the same frame (move, resize, flags).
    SetKeyframe {
        track: String,
        keyframe: Keyframe,
    },
    DeleteKeyframe {
        track: String,
        frame: u64,
    },
    /// Replace all of a track's keyframes.
    SetKeyframes {
        track: String,
        keyframes: Keyframes,
    },
    /// Replace a track's keyframes as a repair: the new ones in order, the old ones
    /// (as the file had them, perhaps out of order) its undo.
    RepairKeyframes {
        track: String,
        keyframes: Keyframes,
    },
    /// Keyframes from `frame` on move to a new track `new_id`.
    SplitTrack {
        track: String,
        frame: u64,
        new_id: String,
    },
    /// `from`'s keyframes join `into` (where both have a frame, `into`'s stays) and
    /// `from` is removed.
    MergeTracks {
        into: String,
        from: String,
    },
    /// Delete the track's keyframes from `frame` on, marking it outside there.
    DeleteTrackFrom {
        track: String,
        frame: u64,
    },
    SetInterpolation {
        track: String,
        interpolation: Interpolation,
    },
    SetTrackCategory {
        track: String,
        category: String,
    },
    SetSegmentSpan {
        id: String,
        start_s: f64,
        end_s: f64,
    },
    SetSegmentLabel {
        id: String,
        label: String,
    },
    /// Replace a question (text, options, answer, evidence, rationale) by id.
    SetQuestion {
        question: Question,
    },
    SetReview {
        label: LabelRef,
        review: Review,
    },
    /// Several edits as one step: all apply or none does.
    Batch {
        edits: Vec<Edit>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("no {kind} with id {id:?}")]
    NotFound { kind: &'static str, id: String },
    #[error("a {kind} with id {id:?} already exists")]
    DuplicateId { kind: &'static str, id: String },
    #[error("track {track:?} has no keyframe on frame {frame}")]
    NoKeyframe { track: String, frame: u64 },
    #[error("{0}")]
    Invalid(String),
}

fn position<T>(
    list: &[T],
    kind: &'static str,
    id: &str,
    get: impl Fn(&T) -> &str,
) -> Result<usize, EditError> {
    list.iter().position(|x| get(x) == id).ok_or_else(|| EditError::NotFound { kind, id: id.to_owned() })
}

fn insert<T>(
    list: &mut Vec<T>,
    kind: &'static str,
    index: usize,
    item: T,
    get: impl Fn(&T) -> &str,
) -> Result<String, EditError> {
    let id = get(&item).to_owned();
    if list.iter().any(|x| get(x) == id) {
        return Err(EditError::DuplicateId { kind, id });
    }
    list.insert(index.min(list.len()), item);
    Ok(id)
}

fn track_mut<'a>(d: &'a mut Dataset, id: &str) -> Result<&'a mut Track, EditError> {
    let i = position(&d.tracks, "track", id, |t| &t.id)?;
    Ok(&mut d.tracks[i])
}

fn segment_mut<'a>(d: &'a mut Dataset, id: &str) -> Result<&'a mut Segment, EditError> {
    let i = position(&d.segments, "segment", id, |s| &s.id)?;
    Ok(&mut d.segments[i])
}

impl Edit {
    /// The model runs this edit adds (a batch's included).
    pub fn runs(&self) -> Vec<&ModelRun> {
        match self {
            Edit::InsertRun { run, .. } => vec![run.as_ref()],
            Edit::Batch { edits } => edits.iter().flat_map(Edit::runs).collect(),
            _ => Vec::new(),
        }
    }

    /// Apply to `dataset` and return the edit that undoes it. On error the dataset is
    /// unchanged.
    pub fn apply(&self, d: &mut Dataset) -> Result<Edit, EditError> {
        Ok(match self {
            Edit::InsertTrack { index, track } => {
                Edit::RemoveTrack { id: insert(&mut d.tracks, "track", *index, track.clone(), |t| &t.id)? }
            }
            Edit::RemoveTrack { id } => {
                let index = position(&d.tracks, "track", id, |t| &t.id)?;
                Edit::InsertTrack { index, track: d.tracks.remove(index) }
            }
            Edit::InsertSegment { index, segment } => Edit::RemoveSegment {
                id: insert(&mut d.segments, "segment", *index, segment.clone(), |s| &s.id)?,
            },
            Edit::RemoveSegment { id } => {
                let index = position(&d.segments, "segment", id, |s| &s.id)?;
                Edit::InsertSegment { index, segment: d.segments.remove(index) }
            }
            Edit::InsertQuestion { index, question } => Edit::RemoveQuestion {
                id: insert(&mut d.questions, "question", *index, question.clone(), |q| &q.id)?,
            },
            Edit::RemoveQuestion { id } => {
                let index = position(&d.questions, "question", id, |q| &q.id)?;
                Edit::InsertQuestion { index, question: d.questions.remove(index) }
            }
            Edit::InsertCategory { index, category } => Edit::RemoveCategory {
                id: insert(&mut d.categories, "category", *index, category.clone(), |c| &c.id)?,
            },
            Edit::RemoveCategory { id } => {
                let index = position(&d.categories, "category", id, |c| &c.id)?;
                Edit::InsertCategory { index, category: d.categories.remove(index) }
            }
            Edit::InsertVideo { index, video } => {
                Edit::RemoveVideo { id: insert(&mut d.videos, "video", *index, video.clone(), |v| &v.id)? }
            }
            Edit::RemoveVideo { id } => {
                let index = position(&d.videos, "video", id, |v| &v.id)?;
                let used = d.tracks.iter().any(|t| &t.video == id)
                    || d.segments.iter().any(|s| &s.video == id)
                    || d.questions.iter().any(|q| &q.video == id)
                    || d.runs.iter().any(|r| &r.video == id);
                if used {
                    return Err(EditError::Invalid(format!("video {id:?} has labels: remove them first")));
                }
                Edit::InsertVideo { index, video: d.videos.remove(index) }
            }
            Edit::SetVideoPath { id, path } => {
                let index = position(&d.videos, "video", id, |v| &v.id)?;
                Edit::SetVideoPath {
                    id: id.clone(),
                    path: std::mem::replace(&mut d.videos[index].path, path.clone()),
                }
            }
            Edit::InsertRun { index, run } => {
                Edit::RemoveRun { id: insert(&mut d.runs, "model run", *index, (**run).clone(), |r| &r.id)? }
            }
            Edit::RemoveRun { id } => {
                let index = position(&d.runs, "model run", id, |r| &r.id)?;
                Edit::InsertRun { index, run: Box::new(d.runs.remove(index)) }
            }
            Edit::SetVerdicts { run, verdicts } => {
                let i = position(&d.runs, "model run", run, |r| &r.id)?;
                Edit::SetVerdicts {
                    run: run.clone(),
                    verdicts: std::mem::replace(&mut d.runs[i].verdicts, verdicts.clone()),
                }
            }
            Edit::SetJudgements { run, judgements } => {
                let i = position(&d.runs, "model run", run, |r| &r.id)?;
                Edit::SetJudgements {
                    run: run.clone(),
                    judgements: std::mem::replace(&mut d.runs[i].judgements, judgements.clone()),
                }
            }
            Edit::SetKeyframe { track, keyframe } => {
                let t = track_mut(d, track)?;
                match t.keyframes.binary_search_by_key(&keyframe.frame, |k| k.frame) {
                    Ok(i) => Edit::SetKeyframe {
                        track: track.clone(),
                        keyframe: std::mem::replace(&mut t.keyframes[i], keyframe.clone()),
                    },
                    Err(i) => {
                        t.keyframes.insert(i, keyframe.clone());
                        Edit::DeleteKeyframe { track: track.clone(), frame: keyframe.frame }
                    }
                }
            }
            Edit::DeleteKeyframe { track, frame } => {
                let t = track_mut(d, track)?;
                let i = t
                    .keyframes
                    .binary_search_by_key(frame, |k| k.frame)
                    .map_err(|_| EditError::NoKeyframe { track: track.clone(), frame: *frame })?;
                Edit::SetKeyframe { track: track.clone(), keyframe: t.keyframes.remove(i) }
            }
            Edit::SetKeyframes { track, keyframes } => {
                if keyframes.windows(2).any(|w| w[0].frame >= w[1].frame) {
                    return Err(EditError::Invalid("keyframes must be in frame order, one per frame".into()));
                }
                let t = track_mut(d, track)?;
                Edit::SetKeyframes {
                    track: track.clone(),
                    keyframes: std::mem::replace(&mut t.keyframes, keyframes.clone()),
                }
            }
            Edit::RepairKeyframes { track, keyframes } => {
                let t = track_mut(d, track)?;
                Edit::RepairKeyframes {
                    track: track.clone(),
                    keyframes: std::mem::replace(&mut t.keyframes, keyframes.clone()),
                }
            }
            Edit::SplitTrack { track, frame, new_id } => {
                if d.tracks.iter().any(|t| &t.id == new_id) {
                    return Err(EditError::DuplicateId { kind: "track", id: new_id.clone() });
                }
                let index = position(&d.tracks, "track", track, |t| &t.id)?;
                let original = d.tracks[index].keyframes.clone();
                let at = original.partition_point(|k| k.frame < *frame);
                if at == 0 || at == original.len() {
                    return Err(EditError::Invalid(format!(
                        "track {track:?} has keyframes on only one side of frame {frame}"
                    )));
                }
                let mut tail = d.tracks[index].clone();
                tail.id.clone_from(new_id);
                tail.keyframes = d.tracks[index].keyframes.split_off(at).into();
                d.tracks.insert(index + 1, tail);
                Edit::Batch {
                    edits: vec![
                        Edit::RemoveTrack { id: new_id.clone() },
                        Edit::SetKeyframes { track: track.clone(), keyframes: original },
                    ],
                }
            }
            Edit::MergeTracks { into, from } => {
                if into == from {
                    return Err(EditError::Invalid("a track cannot be merged into itself".into()));
                }
                let from_index = position(&d.tracks, "track", from, |t| &t.id)?;
                let into_index = position(&d.tracks, "track", into, |t| &t.id)?;
                let original = d.tracks[into_index].keyframes.clone();
                let removed = d.tracks.remove(from_index);
                let target = track_mut(d, into)?;
                for k in removed.keyframes.iter() {
                    if let Err(i) = target.keyframes.binary_search_by_key(&k.frame, |x| x.frame) {
                        target.keyframes.insert(i, k.clone());
                    }
                }
                Edit::Batch {
                    edits: vec![
                        Edit::SetKeyframes { track: into.clone(), keyframes: original },
                        Edit::InsertTrack { index: from_index, track: removed },
                    ],
                }
            }
            Edit::DeleteTrackFrom { track, frame } => {
                let t = track_mut(d, track)?;
                let original = t.keyframes.clone();
                let at = t.keyframes.partition_point(|k| k.frame < *frame);
                t.keyframes.truncate(at);
                // The object leaves here; before it, nothing changes.
                if let Some(last) = t.keyframes.last().cloned().filter(|k| !k.outside) {
                    t.keyframes.push(Keyframe {
                        frame: *frame,
                        bbox: last.bbox,
                        outside: true,
                        occluded: false,
                    });
                }
                Edit::SetKeyframes { track: track.clone(), keyframes: original }
            }
            Edit::SetInterpolation { track, interpolation } => {
                let t = track_mut(d, track)?;
                Edit::SetInterpolation {
                    track: track.clone(),
                    interpolation: std::mem::replace(&mut t.interpolation, *interpolation),
                }
            }
            Edit::SetTrackCategory { track, category } => {
                if d.category(category).is_none() {
                    return Err(EditError::NotFound { kind: "category", id: category.clone() });
                }
                let t = track_mut(d, track)?;
                Edit::SetTrackCategory {
                    track: track.clone(),
                    category: std::mem::replace(&mut t.category, category.clone()),
                }
            }
            Edit::SetSegmentSpan { id, start_s, end_s } => {
                if !(start_s.is_finite() && end_s.is_finite() && start_s <= end_s) {
                    return Err(EditError::Invalid(format!(
                        "span {start_s} to {end_s} s is not a forward time span"
                    )));
                }
                let s = segment_mut(d, id)?;
                let old = Edit::SetSegmentSpan { id: id.clone(), start_s: s.start_s, end_s: s.end_s };
                (s.start_s, s.end_s) = (*start_s, *end_s);
                old
            }
            Edit::SetSegmentLabel { id, label } => {
                let s = segment_mut(d, id)?;
                Edit::SetSegmentLabel {
                    id: id.clone(),
                    label: std::mem::replace(&mut s.label, label.clone()),
                }
            }
            Edit::SetQuestion { question } => {
                let i = position(&d.questions, "question", &question.id, |q| &q.id)?;
                Edit::SetQuestion { question: std::mem::replace(&mut d.questions[i], question.clone()) }
            }
            Edit::SetReview { label, review } => {
                let slot = match label {
                    LabelRef::Track(id) => &mut track_mut(d, id)?.review,
                    LabelRef::Segment(id) => &mut segment_mut(d, id)?.review,
                    LabelRef::Question(id) => {
                        let i = position(&d.questions, "question", id, |q| &q.id)?;
                        &mut d.questions[i].review
                    }
                };
                Edit::SetReview { label: label.clone(), review: std::mem::replace(slot, *review) }
            }
            Edit::Batch { edits } => {
                let mut inverses = Vec::with_capacity(edits.len());
                for edit in edits {
                    match edit.apply(d) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(e) => {
                            // Roll back what this batch already did.
                            for inverse in inverses.iter().rev() {
                                let _ = inverse.apply(d);
                            }
                            return Err(e);
                        }
                    }
                }
                inverses.reverse();
                Edit::Batch { edits: inverses }
            }
        })
    }
}

/// Unlimited, exact undo and redo over a dataset.
#[derive(Debug, Default)]
pub struct History {
    /// (edit, its inverse), oldest first.
    done: Vec<(Edit, Edit)>,
    undone: Vec<(Edit, Edit)>,
}

impl History {
    /// Apply `edit`, remember it, and forget anything that was undone.
    pub fn apply(&mut self, d: &mut Dataset, edit: Edit) -> Result<(), EditError> {
        let inverse = edit.apply(d)?;
        self.done.push((edit, inverse));
        self.undone.clear();
        Ok(())
    }

    /// Undo the last edit; returns the edit that was applied to do so (for the journal).
    pub fn undo(&mut self, d: &mut Dataset) -> Option<Edit> {
        let (edit, inverse) = self.done.pop()?;
        match inverse.apply(d) {
            Ok(_) => {
                self.undone.push((edit, inverse.clone()));
                Some(inverse)
            }
            Err(_) => {
                // Only possible if the dataset was changed behind the history's back.
                self.done.push((edit, inverse));
                None
            }
        }
    }

    /// Redo the last undone edit; returns the edit applied.
    pub fn redo(&mut self, d: &mut Dataset) -> Option<Edit> {
        let (edit, inverse) = self.undone.pop()?;
        match edit.apply(d) {
            Ok(_) => {
                self.done.push((edit.clone(), inverse));
                Some(edit)
            }
            Err(_) => {
                self.undone.push((edit, inverse));
                None
            }
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    /// Apply an edit read back from a journal: one that is the history's own undo or
    /// redo (the journal writes those as plain edits) undoes or redoes, so the history
    /// comes back as it was; any other is applied as a new edit.
    pub fn replay(&mut self, d: &mut Dataset, edit: Edit) -> Result<(), EditError> {
        if self.done.last().is_some_and(|(_, inverse)| *inverse == edit) && self.undo(d).is_some() {
            return Ok(());
        }
        if self.undone.last().is_some_and(|(redo, _)| *redo == edit) && self.redo(d).is_some() {
            return Ok(());
        }
        self.apply(d, edit)
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }
}
