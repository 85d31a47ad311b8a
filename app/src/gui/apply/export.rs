//! The view written out: Export video… (the whole video with the view's overlay, on a
//! worker) and Ctrl+Shift+S (the frame on screen as a picture beside the dataset).

use std::path::{Path, PathBuf};

use annotate::time::FrameTimes;

use super::super::VidenceApp;
use super::super::export_video;
use super::super::session::Notice;
use crate::render::{Options, Rendered};

impl VidenceApp {
    /// What the canvas shows, as a render's options: the labels, the run on show and
    /// the run compared with it.
    fn view_options(&self) -> Option<Options> {
        let d = self.session.dataset.as_ref()?;
        let video = d.video_id.clone()?;
        let runs = [self.session.shown_run(), self.session.compared_run()]
            .into_iter()
            .flatten()
            .filter(|r| r.video == video)
            .map(|r| r.id.clone())
            .collect();
        Some(Options { video: Some(video), runs, tolerance_s: self.ui.tolerance_s, ..Options::default() })
    }

    /// Export video… picked `out`: render it with the view's overlay, captions and strip.
    pub(super) fn export_video(&mut self, out: PathBuf) {
        let (Some(options), Some(d)) = (self.view_options(), &self.session.dataset) else {
            self.session.notify(Notice::error("Open a dataset's video to export it."));
            return;
        };
        let folder = d.document.path().parent().unwrap_or(Path::new("")).to_path_buf();
        let options = Options { trace: true, timeline: true, ..options };
        if let Err(e) = self.workers.export_video(d.document.snapshot(), folder, options, out) {
            self.session.notify(Notice::error(e));
        }
    }

    pub(super) fn cancel_video_export(&mut self) {
        if let Some(export) = &self.workers.video_export {
            export.cancel();
        }
    }

    pub(super) fn video_exported(&mut self, result: Result<Rendered, String>) {
        self.session.notify(match result {
            Ok(r) => Notice::info(format!(
                "Exported {} frames ({}x{}{}) to {}",
                r.frames,
                r.width,
                r.height,
                if r.audio { ", audio copied" } else { "" },
                r.out.display()
            )),
            Err(e) => Notice::error(format!("The video was not exported: {e}")),
        });
    }

    /// Ctrl+Shift+S: the frame on screen with the view's overlay, as a PNG beside the dataset.
    pub(super) fn save_view(&mut self) {
        let shown =
            self.session.video.as_ref().and_then(|v| Some((v.shown.clone()?, v.server.index().clone())));
        let (Some(options), Some(d), Some((frame, index))) =
            (self.view_options(), &self.session.dataset, shown)
        else {
            self.session.notify(Notice::error("Open a dataset's video to save its view."));
            return;
        };
        let near = d.document.path().to_path_buf();
        let data = d.document.snapshot();
        let time_s = index.time_of(frame.index);
        // The name is found on the worker: looking at the folder is disk work.
        let work = move || export_video::save_view(&frame, time_s, &data, &options, &near);
        if let Err(e) = self.workers.save_picture(work) {
            self.session.notify(Notice::error(e));
        }
    }

    pub(super) fn view_saved(&mut self, result: Result<PathBuf, String>) {
        self.session.notify(match result {
            Ok(path) => Notice::info(format!("Saved the view as {}", path.display())),
            Err(e) => Notice::error(format!("The view was not saved: {e}")),
        });
    }
}
