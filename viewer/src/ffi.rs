//! The few FFmpeg calls that ffmpeg-next does not wrap. Every `unsafe` block in the
//! crate lives here, each on a pointer that a live ffmpeg-next object owns.
#![allow(unsafe_code)]

use ffmpeg_next as ffmpeg;
use ffmpeg_sys_next as sys;

/// `AV_PKT_FLAG_DISCARD`: the packet is needed to decode but its frame is not shown.
/// ffmpeg-next's `packet::Flags` truncates this bit away, so read the raw flags.
pub fn packet_is_discarded(packet: &ffmpeg::Packet) -> bool {
    use ffmpeg::packet::Ref;
    // SAFETY: `as_ptr` points at the AVPacket owned by `packet`, alive for this call.
    let flags = unsafe { (*packet.as_ptr()).flags };
    flags & sys::AV_PKT_FLAG_DISCARD != 0
}

/// Clockwise rotation in degrees (0, 90, 180, 270) that shows the stream upright,
/// from the stream's display matrix.
pub fn stream_rotation(stream: &ffmpeg::format::stream::Stream) -> u32 {
    for side in stream.side_data() {
        if side.kind() == ffmpeg::codec::packet::side_data::Type::DisplayMatrix && side.data().len() >= 36 {
            // SAFETY: a display matrix side-data entry holds nine i32 values (checked above).
            let angle = unsafe { sys::av_display_rotation_get(side.data().as_ptr().cast()) };
            if angle.is_nan() {
                return 0;
            }
            // FFmpeg gives the counter-clockwise angle that the frame was rotated by.
            let cw = (-angle).round() as i64;
            return (cw.rem_euclid(360) as u32 + 45) / 90 % 4 * 90;
        }
    }
    0
}

/// Seek `stream` to the last keyframe at or before `pts` (stream time base).
pub fn seek_backward(
    input: &mut ffmpeg::format::context::Input,
    stream: usize,
    pts: i64,
) -> Result<(), ffmpeg::Error> {
    let stream = i32::try_from(stream).map_err(|_| ffmpeg::Error::StreamNotFound)?;
    // SAFETY: `input` owns a valid, opened AVFormatContext.
    let ret = unsafe { sys::av_seek_frame(input.as_mut_ptr(), stream, pts, sys::AVSEEK_FLAG_BACKWARD) };
    if ret < 0 { Err(ffmpeg::Error::from(ret)) } else { Ok(()) }
}

/// Set the YUV->RGB matrix and ranges that swscale uses (it assumes BT.601 otherwise).
pub fn set_scaler_colorspace(
    scaler: &mut ffmpeg::software::scaling::Context,
    bt709: bool,
    src_full_range: bool,
) {
    let space = if bt709 { sys::SWS_CS_ITU709 } else { sys::SWS_CS_ITU601 };
    // SAFETY: the scaler context is valid; sws_getCoefficients returns a static table.
    unsafe {
        let coefficients = sys::sws_getCoefficients(space);
        let one = 1 << 16;
        sys::sws_setColorspaceDetails(
            scaler.as_mut_ptr(),
            coefficients,
            i32::from(src_full_range),
            coefficients,
            1,
            0,
            one,
            one,
        );
    }
}

/// Attach a display matrix that rotates the stream by `degrees` clockwise when shown.
pub fn set_stream_rotation(stream: &mut ffmpeg::format::stream::StreamMut, degrees: u32) {
    // SAFETY: the stream belongs to an output context that is not yet writing; the
    // side data buffer is allocated by FFmpeg with the size we ask for.
    unsafe {
        let data = sys::av_stream_new_side_data(
            stream.as_mut_ptr(),
            sys::AVPacketSideDataType::AV_PKT_DATA_DISPLAYMATRIX,
            36,
        );
        if !data.is_null() {
            // The MP4 muxer stores the matrix transposed, which flips the angle's sign:
            // this value reads back (by FFmpeg and by us) as `degrees` clockwise.
            sys::av_display_rotation_set(data.cast(), f64::from(degrees));
        }
    }
}

/// Mark a muxer's output as bit-exact so the same frames give the same bytes.
pub fn set_bitexact(output: &mut ffmpeg::format::context::Output) {
    // SAFETY: `output` owns a valid AVFormatContext that has not written its header.
    unsafe {
        (*output.as_mut_ptr()).flags |= sys::AVFMT_FLAG_BITEXACT;
    }
}

/// Bits per sample of a pixel format's first component (8 for yuv420p, 10 for yuv420p10le).
pub fn pixel_bit_depth(format: ffmpeg::format::Pixel) -> u8 {
    format.descriptor().map_or(8, |d| {
        // SAFETY: descriptors are static tables inside libavutil.
        let depth = unsafe { (*d.as_ptr()).comp[0].depth };
        u8::try_from(depth).unwrap_or(8)
    })
}

/// A swscale context that moves to another thread together with its owner.
pub struct SendScaler(pub ffmpeg::software::scaling::Context);

// SAFETY: an SwsContext has no thread affinity; its owner uses it from one thread at a
// time (`SendScaler` is not `Sync`).
unsafe impl Send for SendScaler {}

/// Run `scaler` (YUV 4:2:0 in, packed RGBA out) straight from tightly packed planes
/// into `rgba`, without staging copies.
pub fn scale_yuv420_to_rgba(
    scaler: &mut ffmpeg::software::scaling::Context,
    planes: [&[u8]; 3],
    (width, height): (u32, u32),
    rgba: &mut [u8],
    out_width: u32,
) -> Result<(), ffmpeg::Error> {
    let (w, h) = (width as usize, height as usize);
    let cw = w.div_ceil(2);
    let ch = h.div_ceil(2);
    let out_h = rgba.len() / (out_width as usize * 4);
    if planes[0].len() < w * h || planes[1].len() < cw * ch || planes[2].len() < cw * ch || out_h == 0 {
        return Err(ffmpeg::Error::InvalidData);
    }
    let src = [planes[0].as_ptr(), planes[1].as_ptr(), planes[2].as_ptr(), std::ptr::null()];
    let src_stride = [w as i32, cw as i32, cw as i32, 0];
    let dst = [rgba.as_mut_ptr(), std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut()];
    let dst_stride = [out_width as i32 * 4, 0, 0, 0];
    // SAFETY: the plane and output sizes were checked above against the dimensions the
    // scaler was built for; swscale reads `height` rows and writes `out_h` rows.
    let ret = unsafe {
        sys::sws_scale(
            scaler.as_mut_ptr(),
            src.as_ptr(),
            src_stride.as_ptr(),
            0,
            height as i32,
            dst.as_ptr(),
            dst_stride.as_ptr(),
        )
    };
    if ret < 0 { Err(ffmpeg::Error::from(ret)) } else { Ok(()) }
}
