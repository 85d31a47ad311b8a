//! Opening files off the GUI thread: indexing a video, starting its decode and
//! thumbnail threads, reading a dataset. Results come back over a channel.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use annotate::Document;
use viewer::{FrameServer, ThumbnailStrip, VideoSource};

/// Thumbnails along the timeline, and their height in pixels.
pub const THUMBNAIL_SLOTS: usize = 40;
pub const THUMBNAIL_HEIGHT: u32 = 54;

/// A video ready to show: its decode thread and thumbnail strip are running.
pub struct OpenedVideo {
    pub server: FrameServer,
    pub thumbnails: ThumbnailStrip,
}

pub enum LoadEvent {
    /// Fraction of the file indexed so far.
    Progress {
        path: PathBuf,
        fraction: f32,
    },
    Video(Box<OpenedVideo>),
    /// A dataset opened for editing, and the id of its video being opened with it.
    Dataset {
        document: Box<Document>,
        video_id: Option<String>,
        /// Edits made on another version of the file, kept aside unapplied.
        set_aside: Option<annotate::SetAside>,
        /// What `annotate::validate` found.
        problems: Vec<annotate::Problem>,
    },
    /// Opened, and something the user should know.
    Info {
        path: PathBuf,
        message: String,
    },
    /// Opened, but something needs the user's attention.
    Warning {
        path: PathBuf,
        message: String,
    },
    Failed {
        path: PathBuf,
        message: String,
    },
    /// Not a video or a Vidence dataset but another tool's labels: to import.
    Labels(PathBuf),
    /// A new dataset for the video on screen, written and opened, or why not.
    Created(Result<Box<Document>, String>),
    /// Records of videos to add to the dataset at `dataset` (ids not yet made
    /// unique), and the files that could not be read.
    Described {
        dataset: PathBuf,
        records: Vec<annotate::Video>,
        failed: Vec<(PathBuf, String)>,
    },
    /// A moved video of the dataset at `dataset` checked against its record: the
    /// record with the new path.
    Relinked {
        dataset: PathBuf,
        result: Result<annotate::Video, String>,
    },
}

/// Work for the loader thread.
pub enum Request {
    /// A video or dataset to show.
    Open(PathBuf),
    /// Write a new dataset at `out` (`None`: beside the first video) for `videos`
    /// and open it.
    Create { out: Option<PathBuf>, videos: Vec<PathBuf> },
    /// Index videos for a dataset at `dataset`.
    Describe { dataset: PathBuf, videos: Vec<PathBuf> },
    /// Check that `file` is the video `record` describes, for a dataset at `dataset`.
    Relink { record: annotate::Video, file: PathBuf, dataset: PathBuf },
}

pub struct Loader {
    requests: Sender<Request>,
    events: Receiver<LoadEvent>,
}

impl Loader {
    /// `repaint` wakes the GUI when something arrives.
    pub fn start(
        repaint: impl Fn() + Clone + Send + 'static,
        cache_bytes: usize,
        disk: std::sync::Arc<dyn annotate::Disk>,
    ) -> std::io::Result<Self> {
        let (requests, incoming) = channel::<Request>();
        let (send, events) = channel();
        std::thread::Builder::new().name("vidence-open".into()).spawn(move || {
            for first in incoming.iter() {
                // Of the files to show that queued up behind a slow open, only the
                // newest matters; every other request is carried out.
                let mut queued: Vec<Request> = std::iter::once(first).chain(incoming.try_iter()).collect();
                let newest_open = queued.iter().rposition(|r| matches!(r, Request::Open(_)));
                let mut n = 0;
                queued.retain(|r| {
                    n += 1;
                    !matches!(r, Request::Open(_)) || Some(n - 1) == newest_open
                });
                for request in queued {
                    let results = match request {
                        Request::Open(path) => open(&path, &send, &repaint, cache_bytes, &disk),
                        Request::Create { out, videos } => {
                            vec![LoadEvent::Created(create(out, &videos, &disk))]
                        }
                        Request::Describe { dataset, videos } => vec![describe(&dataset, &videos)],
                        Request::Relink { record, file, dataset } => {
                            let result =
                                crate::videos::relink(&record, &file, &dataset).map_err(|e| format!("{e:#}"));
                            vec![LoadEvent::Relinked { dataset, result }]
                        }
                    };
                    for event in results {
                        if send.send(event).is_err() {
                            return;
                        }
                    }
                    repaint();
                }
            }
        })?;
        Ok(Self { requests, events })
    }

    /// Open a video or dataset file in the background.
    pub fn open(&self, path: PathBuf) {
        self.send(Request::Open(path));
    }

    pub fn send(&self, request: Request) {
        // The loader thread lives as long as the app; a failed send means it is gone.
        let _ = self.requests.send(request);
    }

    pub fn poll(&self) -> Vec<LoadEvent> {
        self.events.try_iter().collect()
    }
}

pub fn is_dataset(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Another tool's labels by their name: a folder (a MOT sequence) or a text file of a
/// kind no video or dataset is. A `.json` is told by its contents when it is opened.
pub fn is_labels(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    path.is_dir() || matches!(ext.as_str(), "xml" | "txt" | "ini" | "jsonl")
}

/// Whether the JSON file at `path` is another tool's labels (a format Vidence reads).
fn is_labels_json(path: &Path) -> bool {
    crate::convert::read_inputs(&[path.to_owned()])
        .is_ok_and(|inputs| annotate::formats::detect(&inputs).is_ok())
}

fn open(
    path: &Path,
    send: &Sender<LoadEvent>,
    repaint: &(impl Fn() + Clone + Send + 'static),
    cache_bytes: usize,
    disk: &std::sync::Arc<dyn annotate::Disk>,
) -> Vec<LoadEvent> {
    let failed = |message: String| vec![LoadEvent::Failed { path: path.to_owned(), message }];
    if is_labels(path) {
        return vec![LoadEvent::Labels(path.to_owned())];
    }
    if is_dataset(path) {
        let (mut document, opened) = match Document::open_on(path, std::sync::Arc::clone(disk)) {
            Ok(d) => d,
            Err(_) if is_labels_json(path) => return vec![LoadEvent::Labels(path.to_owned())],
            Err(e) => return failed(e.to_string()),
        };
        let mut events = Vec::new();
        // What can be repaired without guessing is, as one undoable edit; the file on
        // disk stays as it was until it is saved.
        let repairs = annotate::repairs(document.dataset());
        if !repairs.is_empty() {
            let (what, edits): (Vec<String>, Vec<annotate::Edit>) = repairs.into_iter().unzip();
            let message = match document.apply(annotate::Edit::Batch { edits }) {
                Ok(()) => format!(
                    "repaired {} problem(s) that drew wrong ({}); Ctrl+Z undoes it, and the file keeps its old version as a backup when saved",
                    what.len(),
                    what.join("; ")
                ),
                Err(e) => format!("could not repair: {e}"),
            };
            events.push(LoadEvent::Warning { path: path.to_owned(), message });
        }
        let dataset = document.dataset();
        // A dataset with problems still opens, so they can be seen and fixed.
        let problems = annotate::validate(dataset);
        if let Some(first) = problems.first() {
            let message = format!(
                "{} problem(s), first {}: {}; all are listed under Problems in the Dataset tab",
                problems.len(),
                first.path,
                first.message
            );
            events.push(LoadEvent::Warning { path: path.to_owned(), message });
        }
        if opened.recovered_edits > 0 {
            events.push(LoadEvent::Info {
                path: path.to_owned(),
                message: format!(
                    "recovered {} unsaved edit(s) from the autosave journal (Ctrl+Z undoes them)",
                    opened.recovered_edits
                ),
            });
        }
        if let Some(from) = &opened.migrated_from {
            let kept = annotate::original_path(path, from);
            let message = format!(
                "a {from} file, opened as {}; the original is kept as {} when it is first saved",
                annotate::SCHEMA,
                kept.file_name().unwrap_or_default().to_string_lossy()
            );
            events.push(LoadEvent::Warning { path: path.to_owned(), message });
        }
        if let Some(why) = &opened.journal_stopped {
            events.push(LoadEvent::Warning { path: path.to_owned(), message: why.clone() });
        }
        let video = dataset.videos.first().cloned();
        let video_id = video.as_ref().map(|v| v.id.clone());
        events.push(LoadEvent::Dataset {
            document: Box::new(document),
            video_id,
            set_aside: opened.set_aside,
            problems,
        });
        let Some(video) = video else { return events };
        let video_path = path.parent().unwrap_or(Path::new(".")).join(&video.path);
        events.extend(open_video(&video_path, send, repaint, cache_bytes));
        return events;
    }
    open_video(path, send, repaint, cache_bytes)
}

fn create(
    out: Option<PathBuf>,
    videos: &[PathBuf],
    disk: &std::sync::Arc<dyn annotate::Disk>,
) -> Result<Box<Document>, String> {
    let out = match (out, videos.first()) {
        (Some(out), _) => out,
        (None, Some(video)) => crate::videos::dataset_beside(video),
        (None, None) => return Err("no video to start a dataset for".into()),
    };
    crate::videos::write_new(videos, &out).map_err(|e| format!("{e:#}"))?;
    let (document, _) = Document::open_on(&out, std::sync::Arc::clone(disk)).map_err(|e| e.to_string())?;
    Ok(Box::new(document))
}

fn describe(dataset: &Path, videos: &[PathBuf]) -> LoadEvent {
    let dir = dataset.parent().unwrap_or(Path::new("."));
    let (mut records, mut failed) = (Vec::new(), Vec::new());
    for video in videos {
        match crate::videos::describe(video, dir, &annotate::Dataset::default()) {
            Ok(record) => records.push(record),
            Err(e) => failed.push((video.clone(), format!("{e:#}"))),
        }
    }
    LoadEvent::Described { dataset: dataset.to_owned(), records, failed }
}

fn open_video(
    path: &Path,
    send: &Sender<LoadEvent>,
    repaint: &(impl Fn() + Clone + Send + 'static),
    cache_bytes: usize,
) -> Vec<LoadEvent> {
    let progress = |fraction| {
        let _ = send.send(LoadEvent::Progress { path: path.to_owned(), fraction });
        repaint();
    };
    let result = VideoSource::open_with_progress(path, progress).and_then(|source| {
        let thumbnails = ThumbnailStrip::start(&source, THUMBNAIL_SLOTS, THUMBNAIL_HEIGHT, repaint.clone())?;
        let server = FrameServer::start(source, cache_bytes, repaint.clone()).map_err(|e| {
            viewer::VideoError::Decode { index: 0, reason: format!("cannot start decode thread: {e}") }
        })?;
        Ok(OpenedVideo { server, thumbnails })
    });
    match result {
        Ok(video) => vec![LoadEvent::Video(Box::new(video))],
        Err(e) => vec![LoadEvent::Failed { path: path.to_owned(), message: e.to_string() }],
    }
}
