//! Keyboard shortcuts (listed for users in `help::SHORTCUTS`). Keys go to text
//! fields first; these apply only when none has focus. Every press counts, key
//! repeats included, in the order they came, however many arrive in one frame.

use annotate::Review;
use egui::{Event, Key, Modifiers};
use viewer::PlaybackCommand;

use super::action::Action;
use super::questions::QuestionAction;
use super::review::ReviewAction;
use super::selection::SelectionAction;
use super::session::{Notice, ReviewMode, Session};
use super::ui_state::UiState;

/// What a key press does: an action, or one of the window's own toggles.
enum Bound {
    Act(Box<Action>),
    Help,
    /// Esc with the help open: close it (however many Esc came).
    CloseHelp,
    Debug,
}

/// The actions of the keys pressed since the last frame. The help and debug
/// toggles are the window's own state and change here.
pub fn read(ctx: &egui::Context, session: &Session, ui: &mut UiState) -> Vec<Action> {
    if ctx.egui_wants_keyboard_input() {
        return Vec::new();
    }
    // Esc closes an open popup (egui's own, next frame) before it deselects.
    let popup_open = egui::Popup::is_any_open(ctx);
    let mut bound = Vec::new();
    ctx.input_mut(|i| {
        i.events.retain(|event| {
            let Event::Key { key, modifiers, pressed: true, .. } = event else { return true };
            if *key == Key::Escape && popup_open {
                return true;
            }
            match binding(*modifiers, *key, session, ui) {
                Some(b) => {
                    bound.push(b);
                    false
                }
                None => true,
            }
        });
    });
    let mut out = Vec::new();
    for b in bound {
        match b {
            Bound::Act(action) => out.push(*action),
            Bound::Help => ui.show_help = !ui.show_help,
            Bound::CloseHelp => ui.show_help = false,
            Bound::Debug => ui.show_debug = !ui.show_debug,
        }
    }
    out
}

/// The binding of one key press, given what is open.
fn binding(m: Modifiers, key: Key, session: &Session, ui: &UiState) -> Option<Bound> {
    let act = |a: Action| Some(Bound::Act(Box::new(a)));
    // Ctrl is the command key on every platform but the Mac; there, plain-key
    // shortcuts must not fire with Ctrl held either.
    let (shift, command) = (m.shift, m.command || m.ctrl);
    let play = |c| act(Action::Playback(c));
    let global = match (key, command, shift) {
        (Key::ArrowRight, false, true) => play(PlaybackCommand::StepSeconds(1.0)),
        (Key::ArrowLeft, false, true) => play(PlaybackCommand::StepSeconds(-1.0)),
        (Key::Space, false, _) => play(PlaybackCommand::TogglePlay),
        (Key::ArrowRight, false, false) | (Key::F | Key::Period, false, _) => play(PlaybackCommand::Step(1)),
        (Key::ArrowLeft, false, false) | (Key::D, false, _) => play(PlaybackCommand::Step(-1)),
        (Key::Home, false, _) => play(PlaybackCommand::First),
        (Key::End, false, _) => play(PlaybackCommand::Last),
        (Key::F12, false, _) => Some(Bound::Debug),
        (Key::F1, false, _) => Some(Bound::Help),
        (Key::Z, true, true) | (Key::Y, true, _) => act(Action::Redo),
        (Key::Z, true, false) => act(Action::Undo),
        (Key::S, true, true) => act(Action::SaveView),
        (Key::S, true, false) => act(Action::Save),
        // The help overlay closes before anything is deselected.
        (Key::Escape, _, _) if ui.show_help => Some(Bound::CloseHelp),
        (Key::Escape, _, _) => act(Action::Escape),
        _ => None,
    };
    if global.is_some() || command {
        return global;
    }
    if session.dataset.is_none() {
        // Drawing on a bare video starts a dataset for it.
        let bare_video = session.video.is_some() && key == Key::N;
        return if bare_video { act(Action::NewDataset(None)) } else { None };
    }
    if session.review != ReviewMode::Off {
        let review = match key {
            Key::A => Some(ReviewAction::Set(Review::Accepted)),
            Key::X => Some(ReviewAction::Set(Review::Rejected)),
            Key::Enter => Some(ReviewAction::Edit),
            Key::S => Some(ReviewAction::Skip),
            _ => None,
        };
        if let Some(r) = review {
            return act(Action::Review(r));
        }
    }
    let action = match (key, shift) {
        (Key::N, _) => Action::ToggleDraw,
        (Key::V, _) => Action::ToggleReview,
        (Key::O, true) => Action::Selection(SelectionAction::MarkOutside),
        (Key::Q, _) => Action::Selection(SelectionAction::ToggleOccluded),
        (Key::R, _) => Action::JumpKeyframe { forward: true },
        (Key::E, _) => Action::JumpKeyframe { forward: false },
        (Key::CloseBracket, _) => Action::JumpSegment { forward: true },
        (Key::OpenBracket, _) => Action::JumpSegment { forward: false },
        (Key::Delete, _) => Action::DeleteSelected,
        (Key::I, _) => Action::Mark { is_in: true },
        (Key::O, false) => Action::Mark { is_in: false },
        (Key::L, _) => Action::Question(QuestionAction::LinkSelection),
        (Key::J | Key::K, _) if session.scored.is_some() => {
            Action::Eval(super::evaluate::EvalAction::Step { forward: key == Key::J })
        }
        (Key::G, _) => match ui.drafts.step {
            Some(step) => Action::Question(QuestionAction::Ground(step)),
            None => Action::Notify(Notice::warning("Add a rationale step to the open question first.")),
        },
        _ => return None,
    };
    act(action)
}
