//! The window's top bar (commands, the dataset's counts, the lasting warnings and
//! the notices) and the changed-on-disk dialog.

use annotate::dialect::Grounding;
use annotate::formats::{Format, ReviewFilter};

use super::action::{Action, ConflictChoice};
use super::canvas::Tool;
use super::dialogs::Purpose;
use super::file_name;
use super::session::{ReviewMode, Session, Severity};
use super::ui_state::UiState;

/// The file changed on disk: reload it or save elsewhere.
pub(super) fn conflict_window(ctx: &egui::Context, session: &Session) -> Option<ConflictChoice> {
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

/// What the top bar needs besides the session: whether a save runs, and which file
/// dialog opens.
pub(super) struct Bar<'a> {
    pub saving: bool,
    pub dialogs: &'a str,
    /// An import or export running, in words.
    pub transferring: Option<&'a str>,
    /// A video export running: frames written, of all.
    pub exporting_video: Option<(u64, u64)>,
}

pub(super) fn show(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut UiState,
    bar: &Bar,
    out: &mut Vec<Action>,
) {
    let saving = bar.saving;
    // On two rows when the window is narrow, never cut off.
    ui.horizontal_wrapped(|ui| {
        let hover = format!("Open a video or dataset (or drop files on the window), with {}", bar.dialogs);
        if ui.button("Open…").on_hover_text(hover).clicked() {
            out.push(Action::PickFile(Purpose::Open));
        }
        if session.dataset.is_none() && session.video.is_some() {
            if ui
                .button("Annotate this video")
                .on_hover_text("Start a dataset for this video, beside it (or press N)")
                .clicked()
            {
                out.push(Action::NewDataset(None));
            }
            if ui
                .button("Annotate as…")
                .on_hover_text("Start a dataset for this video, where you say")
                .clicked()
            {
                out.push(Action::PickFile(Purpose::NewDataset));
            }
        }
        let idle = bar.transferring.is_none();
        let into =
            if session.dataset.is_some() { "into this dataset" } else { "as a new dataset beside the file" };
        let hover = format!(
            "Other tools' labels (CVAT, Label Studio, MOT, YouTube-VIS/OVIS, COCO, V-STaR, VidSTG, HC-STVG), {into}; \
             the format is found from the file (or drop it on the window)"
        );
        if ui.add_enabled(idle, egui::Button::new("Import…")).on_hover_text(hover).clicked() {
            out.push(Action::PickFile(Purpose::Import));
        }
        if let Some(what) = bar.transferring {
            ui.spinner();
            ui.label(format!("{what}…"));
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
            let next = session.next_category();
            if let Some(c) = next {
                ui.label(format!("as {}", c.name))
                    .on_hover_text("New boxes get the category last used; change it in the Selection panel");
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
                out.push(Action::PickFile(Purpose::SaveAs));
            }
            export_menu(ui, state, bar.transferring.is_none(), out);
            video_export(ui, session, bar.exporting_video, out);
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
                "{}{} · {} tracks · {} segments · {} questions · {} run(s)",
                file_name(d.document.path()),
                if d.document.unsaved_edits() > 0 { " *" } else { "" },
                data.tracks.len(),
                data.segments.len(),
                data.questions.len(),
                data.runs.len()
            ));
        }
    });
}

/// Export…: a format to write the dataset as, which labels, and for fine-tuning data
/// whose grounding.
fn export_menu(ui: &mut egui::Ui, state: &mut UiState, idle: bool, out: &mut Vec<Action>) {
    ui.add_enabled_ui(idle, |ui| {
        ui.menu_button("Export…", |ui| {
            ui.label("Labels:");
            ui.radio_value(
                &mut state.export_review,
                None,
                "the format's default (accepted for fine-tuning data)",
            );
            ui.radio_value(&mut state.export_review, Some(ReviewFilter::All), "all");
            ui.radio_value(&mut state.export_review, Some(ReviewFilter::Accepted), "accepted or edited only");
            ui.label("Fine-tuning grounding:");
            ui.horizontal(|ui| {
                for g in Grounding::ALL {
                    ui.radio_value(&mut state.export_grounding, g, g.name());
                }
            });
            ui.separator();
            for format in Format::ALL.into_iter().filter(|f| f.info().exports) {
                let info = format.info();
                if ui.button(info.name).on_hover_text(format!("{}: {}", info.title, info.holds)).clicked() {
                    out.push(Action::PickFile(Purpose::Export(format)));
                    ui.close();
                }
            }
        });
    });
}

/// Export video…, or the export's progress and its Cancel.
fn video_export(ui: &mut egui::Ui, session: &Session, running: Option<(u64, u64)>, out: &mut Vec<Action>) {
    match running {
        None => {
            let hover = "Write the video with the labels, the run on show and the one compared with it, the \
                         reasoning step cited as a caption and a timeline strip, frame for frame (H.264, the \
                         audio copied)";
            if ui
                .add_enabled(session.video.is_some(), egui::Button::new("Export video…"))
                .on_hover_text(hover)
                .clicked()
            {
                out.push(Action::PickFile(Purpose::ExportVideo));
            }
        }
        Some((done, total)) => {
            ui.add(
                egui::ProgressBar::new(if total > 0 { done as f32 / total as f32 } else { 0.0 })
                    .desired_width(120.0)
                    .text(format!("Rendering {done}/{total} frames")),
            );
            if ui.button("Cancel export").clicked() {
                out.push(Action::CancelVideoExport);
            }
        }
    }
}

/// The lasting warnings and the notices, over the top of the window below the top bar:
/// they come and go without moving anything.
pub(super) fn notices(ctx: &egui::Context, session: &Session, below: f32, out: &mut Vec<Action>) {
    let lasting =
        session.dataset.as_ref().is_some_and(|d| d.set_aside.is_some() || d.autosave.failing.is_some());
    if !lasting && session.showing().next().is_none() {
        return;
    }
    egui::Area::new(egui::Id::unique("notices"))
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-8.0, below + 4.0))
        .order(egui::Order::Foreground)
        .show(ctx, |ui| {
            ui.set_max_width((ctx.content_rect().width() * 0.6).max(280.0));
            egui::Frame::popup(ui.style()).show(ui, |ui| notice_list(ui, session, out));
        });
}

fn notice_list(ui: &mut egui::Ui, session: &Session, out: &mut Vec<Action>) {
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
        ui.horizontal_wrapped(|ui| {
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
