//! The view written out: Export video… renders the open video with what the canvas
//! shows (the labels, the run on show and the one compared with it, captions and the
//! timeline strip) on `vidence-render`, with progress and cancel; Ctrl+Shift+S saves the
//! frame on screen with its overlay as a PNG on `vidence-picture`. Both through
//! `crate::render`, as `vidence render` and `vidence frame --overlay`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use annotate::Dataset;
use viewer::VideoFrame;

use super::pending::Pending;
use crate::render::{self, Options, Rendered};

/// A video being rendered.
pub struct VideoExport {
    stop: Arc<AtomicBool>,
    /// Frames done, and of how many.
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    pending: Option<Pending<Result<Rendered, String>>>,
}

impl VideoExport {
    /// Render `options`' video of `data` (its files relative to `folder`) to `out`.
    pub fn start(
        data: Arc<Dataset>,
        folder: PathBuf,
        options: Options,
        out: PathBuf,
        wake: egui::Context,
    ) -> Result<Self, String> {
        let stop = Arc::new(AtomicBool::new(false));
        let (done, total) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (s, d, t, ctx) = (Arc::clone(&stop), Arc::clone(&done), Arc::clone(&total), wake.clone());
        let work = move || {
            let mut progress = |n: u64, of: u64| {
                d.store(n, Ordering::Relaxed);
                t.store(of, Ordering::Relaxed);
                // A repaint every few frames is enough to move the bar.
                if n.is_multiple_of(8) {
                    ctx.request_repaint();
                }
            };
            render::render(&data, &folder, &options, &out, &s, &mut progress).map_err(|e| format!("{e:#}"))
        };
        let pending = Pending::spawn("vidence-render", "the video export", Some(wake), work)?;
        Ok(Self { stop, done, total, pending: Some(pending) })
    }

    /// Frames written, of all.
    pub fn progress(&self) -> (u64, u64) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// Stop at the next frame; nothing is left at the output.
    pub fn cancel(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// How it ended, once.
    pub fn poll(&mut self) -> Option<Result<Rendered, String>> {
        Pending::take(&mut self.pending).map(|r| r.and_then(|r| r))
    }
}

/// `frame` (the one on screen) of `options`' video with its overlay, written as a PNG
/// beside `near` (the dataset) under a name not taken.
pub fn save_view(
    frame: &VideoFrame,
    time_s: f64,
    data: &Dataset,
    options: &Options,
    near: &Path,
) -> Result<PathBuf, String> {
    let mut overlays = render::Overlays::new(data, options).map_err(|e| format!("{e:#}"))?;
    let mut frame = frame.clone();
    let index = frame.index;
    let px = render::px_per_pt(frame.height, frame.height);
    overlays.draw(&mut frame, index, time_s, px);
    let out = picture_name(near, &overlays.video.id, index);
    frame.write_png(&out).map_err(|e| format!("cannot save the view: {e}"))?;
    Ok(out)
}

/// `STEM-frame-N.png` beside `near` (the dataset), numbered on where taken.
fn picture_name(near: &Path, video: &str, frame: u64) -> PathBuf {
    let dir = near.parent().unwrap_or(Path::new(""));
    let stem: String = video.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
    std::iter::once(format!("{stem}-frame-{frame}.png"))
        .chain((2..).map(|n| format!("{stem}-frame-{frame}-{n}.png")))
        .map(|name| dir.join(name))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}-frame-{frame}.png")))
}
