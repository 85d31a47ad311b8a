//! The dataset panel: the files opened this session, and the open dataset's videos
//! with their label counts and review progress.

use std::path::{Path, PathBuf};

use annotate::Dataset;

pub enum DatasetAction {
    OpenFile(PathBuf),
    ShowVideo(String),
    /// Go to what a problem's JSON path points at.
    GoTo(String),
    /// Check the dataset again.
    Recheck,
}

/// `current`: the file open now (the dataset, or the bare video), highlighted.
pub fn show(
    ui: &mut egui::Ui,
    files: &[PathBuf],
    current: Option<&Path>,
    dataset: Option<(&Dataset, Option<&str>, &[annotate::Problem])>,
) -> Option<DatasetAction> {
    let mut action = None;
    ui.heading("Files");
    for path in files {
        if ui
            .selectable_label(current == Some(path.as_path()), super::file_name(path))
            .on_hover_text(path.display().to_string())
            .clicked()
        {
            action = Some(DatasetAction::OpenFile(path.clone()));
        }
    }
    let Some((d, shown, problems)) = dataset else { return action };
    ui.separator();
    ui.heading("Videos");
    for v in &d.videos {
        let progress = d.review_progress(&v.id);
        let questions = d.questions.iter().filter(|q| q.video == v.id).count();
        ui.group(|ui| {
            let title = format!("{} ({})", v.id, file_label(&v.path));
            if ui.selectable_label(shown == Some(v.id.as_str()), title).clicked()
                && shown != Some(v.id.as_str())
            {
                action = Some(DatasetAction::ShowVideo(v.id.clone()));
            }
            ui.label(format!(
                "{} tracks · {} segments · {questions} questions",
                d.tracks_of(&v.id).count(),
                d.segments_of(&v.id).count()
            ));
            ui.add(
                egui::ProgressBar::new(progress.fraction())
                    .text(format!("{} / {} reviewed", progress.reviewed, progress.total)),
            );
        });
    }
    ui.separator();
    ui.horizontal(|ui| {
        ui.heading(format!("Problems ({})", problems.len()));
        if ui.small_button("Check again").on_hover_text("Check the dataset as it is now").clicked() {
            action = Some(DatasetAction::Recheck);
        }
    });
    if problems.is_empty() {
        ui.label("None found.");
    }
    for p in problems {
        let text = format!("{}: {}", p.path, p.message);
        if ui.add(egui::Button::new(&text).wrap()).on_hover_text("Go to it").clicked() {
            action = Some(DatasetAction::GoTo(p.path.clone()));
        }
    }
    action
}

fn file_label(path: &str) -> String {
    super::file_name(Path::new(path))
}
