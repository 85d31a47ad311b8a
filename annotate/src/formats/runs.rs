//! A file of predictions imported as model runs (`--as-run NAME`), not as labels: a
//! tracker's or detector's boxes become one run per video whose trajectories are its
//! tracks (with their confidences where the file gives them), its time spans the
//! run's spans, its answers runs of their own. The text of a given run is the file's
//! own words for it, so the run reads as what the model said.

use std::collections::HashMap;

use crate::dataset::{Dataset, Question, Track, Video};
use crate::dialect::{Context, Coordinates};
use crate::edit::LabelRef;
use crate::labels::Ids;
use crate::prediction::{PredictedBox, PredictedSpan, Prediction};
use crate::run::{Backend, ModelRef, ModelRun, Reading, RunSettings, Sampling, TaskKind};
use crate::time::{ConstantRate, FrameTimes};

/// The attribute names a format gives a box's confidence under.
const CONFIDENCE: [&str; 2] = ["confidence", "score"];

/// A run of text given to Vidence (not generated here) on `video`: its numbers are
/// already in the video's pixels and seconds.
pub(super) struct Given<'a> {
    pub video: &'a Video,
    pub model: &'a str,
    pub task: TaskKind,
    pub prompt: String,
    pub answers: Option<LabelRef>,
    pub raw: String,
    pub prediction: Prediction,
    pub confidence: Vec<Option<f32>>,
}

impl Given<'_> {
    pub fn run(self, id: String) -> ModelRun {
        let v = self.video;
        ModelRun {
            id,
            video: v.id.clone(),
            answers: self.answers,
            model: ModelRef {
                backend: Backend::Given,
                name: self.model.to_owned(),
                revision: None,
                endpoint: None,
            },
            settings: RunSettings {
                task: self.task,
                prompt: self.prompt,
                from_s: 0.0,
                to_s: v.duration_s,
                fps: v.fps,
                max_frames: 0,
                sampling: Sampling::Uniform,
                region: None,
                frames_s: Vec::new(),
                given: Vec::new(),
            },
            generation: None,
            reading: Reading {
                dialect: crate::run::Dialect::Qwen3Vl,
                context: Context {
                    video_width: v.width,
                    video_height: v.height,
                    coordinates: Coordinates::Pixels { width: v.width.max(1), height: v.height.max(1) },
                    clip_start_s: 0.0,
                },
                grid: None,
            },
            raw: self.raw,
            tokens: Default::default(),
            box_confidence: self.confidence,
            prediction: self.prediction,
            verdicts: Vec::new(),
            judgements: Vec::new(),
            call: None,
        }
    }
}

/// The labels a reader made of a predictions file, as runs of `model`: per video, one
/// run of its tracks and spans, and one run per answer. The videos stay; categories
/// are the runs' labels now, so they go.
pub(super) fn from_labels(labels: Dataset, model: &str) -> Dataset {
    let mut ids = Ids::default();
    let mut runs = Vec::new();
    for video in &labels.videos {
        let times = ConstantRate { fps: video.fps, frames: video.frame_count.max(1) };
        let tracks: Vec<&Track> = labels.tracks_of(&video.id).collect();
        let mut prediction = Prediction::default();
        let mut confidence = Vec::new();
        let mut per_category: HashMap<&str, usize> = HashMap::new();
        for t in &tracks {
            *per_category.entry(t.category.as_str()).or_default() += 1;
        }
        let seen = |t: &Track| t.keyframes.iter().filter(|k| !k.outside).count();
        // A detector's boxes (one each) are named by their category; a tracker's
        // objects by their number too, where their category has several, even one
        // seen once: the number is what tells the objects apart.
        let detections = tracks.iter().all(|t| seen(t) <= 1);
        for t in &tracks {
            let name = labels.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
            let label = if per_category[t.category.as_str()] == 1 || detections {
                name.to_owned()
            } else {
                format!("{name} {}", t.id.rsplit_once('-').map_or(t.id.as_str(), |(_, n)| n))
            };
            for k in t.keyframes.iter().filter(|k| !k.outside) {
                prediction.boxes.push(PredictedBox {
                    label: Some(label.clone()),
                    time_s: Some(times.time_of(k.frame)),
                    bbox: k.bbox,
                    time_text: None,
                });
                let score = t
                    .attributes_at(k.frame)
                    .into_iter()
                    .find(|a| CONFIDENCE.contains(&a.name.as_str()))
                    .and_then(|a| a.value.parse::<f32>().ok())
                    // A score outside 0..1 (MOT's -1 for none, a raw logit) is no probability.
                    .filter(|s| (0.0..=1.0).contains(s));
                confidence.push(score);
            }
        }
        for s in labels.segments_of(&video.id) {
            prediction.spans.push(PredictedSpan {
                label: Some(s.label.clone()),
                start_s: s.start_s,
                end_s: s.end_s,
            });
        }
        if confidence.iter().all(Option::is_none) {
            confidence.clear();
        }
        let task = if prediction.boxes.is_empty() { TaskKind::When } else { TaskKind::Track };
        if !prediction.boxes.is_empty() || !prediction.spans.is_empty() {
            let raw = format!(
                "{} boxes of {} objects and {} time spans, imported",
                prediction.boxes.len(),
                tracks.len(),
                prediction.spans.len()
            );
            let given = Given {
                video,
                model,
                task,
                prompt: String::new(),
                answers: None,
                raw,
                prediction,
                confidence,
            };
            runs.push(given.run(ids.next("run")));
        }
        for q in labels.questions_of(&video.id) {
            runs.push(answer(video, model, q, None).run(ids.next("run")));
        }
    }
    Dataset { videos: labels.videos, runs, ..Dataset::default() }
}

/// A model's answer `q.answer` to the question `q` asked, as a run; `answers` is the
/// question of the dataset it answers, where there is one.
pub(super) fn answer<'a>(
    video: &'a Video,
    model: &'a str,
    q: &Question,
    answers: Option<LabelRef>,
) -> Given<'a> {
    Given {
        video,
        model,
        task: TaskKind::Answer,
        prompt: q.text.clone(),
        answers,
        raw: q.answer.clone(),
        prediction: Prediction { answer: Some(q.answer.clone()), ..Prediction::default() },
        confidence: Vec::new(),
    }
}
