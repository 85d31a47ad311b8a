//! Model runs kept in a dataset: what a model was asked about a clip and how, the text
//! it wrote (token by token, with probabilities), the evidence read out of it, and the
//! verdict on each piece of that evidence. A run reloads exactly as it came, and a
//! rejected piece is never offered again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dataset::{Evidence, Keyframe, Provenance, Question, QuestionKind, Review, Segment, Track};
use crate::edit::LabelRef;
use crate::geometry::BBox;
use crate::prediction::{PredictedBox, Prediction};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelRun {
    pub id: String,
    pub video: String,
    /// The checkpoint folder or hub id.
    pub model: String,
    pub settings: RunSettings,
    /// The text the model wrote.
    pub raw: String,
    #[serde(default)]
    pub tokens: Vec<RunToken>,
    /// What was read out of `raw`, in video pixels and seconds.
    pub prediction: Prediction,
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunSettings {
    /// `answer`, `track`, `when`, `region` or `captions`.
    pub task: String,
    /// The question, object or event as the user wrote it.
    #[serde(default)]
    pub prompt: String,
    pub from_s: f64,
    pub to_s: f64,
    pub fps: f64,
    pub max_frames: usize,
    /// `uniform` or `scene`.
    pub sampling: String,
    pub max_tokens: usize,
    /// The region a region question asked about, in video pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<BBox>,
    /// Times of the frames the model saw.
    #[serde(default)]
    pub frames_s: Vec<f64>,
}

/// A generated token as text, with its probability and the likeliest tokens at its
/// place (most likely first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunToken {
    pub text: String,
    pub logprob: f32,
    #[serde(default)]
    pub top: Vec<Alternative>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Alternative {
    pub text: String,
    pub logprob: f32,
}

/// A piece of a run's evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceItem {
    /// `prediction.boxes[index]`.
    Box { index: usize },
    /// Every box the model gave the object `label`, as one track.
    Track { label: String },
    /// `prediction.spans[index]`.
    Span { index: usize },
    /// The answer with its reasoning, as a question.
    Answer,
}

/// What a person decided about a piece of evidence: accepted (or edited) as the label
/// `label`, or rejected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Verdict {
    pub item: EvidenceItem,
    pub review: Review,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelRef>,
}

impl ModelRun {
    pub fn verdict(&self, item: &EvidenceItem) -> Option<&Verdict> {
        self.verdicts.iter().find(|v| &v.item == item)
    }

    /// Whether `item` still waits for a decision: no verdict on it, and for a box none on
    /// the track of its object either (accepting the track decides its boxes).
    pub fn is_open(&self, item: &EvidenceItem) -> bool {
        if let EvidenceItem::Box { index } = item
            && let Some(b) = self.prediction.boxes.get(*index)
            && self.verdict(&EvidenceItem::Track { label: b.label.clone().unwrap_or_default() }).is_some()
        {
            return false;
        }
        self.verdict(item).is_none()
    }

    /// The verdicts with `verdict` in place of any earlier one on the same item.
    pub fn with_verdict(&self, verdict: Verdict) -> Vec<Verdict> {
        let mut out: Vec<Verdict> =
            self.verdicts.iter().filter(|v| v.item != verdict.item).cloned().collect();
        out.push(verdict);
        out
    }

    /// The boxes given for the object `label`, in time order (those with a time).
    pub fn boxes_of<'a>(&'a self, label: &'a str) -> Vec<&'a PredictedBox> {
        let mut boxes: Vec<&PredictedBox> = self
            .prediction
            .boxes
            .iter()
            .filter(|b| b.time_s.is_some() && b.label.as_deref().unwrap_or("") == label)
            .collect();
        boxes.sort_by(|a, b| a.time_s.partial_cmp(&b.time_s).unwrap_or(std::cmp::Ordering::Equal));
        boxes
    }

    /// The objects with at least two timed boxes: the trajectories the model gave.
    pub fn trajectories(&self) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for b in &self.prediction.boxes {
            let label = b.label.clone().unwrap_or_default();
            if !labels.contains(&label) && self.boxes_of(&label).len() >= 2 {
                labels.push(label);
            }
        }
        labels
    }

    /// How sure the model was of each box: the geometric mean probability of the
    /// tokens that wrote its coordinates (found in the tokens' text as the four numbers
    /// on the 0-1000 grid of a `width` x `height` video, in order). `None` where the
    /// text holds no such numbers (a run without tokens, or another coordinate system).
    pub fn box_confidences(&self, width: u32, height: u32) -> Vec<Option<f32>> {
        // The tokens' text without whitespace, each character's token alongside.
        let mut text = String::new();
        let mut owner = Vec::new();
        for (i, t) in self.tokens.iter().enumerate() {
            for c in t.text.chars().filter(|c| !c.is_whitespace()) {
                text.push(c);
                owner.extend(std::iter::repeat_n(i, c.len_utf8()));
            }
        }
        let grid = |v: f32, size: u32| (f64::from(v) / f64::from(size.max(1)) * 1000.0).round() as i64;
        let mut from = 0;
        self.prediction
            .boxes
            .iter()
            .map(|b| {
                let [x1, y1, x2, y2] = b.bbox.0;
                let numbers = format!(
                    "{},{},{},{}",
                    grid(x1, width),
                    grid(y1, height),
                    grid(x2, width),
                    grid(y2, height)
                );
                let digit_at = |i: usize| text.as_bytes().get(i).is_some_and(u8::is_ascii_digit);
                let start = text[from..]
                    .match_indices(&numbers)
                    .map(|(i, _)| from + i)
                    .find(|&i| (i == 0 || !digit_at(i - 1)) && !digit_at(i + numbers.len()))?;
                from = start + numbers.len();
                let (first, last) = (owner[start], owner[start + numbers.len() - 1]);
                let logprobs: Vec<f32> = self.tokens[first..=last].iter().map(|t| t.logprob).collect();
                Some((logprobs.iter().sum::<f32>() / logprobs.len() as f32).exp())
            })
            .collect()
    }

    fn source(&self) -> Provenance {
        Provenance::Model { model_id: self.model.clone() }
    }

    /// A track of the boxes at `frames` (one per box, in time order) with the run as its
    /// source; the object leaves view the frame after the last box.
    pub fn track_of(&self, boxes: &[(u64, BBox)], id: String, category: String) -> Track {
        let mut keyframes: Vec<Keyframe> = Vec::with_capacity(boxes.len() + 1);
        for &(frame, bbox) in boxes {
            if keyframes.last().is_some_and(|k| k.frame >= frame) {
                continue;
            }
            keyframes.push(Keyframe { frame, bbox, outside: false, occluded: false });
        }
        if let Some(last) = keyframes.last().cloned() {
            keyframes.push(Keyframe { frame: last.frame + 1, outside: true, ..last });
        }
        Track {
            id,
            video: self.video.clone(),
            category,
            keyframes: keyframes.into(),
            interpolation: Default::default(),
            source: self.source(),
            review: Review::Unreviewed,
        }
    }

    pub fn segment_of(&self, index: usize, id: String) -> Option<Segment> {
        let span = self.prediction.spans.get(index)?;
        Some(Segment {
            id,
            video: self.video.clone(),
            label: span.label.clone().unwrap_or_else(|| self.settings.prompt.clone()),
            start_s: span.start_s,
            end_s: span.end_s,
            source: self.source(),
            review: Review::Unreviewed,
        })
    }

    /// The answer as a question: the prompt, the answer, the reasoning steps, and the
    /// spans and timed boxes as evidence.
    pub fn question_of(&self, id: String) -> Option<Question> {
        let answer = self.prediction.answer.clone()?;
        let p = &self.prediction;
        let spans = p.spans.iter().map(|s| Evidence::Span { start_s: s.start_s, end_s: s.end_s });
        let boxes = p.boxes.iter().filter_map(|b| Some(Evidence::Box { time_s: b.time_s?, bbox: b.bbox }));
        Some(Question {
            id,
            video: self.video.clone(),
            kind: QuestionKind::Other,
            text: self.settings.prompt.clone(),
            options: Vec::new(),
            answer,
            evidence: spans.chain(boxes).collect(),
            rationale: p.steps.clone(),
            source: self.source(),
            review: Review::Unreviewed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Dataset, Video};
    use crate::edit::Edit;
    use crate::prediction::PredictedSpan;

    fn run() -> ModelRun {
        let b = |label: &str, t: Option<f64>, x: f32| PredictedBox {
            label: Some(label.into()),
            time_s: t,
            bbox: BBox::new(x, 0.0, x + 10.0, 10.0),
        };
        ModelRun {
            id: "run-1".into(),
            video: "v".into(),
            model: "m".into(),
            settings: RunSettings {
                task: "answer".into(),
                prompt: "where is the cat?".into(),
                from_s: 0.0,
                to_s: 4.0,
                fps: 2.0,
                max_frames: 8,
                sampling: "uniform".into(),
                max_tokens: 64,
                region: None,
                frames_s: vec![0.0, 2.0],
            },
            raw: "text".into(),
            tokens: Vec::new(),
            prediction: Prediction {
                answer: Some("on the mat".into()),
                boxes: vec![
                    b("cat", Some(2.0), 20.0),
                    b("cat", Some(1.0), 10.0),
                    b("dog", Some(1.0), 0.0),
                    b("cat", None, 5.0),
                ],
                spans: vec![PredictedSpan { label: None, start_s: 1.0, end_s: 2.0 }],
                ..Default::default()
            },
            verdicts: Vec::new(),
        }
    }

    #[test]
    fn trajectories_are_objects_with_two_timed_boxes_in_time_order() {
        let r = run();
        assert_eq!(r.trajectories(), ["cat"]);
        let times: Vec<Option<f64>> = r.boxes_of("cat").iter().map(|b| b.time_s).collect();
        assert_eq!(times, [Some(1.0), Some(2.0)]);
    }

    #[test]
    fn labels_made_from_evidence_carry_the_model_and_end_after_the_last_box() {
        let r = run();
        let bbox = BBox::new(1.0, 1.0, 5.0, 5.0);
        let t = r.track_of(&[(30, bbox), (30, bbox), (60, bbox)], "t".into(), "cat".into());
        let frames: Vec<(u64, bool)> = t.keyframes.iter().map(|k| (k.frame, k.outside)).collect();
        assert_eq!(frames, [(30, false), (60, false), (61, true)], "a repeated frame is kept once");
        assert_eq!(t.source, Provenance::Model { model_id: "m".into() });
        let s = r.segment_of(0, "s".into()).expect("span 0");
        assert_eq!((s.label.as_str(), s.start_s, s.end_s), ("where is the cat?", 1.0, 2.0));
        assert!(r.segment_of(1, "s".into()).is_none());
        let q = r.question_of("q".into()).expect("an answer");
        assert_eq!((q.answer.as_str(), q.evidence.len()), ("on the mat", 4), "a span and three timed boxes");
    }

    #[test]
    fn a_box_is_as_sure_as_the_tokens_that_wrote_its_numbers() {
        let mut r = run();
        let token = |text: &str, p: f32| RunToken { text: text.into(), logprob: p.ln(), top: Vec::new() };
        // Boxes 1 ([10,0,20,10] on a 1000-pixel video = the same on the grid) and 0.
        r.tokens = vec![
            token("[1", 0.5),
            token("0, 0,", 1.0),
            token(" 20, 10]", 0.5),
            token(" then [20,0,", 0.9),
            token("30,10]", 0.9),
        ];
        let got = r.box_confidences(1000, 1000);
        assert_eq!(got.len(), 4);
        assert!(got[0].is_some_and(|c| (c - 0.9).abs() < 1e-5), "{got:?}");
        assert!(got[1].is_none(), "box 1's numbers come before box 0's: searched in order");
        assert!(got[2].is_none() && got[3].is_none());
        let mut second = run();
        second.prediction.boxes.swap(0, 1);
        second.tokens = r.tokens.clone();
        let got = second.box_confidences(1000, 1000);
        assert!(got[0].is_some_and(|c| (c - 0.5f32.powf(2.0 / 3.0)).abs() < 1e-5), "{got:?}");
        assert!(got[1].is_some_and(|c| (c - 0.9).abs() < 1e-5), "{got:?}");
    }

    #[test]
    fn verdicts_replace_each_other_and_undo_exactly() {
        let mut d = Dataset::default();
        d.videos.push(Video {
            id: "v".into(),
            path: "v.mp4".into(),
            width: 100,
            height: 100,
            fps: 30.0,
            frame_count: 120,
            duration_s: 4.0,
        });
        d.predictions.push(run());
        let reject = Verdict { item: EvidenceItem::Box { index: 0 }, review: Review::Rejected, label: None };
        let verdicts = d.predictions[0].with_verdict(reject.clone());
        let undo = Edit::SetVerdicts { run: "run-1".into(), verdicts }.apply(&mut d).expect("applies");
        let accept = Verdict { review: Review::Accepted, ..reject };
        assert_eq!(d.predictions[0].with_verdict(accept.clone()), [accept]);
        undo.apply(&mut d).expect("undoes");
        assert!(d.predictions[0].verdicts.is_empty());
        assert!(crate::validate(&d).is_empty(), "{:?}", crate::validate(&d));
        d.predictions[0].verdicts.push(Verdict {
            item: EvidenceItem::Span { index: 3 },
            review: Review::Rejected,
            label: None,
        });
        let problems = crate::validate(&d);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "$.predictions[0].verdicts[0].item.index");
    }
}
