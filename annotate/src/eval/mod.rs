//! A model's runs scored against the labels as the benchmarks' reference code scores
//! them, item by item with the aggregates beside, so a view can sort and filter.
//!
//! An item is a question and a run of the model that answers it; a question the model
//! did not answer is an item with no run that scores 0. Answers: a question's answer
//! against the run's words (`answers`: a choice, a number or exact words). When: a
//! when question's span, or that of a where question with a tube (VidSTG, HC-STVG),
//! against the run's first span (`temporal`). Where over time: a where question with
//! a span and a tube against the run's span and boxes, on the frames the model was
//! shown (`tube`). A run without a span spans its boxes; a run that names no frames
//! was shown every frame of the question's clip (its segment, else the video).
//! Tracking: where the model has runs that follow objects through a whole video (a
//! tracker's results imported as a run: no object twice on a frame), each video with
//! tracks is an item, its tracks against the run's boxes (`sequence`, `tracking`).
//! Boxes: where the model has whole-video runs with a confidence on every box (a
//! detector's results), each video is an item, its frames' boxes against the run's
//! as pycocotools scores them (`images`, `detection`). A video the model did not run
//! on scores as a run that found nothing.

mod answers;
mod assign;
mod compare;
mod detection;
mod images;
mod items;
pub mod judge;
mod sequence;
pub mod spread;
mod summary;
mod temporal;
mod tracking;
mod tube;
mod vstar;
mod whole_video;

use std::collections::HashMap;

use serde::Serialize;

use crate::dataset::{Dataset, Evidence, Question, QuestionKind, Video};
use crate::edit::LabelRef;
use crate::geometry::BBox;
use crate::run::ModelRun;
use crate::time::{ConstantRate, FrameTimes};

pub use answers::{Rule, normalize};
pub use compare::{Comparison, Delta, Disagreements, Pair, Verdict, compare, right};
pub use detection::Detection;
pub use items::{Item, ItemKind, ItemScores, SCORES, Score, worst_first};
pub use summary::{Answers, ByDuration, Part, Recall, Sections, Spatial, Temporal};
pub use tracking::Tracking;
pub use vstar::{Chain, Chains, Vstar};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EvalError {
    #[error("no run of {model:?} in the dataset; its runs are of: {}", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownModel { model: String, known: Vec<String> },
}

/// The scores of one model's runs on a dataset; a section only where items apply.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    pub run: String,
    /// Answers, when and where over time (`qa`, `temporal`, `spatial` in the JSON).
    #[serde(flatten)]
    pub questions: Sections,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vstar: Option<Vstar>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Tracking>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<Detection>,
    /// The question sections again, by the length of the items' videos.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_duration: Option<ByDuration>,
    pub items: Vec<Item>,
}

/// What a question's evidence says is true: its span, tube and clip.
struct Truth<'a> {
    span: (f64, f64),
    tube: Option<&'a crate::dataset::Track>,
    clip: Option<(f64, f64)>,
}

/// The dataset's videos, tracks and segments by id, found once (a benchmark has
/// tens of thousands of questions).
struct Index<'a> {
    videos: HashMap<&'a str, &'a Video>,
    tracks: HashMap<&'a str, &'a crate::dataset::Track>,
    segments: HashMap<&'a str, &'a crate::dataset::Segment>,
}

impl<'a> Index<'a> {
    fn of(data: &'a Dataset) -> Self {
        Index {
            videos: data.videos.iter().map(|v| (v.id.as_str(), v)).collect(),
            tracks: data.tracks.iter().map(|t| (t.id.as_str(), t)).collect(),
            segments: data.segments.iter().map(|s| (s.id.as_str(), s)).collect(),
        }
    }
}

impl<'a> Truth<'a> {
    /// The truth of a question scored here: a when question with a span, or a where
    /// question with a span and a tube.
    fn of(data: &Index<'a>, q: &Question) -> Option<Self> {
        let span = q.span()?;
        let tube = q.track().and_then(|id| data.tracks.get(id).copied());
        let clip = q.evidence.iter().find_map(|e| match e {
            Evidence::Segment { id } => data.segments.get(id.as_str()).map(|s| (s.start_s, s.end_s)),
            _ => None,
        });
        let scored = match q.kind {
            QuestionKind::When => true,
            QuestionKind::Where => tube.is_some(),
            _ => false,
        };
        // A when question is scored by its span alone, whatever track it cites.
        let tube = tube.filter(|_| q.kind == QuestionKind::Where);
        scored.then_some(Truth { span, tube, clip })
    }
}

/// Scores the runs of `model` (its name, as runs record it) on `data`.
pub fn score(data: &Dataset, model: &str) -> Result<Scores, EvalError> {
    if !data.runs.iter().any(|r| r.model.name == model) {
        let mut known: Vec<String> = data.runs.iter().map(|r| r.model.name.clone()).collect();
        known.sort();
        known.dedup();
        return Err(EvalError::UnknownModel { model: model.to_owned(), known });
    }
    let index = Index::of(data);
    // The model's runs by the question each answers, found once.
    let mut by_question: HashMap<&str, Vec<&ModelRun>> = HashMap::new();
    for r in data.runs.iter().filter(|r| r.model.name == model) {
        if let Some(LabelRef::Question(id)) = &r.answers {
            by_question.entry(id.as_str()).or_default().push(r);
        }
    }
    let (vstar, mut items, in_vstar) = vstar::score(data, &by_question);
    for q in data.questions.iter().filter(|q| !in_vstar.contains(q.id.as_str())) {
        let Some(&video) = index.videos.get(q.video.as_str()) else { continue };
        let scored = match Truth::of(&index, q) {
            Some(truth) => Scored::Time(truth),
            None if by_words(q) && !q.answer.trim().is_empty() => {
                Scored::Answer(answers::rule(&q.options, &q.answer))
            }
            None => continue,
        };
        let runs = by_question.get(q.id.as_str()).map_or(&[][..], Vec::as_slice);
        let item = |run: Option<&ModelRun>| Item {
            id: q.id.clone(),
            video: q.video.clone(),
            kind: ItemKind::Question(q.kind),
            chain: None,
            run: run.map(|r| r.id.clone()),
            scores: match &scored {
                Scored::Time(truth) => item_scores(video, truth, run),
                Scored::Answer(rule) => answer_scores(q, *rule, run),
            },
        };
        if runs.is_empty() {
            items.push(item(None));
        }
        items.extend(runs.iter().map(|r| item(Some(r))));
    }
    let (tracking, tracked) = whole_video::tracking(data, model);
    let (detection, detected) = whole_video::detection(data, model);
    let length_of = |video: &str| summary::length_s(index.videos.get(video)?);
    let mut scores = Scores {
        run: model.to_owned(),
        questions: summary::sections(&items),
        vstar,
        tracking,
        detection,
        by_duration: summary::by_duration(&items, length_of),
        items,
    };
    scores.items.extend(tracked);
    scores.items.extend(detected);
    Ok(scores)
}

/// Whether a question is scored by its answer's words: not a where question (its
/// answer names the object; its boxes are what count), nor a when question with a span.
fn by_words(q: &Question) -> bool {
    let span = q.evidence.iter().any(|e| matches!(e, Evidence::Span { .. }));
    !(q.kind == QuestionKind::Where || q.kind == QuestionKind::When && span)
}

/// How a question is scored: by its span (and tube), or by its answer.
enum Scored<'a> {
    Time(Truth<'a>),
    Answer(Rule),
}

/// The run's answer (its words where it gave one, else its text) against the question's.
fn answer_scores(q: &Question, rule: Rule, run: Option<&ModelRun>) -> ItemScores {
    let predicted = run.map(|r| r.prediction.answer.as_deref().unwrap_or(&r.raw));
    let answer = predicted.map_or(0.0, |p| answers::score(rule, &q.options, &q.answer, p));
    ItemScores { answer: Some(answer), rule: Some(rule), ..ItemScores::default() }
}

fn item_scores(video: &Video, truth: &Truth, run: Option<&ModelRun>) -> ItemScores {
    let times = ConstantRate { fps: video.fps, frames: video.frame_count };
    let predicted = run.and_then(|r| predicted_span(r, &times));
    let tiou = predicted.map_or(0.0, |p| temporal::tiou(truth.span, p));
    let viou = truth.tube.map(|tube| {
        let (Some(run), Some(predicted)) = (run, predicted) else { return 0.0 };
        let frames: Vec<tube::Frame> = shown_frames(run, truth.clip, &times)
            .into_iter()
            .map(|f| tube::Frame {
                time_s: times.time_of(f),
                truth: tube.box_at(f).map(|b| b.bbox),
                predicted: predicted_box(run, f, &times),
            })
            .collect();
        tube::viou(&frames, truth.span, predicted)
    });
    ItemScores { tiou: Some(tiou), viou, ..ItemScores::default() }
}

/// The run's first span, else from its first box to the end of its last box's frame.
fn predicted_span(run: &ModelRun, times: &ConstantRate) -> Option<(f64, f64)> {
    if let Some(s) = run.prediction.spans.first() {
        return Some((s.start_s, s.end_s));
    }
    let frames = run.prediction.boxes.iter().filter_map(|b| b.time_s).map(|t| times.frame_at_time(t));
    let (first, last) = frames
        .fold(None, |span: Option<(u64, u64)>, f| Some(span.map_or((f, f), |(a, b)| (a.min(f), b.max(f)))))?;
    Some((times.time_of(first), times.time_of(last + 1)))
}

/// The frames the model was shown, else every frame of the clip (or the video).
fn shown_frames(run: &ModelRun, clip: Option<(f64, f64)>, times: &ConstantRate) -> Vec<u64> {
    let mut frames: Vec<u64> = if run.settings.frames_s.is_empty() {
        let (start, end) = clip.unwrap_or((0.0, times.duration_s()));
        let first = times.frame_at_time(start);
        (first..times.frame_count())
            .skip_while(|f| times.time_of(*f) < start)
            .take_while(|f| times.time_of(*f) < end)
            .collect()
    } else {
        run.settings.frames_s.iter().map(|t| times.frame_at_time(*t)).collect()
    };
    frames.sort_unstable();
    frames.dedup();
    frames
}

/// The run's box on frame `f`: the first whose time falls on it.
fn predicted_box(run: &ModelRun, f: u64, times: &ConstantRate) -> Option<BBox> {
    run.prediction
        .boxes
        .iter()
        .find(|b| b.time_s.is_some_and(|t| times.frame_at_time(t) == f))
        .map(|b| b.bbox)
}
