//! The panel for the selected track: its keyframes, flags, category and the track
//! operations (split, merge, delete from here). It reports what was asked; the app
//! turns that into edits.

use annotate::{Dataset, Interpolation, Track};

pub enum SelectionAction {
    Seek(u64),
    ToggleOccluded,
    MarkOutside,
    DeleteKeyframe,
    DeleteFromHere,
    SplitHere,
    MergeInto(String),
    SetCategory(String),
    SetInterpolation(Interpolation),
}

pub fn show(ui: &mut egui::Ui, dataset: &Dataset, track: &Track, frame: u64) -> Option<SelectionAction> {
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
    action
}
