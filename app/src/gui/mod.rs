//! The eframe GUI. `logic` polls the worker threads and applies playback commands at
//! the frame boundary; `ui` draws and collects commands. Nothing here decodes or
//! touches the disk: that happens on the loader, decode and thumbnail threads.

mod canvas;
mod loader;
mod selection;
mod status;
mod timeline;
mod video;
mod yuv;

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Instant;

use annotate::Document;
use egui::Key;
use viewer::PlaybackCommand;

use canvas::{CanvasAction, CanvasView, Tool};
use loader::{LoadEvent, Loader};
use selection::SelectionAction;
use status::FrameTimes;
pub use timeline::timecode;
use video::VideoView;

/// Start-up settings from the command line.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Memory for decoded frames.
    pub cache_bytes: usize,
    /// Where to put the play head when the first video opens, in seconds.
    pub start_time: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self { cache_bytes: viewer::DEFAULT_CACHE_BYTES, start_time: None }
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
    saving: Option<Receiver<Result<annotate::Saved, annotate::DatasetError>>>,
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
    /// The selected track.
    selected: Option<String>,
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
        };
        for (i, path) in paths.into_iter().enumerate() {
            app.add_file(path, i == 0);
        }
        app
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
        self.selected.as_deref()
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
                self.dataset = self.pending_dataset.take();
                // What was selected belonged to the previous dataset.
                self.selected = None;
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

    fn canvas_action(&mut self, action: CanvasAction) {
        let frame = self.current_frame().unwrap_or(0);
        match action {
            CanvasAction::Select(track) => self.selected = track,
            CanvasAction::Draw(bbox) => {
                let Some(d) = &self.dataset else { return };
                let Some(video) = d.video_id.clone() else { return };
                let data = d.document.dataset();
                let id = (data.tracks.len() + 1..)
                    .map(|n| format!("track-{n}"))
                    .find(|id| data.tracks.iter().all(|t| &t.id != id));
                let Some(id) = id else { return };
                let mut edits = Vec::new();
                // A new box gets the first category; a dataset without any gets "object".
                let category = match data.categories.first() {
                    Some(c) => c.id.clone(),
                    None => {
                        let c =
                            annotate::Category { id: "object".into(), name: "object".into(), color: None };
                        edits.push(annotate::Edit::InsertCategory { index: 0, category: c });
                        "object".to_owned()
                    }
                };
                let track = annotate::Track {
                    id: id.clone(),
                    video,
                    category,
                    keyframes: vec![annotate::Keyframe { frame, bbox, outside: false, occluded: false }],
                    interpolation: annotate::Interpolation::Linear,
                    source: annotate::Provenance::Human,
                    review: annotate::Review::Unreviewed,
                };
                edits.push(annotate::Edit::InsertTrack { index: data.tracks.len(), track });
                self.edit(annotate::Edit::Batch { edits });
                self.selected = Some(id);
                self.tool = Tool::Select;
            }
            CanvasAction::Place { track, bbox } => {
                // Editing a box makes (or updates) a keyframe on this frame.
                let occluded = self
                    .dataset()
                    .and_then(|d| d.tracks.iter().find(|t| t.id == track))
                    .and_then(|t| t.box_at(frame))
                    .is_some_and(|b| b.occluded);
                let keyframe = annotate::Keyframe { frame, bbox, outside: false, occluded };
                self.edit(annotate::Edit::SetKeyframe { track, keyframe });
            }
        }
    }

    fn selection_action(&mut self, action: SelectionAction) {
        let (Some(track_id), Some(frame)) = (self.selected.clone(), self.current_frame()) else { return };
        let Some(track) = self.dataset().and_then(|d| d.tracks.iter().find(|t| t.id == track_id)).cloned()
        else {
            return;
        };
        let here = track.box_at(frame);
        let keyframe_here = |outside: bool, occluded: bool| {
            here.map(|b| annotate::Keyframe { frame, bbox: b.bbox, outside, occluded })
        };
        let edit = match action {
            SelectionAction::Seek(f) => {
                self.commands.push(PlaybackCommand::SeekFrame(f));
                return;
            }
            SelectionAction::ToggleOccluded => keyframe_here(false, !here.is_some_and(|b| b.occluded))
                .map(|keyframe| annotate::Edit::SetKeyframe { track: track_id, keyframe }),
            SelectionAction::MarkOutside => keyframe_here(true, false)
                .map(|keyframe| annotate::Edit::SetKeyframe { track: track_id, keyframe }),
            SelectionAction::DeleteKeyframe => {
                Some(annotate::Edit::DeleteKeyframe { track: track_id, frame })
            }
            SelectionAction::DeleteFromHere => {
                Some(annotate::Edit::DeleteTrackFrom { track: track_id, frame })
            }
            SelectionAction::SplitHere => {
                let taken = |id: &str| self.dataset().is_some_and(|d| d.tracks.iter().any(|t| t.id == id));
                let new_id = (2..).map(|n| format!("{track_id}-{n}")).find(|id| !taken(id));
                new_id.map(|new_id| annotate::Edit::SplitTrack { track: track_id, frame, new_id })
            }
            SelectionAction::MergeInto(into) => {
                self.selected = Some(into.clone());
                Some(annotate::Edit::MergeTracks { into, from: track_id })
            }
            SelectionAction::SetCategory(category) => {
                Some(annotate::Edit::SetTrackCategory { track: track_id, category })
            }
            SelectionAction::SetInterpolation(interpolation) => {
                Some(annotate::Edit::SetInterpolation { track: track_id, interpolation })
            }
        };
        if let Some(edit) = edit {
            self.edit(edit);
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

    /// Save on a worker thread; editing goes on meanwhile.
    fn save(&mut self) {
        let Some(d) = &mut self.dataset else { return };
        if d.saving.is_some() {
            return;
        }
        let job = d.document.begin_save();
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
        if let Err(e) = result.and_then(|saved| d.document.finish_save(saved)) {
            self.notices.push(format!("not saved: {e}"));
        }
    }

    fn read_keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let shift = egui::Modifiers::SHIFT;
        let none = egui::Modifiers::NONE;
        // Shifted keys first: a binding without modifiers also matches a shifted key.
        let bindings: [(egui::Modifiers, Key, PlaybackCommand); 10] = [
            (shift, Key::ArrowRight, PlaybackCommand::StepSeconds(1.0)),
            (shift, Key::ArrowLeft, PlaybackCommand::StepSeconds(-1.0)),
            (none, Key::Space, PlaybackCommand::TogglePlay),
            (none, Key::ArrowRight, PlaybackCommand::Step(1)),
            (none, Key::F, PlaybackCommand::Step(1)),
            (none, Key::ArrowLeft, PlaybackCommand::Step(-1)),
            (none, Key::D, PlaybackCommand::Step(-1)),
            (none, Key::Home, PlaybackCommand::First),
            (none, Key::End, PlaybackCommand::Last),
            (none, Key::Period, PlaybackCommand::Step(1)),
        ];
        ctx.input_mut(|input| {
            for (modifiers, key, command) in bindings {
                if input.consume_key(modifiers, key) {
                    self.commands.push(command);
                }
            }
            if input.consume_key(none, Key::F12) {
                self.show_debug = !self.show_debug;
            }
        });
        let command = egui::Modifiers::COMMAND;
        let (undo, redo, save, draw, escape) = ctx.input_mut(|input| {
            let redo = input.consume_key(command | shift, Key::Z) || input.consume_key(command, Key::Y);
            (
                input.consume_key(command, Key::Z),
                redo,
                input.consume_key(command, Key::S),
                input.consume_key(none, Key::N),
                input.consume_key(none, Key::Escape),
            )
        });
        if redo {
            self.redo();
        } else if undo {
            self.undo();
        }
        if save {
            self.save();
        }
        if draw {
            self.tool = if self.tool == Tool::Draw { Tool::Select } else { Tool::Draw };
        }
        if escape {
            self.tool = Tool::Select;
            self.selected = None;
        }
        if let Some(video) = &mut self.video {
            ctx.input_mut(|input| {
                if input.consume_key(none, Key::I) {
                    video.loop_marks.0 = Some(video.current_frame());
                }
                if input.consume_key(none, Key::O) {
                    video.loop_marks.1 = Some(video.current_frame());
                }
            });
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
                    self.save();
                }
                ui.separator();
            }
            ui.toggle_value(&mut self.show_debug, "Debug overlay")
                .on_hover_text("UI frame time and decode latency (F12)");
            if let Some(d) = &self.dataset {
                ui.separator();
                ui.label(format!(
                    "{} · {} tracks · {} segments · {} questions",
                    file_name(d.document.path()),
                    d.document.dataset().tracks.len(),
                    d.document.dataset().segments.len(),
                    d.document.dataset().questions.len()
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

    fn file_list(&mut self, ui: &mut egui::Ui) {
        ui.heading("Files");
        let mut open = None;
        for path in &self.files {
            if ui.selectable_label(false, file_name(path)).on_hover_text(path.display().to_string()).clicked()
            {
                open = Some(path.clone());
            }
        }
        if let Some(path) = open {
            self.loader.open(path);
        }
        if let Some(d) = &self.dataset {
            ui.separator();
            ui.heading("Questions");
            egui::ScrollArea::vertical().show(ui, |ui| {
                for q in &d.document.dataset().questions {
                    ui.label(egui::RichText::new(&q.text).strong());
                    ui.label(format!("Answer: {}", q.answer));
                    ui.add_space(4.0);
                }
            });
        }
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
        if let Some(video) = &mut self.video {
            let segments: Vec<&annotate::Segment> = match &self.dataset {
                Some(OpenDataset { document, video_id: Some(id), .. }) => {
                    document.dataset().segments_of(id).collect()
                }
                _ => Vec::new(),
            };
            // The selected track's keyframes show as ticks on the timeline.
            let keyframes: Vec<u64> = self
                .selected
                .as_ref()
                .and_then(|id| self.dataset.as_ref()?.document.dataset().tracks.iter().find(|t| &t.id == id))
                .map(|t| t.keyframes.iter().map(|k| k.frame).collect())
                .unwrap_or_default();
            egui::Panel::bottom("timeline").show(ui, |ui| {
                timeline::show(ui, video, &segments, &keyframes, &mut self.commands);
            });
        }
        egui::Panel::left("files").exact_size(220.0).show(ui, |ui| self.file_list(ui));
        // Always there with a dataset open, so selecting never shifts the video.
        let frame = self.current_frame().unwrap_or(0);
        let action = self.dataset.as_ref().and_then(|d| {
            let dataset = d.document.dataset();
            let track = self.selected.as_ref().and_then(|id| dataset.tracks.iter().find(|t| &t.id == id));
            // A fixed width: the canvas beside it must not shift while labels wrap.
            egui::Panel::right("selection")
                .exact_size(240.0)
                .show(ui, |ui| match track {
                    Some(track) => selection::show(ui, dataset, track, frame),
                    None => {
                        ui.heading("Selection");
                        ui.label("Click a box to select its track, or press N and drag to draw one.");
                        None
                    }
                })
                .inner
        });
        if let Some(action) = action {
            self.selection_action(action);
        }
        let action = egui::CentralPanel::default()
            .show(ui, |ui| match &self.video {
                Some(video) => {
                    let dataset = self
                        .dataset
                        .as_ref()
                        .and_then(|d| Some((d.document.dataset(), d.video_id.as_deref()?)));
                    canvas::show(ui, &mut self.canvas, video, dataset, self.tool, self.selected.as_deref())
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
        if !self.commands.is_empty() {
            ctx.request_repaint();
        }
        if let Some(started) = self.frame_started.take() {
            self.frame_times.push(started.elapsed().as_secs_f32() * 1e3);
        }
    }
}
