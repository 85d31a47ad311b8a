//! The eframe GUI. `logic` polls the worker threads and applies playback commands at
//! the frame boundary; `ui` draws and collects commands. Nothing here decodes or
//! touches the disk: that happens on the loader, decode and thumbnail threads.

mod apply;
mod ask_panel;
mod asker;
mod canvas;
mod dataset_panel;
mod evidence;
mod help;
mod keys;
mod lanes;
mod loader;
mod objects;
mod questions;
mod review;
mod runs;
mod selection;
mod status;
mod timeline;
mod trace;
mod video;
mod yuv;

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Instant;

use annotate::{DatasetError, Document, LabelRef};
use viewer::PlaybackCommand;

use canvas::{CanvasView, Tool};
use lanes::{LaneInput, Lanes};
use loader::{LoadEvent, Loader};
use status::FrameTimes;
pub use timeline::timecode;
use video::VideoView;

/// Start-up settings from the command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// Memory for decoded frames.
    pub cache_bytes: usize,
    /// Where to put the play head when the first video opens, in seconds.
    pub start_time: Option<f64>,
    /// Where the models loaded before are remembered (`None`: not across runs).
    pub recent_models: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self { cache_bytes: viewer::DEFAULT_CACHE_BYTES, start_time: None, recent_models: None }
    }
}

/// Open the main window on `paths` (videos or dataset files; the first is shown).
pub fn run(paths: Vec<PathBuf>, options: Options) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_title("Vidence")
            .with_inner_size([1280.0, 820.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Vidence",
        native,
        Box::new(move |cc| Ok(Box::new(VidenceApp::new(cc, paths, options)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

struct OpenDataset {
    document: Document,
    /// The dataset's video that is on screen.
    video_id: Option<String>,
    /// This document's save running on a worker thread: it goes with the document, so
    /// a save can never be finished on another file.
    saving: Option<Receiver<Result<annotate::Saved, DatasetError>>>,
}

pub struct VidenceApp {
    loader: Loader,
    /// Files named on the command line, dropped or opened: click one to show it.
    files: Vec<PathBuf>,
    video: Option<VideoView>,
    dataset: Option<OpenDataset>,
    /// A dataset that arrived before its video.
    pending_dataset: Option<OpenDataset>,
    commands: Vec<PlaybackCommand>,
    canvas: CanvasView,
    notices: Vec<String>,
    progress: Option<(String, f32)>,
    show_debug: bool,
    frame_times: FrameTimes,
    frame_started: Option<Instant>,
    file_dialog: Option<Receiver<Vec<PathBuf>>>,
    /// Seek here once the first video opens.
    start_time: Option<f64>,
    tool: Tool,
    /// The selected track or segment.
    selected: Option<LabelRef>,
    /// The question open in the question panel.
    question: Option<String>,
    drafts: questions::Drafts,
    /// The selected segment's label as it is being typed.
    segment_label: String,
    lanes: Lanes,
    left_tab: LeftTab,
    filter: objects::Filter,
    /// Review mode is on; the label under review (`None`: nothing left).
    review: Option<Option<LabelRef>>,
    show_help: bool,
    /// A save was refused because another program changed the file: ask what to do.
    conflict: bool,
    save_as_dialog: Option<Receiver<Option<PathBuf>>>,
    /// The dataset video being opened in place of the one on screen.
    switching_video: Option<String>,
    asker: asker::Asker,
    /// The model run whose evidence is on screen.
    shown_run: Option<String>,
    /// A predicted box shows within this many seconds of its time.
    tolerance_s: f64,
    /// The predicted box a trace chip picked.
    highlight: Option<usize>,
    /// The predicted box under the pointer on the canvas (last frame).
    hovered_prediction: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeftTab {
    Dataset,
    Objects,
    Questions,
    Model,
}

impl VidenceApp {
    pub fn new(cc: &eframe::CreationContext<'_>, paths: Vec<PathBuf>, options: Options) -> Self {
        if let Some(render_state) = &cc.wgpu_render_state {
            yuv::YuvRenderer::install(render_state);
        }
        let ctx = cc.egui_ctx.clone();
        let mut notices = Vec::new();
        let loader = Loader::start(move || ctx.request_repaint(), options.cache_bytes)
            .unwrap_or_else(|e| panic!("cannot start the file loader thread: {e}"));
        if cc.wgpu_render_state.is_none() {
            notices.push("No wgpu renderer: video frames cannot be shown.".to_owned());
        }
        let mut app = Self {
            loader,
            files: Vec::new(),
            video: None,
            dataset: None,
            pending_dataset: None,
            commands: Vec::new(),
            canvas: CanvasView::default(),
            notices,
            progress: None,
            show_debug: false,
            frame_times: FrameTimes::default(),
            frame_started: None,
            file_dialog: None,
            start_time: options.start_time,
            tool: Tool::Select,
            selected: None,
            question: None,
            drafts: questions::Drafts::default(),
            segment_label: String::new(),
            lanes: Lanes::default(),
            left_tab: LeftTab::Dataset,
            filter: objects::Filter::default(),
            review: None,
            show_help: false,
            conflict: false,
            save_as_dialog: None,
            switching_video: None,
            asker: asker::Asker::default(),
            shown_run: None,
            tolerance_s: 0.5,
            highlight: None,
            hovered_prediction: None,
        };
        if let Some(file) = options.recent_models {
            app.asker.remember_in(file);
        }
        for (i, path) in paths.into_iter().enumerate() {
            app.add_file(path, i == 0);
        }
        app
    }

    /// Models loaded before, most recent first.
    pub fn recent_models(&self) -> &[String] {
        &self.asker.recent
    }

    /// Remember `path` in the file list and, if `show`, open it.
    pub fn add_file(&mut self, path: PathBuf, show: bool) {
        if !self.files.contains(&path) {
            self.files.push(path.clone());
        }
        if show {
            self.loader.open(path);
        }
    }

    /// The play head's frame, if a video is open.
    pub fn current_frame(&self) -> Option<u64> {
        self.video.as_ref().map(VideoView::current_frame)
    }

    /// The frame actually on screen.
    pub fn shown_frame(&self) -> Option<u64> {
        self.video.as_ref().and_then(VideoView::shown_frame)
    }

    pub fn is_playing(&self) -> bool {
        self.video.as_ref().is_some_and(|v| v.playback.is_playing())
    }

    pub fn thumbnails_loaded(&self) -> usize {
        self.video.as_ref().map_or(0, VideoView::thumbnails_loaded)
    }

    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// The open dataset, as edited so far.
    pub fn dataset(&self) -> Option<&annotate::Dataset> {
        self.dataset.as_ref().map(|d| d.document.dataset())
    }

    pub fn selected_track(&self) -> Option<&str> {
        match &self.selected {
            Some(LabelRef::Track(id)) => Some(id),
            _ => None,
        }
    }

    /// The selected track or segment.
    pub fn selected(&self) -> Option<&LabelRef> {
        self.selected.as_ref()
    }

    /// The question open in the question panel.
    pub fn open_question(&self) -> Option<&str> {
        self.question.as_deref()
    }

    /// In review mode: the label under review.
    pub fn under_review(&self) -> Option<&LabelRef> {
        self.review.as_ref().and_then(Option::as_ref)
    }

    pub fn is_reviewing(&self) -> bool {
        self.review.is_some()
    }

    /// The model run whose evidence is on screen.
    pub fn shown_run(&self) -> Option<&annotate::ModelRun> {
        self.shown_run.as_deref().and_then(|id| self.dataset()?.run(id))
    }

    /// Tokens streamed so far by the run in progress (`None`: no run in progress).
    pub fn live_tokens(&self) -> Option<usize> {
        self.asker.live.as_ref().map(|l| l.tokens.len())
    }

    /// Where the model stands, in words (as the model panel shows it).
    pub fn model_state(&self) -> String {
        format!("{:?}", self.asker.state)
    }

    /// The shown run's boxes drawn on the canvas now (indices into its prediction).
    pub fn predictions_on_screen(&self) -> Vec<usize> {
        let (Some(run), Some(video)) = (self.shown_run(), &self.video) else { return Vec::new() };
        let frame = video.shown_frame().unwrap_or_else(|| video.current_frame());
        let evidence = evidence::Evidence { run, tolerance_s: self.tolerance_s, highlight: self.highlight };
        evidence.boxes_at(video.server.index().time_of(frame))
    }

    /// The predicted box picked from the trace.
    pub fn highlighted_prediction(&self) -> Option<usize> {
        self.highlight
    }

    /// A save was refused because the file changed on disk.
    pub fn has_conflict(&self) -> bool {
        self.conflict
    }

    pub fn is_saving(&self) -> bool {
        self.dataset.as_ref().is_some_and(|d| d.saving.is_some())
    }

    /// Seconds from the first frame to frame `index` of the open video.
    pub fn time_of(&self, index: u64) -> Option<f64> {
        self.video.as_ref().map(|v| v.server.index().time_of(index))
    }

    fn handle(&mut self, event: LoadEvent) {
        match event {
            LoadEvent::Progress { path, fraction } => {
                self.progress = Some((file_name(&path), fraction));
            }
            LoadEvent::Dataset { document, video_id } => {
                let open = OpenDataset { document: *document, video_id, saving: None };
                if open.video_id.is_some() {
                    self.pending_dataset = Some(open);
                } else {
                    self.dataset = Some(open);
                }
            }
            LoadEvent::Video(opened) => {
                self.progress = None;
                self.video = Some(VideoView::new(*opened));
                match (self.switching_video.take(), &mut self.dataset) {
                    // Another video of the same dataset.
                    (Some(id), Some(d)) => d.video_id = Some(id),
                    _ => self.dataset = self.pending_dataset.take(),
                }
                // What was selected belonged to the previous video.
                self.selected = None;
                self.question = None;
                self.review = None;
                self.shown_run = None;
                self.highlight = None;
                self.tool = Tool::Select;
                self.canvas.fit();
                self.commands.clear();
                if let Some(t) = self.start_time.take() {
                    self.commands.push(PlaybackCommand::SeekTime(t));
                }
            }
            LoadEvent::Warning { path, message } => {
                self.notices.push(format!("{}: {message}", file_name(&path)));
            }
            LoadEvent::Failed { path, message } => {
                self.progress = None;
                self.pending_dataset = None;
                self.switching_video = None;
                self.notices.push(format!("{}: {message}", file_name(&path)));
            }
        }
    }

    /// Apply an edit to the open dataset; a refused edit becomes a notice.
    fn edit(&mut self, edit: annotate::Edit) {
        let Some(d) = &mut self.dataset else { return };
        if let Err(e) = d.document.apply(edit) {
            self.notices.push(format!("edit refused: {e}"));
        }
    }

    fn undo(&mut self) {
        if let Some(d) = &mut self.dataset {
            d.document.undo();
        }
    }

    fn redo(&mut self) {
        if let Some(d) = &mut self.dataset {
            d.document.redo();
        }
    }

    /// Save on a worker thread, over the file or to `to`; editing goes on meanwhile.
    fn save(&mut self, to: Option<&Path>) {
        let Some(d) = &mut self.dataset else { return };
        if d.saving.is_some() {
            return;
        }
        let job = match to {
            Some(path) => d.document.begin_save_as(path),
            None => d.document.begin_save(),
        };
        let (send, receive) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new().name("vidence-save".into()).spawn(move || {
            let _ = send.send(job.run());
        });
        match spawned {
            Ok(_) => d.saving = Some(receive),
            Err(e) => self.notices.push(format!("cannot start saving: {e}")),
        }
    }

    fn poll_save(&mut self) {
        let Some(d) = &mut self.dataset else { return };
        let Some(result) = d.saving.as_ref().and_then(|r| r.try_recv().ok()) else { return };
        d.saving = None;
        match result.and_then(|saved| d.document.finish_save(saved)) {
            Ok(()) => {}
            Err(DatasetError::ChangedOnDisk { .. }) => self.conflict = true,
            Err(e) => self.notices.push(format!("not saved: {e}")),
        }
    }

    /// Ask where to save, on a thread of its own (the native dialog blocks it).
    fn save_as_dialog(&mut self, ctx: &egui::Context) {
        let Some(d) = &self.dataset else { return };
        let path = d.document.path().to_owned();
        let (send, receive) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new().name("vidence-file-dialog".into()).spawn(move || {
            let mut dialog = rfd::FileDialog::new().add_filter("Vidence dataset", &["json"]);
            if let Some(dir) = path.parent() {
                dialog = dialog.set_directory(dir);
            }
            let _ = send.send(dialog.set_file_name(file_name(&path)).save_file());
            ctx.request_repaint();
        });
        match spawned {
            Ok(_) => self.save_as_dialog = Some(receive),
            Err(e) => self.notices.push(format!("cannot open a file dialog: {e}")),
        }
    }

    /// Drop the edits made here and read the file as it is now on disk. The dropped
    /// edits stay in the old journal, set aside as `NAME.journal.stale`.
    fn reload(&mut self) {
        self.conflict = false;
        if let Some(d) = self.dataset.take() {
            self.loader.open(d.document.path().to_owned());
        }
    }

    /// The file changed on disk: reload it or save elsewhere.
    fn conflict_window(&mut self, ctx: &egui::Context) {
        let name = self.dataset.as_ref().map_or_else(String::new, |d| file_name(d.document.path()));
        let unsaved = self.dataset.as_ref().map_or(0, |d| d.document.unsaved_edits());
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("conflict")).show(ctx, |ui| {
            ui.heading("The file changed on disk");
            ui.label(format!(
                "Another program changed {name} since it was opened, so saving here would overwrite \
                 its changes. Reload it (your {unsaved} unsaved edit(s) are set aside in the stale \
                 journal), or save your version elsewhere."
            ));
            ui.horizontal(|ui| {
                for label in ["Reload from disk", "Save as…", "Keep editing"] {
                    if ui.button(label).clicked() {
                        choice = Some(label);
                    }
                }
            });
        });
        match choice {
            Some("Reload from disk") => self.reload(),
            Some("Save as…") => {
                self.conflict = false;
                self.save_as_dialog(ctx);
            }
            Some(_) => self.conflict = false,
            None => {}
        }
    }

    fn open_dialog(&mut self, ctx: &egui::Context) {
        let (send, receive) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        // The native dialog blocks its thread until the user answers.
        let spawned = std::thread::Builder::new().name("vidence-file-dialog".into()).spawn(move || {
            let picked = rfd::FileDialog::new()
                .add_filter("Videos and datasets", &["mp4", "mkv", "mov", "webm", "avi", "m4v", "ts", "json"])
                .add_filter("All files", &["*"])
                .pick_files()
                .unwrap_or_default();
            let _ = send.send(picked);
            ctx.request_repaint();
        });
        match spawned {
            Ok(_) => self.file_dialog = Some(receive),
            Err(e) => self.notices.push(format!("cannot open a file dialog: {e}")),
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if ui
                .button("Open…")
                .on_hover_text("Open a video or dataset (or drop files on the window)")
                .clicked()
            {
                self.open_dialog(ui.ctx());
            }
            ui.separator();
            if ui
                .button("Fit")
                .on_hover_text("Fit the frame to the canvas (double-click the canvas)")
                .clicked()
            {
                self.canvas.fit();
            }
            if ui.button("1:1").on_hover_text("One video pixel per screen pixel").clicked() {
                self.canvas.actual_size(ui.ctx().pixels_per_point());
            }
            ui.separator();
            if self.dataset.is_some() {
                let mut drawing = self.tool == Tool::Draw;
                if ui
                    .toggle_value(&mut drawing, "Draw box")
                    .on_hover_text("Drag on the video to add a track (N)")
                    .changed()
                {
                    self.tool = if drawing { Tool::Draw } else { Tool::Select };
                }
                let (can_undo, can_redo, unsaved) = self.dataset.as_ref().map_or((false, false, 0), |d| {
                    (d.document.can_undo(), d.document.can_redo(), d.document.unsaved_edits())
                });
                if ui.add_enabled(can_undo, egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
                    self.undo();
                }
                if ui.add_enabled(can_redo, egui::Button::new("Redo")).on_hover_text("Ctrl+Shift+Z").clicked()
                {
                    self.redo();
                }
                let saving = self.is_saving();
                let save_label = if saving { "Saving…" } else { "Save" };
                if ui
                    .add_enabled(!saving, egui::Button::new(save_label))
                    .on_hover_text(format!("Ctrl+S · {unsaved} unsaved edit(s), autosaved to the journal"))
                    .clicked()
                {
                    self.save(None);
                }
                if ui.add_enabled(!saving, egui::Button::new("Save as…")).clicked() {
                    self.save_as_dialog(ui.ctx());
                }
                ui.separator();
                let mut reviewing = self.review.is_some();
                if ui.toggle_value(&mut reviewing, "Review").on_hover_text("Review mode (V)").changed() {
                    self.toggle_review();
                }
                ui.separator();
            }
            ui.toggle_value(&mut self.show_debug, "Debug overlay")
                .on_hover_text("UI frame time and decode latency (F12)");
            ui.toggle_value(&mut self.show_help, "Shortcuts").on_hover_text("Keyboard shortcuts (F1)");
            if let Some(d) = &self.dataset {
                ui.separator();
                let data = d.document.dataset();
                ui.label(format!(
                    "{} · {} tracks · {} segments · {} questions · {} model runs",
                    file_name(d.document.path()),
                    data.tracks.len(),
                    data.segments.len(),
                    data.questions.len(),
                    data.predictions.len()
                ));
            }
        });
        let mut dismissed = None;
        for (i, notice) in self.notices.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.colored_label(egui::Color32::LIGHT_RED, notice);
                if ui.small_button("Dismiss").clicked() {
                    dismissed = Some(i);
                }
            });
        }
        if let Some(i) = dismissed {
            self.notices.remove(i);
        }
    }
}

/// What the timeline shows of a model run.
fn model_marks(run: &annotate::ModelRun) -> timeline::ModelMarks {
    let p = &run.prediction;
    let open = |i: usize| run.verdict(&annotate::EvidenceItem::Span { index: i }).is_none();
    let mut cited: Vec<f64> =
        p.steps.iter().filter_map(|s| s.time_s).chain(p.boxes.iter().filter_map(|b| b.time_s)).collect();
    cited.sort_by(f64::total_cmp);
    cited.dedup();
    timeline::ModelMarks {
        spans: p
            .spans
            .iter()
            .enumerate()
            .filter(|(i, _)| open(*i))
            .map(|(_, s)| (s.start_s, s.end_s, s.label.clone().unwrap_or_default()))
            .collect(),
        cited,
        steps: p.steps.iter().enumerate().filter_map(|(i, s)| Some((i + 1, s.time_s?))).collect(),
        sampled: run.settings.frames_s.clone(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

impl eframe::App for VidenceApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frame_started = Some(Instant::now());
        for event in self.loader.poll() {
            self.handle(event);
        }
        if let Some(picked) = self.file_dialog.as_ref().and_then(|r| r.try_recv().ok()) {
            self.file_dialog = None;
            for (i, path) in picked.into_iter().enumerate() {
                self.add_file(path, i == 0);
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        for (i, path) in dropped.into_iter().enumerate() {
            self.add_file(path, i == 0);
        }
        self.poll_save();
        if let Some(picked) = self.save_as_dialog.as_ref().and_then(|r| r.try_recv().ok()) {
            self.save_as_dialog = None;
            if let Some(path) = picked {
                self.save(Some(&path));
            }
        }
        self.poll_model(ctx);
        let now = ctx.input(|i| i.time);
        let commands = std::mem::take(&mut self.commands);
        if let Some(video) = &mut self.video {
            video.update(ctx, now, &commands);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.read_keys(&ctx);
        egui::Panel::top("top-bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            let progress = self.progress.as_ref().map(|(n, f)| (n.as_str(), *f));
            status::status_bar(ui, self.video.as_ref(), progress);
        });
        self.timeline(ui);
        // Fixed widths: the canvas beside them must not shift while labels wrap.
        egui::Panel::left("left").exact_size(260.0).show(ui, |ui| self.left_panel(ui));
        if self.dataset.is_some() {
            egui::Panel::right("selection").exact_size(240.0).show(ui, |ui| self.right_panel(ui));
        }
        let action = egui::CentralPanel::default()
            .show(ui, |ui| match &self.video {
                Some(video) => {
                    let dataset = self
                        .dataset
                        .as_ref()
                        .and_then(|d| Some((d.document.dataset(), d.video_id.as_deref()?)));
                    let selected = match &self.selected {
                        Some(LabelRef::Track(id)) => Some(id.as_str()),
                        _ => None,
                    };
                    let run = self.shown_run.as_deref().and_then(|id| dataset?.0.run(id));
                    let evidence = run.map(|run| evidence::Evidence {
                        run,
                        tolerance_s: self.tolerance_s,
                        highlight: self.highlight,
                    });
                    let (action, hovered) = canvas::show(
                        ui,
                        &mut self.canvas,
                        video,
                        dataset,
                        self.tool,
                        selected,
                        evidence.as_ref(),
                    );
                    self.hovered_prediction = hovered;
                    action
                }
                None => {
                    ui.centered_and_justified(|ui| {
                        ui.label(
                            "Open a video or a dataset: Open…, drag and drop, or a path on the command line.",
                        );
                    });
                    None
                }
            })
            .inner;
        if let Some(action) = action {
            self.canvas_action(action);
        }
        if self.show_debug {
            status::debug_overlay(&ctx, &self.frame_times, self.video.as_ref());
        }
        help::window(&ctx, &mut self.show_help);
        if self.conflict {
            self.conflict_window(&ctx);
        }
        if !self.commands.is_empty() {
            ctx.request_repaint();
        }
        if let Some(started) = self.frame_started.take() {
            self.frame_times.push(started.elapsed().as_secs_f32() * 1e3);
        }
    }
}

impl VidenceApp {
    fn timeline(&mut self, ui: &mut egui::Ui) {
        let Some(video) = &mut self.video else { return };
        let (segments, keyframes) = match &self.dataset {
            Some(OpenDataset { document, video_id: Some(id), .. }) => {
                let d = document.dataset();
                // The selected track's keyframes show as ticks on the timeline.
                let keyframes = match &self.selected {
                    Some(LabelRef::Track(t)) => {
                        d.track(t).map(|t| t.keyframes.iter().map(|k| k.frame).collect()).unwrap_or_default()
                    }
                    _ => Vec::new(),
                };
                (d.segments_of(id).collect(), keyframes)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let input = LaneInput {
            segments,
            selected: match &self.selected {
                Some(LabelRef::Segment(id)) => Some(id.as_str()),
                _ => None,
            },
            keyframes: &keyframes,
            editable: self.dataset.as_ref().is_some_and(|d| d.video_id.is_some()),
        };
        let run = match &self.dataset {
            Some(d) => self.shown_run.as_deref().and_then(|id| d.document.dataset().run(id)),
            None => None,
        };
        let marks = run.map(model_marks);
        let action = egui::Panel::bottom("timeline")
            .show(ui, |ui| {
                timeline::show(ui, video, &mut self.lanes, input, marks.as_ref(), &mut self.commands)
            })
            .inner;
        if let Some(action) = action {
            self.lane_action(action);
        }
    }

    fn left_panel(&mut self, ui: &mut egui::Ui) {
        let video_id = self.dataset.as_ref().and_then(|d| d.video_id.clone());
        ui.horizontal(|ui| {
            // Four tabs in the panel's width.
            ui.spacing_mut().item_spacing.x = 2.0;
            ui.spacing_mut().button_padding.x = 3.0;
            ui.selectable_value(&mut self.left_tab, LeftTab::Dataset, "Dataset");
            if video_id.is_some() {
                ui.selectable_value(&mut self.left_tab, LeftTab::Objects, "Objects");
                ui.selectable_value(&mut self.left_tab, LeftTab::Questions, "Questions");
                ui.selectable_value(&mut self.left_tab, LeftTab::Model, "Model");
            }
        });
        ui.separator();
        let Some(d) = &self.dataset else {
            if let Some(action) = dataset_panel::show(ui, &self.files, None) {
                self.dataset_action(action);
            }
            return;
        };
        let data = d.document.dataset();
        match (self.left_tab, video_id) {
            (LeftTab::Objects, Some(video)) => {
                let picked = objects::show(ui, data, &video, &mut self.filter, self.selected.as_ref());
                if let Some((label, jump)) = picked {
                    self.pick(label, Some(jump));
                }
            }
            (LeftTab::Questions, Some(video)) => {
                let list: Vec<&annotate::Question> =
                    data.questions.iter().filter(|q| q.video == video).collect();
                let open = self.question.as_deref().and_then(|id| data.question(id));
                if let Some(action) = questions::show(ui, &list, open, &mut self.drafts) {
                    self.question_action(action);
                }
            }
            (LeftTab::Model, Some(video)) => {
                let Some(v) = &self.video else { return };
                let index = v.server.index();
                let info = v.server.info();
                let clip = ask_panel::Clip {
                    width: info.width,
                    height: info.height,
                    fps: info.fps,
                    duration_s: index.duration_s(),
                    marks: (v.marks.0.map(|f| index.time_of(f)), v.marks.1.map(|f| index.time_of(f))),
                };
                let runs: Vec<&annotate::ModelRun> =
                    data.predictions.iter().filter(|r| r.video == video).collect();
                let action = ask_panel::show(ui, &mut self.asker, &clip, &runs, self.shown_run.as_deref());
                if let Some(action) = action {
                    self.ask_action(action);
                }
            }
            _ => {
                let action = dataset_panel::show(ui, &self.files, Some((data, d.video_id.as_deref())));
                if let Some(action) = action {
                    self.dataset_action(action);
                }
            }
        }
    }

    fn right_panel(&mut self, ui: &mut egui::Ui) {
        let Some(d) = &self.dataset else { return };
        let data = d.document.dataset();
        if let (Some(current), Some(video)) = (&self.review, &d.video_id)
            && let Some(action) = review::show(ui, data, video, current.as_ref())
        {
            self.review_action(action);
            return;
        }
        let frame = self.current_frame().unwrap_or(0);
        match &self.selected {
            Some(LabelRef::Track(id)) if let Some(track) = data.track(id) => {
                if let Some(action) = selection::show(ui, data, track, frame) {
                    self.selection_action(action);
                }
            }
            Some(LabelRef::Segment(id)) if let Some(segment) = data.segment(id) => {
                let time = self.time_of(frame).unwrap_or(0.0);
                if let Some(action) = selection::show_segment(ui, segment, &mut self.segment_label, time) {
                    self.segment_action(action);
                }
            }
            _ if let Some(run) = self.shown_run.as_deref().and_then(|id| data.run(id)) => {
                let info = self.video.as_ref().map(|v| v.server.info());
                let confidence = info.map(|i| run.box_confidences(i.width, i.height)).unwrap_or_default();
                if let Some(action) =
                    trace::show(ui, run, &confidence, self.hovered_prediction, &mut self.tolerance_s)
                {
                    self.trace_action(action);
                }
            }
            _ => {
                ui.heading("Selection");
                ui.label(
                    "Click a box or a segment to select it, press N and drag to draw a box, or drag on \
                     a segment lane to mark a time span.",
                );
            }
        }
    }
}
