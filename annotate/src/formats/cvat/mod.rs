//! CVAT for video 1.1 XML (and CVAT for images 1.1, whose boxes become one-frame
//! tracks). CVAT writes a box's `frame` as the video's own frame number
//! (`start_frame + i * step` for the task's `i`-th frame), so it is a keyframe index
//! as it stands; `start_frame`, `stop_frame` and `frame_filter` only say which frames
//! the task has. CVAT dumps a box on every frame of a track (`keyframe="0"` where it
//! interpolated): those equal to Vidence's linear interpolation are not kept as
//! keyframes, any other is.

mod elements;
mod tracks;
mod write;

use super::{FormatError, FormatInfo, Input, Report, TrackIds};
use crate::dataset::Dataset;

pub use write::write;

pub const INFO: FormatInfo = FormatInfo {
    name: "cvat",
    title: "CVAT for video 1.1 XML (CVAT for images 1.1 read too)",
    imports: true,
    exports: true,
    holds: "videos (one task each), categories with attributes, tracks of boxes with keyframes, outside, \
            occluded, z_order and attribute values",
    cannot: "segments, questions, model runs; interpolation other than linear (written as every frame's box)",
};

pub fn looks_like(input: &Input) -> bool {
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(4096)]);
    head.contains("<annotations")
}

pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut ids = TrackIds::default();
    for input in inputs {
        let file = elements::read(input, report)?;
        tracks::build(input, file, &mut data, &mut ids, report)?;
    }
    Ok(data)
}
