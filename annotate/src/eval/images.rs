//! A video's tracks and a detector's run as the images pycocotools compares: each
//! frame with a box an image, the true boxes there (interpolated between keyframes; a
//! track whose `iscrowd` attribute is 1 a crowd) and the run's boxes with their
//! confidences, each under the category its label names (the label itself, else
//! without a trailing object number); a box of a category the labels do not have is
//! not scored, as pycocotools scores only the ground truth's categories.

use std::collections::BTreeMap;

use super::detection::Image;
use crate::dataset::{Dataset, Video};
use crate::run::ModelRun;
use crate::time::{ConstantRate, FrameTimes};

/// Whether `run` is a detector's on `data`: a confidence for every box, as
/// pycocotools needs, and boxes under the labels' categories (a tracker's results
/// name objects of no category, and are not).
pub fn scored(data: &Dataset, run: &ModelRun) -> bool {
    let names: Vec<&str> = data.categories.iter().map(|c| c.name.as_str()).collect();
    run.box_confidence.len() == run.prediction.boxes.len()
        && run.box_confidence.iter().all(Option::is_some)
        && run
            .prediction
            .boxes
            .iter()
            .any(|b| category_of(&names, b.label.as_deref().unwrap_or("")).is_some())
}

/// The category of a run's box labelled `label`, among `names`.
fn category_of(names: &[&str], label: &str) -> Option<usize> {
    let label = label.trim();
    let base = label.rsplit_once(' ').filter(|(_, n)| n.parse::<u64>().is_ok()).map_or(label, |(b, _)| b);
    names.iter().position(|n| *n == label).or_else(|| names.iter().position(|n| *n == base))
}

/// The images of `video`, by the dataset's categories in order.
pub fn of(data: &Dataset, video: &Video, run: Option<&ModelRun>) -> Vec<Image> {
    let times = ConstantRate { fps: video.fps, frames: video.frame_count.max(1) };
    let frames = times.frame_count();
    let names: Vec<&str> = data.categories.iter().map(|c| c.name.as_str()).collect();
    // Only the frames with a box: a long video's empty frames count for nothing.
    let mut images: BTreeMap<u64, Image> = BTreeMap::new();
    for t in data.tracks_of(&video.id) {
        let Some(category) = data.categories.iter().position(|c| c.id == t.category) else { continue };
        let crowd = t.attributes.iter().any(|a| a.name == "iscrowd" && a.value.trim() == "1");
        for f in t.span_of_frames(frames) {
            if let Some(b) = t.box_at(f) {
                images.entry(f).or_default().truth.push((category, b.bbox, crowd));
            }
        }
    }
    if let Some(run) = run {
        for (b, score) in run.prediction.boxes.iter().zip(&run.box_confidence) {
            let (Some(time), Some(score)) = (b.time_s, score) else { continue };
            let Some(category) = category_of(&names, b.label.as_deref().unwrap_or("")) else { continue };
            let image = images.entry(times.frame_at_time(time)).or_default();
            image.detections.push((category, b.bbox, f64::from(*score)));
        }
    }
    images.into_values().collect()
}
