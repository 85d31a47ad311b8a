//! Multi-object tracking scored as TrackEval scores it: HOTA (with DetA, AssA and LocA
//! over the nineteen alphas 0.05..0.95), CLEAR (MOTA, MOTP, IDSW, FP, FN, MT/PT/ML,
//! Frag) and Identity (IDF1). Each is a port of TrackEval's `eval_sequence`, down to
//! its tolerances and its quirks (CLEAR carries a match on only through the frame
//! before, and a frame without a tracker's box does not end that), but for Identity's
//! one-to-one matching of ids, solved as the number it comes to and group by group
//! (TrackEval's square matrix of every id is gigabytes for a tracker with thousands
//! of false ids); sequences are combined as its `combine_sequences` does.
//! py-motmetrics carries a match on across frames where the object is gone, so its
//! MOTA can differ where an object comes back.

use std::collections::HashMap;

use serde::Serialize;

use super::assign::{best_positive, cheapest};

/// What TrackEval's `np.finfo('float').eps` guards its comparisons with.
const EPS: f64 = f64::EPSILON;
/// The IoU a CLEAR or Identity match needs.
const THRESHOLD: f64 = 0.5;
const ALPHAS: usize = 19;

/// HOTA's localisation thresholds, 0.05 to 0.95 as `np.arange(0.05, 0.99, 0.05)`.
fn alpha(a: usize) -> f64 {
    0.05 + a as f64 * 0.05
}

/// One video's boxes, frame by frame: the true objects' and the tracker's, by ids
/// counted from 0, and their IoU.
#[derive(Clone, Debug, Default)]
pub struct Sequence {
    pub gt_ids: usize,
    pub tracker_ids: usize,
    pub frames: Vec<Frame>,
}

#[derive(Clone, Debug, Default)]
pub struct Frame {
    pub gt: Vec<usize>,
    pub tracker: Vec<usize>,
    /// `gt.len()` x `tracker.len()`, row by row.
    pub similarity: Vec<f64>,
}

impl Frame {
    fn sim(&self, i: usize, j: usize) -> f64 {
        self.similarity[i * self.tracker.len() + j]
    }
}

/// The counts of one sequence or of several combined, from which the scores follow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    hota_tp: [f64; ALPHAS],
    hota_fn: [f64; ALPHAS],
    hota_fp: [f64; ALPHAS],
    ass_a: [f64; ALPHAS],
    ass_re: [f64; ALPHAS],
    ass_pr: [f64; ALPHAS],
    loc_a: [f64; ALPHAS],
    clear: Clear,
    id_tp: f64,
    id_fn: f64,
    id_fp: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Clear {
    tp: f64,
    fn_: f64,
    fp: f64,
    idsw: f64,
    mt: f64,
    pt: f64,
    ml: f64,
    frag: f64,
    motp_sum: f64,
    /// A sequence without a tracker's box or a true one: TrackEval returns before it
    /// works out MOTA and the rest, so they stay 0 (and MLR 1).
    empty: bool,
}

/// The scores, named as TrackEval names them; fractions 0..1 but the counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(non_snake_case)]
pub struct Tracking {
    pub sequences: usize,
    pub HOTA: f64,
    pub DetA: f64,
    pub AssA: f64,
    pub LocA: f64,
    pub DetRe: f64,
    pub DetPr: f64,
    pub AssRe: f64,
    pub AssPr: f64,
    pub MOTA: f64,
    pub MOTP: f64,
    pub MODA: f64,
    pub IDF1: f64,
    pub IDR: f64,
    pub IDP: f64,
    pub IDSW: u64,
    pub FP: u64,
    pub FN: u64,
    pub TP: u64,
    pub MT: u64,
    pub PT: u64,
    pub ML: u64,
    pub Frag: u64,
}

impl Sequence {
    pub fn gt_dets(&self) -> usize {
        self.frames.iter().map(|f| f.gt.len()).sum()
    }

    pub fn tracker_dets(&self) -> usize {
        self.frames.iter().map(|f| f.tracker.len()).sum()
    }

    /// How often each true and each tracked id is seen.
    fn id_counts(&self) -> (Vec<f64>, Vec<f64>) {
        let mut gt = vec![0.0; self.gt_ids];
        let mut tracker = vec![0.0; self.tracker_ids];
        for f in &self.frames {
            f.gt.iter().for_each(|&i| gt[i] += 1.0);
            f.tracker.iter().for_each(|&j| tracker[j] += 1.0);
        }
        (gt, tracker)
    }

    pub fn count(&self) -> Counts {
        let mut c = Counts::default();
        self.hota(&mut c);
        c.clear = self.clear();
        self.identity(&mut c);
        c
    }

    fn hota(&self, c: &mut Counts) {
        c.loc_a = [1.0; ALPHAS];
        let (gt_dets, tracker_dets) = (self.gt_dets() as f64, self.tracker_dets() as f64);
        if tracker_dets == 0.0 {
            c.hota_fn = [gt_dets; ALPHAS];
            return;
        }
        if gt_dets == 0.0 {
            c.hota_fp = [tracker_dets; ALPHAS];
            return;
        }
        let (gt_count, tracker_count) = self.id_counts();
        // The pairs of ids whose boxes ever overlap, numbered; each frame's entries
        // by pair (none where the boxes do not overlap, which scores 0 throughout).
        let mut pair_of: HashMap<(usize, usize), usize> = HashMap::new();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut entries: Vec<Vec<usize>> = Vec::with_capacity(self.frames.len());
        // How well each pair lines up over the whole video, before matching.
        let mut potential: Vec<f64> = Vec::new();
        for f in &self.frames {
            let (rows, cols) = (f.gt.len(), f.tracker.len());
            let row_sum: Vec<f64> = (0..rows).map(|i| (0..cols).map(|j| f.sim(i, j)).sum()).collect();
            let col_sum: Vec<f64> = (0..cols).map(|j| (0..rows).map(|i| f.sim(i, j)).sum()).collect();
            let mut on = vec![usize::MAX; rows * cols];
            for i in 0..rows {
                for j in 0..cols {
                    let s = f.sim(i, j);
                    if s == 0.0 {
                        continue;
                    }
                    let key = (f.gt[i], f.tracker[j]);
                    let p = *pair_of.entry(key).or_insert_with(|| {
                        pairs.push(key);
                        potential.push(0.0);
                        pairs.len() - 1
                    });
                    on[i * cols + j] = p;
                    let denom = col_sum[j] + row_sum[i] - s;
                    if denom > EPS {
                        potential[p] += s / denom;
                    }
                }
            }
            entries.push(on);
        }
        let alignment: Vec<f64> = pairs
            .iter()
            .zip(&potential)
            .map(|(&(g, t), p)| p / (gt_count[g] + tracker_count[t] - p))
            .collect();
        // Each pair's matches at each alpha, and the IoU summed over matches.
        let mut matches: Vec<[f64; ALPHAS]> = vec![[0.0; ALPHAS]; pairs.len()];
        let mut loc_sum = [0.0; ALPHAS];
        for (f, on) in self.frames.iter().zip(&entries) {
            let (rows, cols) = (f.gt.len(), f.tracker.len());
            let score: Vec<f64> = on
                .iter()
                .enumerate()
                .map(|(k, &p)| if p == usize::MAX { 0.0 } else { alignment[p] * f.similarity[k] })
                .collect();
            let matched = best_positive(rows, cols, &score);
            let mut kept = [0.0; ALPHAS];
            for (i, j) in matched {
                let s = f.sim(i, j);
                // The alphas rise, so those a match passes come first.
                let passes = (0..ALPHAS).take_while(|&a| s >= alpha(a) - EPS).count();
                for a in 0..passes {
                    kept[a] += 1.0;
                    loc_sum[a] += s;
                    matches[on[i * cols + j]][a] += 1.0;
                }
            }
            for (a, n) in kept.iter().enumerate() {
                c.hota_tp[a] += n;
                c.hota_fn[a] += rows as f64 - n;
                c.hota_fp[a] += cols as f64 - n;
            }
        }
        for a in 0..ALPHAS {
            let tp = c.hota_tp[a].max(1.0);
            let (mut ass_a, mut ass_re, mut ass_pr) = (0.0, 0.0, 0.0);
            for (&(g, t), m) in pairs.iter().zip(&matches) {
                let m = m[a];
                ass_a += m * (m / (gt_count[g] + tracker_count[t] - m).max(1.0));
                ass_re += m * (m / gt_count[g].max(1.0));
                ass_pr += m * (m / tracker_count[t].max(1.0));
            }
            c.ass_a[a] = ass_a / tp;
            c.ass_re[a] = ass_re / tp;
            c.ass_pr[a] = ass_pr / tp;
            c.loc_a[a] = loc_sum[a].max(1e-10) / c.hota_tp[a].max(1e-10);
        }
    }

    fn clear(&self) -> Clear {
        let mut r = Clear::default();
        let (gt_dets, tracker_dets) = (self.gt_dets() as f64, self.tracker_dets() as f64);
        if tracker_dets == 0.0 {
            return Clear { fn_: gt_dets, ml: self.gt_ids as f64, empty: true, ..Clear::default() };
        }
        if gt_dets == 0.0 {
            return Clear { fp: tracker_dets, empty: true, ..Clear::default() };
        }
        let n = self.gt_ids;
        let mut seen = vec![0.0; n];
        let mut matched = vec![0.0; n];
        let mut frag = vec![0.0; n];
        // The id a true object was last matched to, ever (for switches), and in the
        // last frame that had boxes of both (to carry a match on).
        let mut last: Vec<Option<usize>> = vec![None; n];
        let mut previous: Vec<Option<usize>> = vec![None; n];
        let mut matched_before: Vec<usize> = Vec::new();
        for f in &self.frames {
            let (rows, cols) = (f.gt.len(), f.tracker.len());
            if rows == 0 {
                r.fp += cols as f64;
                continue;
            }
            if cols == 0 {
                r.fn_ += rows as f64;
                f.gt.iter().for_each(|&g| seen[g] += 1.0);
                continue;
            }
            let mut score = Vec::with_capacity(rows * cols);
            for i in 0..rows {
                for j in 0..cols {
                    let s = f.sim(i, j);
                    let carried = if previous[f.gt[i]] == Some(f.tracker[j]) { 1000.0 } else { 0.0 };
                    score.push(if s < THRESHOLD - EPS { 0.0 } else { carried + s });
                }
            }
            // Scores are 0 or at least the threshold: positive is above TrackEval's eps.
            let pairs = best_positive(rows, cols, &score);
            for &(i, j) in &pairs {
                let (g, t) = (f.gt[i], f.tracker[j]);
                if last[g].is_some_and(|p| p != t) {
                    r.idsw += 1.0;
                }
            }
            f.gt.iter().for_each(|&g| seen[g] += 1.0);
            // A match of an object not matched in the last such frame starts a stretch.
            for &(i, _) in &pairs {
                if previous[f.gt[i]].is_none() {
                    frag[f.gt[i]] += 1.0;
                }
            }
            for g in matched_before.drain(..) {
                previous[g] = None;
            }
            for &(i, j) in &pairs {
                let (g, t) = (f.gt[i], f.tracker[j]);
                matched[g] += 1.0;
                last[g] = Some(t);
                previous[g] = Some(t);
                matched_before.push(g);
            }
            r.tp += pairs.len() as f64;
            r.fn_ += (rows - pairs.len()) as f64;
            r.fp += (cols - pairs.len()) as f64;
            r.motp_sum += pairs.iter().map(|&(i, j)| f.sim(i, j)).sum::<f64>();
        }
        for g in 0..n {
            if seen[g] > 0.0 {
                let ratio = matched[g] / seen[g];
                if ratio > 0.8 {
                    r.mt += 1.0;
                } else if ratio >= 0.2 {
                    r.pt += 1.0;
                }
            }
            if frag[g] > 0.0 {
                r.frag += frag[g] - 1.0;
            }
        }
        r.ml = n as f64 - r.mt - r.pt;
        r
    }

    fn identity(&self, c: &mut Counts) {
        let (gt_dets, tracker_dets) = (self.gt_dets() as f64, self.tracker_dets() as f64);
        if tracker_dets == 0.0 || gt_dets == 0.0 {
            (c.id_fn, c.id_fp) = (gt_dets, tracker_dets);
            return;
        }
        // The frames each pair of ids overlaps in at the threshold.
        let mut potential: HashMap<(usize, usize), f64> = HashMap::new();
        for f in &self.frames {
            for (i, &gi) in f.gt.iter().enumerate() {
                for (j, &tj) in f.tracker.iter().enumerate() {
                    if f.sim(i, j) >= THRESHOLD {
                        *potential.entry((gi, tj)).or_default() += 1.0;
                    }
                }
            }
        }
        // TrackEval matches ids one to one over a square matrix of every true id, every
        // tracked id and a "missed" or "false" slot for each; what it comes to is the
        // most frames matched ids can share (IDTP), the rest of each side's boxes
        // missed or false. Ids that never overlap add nothing to that, and groups of
        // ids that never overlap one another add up apart: each is matched alone.
        let id_tp: f64 =
            groups(self.gt_ids, &potential).iter().map(|pairs| most_shared(pairs, &potential)).sum();
        c.id_tp = id_tp;
        c.id_fn = gt_dets - id_tp;
        c.id_fp = tracker_dets - id_tp;
    }
}

/// The pairs of `potential` in groups of ids linked through them.
fn groups(gt_ids: usize, potential: &HashMap<(usize, usize), f64>) -> Vec<Vec<(usize, usize)>> {
    // Union-find over the true ids, then the tracked ones after them.
    let mut parent: HashMap<usize, usize> = HashMap::new();
    fn root(parent: &mut HashMap<usize, usize>, mut x: usize) -> usize {
        while let Some(&p) = parent.get(&x).filter(|&&p| p != x) {
            x = p;
        }
        x
    }
    let mut keys: Vec<(usize, usize)> = potential.keys().copied().collect();
    keys.sort_unstable();
    for &(g, t) in &keys {
        let (a, b) = (root(&mut parent, g), root(&mut parent, gt_ids + t));
        parent.entry(a).or_insert(a);
        parent.insert(b, a);
    }
    let mut by_root: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for &(g, t) in &keys {
        by_root.entry(root(&mut parent, g)).or_default().push((g, t));
    }
    by_root.into_values().collect()
}

/// The most frames the ids of `pairs` can share, matched one to one.
fn most_shared(pairs: &[(usize, usize)], potential: &HashMap<(usize, usize), f64>) -> f64 {
    let mut rows: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    let mut cols: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    rows.sort_unstable();
    rows.dedup();
    cols.sort_unstable();
    cols.dedup();
    let cost: Vec<f64> = rows
        .iter()
        .flat_map(|g| cols.iter().map(move |t| (*g, *t)))
        .map(|k| -potential.get(&k).copied().unwrap_or(0.0))
        .collect();
    cheapest(rows.len(), cols.len(), &cost).iter().map(|&(i, j)| -cost[i * cols.len() + j]).sum()
}

impl Counts {
    /// Several sequences as one: counts summed, the association and localisation
    /// means weighted by each sequence's true positives.
    pub fn combine(all: &[Counts]) -> Counts {
        let mut c = Counts::default();
        for s in all {
            for a in 0..ALPHAS {
                c.hota_tp[a] += s.hota_tp[a];
                c.hota_fn[a] += s.hota_fn[a];
                c.hota_fp[a] += s.hota_fp[a];
            }
            let k = &mut c.clear;
            k.tp += s.clear.tp;
            k.fn_ += s.clear.fn_;
            k.fp += s.clear.fp;
            k.idsw += s.clear.idsw;
            k.mt += s.clear.mt;
            k.pt += s.clear.pt;
            k.ml += s.clear.ml;
            k.frag += s.clear.frag;
            k.motp_sum += s.clear.motp_sum;
            c.id_tp += s.id_tp;
            c.id_fn += s.id_fn;
            c.id_fp += s.id_fp;
        }
        for a in 0..ALPHAS {
            let weighted =
                |field: &dyn Fn(&Counts) -> f64| all.iter().map(|s| field(s) * s.hota_tp[a]).sum::<f64>();
            let tp = c.hota_tp[a];
            c.ass_a[a] = weighted(&|s| s.ass_a[a]) / tp.max(1.0);
            c.ass_re[a] = weighted(&|s| s.ass_re[a]) / tp.max(1.0);
            c.ass_pr[a] = weighted(&|s| s.ass_pr[a]) / tp.max(1.0);
            c.loc_a[a] = weighted(&|s| s.loc_a[a]).max(1e-10) / tp.max(1e-10);
        }
        c
    }

    /// The scores of these counts; `sequences` says how many they cover.
    pub fn scores(&self, sequences: usize) -> Tracking {
        let mean = |v: [f64; ALPHAS]| v.iter().sum::<f64>() / ALPHAS as f64;
        let mut det_re = [0.0; ALPHAS];
        let mut det_pr = [0.0; ALPHAS];
        let mut det_a = [0.0; ALPHAS];
        let mut hota = [0.0; ALPHAS];
        for a in 0..ALPHAS {
            let (tp, fn_, fp) = (self.hota_tp[a], self.hota_fn[a], self.hota_fp[a]);
            det_re[a] = tp / (tp + fn_).max(1.0);
            det_pr[a] = tp / (tp + fp).max(1.0);
            det_a[a] = tp / (tp + fn_ + fp).max(1.0);
            hota[a] = (det_a[a] * self.ass_a[a]).sqrt();
        }
        let k = &self.clear;
        let (mota, moda, motp) = if k.empty {
            (0.0, 0.0, 0.0)
        } else {
            let gt = (k.tp + k.fn_).max(1.0);
            ((k.tp - k.fp - k.idsw) / gt, (k.tp - k.fp) / gt, k.motp_sum / k.tp.max(1.0))
        };
        let (id_tp, id_fn, id_fp) = (self.id_tp, self.id_fn, self.id_fp);
        Tracking {
            sequences,
            HOTA: mean(hota),
            DetA: mean(det_a),
            AssA: mean(self.ass_a),
            LocA: mean(self.loc_a),
            DetRe: mean(det_re),
            DetPr: mean(det_pr),
            AssRe: mean(self.ass_re),
            AssPr: mean(self.ass_pr),
            MOTA: mota,
            MOTP: motp,
            MODA: moda,
            IDF1: id_tp / (id_tp + 0.5 * id_fp + 0.5 * id_fn).max(1.0),
            IDR: id_tp / (id_tp + id_fn).max(1.0),
            IDP: id_tp / (id_tp + id_fp).max(1.0),
            IDSW: k.idsw as u64,
            FP: k.fp as u64,
            FN: k.fn_ as u64,
            TP: k.tp as u64,
            MT: k.mt as u64,
            PT: k.pt as u64,
            ML: k.ml as u64,
            Frag: k.frag as u64,
        }
    }
}
