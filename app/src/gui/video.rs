//! One open video in the GUI: its decode thread, play head, and the frame on screen.

use std::sync::Arc;

use viewer::{FrameServer, Playback, PlaybackCommand, Precision, ThumbnailStrip, VideoFrame};

use super::loader::{OpenedVideo, THUMBNAIL_SLOTS};

pub struct VideoView {
    pub server: FrameServer,
    thumbnails: ThumbnailStrip,
    /// Thumbnail textures by slot, and the frame each shows.
    pub thumbnail_textures: Vec<Option<(egui::TextureHandle, u64)>>,
    pub playback: Playback,
    /// The frame on screen: stays until the next one is ready, so nothing flickers.
    pub shown: Option<Arc<VideoFrame>>,
    /// The user is dragging the timeline: show anything near at once.
    pub scrubbing: bool,
    /// In and out marks (I and O keys): a new segment's span, and the loop range.
    pub marks: (Option<u64>, Option<u64>),
}

impl VideoView {
    pub fn new(opened: OpenedVideo) -> Self {
        let OpenedVideo { server, thumbnails } = opened;
        server.request(0, Precision::Exact);
        Self {
            server,
            thumbnails,
            thumbnail_textures: vec![None; THUMBNAIL_SLOTS],
            playback: Playback::default(),
            shown: None,
            scrubbing: false,
            marks: (None, None),
        }
    }

    /// Apply the frame's commands, advance the clock, ask the decode thread for what
    /// is needed and pick the frame to show. Never waits for decoding.
    pub fn update(&mut self, ctx: &egui::Context, now: f64, commands: &[PlaybackCommand]) {
        let index = Arc::clone(self.server.index());
        for &command in commands {
            self.playback.apply(command, &index, now);
        }
        let current = self.playback.tick(&index, now);
        let precision = if self.scrubbing { Precision::Nearest } else { Precision::Exact };
        self.server.request(current, precision);
        if let Some(frame) = self.server.cached(current) {
            self.shown = Some(frame);
        } else if (self.scrubbing || self.shown.is_none())
            && let Some(frame) = self.server.nearest_cached(current)
        {
            self.shown = Some(frame);
        }
        if self.playback.is_playing() {
            ctx.request_repaint();
        }
        for t in self.thumbnails.poll() {
            let image =
                egui::ColorImage::from_rgba_unmultiplied([t.width as usize, t.height as usize], &t.rgba);
            let texture =
                ctx.load_texture(format!("thumbnail-{}", t.slot), image, egui::TextureOptions::LINEAR);
            if let Some(slot) = self.thumbnail_textures.get_mut(t.slot) {
                *slot = Some((texture, t.index));
            }
        }
    }

    pub fn current_frame(&self) -> u64 {
        self.playback.frame()
    }

    pub fn shown_frame(&self) -> Option<u64> {
        self.shown.as_ref().map(|f| f.index)
    }

    pub fn thumbnails_loaded(&self) -> usize {
        self.thumbnail_textures.iter().flatten().count()
    }
}
