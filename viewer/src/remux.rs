//! A source's audio copied packet for packet into a written video, cut to a clip and
//! moved to start at 0: no re-encoding, so nothing of it changes.

use std::path::{Path, PathBuf};

use ffmpeg_next as ffmpeg;

use crate::VideoError;
use crate::ffi;

/// Which audio to copy: the best audio stream of `path`, from `from_s` to `to_s`.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioClip {
    pub path: PathBuf,
    pub from_s: f64,
    pub to_s: f64,
}

pub(crate) struct AudioCopy {
    input: ffmpeg::format::context::Input,
    stream: usize,
    time_base: ffmpeg::Rational,
    /// The clip in the input stream's time base.
    start: i64,
    end: i64,
    /// The output's stream number.
    out: usize,
    /// A packet read but not yet due.
    next: Option<ffmpeg::Packet>,
    done: bool,
}

fn err(path: &Path, e: impl ToString) -> VideoError {
    VideoError::Write { path: path.to_owned(), reason: format!("copying the audio: {}", e.to_string()) }
}

impl AudioCopy {
    /// Add the audio stream to `output` (before its header is written); `None` when
    /// the source has no audio.
    pub fn open(
        clip: &AudioClip,
        output: &mut ffmpeg::format::context::Output,
    ) -> Result<Option<Self>, VideoError> {
        let mut input = ffmpeg::format::input(&clip.path).map_err(|e| err(&clip.path, e))?;
        let Some(stream) = input.streams().best(ffmpeg::media::Type::Audio) else { return Ok(None) };
        let (index, time_base, parameters) = (stream.index(), stream.time_base(), stream.parameters());
        let mut out = output
            .add_stream(ffmpeg::encoder::find(ffmpeg::codec::Id::None))
            .map_err(|e| err(&clip.path, e))?;
        out.set_parameters(parameters);
        ffi::clear_codec_tag(&mut out);
        let out = out.index();
        let ts = |s: f64| {
            (s * f64::from(time_base.denominator()) / f64::from(time_base.numerator())).round() as i64
        };
        let start = ts(clip.from_s);
        if clip.from_s > 0.0 {
            // To the packet at or before the start; packets before it are skipped.
            let position = (clip.from_s * f64::from(ffmpeg::ffi::AV_TIME_BASE)) as i64;
            input.seek(position, ..position).map_err(|e| err(&clip.path, e))?;
        }
        Ok(Some(Self {
            input,
            stream: index,
            time_base,
            start,
            end: ts(clip.to_s),
            out,
            next: None,
            done: false,
        }))
    }

    /// Write the audio that starts before `until_s` seconds of the output.
    pub fn write_until(
        &mut self,
        output: &mut ffmpeg::format::context::Output,
        until_s: f64,
        path: &Path,
    ) -> Result<(), VideoError> {
        let out_base = output.stream(self.out).map_or(self.time_base, |s| s.time_base());
        let until = self.start.saturating_add(
            (until_s * f64::from(self.time_base.denominator()) / f64::from(self.time_base.numerator()))
                as i64,
        );
        while !self.done {
            let mut packet = match self.next.take() {
                Some(p) => p,
                None => {
                    let mut p = ffmpeg::Packet::empty();
                    match p.read(&mut self.input) {
                        Ok(()) => p,
                        Err(ffmpeg::Error::Eof) => {
                            self.done = true;
                            break;
                        }
                        Err(e) => return Err(err(path, e)),
                    }
                }
            };
            if packet.stream() != self.stream {
                continue;
            }
            let Some(pts) = packet.pts().or(packet.dts()) else { continue };
            if pts >= self.end {
                self.done = true;
                break;
            }
            if pts >= until {
                self.next = Some(packet);
                break;
            }
            if pts < self.start {
                continue;
            }
            packet.set_pts(Some(pts - self.start));
            packet.set_dts(packet.dts().map(|d| d - self.start));
            packet.rescale_ts(self.time_base, out_base);
            packet.set_position(-1);
            packet.set_stream(self.out);
            packet.write_interleaved(output).map_err(|e| err(path, e))?;
        }
        Ok(())
    }
}
