//! UI frame time while the model runs on the CPU: the demo playing, a question asked
//! of a random-weight Qwen3-VL (12 text layers of width 1024, 8 vision layers) about
//! 32 sampled frames, 64 tokens generated. Drives the real app through egui_kittest
//! at 60 frames a second; a frame's time is the GUI thread's work (`Harness::step`).
//! Then every question of the demo through Run on dataset…, its answers added as they come.
//! Run by `scripts/bench.sh`.

use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use vidence::gui::{Options, VidenceApp};
use vidence_tests::step_until;

const CONFIG: &str = r#"{
    "image_token_id": 5, "video_token_id": 6, "vision_start_token_id": 3, "vision_end_token_id": 4,
    "tie_word_embeddings": true,
    "text_config": {"vocab_size": 320, "hidden_size": 1024, "intermediate_size": 3072,
        "num_hidden_layers": 12, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 64,
        "rms_norm_eps": 1e-6, "rope_theta": 5000000, "rope_scaling": {"mrope_section": [8, 12, 12]}},
    "vision_config": {"depth": 8, "hidden_size": 512, "intermediate_size": 2048, "num_heads": 8,
        "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": 1024,
        "num_position_embeddings": 2304, "deepstack_visual_indexes": [1, 3, 5]}
}"#;

/// One UI frame, then a wait for the rest of a 60 Hz display's frame: the harness
/// clock moves 1/60 s a step too, so playback runs in real time and the video frames
/// shown tell whether decoding kept up.
fn frame_ms(h: &mut Harness<'static, VidenceApp>) -> f64 {
    let started = Instant::now();
    h.step();
    let took = started.elapsed();
    std::thread::sleep(Duration::from_secs_f64(1.0 / 60.0).saturating_sub(took));
    took.as_secs_f64() * 1e3
}

fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    format!("n={} median {:.2} ms, p95 {:.2} ms, max {:.2} ms", ms.len(), at(0.5), at(0.95), at(1.0))
}

fn main() {
    let checkpoint = vidence_tests::endless_qwen3_vl("bench_ui_model", CONFIG);
    let demo = vidence::demo::generate(
        &vidence_tests::scratch("bench_ui_model_demo"),
        7,
        vidence::demo::Existing::Refuse,
    )
    .expect("demo");
    let paths = vec![demo.dataset];
    let mut h = Harness::builder()
        .with_size([1280.0, 1300.0])
        .with_step_dt(1.0 / 60.0)
        .wgpu()
        .build_eframe(move |cc| VidenceApp::new(cc, paths, Options::default()));
    step_until(&mut h, "the first frame", |app| app.shown_frame() == Some(0));
    h.run_steps(3);
    h.get_by_label("Model").click();
    h.run_steps(2);
    h.get_by_label("Checkpoint").focus();
    h.step();
    h.get_by_label("Checkpoint").type_text(checkpoint.to_str().expect("a UTF-8 path"));
    h.key_press(Key::Escape);
    h.run_steps(2);
    h.get_by_label("Load").click();
    h.run_steps(2);
    step_until(&mut h, "the model", |app| !app.model_state().starts_with("Loading"));
    assert!(h.state().model_state().starts_with("Ready"), "{}", h.state().model_state());
    h.get_by_label("Prompt").focus();
    h.step();
    h.get_by_label("Prompt").type_text("What happens to the red circle?");
    h.key_press(Key::Escape);
    h.get_by_label("Max tokens").set_value_accesskit(64.0);
    h.run_steps(2);

    // Playing without the model first, then with a run going.
    h.key_press(Key::Space);
    let mut shown = std::collections::BTreeSet::new();
    let idle: Vec<f64> = (0..120)
        .map(|_| {
            let ms = frame_ms(&mut h);
            shown.extend(h.state().shown_frame());
            ms
        })
        .collect();
    let idle_shown = std::mem::take(&mut shown).len();
    h.get_by_label("Run").click();
    let started = Instant::now();
    // The click's action is carried out the frame after.
    step_until(&mut h, "the run to start", |app| app.live_tokens().is_some());
    let mut busy = Vec::new();
    let mut first_token = None;
    while h.state().live_tokens().is_some() || busy.is_empty() {
        busy.push(frame_ms(&mut h));
        shown.extend(h.state().shown_frame());
        if first_token.is_none() && h.state().live_tokens().is_some_and(|n| n > 0) {
            first_token = Some(started.elapsed().as_secs_f64());
        }
    }
    let run_s = started.elapsed().as_secs_f64();
    let Some(run) = h.state().shown_run().cloned() else { panic!("no run: {:?}", h.state().notices()) };
    assert!(h.state().notices().is_empty(), "{:?}", h.state().notices());

    // Every question of the demo asked by Run on dataset…, each answer added as it comes.
    h.get_by_label("Max tokens").set_value_accesskit(16.0);
    h.get_by_label("Run on dataset…").click();
    h.run_steps(2);
    h.get_by_label("Run on dataset").click();
    let started = Instant::now();
    step_until(&mut h, "the run over the dataset to start", |app| app.dataset_run().is_some());
    let (mut during, mut dataset_shown) = (Vec::new(), std::collections::BTreeSet::new());
    while h.state().dataset_run().is_some() || during.is_empty() {
        during.push(frame_ms(&mut h));
        dataset_shown.extend(h.state().shown_frame());
    }
    let dataset_s = started.elapsed().as_secs_f64();
    let data = h.state().dataset().expect("the demo");
    let answered = data.runs.iter().filter(|r| r.call.is_some()).count();
    assert_eq!(answered, data.questions.len(), "{:?}", h.state().notices());

    println!("Machine: {}", model::machine::describe());
    println!(
        "Model run: {} frames sampled, {} tokens, first token after {:.2} s, done after {run_s:.2} s",
        run.settings.frames_s.len(),
        run.tokens.len(),
        first_token.unwrap_or(f64::NAN)
    );
    println!(
        "Frame time playing, no model run: {} ({idle_shown} distinct video frames shown)",
        summary(idle)
    );
    println!(
        "Frame time playing during the run: {} ({} distinct video frames shown)",
        summary(busy),
        shown.len()
    );
    println!(
        "Frame time during Run on dataset ({answered} questions answered in {dataset_s:.1} s, each added as it came): {} ({} distinct video frames shown)",
        summary(during),
        dataset_shown.len()
    );
}
