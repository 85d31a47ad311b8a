//! Multi-object tracking scored as TrackEval scores it: HOTA (with DetA, AssA and LocA
//! over the nineteen alphas 0.05..0.95), CLEAR (MOTA, MOTP, IDSW, FP, FN, MT/PT/ML,
//! Frag) and Identity (IDF1). Each is a port of TrackEval's `eval_sequence`, down to
//! its tolerances and its quirks (CLEAR carries a match on only through the frame
//! before, and a frame without a tracker's box does not end that), but for Identity's
//! one-to-one matching of ids, solved as the number it comes to and group by group
//! (TrackEval's square matrix of every id is gigabytes for a tracker with thousands
//! of false ids); sequences are combined as its `combine_sequences` does.
//! py-motmetrics carries a match on across frames where the object is gone, so its
//! MOTA can differ where an object comes back. Each metric counts in its own module;
//! here are the sequence, the counts and the scores they give.

mod clear;
mod hota;
mod identity;

use serde::Serialize;

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
        hota::count(self, &mut c);
        c.clear = clear::count(self);
        identity::count(self, &mut c);
        c
    }
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
