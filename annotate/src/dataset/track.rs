//! Objects through time: a track's keyframes (shared between copies until one
//! changes), how its box moves between them, and its box and attributes on a frame.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AttributeValue, Provenance, Review};
use crate::geometry::BBox;

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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::dataset) fn track(keyframes: Vec<Keyframe>, interpolation: Interpolation) -> Track {
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

    pub(in crate::dataset) fn kf(frame: u64, x: f32, outside: bool) -> Keyframe {
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
}
