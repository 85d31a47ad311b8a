//! The dataset panel: the files opened this session, and the open dataset's videos
//! with their label counts and review progress.

use std::path::{Path, PathBuf};

use annotate::Dataset;

pub enum DatasetAction {
    OpenFile(PathBuf),
    ShowVideo(String),
}

/// `current`: the file open now (the dataset, or the bare video), highlighted.
pub fn show(
    ui: &mut egui::Ui,
    files: &[PathBuf],
    current: Option<&Path>,
    dataset: Option<(&Dataset, Option<&str>)>,
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
    let Some((d, shown)) = dataset else { return action };
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
    action
}

fn file_label(path: &str) -> String {
    super::file_name(Path::new(path))
}
