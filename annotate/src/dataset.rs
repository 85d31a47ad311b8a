//! The dataset schema "vidence/3" (older versions are migrated on reading: `migrate`). Conventions: boxes are pixel `[x1,y1,x2,y2]` in the
//! rotation-applied frame; keyframes are 0-based frame indices in presentation order;
//! times are seconds from the first frame.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::geometry::BBox;
use crate::run::ModelRun;

pub const SCHEMA: &str = "vidence/3";

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

/// How a track's box moves between keyframes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    #[default]
    Linear,
    /// Keep the previous keyframe's box until the next keyframe.
    Hold,
    /// A smooth curve through the keyframes (monotone cubic: no overshoot between
    /// two keyframes).
    Smooth,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Keyframe {
    pub frame: u64,
    pub bbox: BBox,
    /// The object is out of frame from here until the next keyframe.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub occluded: bool,
}

/// One object through time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Track {
    pub id: String,
    pub video: String,
    pub category: String,
    /// Sorted by frame, one per frame at most.
    pub keyframes: Keyframes,
    #[serde(default)]
    pub interpolation: Interpolation,
    /// Its attributes' values, those for the whole track first, then by frame.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeValue>,
    /// Drawing order among overlapping boxes (CVAT's `z_order`); higher is on top.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub z_order: i32,
    pub source: Provenance,
    #[serde(default)]
    pub review: Review,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// A track's keyframes, shared between copies of the dataset until one of them
/// changes: copying a dataset (a save snapshot taken while editing goes on) then costs
/// a pointer per track, not every keyframe. Reads and writes go through `Vec`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Keyframes(Arc<Vec<Keyframe>>);

impl std::ops::Deref for Keyframes {
    type Target = Vec<Keyframe>;

    fn deref(&self) -> &Vec<Keyframe> {
        &self.0
    }
}

impl std::ops::DerefMut for Keyframes {
    /// Copies the keyframes first if another dataset still shares them.
    fn deref_mut(&mut self) -> &mut Vec<Keyframe> {
        Arc::make_mut(&mut self.0)
    }
}

impl From<Vec<Keyframe>> for Keyframes {
    fn from(keyframes: Vec<Keyframe>) -> Self {
        Self(Arc::new(keyframes))
    }
}

impl FromIterator<Keyframe> for Keyframes {
    fn from_iter<I: IntoIterator<Item = Keyframe>>(keyframes: I) -> Self {
        Self::from(keyframes.into_iter().collect::<Vec<_>>())
    }
}

impl<'a> IntoIterator for &'a Keyframes {
    type Item = &'a Keyframe;
    type IntoIter = std::slice::Iter<'a, Keyframe>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for Keyframes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_slice().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Keyframes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Keyframe>::deserialize(deserializer).map(Self::from)
    }
}

impl JsonSchema for Keyframes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        Vec::<Keyframe>::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Vec::<Keyframe>::json_schema(generator)
    }

    fn inline_schema() -> bool {
        Vec::<Keyframe>::inline_schema()
    }
}

/// A track's box on one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackBox {
    pub bbox: BBox,
    pub occluded: bool,
    /// The frame is a keyframe (not interpolated).
    pub keyframe: bool,
}

impl Track {
    /// Its attribute values on `frame`: those for the whole track, and each changing
    /// one's latest value at or before it.
    pub fn attributes_at(&self, frame: u64) -> Vec<&AttributeValue> {
        let mut out: Vec<&AttributeValue> = Vec::new();
        for a in self.attributes.iter().filter(|a| a.frame.is_none_or(|f| f <= frame)) {
            match out.iter_mut().find(|o| o.name == a.name) {
                Some(o) if o.frame <= a.frame => *o = a,
                Some(_) => {}
                None => out.push(a),
            }
        }
        out
    }

    /// The frames its boxes can be on, of a video of `frames` frames: from its first
    /// keyframe to its last, where that one marks it outside, else to the end.
    pub fn span_of_frames(&self, frames: u64) -> std::ops::Range<u64> {
        let (Some(first), Some(last)) = (self.keyframes.first(), self.keyframes.last()) else { return 0..0 };
        let end = if last.outside { last.frame } else { frames };
        first.frame..end.min(frames).max(first.frame)
    }

    /// The box on `frame`: the keyframe's own, interpolated between the keyframes around
    /// it, or held after the last one (the object stays until marked outside). `None`
    /// before the first keyframe and while outside.
    pub fn box_at(&self, frame: u64) -> Option<TrackBox> {
        let after = self.keyframes.partition_point(|k| k.frame <= frame);
        let prev = self.keyframes.get(after.checked_sub(1)?)?;
        if prev.outside {
            return None;
        }
        if prev.frame == frame {
            return Some(TrackBox { bbox: prev.bbox, occluded: prev.occluded, keyframe: true });
        }
        let Some(next) = self.keyframes.get(after) else {
            return Some(TrackBox { bbox: prev.bbox, occluded: prev.occluded, keyframe: false });
        };
        let bbox = match self.interpolation {
            Interpolation::Hold => prev.bbox,
            Interpolation::Linear | Interpolation::Smooth if next.outside => prev.bbox,
            Interpolation::Linear => {
                let t = (frame - prev.frame) as f32 / (next.frame - prev.frame) as f32;
                prev.bbox.lerp(&next.bbox, t)
            }
            Interpolation::Smooth => {
                // Neighbours on the same visible stretch shape the tangents.
                let before = after.checked_sub(2).and_then(|i| self.keyframes.get(i)).filter(|k| !k.outside);
                let beyond = self.keyframes.get(after + 1).filter(|k| !k.outside);
                smooth(before, prev, next, beyond, frame)
            }
        };
        Some(TrackBox { bbox, occluded: prev.occluded, keyframe: false })
    }
}

/// Monotone cubic Hermite (PCHIP) between `a` and `b`, per box coordinate.
fn smooth(
    before: Option<&Keyframe>,
    a: &Keyframe,
    b: &Keyframe,
    beyond: Option<&Keyframe>,
    frame: u64,
) -> BBox {
    let h = (b.frame - a.frame) as f32;
    let t = (frame - a.frame) as f32 / h;
    let slope =
        |p: &Keyframe, q: &Keyframe, i: usize| (q.bbox.0[i] - p.bbox.0[i]) / (q.frame - p.frame) as f32;
    // Tangent where two stretches meet: a weighted harmonic mean, zero at a turn.
    let tangent = |h0: f32, d0: f32, h1: f32, d1: f32| {
        if d0 * d1 <= 0.0 {
            0.0
        } else {
            let (w0, w1) = (2.0 * h1 + h0, h1 + 2.0 * h0);
            (w0 + w1) / (w0 / d0 + w1 / d1)
        }
    };
    let mut out = [0.0; 4];
    for (i, o) in out.iter_mut().enumerate() {
        let d = slope(a, b, i);
        let m0 = before.map_or(d, |p| tangent((a.frame - p.frame) as f32, slope(p, a, i), h, d));
        let m1 = beyond.map_or(d, |q| tangent(h, d, (q.frame - b.frame) as f32, slope(b, q, i)));
        let (t2, t3) = (t * t, t * t * t);
        *o = (2.0 * t3 - 3.0 * t2 + 1.0) * a.bbox.0[i]
            + (t3 - 2.0 * t2 + t) * h * m0
            + (-2.0 * t3 + 3.0 * t2) * b.bbox.0[i]
            + (t3 - t2) * h * m1;
    }
    // Corners move on their own curves; never let a box turn inside out.
    for (lo, hi) in [(0, 2), (1, 3)] {
        if out[hi] < out[lo] {
            let mid = (out[lo] + out[hi]) / 2.0;
            (out[lo], out[hi]) = (mid, mid);
        }
    }
    BBox(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn track(keyframes: Vec<Keyframe>, interpolation: Interpolation) -> Track {
        Track {
            attributes: Vec::new(),
            z_order: 0,
            id: "t".into(),
            video: "v".into(),
            category: "c".into(),
            keyframes: keyframes.into(),
            interpolation,
            source: Provenance::Human,
            review: Review::Unreviewed,
        }
    }

    fn kf(frame: u64, x: f32, outside: bool) -> Keyframe {
        Keyframe { frame, bbox: BBox::new(x, 0.0, x + 10.0, 10.0), outside, occluded: false }
    }

    #[test]
    fn interpolates_between_keyframes_and_respects_outside() {
        let t = track(
            vec![kf(10, 0.0, false), kf(20, 100.0, false), kf(30, 0.0, true), kf(40, 0.0, false)],
            Interpolation::Linear,
        );
        assert_eq!(t.box_at(9), None);
        assert_eq!(t.box_at(10).map(|b| (b.bbox.0[0], b.keyframe)), Some((0.0, true)));
        assert_eq!(t.box_at(15).map(|b| (b.bbox.0[0], b.keyframe)), Some((50.0, false)));
        assert_eq!(t.box_at(25).map(|b| b.bbox.0[0]), Some(100.0), "holds before an outside keyframe");
        assert_eq!(t.box_at(35), None);
        assert_eq!(t.box_at(40).map(|b| b.bbox.0[0]), Some(0.0));
        assert_eq!(
            t.box_at(41).map(|b| (b.bbox.0[0], b.keyframe)),
            Some((0.0, false)),
            "held after the last keyframe"
        );
        let hold = track(vec![kf(0, 0.0, false), kf(10, 100.0, false)], Interpolation::Hold);
        assert_eq!(hold.box_at(9).map(|b| b.bbox.0[0]), Some(0.0));
    }

    #[test]
    fn smooth_interpolation_is_exact_on_straight_motion_and_does_not_overshoot() {
        let straight =
            track(vec![kf(0, 0.0, false), kf(10, 10.0, false), kf(30, 30.0, false)], Interpolation::Smooth);
        for f in 0..=30 {
            let x = straight.box_at(f).map(|b| b.bbox.0[0]);
            assert!(x.is_some_and(|x| (x - f as f32).abs() < 1e-4), "frame {f}: {x:?}");
        }
        let turn =
            track(vec![kf(0, 0.0, false), kf(10, 100.0, false), kf(20, 0.0, false)], Interpolation::Smooth);
        let xs: Vec<f32> = (0..=20).filter_map(|f| turn.box_at(f)).map(|b| b.bbox.0[0]).collect();
        assert!(xs.iter().all(|&x| (0.0..=100.0).contains(&x)), "{xs:?}");
        // Smooth, unlike linear: it eases into the turn.
        let linear = track(turn.keyframes.to_vec(), Interpolation::Linear);
        assert!(turn.box_at(8).unwrap().bbox.0[0] > linear.box_at(8).unwrap().bbox.0[0]);
    }

    #[test]
    fn copies_share_keyframes_until_one_changes() {
        let mut a = track(vec![kf(0, 0.0, false), kf(10, 5.0, false)], Interpolation::Linear);
        let b = a.clone();
        assert!(std::ptr::eq(a.keyframes.as_ptr(), b.keyframes.as_ptr()), "a copy shares the keyframes");
        a.keyframes[0].bbox.0[0] = 99.0;
        assert!(!std::ptr::eq(a.keyframes.as_ptr(), b.keyframes.as_ptr()));
        assert_eq!(b.keyframes[0].bbox.0[0], 0.0, "the other copy is untouched");
        assert_eq!(a.keyframes[0].bbox.0[0], 99.0);
    }

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
        assert!(json.contains(r#""schema":"vidence/3""#));
        assert!(json.contains(r#""bbox":[1.5,0.0,11.5,10.0]"#));
        let back: Dataset = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
