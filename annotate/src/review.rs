//! What a reviewer works through: the labels of one video in a fixed order (tracks by
//! their first keyframe, then segments by start, then questions), and how many of them
//! someone has reviewed.

use crate::dataset::{Dataset, Review};
use crate::edit::LabelRef;

/// Reviewed labels out of all labels of a video (or of the whole dataset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReviewProgress {
    pub reviewed: usize,
    pub total: usize,
}

impl ReviewProgress {
    /// How much is reviewed, 0 to 1; nothing to review is an empty bar, not a full one.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 { 0.0 } else { self.reviewed as f32 / self.total as f32 }
    }
}

impl Dataset {
    /// A video's labels in review order.
    pub fn labels_of(&self, video: &str) -> Vec<LabelRef> {
        self.review_queue(video).into_iter().map(|(label, _)| label).collect()
    }

    /// A video's labels in review order, with their review states.
    fn review_queue(&self, video: &str) -> Vec<(LabelRef, Review)> {
        let mut tracks: Vec<_> = self.tracks_of(video).collect();
        tracks.sort_by_key(|t| t.keyframes.first().map_or(u64::MAX, |k| k.frame));
        let mut segments: Vec<_> = self.segments_of(video).collect();
        segments.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let questions = self.questions.iter().filter(|q| q.video == video);
        tracks
            .into_iter()
            .map(|t| (LabelRef::Track(t.id.clone()), t.review))
            .chain(segments.into_iter().map(|s| (LabelRef::Segment(s.id.clone()), s.review)))
            .chain(questions.map(|q| (LabelRef::Question(q.id.clone()), q.review)))
            .collect()
    }

    /// The label's review state; `None` if there is no such label.
    pub fn review_of(&self, label: &LabelRef) -> Option<Review> {
        match label {
            LabelRef::Track(id) => self.track(id).map(|t| t.review),
            LabelRef::Segment(id) => self.segment(id).map(|s| s.review),
            LabelRef::Question(id) => self.question(id).map(|q| q.review),
        }
    }

    pub fn review_progress(&self, video: &str) -> ReviewProgress {
        let reviews = self
            .tracks_of(video)
            .map(|t| t.review)
            .chain(self.segments_of(video).map(|s| s.review))
            .chain(self.questions.iter().filter(|q| q.video == video).map(|q| q.review));
        reviews.fold(ReviewProgress::default(), |p, r| ReviewProgress {
            reviewed: p.reviewed + usize::from(r != Review::Unreviewed),
            total: p.total + 1,
        })
    }

    /// The next unreviewed label of `video` after `after` in review order, wrapping
    /// around; the first one when `after` is `None` or gone.
    pub fn next_unreviewed(&self, video: &str, after: Option<&LabelRef>) -> Option<LabelRef> {
        let queue = self.review_queue(video);
        let start = after.and_then(|a| queue.iter().position(|(l, _)| l == a)).map_or(0, |i| i + 1);
        let n = queue.len();
        (0..n)
            .map(|k| &queue[(start + k) % n.max(1)])
            .find(|(_, review)| *review == Review::Unreviewed)
            .map(|(label, _)| label.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Keyframe, Provenance, Segment, Track};
    use crate::geometry::BBox;

    fn dataset() -> Dataset {
        let track = |id: &str, first: u64| Track {
            attributes: Vec::new(),
            z_order: 0,
            id: id.into(),
            video: "v".into(),
            category: "c".into(),
            keyframes: vec![Keyframe {
                frame: first,
                bbox: BBox::new(0.0, 0.0, 1.0, 1.0),
                outside: false,
                occluded: false,
            }]
            .into(),
            interpolation: Default::default(),
            source: Provenance::Human,
            review: Review::Unreviewed,
        };
        let mut d = Dataset { tracks: vec![track("late", 50), track("early", 5)], ..Dataset::default() };
        d.segments.push(Segment {
            id: "s".into(),
            video: "v".into(),
            label: "l".into(),
            start_s: 1.0,
            end_s: 2.0,
            source: Provenance::Human,
            review: Review::Unreviewed,
        });
        d
    }

    #[test]
    fn the_queue_goes_in_time_order_skips_reviewed_labels_and_wraps() {
        let mut d = dataset();
        let t = |id: &str| LabelRef::Track(id.into());
        assert_eq!(d.labels_of("v"), [t("early"), t("late"), LabelRef::Segment("s".into())]);
        assert_eq!(d.next_unreviewed("v", None), Some(t("early")));
        d.tracks[0].review = Review::Accepted; // "late"
        assert_eq!(d.next_unreviewed("v", Some(&t("early"))), Some(LabelRef::Segment("s".into())));
        assert_eq!(d.next_unreviewed("v", Some(&LabelRef::Segment("s".into()))), Some(t("early")));
        assert_eq!(d.review_progress("v"), ReviewProgress { reviewed: 1, total: 3 });
        for r in [&mut d.tracks[1].review, &mut d.segments[0].review] {
            *r = Review::Rejected;
        }
        assert_eq!(d.next_unreviewed("v", None), None);
        assert_eq!(d.review_progress("v").fraction(), 1.0);
        assert_eq!(d.next_unreviewed("other", None), None);
        assert_eq!(d.review_progress("other"), ReviewProgress { reviewed: 0, total: 0 });
        assert_eq!(d.review_progress("other").fraction(), 0.0, "nothing to review: an empty bar");
    }
}
