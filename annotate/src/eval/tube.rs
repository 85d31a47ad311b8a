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
            (Some(t), Some(p)) => f64::from(t.iou(p)),
            _ => 0.0,
        })
        .fold(0.0, |sum, iou| sum + iou);
    sum / frames.iter().filter(|f| within(f.time_s, hull)).count().max(1) as f64
}
