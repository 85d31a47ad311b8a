//! The status bar and the debug overlay.

use std::collections::VecDeque;

use super::video::VideoView;

/// Recent UI frame times (time spent in the app's logic and ui per frame).
#[derive(Default)]
pub struct UiFrameTimes {
    recent_ms: VecDeque<f32>,
}

impl UiFrameTimes {
    const KEEP: usize = 120;

    pub fn push(&mut self, ms: f32) {
        if self.recent_ms.len() == Self::KEEP {
            self.recent_ms.pop_front();
        }
        self.recent_ms.push_back(ms);
    }

    pub fn last(&self) -> f32 {
        self.recent_ms.back().copied().unwrap_or(0.0)
    }

    pub fn max(&self) -> f32 {
        self.recent_ms.iter().copied().fold(0.0, f32::max)
    }
}

/// `unsaved`: the open dataset's edits not yet saved to its file (all are in the
/// autosave journal).
pub fn status_bar(
    ui: &mut egui::Ui,
    video: Option<&VideoView>,
    progress: Option<(&str, f32)>,
    unsaved: Option<usize>,
) {
    ui.horizontal(|ui| {
        match unsaved {
            Some(0) => {
                ui.label("All saved");
            }
            Some(n) => {
                ui.label(format!("* {n} unsaved edit(s)"))
                    .on_hover_text("Autosaved to the journal; Ctrl+S writes them to the file");
            }
            None => {}
        }
        if unsaved.is_some() {
            ui.separator();
        }
        if let Some((name, fraction)) = progress {
            ui.label(format!("Indexing {name}… {:.0}%", fraction * 100.0));
            ui.separator();
        }
        let Some(video) = video else {
            ui.label("No video open: drop a file here or use Open…");
            return;
        };
        let info = video.server.info();
        ui.label(format!("{} · {}", info.codec, info.pixel_format));
        ui.separator();
        ui.label(format!("{}×{}", info.width, info.height));
        ui.separator();
        let vfr = if info.variable_frame_rate { " VFR" } else { "" };
        ui.label(format!("{:.3} fps{vfr}", info.fps));
        ui.separator();
        let stats = video.server.stats();
        ui.label(format!("Decode time {:.1} ms", stats.last_decode_ms));
        ui.separator();
        let (used, budget) = video.server.cache_usage();
        ui.label(format!("Cache {} / {} MB", used >> 20, budget >> 20));
        if let Some(e) = stats.last_error {
            ui.separator();
            ui.colored_label(egui::Color32::LIGHT_RED, e);
        }
    });
}

pub fn debug_overlay(ctx: &egui::Context, times: &UiFrameTimes, video: Option<&VideoView>) {
    egui::Area::new(egui::Id::unique("debug-overlay"))
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 48.0))
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.monospace(format!("UI frame   {:6.2} ms (max {:.2})", times.last(), times.max()));
                if let Some(video) = video {
                    let stats = video.server.stats();
                    ui.monospace(format!("decode     {:6.2} ms", stats.last_decode_ms));
                    ui.monospace(format!("decoded    {:6} frames", stats.frames_decoded));
                    let shown = video.shown_frame().map_or_else(|| "-".into(), |f| f.to_string());
                    ui.monospace(format!("shown      {shown:>6} / want {}", video.current_frame()));
                }
            });
        });
}
