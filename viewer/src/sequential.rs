//! A straight decode from the first packet to the last: the reference every seek
//! must agree with, and the throughput benchmark's path.

use std::path::Path;

use ffmpeg_next as ffmpeg;

use crate::VideoError;
use crate::frame::{FrameConverter, VideoFrame};
use crate::source::{VideoSource, read_packet};

/// Decode every frame of `path` in presentation order, calling `each` with it; frames
/// are numbered by output order. Returns how many frames the decoder produced.
pub fn decode_sequential(
    path: impl AsRef<Path>,
    mut each: impl FnMut(VideoFrame),
) -> Result<u64, VideoError> {
    let source = VideoSource::open(path)?;
    let (mut input, stream, mut decoder, rotation) = source.into_parts();
    let mut converter = FrameConverter::default();
    let mut decoded = ffmpeg::frame::Video::empty();
    let mut count = 0u64;
    let mut drain = |decoder: &mut ffmpeg::decoder::Video, count: &mut u64| -> Result<(), VideoError> {
        while decoder.receive_frame(&mut decoded).is_ok() {
            each(converter.convert(&decoded, *count, rotation)?);
            *count += 1;
        }
        Ok(())
    };
    loop {
        match read_packet(&mut input) {
            Ok(packet) if packet.stream() == stream => {
                let _ = decoder.send_packet(&packet);
                drain(&mut decoder, &mut count)?;
            }
            Ok(_) => {}
            Err(ffmpeg::Error::Eof) => break,
            Err(e) => {
                return Err(VideoError::Decode {
                    index: count,
                    reason: format!("reading the file failed: {e}"),
                });
            }
        }
    }
    let _ = decoder.send_eof();
    drain(&mut decoder, &mut count)?;
    Ok(count)
}
