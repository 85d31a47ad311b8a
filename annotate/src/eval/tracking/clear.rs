//! CLEAR as TrackEval's `CLEAR.eval_sequence`: a match carried on from the frame
//! before wins, then IoU; switches, fragments and the mostly tracked.

use super::{Clear, EPS, Sequence, THRESHOLD};
use crate::eval::assign::best_positive;

pub(super) fn count(seq: &Sequence) -> Clear {
    let mut r = Clear::default();
    let (gt_dets, tracker_dets) = (seq.gt_dets() as f64, seq.tracker_dets() as f64);
    if tracker_dets == 0.0 {
        return Clear { fn_: gt_dets, ml: seq.gt_ids as f64, empty: true, ..Clear::default() };
    }
    if gt_dets == 0.0 {
        return Clear { fp: tracker_dets, empty: true, ..Clear::default() };
    }
    let n = seq.gt_ids;
    let mut seen = vec![0.0; n];
    let mut matched = vec![0.0; n];
    let mut frag = vec![0.0; n];
    // The id a true object was last matched to, ever (for switches), and in the
    // last frame that had boxes of both (to carry a match on).
    let mut last: Vec<Option<usize>> = vec![None; n];
    let mut previous: Vec<Option<usize>> = vec![None; n];
    let mut matched_before: Vec<usize> = Vec::new();
    for f in &seq.frames {
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
