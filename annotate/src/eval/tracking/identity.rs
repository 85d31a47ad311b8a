//! Identity (IDF1) as TrackEval's `Identity.eval_sequence` comes to: the ids matched
//! one to one for the most frames they share.

use std::collections::HashMap;

use super::{Counts, Sequence, THRESHOLD};
use crate::eval::assign::cheapest;

pub(super) fn count(seq: &Sequence, c: &mut Counts) {
    let (gt_dets, tracker_dets) = (seq.gt_dets() as f64, seq.tracker_dets() as f64);
    if tracker_dets == 0.0 || gt_dets == 0.0 {
        (c.id_fn, c.id_fp) = (gt_dets, tracker_dets);
        return;
    }
    // The frames each pair of ids overlaps in at the threshold.
    let mut potential: HashMap<(usize, usize), f64> = HashMap::new();
    for f in &seq.frames {
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
    let id_tp: f64 = groups(seq.gt_ids, &potential).iter().map(|pairs| most_shared(pairs, &potential)).sum();
    c.id_tp = id_tp;
    c.id_fn = gt_dets - id_tp;
    c.id_fp = tracker_dets - id_tp;
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
