//! Work is never lost or put in the wrong place: an edit lands on the frame the user
//! sees while the play head runs ahead, a dataset of an unknown schema is refused, and
//! a failing autosave says so for as long as it fails.

use egui::{Event, Key, Modifiers, PointerButton};
use egui_kittest::kittest::{NodeT, Queryable};
use vidence::gui::{Options, VidenceApp};

use super::{Harness, click, demo_copy, demo_to_screen, harness, step_until, wait_for_first_frame};

#[test]
fn a_box_drawn_while_playing_lands_on_the_frame_on_screen() {
    let mut h = harness(vec![demo_copy("gui_play_draw")]);
    wait_for_first_frame(&mut h);
    let screen = demo_to_screen(&h);
    h.key_press(Key::Space);
    step_until(&mut h, "playing", |app| app.shown_frame().is_some_and(|f| f > 0));
    h.key_press(Key::N);
    h.step();
    let (from, to) = (screen(100.0, 500.0), screen(300.0, 650.0));
    h.event(Event::PointerMoved(from));
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    h.event(Event::PointerMoved(to));
    h.step();
    // Let go in the frame the play head jumps to the end: the picture on screen is
    // still the one the box was drawn on.
    h.key_press(Key::End);
    h.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    let (seen, head) = (h.state().shown_frame().unwrap(), h.state().current_frame().unwrap());
    assert!(head > seen, "the play head ({head}) is ahead of the frame on screen ({seen})");
    h.key_press(Key::Space);
    step_until(&mut h, "the box", |app| app.dataset().and_then(|d| d.track("track-1")).is_some());
    let track = h.state().dataset().unwrap().track("track-1").unwrap().clone();
    assert_eq!(track.keyframes.iter().map(|k| k.frame).collect::<Vec<_>>(), [seen]);
}

#[test]
fn a_dataset_of_an_unknown_schema_is_refused_and_left_as_it_is() {
    let dir = vidence_tests::scratch("gui_schema");
    let path = dir.join("future.json");
    let text = r#"{"schema": "vidence/99", "videos": [], "tracks": [], "hologram": {"x": 1}}"#;
    std::fs::write(&path, text).unwrap();
    let mut h = harness(vec![path.clone()]);
    step_until(&mut h, "a notice", |app| !app.notices().is_empty());
    let notice = h.state().notices()[0].to_owned();
    assert!(notice.contains("vidence/99") && notice.contains("future.json"), "{notice}");
    assert!(h.state().dataset().is_none());
    h.run_steps(2);
    h.get_by_label_contains("vidence/99");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "never saved over");
    assert!(!annotate::journal_path(&path).exists());
}

#[test]
fn a_failing_autosave_warns_until_it_works_again() {
    let disk = std::sync::Arc::new(annotate::FlakyDisk::default());
    let paths = vec![demo_copy("gui_autosave")];
    let options = Options { disk: disk.clone(), ..Options::default() };
    let mut h: Harness<'static, VidenceApp> = Harness::builder()
        .with_size([1280.0, 800.0])
        .wgpu()
        .build_eframe(move |cc| VidenceApp::new(cc, paths, options));
    wait_for_first_frame(&mut h);
    disk.fail(true);
    // An edit: draw a box.
    let screen = demo_to_screen(&h);
    h.key_press(Key::N);
    h.step();
    super::drag(&mut h, screen(100.0, 500.0), screen(300.0, 650.0));
    step_until(&mut h, "the box", |app| app.dataset().and_then(|d| d.track("track-1")).is_some());
    let warning =
        |h: &Harness<'static, VidenceApp>| h.query_by_label_contains("Autosave is failing").is_some();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !warning(&h) {
        assert!(std::time::Instant::now() < deadline, "no autosave warning");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let node = h.get_by_label_contains("Autosave is failing");
    let text = format!("{:?} {:?}", node.accesskit_node().label(), node.value());
    assert!(text.contains("demo.vidence.json.journal") && text.contains("no storage space"), "{text}");
    // It stays while the disk fails.
    for _ in 0..30 {
        h.step();
    }
    assert!(warning(&h), "the warning lasts while autosave fails");
    disk.fail(false);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while warning(&h) {
        assert!(std::time::Instant::now() < deadline, "the warning never went");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        h.state().notices().iter().any(|n| n.contains("Autosave works again")),
        "{:?}",
        h.state().notices()
    );
    click(&mut h, screen(5.0, 5.0));
}

#[test]
fn a_video_that_is_not_the_one_the_dataset_recorded_is_reported() {
    let path = demo_copy("gui_video_check");
    let text = std::fs::read_to_string(&path).unwrap();
    // As if the file had been re-encoded at another frame count and size.
    let changed = text.replacen("\"frame_count\": 600", "\"frame_count\": 500", 1).replacen(
        "\"width\": 1280",
        "\"width\": 1920",
        1,
    );
    assert_ne!(changed, text);
    std::fs::write(&path, changed).unwrap();
    let mut h = harness(vec![path]);
    wait_for_first_frame(&mut h);
    let notices = h.state().notices().join("\n");
    assert!(notices.contains("500 frames recorded, 600 in the file"), "{notices}");
    assert!(notices.contains("1920x720 recorded, 1280x720 in the file"), "{notices}");
}

#[test]
fn edits_set_aside_after_the_file_changed_are_told_and_can_be_applied() {
    let path = demo_copy("gui_set_aside");
    let mut h = harness(vec![path.clone()]);
    wait_for_first_frame(&mut h);
    let screen = demo_to_screen(&h);
    h.key_press(Key::N);
    h.step();
    super::drag(&mut h, screen(100.0, 500.0), screen(300.0, 650.0));
    step_until(&mut h, "the box", |app| app.dataset().and_then(|d| d.track("track-1")).is_some());
    // Another program saves the file; then this window goes without saving.
    let mut theirs = annotate::load(&path).unwrap();
    theirs.categories[0].name = "renamed elsewhere".into();
    let journal = annotate::journal_path(&path);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count()) < 2 {
        assert!(std::time::Instant::now() < deadline, "the edit never reached the journal");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    annotate::save_atomic(&theirs, &path).unwrap();
    drop(h);

    let mut h = harness(vec![path.clone()]);
    wait_for_first_frame(&mut h);
    h.get_by_label_contains(
        "1 unsaved edit(s) of an earlier session are set aside in demo.vidence.json.journal.stale",
    );
    assert!(h.state().dataset().unwrap().track("track-1").is_none(), "nothing applied unasked");
    h.get_by_label("Apply them to the file as it is").click();
    step_until(&mut h, "the edit applied", |app| app.dataset().and_then(|d| d.track("track-1")).is_some());
    assert_eq!(h.state().dataset().unwrap().categories[0].name, "renamed elsewhere", "their change stays");
    assert!(
        h.state().notices().iter().any(|n| n.contains("Applied the 1 edit(s) set aside")),
        "{:?}",
        h.state().notices()
    );
    h.run_steps(2);
    assert!(h.query_by_label_contains("set aside in").is_none(), "the offer is gone once taken");
}
