//! The GUI driven as a person would: through accessibility labels, keys and the
//! pointer, rendered headless with wgpu (Mesa's lavapipe on CI).

use std::path::PathBuf;
use std::sync::OnceLock;

use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use vidence::gui::{Options, VidenceApp};
use vidence_tests::step_until;

mod annotation;
mod dataset_run;
mod evaluate;
mod export_video;
mod first_hour;
mod layout;
mod model;
mod safety;
mod transfer;

#[path = "../../../app/tests/support/openai.rs"]
mod openai;

/// The demo dataset, generated once for all tests in this file.
fn demo_dataset() -> PathBuf {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = vidence_tests::scratch("gui_demo");
        vidence::demo::generate(&dir, vidence::demo::DEFAULT_SEED, vidence::demo::Existing::Refuse)
            .expect("generate demo")
            .dataset
    })
    .clone()
}

/// A copy of the demo dataset and video in a fresh folder, for a test that edits it.
fn demo_copy(name: &str) -> PathBuf {
    let demo = demo_dataset();
    let dir = vidence_tests::scratch(name);
    std::fs::copy(demo.with_file_name("demo.mp4"), dir.join("demo.mp4")).expect("copy the demo video");
    std::fs::copy(&demo, dir.join("demo.vidence.json")).expect("copy the demo dataset");
    dir.join("demo.vidence.json")
}

fn harness(paths: Vec<PathBuf>) -> Harness<'static, VidenceApp> {
    harness_with(paths, Options::default(), [1280.0, 800.0])
}

/// A window of `size` with these options; file dialogs are always the built-in ones,
/// so that a test can answer them.
fn harness_with(paths: Vec<PathBuf>, options: Options, size: [f32; 2]) -> Harness<'static, VidenceApp> {
    let options = Options { file_dialogs: vidence::gui::DialogKind::BuiltIn, ..options };
    Harness::builder().with_size(size).wgpu().build_eframe(move |cc| VidenceApp::new(cc, paths, options))
}

fn open_demo() -> Harness<'static, VidenceApp> {
    let mut h = harness(vec![demo_dataset()]);
    wait_for_first_frame(&mut h);
    h
}

/// Wait for frame 0 on screen, then let the layout settle: a panel is sized by its
/// content of the frame before, so positions read too early can still move.
fn wait_for_first_frame(h: &mut Harness<'static, VidenceApp>) {
    wait_for_frame(h, 0);
}

/// Wait for frame `index` on screen, then let the layout settle.
fn wait_for_frame(h: &mut Harness<'static, VidenceApp>, index: u64) {
    step_until(h, "the frame on screen", |app| app.shown_frame() == Some(index));
    h.run_steps(3);
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
    let path = demo_copy("gui_invalid");
    let mut data: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    data["segments"][0]["end_s"] = serde_json::json!(-1.0);
    std::fs::write(&path, serde_json::to_vec(&data).unwrap()).unwrap();
    let mut h = harness(vec![path]);
    step_until(&mut h, "the video despite the problem", |app| app.shown_frame() == Some(0));
    let notices = h.state().notices().to_vec();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("$.segments[0].end_s"), "{notices:?}");
    // Every problem is listed in the Dataset tab; a click goes to it.
    h.run_steps(2);
    h.get_by_label("Problems (2)");
    let problems = annotate::validate(h.state().dataset().unwrap());
    let p = problems.iter().find(|p| p.path == "$.segments[0].end_s").unwrap();
    h.get_by_label(&format!("{}: {}", p.path, p.message)).click();
    h.run_steps(2);
    let id = h.state().dataset().unwrap().segments[0].id.clone();
    assert_eq!(h.state().selected(), Some(&annotate::LabelRef::Segment(id)));
}

#[test]
fn keyframes_out_of_order_are_repaired_on_open_undoably_and_told() {
    let path = demo_copy("gui_repair");
    let mut data: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let keys = data["tracks"][0]["keyframes"].as_array_mut().unwrap();
    keys.swap(0, 5);
    let on_disk = serde_json::to_vec(&data).unwrap();
    std::fs::write(&path, &on_disk).unwrap();
    let mut h = harness(vec![path.clone()]);
    step_until(&mut h, "the video", |app| app.shown_frame() == Some(0));
    let notices = h.state().notices().to_vec();
    assert!(notices.iter().any(|n| n.contains("keyframes put in frame order")), "{notices:?}");
    let frames = |app: &VidenceApp| -> Vec<u64> {
        app.dataset().unwrap().tracks[0].keyframes.iter().take(6).map(|k| k.frame).collect()
    };
    assert!(frames(h.state()).windows(2).all(|w| w[0] < w[1]), "{:?}", frames(h.state()));
    assert!(annotate::validate(h.state().dataset().unwrap()).is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), on_disk, "the file is left as it was until saved");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(frames(h.state())[0], 5, "undo gives back the order the file had");
}

/// Where a pixel of the 1280x720 demo video lands on screen: fitted and centred.
fn demo_to_screen(h: &Harness<'static, VidenceApp>) -> impl Fn(f32, f32) -> Pos2 + use<> {
    let canvas = h.get_by_label("Video canvas").rect();
    let zoom = (canvas.width() / 1280.0).min(canvas.height() / 720.0);
    let origin = canvas.center() - egui::vec2(640.0, 360.0) * zoom;
    move |x, y| origin + egui::vec2(x, y) * zoom
}

/// Press and release at `at`.
fn click(h: &mut Harness<'static, VidenceApp>, at: Pos2) {
    h.event(Event::PointerMoved(at));
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos: at,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    h.step();
}

/// Press at `from`, move to `to` over a few frames, release.
fn drag(h: &mut Harness<'static, VidenceApp>, from: Pos2, to: Pos2) {
    drag_over(h, from, to, 4);
}

/// [`drag`], moving over `frames` frames.
fn drag_over(h: &mut Harness<'static, VidenceApp>, from: Pos2, to: Pos2, frames: u32) {
    h.event(Event::PointerMoved(from));
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    for i in 1..=frames {
        h.event(Event::PointerMoved(from + (to - from) * (i as f32 / frames as f32)));
        h.step();
    }
    h.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    h.step();
}

fn new_track(app: &VidenceApp) -> Option<annotate::Track> {
    app.dataset()?.track("track-1").cloned()
}

#[test]
fn draw_a_box_step_move_it_and_the_frames_between_interpolate() {
    // A copy of the demo: this test edits and saves.
    let dataset = demo_copy("gui_draw");
    let mut h = harness(vec![dataset.clone()]);
    wait_for_first_frame(&mut h);
    assert_eq!(h.state().dataset().map(|d| d.tracks.len()), Some(5));

    let screen = demo_to_screen(&h);

    h.key_press(Key::N);
    h.step();
    drag(&mut h, screen(100.0, 550.0), screen(260.0, 650.0));
    let track = new_track(h.state()).expect("a new track");
    assert_eq!(h.state().title(), "demo.vidence.json * — Vidence", "unsaved edits mark the title");
    h.run_steps(2);
    h.get_by_label("* 1 unsaved edit(s)");
    assert_eq!(track.keyframes.len(), 1);
    assert_eq!(track.keyframes[0].frame, 0);
    let drawn = track.keyframes[0].bbox.0;
    for (got, want) in drawn.iter().zip([100.0, 550.0, 260.0, 650.0]) {
        assert!((got - want).abs() < 1.0, "drawn box {drawn:?}");
    }
    assert_eq!(h.state().selected_track(), Some("track-1"));

    for _ in 0..10 {
        h.key_press(Key::ArrowRight);
        h.step();
    }
    step_until(&mut h, "frame 10", |app| app.shown_frame() == Some(10) && app.current_frame() == Some(10));
    drag(&mut h, screen(180.0, 600.0), screen(380.0, 500.0));
    let track = new_track(h.state()).expect("the track");
    assert_eq!(
        track.keyframes.iter().map(|k| k.frame).collect::<Vec<_>>(),
        [0, 10],
        "moving made a keyframe"
    );
    let moved = track.keyframes[1].bbox.0;
    for (got, want) in moved.iter().zip([300.0, 450.0, 460.0, 550.0]) {
        assert!((got - want).abs() < 1.0, "moved box {moved:?}");
    }
    let between = track.box_at(5).expect("interpolated").bbox.0;
    for i in 0..4 {
        assert!((between[i] - (drawn[i] + moved[i]) / 2.0).abs() < 1e-3, "frame 5 is halfway: {between:?}");
    }

    // Undo the move, then the box; redo both.
    let ctrl = Modifiers::COMMAND;
    h.key_press_modifiers(ctrl, Key::Z);
    h.step();
    assert_eq!(new_track(h.state()).map(|t| t.keyframes.len()), Some(1));
    h.key_press_modifiers(ctrl, Key::Z);
    h.step();
    assert!(new_track(h.state()).is_none());
    h.key_press_modifiers(ctrl | Modifiers::SHIFT, Key::Z);
    h.step();
    h.key_press_modifiers(ctrl | Modifiers::SHIFT, Key::Z);
    h.step();
    assert_eq!(new_track(h.state()).map(|t| t.keyframes.len()), Some(2));

    // Save runs in the background; the file then holds the edits.
    h.get_by_label("Save").click();
    h.step();
    step_until(&mut h, "the save", |app| {
        !app.is_saving() && annotate::load(&dataset).unwrap().tracks.len() == 6
    });
    let saved = annotate::load(&dataset).unwrap();
    assert_eq!(saved.tracks.iter().find(|t| t.id == "track-1").map(|t| t.keyframes.len()), Some(2));
    assert_eq!(
        h.state().notices(),
        ["Saved demo.vidence.json."],
        "a save is confirmed, and nothing else said"
    );
    assert_eq!(h.state().title(), "demo.vidence.json — Vidence");
    h.get_by_label("All saved");
}

#[test]
fn select_a_track_and_split_it_delete_from_here_and_undo() {
    let mut h = harness(vec![demo_copy("gui_select")]);
    wait_for_first_frame(&mut h);
    let triangle = |app: &VidenceApp| {
        app.dataset().and_then(|d| d.tracks.iter().find(|t| t.id == "track-green-triangle").cloned())
    };
    let original = triangle(h.state()).expect("the demo's triangle track");
    let b = original.box_at(0).expect("in view on frame 0").bbox.0;

    // Click the middle of its box.
    let screen = demo_to_screen(&h);
    click(&mut h, screen((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0));
    assert_eq!(h.state().selected_track(), Some("track-green-triangle"));
    h.get_by_label("Track track-green-triangle");

    h.get_by_label("Next keyframe").click();
    step_until(&mut h, "frame 1", |app| app.current_frame() == Some(1));
    h.run_steps(1);
    h.get_by_label("Split here").click();
    h.run_steps(2);
    let data = h.state().dataset().unwrap();
    let head = data.tracks.iter().find(|t| t.id == "track-green-triangle").unwrap();
    let tail = data.tracks.iter().find(|t| t.id == "track-green-triangle-2").expect("the split-off track");
    assert_eq!(head.keyframes.len(), 1);
    assert_eq!(tail.keyframes.first().map(|k| k.frame), Some(1));
    assert_eq!(head.keyframes.len() + tail.keyframes.len(), original.keyframes.len());

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(triangle(h.state()).as_ref(), Some(&original), "undo puts the track back together");
    assert_eq!(h.state().dataset().unwrap().tracks.len(), 5);

    h.get_by_label("Delete track from here").click();
    h.run_steps(2);
    let cut = triangle(h.state()).unwrap();
    assert_eq!(cut.keyframes.len(), 2, "frame 0, then outside from frame 1");
    assert!(cut.box_at(1).is_none() && cut.box_at(300).is_none());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(triangle(h.state()).as_ref(), Some(&original));
}
