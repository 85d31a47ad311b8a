//! Model evidence through the GUI: asking a tiny random-weight model (tokens stream
//! in, a run can be cancelled), a recorded output read by the real parser shown on
//! the canvas and the timeline, the reasoning trace's chips, accepting and rejecting
//! evidence with undo, and runs saved and reopened exactly.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use annotate::{EvidenceItem, LabelRef, Provenance, Review};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::kittest::Queryable;
use vidence::gui::{Options, VidenceApp};

use super::{Harness, click, demo_copy, step_until, wait_for_first_frame};

/// A window tall enough for the model panel and the trace to fit without scrolling.
fn tall_harness(paths: Vec<PathBuf>, options: Options) -> Harness<'static, VidenceApp> {
    Harness::builder()
        .with_size([1280.0, 1300.0])
        .wgpu()
        .build_eframe(move |cc| VidenceApp::new(cc, paths, options))
}

pub(super) fn open(name: &str) -> (Harness<'static, VidenceApp>, PathBuf) {
    open_with(name, Options::default())
}

fn open_with(name: &str, options: Options) -> (Harness<'static, VidenceApp>, PathBuf) {
    let path = demo_copy(name);
    let mut h = tall_harness(vec![path.clone()], options);
    wait_for_first_frame(&mut h);
    h.get_by_label("Model").click();
    h.run_steps(2);
    (h, path)
}

pub(super) fn type_into(h: &mut Harness<'static, VidenceApp>, field: &str, text: &str) {
    h.get_by_label(field).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label(field).type_text(text);
    h.step();
}

/// Click a button and let the app take it in.
pub(super) fn press(h: &mut Harness<'static, VidenceApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

fn seek_seconds(h: &mut Harness<'static, VidenceApp>, seconds: u64) {
    h.key_press(Key::Home);
    for _ in 0..seconds {
        h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    }
    step_until(h, "the time", move |app| app.shown_frame() == Some(seconds * 30));
}

fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let area = |r: [f32; 4]| (r[2] - r[0]) * (r[3] - r[1]);
    w * h / (area(a) + area(b) - w * h)
}

#[test]
fn a_recorded_output_shows_its_boxes_at_their_frames_and_a_trajectory_becomes_a_track() {
    let (mut h, _) = open("gui_model_paste");
    // Qwen3-VL's grounding JSON for the blue square at 1, 3, 5 and 7 s, on its 0-1000
    // grid, from the demo's ground truth.
    let truth = h.state().dataset().unwrap().track("track-blue-square").unwrap().clone();
    let entries: Vec<String> = [1u64, 3, 5, 7]
        .iter()
        .map(|&s| {
            let [x1, y1, x2, y2] = truth.box_at(s * 30).unwrap().bbox.0;
            let g = |v: f32, size: f32| (v / size * 1000.0).round();
            format!(
                r#"{{"time": {s}.0, "bbox_2d": [{}, {}, {}, {}], "label": "blue square"}}"#,
                g(x1, 1280.0),
                g(y1, 720.0),
                g(x2, 1280.0),
                g(y2, 720.0)
            )
        })
        .collect();
    // And a point (Qwen3-VL's `point_2d`) on the frame's centre at 2 s.
    let point = r#"{"time": 2.0, "point_2d": [500, 500], "label": "centre"}"#.to_owned();
    let entries: Vec<String> = entries.into_iter().chain([point]).collect();
    let recorded = format!("```json\n[{}]\n```", entries.join(",\n "));
    press(&mut h, "Paste a model's output");
    type_into(&mut h, "Model output", &recorded);
    h.key_press(Key::Escape);
    h.run_steps(2);
    press(&mut h, "Read output");
    let shown = h.state().shown_run().cloned();
    let run = shown.unwrap_or_else(|| {
        panic!("no run on show: {:?} {:?}", h.state().notices(), h.state().dataset().unwrap().runs.len())
    });
    assert_eq!((run.id.as_str(), run.model.name.as_str()), ("run-2", "pasted output"));
    assert_eq!(run.model.backend, annotate::Backend::Given);
    let times: Vec<Option<f64>> = run.prediction.boxes.iter().map(|b| b.time_s).collect();
    assert_eq!(times, [Some(1.0), Some(3.0), Some(5.0), Some(7.0)]);
    let p = &run.prediction.points;
    assert_eq!((p.len(), p[0].x, p[0].y, p[0].time_s), (1, 640.0, 360.0, Some(2.0)), "{p:?}");
    h.run_steps(2);
    h.get_by_label("Points");
    h.get_by_label("centre (640, 360) @ 2.0 s").click();
    step_until(&mut h, "the point's time", |app| app.current_frame() == Some(60));
    assert_eq!(run.trajectories(), ["blue square"]);

    // At 3 s the box given for 3 s is on the canvas, over the labelled square.
    seek_seconds(&mut h, 3);
    h.run_steps(2);
    assert_eq!(h.state().predictions_on_screen(), [1]);
    let on_frame = truth.box_at(90).unwrap().bbox.0;
    assert!(iou(run.prediction.boxes[1].bbox.0, on_frame) > 0.95, "the box sits on the square");
    // Between the given times (beyond the half-second tolerance) none shows.
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    step_until(&mut h, "4 s", |app| app.shown_frame() == Some(120));
    h.run_steps(2);
    assert!(h.state().predictions_on_screen().is_empty());

    // Accept one box: a track on its frame alone, from the model; undo takes it back.
    let tracks_before = h.state().dataset().unwrap().tracks.len();
    press(&mut h, "Accept blue square @ 1.0 s");
    let data = h.state().dataset().unwrap().clone();
    let one = data.tracks.last().unwrap();
    let frames: Vec<(u64, bool)> = one.keyframes.iter().map(|k| (k.frame, k.outside)).collect();
    assert_eq!(frames, [(30, false), (31, true)]);
    assert_eq!(one.keyframes[0].bbox, run.prediction.boxes[0].bbox);
    assert_eq!(one.source, Provenance::Model { model_id: "pasted output".into() });
    let verdict = data.run("run-2").unwrap().verdict(&EvidenceItem::Box { index: 0 }).cloned();
    assert_eq!(
        verdict.map(|v| (v.review, v.label)),
        Some((Review::Accepted, Some(LabelRef::Track(one.id.clone()))))
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().dataset().unwrap().tracks.len(), tracks_before);
    assert!(h.state().dataset().unwrap().run("run-2").unwrap().verdicts.is_empty());

    // Accept the trajectory: a track keyed at the four frames, from the model.
    press(&mut h, "Accept track blue square");
    let data = h.state().dataset().unwrap().clone();
    assert_eq!(data.tracks.len(), tracks_before + 1);
    let track = data.tracks.last().unwrap();
    let frames: Vec<(u64, bool)> = track.keyframes.iter().map(|k| (k.frame, k.outside)).collect();
    assert_eq!(frames, [(30, false), (90, false), (150, false), (210, false), (211, true)]);
    assert_eq!(track.source, Provenance::Model { model_id: "pasted output".into() });
    assert_eq!(track.review, Review::Accepted);
    assert_eq!(track.category, "blue-square", "the dataset's category of that name");
    let verdict = data.run("run-2").unwrap().verdict(&EvidenceItem::Track { label: "blue square".into() });
    assert_eq!(verdict.map(|v| v.label.clone()), Some(Some(LabelRef::Track(track.id.clone()))));
    assert!(h.state().predictions_on_screen().is_empty(), "accepted boxes are labels now");

    // Undo takes the track and the verdict back together; redo brings both.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    let undone = h.state().dataset().unwrap();
    assert_eq!(undone.tracks.len(), tracks_before);
    assert!(undone.run("run-2").unwrap().verdicts.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().dataset().unwrap(), &data);
}

#[test]
fn the_trace_seeks_and_highlights_and_verdicts_are_saved_and_reopened() {
    let (mut h, path) = open("gui_model_trace");
    // The demo's example run: Open-o3 Video's tags, read by the real parser.
    h.get_by_label_contains("run-1 · answer").click();
    h.run_steps(2);
    let run = h.state().shown_run().expect("run-1 on show").clone();
    assert_eq!(run.model.name, vidence::demo::EXAMPLE_MODEL_ID);
    assert!(run.prediction.problems.is_empty(), "{:?}", run.prediction.problems);
    assert_eq!(run.prediction.boxes.len(), 4);
    assert_eq!(run.prediction.spans.len(), 1);
    h.get_by_label("Reasoning trace");

    // A time chip seeks to its time; a box chip also highlights its box.
    h.get_by_label("4.0 s").click();
    step_until(&mut h, "4 s", |app| app.shown_frame() == Some(120));
    h.get_all_by_label("box: green triangle").nth(2).expect("a third box chip").click();
    step_until(&mut h, "6 s", |app| app.shown_frame() == Some(180));
    assert_eq!(h.state().highlighted_prediction(), Some(2));
    assert_eq!(h.state().predictions_on_screen(), [2]);

    // Clicking the span in the model lane goes to its start.
    let span = run.prediction.spans[0].clone();
    let timeline = h.get_by_label("Timeline").rect();
    let lane = h.get_by_label("Model lane").rect();
    let x = timeline.left() + ((span.start_s + span.end_s) / 2.0 / 20.0) as f32 * timeline.width();
    click(&mut h, Pos2::new(x, lane.center().y));
    let start = (span.start_s * 30.0).round() as u64;
    step_until(&mut h, "the span's start", move |app| app.shown_frame() == Some(start));

    // Reject the first box, accept the span and the answer.
    press(&mut h, "Reject green triangle @ 2.0 s");
    let span_name = format!("span {:.1}-{:.1} s", span.start_s, span.end_s);
    press(&mut h, &format!("Accept {span_name}"));
    press(&mut h, "Accept the answer");
    let data = h.state().dataset().unwrap().clone();
    let run = data.run("run-1").unwrap();
    let reviews: Vec<(EvidenceItem, Review)> =
        run.verdicts.iter().map(|v| (v.item.clone(), v.review)).collect();
    assert_eq!(
        reviews,
        [
            (EvidenceItem::Box { index: 0 }, Review::Rejected),
            (EvidenceItem::Span { index: 0 }, Review::Accepted),
            (EvidenceItem::Answer, Review::Accepted),
        ]
    );
    let model = Provenance::Model { model_id: vidence::demo::EXAMPLE_MODEL_ID.into() };
    let segment = data.segments.iter().find(|s| s.source == model).expect("the span is a segment");
    assert_eq!((segment.start_s, segment.end_s), (span.start_s, span.end_s));
    let question = data.questions.iter().find(|q| q.source == model).expect("the answer is a question");
    assert_eq!(question.answer, run.prediction.answer.clone().unwrap());
    assert_eq!(question.rationale, run.prediction.steps);
    h.key_press(Key::Home);
    step_until(&mut h, "the start", |app| app.shown_frame() == Some(0));
    for _ in 0..60 {
        h.key_press(Key::ArrowRight);
    }
    step_until(&mut h, "2 s", |app| app.shown_frame() == Some(60));
    h.run_steps(2);
    assert!(h.state().predictions_on_screen().is_empty(), "a rejected box is not offered again");

    // Saved and reopened, the runs are exactly as they were.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    step_until(&mut h, "the save", |app| !app.is_saving() && app.dataset().is_some());
    h.run_steps(3);
    step_until(&mut h, "the save to finish", |app| !app.is_saving());
    let mut reopened = tall_harness(vec![path], Options::default());
    wait_for_first_frame(&mut reopened);
    assert_eq!(reopened.state().dataset().unwrap().runs, data.runs);
}

/// Load the checkpoint `spec` on the CPU (the device is picked at run time; the CPU is
/// always there) and wait for the load to end.
pub(super) fn load_on_cpu(h: &mut Harness<'static, VidenceApp>, spec: &str) {
    type_into(h, "Checkpoint", spec);
    h.get_by_label("Device").click();
    h.run_steps(2);
    h.get_by_label("CPU").click();
    h.run_steps(2);
    press(h, "Load");
    step_until(h, "the model to load", |app| !app.model_state().starts_with("Loading"));
}

pub(super) fn endless_model() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| vidence_tests::endless_qwen3_vl("endless_qwen3_vl", model::qwen3_vl::TINY_CONFIG))
}

#[test]
fn asking_the_model_streams_tokens_the_ui_keeps_drawing_and_a_run_can_be_cancelled() {
    let recent = vidence_tests::scratch("gui_model_recent").join("recent_models.json");
    let options = Options { recent_models: Some(recent.clone()), ..Options::default() };
    let (mut h, path) = open_with("gui_model_ask", options.clone());
    let spec = endless_model().to_str().unwrap().to_owned();
    load_on_cpu(&mut h, &spec);
    assert!(h.state().model_state().starts_with("Ready"), "{}", h.state().model_state());
    h.get_by_label_contains("on cpu");
    // The model is remembered for the next start.
    let written =
        || std::fs::read_to_string(&recent).ok().and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok());
    step_until(&mut h, "the recent models file", |_| written().is_some());
    assert_eq!(written(), Some(vec![spec.clone()]));
    let mut next_start = tall_harness(vec![path], options);
    step_until(&mut next_start, "the recent models", |app| app.recent_models() == [spec.clone()]);
    type_into(&mut h, "Prompt", "Where is the red circle?");
    h.get_by_label("Max tokens").set_value_accesskit(12.0);
    h.run_steps(2);

    // A run to its token limit: tokens stream in while frames keep coming.
    press(&mut h, "Run");
    let (mut frames, mut longest, mut seen) = (0, 0f64, Vec::new());
    while h.state().live_tokens().is_some() {
        let started = Instant::now();
        h.step();
        longest = longest.max(started.elapsed().as_secs_f64());
        frames += 1;
        seen.extend(h.state().live_tokens());
        assert!(frames < 20_000, "the run never ended");
    }
    println!("{frames} UI frames during the run, the longest {:.1} ms", longest * 1e3);
    seen.dedup();
    assert!(seen.len() >= 3, "tokens arrived over several frames: {seen:?}");
    let run = h.state().shown_run().expect("the finished run is on show").clone();
    assert_eq!((run.id.as_str(), run.tokens.len()), ("run-2", 12));
    assert_eq!(run.model.name, endless_model().to_str().unwrap());
    assert_eq!(run.model.backend, annotate::Backend::Local);
    assert_eq!(run.generation.as_ref().map(|g| g.temperature), Some(0.0), "every generation setting is kept");
    let tokens = run.tokens.loaded().expect("the tokens of a run made here are at hand");
    assert!(tokens.iter().all(|t| t.logprob <= 0.0 && !t.top.is_empty()));
    assert!(!run.settings.frames_s.is_empty(), "the frames it saw are recorded");
    h.get_by_label_contains("the answer, tinted by probability");

    // A long run, cancelled while it streams: no run is added.
    h.get_by_label("Max tokens").set_value_accesskit(4000.0);
    h.run_steps(2);
    press(&mut h, "Run");
    step_until(&mut h, "tokens", |app| app.live_tokens().is_some_and(|n| n >= 3));
    press(&mut h, "Cancel");
    step_until(&mut h, "the cancel", |app| app.live_tokens().is_none());
    assert_eq!(h.state().dataset().unwrap().runs.len(), 2);
    assert!(h.state().notices().iter().any(|n| n.contains("cancelled")), "{:?}", h.state().notices());
}

#[test]
fn a_broken_checkpoint_is_told_in_words_and_the_error_goes_when_another_is_named() {
    let (mut h, _) = open("gui_model_broken");
    let dir = vidence_tests::scratch("gui_broken_checkpoint");
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    type_into(&mut h, "Checkpoint", dir.to_str().unwrap());
    press(&mut h, "Load");
    step_until(&mut h, "the failure", |app| app.model_state().starts_with("Failed"));
    h.run_steps(2);
    h.get_by_label_contains("is not a checkpoint: it lacks tokenizer.json and model.safetensors");
    type_into(&mut h, "Checkpoint", "Qwen/Qwen3-VL-2B-Instruct");
    h.run_steps(2);
    assert!(h.query_by_label_contains("not a checkpoint").is_none(), "the old error went");
    h.get_by_label("No model loaded.");
}
