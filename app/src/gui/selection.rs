//! The panel for the selected label. A track: its keyframes, flags, category, review
//! state and the track operations (split, merge, delete from here). A segment: its
//! label, span and review state. It reports what was asked; the app turns that into
//! edits.

use annotate::{Dataset, Interpolation, Review, Segment, Track};

use super::timeline::timecode;

pub enum SelectionAction {
    SetReview(Review),
    DeleteTrack,
    Seek(u64),
    ToggleOccluded,
    MarkOutside,
    DeleteKeyframe,
    DeleteFromHere,
    SplitHere,
    MergeInto(String),
    SetCategory(String),
    /// A category of this name (found, or made) for the track.
    NewCategory(String),
    SetInterpolation(Interpolation),
}

pub enum SegmentAction {
    SetLabel(String),
    StartHere,
    EndHere,
    Seek(f64),
    SetReview(Review),
    Delete,
}

fn review_combo(ui: &mut egui::Ui, current: Review) -> Option<Review> {
    let mut review = current;
    egui::ComboBox::from_label("Review state").selected_text(format!("{review:?}")).show_ui(ui, |ui| {
        for r in [Review::Unreviewed, Review::Accepted, Review::Rejected, Review::Edited] {
            ui.selectable_value(&mut review, r, format!("{r:?}"));
        }
    });
    (review != current).then_some(review)
}

/// `label` is the label being typed; it becomes an edit when the field loses focus.
pub fn show_segment(
    ui: &mut egui::Ui,
    segment: &Segment,
    label: &mut String,
    time_s: f64,
) -> Option<SegmentAction> {
    let mut action = None;
    ui.heading(format!("Segment {}", segment.id));
    if ui.ctx().memory(|m| m.focused().is_none()) {
        label.clone_from(&segment.label);
    }
    let field = ui.horizontal(|ui| {
        let name = ui.label("Label");
        ui.text_edit_singleline(label).labelled_by(name.id)
    });
    if field.inner.lost_focus() && !label.trim().is_empty() && label.trim() != segment.label {
        action = Some(SegmentAction::SetLabel(label.trim().to_owned()));
    }
    ui.horizontal(|ui| {
        if ui.link(timecode(segment.start_s)).on_hover_text("Go to the start").clicked() {
            action = Some(SegmentAction::Seek(segment.start_s));
        }
        ui.label("–");
        if ui.link(timecode(segment.end_s)).on_hover_text("Go to the end").clicked() {
            action = Some(SegmentAction::Seek(segment.end_s));
        }
    });
    ui.horizontal(|ui| {
        if ui.add_enabled(time_s < segment.end_s, egui::Button::new("Start here")).clicked() {
            action = Some(SegmentAction::StartHere);
        }
        if ui.add_enabled(time_s > segment.start_s, egui::Button::new("End here")).clicked() {
            action = Some(SegmentAction::EndHere);
        }
    });
    ui.label(format!("Source: {}", super::objects::source_text(&segment.source)));
    if let Some(review) = review_combo(ui, segment.review) {
        action = Some(SegmentAction::SetReview(review));
    }
    if ui.button("Delete segment").clicked() {
        action = Some(SegmentAction::Delete);
    }
    action
}

/// `new_category`: the name being typed in the category menu.
pub fn show(
    ui: &mut egui::Ui,
    dataset: &Dataset,
    track: &Track,
    frame: u64,
    new_category: &mut String,
) -> Option<SelectionAction> {
    let mut action = None;
    ui.heading(format!("Track {}", track.id));
    let here = track.box_at(frame);
    let on_keyframe = track.keyframes.iter().any(|k| k.frame == frame);
    ui.label(match here {
        Some(b) if b.keyframe => format!("Keyframe on frame {frame}"),
        Some(_) => format!("Interpolated on frame {frame}"),
        None => format!("Not in view on frame {frame}"),
    });
    ui.label(format!("{} keyframes", track.keyframes.len()));
    let previous = track.keyframes.iter().rev().find(|k| k.frame < frame).map(|k| k.frame);
    let next = track.keyframes.iter().find(|k| k.frame > frame).map(|k| k.frame);
    if ui.add_enabled(previous.is_some(), egui::Button::new("Previous keyframe")).clicked() {
        action = previous.map(SelectionAction::Seek);
    }
    if ui.add_enabled(next.is_some(), egui::Button::new("Next keyframe")).clicked() {
        action = next.map(SelectionAction::Seek);
    }
    let visible = here.is_some();
    let mut occluded = here.is_some_and(|b| b.occluded);
    if ui.add_enabled(visible, egui::Checkbox::new(&mut occluded, "Occluded")).changed() {
        action = Some(SelectionAction::ToggleOccluded);
    }
    if ui.add_enabled(visible, egui::Button::new("Outside from here")).clicked() {
        action = Some(SelectionAction::MarkOutside);
    }
    if ui.add_enabled(on_keyframe, egui::Button::new("Delete keyframe")).clicked() {
        action = Some(SelectionAction::DeleteKeyframe);
    }
    if ui.button("Delete track from here").clicked() {
        action = Some(SelectionAction::DeleteFromHere);
    }
    let splittable = track.keyframes.first().is_some_and(|k| k.frame < frame)
        && track.keyframes.last().is_some_and(|k| k.frame >= frame);
    if ui.add_enabled(splittable, egui::Button::new("Split here")).clicked() {
        action = Some(SelectionAction::SplitHere);
    }
    let mut category = track.category.clone();
    egui::ComboBox::from_label("Category")
        .selected_text(dataset.category(&track.category).map_or(track.category.as_str(), |c| c.name.as_str()))
        .show_ui(ui, |ui| {
            for c in &dataset.categories {
                ui.selectable_value(&mut category, c.id.clone(), &c.name);
            }
            ui.separator();
            let name = ui.label("New category");
            let field =
                ui.add(egui::TextEdit::singleline(new_category).hint_text("name")).labelled_by(name.id);
            let field = field.on_hover_text("Type a name and press Enter");
            let typed = !new_category.trim().is_empty();
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.add_enabled(typed, egui::Button::new("Add category")).clicked() || entered) && typed {
                action = Some(SelectionAction::NewCategory(std::mem::take(new_category).trim().to_owned()));
                ui.close();
            }
        });
    if category != track.category {
        action = Some(SelectionAction::SetCategory(category));
    }
    let mut interpolation = track.interpolation;
    egui::ComboBox::from_label("Interpolation").selected_text(format!("{interpolation:?}")).show_ui(
        ui,
        |ui| {
            for mode in [Interpolation::Linear, Interpolation::Smooth, Interpolation::Hold] {
                ui.selectable_value(&mut interpolation, mode, format!("{mode:?}"));
            }
        },
    );
    if interpolation != track.interpolation {
        action = Some(SelectionAction::SetInterpolation(interpolation));
    }
    let others: Vec<&Track> = dataset.tracks_of(&track.video).filter(|t| t.id != track.id).collect();
    egui::ComboBox::from_label("Merge into").selected_text("…").show_ui(ui, |ui| {
        for other in others {
            if ui.selectable_label(false, &other.id).clicked() {
                action = Some(SelectionAction::MergeInto(other.id.clone()));
            }
        }
    });
    ui.label(format!("Source: {}", super::objects::source_text(&track.source)));
    if let Some(review) = review_combo(ui, track.review) {
        action = Some(SelectionAction::SetReview(review));
    }
    if ui.button("Delete track").on_hover_text("The whole track, every frame").clicked() {
        action = Some(SelectionAction::DeleteTrack);
    }
    action
}
