//! Boxes frame by frame scored as pycocotools' `COCOeval` scores bounding boxes: each
//! frame an image, each category on its own, detections matched greedily by score at
//! the ten IoU thresholds 0.50..0.95 (a crowd box matched by any number and not
//! counted), precision interpolated at the 101 recall points; AP, AP50 and AP75 over
//! all areas with 100 detections an image, and AR the recall there. Ties between equal
//! scores go as pycocotools sends them (stable sorts), which is the order of the
//! frames and, within one, of the results file.

use serde::Serialize;

use crate::geometry::BBox;

const THRESHOLDS: usize = 10;
const RECALLS: usize = 101;
const MAX_DETS: usize = 100;

/// One frame's true boxes (and whether each is a crowd) and detections (with their
/// scores), by category.
#[derive(Clone, Debug, Default)]
pub struct Image {
    pub truth: Vec<(usize, BBox, bool)>,
    pub detections: Vec<(usize, BBox, f64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(non_snake_case)]
pub struct Detection {
    pub images: usize,
    pub AP: f64,
    pub AP50: f64,
    pub AP75: f64,
    pub AR: f64,
}

/// `np.linspace(.5, .95, 10)`: start plus step times the index, the last exactly 0.95.
fn threshold(t: usize) -> f64 {
    if t == THRESHOLDS - 1 { 0.95 } else { 0.5 + t as f64 * ((0.95 - 0.5) / 9.0) }
}

/// `np.linspace(0, 1, 101)`.
fn recall_point(r: usize) -> f64 {
    if r == RECALLS - 1 { 1.0 } else { r as f64 * (1.0 / 100.0) }
}

/// pycocotools' `bbIou`: a crowd box's overlap over the detection's area alone.
fn iou(d: &BBox, g: &BBox, crowd: bool) -> f64 {
    let [dx0, dy0, dx1, dy1] = d.0.map(f64::from);
    let [gx0, gy0, gx1, gy1] = g.0.map(f64::from);
    let (dw, dh, gw, gh) = (dx1 - dx0, dy1 - dy0, gx1 - gx0, gy1 - gy0);
    let w = (dx0 + dw).min(gx0 + gw) - dx0.max(gx0);
    let h = (dy0 + dh).min(gy0 + gh) - dy0.max(gy0);
    if w <= 0.0 || h <= 0.0 {
        return 0.0;
    }
    let inter = w * h;
    let union = if crowd { dw * dh } else { dw * dh + gw * gh - inter };
    inter / union
}

/// One image's detections of one category: scores (highest first) and, at each
/// threshold, whether each matched a true box and whether it is left out (matched a
/// crowd), with how many true boxes count.
struct Matched {
    scores: Vec<f64>,
    matched: Vec<[bool; THRESHOLDS]>,
    ignored: Vec<[bool; THRESHOLDS]>,
    counted: usize,
}

/// `evaluateImg` for one image and category; `None` where it has neither.
fn match_image(image: &Image, category: usize) -> Option<Matched> {
    // The true boxes, those not crowds first (a stable sort on the ignore flag).
    let mut truth: Vec<(&BBox, bool)> =
        image.truth.iter().filter(|(c, _, _)| *c == category).map(|(_, b, crowd)| (b, *crowd)).collect();
    truth.sort_by_key(|(_, crowd)| *crowd);
    let mut dets: Vec<(&BBox, f64)> =
        image.detections.iter().filter(|(c, _, _)| *c == category).map(|(_, b, s)| (b, *s)).collect();
    if truth.is_empty() && dets.is_empty() {
        return None;
    }
    dets.sort_by(|a, b| b.1.total_cmp(&a.1));
    dets.truncate(MAX_DETS);
    let ious: Vec<Vec<f64>> =
        dets.iter().map(|(d, _)| truth.iter().map(|(g, crowd)| iou(d, g, *crowd)).collect()).collect();
    let mut matched = vec![[false; THRESHOLDS]; dets.len()];
    let mut ignored = vec![[false; THRESHOLDS]; dets.len()];
    for t in 0..THRESHOLDS {
        let mut taken = vec![false; truth.len()];
        for (d, row) in ious.iter().enumerate() {
            let mut best = threshold(t).min(1.0 - 1e-10);
            let mut found: Option<usize> = None;
            for (g, &(_, crowd)) in truth.iter().enumerate() {
                if taken[g] && !crowd {
                    continue;
                }
                // A real box found: crowds (sorted after) cannot take it over.
                if found.is_some_and(|m| !truth[m].1) && crowd {
                    break;
                }
                if row[g] < best {
                    continue;
                }
                best = row[g];
                found = Some(g);
            }
            if let Some(g) = found {
                ignored[d][t] = truth[g].1;
                matched[d][t] = true;
                taken[g] = true;
            }
        }
    }
    Some(Matched {
        scores: dets.iter().map(|(_, s)| *s).collect(),
        matched,
        ignored,
        counted: truth.iter().filter(|(_, crowd)| !crowd).count(),
    })
}

/// `accumulate` and `summarize` over `images` for `categories` categories.
pub fn score(images: &[Image], categories: usize) -> Detection {
    // Precision at each threshold and recall point, and recall at each threshold, of
    // each category with true boxes.
    let mut precision: Vec<[[f64; RECALLS]; THRESHOLDS]> = Vec::new();
    let mut recall: Vec<[f64; THRESHOLDS]> = Vec::new();
    for k in 0..categories {
        let per_image: Vec<Matched> = images.iter().filter_map(|i| match_image(i, k)).collect();
        let counted: usize = per_image.iter().map(|m| m.counted).sum();
        if counted == 0 {
            continue;
        }
        let mut dets: Vec<(f64, [bool; THRESHOLDS], [bool; THRESHOLDS])> = per_image
            .iter()
            .flat_map(|m| m.scores.iter().zip(&m.matched).zip(&m.ignored).map(|((s, a), b)| (*s, *a, *b)))
            .collect();
        dets.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut p = [[0.0; RECALLS]; THRESHOLDS];
        let mut r = [0.0; THRESHOLDS];
        for t in 0..THRESHOLDS {
            let (mut tp, mut fp) = (0.0, 0.0);
            let mut rc = Vec::with_capacity(dets.len());
            let mut pr = Vec::with_capacity(dets.len());
            for (_, matched, ignored) in &dets {
                if ignored[t] {
                    // Neither a hit nor a miss, but still a point on the curve.
                } else if matched[t] {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
                rc.push(tp / counted as f64);
                pr.push(tp / (fp + tp + f64::EPSILON));
            }
            r[t] = rc.last().copied().unwrap_or(0.0);
            for i in (1..pr.len()).rev() {
                if pr[i] > pr[i - 1] {
                    pr[i - 1] = pr[i];
                }
            }
            for (ri, slot) in p[t].iter_mut().enumerate() {
                // `np.searchsorted(rc, recThrs, side='left')`; past the end stays 0.
                let at = rc.partition_point(|&x| x < recall_point(ri));
                *slot = pr.get(at).copied().unwrap_or(0.0);
            }
        }
        precision.push(p);
        recall.push(r);
    }
    let mean = |v: Vec<f64>| if v.is_empty() { -1.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    let at = |t: usize| mean(precision.iter().flat_map(|p| p[t].iter().copied()).collect());
    Detection {
        images: images.len(),
        AP: mean(precision.iter().flat_map(|p| p.iter().flatten().copied()).collect()),
        AP50: at(0),
        AP75: at(5),
        AR: mean(recall.iter().flatten().copied().collect()),
    }
}
