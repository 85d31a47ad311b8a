//! The dataset schema "vidence/5" (older versions are migrated on reading: `migrate`). Conventions: boxes are pixel `[x1,y1,x2,y2]` in the
//! rotation-applied frame; keyframes are 0-based frame indices in presentation order;
//! times are seconds from the first frame.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::geometry::BBox;
use crate::run::ModelRun;

mod track;

pub use track::{Interpolation, Keyframe, Keyframes, Track, TrackBox};

pub const SCHEMA: &str = "vidence/5";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// Always [`SCHEMA`] for this version.
    pub schema: String,
    #[serde(default)]
    pub videos: Vec<Video>,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub tracks: Vec<Track>,
    #[serde(default)]
    pub segments: Vec<Segment>,
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Model runs on the videos, with what was read out of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<ModelRun>,
}

impl Default for Dataset {
    fn default() -> Self {
        Self {
            schema: SCHEMA.to_owned(),
            videos: Vec::new(),
            categories: Vec::new(),
            tracks: Vec::new(),
            segments: Vec::new(),
            questions: Vec::new(),
            runs: Vec::new(),
        }
    }
}

impl Dataset {
    pub fn video(&self, id: &str) -> Option<&Video> {
        self.videos.iter().find(|v| v.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    pub fn segment(&self, id: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.id == id)
    }

    pub fn run(&self, id: &str) -> Option<&ModelRun> {
        self.runs.iter().find(|r| r.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// An id `PREFIX-N` that no label of any kind has (for many, see [`crate::Ids`]).
    pub fn fresh_id(&self, prefix: &str) -> String {
        crate::labels::Ids::of(self).next(prefix)
    }

    pub fn tracks_of<'a>(&'a self, video: &'a str) -> impl Iterator<Item = &'a Track> + 'a {
        self.tracks.iter().filter(move |t| t.video == video)
    }

    pub fn segments_of<'a>(&'a self, video: &'a str) -> impl Iterator<Item = &'a Segment> + 'a {
        self.segments.iter().filter(move |s| s.video == video)
    }

    pub fn questions_of<'a>(&'a self, video: &'a str) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions.iter().filter(move |q| q.video == video)
    }

    pub fn runs_of<'a>(&'a self, video: &'a str) -> impl Iterator<Item = &'a ModelRun> + 'a {
        self.runs.iter().filter(move |r| r.video == video)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Video {
    pub id: String,
    /// Relative to the dataset file's folder (or absolute).
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub frame_count: u64,
    pub duration_s: f64,
    /// What a benchmark says of the whole video, by name (V-STaR's `domain`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl Video {
    /// How the video file differs from this record of it (size, frame count, frame
    /// rate, duration), in words; empty when it matches. A re-encoded file shifts every
    /// keyframe and time, so a mismatch is told, never ignored.
    pub fn mismatches(&self, file: &Video) -> Vec<String> {
        let mut out = Vec::new();
        if (self.width, self.height) != (file.width, file.height) {
            out.push(format!(
                "{}x{} recorded, {}x{} in the file",
                self.width, self.height, file.width, file.height
            ));
        }
        if self.frame_count != file.frame_count {
            out.push(format!("{} frames recorded, {} in the file", self.frame_count, file.frame_count));
        }
        if (self.fps - file.fps).abs() > 1e-3 * self.fps.max(1.0) {
            out.push(format!("{:.3} fps recorded, {:.3} in the file", self.fps, file.fps));
        }
        // Half a frame of slack: containers round the last frame's duration.
        if (self.duration_s - file.duration_s).abs() > 0.5 / file.fps.max(1.0) {
            out.push(format!("{:.3} s recorded, {:.3} s in the file", self.duration_s, file.duration_s));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// Display colour, sRGB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<[u8; 3]>,
    /// The attributes a label of this category has (as CVAT's labels have them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeSpec>,
}

/// One attribute of a category's labels: its name, how it is entered and its values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeSpec {
    pub name: String,
    pub input: AttributeInput,
    /// The value may change along a track (else it holds for the whole track).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mutable: bool,
    /// The values to choose from (select, radio), or min, max and step (number).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub default: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeInput {
    Select,
    Radio,
    Checkbox,
    Number,
    Text,
}

/// A track's value of one attribute: for the whole track (`frame` absent), or from
/// `frame` on until the next value of the same attribute (a mutable attribute).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub name: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<u64>,
}

/// Where a label came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    Human,
    Model { model_id: String },
    Import { source: String },
}

/// What a reviewer said about a label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    #[default]
    Unreviewed,
    Accepted,
    Rejected,
    Edited,
}

/// A labelled time span on a video.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    pub video: String,
    pub label: String,
    pub start_s: f64,
    pub end_s: f64,
    pub source: Provenance,
    #[serde(default)]
    pub review: Review,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    What,
    When,
    Where,
    Counting,
    Direction,
    Distance,
    Other,
}

/// What supports an answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Segment { id: String },
    Track { id: String },
    Time { time_s: f64 },
    Span { start_s: f64, end_s: f64 },
    Box { time_s: f64, bbox: BBox },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RationaleKind {
    Perception,
    Reasoning,
}

/// One step of a rationale, optionally grounded to a time and a box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RationaleStep {
    pub text: String,
    pub kind: RationaleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BBox>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub video: String,
    pub kind: QuestionKind,
    pub text: String,
    /// Empty for open-ended questions.
    #[serde(default)]
    pub options: Vec<String>,
    pub answer: String,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub rationale: Vec<RationaleStep>,
    pub source: Provenance,
    #[serde(default)]
    pub review: Review,
}

impl Question {
    /// The first span its evidence gives, `(start_s, end_s)`.
    pub fn span(&self) -> Option<(f64, f64)> {
        self.evidence.iter().find_map(|e| match e {
            Evidence::Span { start_s, end_s } => Some((*start_s, *end_s)),
            _ => None,
        })
    }

    /// The id of the first track its evidence names.
    pub fn track(&self) -> Option<&str> {
        self.evidence.iter().find_map(|e| match e {
            Evidence::Track { id } => Some(id.as_str()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use track::tests::{kf, track};

    #[test]
    fn json_round_trip_keeps_everything() {
        let mut d = Dataset::default();
        d.tracks.push(track(vec![kf(0, 1.5, false)], Interpolation::Hold));
        d.questions.push(Question {
            id: "q".into(),
            video: "v".into(),
            kind: QuestionKind::When,
            text: "When?".into(),
            options: vec![],
            answer: "1 s".into(),
            evidence: vec![Evidence::Span { start_s: 1.0, end_s: 2.0 }, Evidence::Track { id: "t".into() }],
            rationale: vec![RationaleStep {
                text: "see".into(),
                kind: RationaleKind::Perception,
                time_s: Some(1.0),
                bbox: None,
            }],
            source: Provenance::Model { model_id: "m".into() },
            review: Review::Accepted,
        });
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""schema":"vidence/5""#));
        assert!(json.contains(r#""bbox":[1.5,0.0,11.5,10.0]"#));
        let back: Dataset = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
