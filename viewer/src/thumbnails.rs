//! The timeline's thumbnail strip, filled in the background from keyframes only.

use std::sync::mpsc::{Receiver, sync_channel};

use crate::VideoError;
use crate::source::VideoSource;

/// A small RGBA picture of the keyframe nearest to one slot of the strip.
pub struct Thumbnail {
    pub slot: usize,
    /// The frame it shows.
    pub index: u64,
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Receives thumbnails from a named background thread. Dropping it ends the thread
/// at its next send, without waiting for it.
pub struct ThumbnailStrip {
    receiver: Receiver<Thumbnail>,
}

impl ThumbnailStrip {
    /// Decode `slots` thumbnails `height` pixels high, evenly spread over the video,
    /// on their own decoder (the main decode thread is not slowed down). `notify` is
    /// called after each thumbnail is sent (the GUI passes "request a repaint").
    pub fn start(
        source: &VideoSource,
        slots: usize,
        height: u32,
        notify: impl Fn() + Send + 'static,
    ) -> Result<Self, VideoError> {
        let mut source = source.reopen_single_threaded()?;
        let (sender, receiver) = sync_channel(4);
        std::thread::Builder::new()
            .name("vidence-thumbnails".into())
            .spawn(move || {
                let info = source.info().clone();
                let width = ((f64::from(info.width) * f64::from(height) / f64::from(info.height.max(1)))
                    .round() as u32)
                    .max(2);
                let count = source.index().len();
                for slot in 0..slots {
                    let target = (slot as u64 * count) / slots as u64 + count / (2 * slots as u64);
                    let Ok(frame) = source.keyframe_near(target.min(count - 1)) else { continue };
                    let Ok(rgba) = frame.to_rgba_scaled(width, height) else { continue };
                    let thumbnail = Thumbnail { slot, index: frame.index, width, height, rgba };
                    if sender.send(thumbnail).is_err() {
                        return; // the strip was dropped
                    }
                    notify();
                }
            })
            .map_err(|e| VideoError::Decode {
                index: 0,
                reason: format!("cannot start thumbnail thread: {e}"),
            })?;
        Ok(Self { receiver })
    }

    /// Thumbnails that arrived since the last call.
    pub fn poll(&self) -> Vec<Thumbnail> {
        self.receiver.try_iter().collect()
    }
}
