//! HOTA as TrackEval's `HOTA.eval_sequence`: ids aligned over the whole video first,
//! then matched frame by frame at each alpha; DetA, AssA and LocA from the matches.

use std::collections::HashMap;

use super::{ALPHAS, Counts, EPS, Sequence, alpha};
use crate::eval::assign::best_positive;

pub(super) fn count(seq: &Sequence, c: &mut Counts) {
    c.loc_a = [1.0; ALPHAS];
    let (gt_dets, tracker_dets) = (seq.gt_dets() as f64, seq.tracker_dets() as f64);
    if tracker_dets == 0.0 {
        c.hota_fn = [gt_dets; ALPHAS];
        return;
    }
    if gt_dets == 0.0 {
        c.hota_fp = [tracker_dets; ALPHAS];
        return;
    }
    let (gt_count, tracker_count) = seq.id_counts();
    // The pairs of ids whose boxes ever overlap, numbered; each frame's entries
    // by pair (none where the boxes do not overlap, which scores 0 throughout).
    let mut pair_of: HashMap<(usize, usize), usize> = HashMap::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut entries: Vec<Vec<usize>> = Vec::with_capacity(seq.frames.len());
    // How well each pair lines up over the whole video, before matching.
    let mut potential: Vec<f64> = Vec::new();
    for f in &seq.frames {
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
    let alignment: Vec<f64> =
        pairs.iter().zip(&potential).map(|(&(g, t), p)| p / (gt_count[g] + tracker_count[t] - p)).collect();
    // Each pair's matches at each alpha, and the IoU summed over matches.
    let mut matches: Vec<[f64; ALPHAS]> = vec![[0.0; ALPHAS]; pairs.len()];
    let mut loc_sum = [0.0; ALPHAS];
    for (f, on) in seq.frames.iter().zip(&entries) {
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
