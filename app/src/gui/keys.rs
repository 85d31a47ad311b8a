//! Keyboard shortcuts (listed for users in `help::SHORTCUTS`). Keys go to text
//! fields first; these apply only when none has focus.

use annotate::Review;
use egui::{Key, Modifiers};
use viewer::PlaybackCommand;

use super::action::Action;
use super::canvas::Tool;
use super::questions::QuestionAction;
use super::review::ReviewAction;
use super::selection::SelectionAction;
use super::session::{Notice, ReviewMode, Session};
use super::ui_state::UiState;

/// Keys that only move the play head. Shifted keys first: a binding without
/// modifiers also matches a shifted key.
const PLAYBACK: [(Modifiers, Key, PlaybackCommand); 10] = [
    (Modifiers::SHIFT, Key::ArrowRight, PlaybackCommand::StepSeconds(1.0)),
    (Modifiers::SHIFT, Key::ArrowLeft, PlaybackCommand::StepSeconds(-1.0)),
    (Modifiers::NONE, Key::Space, PlaybackCommand::TogglePlay),
    (Modifiers::NONE, Key::ArrowRight, PlaybackCommand::Step(1)),
    (Modifiers::NONE, Key::F, PlaybackCommand::Step(1)),
    (Modifiers::NONE, Key::ArrowLeft, PlaybackCommand::Step(-1)),
    (Modifiers::NONE, Key::D, PlaybackCommand::Step(-1)),
    (Modifiers::NONE, Key::Home, PlaybackCommand::First),
    (Modifiers::NONE, Key::End, PlaybackCommand::Last),
    (Modifiers::NONE, Key::Period, PlaybackCommand::Step(1)),
];

/// The actions of the keys pressed this frame. The help and debug toggles are the
/// window's own state and change here.
pub fn read(ctx: &egui::Context, session: &Session, ui: &mut UiState) -> Vec<Action> {
    let mut out = Vec::new();
    if ctx.egui_wants_keyboard_input() {
        return out;
    }
    let none = Modifiers::NONE;
    let command = Modifiers::COMMAND;
    let pressed = |m: Modifiers, k: Key| ctx.input_mut(|i| i.consume_key(m, k));
    for (modifiers, key, playback) in PLAYBACK {
        if pressed(modifiers, key) {
            out.push(Action::Playback(playback));
        }
    }
    if pressed(none, Key::F12) {
        ui.show_debug = !ui.show_debug;
    }
    if pressed(none, Key::F1) {
        ui.show_help = !ui.show_help;
    }
    if pressed(command | Modifiers::SHIFT, Key::Z) || pressed(command, Key::Y) {
        out.push(Action::Redo);
    } else if pressed(command, Key::Z) {
        out.push(Action::Undo);
    }
    if pressed(command, Key::S) {
        out.push(Action::Save);
    }
    if pressed(none, Key::Escape) {
        out.push(Action::Escape);
    }
    if session.dataset.is_none() {
        return out;
    }
    if pressed(none, Key::N) {
        out.push(Action::SetTool(if session.tool == Tool::Draw { Tool::Select } else { Tool::Draw }));
    }
    if pressed(none, Key::V) {
        out.push(Action::ToggleReview);
    }
    if session.review != ReviewMode::Off {
        let review_keys = [
            (Key::A, ReviewAction::Set(Review::Accepted)),
            (Key::X, ReviewAction::Set(Review::Rejected)),
            (Key::Enter, ReviewAction::Edit),
            (Key::S, ReviewAction::Skip),
        ];
        for (key, action) in review_keys {
            if pressed(none, key) {
                out.push(Action::Review(action));
            }
        }
    }
    let track_keys = [
        (Modifiers::SHIFT, Key::O, SelectionAction::MarkOutside),
        (none, Key::Q, SelectionAction::ToggleOccluded),
    ];
    for (modifiers, key, action) in track_keys {
        if pressed(modifiers, key) {
            out.push(Action::Selection(action));
        }
    }
    for (key, forward) in [(Key::R, true), (Key::E, false)] {
        if pressed(none, key) {
            out.push(Action::JumpKeyframe { forward });
        }
    }
    for (key, forward) in [(Key::CloseBracket, true), (Key::OpenBracket, false)] {
        if pressed(none, key) {
            out.push(Action::JumpSegment { forward });
        }
    }
    if pressed(none, Key::Delete) {
        out.push(Action::DeleteSelected);
    }
    if pressed(none, Key::I) {
        out.push(Action::Mark { is_in: true });
    }
    if pressed(none, Key::O) {
        out.push(Action::Mark { is_in: false });
    }
    if pressed(none, Key::L) {
        out.push(Action::Question(QuestionAction::LinkSelection));
    }
    if pressed(none, Key::G) {
        out.push(match ui.drafts.step {
            Some(step) => Action::Question(QuestionAction::Ground(step)),
            None => Action::Notify(Notice::warning("Add a rationale step to the open question first.")),
        });
    }
    out
}
