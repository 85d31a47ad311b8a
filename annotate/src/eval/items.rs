//! The items scored: a question, or a video's tracks or boxes, with the run that
//! answers it and its scores, as a view sorts and filters them.

use serde::Serialize;

use super::answers::Rule;
use crate::dataset::QuestionKind;

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
