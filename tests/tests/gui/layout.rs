//! Nothing clipped, nothing jumps: the window at its smallest, the transport row and
//! the video holding still while things change, the frame number the frame on screen.

use egui::{Key, Pos2, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use vidence::gui::{Options, VidenceApp};
use vidence_tests::step_until;

use super::{demo_copy, drag_over, harness, harness_with, open_demo, wait_for_first_frame};

fn rect_of(h: &Harness<'static, VidenceApp>, label: &str) -> Rect {
    h.get_by_label(label).rect()
}

#[test]
fn at_800_by_500_every_control_is_on_screen_and_none_overlaps() {
    let mut h = harness_with(vec![demo_copy("gui_small")], Options::default(), [800.0, 500.0]);
    wait_for_first_frame(&mut h);
    let window = Rect::from_min_size(Pos2::ZERO, egui::vec2(800.0, 500.0));
    let labels = [
        "Open…",
        "Fit",
        "Draw box",
        "Undo",
        "Save",
        "Save as…",
        "Review",
        "Shortcuts",
        "Dataset",
        "Objects",
        "Questions",
        "Model",
        "First frame",
        "Play",
        "Last frame",
        "Loop",
        "Frame 0 / 599",
        "Timeline",
        "Video canvas",
        "All saved",
    ];
    let rects: Vec<(&str, Rect)> = labels.iter().map(|l| (*l, rect_of(&h, l))).collect();
    // The lanes scroll within the timeline: their top at least is on screen.
    assert!(window.contains(rect_of(&h, "Segment lanes").left_top()));
    for (label, r) in &rects {
        assert!(window.contains_rect(*r), "{label} at {r:?} is not all inside the 800x500 window");
        assert!(r.width() > 4.0 && r.height() > 4.0, "{label} is squashed to {r:?}");
    }
    for (i, (a, ra)) in rects.iter().enumerate() {
        for (b, rb) in &rects[i + 1..] {
            assert!(!ra.shrink(0.5).intersects(rb.shrink(0.5)), "{a} {ra:?} overlaps {b} {rb:?}");
        }
    }
    // The selection panel's last control scrolls into view instead of being cut off.
    let screen = super::demo_to_screen(&h);
    let b = h.state().dataset().unwrap().tracks[0].box_at(0).unwrap().bbox.0;
    super::click(&mut h, screen((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0));
    h.run_steps(2);
    h.get_by_label("Delete track").scroll_to_me();
    h.run_steps(3);
    let last = rect_of(&h, "Delete track");
    assert!(window.contains_rect(last), "Delete track at {last:?}");
}

#[test]
fn the_transport_row_holds_still_while_playing_and_the_frame_shown_is_the_frame_on_screen() {
    let mut h = open_demo();
    let before: Vec<Rect> = ["Next frame", "Last frame", "Loop"].iter().map(|l| rect_of(&h, l)).collect();
    h.key_press(Key::Space);
    step_until(&mut h, "playing", VidenceApp::is_playing);
    let mut checked = 0;
    while checked < 40 {
        h.step();
        let (Some(shown), Some(head)) = (h.state().shown_frame(), h.state().current_frame()) else {
            continue;
        };
        let last = h.state().time_of(599).map(|_| 599).unwrap_or_default();
        h.get_by_label(&format!("Frame {shown} / {last}"));
        if head != shown {
            h.get_by_label(&format!("decoding {head}…"));
        }
        checked += 1;
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    assert!(h.state().shown_frame().is_some_and(|f| f > 0));
    let after: Vec<Rect> = ["Next frame", "Last frame", "Loop"].iter().map(|l| rect_of(&h, l)).collect();
    h.get_by_label("Pause");
    assert_eq!(before, after, "Play became Pause and the time code ran; nothing after them moved");
}

#[test]
fn notices_and_a_run_on_show_leave_the_video_where_it_is() {
    let mut h = harness(vec![demo_copy("gui_still")]);
    wait_for_first_frame(&mut h);
    let canvas = rect_of(&h, "Video canvas");
    h.get_by_label("Save").click();
    step_until(&mut h, "the saved notice", |app| !app.notices().is_empty());
    h.run_steps(2);
    assert_eq!(rect_of(&h, "Video canvas"), canvas, "a notice overlays, it does not push");
    h.get_by_label("Model").click();
    h.run_steps(2);
    h.get_by_label_contains("run-1 · answer").click();
    h.run_steps(3);
    assert!(h.state().shown_run().is_some());
    h.get_by_label("Model lane");
    assert_eq!(rect_of(&h, "Video canvas"), canvas, "the model lane takes room kept for it");
}

#[test]
fn the_timeline_tells_the_time_under_the_pointer() {
    let mut h = open_demo();
    let timeline = rect_of(&h, "Timeline");
    let at = Pos2::new(timeline.left() + 0.5 * timeline.width(), timeline.center().y);
    h.event(egui::Event::PointerMoved(at));
    for _ in 0..60 {
        h.step();
        if h.query_by_label_contains("· frame 300").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.get_by_label("00:00:10.000 · frame 300");
}

#[test]
fn the_file_open_is_highlighted_and_a_file_that_fails_leaves_the_list() {
    let dir = vidence_tests::scratch("gui_files");
    let bad = dir.join("broken.mp4");
    std::fs::write(&bad, b"not a video").unwrap();
    let dataset = demo_copy("gui_files_demo");
    let mut h = harness(vec![dataset, bad.clone()]);
    wait_for_first_frame(&mut h);
    let node = h.get_by_label("demo.vidence.json");
    let toggled = egui_kittest::kittest::NodeT::accesskit_node(&node).toggled();
    assert_eq!(toggled, Some(egui::accesskit::Toggled::True), "the open file is the selected one");
    h.get_by_label("broken.mp4").click();
    step_until(&mut h, "the failure", |app| app.notices().iter().any(|n| n.contains("broken.mp4")));
    h.run_steps(2);
    assert!(h.query_by_label("broken.mp4").is_none(), "a file that does not open leaves the list");
}

#[test]
fn a_panel_is_docked_elsewhere_by_dragging_its_tab() {
    let mut h = open_demo();
    let selection = rect_of(&h, "Selection");
    let dataset = rect_of(&h, "Dataset");
    assert!(selection.left() > 1000.0, "the selection starts on the right: {selection:?}");
    // Drag the Selection tab over to the left: it docks with the video, as a tab.
    let from = selection.center();
    let to = Pos2::new(rect_of(&h, "Model").right() + 6.0, dataset.center().y);
    drag_over(&mut h, from, to, 12);
    h.run_steps(2);
    let tab = h.get_all_by_label("Selection").map(|n| n.rect()).find(|r| r.top() < 60.0);
    let moved = tab.expect("the Selection tab, in a tab bar");
    assert!(moved.right() < 640.0, "the Selection tab left the right side: {moved:?}");
    // The video's tab brings it back to the front, across the room the selection left.
    h.get_by_label("Video").click();
    h.run_steps(3);
    let canvas = rect_of(&h, "Video canvas");
    assert!(canvas.right() > 1200.0, "the video took the room the selection left: {canvas:?}");
}
