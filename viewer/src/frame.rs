//! A decoded frame as shown: upright 8-bit YUV 4:2:0 planes, converted to RGB only
//! where a picture is needed (on the GPU in the app, by swscale for PNG files).

use std::path::Path;

use ffmpeg_next as ffmpeg;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;

use crate::VideoError;
use crate::ffi;
use crate::ffi::Packing;

/// Which YUV->RGB matrix and range a frame needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ColorSpec {
    pub bt709: bool,
    pub full_range: bool,
}

/// An upright frame in tightly packed YUV 4:2:0 planes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoFrame {
    /// Presentation index in the video.
    pub index: u64,
    pub width: u32,
    pub height: u32,
    pub color: ColorSpec,
    /// Luma, `width * height` bytes.
    pub y: Vec<u8>,
    /// Chroma planes, `chroma_width() * chroma_height()` bytes each.
    pub u: Vec<u8>,
    pub v: Vec<u8>,
}

impl VideoFrame {
    pub fn chroma_width(&self) -> u32 {
        self.width.div_ceil(2)
    }

    pub fn chroma_height(&self) -> u32 {
        self.height.div_ceil(2)
    }

    pub fn byte_size(&self) -> usize {
        self.y.len() + self.u.len() + self.v.len()
    }

    /// RGB pixels, row by row, converted by swscale with the frame's matrix and range:
    /// the `ffmpeg` program's `rgb24` frame, which pictures and the model are given.
    pub fn to_rgb(&self) -> Result<Vec<u8>, VideoError> {
        let mut rgb = Vec::new();
        self.convert(Packing::Rgb, self.width, self.height, &mut rgb)?;
        Ok(rgb)
    }

    /// RGBA pixels scaled to `width x height` (area filter, for thumbnails).
    pub fn to_rgba_scaled(&self, width: u32, height: u32) -> Result<Vec<u8>, VideoError> {
        let mut rgba = Vec::new();
        self.write_rgba(width, height, &mut rgba)?;
        Ok(rgba)
    }

    /// Convert into `rgba` (resized to fit), reusing its allocation: the path for
    /// converting many frames.
    pub fn write_rgba(&self, width: u32, height: u32, rgba: &mut Vec<u8>) -> Result<(), VideoError> {
        self.convert(Packing::Rgba, width, height, rgba)
    }

    fn convert(
        &self,
        packing: Packing,
        width: u32,
        height: u32,
        out: &mut Vec<u8>,
    ) -> Result<(), VideoError> {
        let err = |e: ffmpeg::Error| VideoError::Decode {
            index: self.index,
            reason: format!("RGB conversion failed: {e}"),
        };
        RGB_SCALER
            .with_borrow_mut(|cached| {
                let key = (self.width, self.height, width, height, packing, self.color);
                if cached.as_ref().is_none_or(|(k, _)| *k != key) {
                    let (src, dst) = ((self.width, self.height), (width, height));
                    let color = self.color;
                    let scaler = ffi::RgbScaler::new(src, dst, packing, color.bt709, color.full_range)?;
                    *cached = Some((key, scaler));
                }
                match cached.as_mut() {
                    Some((_, scaler)) => scaler.run([&self.y, &self.u, &self.v], out),
                    None => Err(ffmpeg::Error::Bug),
                }
            })
            .map_err(err)
    }

    /// Write the frame as an RGB PNG.
    pub fn write_png(&self, path: &Path) -> Result<(), VideoError> {
        let err = |reason: String| VideoError::Write { path: path.to_owned(), reason };
        let rgb = self.to_rgb()?;
        let file = std::fs::File::create(path).map_err(|e| err(e.to_string()))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| err(e.to_string()))?;
        writer.write_image_data(&rgb).map_err(|e| err(e.to_string()))?;
        writer.finish().map_err(|e| err(e.to_string()))
    }
}

type ScalerKey = (u32, u32, u32, u32, Packing, ColorSpec);

thread_local! {
    /// The last YUV->RGB scaler: building one per frame would cost more than using it.
    static RGB_SCALER: std::cell::RefCell<Option<(ScalerKey, ffi::RgbScaler)>> =
        const { std::cell::RefCell::new(None) };
}

/// Turns decoder output of any pixel format into upright [`VideoFrame`]s, keeping one
/// swscale context for sources that are not 8-bit 4:2:0 already.
#[derive(Default)]
pub struct FrameConverter {
    scaler: Option<(Pixel, u32, u32, ffi::SendScaler)>,
}

impl FrameConverter {
    pub fn convert(
        &mut self,
        decoded: &ffmpeg::frame::Video,
        index: u64,
        rotation: u32,
    ) -> Result<VideoFrame, VideoError> {
        let (w, h) = (decoded.width(), decoded.height());
        let color = ColorSpec {
            bt709: decoded.color_space() == ffmpeg::color::Space::BT709,
            full_range: decoded.color_range() == ffmpeg::color::Range::JPEG
                || decoded.format() == Pixel::YUVJ420P,
        };
        let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
        let planes = if matches!(decoded.format(), Pixel::YUV420P | Pixel::YUVJ420P) {
            [
                copy_plane_out(decoded, 0, w as usize, h as usize),
                copy_plane_out(decoded, 1, cw, ch),
                copy_plane_out(decoded, 2, cw, ch),
            ]
        } else {
            let converted = self.convert_to_yuv420p(decoded, index)?;
            [
                copy_plane_out(&converted, 0, w as usize, h as usize),
                copy_plane_out(&converted, 1, cw, ch),
                copy_plane_out(&converted, 2, cw, ch),
            ]
        };
        let [y, u, v] = planes;
        let frame = VideoFrame { index, width: w, height: h, color, y, u, v };
        Ok(rotate(frame, rotation))
    }

    fn convert_to_yuv420p(
        &mut self,
        decoded: &ffmpeg::frame::Video,
        index: u64,
    ) -> Result<ffmpeg::frame::Video, VideoError> {
        let key = (decoded.format(), decoded.width(), decoded.height());
        if self.scaler.as_ref().is_none_or(|(f, w, h, _)| (*f, *w, *h) != key) {
            let scaler = scaling::Context::get(
                key.0,
                key.1,
                key.2,
                Pixel::YUV420P,
                key.1,
                key.2,
                scaling::Flags::BILINEAR | scaling::Flags::ACCURATE_RND,
            )
            .map_err(|e| VideoError::Decode {
                index,
                reason: format!("cannot convert pixel format {:?}: {e}", key.0),
            })?;
            self.scaler = Some((key.0, key.1, key.2, ffi::SendScaler(scaler)));
        }
        let mut out = ffmpeg::frame::Video::empty();
        if let Some((_, _, _, scaler)) = self.scaler.as_mut() {
            scaler.0.run(decoded, &mut out).map_err(|e| VideoError::Decode {
                index,
                reason: format!("pixel format conversion failed: {e}"),
            })?;
        }
        Ok(out)
    }
}

fn copy_plane_out(frame: &ffmpeg::frame::Video, plane: usize, row_bytes: usize, rows: usize) -> Vec<u8> {
    let stride = frame.stride(plane);
    let data = frame.data(plane);
    let mut out = Vec::with_capacity(row_bytes * rows + ffi::PLANE_PADDING);
    for r in 0..rows {
        out.extend_from_slice(&data[r * stride..r * stride + row_bytes]);
    }
    out
}

/// Rotate all three planes clockwise by 0, 90, 180 or 270 degrees.
fn rotate(frame: VideoFrame, degrees: u32) -> VideoFrame {
    if degrees == 0 {
        return frame;
    }
    let (w, h) = (frame.width as usize, frame.height as usize);
    let (cw, ch) = (frame.chroma_width() as usize, frame.chroma_height() as usize);
    let (width, height) =
        if degrees.is_multiple_of(180) { (frame.width, frame.height) } else { (frame.height, frame.width) };
    VideoFrame {
        index: frame.index,
        width,
        height,
        color: frame.color,
        y: rotate_plane(&frame.y, w, h, degrees),
        u: rotate_plane(&frame.u, cw, ch, degrees),
        v: rotate_plane(&frame.v, cw, ch, degrees),
    }
}

fn rotate_plane(src: &[u8], w: usize, h: usize, degrees: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(w * h + ffi::PLANE_PADDING);
    out.resize(w * h, 0);
    match degrees {
        90 => {
            // Output is h wide: source row r becomes output column h-1-r.
            for r in 0..h {
                for c in 0..w {
                    out[c * h + (h - 1 - r)] = src[r * w + c];
                }
            }
        }
        180 => {
            for (i, &p) in src.iter().enumerate() {
                out[w * h - 1 - i] = p;
            }
        }
        270 => {
            for r in 0..h {
                for c in 0..w {
                    out[(w - 1 - c) * h + r] = src[r * w + c];
                }
            }
        }
        _ => out.copy_from_slice(src),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(w: u32, h: u32) -> VideoFrame {
        let plane = |w: u32, h: u32| (0..w * h).map(|i| i as u8).collect::<Vec<_>>();
        VideoFrame {
            index: 0,
            width: w,
            height: h,
            color: ColorSpec::default(),
            y: plane(w, h),
            u: plane(w.div_ceil(2), h.div_ceil(2)),
            v: plane(w.div_ceil(2), h.div_ceil(2)),
        }
    }

    #[test]
    fn rotating_four_quarter_turns_is_identity() {
        let f = numbered(6, 4);
        let r90 = rotate(f.clone(), 90);
        assert_eq!((r90.width, r90.height), (4, 6));
        // Top-left of the upright picture is the source's bottom-left.
        assert_eq!(r90.y[0], f.y[3 * 6]);
        let back = rotate(rotate(rotate(r90, 90), 90), 90);
        assert_eq!(back, f);
        assert_eq!(rotate(rotate(f.clone(), 180), 180), f);
        assert_eq!(rotate(rotate(f.clone(), 90), 270), f);
    }
}
