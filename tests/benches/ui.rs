//! UI frame time with 1,000 boxes on screen, while a dataset of 1,000,000 keyframes
//! saves in the background, with 10,000 model runs of 256 tokens open, and with the
//! Evaluate tab's table of 100,000 scored items scrolling. Drives the real app through egui_kittest;
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
    let data = vidence::bench::data::synthetic_dataset(10, 1000, 100, FRAMES, SIZE, "ui.mp4");
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
    // Only the save's own confirmation.
    let told: Vec<&str> = h.state().notices().into_iter().filter(|n| !n.starts_with("Saved ")).collect();
    assert!(told.is_empty(), "{told:?}");
    assert_eq!(annotate::load(&path).expect("the saved file").tracks.len(), data.tracks.len());

    let runs_ms = runs_frames(&dir);
    let (table_ms, sort_ms, scroll_ms, score_s) = eval_frames(&dir);

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
    println!(
        "The Evaluate tab on 100,000 scored items (scored on a thread in {score_s:.2} s), the video playing: {}; \
         the frame that sorts them by tIoU: {sort_ms:.2} ms; scrolling through them: {}",
        summary(table_ms),
        summary(scroll_ms)
    );
}

/// Frame times with the Evaluate tab listing 100,000 items (when questions and the
/// runs answering them): as it is, the one frame sorting it, and scrolling it. Also
/// how long the scores took on their thread.
fn eval_frames(dir: &std::path::Path) -> (Vec<f64>, f64, Vec<f64>, f64) {
    const ITEMS: usize = 100_000;
    let mut data = vidence::bench::data::synthetic_runs(ITEMS, 0, FRAMES, SIZE, "ui.mp4");
    for (n, run) in data.runs.iter_mut().enumerate() {
        let start = (n % 25) as f64;
        let question = annotate::Question {
            id: format!("q-{n}"),
            video: run.video.clone(),
            kind: annotate::QuestionKind::When,
            text: format!("When does event {n} happen?"),
            options: Vec::new(),
            answer: String::new(),
            evidence: vec![annotate::Evidence::Span { start_s: start, end_s: start + 4.0 }],
            rationale: Vec::new(),
            source: annotate::Provenance::Human,
            review: annotate::Review::Unreviewed,
        };
        let shift = (n % 7) as f64 * 0.7;
        run.prediction.spans =
            vec![annotate::PredictedSpan { label: None, start_s: start + shift, end_s: start + 4.0 }];
        run.answers = Some(annotate::LabelRef::Question(question.id.clone()));
        data.questions.push(question);
    }
    let path = dir.join("eval.vidence.json");
    annotate::save_atomic(&data, &path).expect("write the items");
    let mut h = open(path);
    h.get_by_label("Evaluate").click();
    h.run_steps(2);
    let started = Instant::now();
    h.get_by_label("Score").click();
    let deadline = Instant::now() + Duration::from_secs(300);
    while h.state().eval_scores().is_none_or(|(_, s)| s.items.len() < ITEMS) {
        assert!(Instant::now() < deadline, "the items were not scored");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let score_s = started.elapsed().as_secs_f64();
    h.key_press(Key::Space);
    let table = (0..200).map(|_| frame(&mut h)).collect();
    // The pointer on the table's first row, where the wheel will turn.
    h.get_by_label("Open q-0").hover();
    h.step();
    h.get_by_label("Sort by").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "tIoU").click();
    let sort = frame(&mut h);
    // The first after sorting (q-6's answer ends before it starts: tIoU 0).
    h.get_by_label("Open q-6").hover();
    let scroll = (0..200)
        .map(|_| {
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -60.0),
                modifiers: Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            });
            frame(&mut h)
        })
        .collect();
    assert!(h.query_by_label("Open q-6").is_none(), "the table scrolled past its first row");
    h.key_press(Key::Space);
    (table, sort, scroll, score_s)
}

/// Frame times with a dataset of 10,000 runs open, the Model tab listing them and one
/// on show (its boxes on the canvas, its trace beside).
fn runs_frames(dir: &std::path::Path) -> Vec<f64> {
    let data = vidence::bench::data::synthetic_runs(10_000, 256, FRAMES, SIZE, "ui.mp4");
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
