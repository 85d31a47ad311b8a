//! The reasoning trace of the model run on show: the answer, the reasoning split into
//! steps with a chip for each time and box a step cites (a chip seeks there and
//! highlights the box; hovering a box on the canvas lights up the steps citing it),
//! the evidence to accept, edit or reject, what the parser could not read, and the
//! raw text.

use annotate::accept::Decision;
use annotate::{EvidenceItem, ModelRun, Review};
use egui::{Color32, RichText};

use super::shapes::COLOR;
use annotate::overlay::printable;

#[derive(Clone, Debug, PartialEq)]
pub enum TraceAction {
    Seek(f64),
    /// Highlight a box and go to its time.
    Highlight {
        index: usize,
        time_s: Option<f64>,
    },
    Decide {
        item: EvidenceItem,
        decision: Decision,
    },
}

pub fn show(
    ui: &mut egui::Ui,
    run: &ModelRun,
    hovered: Option<usize>,
    tolerance_s: &mut f64,
) -> Option<TraceAction> {
    let mut action = None;
    let p = &run.prediction;
    ui.heading("Reasoning trace");
    ui.label(
        RichText::new(printable(&format!("{} · {} · {}", run.id, run.settings.task.name(), run.model.name)))
            .small(),
    );
    ui.horizontal(|ui| {
        ui.label("Boxes within");
        ui.add(egui::DragValue::new(tolerance_s).range(0.0..=10.0).speed(0.05).suffix(" s"))
            .on_hover_text("A predicted box shows on frames this close to the time it was given for");
    });
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        if let Some(answer) = &p.answer {
            ui.separator();
            ui.strong("Answer");
            ui.label(printable(answer));
            decide_row(ui, run, EvidenceItem::Answer, "the answer", &mut action);
        }
        if !p.steps.is_empty() {
            ui.separator();
            ui.strong("Steps");
        }
        for (n, step) in p.steps.iter().enumerate() {
            // The boxes this step cites: its own box, or an object it names at its time.
            let cited: Vec<usize> = (0..p.boxes.len())
                .filter(|&i| {
                    let b = &p.boxes[i];
                    step.bbox.is_some_and(|s| s == b.bbox)
                        || (b.label.as_deref().is_some_and(|l| !l.is_empty() && step.text.contains(l))
                            && b.time_s.is_some()
                            && b.time_s == step.time_s)
                })
                .collect();
            let lit = hovered.is_some_and(|h| cited.contains(&h));
            let frame = egui::Frame::group(ui.style()).fill(if lit {
                COLOR.gamma_multiply(0.25)
            } else {
                Color32::TRANSPARENT
            });
            frame.show(ui, |ui| {
                ui.label(format!("{}. {}", n + 1, printable(&step.text)));
                ui.horizontal_wrapped(|ui| {
                    if let Some(t) = step.time_s
                        && ui.small_button(format!("{t:.1} s")).on_hover_text("Go to this time").clicked()
                    {
                        action = Some(TraceAction::Seek(t));
                    }
                    for &i in &cited {
                        let b = &p.boxes[i];
                        let name = printable(b.label.as_deref().unwrap_or("box"));
                        if ui
                            .small_button(RichText::new(format!("box: {name}")).color(COLOR))
                            .on_hover_text("Go to this box and highlight it")
                            .clicked()
                        {
                            action = Some(TraceAction::Highlight { index: i, time_s: b.time_s });
                        }
                    }
                });
            });
        }
        if !p.boxes.is_empty() {
            ui.separator();
            ui.strong("Boxes");
        }
        for (i, b) in p.boxes.iter().enumerate() {
            let time = b.time_s.map_or_else(String::new, |t| format!(" @ {t:.1} s"));
            let name = printable(&format!("{}{time}", b.label.as_deref().unwrap_or("box")));
            let link = annotate::overlay::box_text(run, i, "box");
            if ui.link(link).on_hover_text("Go to this box").clicked() {
                action = Some(TraceAction::Highlight { index: i, time_s: b.time_s });
            }
            decide_row(ui, run, EvidenceItem::Box { index: i }, &name, &mut action);
        }
        if !p.points.is_empty() {
            ui.separator();
            ui.strong("Points");
        }
        for pt in &p.points {
            let time = pt.time_s.map_or_else(String::new, |t| format!(" @ {t:.1} s"));
            let name = printable(&format!(
                "{} ({:.0}, {:.0}){time}",
                pt.label.as_deref().unwrap_or("point"),
                pt.x,
                pt.y
            ));
            match pt.time_s {
                Some(t) if ui.link(&name).on_hover_text("Go to this point's time").clicked() => {
                    action = Some(TraceAction::Seek(t));
                }
                Some(_) => {}
                None => {
                    ui.label(name);
                }
            }
        }
        let trajectories = run.trajectories();
        if !trajectories.is_empty() {
            ui.separator();
            ui.strong("Trajectories");
        }
        for label in trajectories {
            let name = if label.is_empty() { "object".to_owned() } else { printable(&label) };
            ui.label(format!("{name}: {} boxes", run.boxes_of(&label).len()));
            decide_row(ui, run, EvidenceItem::Track { label }, &format!("track {name}"), &mut action);
        }
        if !p.spans.is_empty() {
            ui.separator();
            ui.strong("Time spans");
        }
        for (i, s) in p.spans.iter().enumerate() {
            let name = printable(&format!(
                "{} {:.1}-{:.1} s",
                s.label.as_deref().unwrap_or("span"),
                s.start_s,
                s.end_s
            ));
            if ui.link(&name).on_hover_text("Go to its start").clicked() {
                action = Some(TraceAction::Seek(s.start_s));
            }
            decide_row(ui, run, EvidenceItem::Span { index: i }, &name, &mut action);
        }
        if !p.problems.is_empty() {
            ui.separator();
            ui.strong("Not read");
            for problem in &p.problems {
                ui.colored_label(Color32::LIGHT_RED, printable(problem));
            }
        }
        ui.separator();
        egui::CollapsingHeader::new("Raw output").show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(printable(&run.raw)).monospace()).wrap());
        });
    });
    action
}

/// Accept / Edit / Reject for a piece of evidence, or the verdict it already has.
fn decide_row(
    ui: &mut egui::Ui,
    run: &ModelRun,
    item: EvidenceItem,
    name: &str,
    action: &mut Option<TraceAction>,
) {
    ui.horizontal(|ui| match run.verdict(&item).map(|v| v.review) {
        Some(review) => {
            let (text, color) = match review {
                Review::Rejected => ("rejected", Color32::LIGHT_RED),
                Review::Edited => ("accepted, edited", Color32::LIGHT_GREEN),
                _ => ("accepted", Color32::LIGHT_GREEN),
            };
            ui.colored_label(color, text);
        }
        None => {
            for (label, decision, hint) in [
                ("Accept", Decision::Accept, "Make it a label with the model as its source"),
                ("Edit", Decision::Edit, "Accept it, then select the new label to fix it"),
                ("Reject", Decision::Reject, "Record it as wrong; it is not offered again"),
            ] {
                let button = egui::Button::new(label).small();
                let response = ui.add(button).on_hover_text(hint);
                response.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("{label} {name}"))
                });
                if response.clicked() {
                    *action = Some(TraceAction::Decide { item: item.clone(), decision });
                }
            }
        }
    });
}
