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
mod batch_panel;
mod canvas;
mod dataset_panel;
mod dataset_run;
mod dialogs;
mod docking;
mod evaluate;
mod export_video;
mod help;
mod keys;
mod lanes;
mod layout;
mod loader;
mod objects;
mod pending;
mod questions;
mod review;
mod selection;
mod session;
mod shapes;
mod status;
mod timeline;
mod top_bar;
mod trace;
mod transfer;
mod ui_state;
mod video;
mod workers;
mod yuv;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use annotate::LabelRef;
use annotate::time::FrameTimes;

use action::Action;
pub use dialogs::DialogKind;
use loader::Loader;
use session::{ReviewMode, Session};
pub use timeline::timecode;
use ui_state::UiState;
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
    /// The desktop's file dialogs or the built-in browser.
    pub file_dialogs: DialogKind,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cache_bytes: viewer::DEFAULT_CACHE_BYTES,
            start_time: None,
            recent_models: None,
            disk: Arc::new(annotate::Files),
            file_dialogs: DialogKind::Auto,
        }
    }
}

/// Open the main window on `paths` (videos or dataset files; the first is shown).
pub fn run(paths: Vec<PathBuf>, options: Options) -> anyhow::Result<()> {
    // Looked for before the window opens: it reads the file system.
    let options = Options { file_dialogs: options.file_dialogs.resolved(), ..options };
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_title("Vidence")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([800.0, 500.0])
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
    /// The panels, as the user docked them.
    tiles: egui_tiles::Tree<docking::Pane>,
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
            workers: Workers::new(loader, options.file_dialogs, ctx),
            queued: Vec::new(),
            frame_started: None,
            opened: 0,
            tiles: docking::restore(cc.storage),
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

    /// The window's title: the file, marked `*` while it has unsaved edits.
    pub fn title(&self) -> String {
        let open = self.session.dataset.as_ref().map(|d| (d.document.path(), d.document.unsaved_edits() > 0));
        match (open, &self.session.video) {
            (Some((path, unsaved)), _) => {
                format!("{}{} — Vidence", file_name(path), if unsaved { " *" } else { "" })
            }
            (None, Some(v)) => format!("{} — Vidence", file_name(Path::new(&v.server.info().path))),
            (None, None) => "Vidence".to_owned(),
        }
    }

    /// The id of the dataset video on screen.
    pub fn shown_video(&self) -> Option<&str> {
        self.session.video_id()
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

    /// The report of the last import or export shown now: its title and lines.
    /// The video export running: frames written, of all.
    pub fn video_export(&self) -> Option<(u64, u64)> {
        self.workers.video_export.as_ref().map(export_video::VideoExport::progress)
    }

    pub fn report(&self) -> Option<(&str, &[String])> {
        self.session.report.as_ref().map(|r| (r.title.as_str(), r.lines.as_slice()))
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

    /// The run over the dataset that goes: its jobs to ask now and those ended.
    pub fn dataset_run(&self) -> Option<(usize, usize)> {
        self.workers.dataset_run.as_ref().map(dataset_run::DatasetRun::progress)
    }

    /// Where the model stands, in words (as the model panel shows it).
    pub fn model_state(&self) -> String {
        format!("{:?}", self.workers.asker.state)
    }

    /// The shown run's boxes drawn on the canvas now (indices into its prediction).
    pub fn predictions_on_screen(&self) -> Vec<usize> {
        self.evidence_on_screen(0)
    }

    /// In compare mode, the other model's run for the open item.
    pub fn compared_run(&self) -> Option<&annotate::ModelRun> {
        self.session.compared_run()
    }

    /// The compared run's boxes drawn on the canvas now.
    pub fn compared_on_screen(&self) -> Vec<usize> {
        if self.session.compared_run.is_none() {
            return Vec::new();
        }
        self.evidence_on_screen(if self.session.shown_run.is_some() { 1 } else { 0 })
    }

    fn evidence_on_screen(&self, layer: usize) -> Vec<usize> {
        let evidence = layout::evidence(&self.session, self.ui.tolerance_s);
        match (evidence.get(layer), self.session.time_seen()) {
            (Some(e), Some(t)) => e.boxes_at(t),
            _ => Vec::new(),
        }
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

    /// The Evaluate tab's scores: the model and its items, once scored.
    pub fn eval_scores(&self) -> Option<(&str, &annotate::eval::Scores)> {
        self.session.scored.as_ref().map(|s| (s.model.as_str(), s.scores.as_ref()))
    }

    /// The Evaluate tab's plots: the answers' mean by question kind (with how many),
    /// and the items' tIoU by tenths.
    pub fn eval_plots(&self) -> Option<(&[evaluate::KindMean], Option<[usize; 10]>)> {
        self.session.scored.as_ref().map(|s| (s.by_kind.as_slice(), s.tiou_tenths))
    }

    /// The model the Evaluate tab's scores are compared with.
    pub fn eval_compared_with(&self) -> Option<&str> {
        self.session.scored.as_ref()?.against.as_deref()
    }

    /// The item the Evaluate tab opened last (an index into the scores' items).
    pub fn eval_open(&self) -> Option<usize> {
        self.ui.eval.open
    }

    /// Seconds from the first frame to frame `index` of the open video.
    pub fn time_of(&self, index: u64) -> Option<f64> {
        self.session.video.as_ref().map(|v| v.server.index().time_of(index))
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
        // A file dialog in the window takes the keys while it is open.
        if !self.workers.dialogs.is_open() {
            actions.extend(keys::read(ctx, &self.session, &mut self.ui));
        }
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
        // Scores made before the data changed are made again, a second apart at most.
        if let (Some(scored), Some(d)) = (&self.session.scored, &self.session.dataset)
            && scored.changes != d.document.changes()
            && !self.workers.is_scoring()
            && self.session.now - self.session.scored_at > 1.0
        {
            let (model, against) = (scored.model.clone(), scored.against.clone());
            self.apply(Action::Eval(evaluate::EvalAction::Score { model, against }));
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
        let bar = top_bar::Bar {
            saving: self.is_saving(),
            dialogs: self.workers.dialogs.in_use(),
            transferring: self.workers.transferring(),
            exporting_video: self.workers.video_export.as_ref().map(export_video::VideoExport::progress),
        };
        let top = egui::Panel::top("top-bar")
            .show(ui, |ui| top_bar::show(ui, &self.session, &mut self.ui, &bar, &mut actions))
            .response
            .rect
            .bottom();
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            let progress = self.session.progress.as_ref().map(|(n, f)| (n.as_str(), *f));
            let unsaved = self.session.dataset.as_ref().map(|d| d.document.unsaved_edits());
            status::status_bar(ui, self.session.video.as_ref(), progress, unsaved);
        });
        self.timeline(ui, &mut actions);
        // Widths the user sets by dragging, never the content's: the canvas beside
        // them does not shift while labels wrap.
        let fill = egui::Frame::NONE.fill(ui.visuals().panel_fill);
        egui::CentralPanel::default().frame(fill).show(ui, |ui| {
            let mut tree = std::mem::replace(
                &mut self.tiles,
                egui_tiles::Tree::empty(egui::Id::unique("vidence-panels-drawn")),
            );
            docking::before(&mut tree, &self.session, self.ui.left_tab);
            tree.ui(&mut docking::Panes { app: self, out: &mut actions }, ui);
            self.ui.left_tab = docking::after(&tree, self.ui.left_tab);
            self.tiles = tree;
        });
        if self.ui.show_debug {
            status::debug_overlay(&ctx, &self.ui.frame_times, self.session.video.as_ref());
        }
        top_bar::notices(&ctx, &self.session, top, &mut actions);
        let title = self.title();
        if title != self.ui.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.ui.title = title;
        }
        help::window(&ctx, &mut self.ui.show_help);
        match self.workers.dialogs.show(&ctx) {
            Some(Ok(picked)) => actions.push(Action::Picked(picked)),
            Some(Err(e)) => actions.push(Action::Notify(session::Notice::error(e))),
            None => {}
        }
        if self.session.conflict {
            actions.extend(top_bar::conflict_window(&ctx, &self.session).map(Action::Conflict));
        }
        if let Some(shown) = &self.session.report {
            transfer::window(&ctx, shown, &mut actions);
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
        docking::remember(&self.tiles, storage);
    }
}
