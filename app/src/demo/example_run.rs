//! A model run for the demo to show evidence without weights: an answer written for
//! the demo scene in Open-o3 Video's output format (boxes on the 0-1000 grid, `<t>`
//! times, a span), read by the real parser. Its model id says what it is.

use annotate::{Backend, Dataset, Dialect, ModelRef, ModelRun, Reading, RunSettings, Sampling, TaskKind};

use super::labels::VIDEO_ID;
use model::qwen3_vl::processor::VideoSettings;

use super::scene::{FPS, FRAMES, HEIGHT, SECONDS, WIDTH};

pub const MODEL_ID: &str = "example output (written for the demo in Open-o3 Video's format)";
/// The shape the run is about.
const SUBJECT: &str = "green triangle";
const QUESTION: &str = "How does the green triangle move, and what hides it?";

/// The run, about the subject's path in `data` (the demo's ground truth).
pub fn example_run(data: &Dataset) -> Option<ModelRun> {
    let track = data.track(&format!("track-{}", SUBJECT.replace(' ', "-")))?;
    let grid = |b: [f32; 4]| {
        let (w, h) = (WIDTH as f32, HEIGHT as f32);
        // A model is never exact: its boxes sit a little right of and below the truth.
        let [x1, y1, x2, y2] = [b[0] / w + 0.01, b[1] / h + 0.015, b[2] / w + 0.01, b[3] / h + 0.015];
        [x1, y1, x2, y2].map(|v| (v.clamp(0.0, 1.0) * 1000.0).round() as u32)
    };
    let mut sentences = Vec::new();
    for (n, t) in [2.0f64, 4.0, 6.0, 8.0].into_iter().enumerate() {
        let Some(b) = track.box_at((t * f64::from(FPS)).round() as u64) else { continue };
        let [x1, y1, x2, y2] = grid(b.bbox.0);
        let lead = if n == 0 { "I find the" } else { "Then the" };
        sentences
            .push(format!("{lead} <obj>{SUBJECT}</obj><box>[{x1},{y1},{x2},{y2}]</box> at <t>{t:.1}</t>s."));
    }
    let prefix = format!("{SUBJECT} passes behind ");
    let behind = data.segments.iter().find_map(|s| Some((s, s.label.strip_prefix(&prefix)?)));
    if let Some((s, front)) = behind {
        sentences.push(format!(
            "From <t>{:.1}</t>s to <t>{:.1}</t>s it is hidden behind the {front}.",
            s.start_s, s.end_s
        ));
    }
    sentences.push("So it drifts to the right.".into());
    let answer = match behind {
        Some((_, front)) => format!("It drifts to the right and passes behind the {front}."),
        None => "It drifts to the right.".to_owned(),
    };
    let raw = format!("<think>{}</think><answer>{answer}</answer>", sentences.join(" "));
    let cx = annotate::dialect::Context {
        video_width: WIDTH,
        video_height: HEIGHT,
        coordinates: annotate::dialect::Coordinates::Relative1000,
        clip_start_s: 0.0,
    };
    let settings = RunSettings {
        task: TaskKind::Answer,
        prompt: QUESTION.into(),
        from_s: 0.0,
        to_s: f64::from(SECONDS),
        fps: 2.0,
        max_frames: 40,
        sampling: Sampling::Uniform,
        region: None,
        // The frames Vidence samples from this clip at these settings.
        frames_s: VideoSettings { fps: 2.0, max_frames: 40, ..VideoSettings::default() }
            .sample(FRAMES, f64::from(FPS))
            .iter()
            .map(|&i| i as f64 / f64::from(FPS))
            .collect(),
        given: Vec::new(),
    };
    let reading = Reading { dialect: Dialect::Qwen3Vl, context: cx, grid: None };
    let asked = crate::ask::Asked { answers: None, settings, generation: None, reading };
    let model = ModelRef { backend: Backend::Given, name: MODEL_ID.into(), revision: None, endpoint: None };
    Some(asked.run("run-1".into(), VIDEO_ID.into(), model, raw.clone(), annotate::dialect::parse(&raw, &cx)))
}
