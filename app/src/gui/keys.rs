//! Keyboard shortcuts (listed for users in `help::SHORTCUTS`). Keys go to text
//! fields first; these apply only when none has focus.

use annotate::{Edit, LabelRef, Review};
use egui::{Key, Modifiers};
use viewer::PlaybackCommand;

use super::VidenceApp;
use super::canvas::Tool;
use super::questions::QuestionAction;
use super::review::ReviewAction;
use super::selection::SelectionAction;

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

impl VidenceApp {
    pub(super) fn read_keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let none = Modifiers::NONE;
        let command = Modifiers::COMMAND;
        let pressed = |m: Modifiers, k: Key| ctx.input_mut(|i| i.consume_key(m, k));
        for (modifiers, key, playback) in PLAYBACK {
            if pressed(modifiers, key) {
                self.commands.push(playback);
            }
        }
        if pressed(none, Key::F12) {
            self.show_debug = !self.show_debug;
        }
        if pressed(none, Key::F1) {
            self.show_help = !self.show_help;
        }
        if pressed(command | Modifiers::SHIFT, Key::Z) || pressed(command, Key::Y) {
            self.redo();
        } else if pressed(command, Key::Z) {
            self.undo();
        }
        if pressed(command, Key::S) {
            self.save(None);
        }
        if pressed(none, Key::Escape) {
            self.tool = Tool::Select;
            self.selected = None;
        }
        if self.dataset.is_none() {
            return;
        }
        if pressed(none, Key::N) {
            self.tool = if self.tool == Tool::Draw { Tool::Select } else { Tool::Draw };
        }
        if pressed(none, Key::V) {
            self.toggle_review();
        }
        if self.review.is_some() {
            let review_keys = [
                (Key::A, ReviewAction::Set(Review::Accepted)),
                (Key::X, ReviewAction::Set(Review::Rejected)),
                (Key::Enter, ReviewAction::Edit),
                (Key::S, ReviewAction::Skip),
            ];
            for (key, action) in review_keys {
                if pressed(none, key) {
                    self.review_action(action);
                }
            }
        }
        let track_keys = [
            (Modifiers::SHIFT, Key::O, SelectionAction::MarkOutside),
            (none, Key::Q, SelectionAction::ToggleOccluded),
        ];
        for (modifiers, key, action) in track_keys {
            if pressed(modifiers, key) {
                self.selection_action(action);
            }
        }
        for (key, forward) in [(Key::R, true), (Key::E, false)] {
            if pressed(none, key) {
                self.jump_keyframe(forward);
            }
        }
        for (key, forward) in [(Key::CloseBracket, true), (Key::OpenBracket, false)] {
            if pressed(none, key) {
                self.jump_segment(forward);
            }
        }
        if pressed(none, Key::Delete) {
            match self.selected.clone() {
                Some(LabelRef::Segment(id)) => {
                    self.selected = None;
                    self.edit(Edit::RemoveSegment { id });
                }
                Some(LabelRef::Track(_)) => self.selection_action(SelectionAction::DeleteFromHere),
                _ => {}
            }
        }
        if pressed(none, Key::I) {
            self.mark(true);
        }
        if pressed(none, Key::O) {
            self.mark(false);
        }
        if pressed(none, Key::L) {
            self.question_action(QuestionAction::LinkSelection);
        }
        if pressed(none, Key::G) {
            match self.drafts.step {
                Some(step) => self.question_action(QuestionAction::Ground(step)),
                None => self.notices.push("Add a rationale step to the open question first.".to_owned()),
            }
        }
    }

    /// Set the in (I) or out (O) mark here; O after I makes a segment between them.
    fn mark(&mut self, is_in: bool) {
        let Some(video) = &mut self.video else { return };
        let frame = video.current_frame();
        if is_in {
            video.marks.0 = Some(frame);
            return;
        }
        video.marks.1 = Some(frame);
        if let Some(start) = video.marks.0.filter(|&start| start < frame) {
            let index = video.server.index();
            let (start_s, end_s) = (index.time_of(start), index.time_of(frame));
            self.new_segment(self.lanes.new_label.clone(), start_s, end_s);
        }
    }

    fn jump_keyframe(&mut self, forward: bool) {
        let (Some(LabelRef::Track(id)), Some(frame)) = (&self.selected, self.current_frame()) else { return };
        let Some(track) = self.dataset().and_then(|d| d.track(id)) else { return };
        let mut frames = track.keyframes.iter().map(|k| k.frame);
        let target = if forward { frames.find(|&f| f > frame) } else { frames.rev().find(|&f| f < frame) };
        if let Some(f) = target {
            self.commands.push(PlaybackCommand::SeekFrame(f));
        }
    }

    /// Go to the start of the next (or previous) segment on this video and select it.
    fn jump_segment(&mut self, forward: bool) {
        let Some(now) = self.current_frame().and_then(|f| self.time_of(f)) else { return };
        let Some(d) = &self.dataset else { return };
        let Some(video) = &d.video_id else { return };
        let mut starts: Vec<(f64, String)> =
            d.document.dataset().segments_of(video).map(|s| (s.start_s, s.id.clone())).collect();
        starts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // A segment starting on this very frame counts as here, not ahead.
        let eps = 1e-6;
        let target = if forward {
            starts.into_iter().find(|(t, _)| *t > now + eps)
        } else {
            starts.into_iter().rev().find(|(t, _)| *t < now - eps)
        };
        if let Some((t, id)) = target {
            self.commands.push(PlaybackCommand::SeekTime(t));
            self.selected = Some(LabelRef::Segment(id));
        }
    }
}
