//! Annotating through the GUI: segments on the timeline, questions with evidence and
//! grounded rationale, review mode, the object list, and a file changed on disk.

use annotate::{Evidence, LabelRef, RationaleKind, Review};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::kittest::Queryable;
use vidence::gui::VidenceApp;

use super::{Harness, click, demo_copy, demo_to_screen, drag, harness, step_until, wait_for_first_frame};

/// The demo video is 600 frames at 30 fps.
const FRAME_S: f64 = 1.0 / 30.0;

fn open(name: &str) -> Harness<'static, VidenceApp> {
    let mut h = harness(vec![demo_copy(name)]);
    wait_for_first_frame(&mut h);
    h
}

fn undo(h: &mut Harness<'static, VidenceApp>, times: usize) {
    for _ in 0..times {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        h.step();
    }
}

fn redo(h: &mut Harness<'static, VidenceApp>, times: usize) {
    for _ in 0..times {
        h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
        h.step();
    }
}

fn press(h: &mut Harness<'static, VidenceApp>, key: Key) {
    h.key_press(key);
    h.step();
    h.step();
}

fn is_frame_time(t: f64) -> bool {
    ((t / FRAME_S) - (t / FRAME_S).round()).abs() < 1e-6
}

#[test]
fn create_a_segment_on_the_timeline_adjust_it_and_undo() {
    let mut h = open("gui_segments");
    let original = h.state().dataset().unwrap().segments.clone();
    // The lanes share the thumbnails' horizontal scale; the first lane is for new segments.
    let timeline = h.get_by_label("Timeline").rect();
    let x = |t: f64| timeline.left() + (t / 20.0) as f32 * timeline.width();
    let y = h.get_by_label("Segment lanes").rect().top() + 6.0;
    drag(&mut h, Pos2::new(x(5.0), y), Pos2::new(x(8.0), y));
    let segment = |app: &VidenceApp, id: &str| app.dataset().and_then(|d| d.segment(id)).cloned();
    let made = segment(h.state(), "seg-1").expect("dragging on the lane made a segment");
    assert_eq!(made.label, "event");
    assert!((made.start_s - 5.0).abs() <= FRAME_S && (made.end_s - 8.0).abs() <= FRAME_S, "{made:?}");
    assert!(is_frame_time(made.start_s) && is_frame_time(made.end_s), "snapped to frames: {made:?}");
    assert_eq!(h.state().selected(), Some(&LabelRef::Segment("seg-1".into())));
    h.get_by_label("Segment seg-1");

    // Drag its right edge out to 10 s; the start stays.
    drag(&mut h, Pos2::new(x(made.end_s) - 1.0, y), Pos2::new(x(10.0), y));
    let adjusted = segment(h.state(), "seg-1").unwrap();
    assert_eq!(adjusted.start_s, made.start_s);
    assert!((adjusted.end_s - 10.0).abs() <= FRAME_S, "{adjusted:?}");

    // In at 12 s, out at 14 s: a second segment, exactly on those frames.
    for _ in 0..12 {
        h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    }
    step_until(&mut h, "12 s", |app| app.current_frame() == Some(360));
    press(&mut h, Key::I);
    for _ in 0..2 {
        h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    }
    step_until(&mut h, "14 s", |app| app.current_frame() == Some(420));
    press(&mut h, Key::O);
    let keyed = segment(h.state(), "seg-2").expect("I then O made a segment");
    assert_eq!((keyed.start_s, keyed.end_s), (12.0, 14.0));

    // ] goes to the next segment after 14 s, the demo's at 17.2 s, and selects it.
    press(&mut h, Key::CloseBracket);
    step_until(&mut h, "the next segment", |app| app.current_frame() == Some(516));
    assert_eq!(h.state().selected(), Some(&LabelRef::Segment("seg-red-circle-out-516".into())));
    press(&mut h, Key::OpenBracket);
    step_until(&mut h, "the previous segment", |app| app.current_frame() == Some(394));

    let edited = h.state().dataset().unwrap().segments.clone();
    undo(&mut h, 3);
    assert_eq!(h.state().dataset().unwrap().segments, original, "undo removes every change");
    redo(&mut h, 3);
    assert_eq!(h.state().dataset().unwrap().segments, edited, "redo puts them back");
}

#[test]
fn write_a_question_with_evidence_and_a_grounded_rationale() {
    let mut h = open("gui_question");
    let original = h.state().dataset().unwrap().questions.clone();
    h.get_by_label("Questions").click();
    h.run_steps(2);
    h.get_by_label("New question").click();
    h.run_steps(2);
    let id = h.state().open_question().expect("the new question is open").to_owned();
    let question = |app: &VidenceApp| app.dataset().and_then(|d| d.question(&id)).cloned();

    // Type the text, then the answer; each field becomes an edit when it loses focus.
    h.get_by_label("Question").focus();
    h.step();
    h.get_by_label("Question").type_text("Which shape is blue?");
    h.step();
    h.get_by_label("Answer").focus();
    h.step();
    h.get_by_label("Answer").type_text("the square");
    h.step();
    h.key_press(Key::Enter);
    h.run_steps(2);
    let q = question(h.state()).unwrap();
    assert_eq!((q.text.as_str(), q.answer.as_str()), ("Which shape is blue?", "the square"));

    // Select the blue square on the canvas; L links its track, "Link box" its box here.
    let square = h.state().dataset().unwrap().track("track-blue-square").unwrap().box_at(0).unwrap().bbox;
    let screen = demo_to_screen(&h);
    let [x1, y1, x2, y2] = square.0;
    click(&mut h, screen((x1 + x2) / 2.0, (y1 + y2) / 2.0));
    assert_eq!(h.state().selected_track(), Some("track-blue-square"));
    press(&mut h, Key::L);
    h.get_by_label("Link box").click();
    h.run_steps(2);
    let q = question(h.state()).unwrap();
    assert_eq!(
        q.evidence,
        [Evidence::Track { id: "track-blue-square".into() }, Evidence::Box { time_s: 0.0, bbox: square }]
    );

    // A perception step, typed, then grounded with one key to this frame and the box.
    // The editor is taller than the panel: scroll to the button, as a person would.
    h.get_by_label("Add perception step").scroll_to_me();
    h.run_steps(10);
    h.get_by_label("Add perception step").click();
    h.run_steps(2);
    h.get_by_label("Step 1").scroll_to_me();
    h.run_steps(10);
    h.get_by_label("Step 1").focus();
    h.step();
    h.get_by_label("Step 1").type_text("the square is blue");
    h.step();
    h.get_by_label("Answer").focus();
    h.step();
    h.key_press(Key::Enter);
    h.run_steps(2);
    press(&mut h, Key::G);
    let q = question(h.state()).unwrap();
    assert_eq!(q.rationale.len(), 1);
    let step = &q.rationale[0];
    assert_eq!((step.text.as_str(), step.kind), ("the square is blue", RationaleKind::Perception));
    assert_eq!((step.time_s, step.bbox), (Some(0.0), Some(square)), "grounded here");
    assert!(h.state().notices().is_empty(), "{:?}", h.state().notices());

    // Eight edits: new, text, answer, two links, step, its text, grounding.
    let written = q;
    undo(&mut h, 8);
    assert_eq!(h.state().dataset().unwrap().questions, original);
    redo(&mut h, 8);
    assert_eq!(question(h.state()).as_ref(), Some(&written));
}

#[test]
fn review_mode_accepts_rejects_and_edits_with_one_key() {
    let mut h = open("gui_review");
    let queue = h.state().dataset().unwrap().labels_of("demo");
    let review = |app: &VidenceApp, l: &LabelRef| app.dataset().and_then(|d| d.review_of(l));
    press(&mut h, Key::V);
    assert!(h.state().is_reviewing());
    assert_eq!(h.state().under_review(), Some(&queue[0]));
    h.get_by_label("0 of 28 reviewed");

    press(&mut h, Key::A);
    assert_eq!(review(h.state(), &queue[0]), Some(Review::Accepted));
    assert_eq!(h.state().under_review(), Some(&queue[1]), "on to the next");
    press(&mut h, Key::X);
    assert_eq!(review(h.state(), &queue[1]), Some(Review::Rejected));
    h.get_by_label("2 of 28 reviewed");
    // The label under review is selected, so its box or span is highlighted.
    assert_eq!(h.state().selected(), Some(&queue[2]));

    press(&mut h, Key::Enter);
    assert_eq!(review(h.state(), &queue[2]), Some(Review::Edited));
    assert!(!h.state().is_reviewing(), "edit leaves review mode to fix the label");
    assert_eq!(h.state().selected(), Some(&queue[2]));

    undo(&mut h, 3);
    assert!(queue.iter().all(|l| review(h.state(), l) == Some(Review::Unreviewed)));
    redo(&mut h, 3);
    assert_eq!(review(h.state(), &queue[1]), Some(Review::Rejected));
    assert_eq!(h.state().dataset().unwrap().review_progress("demo").reviewed, 3);
}

#[test]
fn the_object_list_selects_a_label_and_goes_to_it() {
    let mut h = open("gui_objects");
    h.get_by_label("Objects").click();
    h.run_steps(2);
    h.get_by_label("16 shown");
    h.get_by_label_contains("00:00:17.200 red circle is out of frame").click();
    h.run_steps(2);
    assert_eq!(h.state().selected(), Some(&LabelRef::Segment("seg-red-circle-out-516".into())));
    step_until(&mut h, "the segment's start", |app| app.current_frame() == Some(516));
}

#[test]
fn a_file_changed_on_disk_is_never_overwritten_and_can_be_reloaded() {
    let path = demo_copy("gui_conflict");
    let mut h = harness(vec![path.clone()]);
    wait_for_first_frame(&mut h);
    // An edit here, and another program's change to the file.
    press(&mut h, Key::V);
    press(&mut h, Key::A);
    let mut theirs = annotate::load(&path).unwrap();
    theirs.categories[0].name = "changed elsewhere".into();
    annotate::save_atomic(&theirs, &path).unwrap();

    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    step_until(&mut h, "the refused save", VidenceApp::has_conflict);
    h.run_steps(2);
    h.get_by_label("The file changed on disk");
    assert_eq!(annotate::load(&path).unwrap(), theirs, "their version is untouched");

    h.get_by_label("Reload from disk").click();
    step_until(&mut h, "the reloaded file", |app| {
        app.dataset().is_some_and(|d| d.categories[0].name == "changed elsewhere")
            && app.shown_frame().is_some()
    });
    assert!(!h.state().has_conflict());
    assert_eq!(h.state().dataset().unwrap().review_progress("demo").reviewed, 0, "our edit was dropped");
    let stale = annotate::journal_path(&path).with_extension("journal.stale");
    assert!(stale.exists(), "the dropped edit is kept aside in {}", stale.display());
}

#[test]
fn f1_shows_the_shortcuts() {
    let mut h = open("gui_help");
    press(&mut h, Key::F1);
    h.get_by_label("Keyboard shortcuts");
    h.get_by_label("Ground the current rationale step to this frame and the selected box");
    press(&mut h, Key::F1);
    assert!(h.query_by_label("Keyboard shortcuts").is_none());
}
