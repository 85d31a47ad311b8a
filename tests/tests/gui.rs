//! The GUI driven as a person would: through accessibility labels, keys and the
//! pointer, rendered headless with wgpu (Mesa's lavapipe on CI).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use vidence::gui::{Options, VidenceApp};

/// The demo dataset, generated once for all tests in this file.
fn demo_dataset() -> PathBuf {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = vidence_tests::scratch("gui_demo");
        vidence::demo::generate(&dir, vidence::demo::DEFAULT_SEED).expect("generate demo").dataset
    })
    .clone()
}

fn harness(paths: Vec<PathBuf>) -> Harness<'static, VidenceApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .wgpu()
        .build_eframe(move |cc| VidenceApp::new(cc, paths, Options::default()))
}

/// Step the UI (as frames pass) until `done` holds, or fail after a while.
fn step_until(h: &mut Harness<'static, VidenceApp>, what: &str, done: impl Fn(&VidenceApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn open_demo() -> Harness<'static, VidenceApp> {
    let mut h = harness(vec![demo_dataset()]);
    step_until(&mut h, "the first frame", |app| app.shown_frame() == Some(0));
    h
}

#[test]
fn space_plays_and_the_frame_advances() {
    let mut h = open_demo();
    h.key_press(Key::Space);
    step_until(&mut h, "playback to start", VidenceApp::is_playing);
    step_until(&mut h, "a later frame on screen", |app| app.shown_frame().is_some_and(|f| f > 0));
    assert!(h.state().current_frame().is_some_and(|f| f > 0));
    // Space again pauses; the Play button is back.
    h.key_press(Key::Space);
    step_until(&mut h, "pause", |app| !app.is_playing());
    h.run_steps(2);
    h.get_by_label("Play");
}

#[test]
fn right_arrow_steps_exactly_one_frame() {
    let mut h = open_demo();
    for expected in 1..=3u64 {
        h.key_press(Key::ArrowRight);
        step_until(&mut h, "the next frame", |app| app.current_frame() == Some(expected));
        step_until(&mut h, "it on screen", |app| app.shown_frame() == Some(expected));
    }
    h.run_steps(2);
    h.get_by_label("Frame 3 / 599");
    h.get_by_label("Previous frame").click();
    step_until(&mut h, "one frame back", |app| {
        app.shown_frame() == Some(2) && app.current_frame() == Some(2)
    });
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    step_until(&mut h, "one second on", |app| app.shown_frame() == Some(32));
    h.key_press(Key::End);
    step_until(&mut h, "the last frame", |app| app.shown_frame() == Some(599));
}

#[test]
fn dragging_the_timeline_shows_the_frame_at_that_time() {
    let mut h = open_demo();
    let timeline = h.get_by_label("Timeline").rect();
    let y = timeline.center().y;
    let at = |fraction: f32| Pos2::new(timeline.left() + fraction * timeline.width(), y);
    h.event(Event::PointerMoved(at(0.1)));
    h.event(Event::PointerButton {
        pos: at(0.1),
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    for fraction in [0.2, 0.3, 0.45, 0.6] {
        h.event(Event::PointerMoved(at(fraction)));
        h.step();
    }
    // While dragging, something near is on screen at once.
    step_until(&mut h, "a frame while scrubbing", |app| app.shown_frame().is_some_and(|f| f > 0));
    h.event(Event::PointerButton {
        pos: at(0.6),
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    let target = h.state().current_frame().expect("a frame");
    let time = h.state().time_of(target).expect("time");
    assert!(
        (time - 12.0).abs() <= 1.0 / 30.0 + 1e-9,
        "dropped at 60% of 20 s, got {time} s (frame {target})"
    );
    step_until(&mut h, "the exact frame after the drag", move |app| app.shown_frame() == Some(target));
}

#[test]
fn main_window_snapshot() {
    let mut h = open_demo();
    step_until(&mut h, "all thumbnails", |app| app.thumbnails_loaded() == 40);
    h.run_steps(2);
    // Timings and cache fill differ run to run; everything else must not.
    let status_top = h.get_by_label_contains("Decode time").rect().top() - 4.0;
    h.mask(egui::Rect::from_min_max(Pos2::new(0.0, status_top), Pos2::new(1280.0, 800.0)));
    h.snapshot("main_window");
}

#[test]
fn a_broken_file_shows_a_notice_and_the_app_keeps_going() {
    let dir = vidence_tests::scratch("gui_broken");
    let bad = dir.join("broken.mp4");
    std::fs::write(&bad, b"not a video at all").unwrap();
    let mut h = harness(vec![bad]);
    step_until(&mut h, "an error notice", |app| !app.notices().is_empty());
    assert!(h.state().notices()[0].contains("broken.mp4"), "{:?}", h.state().notices());
    h.run_steps(2);
    h.get_by_label("Dismiss").click();
    h.run_steps(2);
    assert!(h.state().notices().is_empty());
    assert_eq!(h.state().shown_frame(), None);
}

/// A file dropped on the window, as the windowing backend would hand it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_video_on_the_window_opens_it() {
    let clip = vidence_tests::Clip::MkvVariableRate.make(&vidence_tests::scratch("gui_drop"));
    let mut h = harness(Vec::new());
    h.run_steps(2);
    h.get_by_label_contains("Open a video or a dataset");
    h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(clip)));
    step_until(&mut h, "the dropped video's first frame", |app| app.shown_frame() == Some(0));
    h.run_steps(2);
    h.get_by_label("vfr.mkv");
    h.get_by_label_contains("fps VFR");
}

#[test]
fn a_dataset_with_problems_opens_with_a_warning() {
    let demo = demo_dataset();
    let dir = vidence_tests::scratch("gui_invalid");
    std::fs::copy(demo.with_file_name("demo.mp4"), dir.join("demo.mp4")).unwrap();
    let mut data: serde_json::Value = serde_json::from_slice(&std::fs::read(&demo).unwrap()).unwrap();
    data["segments"][0]["end_s"] = serde_json::json!(-1.0);
    let path = dir.join("invalid.vidence.json");
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    let mut h = harness(vec![path]);
    step_until(&mut h, "the video despite the problem", |app| app.shown_frame() == Some(0));
    let notices = h.state().notices().to_vec();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("$.segments[0].end_s"), "{notices:?}");
}
