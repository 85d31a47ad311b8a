//! Model runs kept in a dataset: what a model was asked about a clip and how, the text
//! it wrote (token by token, with probabilities), the evidence read out of it, and the
//! verdict on each piece of that evidence. A run reloads exactly as it came, and a
//! rejected piece is never offered again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dataset::{Evidence, Keyframe, Provenance, Question, QuestionKind, Review, Segment, Track};
use crate::dialect::{Context, FrameGrid};
use crate::edit::LabelRef;
use crate::geometry::BBox;
use crate::prediction::{PredictedBox, Prediction};
pub use crate::tokens::Tokens;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelRun {
    pub id: String,
    pub video: String,
    /// The question or label the run answers, when it was asked about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<LabelRef>,
    pub model: ModelRef,
    /// What was asked about which part of the clip, and the frames the model saw.
    pub settings: RunSettings,
    /// How the text was generated (`None` for text given to Vidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<Generation>,
    /// How the numbers in the answer were read back onto the video.
    pub reading: Reading,
    /// The text the model wrote.
    pub raw: String,
    /// The text token by token with probabilities, kept beside the dataset file.
    #[serde(default, skip_serializing_if = "Tokens::is_empty")]
    pub tokens: Tokens,
    /// How sure the model was of each box of `prediction` (see [`box_confidences`]),
    /// worked out once when the run is made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub box_confidence: Vec<Option<f32>>,
    /// What was read out of `raw`, in video pixels and seconds.
    pub prediction: Prediction,
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// Judge models' scores of the run's answer, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judgements: Vec<Judgement>,
    /// How the request went, for a run made by `vidence predict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
}

/// One request of a batch run: the job it answered, what it was sent to, what it cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// The batch's job (a question's id, or `captions:VIDEO`).
    pub job: String,
    /// The checkpoint, or the model as the server names it.
    pub model: String,
    /// From the request going out to the whole answer back (the last try's).
    pub latency_s: f64,
    /// How many times it was sent (retries after a busy or failing server included).
    pub attempts: u32,
    /// The prompt's and the answer's tokens, as the server counted them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens: Option<u64>,
}

/// A judge model's score of a run's answer against the question's, on V-STaR's scale:
/// 0 entirely wrong, 1 largely wrong, 2 largely right, 3 entirely right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Judgement {
    /// The judge model, as its server names it.
    pub judge: String,
    /// None where the reply was not one of 0, 1, 2 or 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// What the judge replied.
    pub reply: String,
}

/// Which model wrote a run, and where it ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelRef {
    pub backend: Backend,
    /// The run's name: the checkpoint folder or hub id (for a server, the model name it
    /// serves), or the name a batch run was given.
    pub name: String,
    /// The hub revision or checkpoint version, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The server's address, for a run made on one (its key is never kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// In this program, on candle.
    Local,
    /// Text given to Vidence (pasted or imported), not generated here.
    Given,
    /// An OpenAI-compatible inference server (vLLM, SGLang, llama.cpp, a hosted API).
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Answer a question, with reasoning citing times and boxes.
    Answer,
    /// Follow a named object through the clip.
    Track,
    /// When a named event happens.
    When,
    /// Describe a region of the picture.
    Region,
    /// The clip's events with their times.
    Captions,
}

impl TaskKind {
    pub const ALL: [TaskKind; 5] = [Self::Answer, Self::Track, Self::When, Self::Region, Self::Captions];

    pub fn name(self) -> &'static str {
        match self {
            Self::Answer => "answer",
            Self::Track => "track",
            Self::When => "when",
            Self::Region => "region",
            Self::Captions => "captions",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    Uniform,
    /// Scene-change aware: four times as many candidates, kept where they differ most.
    Scene,
    /// Up to nine uniform frames tiled into one picture (as IG-VLM does).
    Grid,
}

impl Sampling {
    pub const ALL: [Sampling; 3] = [Self::Uniform, Self::Scene, Self::Grid];

    pub fn name(self) -> &'static str {
        match self {
            Self::Uniform => "uniform",
            Self::Scene => "scene",
            Self::Grid => "grid",
        }
    }
}

/// Names as the schema writes them (`answer`, `uniform`, ...), for the command line.
macro_rules! from_name {
    ($t:ty) => {
        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL.into_iter().find(|v| v.name() == s).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
                    format!("{s:?} is not one of {}", names.join(", "))
                })
            }
        }
    };
}
from_name!(TaskKind);
from_name!(Sampling);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    pub task: TaskKind,
    /// The question, object or event as the user wrote it.
    #[serde(default)]
    pub prompt: String,
    pub from_s: f64,
    pub to_s: f64,
    pub fps: f64,
    pub max_frames: usize,
    pub sampling: Sampling,
    /// The region a region question asked about, in video pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<BBox>,
    /// Times of the frames the model saw.
    #[serde(default)]
    pub frames_s: Vec<f64>,
    /// Labels the prompt gave the model with the question (V-STaR's second chain asks
    /// when, given the object's boxes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<LabelRef>,
}

/// Every setting of the generation (`temperature` 0 is greedy).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Generation {
    pub max_tokens: usize,
    pub temperature: f32,
    pub top_p: f32,
    pub repetition_penalty: f32,
    pub seed: u64,
}

impl Default for Generation {
    fn default() -> Self {
        Self { max_tokens: 512, temperature: 0.0, top_p: 1.0, repetition_penalty: 1.0, seed: 0 }
    }
}

/// How a run's text was read: the dialect of the prompts, what its numbers refer to,
/// and, for an image grid, where each frame sat in the picture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub dialect: Dialect,
    pub context: Context,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<FrameGrid>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Vidence's task prompts in Qwen3-VL's way (boxes on the 0-1000 grid, times in
    /// seconds); the reader also takes Qwen2.5-VL pixels and Open-o3 Video tags.
    Qwen3Vl,
}

/// A generated token as text, with its probability and the likeliest tokens at its
/// place (most likely first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunToken {
    pub text: String,
    pub logprob: f32,
    #[serde(default)]
    pub top: Vec<Alternative>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub text: String,
    pub logprob: f32,
}

/// A piece of a run's evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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

    /// Set the run's tokens, and how sure the model was of each box from them.
    pub fn set_tokens(&mut self, tokens: Vec<RunToken>) {
        let cx = &self.reading.context;
        self.box_confidence = box_confidences(&self.prediction, &tokens, cx.video_width, cx.video_height);
        self.tokens = Tokens::new(tokens);
    }
}

/// How sure the model was of each box: the geometric mean probability of the tokens
/// that wrote its coordinates (found in the tokens' text as the four numbers on the
/// 0-1000 grid of a `width` x `height` video, in order). `None` where the text holds no
/// such numbers (a run without tokens, or another coordinate system).
pub fn box_confidences(
    prediction: &Prediction,
    tokens: &[RunToken],
    width: u32,
    height: u32,
) -> Vec<Option<f32>> {
    {
        // The tokens' text without whitespace, each character's token alongside.
        let mut text = String::new();
        let mut owner = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            for c in t.text.chars().filter(|c| !c.is_whitespace()) {
                text.push(c);
                owner.extend(std::iter::repeat_n(i, c.len_utf8()));
            }
        }
        let grid = |v: f32, size: u32| (f64::from(v) / f64::from(size.max(1)) * 1000.0).round() as i64;
        let mut from = 0;
        prediction
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
                let logprobs: Vec<f32> = tokens[first..=last].iter().map(|t| t.logprob).collect();
                Some((logprobs.iter().sum::<f32>() / logprobs.len() as f32).exp())
            })
            .collect()
    }
}

impl ModelRun {
    fn source(&self) -> Provenance {
        Provenance::Model { model_id: self.model.name.clone() }
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
            attributes: Vec::new(),
            z_order: 0,
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
            time_text: None,
        };
        ModelRun {
            id: "run-1".into(),
            video: "v".into(),
            answers: None,
            model: ModelRef { backend: Backend::Local, name: "m".into(), revision: None, endpoint: None },
            settings: RunSettings {
                task: TaskKind::Answer,
                prompt: "where is the cat?".into(),
                from_s: 0.0,
                to_s: 4.0,
                fps: 2.0,
                max_frames: 8,
                sampling: Sampling::Uniform,
                region: None,
                frames_s: vec![0.0, 2.0],
                given: Vec::new(),
            },
            generation: Some(Generation { max_tokens: 64, ..Generation::default() }),
            reading: Reading {
                dialect: Dialect::Qwen3Vl,
                context: Context {
                    video_width: 1000,
                    video_height: 1000,
                    coordinates: crate::dialect::Coordinates::Relative1000,
                    clip_start_s: 0.0,
                },
                grid: None,
            },
            raw: "text".into(),
            tokens: Tokens::default(),
            box_confidence: Vec::new(),
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
            judgements: Vec::new(),
            call: None,
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
        let tokens = vec![
            token("[1", 0.5),
            token("0, 0,", 1.0),
            token(" 20, 10]", 0.5),
            token(" then [20,0,", 0.9),
            token("30,10]", 0.9),
        ];
        r.set_tokens(tokens.clone());
        let got = r.box_confidence.clone();
        assert_eq!(r.tokens.loaded().map(|t| t.len()), Some(5));
        assert_eq!(got.len(), 4);
        assert!(got[0].is_some_and(|c| (c - 0.9).abs() < 1e-5), "{got:?}");
        assert!(got[1].is_none(), "box 1's numbers come before box 0's: searched in order");
        assert!(got[2].is_none() && got[3].is_none());
        let mut second = run();
        second.prediction.boxes.swap(0, 1);
        let got = box_confidences(&second.prediction, &tokens, 1000, 1000);
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
            tags: Default::default(),
        });
        d.runs.push(run());
        let reject = Verdict { item: EvidenceItem::Box { index: 0 }, review: Review::Rejected, label: None };
        let verdicts = d.runs[0].with_verdict(reject.clone());
        let undo = Edit::SetVerdicts { run: "run-1".into(), verdicts }.apply(&mut d).expect("applies");
        let accept = Verdict { review: Review::Accepted, ..reject };
        assert_eq!(d.runs[0].with_verdict(accept.clone()), [accept]);
        undo.apply(&mut d).expect("undoes");
        assert!(d.runs[0].verdicts.is_empty());
        assert!(crate::validate(&d).is_empty(), "{:?}", crate::validate(&d));
        d.runs[0].verdicts.push(Verdict {
            item: EvidenceItem::Span { index: 3 },
            review: Review::Rejected,
            label: None,
        });
        let problems = crate::validate(&d);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "$.runs[0].verdicts[0].item.index");
    }
}
