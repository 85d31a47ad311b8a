use annotate::time::FrameTimes;
use std::path::Path;

use ffmpeg_next as ffmpeg;
use serde::Serialize;

use crate::index::FrameIndex;

/// What `vidence probe` prints: a video's metadata, with sizes as displayed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VideoInfo {
    pub path: String,
    /// Container short name(s) as FFmpeg reports them, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    pub codec: String,
    /// Width after rotation: what the user sees.
    pub width: u32,
    pub height: u32,
    /// Clockwise degrees applied to show frames upright.
    pub rotation: u32,
    /// Average frames per second (frame count over duration when the container
    /// does not say).
    pub fps: f64,
    /// Exact number of frames: one per shown packet.
    pub frame_count: u64,
    pub duration_s: f64,
    pub keyframe_count: u64,
    pub pixel_format: String,
    /// Bits per sample of the source (8, 10, ...).
    pub bit_depth: u8,
    /// True when frame durations differ (variable frame rate).
    pub variable_frame_rate: bool,
}

impl VideoInfo {
    pub(crate) fn new(
        input: &ffmpeg::format::context::Input,
        stream: &ffmpeg::format::stream::Stream,
        decoder: &ffmpeg::decoder::Video,
        index: &FrameIndex,
        rotation: u32,
        path: &Path,
    ) -> Self {
        let (w, h) = (decoder.width(), decoder.height());
        let (width, height) = if rotation.is_multiple_of(180) { (w, h) } else { (h, w) };
        let frame_count = index.len();
        let duration_s = index.duration_s();
        let avg = stream.avg_frame_rate();
        let fps = if avg.numerator() > 0 && avg.denominator() > 0 {
            f64::from(avg.numerator()) / f64::from(avg.denominator())
        } else if duration_s > 0.0 {
            frame_count as f64 / duration_s
        } else {
            0.0
        };
        let pixel_format = decoder.format();
        let bit_depth = crate::ffi::pixel_bit_depth(pixel_format);
        Self {
            path: path.display().to_string(),
            container: input.format().name().to_owned(),
            codec: decoder
                .codec()
                .map_or_else(|| format!("{:?}", decoder.id()).to_lowercase(), |c| c.name().to_owned()),
            width,
            height,
            rotation,
            fps,
            frame_count,
            duration_s,
            keyframe_count: index.keyframe_count(),
            pixel_format: pixel_format.descriptor().map_or_else(|| "unknown".into(), |d| d.name().to_owned()),
            bit_depth,
            variable_frame_rate: is_variable_rate(index),
        }
    }
}

fn is_variable_rate(index: &FrameIndex) -> bool {
    let steps: Vec<i64> = (1..index.len()).filter_map(|i| Some(index.pts(i)? - index.pts(i - 1)?)).collect();
    let (Some(min), Some(max)) = (steps.iter().min(), steps.iter().max()) else { return false };
    // Timestamps rounded to the time base jitter by a tick; more than that is VFR.
    max - min > 1
}
