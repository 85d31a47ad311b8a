//! Video in: probing, a keyframe index built from packets, frame-exact decoding and
//! seeking, a byte-bounded frame cache, a decode thread, the playback clock and
//! thumbnails. No GUI: frames are plain YUV planes that any front end can show.

mod blend;
mod cache;
pub mod encode;
mod error;
mod ffi;
mod frame;
mod index;
mod info;
mod playback;
mod remux;
mod sequential;
mod server;
mod source;
mod thumbnails;

pub use blend::Layer;
pub use cache::{DEFAULT_CACHE_BYTES, FrameCache};
pub use error::VideoError;
pub use frame::{ColorSpec, VideoFrame};
pub use index::{FrameEntry, FrameIndex};
pub use info::VideoInfo;
pub use playback::{MAX_SPEED, MIN_SPEED, Playback, PlaybackCommand};
pub use remux::AudioClip;
pub use sequential::decode_sequential;
pub use server::{FrameServer, Precision, ServerStats};
pub use source::VideoSource;
pub use thumbnails::{Thumbnail, ThumbnailStrip};

/// Initialise FFmpeg once and keep its log quiet: errors reach the user as
/// [`VideoError`]s instead.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ffmpeg_next::init();
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Fatal);
    });
}
