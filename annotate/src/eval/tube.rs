//! Where over time: a predicted tube against the true one, as TubeDETR's VidSTG and
//! HC-STVG evaluators compute vIoU (after their fix of 2022-05-25, which made the
//! denominator's end the later of the two ends, not the earlier).

use crate::geometry::BBox;

/// One evaluated frame: its time, and the true and predicted boxes there.
pub struct Frame {
    pub time_s: f64,
    pub truth: Option<BBox>,
    pub predicted: Option<BBox>,
}

/// The boxes' IoU summed over the frames in both spans, over the frames from the
/// earlier start to the later end (TubeDETR's `union_predgt`, which is the hull: a
/// gap between the spans counts). A frame missing either box adds 0.
pub fn viou(frames: &[Frame], truth: (f64, f64), predicted: (f64, f64)) -> f64 {
    let within = |t: f64, (start, end): (f64, f64)| start <= t && t < end;
    let both = (truth.0.max(predicted.0), truth.1.min(predicted.1));
    let hull = (truth.0.min(predicted.0), truth.1.max(predicted.1));
    let sum: f64 = frames
        .iter()
        .filter(|f| within(f.time_s, both))
        .map(|f| match (&f.truth, &f.predicted) {
            (Some(t), Some(p)) => iou(t, p),
            _ => 0.0,
        })
        .sum();
    sum / frames.iter().filter(|f| within(f.time_s, hull)).count().max(1) as f64
}

/// IoU in 64 bits, as numpy computes TubeDETR's `np_box_iou` of the two corners.
pub fn iou(a: &BBox, b: &BBox) -> f64 {
    let [a, b] = [a.0.map(f64::from), b.0.map(f64::from)];
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h;
    if union > 0.0 { w * h / union } else { 0.0 }
}
