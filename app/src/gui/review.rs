//! Review mode: the video's unreviewed labels one at a time, each accepted,
//! rejected or opened for editing with one key.

use annotate::{Dataset, LabelRef, Review};

use super::objects::source_text;
use super::timeline::timecode;

pub enum ReviewAction {
    /// Accept or reject the current label and go on to the next.
    Set(Review),
    /// Mark it edited and leave review mode to fix it.
    Edit,
    Skip,
    Exit,
}

pub fn show(ui: &mut egui::Ui, d: &Dataset, video: &str, current: Option<&LabelRef>) -> Option<ReviewAction> {
    let mut action = None;
    ui.heading("Review queue");
    let progress = d.review_progress(video);
    ui.add(
        egui::ProgressBar::new(progress.fraction())
            .text(format!("{} of {} reviewed", progress.reviewed, progress.total)),
    );
    match current {
        Some(label) => {
            ui.label(describe(d, label));
            ui.horizontal_wrapped(|ui| {
                if ui.button("Accept").on_hover_text("A").clicked() {
                    action = Some(ReviewAction::Set(Review::Accepted));
                }
                if ui.button("Reject").on_hover_text("X").clicked() {
                    action = Some(ReviewAction::Set(Review::Rejected));
                }
                if ui.button("Edit").on_hover_text("Enter: mark edited and fix it").clicked() {
                    action = Some(ReviewAction::Edit);
                }
                if ui.button("Skip").on_hover_text("S").clicked() {
                    action = Some(ReviewAction::Skip);
                }
            });
        }
        None => {
            ui.label("Nothing left to review on this video.");
        }
    }
    if ui.button("Leave review").on_hover_text("V").clicked() {
        action = Some(ReviewAction::Exit);
    }
    ui.separator();
    action
}

fn describe(d: &Dataset, label: &LabelRef) -> String {
    match label {
        LabelRef::Track(id) => d.track(id).map_or_else(String::new, |t| {
            let category = d.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
            format!(
                "Track {id}: {category}, {} keyframes from frame {}, {}",
                t.keyframes.len(),
                t.keyframes.first().map_or(0, |k| k.frame),
                source_text(&t.source)
            )
        }),
        LabelRef::Segment(id) => d.segment(id).map_or_else(String::new, |s| {
            format!(
                "Segment \"{}\": {} – {}, {}",
                s.label,
                timecode(s.start_s),
                timecode(s.end_s),
                source_text(&s.source)
            )
        }),
        LabelRef::Question(id) => d.question(id).map_or_else(String::new, |q| {
            format!("Question \"{}\", answer {}, {} evidence link(s)", q.text, q.answer, q.evidence.len())
        }),
    }
}
