//! Opening a video, reading its metadata and index, and decoding any frame exactly.

use annotate::time::FrameTimes;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ffmpeg_next as ffmpeg;
use ffmpeg_next::codec::discard::Discard;

use crate::ffi;
use crate::frame::{FrameConverter, VideoFrame};
use crate::index::{FrameEntry, FrameIndex};
use crate::{VideoError, VideoInfo};

/// Consecutive demux errors after which a file counts as unreadable from that point.
const MAX_READ_ERRORS: usize = 64;

/// One open video file: metadata, a frame index and a decoder positioned somewhere in
/// the stream. `frame(i)` returns frame `i` of a straight decode, however it gets there.
pub struct VideoSource {
    path: PathBuf,
    input: ffmpeg::format::context::Input,
    stream: usize,
    decoder: ffmpeg::decoder::Video,
    index: Arc<FrameIndex>,
    info: VideoInfo,
    converter: FrameConverter,
    /// Index of the last frame the decoder gave out since the last seek.
    last_output: Option<u64>,
    /// The demuxer reached end of file and the decoder was told so.
    drained: bool,
    /// Asked between packets: true abandons the current decode (a newer request came).
    interrupt: Option<Box<dyn Fn() -> bool + Send>>,
}

fn open_err(path: &Path, e: impl ToString) -> VideoError {
    VideoError::Open { path: path.to_owned(), reason: e.to_string() }
}

impl VideoSource {
    /// Open `path`, read every packet header of its video stream (no decoding) to
    /// count frames and find keyframes, and prepare a decoder.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, VideoError> {
        Self::open_with_progress(path, |_| {})
    }

    /// Like [`Self::open`], calling `progress` with the fraction of the file indexed.
    pub fn open_with_progress(
        path: impl AsRef<Path>,
        mut progress: impl FnMut(f32),
    ) -> Result<Self, VideoError> {
        let path = path.as_ref();
        let (mut input, stream) = open_input(path)?;
        let file_size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let index = Arc::new(scan_index(&mut input, stream, path, file_size, &mut progress)?);
        // Back to the start for the first decode; a demuxer that cannot go back is
        // simply opened again.
        let input = match input.seek(i64::MIN, ..) {
            Ok(()) => input,
            Err(_) => open_input(path)?.0,
        };
        Self::with_index(path, input, stream, index, default_threads())
    }

    /// Open another decoder on a file whose index is already known, with the same
    /// threading (for comparing two ways of decoding).
    pub fn reopen(&self) -> Result<Self, VideoError> {
        let (input, stream) = open_input(&self.path)?;
        Self::with_index(&self.path, input, stream, Arc::clone(&self.index), default_threads())
    }

    /// Like [`Self::reopen`] with one decoding thread: a background helper (the
    /// thumbnail strip) that must not compete with the main decoder, and whose
    /// single-frame decodes would only wait for a batch of frame threads to fill.
    pub fn reopen_single_threaded(&self) -> Result<Self, VideoError> {
        let (input, stream) = open_input(&self.path)?;
        Self::with_index(&self.path, input, stream, Arc::clone(&self.index), 1)
    }

    /// Check `interrupt` between packets and give up with [`VideoError::Cancelled`]
    /// when it returns true.
    pub fn set_interrupt(&mut self, interrupt: impl Fn() -> bool + Send + 'static) {
        self.interrupt = Some(Box::new(interrupt));
    }

    fn with_index(
        path: &Path,
        input: ffmpeg::format::context::Input,
        stream_index: usize,
        index: Arc<FrameIndex>,
        threads: usize,
    ) -> Result<Self, VideoError> {
        let stream =
            input.stream(stream_index).ok_or_else(|| VideoError::NoVideoStream { path: path.to_owned() })?;
        let params = stream.parameters();
        let codec_id = params.id();
        let mut context =
            ffmpeg::codec::context::Context::from_parameters(params).map_err(|e| open_err(path, e))?;
        context.set_threading(ffmpeg::codec::threading::Config {
            kind: ffmpeg::codec::threading::Type::Frame,
            count: threads,
            ..Default::default()
        });
        let decoder = context.decoder().video().map_err(|e| match e {
            ffmpeg::Error::DecoderNotFound => VideoError::UnsupportedCodec {
                path: path.to_owned(),
                codec: format!("{codec_id:?}").to_lowercase(),
            },
            e => open_err(path, e),
        })?;
        if index.is_empty() {
            return Err(VideoError::NoFrames { path: path.to_owned() });
        }
        let rotation = ffi::stream_rotation(&stream);
        let info = VideoInfo::new(&input, &stream, &decoder, &index, rotation, path);
        Ok(Self {
            path: path.to_owned(),
            input,
            stream: stream_index,
            decoder,
            index,
            info,
            converter: FrameConverter::default(),
            last_output: None,
            drained: false,
            interrupt: None,
        })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    pub fn index(&self) -> &Arc<FrameIndex> {
        &self.index
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The video stream's time base (numerator, denominator): the unit of its
    /// timestamps, which a rendered copy keeps.
    pub fn time_base(&self) -> (i32, i32) {
        self.input
            .stream(self.stream)
            .map_or((1, 1), |s| (s.time_base().numerator(), s.time_base().denominator()))
    }

    /// The stream's average frame rate (numerator, denominator), `None` when unknown.
    pub fn frame_rate(&self) -> Option<(i32, i32)> {
        let r = self.input.stream(self.stream)?.avg_frame_rate();
        (r.numerator() > 0 && r.denominator() > 0).then(|| (r.numerator(), r.denominator()))
    }

    /// The frame at presentation index `index`, bit-identical to the same frame of a
    /// straight decode from the start.
    pub fn frame(&mut self, index: u64) -> Result<VideoFrame, VideoError> {
        let target = self.check_index(index)?;
        let keyframe = self.index.keyframe_at_or_before(index);
        // Decoding on is cheaper than seeking while the decoder is behind the target
        // and already inside (or right before) the target's keyframe interval.
        let can_continue = self.last_output.is_some_and(|last| last < index && keyframe <= last + 1);
        let mut start = if can_continue { None } else { Some(keyframe) };
        let mut retries = 0;
        loop {
            if let Some(k) = start {
                self.seek_to_frame(k)?;
            }
            match self.decode_until(target)? {
                Found::Frame(decoded) => {
                    return self.converter.convert(&decoded, index, self.info.rotation);
                }
                // The output went past or ended without the target: a keyframe that
                // is no clean start (an open GOP, an H.264 I-frame that is not IDR) or a
                // demuxer that seeks late. Start one keyframe earlier, at worst from the top.
                Found::Passed | Found::End if retries < 3 => {
                    retries += 1;
                    start = Some(match start {
                        None => keyframe,
                        Some(k) if retries < 3 => self.index.keyframe_before(k).unwrap_or(0),
                        Some(_) => 0,
                    });
                }
                Found::Passed | Found::End => return Err(self.missing(index)),
            }
        }
    }

    /// The usual way, kept as the baseline that benchmarks compare against: seek to
    /// the keyframe, then decode and convert every frame up to the target.
    pub fn frame_naive(&mut self, index: u64) -> Result<VideoFrame, VideoError> {
        let target = self.check_index(index)?;
        self.seek_to_frame(self.index.keyframe_at_or_before(index))?;
        self.decoder.skip_frame(Discard::Default);
        let mut decoded = ffmpeg::frame::Video::empty();
        let mut rgba = Vec::new();
        loop {
            while self.decoder.receive_frame(&mut decoded).is_ok() {
                let pts = decoded.pts().or(decoded.timestamp());
                let at = pts.and_then(|p| self.index.index_of_pts(p)).unwrap_or(0);
                let frame = self.converter.convert(&decoded, at, self.info.rotation)?;
                frame.write_rgba(frame.width, frame.height, &mut rgba)?;
                if pts == Some(target) {
                    self.last_output = None;
                    return Ok(frame);
                }
            }
            match read_packet(&mut self.input) {
                Ok(packet) if packet.stream() == self.stream => {
                    let _ = self.decoder.send_packet(&packet);
                }
                Ok(_) => {}
                Err(_) if !self.drained => {
                    let _ = self.decoder.send_eof();
                    self.drained = true;
                }
                Err(_) => return Err(self.missing(index)),
            }
        }
    }

    /// The frame shown at `time_s` seconds from the first frame.
    pub fn frame_at_time(&mut self, time_s: f64) -> Result<VideoFrame, VideoError> {
        let duration_s = self.info.duration_s;
        if !(0.0..=duration_s).contains(&time_s) {
            return Err(VideoError::TimeOutOfRange { time_s, duration_s });
        }
        self.frame(self.index.frame_at_time(time_s))
    }

    /// A quick frame near `index`: the keyframe at or before it, one decode after a
    /// seek. For showing something at once while the user scrubs.
    pub fn keyframe_near(&mut self, index: u64) -> Result<VideoFrame, VideoError> {
        self.check_index(index)?;
        self.frame(self.index.keyframe_at_or_before(index))
    }

    /// The demuxer (at the start), stream number, decoder and rotation, for a
    /// caller that drives decoding itself.
    pub(crate) fn into_parts(self) -> (ffmpeg::format::context::Input, usize, ffmpeg::decoder::Video, u32) {
        (self.input, self.stream, self.decoder, self.info.rotation)
    }

    fn check_index(&self, index: u64) -> Result<i64, VideoError> {
        self.index.pts(index).ok_or(VideoError::FrameOutOfRange { index, frame_count: self.index.len() })
    }

    fn missing(&self, index: u64) -> VideoError {
        VideoError::Decode { index, reason: "the decoder never produced this frame (damaged stream?)".into() }
    }

    fn seek_to_frame(&mut self, index: u64) -> Result<(), VideoError> {
        let pts = self.index.pts(index).unwrap_or(i64::MIN);
        let seeked = if index == 0 {
            // The very start: also works for files with no seek index.
            self.input.seek(i64::MIN, ..).or_else(|_| ffi::seek_backward(&mut self.input, self.stream, pts))
        } else {
            ffi::seek_backward(&mut self.input, self.stream, pts)
        };
        seeked.map_err(|e| VideoError::Decode { index, reason: format!("seek failed: {e}") })?;
        self.decoder.flush();
        self.last_output = None;
        self.drained = false;
        Ok(())
    }

    /// Feed packets until the decoder outputs the frame with pts `target`. Frames
    /// before it are neither converted nor, where they are not references, decoded.
    fn decode_until(&mut self, target: i64) -> Result<Found, VideoError> {
        let mut decoded = ffmpeg::frame::Video::empty();
        let mut read_errors = 0;
        loop {
            if self.decoder.receive_frame(&mut decoded).is_ok() {
                let Some(pts) = decoded.pts().or(decoded.timestamp()) else { continue };
                let Some(at) = self.index.index_of_pts(pts) else { continue };
                self.last_output = Some(at);
                if pts == target {
                    return Ok(Found::Frame(decoded));
                }
                if pts > target {
                    return Ok(Found::Passed);
                }
                continue;
            }
            if self.drained {
                return Ok(Found::End);
            }
            // The decoder stays consistent: the next request may continue from here.
            if self.interrupt.as_ref().is_some_and(|stop| stop()) {
                return Err(VideoError::Cancelled);
            }
            match read_packet(&mut self.input) {
                Ok(packet) => {
                    read_errors = 0;
                    if packet.stream() != self.stream {
                        continue;
                    }
                    // A frame that comes before the target and that nothing refers to
                    // need not be decoded at all.
                    let before = packet.pts().is_some_and(|p| p < target);
                    self.decoder.skip_frame(if before { Discard::NonReference } else { Discard::Default });
                    // A damaged packet is skipped; the index check above keeps us exact.
                    let _ = self.decoder.send_packet(&packet);
                }
                Err(ffmpeg::Error::Eof) => {
                    self.decoder.skip_frame(Discard::Default);
                    let _ = self.decoder.send_eof();
                    self.drained = true;
                }
                Err(_) if read_errors < MAX_READ_ERRORS => read_errors += 1,
                Err(e) => {
                    return Err(VideoError::Decode {
                        index: self.index.index_of_pts(target).unwrap_or(0),
                        reason: format!("reading the file failed: {e}"),
                    });
                }
            }
        }
    }
}

enum Found {
    Frame(ffmpeg::frame::Video),
    /// The decoder's output went past the target.
    Passed,
    End,
}

/// Read the next packet into a fresh `Packet`: `av_read_frame` does not release the
/// buffer of the packet it is given, so reusing one would leak every packet read.
pub(crate) fn read_packet(
    input: &mut ffmpeg::format::context::Input,
) -> Result<ffmpeg::Packet, ffmpeg::Error> {
    let mut packet = ffmpeg::Packet::empty();
    packet.read(input).map(|()| packet)
}

/// Frame threads: twice the cores, because frames that wait on their references leave a
/// core idle that another frame in flight can use. Output stays in order.
fn default_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    (2 * cores).min(16)
}

fn open_input(path: &Path) -> Result<(ffmpeg::format::context::Input, usize), VideoError> {
    crate::init();
    if !path.exists() {
        return Err(open_err(path, "no such file"));
    }
    let input = ffmpeg::format::input(&path)
        .map_err(|e| open_err(path, format!("{e} (not a video FFmpeg can read)")))?;
    let stream = input
        .streams()
        .best(ffmpeg::media::Type::Video)
        .ok_or_else(|| VideoError::NoVideoStream { path: path.to_owned() })?
        .index();
    Ok((input, stream))
}

fn scan_index(
    input: &mut ffmpeg::format::context::Input,
    stream: usize,
    path: &Path,
    file_size: u64,
    progress: &mut impl FnMut(f32),
) -> Result<FrameIndex, VideoError> {
    let time_base = input.stream(stream).map(|s| s.time_base()).unwrap_or(ffmpeg::Rational(1, 1));
    let tick_s = f64::from(time_base.numerator()) / f64::from(time_base.denominator().max(1));
    let mut frames = Vec::new();
    let mut read_errors = 0;
    let mut missing_timestamps = 0usize;
    loop {
        match read_packet(input) {
            Ok(packet) => {
                read_errors = 0;
                if packet.stream() != stream || ffi::packet_is_discarded(&packet) {
                    continue;
                }
                let Some(pts) = packet.pts().or(packet.dts()) else {
                    missing_timestamps += 1;
                    continue;
                };
                frames.push(FrameEntry { pts, duration: packet.duration(), key: packet.is_key() });
                if frames.len() % 256 == 0 && file_size > 0 {
                    progress((packet.position().max(0) as f64 / file_size as f64).min(1.0) as f32);
                }
            }
            Err(ffmpeg::Error::Eof) => break,
            // A damaged stretch: keep what was read before it.
            Err(_) if read_errors < MAX_READ_ERRORS => read_errors += 1,
            Err(_) => break,
        }
    }
    if frames.is_empty() && missing_timestamps > 0 {
        return Err(open_err(
            path,
            "the video packets carry no timestamps, so frames cannot be located exactly",
        ));
    }
    progress(1.0);
    Ok(FrameIndex::new(frames, tick_s))
}
