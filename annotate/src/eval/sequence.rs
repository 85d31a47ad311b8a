//! A video's tracks and a tracker's run as the frames the tracking metrics compare:
//! the true boxes frame by frame (interpolated between keyframes), the run's boxes
//! grouped by the object each names, and their IoU as TrackEval works it out. Ground
//! truth in MOTChallenge's classes is prepared as TrackEval prepares MOT17: only
//! pedestrians are scored, and a tracker's box that matches a distractor (a person on
//! a vehicle, a static person, a distractor, a reflection) is dropped. Everywhere a
//! true box whose `consider` attribute is 0 is dropped, as TrackEval drops it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::assign::best_positive;
use super::tracking::{Frame, Sequence};
use crate::dataset::{Dataset, Video};
use crate::formats::MOT_CLASSES;
use crate::geometry::BBox;
use crate::run::ModelRun;
use crate::time::{ConstantRate, FrameTimes};

const EPS: f64 = f64::EPSILON;
const DISTRACTORS: [&str; 4] = ["person on vehicle", "static person", "distractor", "reflection"];

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Scored,
    Distractor,
    Ignored,
}

struct TrueBox {
    track: usize,
    bbox: BBox,
    role: Role,
    considered: bool,
}

/// Whether no object of `run` has two boxes on one frame: a tracker's run.
pub fn one_box_an_object(run: &ModelRun) -> bool {
    let mut seen = HashSet::new();
    run.prediction.boxes.iter().all(|b| seen.insert((b.label.as_deref(), b.time_s.map(f64::to_bits))))
}

/// The sequence of `video`'s tracks against `run`'s boxes (none: a tracker that saw nothing).
pub fn of(data: &Dataset, video: &Video, run: Option<&ModelRun>) -> Sequence {
    let times = ConstantRate { fps: video.fps, frames: video.frame_count.max(1) };
    let frames = times.frame_count();
    let tracks: Vec<_> = data.tracks_of(&video.id).collect();
    let names: Vec<&str> = tracks
        .iter()
        .map(|t| data.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str()))
        .collect();
    let mot = !names.is_empty() && names.iter().all(|n| MOT_CLASSES.contains(n));
    // Only the frames with a box: a long video's empty frames count for nothing.
    let mut truth: BTreeMap<u64, Vec<TrueBox>> = BTreeMap::new();
    for (k, t) in tracks.iter().enumerate() {
        let role = match names[k] {
            _ if !mot => Role::Scored,
            "pedestrian" => Role::Scored,
            n if DISTRACTORS.contains(&n) => Role::Distractor,
            _ => Role::Ignored,
        };
        let zero =
            |a: &crate::dataset::AttributeValue| a.name == "consider" && a.value.parse::<f64>() == Ok(0.0);
        let ever_zero = t.attributes.iter().any(zero);
        for f in t.span_of_frames(frames) {
            let Some(b) = t.box_at(f) else { continue };
            let considered = !ever_zero || !t.attributes_at(f).into_iter().any(zero);
            truth.entry(f).or_default().push(TrueBox { track: k, bbox: b.bbox, role, considered });
        }
    }
    // The run's boxes by object, numbered as they first appear; one box an object a frame.
    let mut tracked: BTreeMap<u64, Vec<(usize, BBox)>> = BTreeMap::new();
    let mut objects: HashMap<&str, usize> = HashMap::new();
    for b in run.map_or(&[][..], |r| r.prediction.boxes.as_slice()) {
        let Some(t) = b.time_s else { continue };
        let next = objects.len();
        let id = *objects.entry(b.label.as_deref().unwrap_or("")).or_insert(next);
        let on = tracked.entry(times.frame_at_time(t)).or_default();
        if !on.iter().any(|(j, _)| *j == id) {
            on.push((id, b.bbox));
        }
    }
    let on_frames: BTreeSet<u64> = truth.keys().chain(tracked.keys()).copied().collect();
    let mut out: Vec<Frame> = Vec::with_capacity(on_frames.len());
    for f in on_frames {
        let (gt, tr) =
            (truth.get(&f).map_or(&[][..], Vec::as_slice), tracked.get(&f).map_or(&[][..], Vec::as_slice));
        let sim: Vec<f64> = gt.iter().flat_map(|g| tr.iter().map(|(_, b)| iou(&g.bbox, b))).collect();
        let cols = tr.len();
        let mut dropped = vec![false; cols];
        if mot && cols > 0 && gt.iter().any(|g| g.role == Role::Distractor) {
            let score: Vec<f64> = sim.iter().map(|&s| if s < 0.5 - EPS { 0.0 } else { s }).collect();
            for (i, j) in best_positive(gt.len(), cols, &score) {
                if gt[i].role == Role::Distractor {
                    dropped[j] = true;
                }
            }
        }
        let rows: Vec<usize> =
            (0..gt.len()).filter(|&i| gt[i].considered && gt[i].role == Role::Scored).collect();
        let kept: Vec<usize> = (0..cols).filter(|&j| !dropped[j]).collect();
        out.push(Frame {
            gt: rows.iter().map(|&i| gt[i].track).collect(),
            tracker: kept.iter().map(|&j| tr[j].0).collect(),
            similarity: rows
                .iter()
                .flat_map(|&i| kept.iter().map(move |&j| (i, j)))
                .map(|(i, j)| sim[i * cols + j])
                .collect(),
        });
    }
    // Ids counted from 0 over the boxes that stay, in the order of the original ids.
    let gt_ids = relabel(out.iter_mut().map(|f| &mut f.gt).collect());
    let tracker_ids = relabel(out.iter_mut().map(|f| &mut f.tracker).collect());
    Sequence { gt_ids, tracker_ids, frames: out }
}

/// Renumbers the ids seen from 0, keeping their order; how many there are.
fn relabel(frames: Vec<&mut Vec<usize>>) -> usize {
    let mut seen: Vec<usize> = frames.iter().flat_map(|ids| ids.iter().copied()).collect();
    seen.sort_unstable();
    seen.dedup();
    let mut to = vec![0; seen.last().map_or(0, |&m| m + 1)];
    for (new, &old) in seen.iter().enumerate() {
        to[old] = new;
    }
    for ids in frames {
        ids.iter_mut().for_each(|id| *id = to[*id]);
    }
    seen.len()
}

/// TrackEval's box IoU: 0 where either box or the union has no area.
fn iou(a: &BBox, b: &BBox) -> f64 {
    let [ax0, ay0, ax1, ay1] = a.0.map(f64::from);
    let [bx0, by0, bx1, by1] = b.0.map(f64::from);
    let inter = (ax1.min(bx1) - ax0.max(bx0)).max(0.0) * (ay1.min(by1) - ay0.max(by0)).max(0.0);
    let (area_a, area_b) = ((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0));
    let union = area_a + area_b - inter;
    if area_a <= EPS || area_b <= EPS || union <= EPS { 0.0 } else { inter / union }
}
