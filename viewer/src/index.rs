//! Which frames a video has and where they sit in time, built by reading packets
//! without decoding them.

use annotate::time::FrameTimes;

/// One shown frame, in presentation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameEntry {
    /// Presentation timestamp in the stream's time base.
    pub pts: i64,
    /// Duration in the stream's time base (0 when the container does not say).
    pub duration: i64,
    /// The packet is a keyframe: decoding can start here.
    pub key: bool,
}

/// The frames of one video stream in presentation order, with their keyframes.
#[derive(Clone, Debug)]
pub struct FrameIndex {
    frames: Vec<FrameEntry>,
    /// Presentation indices of keyframes, ascending.
    keyframes: Vec<u64>,
    /// Seconds per time-base tick.
    tick_s: f64,
}

impl FrameIndex {
    /// Build from packets in any order; frames end up sorted by presentation time.
    /// Packets with the same timestamp keep only the first (a broken mux).
    pub fn new(mut frames: Vec<FrameEntry>, tick_s: f64) -> Self {
        frames.sort_by_key(|f| f.pts);
        frames.dedup_by_key(|f| f.pts);
        let keyframes = frames.iter().enumerate().filter(|(_, f)| f.key).map(|(i, _)| i as u64).collect();
        Self { frames, keyframes, tick_s }
    }

    pub fn len(&self) -> u64 {
        self.frames.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    pub fn keyframe_count(&self) -> u64 {
        self.keyframes.len() as u64
    }

    pub fn entry(&self, index: u64) -> Option<&FrameEntry> {
        self.frames.get(usize::try_from(index).ok()?)
    }

    pub fn pts(&self, index: u64) -> Option<i64> {
        self.entry(index).map(|f| f.pts)
    }

    /// Presentation index of the frame with exactly this timestamp.
    pub fn index_of_pts(&self, pts: i64) -> Option<u64> {
        self.frames.binary_search_by_key(&pts, |f| f.pts).ok().map(|i| i as u64)
    }

    /// The last keyframe at or before `index`; frame 0 when none is (frames that come
    /// before the first keyframe decode from the start of the file).
    pub fn keyframe_at_or_before(&self, index: u64) -> u64 {
        let after = self.keyframes.partition_point(|&k| k <= index);
        after.checked_sub(1).map_or(0, |n| self.keyframes[n])
    }

    /// The last keyframe strictly before keyframe-or-frame `index`, if any.
    pub fn keyframe_before(&self, index: u64) -> Option<u64> {
        let after = self.keyframes.partition_point(|&k| k < index);
        after.checked_sub(1).map(|n| self.keyframes[n])
    }

    pub fn keyframes(&self) -> &[u64] {
        &self.keyframes
    }
}

impl FrameTimes for FrameIndex {
    fn frame_count(&self) -> u64 {
        self.len()
    }

    fn time_of(&self, index: u64) -> f64 {
        match (self.frames.first(), self.entry(index)) {
            (Some(first), Some(f)) => (f.pts - first.pts) as f64 * self.tick_s,
            _ => 0.0,
        }
    }

    fn frame_at_time(&self, time_s: f64) -> u64 {
        let Some(first) = self.frames.first() else { return 0 };
        // Half a tick of slack so that a time printed from `time_of` maps back exactly.
        let ticks = (time_s / self.tick_s + 0.5).floor() as i64;
        let pts = first.pts.saturating_add(ticks);
        let after = self.frames.partition_point(|f| f.pts <= pts);
        after.saturating_sub(1) as u64
    }

    fn duration_s(&self) -> f64 {
        let (Some(first), Some(last)) = (self.frames.first(), self.frames.last()) else {
            return 0.0;
        };
        let last_duration = if last.duration > 0 {
            last.duration
        } else if self.frames.len() > 1 {
            // Unknown: assume it lasts as long as the mean frame before it.
            (last.pts - first.pts) / (self.frames.len() as i64 - 1)
        } else {
            0
        };
        (last.pts + last_duration - first.pts) as f64 * self.tick_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(pts: &[i64], keys: &[i64]) -> FrameIndex {
        let frames =
            pts.iter().map(|&pts| FrameEntry { pts, duration: 0, key: keys.contains(&pts) }).collect();
        FrameIndex::new(frames, 0.001)
    }

    #[test]
    fn sorts_into_presentation_order_and_maps_time() {
        // Decode order of an IPBB stream: 0 3 1 2 6 4 5.
        let idx = index(&[0, 300, 100, 200, 600, 400, 500], &[0, 400]);
        assert_eq!(idx.len(), 7);
        assert_eq!(idx.pts(3), Some(300));
        assert_eq!(idx.keyframes(), &[0, 4]);
        assert_eq!(idx.frame_at_time(0.0), 0);
        assert_eq!(idx.frame_at_time(0.35), 3);
        assert_eq!(idx.frame_at_time(0.4), 4);
        assert_eq!(idx.frame_at_time(99.0), 6);
        assert_eq!(idx.frame_at_time(-1.0), 0);
        assert!((idx.time_of(5) - 0.5).abs() < 1e-12);
        assert!((idx.duration_s() - 0.7).abs() < 1e-12);
    }

    #[test]
    fn time_round_trips_for_variable_frame_rate() {
        let idx = index(&[10, 43, 50, 120, 121, 300], &[10]);
        for i in 0..idx.len() {
            assert_eq!(idx.frame_at_time(idx.time_of(i)), i);
        }
    }

    #[test]
    fn finds_keyframes_around_a_frame() {
        let idx = index(&[0, 1, 2, 3, 4, 5, 6, 7], &[0, 3, 6]);
        assert_eq!(idx.keyframe_at_or_before(2), 0);
        assert_eq!(idx.keyframe_at_or_before(3), 3);
        assert_eq!(idx.keyframe_at_or_before(7), 6);
        assert_eq!(idx.keyframe_before(3), Some(0));
        assert_eq!(idx.keyframe_before(0), None);
        assert_eq!(idx.index_of_pts(5), Some(5));
        assert_eq!(idx.index_of_pts(9), None);
    }
}
