//! A model's runs over whole videos, a tracker's and a detector's, scored video by
//! video: each video with labels or a run is an item, and one the model did not run
//! on scores as a run that found nothing.

use std::collections::HashMap;

use super::detection::{self, Detection};
use super::items::{Item, ItemKind, ItemScores};
use super::tracking::{self, Tracking};
use super::{images, sequence};
use crate::dataset::{Dataset, Video};
use crate::run::{ModelRun, TaskKind};

/// Each video with labels or one of `runs`, with each of its runs, or none.
fn per_video<'a>(data: &'a Dataset, runs: &[&'a ModelRun]) -> Vec<(&'a Video, Option<&'a ModelRun>)> {
    let mut by_video: HashMap<&str, Vec<&ModelRun>> = HashMap::new();
    for r in runs {
        by_video.entry(r.video.as_str()).or_default().push(r);
    }
    let labelled: std::collections::HashSet<&str> = data.tracks.iter().map(|t| t.video.as_str()).collect();
    let mut out = Vec::new();
    for video in &data.videos {
        let on = by_video.remove(video.id.as_str()).unwrap_or_default();
        if on.is_empty() && !labelled.contains(video.id.as_str()) {
            continue;
        }
        if on.is_empty() {
            out.push((video, None));
        }
        out.extend(on.into_iter().map(|r| (video, Some(r))));
    }
    out
}

/// The model's runs over whole videos with boxes that `keep` keeps.
fn whole_video_runs<'a>(
    data: &'a Dataset,
    model: &str,
    keep: impl Fn(&ModelRun) -> bool,
) -> Vec<&'a ModelRun> {
    data.runs
        .iter()
        .filter(|r| r.model.name == model && r.answers.is_none() && !r.prediction.boxes.is_empty() && keep(r))
        .collect()
}

/// The model's tracker runs (no object twice on a frame, as TrackEval requires)
/// against each video's tracks: the combined scores and an item a sequence.
pub(super) fn tracking(data: &Dataset, model: &str) -> (Option<Tracking>, Vec<Item>) {
    let runs = whole_video_runs(data, model, |r| {
        r.settings.task == TaskKind::Track && sequence::one_box_an_object(r)
    });
    if runs.is_empty() {
        return (None, Vec::new());
    }
    let mut counts = Vec::new();
    let mut items = Vec::new();
    for (video, run) in per_video(data, &runs) {
        let c = sequence::of(data, video, run).count();
        let s = c.scores(1);
        let scores = ItemScores {
            hota: Some(s.HOTA),
            mota: Some(s.MOTA),
            idf1: Some(s.IDF1),
            idsw: Some(s.IDSW),
            ..ItemScores::default()
        };
        items.push(whole_video_item(video, run, ItemKind::Tracks, scores));
        counts.push(c);
    }
    (Some(tracking::Counts::combine(&counts).scores(counts.len())), items)
}

/// The model's runs with a confidence on every box against each video's boxes, frame
/// by frame: pycocotools' scores of all the frames and an item a video.
pub(super) fn detection(data: &Dataset, model: &str) -> (Option<Detection>, Vec<Item>) {
    let runs = whole_video_runs(data, model, |r| images::scored(data, r));
    if runs.is_empty() {
        return (None, Vec::new());
    }
    let categories = data.categories.len();
    let mut all = Vec::new();
    let mut items = Vec::new();
    for (video, run) in per_video(data, &runs) {
        let frames = images::of(data, video, run);
        let s = detection::score(&frames, categories);
        let scores = ItemScores { ap: Some(s.AP), ap50: Some(s.AP50), ..ItemScores::default() };
        items.push(whole_video_item(video, run, ItemKind::Boxes, scores));
        all.extend(frames);
    }
    (Some(detection::score(&all, categories)), items)
}

fn whole_video_item(video: &Video, run: Option<&ModelRun>, kind: ItemKind, scores: ItemScores) -> Item {
    Item {
        id: video.id.clone(),
        video: video.id.clone(),
        kind,
        chain: None,
        run: run.map(|r| r.id.clone()),
        scores,
    }
}
