//! When: a predicted span against the true one, as V-STaR's `calculate_temporal_iou`
//! and TubeDETR's VidSTG and HC-STVG evaluators compute it.

/// The overlap of two spans over their hull; 0 when they do not overlap (or the hull
/// is empty). Where they overlap the hull is their union, TubeDETR's denominator.
pub fn tiou(truth: (f64, f64), predicted: (f64, f64)) -> f64 {
    let intersection = (truth.1.min(predicted.1) - truth.0.max(predicted.0)).max(0.0);
    let hull = truth.1.max(predicted.1) - truth.0.min(predicted.0);
    if hull > 0.0 { intersection / hull } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_that_do_not_overlap_or_are_reversed_score_zero() {
        assert_eq!(tiou((2.0, 6.0), (4.0, 8.0)), 2.0 / 6.0);
        assert_eq!(tiou((2.0, 6.0), (6.0, 8.0)), 0.0, "touching");
        assert_eq!(tiou((2.0, 6.0), (5.0, 3.0)), 0.0, "reversed");
        assert_eq!(tiou((2.0, 2.0), (2.0, 2.0)), 0.0, "empty hull");
    }
}
