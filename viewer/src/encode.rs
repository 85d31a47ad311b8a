//! Writing videos with FFmpeg encoders: the demo scene, the test suite's clips, and
//! rendered videos (frames with their overlays, the source's audio copied).

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;

use crate::VideoError;
use crate::ffi;
use crate::frame::{ColorSpec, VideoFrame};
use crate::remux::{AudioClip, AudioCopy};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    H264,
    Hevc,
    Vp9,
}

impl Codec {
    fn encoder_name(self) -> &'static str {
        match self {
            Codec::H264 => "libx264",
            Codec::Hevc => "libx265",
            Codec::Vp9 => "libvpx-vp9",
        }
    }
}

#[derive(Clone, Debug)]
pub struct EncodeSettings {
    pub codec: Codec,
    pub width: u32,
    pub height: u32,
    /// Time base of the timestamps given to [`VideoWriter::write_rgb`], as (num, den).
    pub time_base: (i32, i32),
    /// Nominal frame rate (num, den).
    pub frame_rate: (i32, i32),
    /// Frames between keyframes.
    pub gop: u32,
    pub b_frames: usize,
    pub ten_bit: bool,
    /// Clockwise degrees a player must rotate the frames to show them upright.
    pub rotation: u32,
    /// Constant quality (lower is better; codec's own scale).
    pub crf: u8,
    /// The matrix and range the file is marked with (and RGB is converted by).
    pub color: ColorSpec,
    /// Audio copied into the file.
    pub audio: Option<AudioClip>,
}

impl EncodeSettings {
    /// H.264 at `fps` frames per second, timestamps counted in frames.
    pub fn h264(width: u32, height: u32, fps: i32) -> Self {
        Self {
            codec: Codec::H264,
            width,
            height,
            time_base: (1, fps),
            frame_rate: (fps, 1),
            gop: 250,
            b_frames: 3,
            ten_bit: false,
            rotation: 0,
            crf: 23,
            color: ColorSpec::default(),
            audio: None,
        }
    }
}

/// Encodes RGB frames into a file; the container follows the file extension.
pub struct VideoWriter {
    path: PathBuf,
    output: ffmpeg::format::context::Output,
    encoder: ffmpeg::encoder::Video,
    scaler: scaling::Context,
    rgb: ffmpeg::frame::Video,
    yuv: ffmpeg::frame::Video,
    /// A [`VideoFrame`]'s planes, and the scaler to the file's size and format when
    /// they differ.
    planes: Option<(ffmpeg::frame::Video, Option<scaling::Context>)>,
    audio: Option<AudioCopy>,
    time_base: ffmpeg::Rational,
    /// One nominal frame in `time_base` units.
    frame_duration: i64,
    frames: u64,
}

impl VideoWriter {
    pub fn create(path: impl AsRef<Path>, settings: &EncodeSettings) -> Result<Self, VideoError> {
        crate::init();
        let path = path.as_ref().to_owned();
        let err = |e: &dyn std::fmt::Display| VideoError::Write { path: path.clone(), reason: e.to_string() };
        let codec = ffmpeg::encoder::find_by_name(settings.codec.encoder_name())
            .ok_or_else(|| err(&format!("FFmpeg has no {} encoder", settings.codec.encoder_name())))?;
        let mut output = ffmpeg::format::output(&path).map_err(|e| err(&e))?;
        ffi::set_bitexact(&mut output);
        let global_header = output.format().flags().contains(ffmpeg::format::Flags::GLOBAL_HEADER);
        let mut encoder =
            ffmpeg::codec::context::Context::new_with_codec(codec).encoder().video().map_err(|e| err(&e))?;
        let format = if settings.ten_bit { Pixel::YUV420P10LE } else { Pixel::YUV420P };
        let time_base = ffmpeg::Rational(settings.time_base.0, settings.time_base.1);
        encoder.set_width(settings.width);
        encoder.set_height(settings.height);
        encoder.set_format(format);
        encoder.set_time_base(time_base);
        encoder.set_frame_rate(Some(ffmpeg::Rational(settings.frame_rate.0, settings.frame_rate.1)));
        encoder.set_gop(settings.gop);
        encoder.set_max_b_frames(settings.b_frames);
        let mut flags = ffmpeg::codec::Flags::BITEXACT;
        if global_header {
            flags |= ffmpeg::codec::Flags::GLOBAL_HEADER;
        }
        encoder.set_flags(flags);
        let color = settings.color;
        encoder.set_colorspace(if color.bt709 {
            ffmpeg::color::Space::BT709
        } else {
            ffmpeg::color::Space::BT470BG
        });
        encoder.set_color_range(if color.full_range {
            ffmpeg::color::Range::JPEG
        } else {
            ffmpeg::color::Range::MPEG
        });
        let mut options = ffmpeg::Dictionary::new();
        options.set("crf", &settings.crf.to_string());
        match settings.codec {
            Codec::H264 => {
                options.set("preset", "veryfast");
                // Fixed keyframe interval: no extra keyframes at scene cuts.
                options.set(
                    "x264-params",
                    &format!("keyint={0}:min-keyint={0}:scenecut=0:log=-1", settings.gop),
                );
            }
            Codec::Hevc => {
                options.set("preset", "ultrafast");
                options.set(
                    "x265-params",
                    &format!(
                        "log-level=error:keyint={0}:min-keyint={0}:scenecut=0:bframes={1}",
                        settings.gop, settings.b_frames
                    ),
                );
            }
            Codec::Vp9 => {
                options.set("deadline", "realtime");
                options.set("cpu-used", "8");
                options.set("b", "0");
            }
        }
        let encoder =
            encoder.open_as_with(codec, options).map_err(|e| err(&format!("cannot open encoder: {e}")))?;
        let mut stream = output.add_stream(codec).map_err(|e| err(&e))?;
        stream.set_parameters(&encoder);
        stream.set_time_base(time_base);
        if settings.rotation != 0 {
            ffi::set_stream_rotation(&mut stream, settings.rotation);
        }
        let audio = match &settings.audio {
            Some(clip) => AudioCopy::open(clip, &mut output)?,
            None => None,
        };
        output.write_header().map_err(|e| err(&e))?;
        let mut scaler = scaling::Context::get(
            Pixel::RGB24,
            settings.width,
            settings.height,
            format,
            settings.width,
            settings.height,
            scaling::Flags::BILINEAR | scaling::Flags::ACCURATE_RND,
        )
        .map_err(|e| err(&e))?;
        ffi::set_rgb_to_yuv(&mut scaler, color.bt709, color.full_range);
        Ok(Self {
            path,
            output,
            encoder,
            scaler,
            rgb: ffmpeg::frame::Video::new(Pixel::RGB24, settings.width, settings.height),
            yuv: ffmpeg::frame::Video::empty(),
            planes: None,
            audio,
            time_base,
            frame_duration: nominal_frame_duration(settings),
            frames: 0,
        })
    }

    fn err(&self, e: impl ToString) -> VideoError {
        VideoError::Write { path: self.path.clone(), reason: e.to_string() }
    }

    /// Encode one frame of packed RGB (`width * height * 3` bytes) at timestamp `pts`
    /// in the settings' time base. Timestamps must increase.
    pub fn write_rgb(&mut self, rgb: &[u8], pts: i64) -> Result<(), VideoError> {
        let (w, h) = (self.rgb.width() as usize, self.rgb.height() as usize);
        if rgb.len() != w * h * 3 {
            return Err(self.err(format!("expected {} RGB bytes, got {}", w * h * 3, rgb.len())));
        }
        let stride = self.rgb.stride(0);
        let data = self.rgb.data_mut(0);
        for (r, row) in rgb.chunks_exact(w * 3).enumerate() {
            data[r * stride..r * stride + w * 3].copy_from_slice(row);
        }
        self.scaler.run(&self.rgb, &mut self.yuv).map_err(|e| self.err(e))?;
        self.yuv.set_pts(Some(pts));
        self.encoder.send_frame(&self.yuv).map_err(|e| self.err(e))?;
        self.frames += 1;
        self.write_packets()
    }

    /// Encode a decoded frame (of any size: it is scaled to the file's) at `pts`.
    pub fn write_frame(&mut self, frame: &VideoFrame, pts: i64) -> Result<(), VideoError> {
        let (width, height) = (self.encoder.width(), self.encoder.height());
        let same = (frame.width, frame.height) == (width, height) && self.encoder.format() == Pixel::YUV420P;
        let fits =
            |(p, _): &(ffmpeg::frame::Video, _)| (p.width(), p.height()) == (frame.width, frame.height);
        if !self.planes.as_ref().is_some_and(fits) {
            let scaler = if same {
                None
            } else {
                let (w, h, format) = (frame.width, frame.height, self.encoder.format());
                let flags = scaling::Flags::BICUBIC | scaling::Flags::ACCURATE_RND;
                Some(
                    scaling::Context::get(Pixel::YUV420P, w, h, format, width, height, flags)
                        .map_err(|e| self.err(e))?,
                )
            };
            self.planes =
                Some((ffmpeg::frame::Video::new(Pixel::YUV420P, frame.width, frame.height), scaler));
        }
        let Some((planes, scaler)) = self.planes.as_mut() else { return Err(self.err("no frame buffer")) };
        let (cw, ch) = (frame.chroma_width() as usize, frame.chroma_height() as usize);
        for (plane, (data, w, h)) in
            [(&frame.y, frame.width as usize, frame.height as usize), (&frame.u, cw, ch), (&frame.v, cw, ch)]
                .into_iter()
                .enumerate()
        {
            let stride = planes.stride(plane);
            let out = planes.data_mut(plane);
            for (r, row) in data.chunks_exact(w).take(h).enumerate() {
                out[r * stride..r * stride + w].copy_from_slice(row);
            }
        }
        let send = match scaler {
            Some(scaler) => {
                scaler
                    .run(planes, &mut self.yuv)
                    .map_err(|e| VideoError::Write { path: self.path.clone(), reason: e.to_string() })?;
                &mut self.yuv
            }
            None => planes,
        };
        send.set_pts(Some(pts));
        self.encoder
            .send_frame(send)
            .map_err(|e| VideoError::Write { path: self.path.clone(), reason: e.to_string() })?;
        self.frames += 1;
        self.write_packets()
    }

    fn write_packets(&mut self) -> Result<(), VideoError> {
        let stream_time_base = self.output.stream(0).map_or(self.time_base, |s| s.time_base());
        let mut packet = ffmpeg::Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            // The source's audio up to this packet goes first, to keep the two interleaved.
            if let (Some(audio), Some(dts)) = (self.audio.as_mut(), packet.dts()) {
                let until_s = dts as f64 * f64::from(self.time_base.numerator())
                    / f64::from(self.time_base.denominator());
                audio.write_until(&mut self.output, until_s, &self.path)?;
            }
            packet.set_stream(0);
            // Without a duration the MP4 muxer's edit list cuts off the last frame.
            if packet.duration() <= 0 {
                packet.set_duration(self.frame_duration);
            }
            packet.rescale_ts(self.time_base, stream_time_base);
            packet.write_interleaved(&mut self.output).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The file gets the source's audio.
    pub fn has_audio(&self) -> bool {
        self.audio.is_some()
    }

    /// Flush the encoder and close the file; returns the number of frames written.
    pub fn finish(mut self) -> Result<u64, VideoError> {
        self.encoder.send_eof().map_err(|e| self.err(e))?;
        self.write_packets()?;
        if let Some(audio) = self.audio.as_mut() {
            audio.write_until(&mut self.output, f64::INFINITY, &self.path)?;
        }
        self.output.write_trailer().map_err(|e| self.err(e))?;
        Ok(self.frames)
    }
}

fn nominal_frame_duration(settings: &EncodeSettings) -> i64 {
    let (tb_num, tb_den) = (i64::from(settings.time_base.0), i64::from(settings.time_base.1));
    let (fr_num, fr_den) = (i64::from(settings.frame_rate.0), i64::from(settings.frame_rate.1));
    ((tb_den * fr_den) / (tb_num * fr_num).max(1)).max(1)
}
