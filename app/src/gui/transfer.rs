//! Other tools' files in and out of the window (Import…, Export…, a labels file
//! dropped or opened): read and written on a worker (`vidence-transfer`) through the
//! same calls as `vidence import` and `export`, then a report of what was kept and
//! what was not, in a window until it is closed.

use std::path::{Path, PathBuf};

use annotate::Dataset;
use annotate::formats::{ExportOptions, Format};

use super::action::Action;

/// What a transfer finished with.
pub enum Done {
    /// Labels read for the dataset open at `into`, to join it as one edit.
    Into { into: PathBuf, dataset: Box<Dataset>, lines: Vec<String> },
    /// Labels written as the new dataset `path`, to open.
    New { path: PathBuf, lines: Vec<String> },
    /// The dataset written as another format.
    Exported { lines: Vec<String> },
}

/// The report window's contents.
pub struct Shown {
    pub title: String,
    pub lines: Vec<String>,
}

/// Reads `sources` (their format found from their contents) for the dataset open at
/// `into`, or, with none open, into a new dataset beside the first source.
pub fn import(sources: &[PathBuf], into: Option<PathBuf>) -> Result<Done, String> {
    let first = sources.first().ok_or("nothing to import")?;
    // Video paths are kept relative to where the dataset is.
    let dir = into.as_deref().unwrap_or(first).parent().unwrap_or(Path::new("")).to_path_buf();
    let imported = crate::convert::import("auto", sources, &[], None, &dir).map_err(|e| format!("{e:#}"))?;
    match into {
        Some(into) => {
            let lines = crate::convert::summary(imported.format, first, &imported.dataset, &imported.report);
            Ok(Done::Into { into, dataset: Box::new(imported.dataset), lines })
        }
        None => {
            let path = new_name(first);
            crate::convert::write_new(&imported.dataset, &path).map_err(|e| format!("{e:#}"))?;
            let lines = crate::convert::summary(imported.format, &path, &imported.dataset, &imported.report);
            Ok(Done::New { path, lines })
        }
    }
}

/// `NAME.vidence.json` beside `source`, or `NAME-2.vidence.json`, ... where taken.
fn new_name(source: &Path) -> PathBuf {
    let stem = source.file_stem().map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    let dir = source.parent().unwrap_or(Path::new(""));
    std::iter::once(format!("{stem}.vidence.json"))
        .chain((2..).map(|n| format!("{stem}-{n}.vidence.json")))
        .map(|name| dir.join(name))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}.vidence.json")))
}

pub fn export(format: Format, data: &Dataset, out: &Path, options: &ExportOptions) -> Result<Done, String> {
    let exported = crate::convert::export_to(format, data, out, options).map_err(|e| format!("{e:#}"))?;
    let selected = annotate::formats::selected(data, options).map_err(|e| e.to_string())?;
    let mut lines = crate::convert::summary(format, out, &selected, &exported.report);
    lines.push(format!("{} file(s) written", exported.files.len()));
    Ok(Done::Exported { lines })
}

/// The name an export is offered under, beside the dataset: a file for the formats of
/// one file, a folder for those that may write several.
pub fn export_name(dataset: &Path, format: Format) -> PathBuf {
    let stem = dataset.file_stem().map_or_else(|| "dataset".into(), |s| s.to_string_lossy().into_owned());
    let extension = match format {
        Format::Cvat => ".xml",
        Format::Swift => ".jsonl",
        Format::LabelStudio | Format::YoutubeVis | Format::Coco | Format::QwenFinetune => ".json",
        // Read only: never offered for export, but their files are JSON.
        Format::Vidstg | Format::Hcstvg => ".json",
        Format::Mot | Format::Vstar | Format::LlamaFactory => "",
    };
    dataset.with_file_name(format!("{stem}-{}{extension}", format.name()))
}

/// The report of the last transfer, until closed.
pub fn window(ctx: &egui::Context, shown: &Shown, out: &mut Vec<Action>) {
    let mut open = true;
    egui::Window::new(&shown.title).open(&mut open).collapsible(false).default_width(520.0).show(ctx, |ui| {
        egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
            for line in &shown.lines {
                ui.label(line);
            }
        });
        if ui.button("Close").clicked() {
            out.push(Action::CloseReport);
        }
    });
    if !open {
        out.push(Action::CloseReport);
    }
}
