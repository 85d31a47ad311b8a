use std::path::PathBuf;

/// Everything that can go wrong between a file on disk and a frame on screen.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("cannot open {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("{path} has no video stream (is it an audio-only or non-video file?)")]
    NoVideoStream { path: PathBuf },
    #[error("{path} has a video stream with no decodable frames")]
    NoFrames { path: PathBuf },
    #[error("{path}: video codec {codec} is not supported by this FFmpeg build")]
    UnsupportedCodec { path: PathBuf, codec: String },
    #[error("frame {index} is out of range: the video has {frame_count} frames")]
    FrameOutOfRange { index: u64, frame_count: u64 },
    #[error("time {time_s} s is out of range: the video lasts {duration_s} s")]
    TimeOutOfRange { time_s: f64, duration_s: f64 },
    #[error("frame {index} could not be decoded: {reason}")]
    Decode { index: u64, reason: String },
    #[error("decoding was cancelled for a newer request")]
    Cancelled,
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}
