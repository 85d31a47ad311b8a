//! The view written out: Ctrl+Shift+S saves the frame on screen with its labels and
//! the run on show; Export video… renders the whole video on a worker, with progress,
//! and Cancel leaves nothing behind.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use vidence::gui::Options;
use vidence_tests::step_until;

use super::first_hour::dialog_field;
use super::{demo_copy, harness_with, wait_for_frame};

/// Pixels of `rgb` within 40 of `color` on every channel.
fn near(rgb: &[u8], color: [u8; 3]) -> usize {
    rgb.chunks_exact(3).filter(|p| p.iter().zip(color).all(|(a, b)| a.abs_diff(b) <= 40)).count()
}

#[test]
fn the_view_is_saved_as_a_picture_and_exported_as_a_video_that_can_be_cancelled() {
    let dataset = demo_copy("gui_export_video");
    // 2.0 s: the example run gives the triangle's box there.
    let options = Options { start_time: Some(2.0), ..Options::default() };
    let mut h = harness_with(vec![dataset.clone()], options, [1280.0, 800.0]);
    wait_for_frame(&mut h, 60);
    h.get_by_label("Model").click();
    h.run_steps(2);
    h.get_by_label_contains("run-1 · answer").click();
    h.run_steps(3);
    assert_eq!(h.state().predictions_on_screen().len(), 1);

    // Ctrl+Shift+S: the frame with its labels and the run's box, beside the dataset.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    step_until(&mut h, "the view saved", |app| app.notices().iter().any(|n| n.starts_with("Saved the view")));
    let picture = dataset.with_file_name("demo-frame-60.png");
    let saved = image::open(&picture).expect("the picture is beside the dataset").to_rgb8();
    let mut video = viewer::VideoSource::open(dataset.with_file_name("demo.mp4")).unwrap();
    let plain = video.frame(60).unwrap().to_rgb().unwrap();
    assert_eq!((saved.width(), saved.height()), (1280, 720));
    let magenta = [255, 64, 200];
    assert!(near(&saved, magenta) > near(&plain, magenta) + 200, "the run's box is drawn in its colour");
    assert_eq!(h.state().dataset().map(|d| d.runs.len()), Some(1), "nothing was edited");

    // Export video…, then Cancel: the export stops and leaves no file.
    let out = dataset.with_file_name("demo.rendered.mp4");
    let export = |h: &mut egui_kittest::Harness<'static, vidence::gui::VidenceApp>| {
        h.get_by_label("Export video…").click();
        h.run_steps(3);
        dialog_field(h, "demo.rendered.mp4").focus();
        h.step();
        h.key_press(Key::Enter);
        step_until(h, "frames rendered", |app| app.video_export().is_some_and(|(done, _)| done > 0));
    };
    export(&mut h);
    assert_eq!(h.state().video_export().map(|(_, total)| total), Some(600));
    h.get_by_label("Cancel export").click();
    step_until(&mut h, "the export to end", |app| app.video_export().is_none());
    h.run_steps(2);
    assert!(h.state().notices().iter().any(|n| n.contains("not exported") && n.contains("stopped")));
    assert!(!out.exists());
    let hidden: Vec<_> = std::fs::read_dir(dataset.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");

    // Again, to the end: every frame of the video, the window drawing meanwhile.
    export(&mut h);
    let mut frames = 0;
    while h.state().video_export().is_some() {
        h.step();
        frames += 1;
        assert!(frames < 200_000, "the export never ended");
    }
    h.run_steps(2);
    assert!(
        h.state().notices().iter().any(|n| n.starts_with("Exported 600 frames")),
        "{:?}",
        h.state().notices()
    );
    assert_eq!(viewer::VideoSource::open(&out).unwrap().index().len(), 600);
    assert!(frames > 10, "the window kept drawing while it rendered ({frames} frames)");
}
