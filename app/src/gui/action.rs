//! Everything that changes the session, as values. Panels, keys and the workers'
//! results produce these; `VidenceApp::apply` (in `apply.rs`) is the only code that
//! carries them out, once a frame, from `logic`.

use std::path::PathBuf;

use annotate::{DatasetError, Health, LabelRef, Saved};
use viewer::PlaybackCommand;

use super::ask_panel::AskAction;
use super::asker::Outcome;
use super::canvas::{CanvasAction, Tool};
use super::dataset_panel::DatasetAction;
use super::dataset_run::BatchEvent;
use super::dialogs::{Picked, Purpose};
use super::evaluate::EvalAction;
use super::lanes::LaneAction;
use super::loader::LoadEvent;
use super::objects::Jump;
use super::questions::QuestionAction;
use super::review::ReviewAction;
use super::selection::{SegmentAction, SelectionAction};
use super::session::Notice;
use super::trace::TraceAction;

pub enum Action {
    // The play head.
    Playback(PlaybackCommand),
    /// The timeline is being dragged (show anything near at once) or let go.
    Scrub(bool),
    /// Set the in (I) or out (O) mark at the play head; O after I makes a segment.
    Mark {
        is_in: bool,
    },
    JumpKeyframe {
        forward: bool,
    },
    JumpSegment {
        forward: bool,
    },

    // What the panels report.
    Canvas(CanvasAction),
    Lane(LaneAction),
    Selection(SelectionAction),
    Segment(SegmentAction),
    Question(QuestionAction),
    Review(ReviewAction),
    Dataset(DatasetAction),
    Ask(AskAction),
    Trace(TraceAction),
    Eval(EvalAction),
    /// Select a label from the object list and bring it on screen.
    Pick(LabelRef, Jump),
    /// The shown run's box under the pointer on the canvas.
    HoverPrediction(Option<usize>),

    // The window's commands.
    SetTool(Tool),
    /// Draw, or stop drawing (N).
    ToggleDraw,
    /// Deselect and stop drawing (Escape).
    Escape,
    DeleteSelected,
    ToggleReview,
    Undo,
    Redo,
    Save,
    /// Ask for a file (a file dialog).
    PickFile(Purpose),
    /// What the file dialog gave back.
    Picked(Picked),
    /// Start a dataset for the video on screen, at this path (`None`: beside it).
    NewDataset(Option<PathBuf>),
    /// Add files to the list (dropped, picked or named), showing the first.
    AddFiles(Vec<PathBuf>),
    /// Apply the edits set aside to the file as it is now (`true`), or leave them in
    /// their file (`false`).
    SetAside(bool),
    /// The edits set aside, read from their file.
    SetAsideRead(std::io::Result<Vec<annotate::Edit>>),
    /// The changed-on-disk dialog's answer.
    Conflict(ConflictChoice),
    DismissNotice(usize),
    /// An import or export ended.
    Transferred(Result<super::transfer::Done, String>),
    /// Close the report of the last import or export.
    CloseReport,
    /// Stop the video export running (Export video…).
    CancelVideoExport,
    /// Save the frame on screen with its overlay as a picture (Ctrl+Shift+S).
    SaveView,
    Notify(Notice),

    // What the workers report.
    Loaded(LoadEvent),
    /// A save of the dataset opened as number `serial` ended.
    Saved {
        serial: u64,
        result: Result<Saved, DatasetError>,
    },
    /// A run's tokens were read from beside the dataset.
    TokensRead {
        run: String,
        result: std::io::Result<std::sync::Arc<[annotate::RunToken]>>,
    },
    /// The autosave journal's health changed.
    Autosave(Health),
    Model(Outcome),
    /// Answers of the run over the dataset, or its end.
    Batch(BatchEvent),
    /// A model's runs were scored.
    Scored(Result<Box<super::evaluate::Scored>, String>),
    /// Export video… ended: what was written, or why not.
    VideoExported(Result<crate::render::Rendered, String>),
    /// The view was saved as this picture, or why not.
    ViewSaved(Result<PathBuf, String>),
}

/// What to do when a save was refused because another program changed the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictChoice {
    /// Drop the edits made here (kept in the stale journal) and read the file anew.
    Reload,
    SaveAs,
    KeepEditing,
}
