//! The items scored: a question, or a video's tracks or boxes, with the run that
//! answers it and its scores, as a view sorts and filters them.

use serde::Serialize;

use super::answers::Rule;
use crate::dataset::{Dataset, Evidence, QuestionKind};
use crate::time::{ConstantRate, FrameTimes};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    /// The question, or the video whose tracks are scored.
    pub id: String,
    pub video: String,
    pub kind: ItemKind,
    /// V-STaR's chain (1 or 2) the answer was asked along.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<u8>,
    /// The run scored; none where the model did not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    pub scores: ItemScores,
}

/// One per-item score, read from an item's scores.
pub type Score = fn(&ItemScores) -> Option<f64>;

/// The per-item scores, by the name the JSON gives them, in the order they are shown.
pub const SCORES: [(&str, Score); 9] = [
    ("answer", |s| s.answer),
    ("tIoU", |s| s.tiou),
    ("vIoU", |s| s.viou),
    ("HOTA", |s| s.hota),
    ("MOTA", |s| s.mota),
    ("IDF1", |s| s.idf1),
    ("IDSW", |s| s.idsw.map(|n| n as f64)),
    ("AP", |s| s.ap),
    ("AP50", |s| s.ap50),
];

impl Item {
    /// The run scored, or why there is none: "no answer" to a question, "no boxes"
    /// for a video.
    pub fn run_or_missing(&self) -> &str {
        match (&self.run, self.kind) {
            (Some(run), _) => run,
            (None, ItemKind::Question(_)) => "no answer",
            (None, _) => "no boxes",
        }
    }

    /// The score it is ranked by, worst first: vIoU, else tIoU, the answer's, HOTA or
    /// AP; 0 where none.
    pub fn headline(&self) -> f64 {
        let s = &self.scores;
        s.viou.or(s.tiou).or(s.answer).or(s.hota).or(s.ap).unwrap_or(0.0)
    }

    /// Where it is best seen, in seconds of its video: for a where question with a tube,
    /// the first time the run gives a box that the tube has too; else the start of its
    /// first timed evidence, or of the run's answer; for a video's tracks or boxes, the
    /// run's first box; else 0.
    pub fn seen_at(&self, data: &Dataset) -> f64 {
        let run = self.run.as_deref().and_then(|r| data.run(r));
        let Some(q) = data.question(&self.id) else {
            return run
                .and_then(|r| r.prediction.boxes.iter().filter_map(|b| b.time_s).reduce(f64::min))
                .unwrap_or(0.0);
        };
        let times = data.video(&self.video).map(|v| ConstantRate { fps: v.fps, frames: v.frame_count });
        let track = q.track().and_then(|id| data.track(id));
        let both = track.zip(run).zip(times).and_then(|((t, r), times)| {
            let mut times_s: Vec<f64> = r.prediction.boxes.iter().filter_map(|b| b.time_s).collect();
            times_s.sort_by(f64::total_cmp);
            times_s.into_iter().find(|s| t.box_at(times.frame_at_time(*s)).is_some())
        });
        let evidence = q.evidence.iter().find_map(|e| match e {
            Evidence::Span { start_s, .. } => Some(*start_s),
            Evidence::Time { time_s } | Evidence::Box { time_s, .. } => Some(*time_s),
            _ => None,
        });
        let answered = run.and_then(|r| r.prediction.spans.first().map(|s| s.start_s));
        both.or(evidence).or(answered).unwrap_or(0.0)
    }
}

/// The items, worst first (by [`Item::headline`]; ties keep their order).
pub fn worst_first(items: &[Item]) -> Vec<&Item> {
    let mut sorted: Vec<&Item> = items.iter().collect();
    sorted.sort_by(|a, b| a.headline().total_cmp(&b.headline()));
    sorted
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A video's tracks.
    Tracks,
    /// A video's boxes, frame by frame.
    Boxes,
    #[serde(untagged)]
    Question(QuestionKind),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ItemScores {
    /// The answer's score and the rule that gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
    #[serde(rename = "tIoU", skip_serializing_if = "Option::is_none")]
    pub tiou: Option<f64>,
    #[serde(rename = "vIoU", skip_serializing_if = "Option::is_none")]
    pub viou: Option<f64>,
    /// A video's tracks: TrackEval's scores of that sequence.
    #[serde(rename = "HOTA", skip_serializing_if = "Option::is_none")]
    pub hota: Option<f64>,
    #[serde(rename = "MOTA", skip_serializing_if = "Option::is_none")]
    pub mota: Option<f64>,
    #[serde(rename = "IDF1", skip_serializing_if = "Option::is_none")]
    pub idf1: Option<f64>,
    #[serde(rename = "IDSW", skip_serializing_if = "Option::is_none")]
    pub idsw: Option<u64>,
    /// A video's boxes: pycocotools' AP and AP50 of its frames.
    #[serde(rename = "AP", skip_serializing_if = "Option::is_none")]
    pub ap: Option<f64>,
    #[serde(rename = "AP50", skip_serializing_if = "Option::is_none")]
    pub ap50: Option<f64>,
}
