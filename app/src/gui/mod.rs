//! The eframe GUI. Each frame, `logic` takes what the workers finished and the
//! actions the last frame's panels and keys returned, and hands them to `apply` (the
//! only code that changes the [`Session`]); then it advances the play head. `ui`
//! draws the panels, which read the session and return [`Action`]s. Nothing here
//! decodes or touches the disk: that happens on the loader, decode, thumbnail, save
//! and model threads ([`Workers`]).

mod action;
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
mod pending;
mod questions;
mod review;
mod selection;
mod session;
mod status;
mod timeline;
mod trace;
mod ui_state;
mod video;
mod workers;
mod yuv;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use annotate::LabelRef;
use annotate::time::FrameTimes;

use action::{Action, ConflictChoice};
use canvas::Tool;
use lanes::LaneInput;
use loader::Loader;
use session::{ReviewMode, Session, Severity};
pub use timeline::timecode;
use ui_state::{LeftTab, UiState};
use workers::Workers;

/// Start-up settings from the command line.
#[derive(Clone)]
pub struct Options {
    /// Memory for decoded frames.
    pub cache_bytes: usize,
    /// Where to put the play head when the first video opens, in seconds.
    pub start_time: Option<f64>,
    /// Where the models loaded before are remembered (`None`: not across runs).
    pub recent_models: Option<PathBuf>,
    /// Where autosave journals are written (the file system unless a test says).
    pub disk: Arc<dyn annotate::Disk>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cache_bytes: viewer::DEFAULT_CACHE_BYTES,
            start_time: None,
            recent_models: None,
            disk: Arc::new(annotate::Files),
        }
    }
}

/// Open the main window on `paths` (videos or dataset files; the first is shown).
pub fn run(paths: Vec<PathBuf>, options: Options) -> anyhow::Result<()> {
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_title("Vidence")
            .with_inner_size([1280.0, 820.0])
            .with_icon(icon())
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

/// The window icon, `assets/icon.png`.
fn icon() -> egui::IconData {
    let decoded = image::load_from_memory(include_bytes!("../../../assets/icon.png")).map(|i| i.to_rgba8());
    match decoded {
        Ok(rgba) => egui::IconData { width: rgba.width(), height: rgba.height(), rgba: rgba.into_raw() },
        Err(_) => egui::IconData::default(),
    }
}

/// The fonts the window draws text with, from `assets/fonts/` (the renderer of
/// overlay videos uses the same files).
fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    let assets: [(&str, &'static [u8]); 2] = [
        ("Ubuntu-Light", include_bytes!("../../../assets/fonts/Ubuntu-Light.ttf")),
        ("Hack", include_bytes!("../../../assets/fonts/Hack-Regular.ttf")),
    ];
    for (name, bytes) in assets {
        fonts.font_data.insert(name.to_owned(), Arc::new(egui::FontData::from_static(bytes)));
    }
    ctx.set_fonts(fonts);
}

pub struct VidenceApp {
    session: Session,
    ui: UiState,
    workers: Workers,
    /// Actions returned while drawing, applied at the start of the next frame.
    queued: Vec<Action>,
    frame_started: Option<Instant>,
    /// How many datasets were opened, to number the next.
    opened: u64,
}

impl VidenceApp {
    pub fn new(cc: &eframe::CreationContext<'_>, paths: Vec<PathBuf>, options: Options) -> Self {
        if let Some(render_state) = &cc.wgpu_render_state {
            yuv::YuvRenderer::install(render_state);
        }
        install_fonts(&cc.egui_ctx);
        let ctx = cc.egui_ctx.clone();
        let wake = ctx.clone();
        let loader = Loader::start(move || wake.request_repaint(), options.cache_bytes, options.disk)
            .unwrap_or_else(|e| panic!("cannot start the file loader thread: {e}"));
        let mut app = Self {
            session: Session { start_time: options.start_time, ..Session::default() },
            ui: UiState::restore(cc.storage),
            workers: Workers::new(loader, ctx),
            queued: Vec::new(),
            frame_started: None,
            opened: 0,
        };
        if cc.wgpu_render_state.is_none() {
            app.queued.push(Action::Notify(session::Notice::error(
                "No wgpu renderer: video frames cannot be shown.",
            )));
        }
        if let Some(file) = options.recent_models {
            app.workers.asker.remember_in(file);
        }
        if !paths.is_empty() {
            app.queued.push(Action::AddFiles(paths));
        }
        app
    }

    /// Models loaded before, most recent first.
    pub fn recent_models(&self) -> &[String] {
        &self.workers.asker.recent
    }

    /// The play head's frame, if a video is open.
    pub fn current_frame(&self) -> Option<u64> {
        self.session.video.as_ref().map(video::VideoView::current_frame)
    }

    /// The frame actually on screen.
    pub fn shown_frame(&self) -> Option<u64> {
        self.session.video.as_ref().and_then(video::VideoView::shown_frame)
    }

    pub fn is_playing(&self) -> bool {
        self.session.video.as_ref().is_some_and(|v| v.playback.is_playing())
    }

    pub fn thumbnails_loaded(&self) -> usize {
        self.session.video.as_ref().map_or(0, video::VideoView::thumbnails_loaded)
    }

    /// The notices showing now, as text.
    pub fn notices(&self) -> Vec<&str> {
        self.session.showing().map(|(_, n)| n.text.as_str()).collect()
    }

    /// The open dataset, as edited so far.
    pub fn dataset(&self) -> Option<&annotate::Dataset> {
        self.session.data()
    }

    pub fn selected_track(&self) -> Option<&str> {
        self.session.selected_track()
    }

    /// The selected track or segment.
    pub fn selected(&self) -> Option<&LabelRef> {
        self.session.selected.as_ref()
    }

    /// The question open in the question panel.
    pub fn open_question(&self) -> Option<&str> {
        self.session.question.as_deref()
    }

    /// In review mode: the label under review.
    pub fn under_review(&self) -> Option<&LabelRef> {
        match &self.session.review {
            ReviewMode::On(label) => label.as_ref(),
            ReviewMode::Off => None,
        }
    }

    pub fn is_reviewing(&self) -> bool {
        self.session.review != ReviewMode::Off
    }

    /// The model run whose evidence is on screen.
    pub fn shown_run(&self) -> Option<&annotate::ModelRun> {
        self.session.shown_run()
    }

    /// Tokens streamed so far by the run in progress (`None`: no run in progress).
    pub fn live_tokens(&self) -> Option<usize> {
        self.workers.asker.live.as_ref().map(|l| l.tokens.len())
    }

    /// Where the model stands, in words (as the model panel shows it).
    pub fn model_state(&self) -> String {
        format!("{:?}", self.workers.asker.state)
    }

    /// The shown run's boxes drawn on the canvas now (indices into its prediction).
    pub fn predictions_on_screen(&self) -> Vec<usize> {
        let (Some(evidence), Some(t)) =
            (evidence(&self.session, self.ui.tolerance_s), self.session.time_seen())
        else {
            return Vec::new();
        };
        evidence.boxes_at(t)
    }

    /// The predicted box picked from the trace.
    pub fn highlighted_prediction(&self) -> Option<usize> {
        self.session.highlight
    }

    /// A save was refused because the file changed on disk.
    pub fn has_conflict(&self) -> bool {
        self.session.conflict
    }

    pub fn is_saving(&self) -> bool {
        self.workers.saving.is_some()
    }

    /// Seconds from the first frame to frame `index` of the open video.
    pub fn time_of(&self, index: u64) -> Option<f64> {
        self.session.video.as_ref().map(|v| v.server.index().time_of(index))
    }
}

/// The shown run's evidence as the canvas draws it.
fn evidence(session: &Session, tolerance_s: f64) -> Option<evidence::Evidence<'_>> {
    Some(evidence::Evidence { run: session.shown_run()?, tolerance_s, highlight: session.highlight })
}

/// What the timeline shows of a model run.
fn model_marks(run: &annotate::ModelRun) -> timeline::ModelMarks {
    let p = &run.prediction;
    let mut cited: Vec<f64> =
        p.steps.iter().filter_map(|s| s.time_s).chain(p.boxes.iter().filter_map(|b| b.time_s)).collect();
    cited.sort_by(f64::total_cmp);
    cited.dedup();
    timeline::ModelMarks {
        spans: p
            .spans
            .iter()
            .enumerate()
            .filter(|(i, _)| run.is_open(&annotate::EvidenceItem::Span { index: *i }))
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
        self.session.now = ctx.input(|i| i.time);
        let data = self.session.data();
        let next_run_id = || data.map_or_else(|| "run-1".to_owned(), |d| d.fresh_id("run"));
        let mut actions = std::mem::take(&mut self.queued);
        actions.extend(self.workers.poll(next_run_id));
        actions.extend(keys::read(ctx, &self.session, &mut self.ui));
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            actions.push(Action::AddFiles(dropped));
        }
        if let Some(d) = &self.session.dataset {
            let health = d.document.autosave();
            if health != d.autosave {
                actions.push(Action::Autosave(health));
            }
        }
        for action in actions {
            self.apply(action);
        }
        // The worker cannot wake the GUI: look again soon while it works.
        if self.workers.asker.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        let now = self.session.now;
        let commands = std::mem::take(&mut self.session.commands);
        if let Some(video) = &mut self.session.video {
            video.update(ctx, now, &commands);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let mut actions = Vec::new();
        let saving = self.is_saving();
        egui::Panel::top("top-bar")
            .show(ui, |ui| top_bar(ui, &self.session, &mut self.ui, saving, &mut actions));
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            let progress = self.session.progress.as_ref().map(|(n, f)| (n.as_str(), *f));
            status::status_bar(ui, self.session.video.as_ref(), progress);
        });
        self.timeline(ui, &mut actions);
        // Fixed widths: the canvas beside them must not shift while labels wrap.
        egui::Panel::left("left").exact_size(260.0).show(ui, |ui| self.left_panel(ui, &mut actions));
        if self.session.dataset.is_some() {
            egui::Panel::right("selection")
                .exact_size(240.0)
                .show(ui, |ui| self.right_panel(ui, &mut actions));
        }
        egui::CentralPanel::default().show(ui, |ui| self.central(ui, &mut actions));
        if self.ui.show_debug {
            status::debug_overlay(&ctx, &self.ui.frame_times, self.session.video.as_ref());
        }
        help::window(&ctx, &mut self.ui.show_help);
        if self.session.conflict {
            actions.extend(conflict_window(&ctx, &self.session).map(Action::Conflict));
        }
        if !actions.is_empty() {
            ctx.request_repaint();
        }
        self.queued.extend(actions);
        if let Some(started) = self.frame_started.take() {
            self.ui.frame_times.push(started.elapsed().as_secs_f32() * 1e3);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.ui.remember(storage);
    }
}

/// The file changed on disk: reload it or save elsewhere.
fn conflict_window(ctx: &egui::Context, session: &Session) -> Option<ConflictChoice> {
    let name = session.dataset.as_ref().map_or_else(String::new, |d| file_name(d.document.path()));
    let unsaved = session.dataset.as_ref().map_or(0, |d| d.document.unsaved_edits());
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("conflict")).show(ctx, |ui| {
        ui.heading("The file changed on disk");
        ui.label(format!(
            "Another program changed {name} since it was opened, so saving here would overwrite \
             its changes. Reload it (your {unsaved} unsaved edit(s) are set aside in the stale \
             journal), or save your version elsewhere."
        ));
        ui.horizontal(|ui| {
            for (label, c) in [
                ("Reload from disk", ConflictChoice::Reload),
                ("Save as…", ConflictChoice::SaveAs),
                ("Keep editing", ConflictChoice::KeepEditing),
            ] {
                if ui.button(label).clicked() {
                    choice = Some(c);
                }
            }
        });
    });
    choice
}

fn top_bar(ui: &mut egui::Ui, session: &Session, state: &mut UiState, saving: bool, out: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if ui.button("Open…").on_hover_text("Open a video or dataset (or drop files on the window)").clicked()
        {
            out.push(Action::OpenDialog);
        }
        ui.separator();
        if ui.button("Fit").on_hover_text("Fit the frame to the canvas (double-click the canvas)").clicked() {
            state.canvas.fit();
        }
        if ui.button("1:1").on_hover_text("One video pixel per screen pixel").clicked() {
            state.canvas.actual_size(ui.ctx().pixels_per_point());
        }
        ui.separator();
        if let Some(d) = &session.dataset {
            let mut drawing = session.tool == Tool::Draw;
            if ui
                .toggle_value(&mut drawing, "Draw box")
                .on_hover_text("Drag on the video to add a track (N)")
                .changed()
            {
                out.push(Action::SetTool(if drawing { Tool::Draw } else { Tool::Select }));
            }
            let doc = &d.document;
            if ui.add_enabled(doc.can_undo(), egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
                out.push(Action::Undo);
            }
            if ui
                .add_enabled(doc.can_redo(), egui::Button::new("Redo"))
                .on_hover_text("Ctrl+Shift+Z")
                .clicked()
            {
                out.push(Action::Redo);
            }
            let save_label = if saving { "Saving…" } else { "Save" };
            let unsaved = doc.unsaved_edits();
            if ui
                .add_enabled(!saving, egui::Button::new(save_label))
                .on_hover_text(format!("Ctrl+S · {unsaved} unsaved edit(s), autosaved to the journal"))
                .clicked()
            {
                out.push(Action::Save);
            }
            if ui.add_enabled(!saving, egui::Button::new("Save as…")).clicked() {
                out.push(Action::SaveAsDialog);
            }
            ui.separator();
            let mut reviewing = session.review != ReviewMode::Off;
            if ui.toggle_value(&mut reviewing, "Review").on_hover_text("Review mode (V)").changed() {
                out.push(Action::ToggleReview);
            }
            ui.separator();
        }
        ui.toggle_value(&mut state.show_debug, "Debug overlay")
            .on_hover_text("UI frame time and decode latency (F12)");
        ui.toggle_value(&mut state.show_help, "Shortcuts").on_hover_text("Keyboard shortcuts (F1)");
        if let Some(d) = &session.dataset {
            ui.separator();
            let data = d.document.dataset();
            ui.label(format!(
                "{} · {} tracks · {} segments · {} questions · {} model runs",
                file_name(d.document.path()),
                data.tracks.len(),
                data.segments.len(),
                data.questions.len(),
                data.runs.len()
            ));
        }
    });
    if let Some(aside) = session.dataset.as_ref().and_then(|d| d.set_aside.as_ref()) {
        ui.horizontal_wrapped(|ui| {
            let name = aside.path.file_name().unwrap_or_default().to_string_lossy();
            ui.colored_label(
                egui::Color32::from_rgb(255, 170, 60),
                format!(
                    "{} unsaved edit(s) of an earlier session are set aside in {name}: the file changed on \
                     disk after they were made.",
                    aside.edits
                ),
            );
            if ui.button("Apply them to the file as it is").clicked() {
                out.push(Action::SetAside(true));
            }
            if ui.button("Leave them aside").clicked() {
                out.push(Action::SetAside(false));
            }
        });
    }
    // Autosave failing is a state, not an event: it shows for as long as it lasts.
    if let Some(why) = session.dataset.as_ref().and_then(|d| d.autosave.failing.as_deref()) {
        let behind = session.dataset.as_ref().map_or(0, |d| d.autosave.behind);
        ui.colored_label(
            egui::Color32::from_rgb(255, 170, 60),
            format!(
                "Autosave is failing, retrying every second ({behind} edit(s) not in the journal yet): {why}"
            ),
        );
    }
    for (i, notice) in session.showing() {
        ui.horizontal(|ui| {
            let color = match notice.severity {
                Severity::Info => egui::Color32::LIGHT_GRAY,
                Severity::Warning => egui::Color32::from_rgb(255, 170, 60),
                Severity::Error => egui::Color32::LIGHT_RED,
            };
            ui.colored_label(color, &notice.text);
            if ui.small_button("Dismiss").clicked() {
                out.push(Action::DismissNotice(i));
            }
        });
    }
}

impl VidenceApp {
    fn central(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        let Some(video) = &self.session.video else {
            ui.centered_and_justified(|ui| {
                ui.label("Open a video or a dataset: Open…, drag and drop, or a path on the command line.");
            });
            return;
        };
        let dataset =
            self.session.dataset.as_ref().and_then(|d| Some((d.document.dataset(), d.video_id.as_deref()?)));
        let evidence = evidence(&self.session, self.ui.tolerance_s);
        let (action, hovered) = canvas::show(
            ui,
            &mut self.ui.canvas,
            video,
            dataset,
            self.session.tool,
            self.session.selected_track(),
            evidence.as_ref(),
        );
        if hovered != self.session.hovered_prediction {
            out.push(Action::HoverPrediction(hovered));
        }
        out.extend(action.map(Action::Canvas));
    }

    fn timeline(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        let session = &self.session;
        let Some(video) = &session.video else { return };
        let (segments, keyframes) = match (session.data(), session.video_id()) {
            (Some(d), Some(id)) => {
                // The selected track's keyframes show as ticks on the timeline.
                let keyframes = session
                    .selected_track()
                    .and_then(|t| d.track(t))
                    .map(|t| t.keyframes.iter().map(|k| k.frame).collect())
                    .unwrap_or_default();
                (d.segments_of(id).collect(), keyframes)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let input = LaneInput {
            segments,
            selected: match &session.selected {
                Some(LabelRef::Segment(id)) => Some(id.as_str()),
                _ => None,
            },
            keyframes: &keyframes,
            editable: session.video_id().is_some(),
        };
        let marks = session.shown_run().map(model_marks);
        let lanes = &mut self.ui.lanes;
        egui::Panel::bottom("timeline")
            .show(ui, |ui| timeline::show(ui, video, lanes, input, marks.as_ref(), out));
    }

    fn left_panel(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        let session = &self.session;
        let video_id = session.video_id();
        ui.horizontal(|ui| {
            // Four tabs in the panel's width.
            ui.spacing_mut().item_spacing.x = 2.0;
            ui.spacing_mut().button_padding.x = 3.0;
            ui.selectable_value(&mut self.ui.left_tab, LeftTab::Dataset, "Dataset");
            if video_id.is_some() {
                ui.selectable_value(&mut self.ui.left_tab, LeftTab::Objects, "Objects");
                ui.selectable_value(&mut self.ui.left_tab, LeftTab::Questions, "Questions");
                ui.selectable_value(&mut self.ui.left_tab, LeftTab::Model, "Model");
            }
        });
        ui.separator();
        let Some(d) = &session.dataset else {
            out.extend(dataset_panel::show(ui, &session.files, None).map(Action::Dataset));
            return;
        };
        let data = d.document.dataset();
        match (self.ui.left_tab, video_id) {
            (LeftTab::Objects, Some(video)) => {
                let picked = objects::show(ui, data, video, &mut self.ui.filter, session.selected.as_ref());
                out.extend(picked.map(|(label, jump)| Action::Pick(label, jump)));
            }
            (LeftTab::Questions, Some(video)) => {
                let list: Vec<&annotate::Question> = data.questions_of(video).collect();
                let open = session.question.as_deref().and_then(|id| data.question(id));
                out.extend(questions::show(ui, &list, open, &mut self.ui.drafts).map(Action::Question));
            }
            (LeftTab::Model, Some(video)) => {
                let Some(v) = &session.video else { return };
                let index = v.server.index();
                let info = v.server.info();
                let clip = ask_panel::Clip {
                    width: info.width,
                    height: info.height,
                    fps: info.fps,
                    duration_s: index.duration_s(),
                    marks: (v.marks.0.map(|f| index.time_of(f)), v.marks.1.map(|f| index.time_of(f))),
                };
                let runs: Vec<&annotate::ModelRun> = data.runs_of(video).collect();
                let shown = session.shown_run.as_ref();
                let action =
                    ask_panel::show(ui, &mut self.ui.model, &self.workers.asker, &clip, &runs, shown);
                out.extend(action.map(Action::Ask));
            }
            _ => {
                let action = dataset_panel::show(ui, &session.files, Some((data, d.video_id.as_deref())));
                out.extend(action.map(Action::Dataset));
            }
        }
    }

    fn right_panel(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        let session = &self.session;
        let Some(data) = session.data() else { return };
        if let (ReviewMode::On(current), Some(video)) = (&session.review, session.video_id())
            && let Some(action) = review::show(ui, data, video, current.as_ref())
        {
            out.push(Action::Review(action));
            return;
        }
        let frame = session.frame_seen().unwrap_or(0);
        match &session.selected {
            Some(LabelRef::Track(id)) if let Some(track) = data.track(id) => {
                out.extend(selection::show(ui, data, track, frame).map(Action::Selection));
            }
            Some(LabelRef::Segment(id)) if let Some(segment) = data.segment(id) => {
                let time = session.time_seen().unwrap_or(0.0);
                let action = selection::show_segment(ui, segment, &mut self.ui.segment_label, time);
                out.extend(action.map(Action::Segment));
            }
            _ if let Some(run) = session.shown_run() => {
                let hovered = session.hovered_prediction;
                let action = trace::show(ui, run, hovered, &mut self.ui.tolerance_s);
                out.extend(action.map(Action::Trace));
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
