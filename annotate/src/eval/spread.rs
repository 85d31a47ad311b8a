//! How the items' scores spread, for plots (the report's SVG, the Evaluate tab's bars):
//! a score's items counted by tenths of 0..1, and the answers' mean by question kind.

use super::items::{Item, ItemKind};
use crate::dataset::QuestionKind;

/// How many of `values` fall in each tenth of 0..1 (1 counts in the last); `None`
/// when one is outside 0..1.
pub fn tenths(values: &[f64]) -> Option<[usize; 10]> {
    if values.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return None;
    }
    let mut counts = [0usize; 10];
    for v in values {
        counts[((v * 10.0) as usize).min(9)] += 1;
    }
    Some(counts)
}

/// Each question kind's answered items: the mean of their scores and how many, in the
/// order the kinds first come.
pub fn answers_by_kind(items: &[Item]) -> Vec<(QuestionKind, f64, usize)> {
    let mut kinds: Vec<(QuestionKind, f64, usize)> = Vec::new();
    for i in items {
        let (ItemKind::Question(k), Some(a)) = (i.kind, i.scores.answer) else { continue };
        match kinds.iter_mut().find(|e| e.0 == k) {
            Some(e) => (e.1, e.2) = (e.1 + a, e.2 + 1),
            None => kinds.push((k, a, 1)),
        }
    }
    kinds.into_iter().map(|(k, sum, n)| (k, sum / n as f64, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_put_each_edge_in_the_tenth_above_and_one_in_the_last() {
        assert_eq!(tenths(&[0.0, 0.1, 0.15, 0.99, 1.0]), Some([1, 2, 0, 0, 0, 0, 0, 0, 0, 2]));
        assert_eq!(tenths(&[0.5, 1.5]), None);
    }
}
