//! File dialogs that always answer: the desktop's own (on a thread of its own, as it
//! blocks until answered) where the desktop has a dialog service, else a file browser
//! drawn in the window with a typed path. Either gives back the same [`Picked`].

use std::path::{Path, PathBuf};

use super::pending::Pending;

/// What a picked file is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// Videos or datasets to open.
    Open,
    /// Where to save the open dataset.
    SaveAs,
    /// Where to start a dataset for the video on screen.
    NewDataset,
    /// Where the dataset's video of this id went.
    Locate(String),
    /// Other tools' label files to import.
    Import,
    /// Where to write the dataset as this format.
    Export(annotate::formats::Format),
    /// Where to write the video with the view's overlay.
    ExportVideo,
}

impl Purpose {
    fn title(&self) -> String {
        match self {
            Self::Open => "Open a video or dataset".into(),
            Self::SaveAs => "Save the dataset as".into(),
            Self::NewDataset => "New dataset for this video".into(),
            Self::Locate(id) => format!("Locate the video {id:?}"),
            Self::Import => {
                "Import labels (CVAT, Label Studio, MOT, YouTube-VIS, COCO, V-STaR, VidSTG, HC-STVG)".into()
            }
            Self::Export(format) => format!("Export as {}", format.info().title),
            Self::ExportVideo => "Export the video with its labels and the model's evidence".into(),
        }
    }

    fn saves(&self) -> bool {
        matches!(self, Self::SaveAs | Self::NewDataset | Self::Export(_) | Self::ExportVideo)
    }
}

/// The files picked for a purpose (empty: cancelled).
pub struct Picked {
    pub purpose: Purpose,
    pub paths: Vec<PathBuf>,
}

/// Which dialogs the window uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DialogKind {
    /// The desktop's when it has a dialog service, else the built-in one.
    #[default]
    Auto,
    Native,
    BuiltIn,
}

impl DialogKind {
    /// `Auto` decided for this desktop: `Native` or `BuiltIn`.
    pub fn resolved(self) -> Self {
        match self {
            Self::Auto if desktop_has_dialogs() => Self::Native,
            Self::Auto => Self::BuiltIn,
            other => other,
        }
    }
}

impl std::str::FromStr for DialogKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "native" => Ok(Self::Native),
            "built-in" => Ok(Self::BuiltIn),
            _ => Err(format!("{s:?} is not one of auto, native, built-in")),
        }
    }
}

/// Whether this desktop answers native file dialogs: an XDG desktop portal on the
/// session bus, or zenity or kdialog (what the dialog library falls back to). Without
/// one a native dialog returns nothing, as if cancelled.
fn desktop_has_dialogs() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let on_path = |name: &str| {
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    let portal = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && ["/usr/share/dbus-1/services", "/usr/local/share/dbus-1/services"]
            .iter()
            .any(|d| Path::new(d).join("org.freedesktop.portal.Desktop.service").exists());
    portal || on_path("zenity") || on_path("kdialog")
}

pub struct Dialogs {
    native: bool,
    waiting: Option<Pending<Picked>>,
    built_in: Option<(Purpose, egui_file::FileDialog)>,
    wake: egui::Context,
}

const EXTENSIONS: [&str; 8] = ["mp4", "mkv", "mov", "webm", "avi", "m4v", "ts", "json"];

impl Dialogs {
    pub fn new(kind: DialogKind, wake: egui::Context) -> Self {
        let native = kind.resolved() == DialogKind::Native;
        Self { native, waiting: None, built_in: None, wake }
    }

    /// Which dialog opens, in words.
    pub fn in_use(&self) -> &'static str {
        if self.native {
            "the desktop's file dialog"
        } else {
            "the built-in file browser (this desktop has no file dialog service)"
        }
    }

    pub fn is_open(&self) -> bool {
        self.waiting.is_some() || self.built_in.is_some()
    }

    /// Ask for a file for `purpose`, starting beside the file `near`.
    pub fn ask(&mut self, purpose: Purpose, near: Option<&Path>) -> Result<(), String> {
        if self.is_open() {
            return Ok(());
        }
        // `near` is a file (the dataset, the video): its folder, and its name to offer.
        let dir = near.and_then(Path::parent).map(Path::to_path_buf);
        let name = near.and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        if !self.native {
            let mut dialog = if purpose.saves() {
                egui_file::FileDialog::save_file().default_filename(name.unwrap_or_default())
            } else {
                egui_file::FileDialog::open_file()
            };
            dialog = dialog.title(&format!("{} (built-in file browser)", purpose.title())).show_rename(false);
            if let Some(dir) = dir.filter(|d| !d.as_os_str().is_empty()) {
                dialog = dialog.initial_path(dir);
            }
            dialog.open();
            self.built_in = Some((purpose, dialog));
            return Ok(());
        }
        let work = move || {
            let mut dialog = rfd::FileDialog::new().set_title(purpose.title());
            if let Some(dir) = dir {
                dialog = dialog.set_directory(dir);
            }
            let paths = match &purpose {
                Purpose::Open => dialog
                    .add_filter("Videos and datasets", &EXTENSIONS)
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default(),
                Purpose::Locate(_) => dialog.pick_file().into_iter().collect(),
                Purpose::Import => dialog
                    .add_filter("Label files", &["xml", "json", "jsonl", "txt", "ini"])
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default(),
                Purpose::Export(_) => {
                    dialog.set_file_name(name.unwrap_or_default()).save_file().into_iter().collect()
                }
                Purpose::ExportVideo => dialog
                    .add_filter("Video", &["mp4", "mkv", "mov"])
                    .set_file_name(name.unwrap_or_default())
                    .save_file()
                    .into_iter()
                    .collect(),
                Purpose::SaveAs | Purpose::NewDataset => dialog
                    .add_filter("Vidence dataset", &["json"])
                    .set_file_name(name.unwrap_or_default())
                    .save_file()
                    .into_iter()
                    .collect(),
            };
            Picked { purpose, paths }
        };
        self.waiting =
            Some(Pending::spawn("vidence-file-dialog", "the file dialog", Some(self.wake.clone()), work)?);
        Ok(())
    }

    /// Draw the built-in browser when it is open; what was picked, once.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Result<Picked, String>> {
        if let Some(result) = Pending::take(&mut self.waiting) {
            return Some(result);
        }
        let (_, dialog) = self.built_in.as_mut()?;
        dialog.show(ctx);
        let paths = match dialog.state() {
            egui_file::State::Open => return None,
            egui_file::State::Selected => dialog.path().map(Path::to_path_buf).into_iter().collect(),
            egui_file::State::Closed | egui_file::State::Cancelled => Vec::new(),
        };
        let (purpose, _) = self.built_in.take()?;
        Some(Ok(Picked { purpose, paths }))
    }
}
