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

/// Make an RGB -> YUV scaler write `bt709`'s matrix at `full_range` (swscale's own
/// default is BT.601, limited).
pub fn set_rgb_to_yuv(scaler: &mut ffmpeg::software::scaling::Context, bt709: bool, full_range: bool) {
    set_matrix(scaler, bt709, true, full_range);
}

/// Set a scaler's YUV matrix (`bt709` or BT.601) and the range of its input and output.
fn set_matrix(scaler: &mut ffmpeg::software::scaling::Context, bt709: bool, src_full: bool, dst_full: bool) {
    let space = if bt709 { sys::SWS_CS_ITU709 } else { sys::SWS_CS_ITU601 };
    // SAFETY: the scaler context is valid; sws_getCoefficients returns a static table.
    unsafe {
        let coefficients = sys::sws_getCoefficients(space);
        let one = 1 << 16;
        sys::sws_setColorspaceDetails(
            scaler.as_mut_ptr(),
            coefficients,
            i32::from(src_full),
            coefficients,
            i32::from(dst_full),
            0,
            one,
            one,
        );
    }
}

/// Let the muxer choose the codec tag of a stream copied from another container.
pub fn clear_codec_tag(stream: &mut ffmpeg::format::stream::StreamMut) {
    // SAFETY: the stream's parameters are a valid AVCodecParameters the muxer owns, and
    // its header is not written yet.
    unsafe {
        (*stream.parameters().as_mut_ptr()).codec_tag = 0;
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

/// Spare bytes after each plane: swscale's SIMD loops may read a little past a row.
pub const PLANE_PADDING: usize = 64;

/// Output rows are laid out in whole multiples of this many pixels while swscale
/// writes them (see [`RgbScaler::run`]).
const ROW_ALIGN: usize = 16;

/// Packed RGB with or without alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Packing {
    Rgb,
    Rgba,
}

impl Packing {
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            Packing::Rgb => 3,
            Packing::Rgba => 4,
        }
    }
}

/// YUV 4:2:0 planes to packed RGB or RGBA with swscale, checked against the sizes it
/// was built for, reading straight from tightly packed planes.
pub struct RgbScaler {
    scaler: ffmpeg::software::scaling::Context,
    src: (usize, usize),
    dst: (usize, usize),
    packing: Packing,
}

impl RgbScaler {
    pub fn new(
        src: (u32, u32),
        dst: (u32, u32),
        packing: Packing,
        bt709: bool,
        full_range: bool,
    ) -> Result<Self, ffmpeg::Error> {
        use ffmpeg::software::scaling::{Context, Flags};
        // Same size: the `ffmpeg` program's flags (bicubic), so that frames equal its own
        // where swscale cannot take its SIMD YUV->RGB path (odd heights). Smaller: area
        // averaging.
        let flags = if src == dst { Flags::BICUBIC } else { Flags::AREA };
        let pixel = ffmpeg::format::Pixel::YUV420P;
        let out = match packing {
            Packing::Rgb => ffmpeg::format::Pixel::RGB24,
            Packing::Rgba => ffmpeg::format::Pixel::RGBA,
        };
        let mut scaler = Context::get(pixel, src.0, src.1, out, dst.0, dst.1, flags)?;
        set_matrix(&mut scaler, bt709, full_range, true);
        let size = |(w, h): (u32, u32)| (w as usize, h as usize);
        Ok(Self { scaler, src: size(src), dst: size(dst), packing })
    }

    /// Convert `planes` (Y, U, V; each with [`PLANE_PADDING`] spare capacity, else it
    /// is copied first) into `out`, resized to the output size.
    pub fn run(&mut self, planes: [&Vec<u8>; 3], out: &mut Vec<u8>) -> Result<(), ffmpeg::Error> {
        let (w, h) = self.src;
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let sizes = [w * h, cw * ch, cw * ch];
        if planes.iter().zip(sizes).any(|(p, size)| p.len() != size) {
            return Err(ffmpeg::Error::InvalidData);
        }
        let padded: Vec<std::borrow::Cow<'_, Vec<u8>>> = planes
            .iter()
            .map(|p| {
                if p.capacity() >= p.len() + PLANE_PADDING {
                    std::borrow::Cow::Borrowed(*p)
                } else {
                    let mut copy = Vec::with_capacity(p.len() + PLANE_PADDING);
                    copy.extend_from_slice(p);
                    std::borrow::Cow::Owned(copy)
                }
            })
            .collect();
        let (dw, dh) = self.dst;
        // swscale's SIMD YUV->RGB loops write whole blocks of 8 pixels and, when a row
        // of the output has no room for the last block, skip it: the right edge of a
        // width that is not a multiple of 8 stays unwritten. Rows with room to spare,
        // packed tightly afterwards, get every pixel.
        let pixel = self.packing.bytes_per_pixel();
        let row = dw * pixel;
        let stride = dw.next_multiple_of(ROW_ALIGN) * pixel;
        out.clear();
        out.resize(stride * dh, 0);
        let src = [padded[0].as_ptr(), padded[1].as_ptr(), padded[2].as_ptr(), std::ptr::null()];
        let src_stride = [w as i32, cw as i32, cw as i32, 0];
        let dst = [out.as_mut_ptr(), std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut()];
        let dst_stride = [stride as i32, 0, 0, 0];
        // SAFETY: the scaler was built for exactly `src` -> `dst` (YUV420P -> packed RGB);
        // the planes hold `src` rows of the strides given, plus padding for SIMD
        // over-reads; `out` holds the `dst` rows of `stride` bytes swscale writes.
        let ret = unsafe {
            sys::sws_scale(
                self.scaler.as_mut_ptr(),
                src.as_ptr(),
                src_stride.as_ptr(),
                0,
                h as i32,
                dst.as_ptr(),
                dst_stride.as_ptr(),
            )
        };
        if ret < 0 {
            return Err(ffmpeg::Error::from(ret));
        }
        if stride != row {
            for r in 1..dh {
                out.copy_within(r * stride..r * stride + row, r * row);
            }
            out.truncate(row * dh);
        }
        Ok(())
    }
}
