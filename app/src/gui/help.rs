//! The keyboard shortcuts, shown in a help overlay (F1).

/// (keys, what they do), in the order the overlay lists them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "Play / pause"),
    ("Right or F, Left or D", "Next / previous frame"),
    ("Shift+Right, Shift+Left", "One second forward / back"),
    ("Home, End", "First / last frame"),
    ("R, E", "Next / previous keyframe of the selected track"),
    ("], [", "Next / previous segment"),
    ("N", "Draw a box (a new track)"),
    ("Q", "Occluded on/off for the selected track here"),
    ("Shift+O", "Selected track outside from here"),
    ("Delete", "Delete the selected segment, or the selected track from here on"),
    ("I, O", "Mark in / out; O after I makes a segment"),
    ("L", "Link the selection to the open question as evidence"),
    ("G", "Ground the current rationale step to this frame and the selected box"),
    ("V", "Review mode on/off"),
    ("J, K", "Evaluate: the next / previous wrong item"),
    ("A, X, Enter, S", "Review: accept, reject, edit, skip"),
    ("Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y", "Undo, redo"),
    ("Ctrl+S", "Save (autosave to the journal is always on)"),
    (
        "Ctrl+Shift+S",
        "Save the frame on screen with its labels and evidence as a picture, beside the dataset",
    ),
    ("Esc", "Deselect, stop drawing"),
    ("Double-click, wheel, right-drag", "Fit, zoom, pan the video"),
    ("F1", "This help"),
    ("F12", "Debug overlay"),
];

pub fn window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts").open(open).collapsible(false).resizable(false).show(ctx, |ui| {
        egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
            for (keys, what) in SHORTCUTS {
                ui.monospace(*keys);
                ui.label(*what);
                ui.end_row();
            }
        });
    });
}
