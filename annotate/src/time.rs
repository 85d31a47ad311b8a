//! The one place seconds and frame indices are converted. Keyframes are 0-based frame
//! indices in presentation order; spans and evidence times are seconds from the first
//! frame. The video's own frame index implements this (`viewer::FrameIndex`), so a
//! variable-frame-rate video maps exactly; nothing else multiplies by a frame rate.

pub trait FrameTimes {
    /// How many frames the video has.
    fn frame_count(&self) -> u64;

    /// Seconds from the first frame to frame `index`.
    fn time_of(&self, index: u64) -> f64;

    /// The frame on screen at `time_s` seconds from the first frame: the last one that
    /// starts at or before it, clamped to the video.
    fn frame_at_time(&self, time_s: f64) -> u64;

    /// First frame start to last frame end, in seconds.
    fn duration_s(&self) -> f64;
}

/// A video of `frames` frames at a constant `fps`, as a labels file describes one when
/// no video file is at hand (Label Studio's frames and times); the video's own index
/// replaces it when the file is given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConstantRate {
    pub fps: f64,
    pub frames: u64,
}

impl FrameTimes for ConstantRate {
    fn frame_count(&self) -> u64 {
        self.frames
    }

    fn time_of(&self, index: u64) -> f64 {
        index as f64 / self.fps
    }

    fn frame_at_time(&self, time_s: f64) -> u64 {
        // A millionth of a frame of slack, so that a time printed from `time_of` maps back.
        let frame = (time_s * self.fps + 1e-6).floor().max(0.0) as u64;
        frame.min(self.frames.saturating_sub(1))
    }

    fn duration_s(&self) -> f64 {
        self.frames as f64 / self.fps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_rate_maps_frames_to_times_and_back() {
        let v = ConstantRate { fps: 29.97, frames: 100 };
        for f in 0..100 {
            assert_eq!(v.frame_at_time(v.time_of(f)), f);
            assert_eq!(v.frame_at_time(v.time_of(f) + 0.5 / 29.97), f, "mid-frame");
        }
        assert_eq!(v.frame_at_time(-1.0), 0);
        assert_eq!(v.frame_at_time(1e9), 99);
    }
}
