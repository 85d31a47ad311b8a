//! Writing videos with FFmpeg encoders: the demo scene and the test suite's clips.

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;

use crate::VideoError;
use crate::ffi;

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
        output.write_header().map_err(|e| err(&e))?;
        let scaler = scaling::Context::get(
            Pixel::RGB24,
            settings.width,
            settings.height,
            format,
            settings.width,
            settings.height,
            scaling::Flags::BILINEAR | scaling::Flags::ACCURATE_RND,
        )
        .map_err(|e| err(&e))?;
        Ok(Self {
            path,
            output,
            encoder,
            scaler,
            rgb: ffmpeg::frame::Video::new(Pixel::RGB24, settings.width, settings.height),
            yuv: ffmpeg::frame::Video::empty(),
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

    fn write_packets(&mut self) -> Result<(), VideoError> {
        let stream_time_base = self.output.stream(0).map_or(self.time_base, |s| s.time_base());
        let mut packet = ffmpeg::Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
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

    /// Flush the encoder and close the file; returns the number of frames written.
    pub fn finish(mut self) -> Result<u64, VideoError> {
        self.encoder.send_eof().map_err(|e| self.err(e))?;
        self.write_packets()?;
        self.output.write_trailer().map_err(|e| self.err(e))?;
        Ok(self.frames)
    }
}

fn nominal_frame_duration(settings: &EncodeSettings) -> i64 {
    let (tb_num, tb_den) = (i64::from(settings.time_base.0), i64::from(settings.time_base.1));
    let (fr_num, fr_den) = (i64::from(settings.frame_rate.0), i64::from(settings.frame_rate.1));
    ((tb_den * fr_den) / (tb_num * fr_num).max(1)).max(1)
}
