//! UI frame time with 1,000 boxes on screen, while a dataset of 1,000,000 keyframes
//! saves in the background, and with 10,000 model runs of 256 tokens open. Drives the real app through egui_kittest;
//! a frame's time is the GUI thread's work: the app's logic and layout
//! (`Harness::step`) plus tessellation. Run by `scripts/bench.sh`.

use std::time::{Duration, Instant};

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use vidence::gui::{Options, VidenceApp};
use viewer::encode::{EncodeSettings, VideoWriter};

const FRAMES: u64 = 1000;
const SIZE: (u32, u32) = (640, 360);

/// One UI frame: run the app, then tessellate what it painted.
fn frame(h: &mut Harness<'static, VidenceApp>) -> f64 {
    let started = Instant::now();
    h.step();
    let stepped = started.elapsed();
    let output = h.output();
    let (shapes, ppp) = (output.shapes.clone(), output.pixels_per_point);
    let started = Instant::now();
    let meshes = h.ctx.tessellate(shapes, ppp);
    std::hint::black_box(meshes);
    (stepped + started.elapsed()).as_secs_f64() * 1e3
}

/// The window on the dataset at `path`, once its first frame is on screen.
fn open(path: std::path::PathBuf) -> Harness<'static, VidenceApp> {
    let paths = vec![path];
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .wgpu()
        .build_eframe(move |cc| VidenceApp::new(cc, paths, Options::default()));
    let deadline = Instant::now() + Duration::from_secs(120);
    while h.state().shown_frame() != Some(0) {
        assert!(Instant::now() < deadline, "the dataset did not open");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    h
}

fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    format!("n={} median {:.2} ms, p95 {:.2} ms, max {:.2} ms", ms.len(), at(0.5), at(0.95), at(1.0))
}

fn main() {
    let dir = std::env::temp_dir().join("vidence-bench-ui");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench folder");
    let video = dir.join("ui.mp4");
    let mut writer =
        VideoWriter::create(&video, &EncodeSettings::h264(SIZE.0, SIZE.1, 30)).expect("create the video");
    for i in 0..FRAMES {
        writer.write_rgb(&vidence_tests::pattern(SIZE.0, SIZE.1, i), i as i64).expect("encode");
    }
    writer.finish().expect("finish the video");
    // Ten videos of 1,000 tracks with 100 keyframes each; every track of the video on
    // screen spans it all.
    let data = vidence::bench::synthetic_dataset(10, 1000, 100, FRAMES, SIZE, "ui.mp4");
    let path = dir.join("ui.vidence.json");
    annotate::save_atomic(&data, &path).expect("write the dataset");
    let keyframes: usize = data.tracks.iter().map(|t| t.keyframes.len()).sum();
    let visible = data.tracks_of("v0").filter(|t| t.box_at(0).is_some()).count();

    let mut h = open(path.clone());

    // Playing, with every box of the video on screen.
    h.key_press(Key::Space);
    let mut playing = Vec::new();
    let mut shown = std::collections::BTreeSet::new();
    for _ in 0..300 {
        playing.push(frame(&mut h));
        shown.extend(h.state().shown_frame());
    }
    h.key_press(Key::Space);
    h.step();

    // Saving 1,000,000 keyframes in the background while frames go on.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    let started = Instant::now();
    let mut saving = vec![frame(&mut h)];
    assert!(h.state().is_saving(), "Ctrl+S started a save");
    while h.state().is_saving() && saving.len() < 20 {
        saving.push(frame(&mut h));
    }
    // An edit while the save holds the data: the one frame that copies it.
    h.key_press(Key::V);
    h.key_press(Key::A);
    let edit_ms = frame(&mut h);
    let edited_during_save = h.state().is_saving();
    while h.state().is_saving() {
        saving.push(frame(&mut h));
    }
    let save_s = started.elapsed().as_secs_f64();
    assert!(h.state().notices().is_empty(), "{:?}", h.state().notices());
    assert_eq!(annotate::load(&path).expect("the saved file").tracks.len(), data.tracks.len());

    let runs_ms = runs_frames(&dir);

    println!("Machine: {}", model::machine::describe());
    println!(
        "Dataset: {} tracks, {keyframes} keyframes, {:.0} MB; {visible} boxes on every frame of the video shown",
        data.tracks.len(),
        std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6)
    );
    println!("Frame time while playing: {} ({} distinct video frames shown)", summary(playing), shown.len());
    println!("Background save: {save_s:.2} s; frame time meanwhile, without edits: {}", summary(saving));
    println!(
        "An edit during the save (review mode, accept): a {edit_ms:.2} ms frame{}",
        if edited_during_save {
            ", copying the data the save holds"
        } else {
            " (the save had already finished)"
        }
    );
    println!(
        "10,000 model runs of 256 tokens, the Model tab open and one run's evidence on show: {}",
        summary(runs_ms)
    );
}

/// Frame times with a dataset of 10,000 runs open, the Model tab listing them and one
/// on show (its boxes on the canvas, its trace beside).
fn runs_frames(dir: &std::path::Path) -> Vec<f64> {
    let data = vidence::bench::synthetic_runs(10_000, 256, FRAMES, SIZE, "ui.mp4");
    let path = dir.join("runs.vidence.json");
    annotate::save_atomic(&data, &path).expect("write the runs");
    let mut h = open(path);
    h.get_by_label("Model").click();
    h.run_steps(2);
    h.get_by_label_contains("run-0 · answer").click();
    h.run_steps(2);
    assert!(h.state().shown_run().is_some(), "a run on show");
    h.key_press(Key::Space);
    let ms = (0..200).map(|_| frame(&mut h)).collect();
    h.key_press(Key::Space);
    ms
}
