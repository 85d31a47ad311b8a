//! What is open and what the user is doing with it: the files, the video on screen,
//! the dataset, what is selected, review mode, the model run on show, and the notices.
//! Only `VidenceApp::apply` changes it; panels are given it to read.

use std::path::PathBuf;

use annotate::{Document, Health, LabelRef};
use viewer::PlaybackCommand;

use super::canvas::Tool;
use super::video::VideoView;

pub struct OpenDataset {
    pub document: Document,
    /// The dataset's video that is on screen.
    pub video_id: Option<String>,
    /// Which dataset this is, of those opened in this session: a save finishes only on
    /// the document it started from.
    pub serial: u64,
    /// The journal's health as last shown.
    pub autosave: Health,
    /// Edits of an earlier session set aside because the file changed after them,
    /// offered to be applied.
    pub set_aside: Option<annotate::SetAside>,
    /// A video of the dataset that could not be opened (moved or deleted): its id and
    /// why, until it is located.
    pub missing: Option<(String, String)>,
    /// What is wrong with the dataset, as last checked.
    pub problems: Vec<annotate::Problem>,
}

/// A file on its way in, while the loader opens it.
#[derive(Default)]
pub enum Opening {
    #[default]
    Nothing,
    /// A dataset that arrived before its video.
    Dataset(Box<OpenDataset>),
    /// Another video of the open dataset, by id.
    Video(String),
}

/// Review mode: off, or walking the queue.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ReviewMode {
    #[default]
    Off,
    /// The label under review (`None`: nothing left to review).
    On(Option<LabelRef>),
}

/// The model run whose evidence is on screen, and its tokens once they are read
/// (`None` while they are read from beside the dataset).
pub struct ShownRun {
    pub id: String,
    pub tokens: Option<Result<std::sync::Arc<[annotate::RunToken]>, String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Fades after a few seconds.
    Info,
    Warning,
    /// Stays until dismissed.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub severity: Severity,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { severity: Severity::Info, text: text.into() }
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, text: text.into() }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self { severity: Severity::Error, text: text.into() }
    }
}

/// An item of the Evaluate tab on its way onto the screen: shown once its video opens.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenItem {
    pub run: Option<String>,
    /// The compared model's run for the same item.
    pub compared: Option<String>,
    pub question: Option<String>,
    pub time_s: f64,
}

/// How long an info notice stays, in seconds.
pub const INFO_SECONDS: f64 = 5.0;

#[derive(Default)]
pub struct Session {
    /// Files named on the command line, dropped or opened: click one to show it.
    pub files: Vec<PathBuf>,
    pub video: Option<VideoView>,
    pub dataset: Option<OpenDataset>,
    pub opening: Opening,
    /// Seek here once the first video opens.
    pub start_time: Option<f64>,
    /// Play-head commands for this frame, applied after the actions.
    pub commands: Vec<PlaybackCommand>,
    pub tool: Tool,
    /// The selected track or segment.
    pub selected: Option<LabelRef>,
    /// A new dataset for the video on screen is being written.
    pub creating: bool,
    /// The category the user last gave a box: new boxes get it.
    pub last_category: Option<String>,
    /// The question open in the question panel.
    pub question: Option<String>,
    pub review: ReviewMode,
    pub shown_run: Option<ShownRun>,
    /// In compare mode, the other model's run for the item open: drawn beside the run
    /// on show, in its own colour.
    pub compared_run: Option<String>,
    /// The predicted box a trace chip picked.
    pub highlight: Option<usize>,
    /// The predicted box under the pointer on the canvas (last frame).
    pub hovered_prediction: Option<usize>,
    /// A save was refused because another program changed the file: ask what to do.
    pub conflict: bool,
    /// The report of the last import or export, until closed.
    pub report: Option<super::transfer::Shown>,
    /// What the user is told, each with the time it stops showing (`None`: until
    /// dismissed).
    pub notices: Vec<(Notice, Option<f64>)>,
    pub progress: Option<(String, f32)>,
    /// The UI clock (seconds) at the start of this frame.
    pub now: f64,
    /// The Evaluate tab's scores, and when they were last asked for (UI clock).
    pub scored: Option<super::evaluate::Scored>,
    pub scored_at: f64,
    /// An item of the Evaluate tab to show once its video opens.
    pub opening_item: Option<OpenItem>,
}

impl Session {
    pub fn data(&self) -> Option<&annotate::Dataset> {
        self.dataset.as_ref().map(|d| d.document.dataset())
    }

    /// The id of the dataset video on screen.
    pub fn video_id(&self) -> Option<&str> {
        self.dataset.as_ref()?.video_id.as_deref()
    }

    /// The frame the user sees: edits land here. It lags the play head while a
    /// frame is decoded (playing, or just after a seek).
    pub fn frame_seen(&self) -> Option<u64> {
        let video = self.video.as_ref()?;
        Some(video.shown_frame().unwrap_or_else(|| video.current_frame()))
    }

    /// The category a new box gets: the one last used, else the dataset's first.
    pub fn next_category(&self) -> Option<&annotate::Category> {
        let data = self.data()?;
        self.last_category.as_deref().and_then(|c| data.category(c)).or(data.categories.first())
    }

    /// Seconds from the first frame to the frame seen.
    pub fn time_seen(&self) -> Option<f64> {
        use annotate::time::FrameTimes;
        Some(self.video.as_ref()?.server.index().time_of(self.frame_seen()?))
    }

    pub fn shown_run(&self) -> Option<&annotate::ModelRun> {
        self.data()?.run(&self.shown_run.as_ref()?.id)
    }

    pub fn compared_run(&self) -> Option<&annotate::ModelRun> {
        self.data()?.run(self.compared_run.as_deref()?)
    }

    pub fn selected_track(&self) -> Option<&str> {
        match &self.selected {
            Some(LabelRef::Track(id)) => Some(id),
            _ => None,
        }
    }

    pub fn notify(&mut self, notice: Notice) {
        let until = (notice.severity == Severity::Info).then_some(self.now + INFO_SECONDS);
        // Faded ones go when a new one comes.
        let now = self.now;
        self.notices.retain(|(_, until)| until.is_none_or(|t| t > now));
        self.notices.push((notice, until));
    }

    /// The notices showing now.
    pub fn showing(&self) -> impl Iterator<Item = (usize, &Notice)> {
        self.notices
            .iter()
            .enumerate()
            .filter(|(_, (_, until))| until.is_none_or(|t| t > self.now))
            .map(|(i, (n, _))| (i, n))
    }
}
