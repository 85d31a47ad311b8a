//! What a model said about a video, read out of its text: an answer, boxes (with the
//! time each refers to), points, time spans and reasoning steps, in video pixels and
//! seconds from the video's first frame.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dataset::RationaleStep;
use crate::geometry::BBox;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    /// The final answer, if the model gave one in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    #[serde(default)]
    pub boxes: Vec<PredictedBox>,
    #[serde(default)]
    pub points: Vec<PredictedPoint>,
    #[serde(default)]
    pub spans: Vec<PredictedSpan>,
    /// The reasoning, a step per sentence; a step that names a time or a box is
    /// grounded to it.
    #[serde(default)]
    pub steps: Vec<RationaleStep>,
    /// Parts of the text that looked like evidence but could not be read, and why.
    #[serde(default)]
    pub problems: Vec<String>,
}

/// A box the model drew, and the object and time it named with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictedBox {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<f64>,
    /// The time as the model wrote it, where a benchmark matches it as text (V-STaR's
    /// `eval.py` finds a box by `str(timestamp)`, where `2` and `2.0` differ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_text: Option<String>,
    pub bbox: BBox,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictedPoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<f64>,
    pub x: f32,
    pub y: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictedSpan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub start_s: f64,
    pub end_s: f64,
}
