//! A newcomer's first hour: annotating a bare video, dialogs that always answer,
//! every key press counted, Esc closing what is open first.

use egui::accesskit::Role;
use egui::{Event, Key, Modifiers, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use vidence::gui::VidenceApp;
use vidence_tests::{Clip, step_until};

use super::{Dropped, demo_copy, drag, harness, new_track, open_demo, wait_for_first_frame};

fn press(h: &mut Harness<'static, VidenceApp>, key: Key, modifiers: Modifiers) {
    h.event(Event::Key { key, physical_key: None, pressed: true, repeat: false, modifiers });
}

/// Where pixel (x, y) of a `w`x`h` video lands on the fitted canvas.
fn to_screen(h: &Harness<'static, VidenceApp>, w: f32, ht: f32) -> impl Fn(f32, f32) -> Pos2 + use<> {
    let canvas = h.get_by_label("Video canvas").rect();
    let zoom = (canvas.width() / w).min(canvas.height() / ht);
    let origin = canvas.center() - egui::vec2(w / 2.0, ht / 2.0) * zoom;
    move |x, y| origin + egui::vec2(x, y) * zoom
}

#[test]
fn ten_presses_in_one_frame_step_ten_frames_and_undo_ten_edits() {
    let mut h = harness(vec![demo_copy("gui_presses")]);
    wait_for_first_frame(&mut h);
    for _ in 0..10 {
        press(&mut h, Key::ArrowRight, Modifiers::NONE);
    }
    h.step();
    step_until(&mut h, "ten frames on", |app| app.current_frame() == Some(10));
    // A key held down repeats: each repeat is a step too.
    for repeat in [false, true, true] {
        h.event(Event::Key {
            key: Key::ArrowLeft,
            physical_key: None,
            pressed: true,
            repeat,
            modifiers: Modifiers::NONE,
        });
    }
    h.step();
    step_until(&mut h, "three frames back", |app| app.current_frame() == Some(7));

    let original = h.state().dataset().cloned();
    let screen = super::demo_to_screen(&h);
    h.key_press(Key::N);
    h.step();
    drag(&mut h, screen(100.0, 500.0), screen(200.0, 600.0));
    h.key_press(Key::Q);
    h.step();
    h.key_press(Key::Q);
    h.step();
    assert_eq!(new_track(h.state()).map(|t| t.keyframes.len()), Some(1));
    for _ in 0..3 {
        press(&mut h, Key::Z, Modifiers::COMMAND);
    }
    h.step();
    h.step();
    assert_eq!(h.state().dataset().cloned(), original, "three Ctrl+Z in one frame undo three edits");
}

#[test]
fn n_then_a_drag_in_the_same_frame_draws() {
    let mut h = harness(vec![demo_copy("gui_n_drag")]);
    wait_for_first_frame(&mut h);
    let screen = super::demo_to_screen(&h);
    let (from, to) = (screen(300.0, 300.0), screen(420.0, 380.0));
    // The key is queued, then the drag's press: both arrive in one frame.
    press(&mut h, Key::N, Modifiers::NONE);
    drag(&mut h, from, to);
    h.run_steps(2);
    let track = new_track(h.state()).expect("the drag drew a box, not a pan or a move");
    let b = track.keyframes[0].bbox.0;
    for (got, want) in b.iter().zip([300.0, 300.0, 420.0, 380.0]) {
        assert!((got - want).abs() < 1.0, "drawn {b:?}");
    }
}

#[test]
fn a_bare_video_is_annotated_in_a_new_dataset_and_dropped_videos_join_it() {
    let dir = vidence_tests::scratch("gui_bare");
    let clip = Clip::Mp4H264BFrames.make(&dir);
    let mut h = harness(vec![clip.clone()]);
    step_until(&mut h, "the first frame", |app| app.shown_frame() == Some(0));
    h.run_steps(2);
    assert!(h.query_by_label("Objects").is_none(), "a bare video has no label tabs yet");
    h.get_by_label("Annotate this video").click();
    step_until(&mut h, "the new dataset", |app| app.dataset().is_some());
    h.run_steps(2);
    let path = dir.join("h264_bframes.json");
    let written = annotate::load(&path).expect("the new dataset is on disk");
    assert_eq!(written.videos.len(), 1);
    let video = &written.videos[0];
    assert_eq!((video.id.as_str(), video.path.as_str()), ("h264_bframes", "h264_bframes.mp4"));
    assert_eq!((video.width, video.height, video.frame_count), (Clip::WIDTH, Clip::HEIGHT, Clip::FRAMES));
    h.get_by_label("Objects");
    assert_eq!(h.state().shown_frame(), Some(0), "the video stays on screen");

    // Drawing is on: drag a box.
    let screen = to_screen(&h, Clip::WIDTH as f32, Clip::HEIGHT as f32);
    drag(&mut h, screen(20.0, 20.0), screen(80.0, 60.0));
    let track = new_track(h.state()).expect("a box on the new dataset");
    assert_eq!(track.video, "h264_bframes");

    // Two more videos dropped on the window join the dataset in one undoable edit.
    let hevc = Clip::Mp4Hevc.make(&dir);
    let vp9 = Clip::WebmVp9.make(&dir);
    for file in [&hevc, &vp9] {
        h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(file.clone())));
    }
    step_until(&mut h, "the videos added", |app| app.dataset().is_some_and(|d| d.videos.len() == 3));
    let ids: Vec<String> = h.state().dataset().unwrap().videos.iter().map(|v| v.id.clone()).collect();
    assert_eq!(ids, ["h264_bframes", "hevc", "vp9"]);
    step_until(&mut h, "the first added video on screen", |app| app.shown_video() == Some("hevc"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().dataset().unwrap().videos.len(), 1, "one undo takes both back");
    step_until(&mut h, "the dataset's own video back on screen", |app| {
        app.shown_video() == Some("h264_bframes") && app.shown_frame().is_some()
    });
}

#[test]
fn n_on_a_bare_video_starts_a_dataset_beside_it_without_overwriting() {
    let dir = vidence_tests::scratch("gui_bare_n");
    let clip = Clip::Mp4H264BFrames.make(&dir);
    std::fs::write(dir.join("h264_bframes.json"), "someone else's file").unwrap();
    let mut h = harness(vec![clip]);
    step_until(&mut h, "the first frame", |app| app.shown_frame() == Some(0));
    // Twice in one frame: one dataset.
    press(&mut h, Key::N, Modifiers::NONE);
    press(&mut h, Key::N, Modifiers::NONE);
    step_until(&mut h, "the new dataset", |app| app.dataset().is_some());
    h.run_steps(5);
    assert!(annotate::load(&dir.join("h264_bframes-2.json")).is_ok());
    assert!(!dir.join("h264_bframes-3.json").exists(), "a second press started no second dataset");
    assert_eq!(std::fs::read_to_string(dir.join("h264_bframes.json")).unwrap(), "someone else's file");
    assert!(h.state().notices().iter().all(|n| !n.contains("No dataset")), "{:?}", h.state().notices());
}

/// The built-in browser's text field holding `value` (its folder or file name).
pub(super) fn dialog_field<'a>(h: &'a Harness<'static, VidenceApp>, value: &str) -> egui_kittest::Node<'a> {
    h.get_all_by_role(Role::TextInput)
        .find(|n| n.value().as_deref() == Some(value))
        .unwrap_or_else(|| panic!("no text field holding {value:?}"))
}

/// Type `path` into the built-in browser's folder field and press Enter.
fn type_path(h: &mut Harness<'static, VidenceApp>, folder: &std::path::Path, path: &std::path::Path) {
    let shown = folder.display().to_string();
    dialog_field(h, &shown).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    dialog_field(h, &shown).type_text(&path.display().to_string());
    h.step();
    h.key_press(Key::Enter);
    h.run_steps(3);
}

#[test]
fn a_moved_video_opens_its_dataset_anyway_and_is_located_checked() {
    let dataset = demo_copy("gui_moved");
    let dir = dataset.parent().unwrap().to_path_buf();
    std::fs::create_dir_all(dir.join("elsewhere")).unwrap();
    let moved = dir.join("elsewhere/renamed.mp4");
    std::fs::rename(dir.join("demo.mp4"), &moved).unwrap();
    let wrong = Clip::Mp4Hevc.make(&dir.join("elsewhere"));

    let mut h = harness(vec![dataset.clone()]);
    step_until(&mut h, "the dataset without its video", |app| {
        app.dataset().is_some() && !app.notices().is_empty()
    });
    h.run_steps(2);
    assert_eq!(h.state().dataset().map(|d| d.tracks.len()), Some(5), "the labels are there");

    // The wrong video is refused: its size and frame count differ.
    h.get_by_label("Locate…").click();
    h.run_steps(3);
    type_path(&mut h, &dir, &wrong);
    step_until(&mut h, "the refusal", |app| app.notices().iter().any(|n| n.contains("is not the video")));
    assert!(h.state().notices().iter().any(|n| n.contains("frames recorded")), "{:?}", h.state().notices());
    assert_eq!(h.state().dataset().unwrap().videos[0].path, "demo.mp4");

    h.get_by_label("Locate…").click();
    h.run_steps(3);
    type_path(&mut h, &dir, &moved);
    step_until(&mut h, "the moved video on screen", |app| app.shown_frame() == Some(0));
    assert_eq!(h.state().dataset().unwrap().videos[0].path, "elsewhere/renamed.mp4");
    h.get_by_label("Save").click();
    step_until(&mut h, "the save", |app| {
        !app.is_saving()
            && annotate::load(&dataset).is_ok_and(|d| d.videos[0].path == "elsewhere/renamed.mp4")
    });
}

#[test]
fn save_as_in_the_changed_on_disk_dialog_answers_with_the_built_in_browser() {
    let dataset = demo_copy("gui_conflict_save_as");
    let mut h = harness(vec![dataset.clone()]);
    wait_for_first_frame(&mut h);
    h.key_press(Key::V);
    h.step();
    h.key_press(Key::A);
    h.step();
    let mut theirs = annotate::load(&dataset).unwrap();
    theirs.categories[0].name = "changed elsewhere".into();
    annotate::save_atomic(&theirs, &dataset).unwrap();
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    step_until(&mut h, "the conflict", VidenceApp::has_conflict);
    h.run_steps(2);
    // The dialog's button, over the top bar's.
    h.get_all_by_label("Save as…").last().expect("the dialog's Save as…").click();
    h.run_steps(3);
    let elsewhere = dataset.with_file_name("mine.json");
    let name_field = dialog_field(&h, "demo.vidence.json");
    name_field.focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    dialog_field(&h, "demo.vidence.json").type_text("mine.json");
    h.step();
    h.key_press(Key::Enter);
    step_until(&mut h, "the copy saved elsewhere", |app| !app.is_saving() && elsewhere.exists());
    let saved = annotate::load(&elsewhere).unwrap();
    assert!(saved.tracks.iter().any(|t| t.review == annotate::Review::Accepted), "the review was saved");
}

#[test]
fn esc_closes_the_help_before_it_deselects() {
    let mut h = open_demo();
    let screen = super::demo_to_screen(&h);
    let b = h.state().dataset().unwrap().tracks[0].box_at(0).unwrap().bbox.0;
    super::click(&mut h, screen((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0));
    assert!(h.state().selected_track().is_some());
    h.key_press(Key::F1);
    h.run_steps(2);
    h.get_by_label("Keyboard shortcuts");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(h.query_by_label("Keyboard shortcuts").is_none(), "Esc closed the help");
    assert!(h.state().selected_track().is_some(), "and left the selection alone");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(h.state().selected_track().is_none());
}

#[test]
fn the_category_menu_makes_a_category_and_new_boxes_take_the_last_used() {
    let mut h = harness(vec![demo_copy("gui_category")]);
    wait_for_first_frame(&mut h);
    let screen = super::demo_to_screen(&h);
    let b = h.state().dataset().unwrap().track("track-blue-square").unwrap().box_at(0).unwrap().bbox.0;
    super::click(&mut h, screen((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0));
    h.run_steps(2);
    h.get_by_label("Category").click();
    h.run_steps(2);
    h.get_by_label("New category").focus();
    h.step();
    h.get_by_label("New category").type_text("bicycle");
    h.step();
    h.key_press(Key::Enter);
    h.run_steps(3);
    let data = h.state().dataset().unwrap();
    let made = data.categories.iter().find(|c| c.name == "bicycle").expect("a category named bicycle");
    assert_eq!(data.track("track-blue-square").unwrap().category, made.id);
    let made = made.id.clone();
    h.get_by_label("as bicycle");

    // A new box takes it.
    h.key_press(Key::Escape);
    h.key_press(Key::N);
    h.step();
    drag(&mut h, screen(100.0, 500.0), screen(200.0, 600.0));
    assert_eq!(new_track(h.state()).map(|t| t.category), Some(made.clone()), "the category last used");
    // One undo takes the box back, the next the category with its use.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(h.state().dataset().unwrap().category(&made).is_none());
}
