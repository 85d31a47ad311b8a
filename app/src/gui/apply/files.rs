//! Files in and out: what the file dialogs gave back, files dropped or named, a new
//! dataset for the video on screen, videos added to the dataset, a moved video
//! located again.

use std::path::{Path, PathBuf};

use annotate::Edit;

use super::super::VidenceApp;
use super::super::canvas::Tool;
use super::super::dataset_panel::DatasetAction;
use super::super::dialogs::{Picked, Purpose};
use super::super::file_name;
use super::super::loader::{Request, is_dataset, is_labels};
use super::super::session::{Notice, OpenDataset};
use super::super::transfer::{self, Done, Shown};
use annotate::formats::{ExportOptions, Format};

impl VidenceApp {
    pub(super) fn pick_file(&mut self, purpose: Purpose) {
        let s = &self.session;
        let near = match &purpose {
            Purpose::SaveAs => s.dataset.as_ref().map(|d| d.document.path().to_path_buf()),
            // A name to start from; the loader makes it unique before it writes.
            Purpose::NewDataset => {
                s.video.as_ref().map(|v| Path::new(&v.server.info().path).with_extension("json"))
            }
            Purpose::Export(format) => {
                s.dataset.as_ref().map(|d| transfer::export_name(d.document.path(), *format))
            }
            Purpose::ExportVideo => s.dataset.as_ref().and_then(|d| {
                let video = d.video_id.as_deref()?;
                Some(d.document.path().with_file_name(format!("{video}.rendered.mp4")))
            }),
            Purpose::Open | Purpose::Locate(_) | Purpose::Import => s
                .dataset
                .as_ref()
                .map(|d| d.document.path().to_path_buf())
                .or_else(|| s.files.first().cloned()),
        };
        if let Err(e) = self.workers.dialogs.ask(purpose, near.as_deref()) {
            self.session.notify(Notice::error(e));
        }
    }

    pub(super) fn picked(&mut self, picked: Picked) {
        let Some(first) = picked.paths.first().cloned() else { return };
        match picked.purpose {
            Purpose::Open => self.add_files(picked.paths),
            Purpose::SaveAs | Purpose::NewDataset => {
                let Some(file) = dataset_file(first) else {
                    self.session.notify(Notice::error(
                        "A dataset is saved as a .json file: choose a name ending in .json.",
                    ));
                    return;
                };
                if picked.purpose == Purpose::SaveAs {
                    self.save(Some(&file));
                } else {
                    self.new_dataset(Some(file));
                }
            }
            Purpose::Import => self.import(picked.paths),
            Purpose::Export(format) => self.export(format, first),
            Purpose::ExportVideo => self.export_video(first),
            Purpose::Locate(id) => {
                let Some(d) = &self.session.dataset else { return };
                let Some(record) = d.document.dataset().video(&id).cloned() else { return };
                let dataset = d.document.path().to_path_buf();
                self.workers.loader.send(Request::Relink { record, file: first, dataset });
            }
        }
    }

    /// Files dropped, picked or named. With a dataset open, videos join it (or are
    /// shown, when they are in it already); a dataset file opens instead.
    pub(super) fn add_files(&mut self, paths: Vec<PathBuf>) {
        let (labels, mut paths): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| is_labels(p));
        if !labels.is_empty() {
            self.import(labels);
        }
        if paths.is_empty() {
            return;
        }
        if let Some(d) = &self.session.dataset {
            let (datasets, videos): (Vec<PathBuf>, Vec<PathBuf>) =
                paths.into_iter().partition(|p| is_dataset(p));
            let dir = d.document.path().parent().unwrap_or(Path::new("")).to_path_buf();
            let data = d.document.dataset();
            let recorded = |p: &Path| {
                data.videos.iter().find(|v| same_file(&dir.join(&v.path), p)).map(|v| v.id.clone())
            };
            let (known, new): (Vec<PathBuf>, Vec<PathBuf>) =
                videos.into_iter().partition(|p| recorded(p).is_some());
            if !new.is_empty() {
                let dataset = d.document.path().to_path_buf();
                self.session.notify(Notice::info(format!("Adding {} video(s) to the dataset…", new.len())));
                self.workers.loader.send(Request::Describe { dataset, videos: new });
            } else if let Some(id) = known.first().and_then(|p| recorded(p)) {
                self.dataset_action(DatasetAction::ShowVideo(id));
            }
            if datasets.is_empty() {
                return;
            }
            paths = datasets;
        }
        for (i, path) in paths.into_iter().enumerate() {
            if !self.session.files.contains(&path) {
                self.session.files.push(path.clone());
            }
            if i == 0 {
                self.workers.loader.open(path);
            }
        }
    }

    /// Other tools' labels read on a worker: into the open dataset, or as a new one.
    pub(super) fn import(&mut self, sources: Vec<PathBuf>) {
        let Some(first) = sources.first() else { return };
        let into = self.session.dataset.as_ref().map(|d| d.document.path().to_path_buf());
        let what = format!("Importing {}", file_name(first));
        if let Err(e) = self.workers.transfer(what, move || transfer::import(&sources, into)) {
            self.session.notify(Notice::error(e));
        }
    }

    /// The open dataset written as `format` at `out`, on a worker.
    fn export(&mut self, format: Format, out: PathBuf) {
        let Some(d) = &self.session.dataset else { return };
        // A copy that shares the tracks' keyframes: editing goes on meanwhile.
        let data = d.document.dataset().clone();
        let options = ExportOptions {
            review: self.ui.export_review.unwrap_or(format.default_review()),
            grounding: self.ui.export_grounding,
            ..ExportOptions::default()
        };
        let what = format!("Exporting {} as {}", file_name(&out), format.name());
        if let Err(e) = self.workers.transfer(what, move || transfer::export(format, &data, &out, &options)) {
            self.session.notify(Notice::error(e));
        }
    }

    /// An import or export ended: imported labels join the dataset they were read for
    /// (one edit, one undo), a new dataset opens, and the report shows.
    pub(super) fn transferred(&mut self, result: Result<Done, String>) {
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                self.session.report =
                    Some(Shown { title: "Not imported or exported".into(), lines: vec![e] });
                return;
            }
        };
        let (title, lines) = match done {
            Done::Into { into, dataset, lines } => {
                let Some(d) = self.session.dataset.as_mut().filter(|d| d.document.path() == into) else {
                    let name = file_name(&into);
                    return self.session.notify(Notice::error(format!(
                        "The import was for {name}, which is no longer open: nothing was added."
                    )));
                };
                let edit = annotate::formats::merge(d.document.dataset(), *dataset);
                if let Err(e) = d.document.apply(edit) {
                    return self.session.notify(Notice::error(format!("The import was refused: {e}")));
                }
                ("Imported (Ctrl+Z takes it back)", lines)
            }
            Done::New { path, lines } => {
                self.add_files(vec![path]);
                ("Imported as a new dataset", lines)
            }
            Done::Exported { lines } => ("Exported", lines),
        };
        self.session.report = Some(Shown { title: title.into(), lines });
    }

    /// Start a dataset for the bare video on screen: beside it, or at `at`.
    pub(super) fn new_dataset(&mut self, at: Option<PathBuf>) {
        let Some(video) = &self.session.video else { return };
        // Once: a second N or click while the first is written would start another.
        if self.session.dataset.is_some() || self.session.creating {
            return;
        }
        self.session.creating = true;
        let file = PathBuf::from(&video.server.info().path);
        self.workers.loader.send(Request::Create { out: at, videos: vec![file] });
    }

    /// The new dataset of the video on screen is written: annotate it.
    pub(super) fn created(&mut self, result: Result<Box<annotate::Document>, String>) {
        self.session.creating = false;
        let document = match result {
            Ok(d) => *d,
            Err(e) => return self.session.notify(Notice::error(format!("No dataset started: {e}"))),
        };
        if self.session.dataset.is_some() {
            let name = file_name(document.path());
            return self
                .session
                .notify(Notice::info(format!("Started {name}; another dataset is open now.")));
        }
        self.opened += 1;
        let path = document.path().to_path_buf();
        let video_id = document.dataset().videos.first().map(|v| v.id.clone());
        let s = &mut self.session;
        if !s.files.contains(&path) {
            s.files.insert(0, path.clone());
        }
        s.dataset = Some(OpenDataset {
            document,
            video_id,
            serial: self.opened,
            autosave: Default::default(),
            set_aside: None,
            missing: None,
            problems: Vec::new(),
        });
        s.tool = Tool::Draw;
        s.notify(Notice::info(format!(
            "Started {}: drag on the video to draw a box (N toggles drawing). Every edit is autosaved.",
            file_name(&path)
        )));
    }

    /// Videos indexed to join the dataset: one undoable edit adds them all.
    pub(super) fn described(
        &mut self,
        dataset: &Path,
        records: Vec<annotate::Video>,
        failed: Vec<(PathBuf, String)>,
    ) {
        for (path, why) in failed {
            self.session.notify(Notice::error(format!("{}: {why}", file_name(&path))));
        }
        let Some(d) = self.session.dataset.as_ref().filter(|d| d.document.path() == dataset) else {
            return self
                .session
                .notify(Notice::warning("Videos were not added: another dataset is open now."));
        };
        let data = d.document.dataset();
        let mut ids = annotate::Dataset { videos: data.videos.clone(), ..Default::default() };
        let mut edits = Vec::new();
        for mut record in records {
            record.id = crate::videos::fresh_video_id(&ids, &record.path);
            ids.videos.push(record.clone());
            edits.push(Edit::InsertVideo { index: usize::MAX, video: record });
        }
        let Some(Edit::InsertVideo { video: first, .. }) = edits.first() else { return };
        let (first, count) = (first.id.clone(), edits.len());
        self.edit(Edit::Batch { edits });
        self.session.notify(Notice::info(format!("Added {count} video(s) to the dataset.")));
        self.dataset_action(DatasetAction::ShowVideo(first));
    }

    /// A moved video was checked against its record: point the record at it and show it.
    pub(super) fn relinked(&mut self, dataset: &Path, result: Result<annotate::Video, String>) {
        if self.session.dataset.as_ref().is_none_or(|d| d.document.path() != dataset) {
            return;
        }
        match result {
            Ok(record) => {
                let id = record.id.clone();
                self.edit(Edit::SetVideoPath { id: id.clone(), path: record.path });
                self.session.notify(Notice::info(format!("Found the video {id:?}.")));
                self.dataset_action(DatasetAction::ShowVideo(id));
            }
            Err(e) => self.session.notify(Notice::error(e)),
        }
    }
}

/// A dataset file name: `.json` added when the user typed none; `None` for another
/// extension (a dataset is never written over a video).
fn dataset_file(path: PathBuf) -> Option<PathBuf> {
    match path.extension() {
        None => Some(path.with_extension("json")),
        Some(e) if e.eq_ignore_ascii_case("json") => Some(path),
        Some(_) => None,
    }
}

/// Whether two paths name the same file, compared as absolute paths (no disk access).
fn same_file(a: &Path, b: &Path) -> bool {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    abs(a) == abs(b)
}
