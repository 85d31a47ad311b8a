//! The question panel: a video's questions, and an editor for the open one (text,
//! kind, options, answer, evidence, rationale steps). Text is edited in drafts and
//! becomes an edit when the field loses focus, so one typed answer is one undo step.

use annotate::{Evidence, Question, QuestionKind, RationaleKind, RationaleStep};

use super::objects::source_text;
use super::timeline::timecode;

pub enum QuestionAction {
    Open(String),
    New,
    /// Replace the open question with this version.
    Set(Question),
    Delete(String),
    /// Link what is selected (a track, a segment, or the I–O span).
    LinkSelection,
    /// Link the selected track's box on this frame.
    LinkBox,
    LinkTime,
    AddStep(RationaleKind),
    /// Ground this step to the current frame and the selected box.
    Ground(usize),
    Seek(f64),
}

/// Text being typed into the open question's fields.
#[derive(Default)]
pub struct Drafts {
    id: Option<String>,
    text: String,
    options: String,
    answer: String,
    steps: Vec<String>,
    /// The step that G grounds: the last one added or touched.
    pub step: Option<usize>,
}

impl Drafts {
    fn load(&mut self, q: &Question) {
        if self.id.as_deref() != Some(q.id.as_str()) {
            self.step = q.rationale.len().checked_sub(1);
        }
        self.id = Some(q.id.clone());
        self.text.clone_from(&q.text);
        self.options = q.options.join("\n");
        self.answer.clone_from(&q.answer);
        self.steps = q.rationale.iter().map(|s| s.text.clone()).collect();
        self.step = self.step.filter(|&i| i < q.rationale.len()).or(q.rationale.len().checked_sub(1));
    }
}

const KINDS: [QuestionKind; 7] = [
    QuestionKind::What,
    QuestionKind::When,
    QuestionKind::Where,
    QuestionKind::Counting,
    QuestionKind::Direction,
    QuestionKind::Distance,
    QuestionKind::Other,
];

pub fn show(
    ui: &mut egui::Ui,
    questions: &[&Question],
    open: Option<&Question>,
    drafts: &mut Drafts,
) -> Option<QuestionAction> {
    let mut action = None;
    if ui.button("New question").on_hover_text("Add a question about this video").clicked() {
        action = Some(QuestionAction::New);
    }
    // The list over the editor, split where the user drags it.
    egui::Panel::top("question-list").resizable(true).default_size(150.0).size_range(60.0..=600.0).show(
        ui,
        |ui| {
            egui::ScrollArea::vertical().id_salt("question-list").auto_shrink([false, false]).show(
                ui,
                |ui| {
                    for q in questions {
                        let title = if q.text.is_empty() { format!("({})", q.id) } else { q.text.clone() };
                        let is_open = open.is_some_and(|o| o.id == q.id);
                        if ui.selectable_label(is_open, title).clicked() {
                            action = Some(QuestionAction::Open(q.id.clone()));
                        }
                    }
                },
            );
        },
    );
    let Some(q) = open else {
        ui.label("Pick a question, or make a new one.");
        return action;
    };
    ui.separator();
    // Typing keeps the drafts; otherwise they follow the data (undo, redo).
    if drafts.id.as_deref() != Some(q.id.as_str()) || ui.ctx().memory(|m| m.focused().is_none()) {
        drafts.load(q);
    }
    egui::ScrollArea::vertical().id_salt("question-editor").show(ui, |ui| {
        editor(ui, q, drafts, &mut action);
    });
    action
}

fn set(q: &Question, change: impl FnOnce(&mut Question)) -> Option<QuestionAction> {
    let mut changed = q.clone();
    change(&mut changed);
    (changed != *q).then_some(QuestionAction::Set(changed))
}

fn editor(ui: &mut egui::Ui, q: &Question, drafts: &mut Drafts, action: &mut Option<QuestionAction>) {
    ui.label(format!("{} · {} · {:?}", q.id, source_text(&q.source), q.review));
    let label = ui.label("Question");
    let text = ui
        .add(egui::TextEdit::multiline(&mut drafts.text).desired_rows(2).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    if text.lost_focus() {
        *action = set(q, |q| q.text = drafts.text.trim().to_owned()).or(action.take());
    }
    let mut kind = q.kind;
    egui::ComboBox::from_label("Kind").selected_text(format!("{kind:?}")).show_ui(ui, |ui| {
        for k in KINDS {
            ui.selectable_value(&mut kind, k, format!("{k:?}"));
        }
    });
    if kind != q.kind {
        *action = set(q, |q| q.kind = kind);
    }
    let label = ui.label("Options, one per line (none: open-ended)");
    let options = ui
        .add(egui::TextEdit::multiline(&mut drafts.options).desired_rows(2).desired_width(f32::INFINITY))
        .labelled_by(label.id);
    if options.lost_focus() {
        let parsed: Vec<String> =
            drafts.options.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        *action = set(q, |q| q.options = parsed).or(action.take());
    }
    let answer = ui.horizontal(|ui| {
        let label = ui.label("Answer");
        ui.add(egui::TextEdit::singleline(&mut drafts.answer).desired_width(f32::INFINITY))
            .labelled_by(label.id)
    });
    if answer.inner.lost_focus() {
        *action = set(q, |q| q.answer = drafts.answer.trim().to_owned()).or(action.take());
    }

    ui.separator();
    ui.strong("Evidence");
    let mut remove = None;
    for (i, e) in q.evidence.iter().enumerate() {
        ui.horizontal(|ui| {
            if ui.small_button("x").on_hover_text("Remove this evidence").clicked() {
                remove = Some(i);
            }
            let (text, time) = describe(e);
            let link = ui.link(text);
            if link.clicked()
                && let Some(t) = time
            {
                *action = Some(QuestionAction::Seek(t));
            }
        });
    }
    if let Some(i) = remove {
        *action = set(q, |q| {
            q.evidence.remove(i);
        });
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Link selection")
            .on_hover_text("L: the selected track or segment, or the I–O span")
            .clicked()
        {
            *action = Some(QuestionAction::LinkSelection);
        }
        if ui.button("Link box").on_hover_text("The selected track's box on this frame").clicked() {
            *action = Some(QuestionAction::LinkBox);
        }
        if ui.button("Link time").on_hover_text("This frame's time").clicked() {
            *action = Some(QuestionAction::LinkTime);
        }
    });

    ui.separator();
    ui.strong("Rationale");
    let mut remove = None;
    for (i, step) in q.rationale.iter().enumerate() {
        let current = drafts.step == Some(i);
        let name = ui.horizontal(|ui| {
            let name = ui.label(format!("Step {}", i + 1));
            if ui.small_button("x").on_hover_text("Remove this step").clicked() {
                remove = Some(i);
            }
            let tag = match step.kind {
                RationaleKind::Perception => "P",
                RationaleKind::Reasoning => "R",
            };
            if ui
                .selectable_label(current, tag)
                .on_hover_text("Perception or reasoning: click to switch")
                .clicked()
            {
                let kind = match step.kind {
                    RationaleKind::Perception => RationaleKind::Reasoning,
                    RationaleKind::Reasoning => RationaleKind::Perception,
                };
                *action = set(q, |q| q.rationale[i].kind = kind);
            }
            if ui.small_button("Ground").on_hover_text("G: to this frame and the selected box").clicked() {
                drafts.step = Some(i);
                *action = Some(QuestionAction::Ground(i));
            }
            name
        });
        let Some(draft) = drafts.steps.get_mut(i) else { continue };
        let field = ui
            .add(egui::TextEdit::multiline(draft).desired_rows(1).desired_width(f32::INFINITY))
            .labelled_by(name.inner.id);
        if field.gained_focus() {
            drafts.step = Some(i);
        }
        if field.lost_focus() {
            let text = draft.trim().to_owned();
            *action = set(q, |q| q.rationale[i].text = text).or(action.take());
        }
        if let Some(t) = step.time_s {
            let grounded = match step.bbox {
                Some(b) => format!(
                    "at {} · box {:.0},{:.0},{:.0},{:.0}",
                    timecode(t),
                    b.0[0],
                    b.0[1],
                    b.0[2],
                    b.0[3]
                ),
                None => format!("at {}", timecode(t)),
            };
            if ui.link(grounded).clicked() {
                *action = Some(QuestionAction::Seek(t));
            }
        }
    }
    if let Some(i) = remove {
        *action = set(q, |q| {
            q.rationale.remove(i);
        });
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button("Add perception step").clicked() {
            *action = Some(QuestionAction::AddStep(RationaleKind::Perception));
        }
        if ui.button("Add reasoning step").clicked() {
            *action = Some(QuestionAction::AddStep(RationaleKind::Reasoning));
        }
    });
    ui.separator();
    if ui.button("Delete question").clicked() {
        *action = Some(QuestionAction::Delete(q.id.clone()));
    }
}

/// A line for an evidence link, and the time to seek to when it is clicked.
fn describe(e: &Evidence) -> (String, Option<f64>) {
    match e {
        Evidence::Segment { id } => (format!("segment {id}"), None),
        Evidence::Track { id } => (format!("track {id}"), None),
        Evidence::Time { time_s } => (format!("time {}", timecode(*time_s)), Some(*time_s)),
        Evidence::Span { start_s, end_s } => {
            (format!("span {} – {}", timecode(*start_s), timecode(*end_s)), Some(*start_s))
        }
        Evidence::Box { time_s, .. } => (format!("box at {}", timecode(*time_s)), Some(*time_s)),
    }
}

/// A new step's text is empty until typed.
pub fn new_step(kind: RationaleKind) -> RationaleStep {
    RationaleStep { text: String::new(), kind, time_s: None, bbox: None }
}
