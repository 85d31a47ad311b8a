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
