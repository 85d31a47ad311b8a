//! The metrics against the benchmarks' own evaluators: made-up runs on the real VidSTG
//! sample, scored here and by a port of TubeDETR's VidSTG evaluator and V-STaR's tIoU
//! (`scripts/eval-reference.sh`, whose output is the fixture).
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;

use annotate::dialect::{Context, Coordinates};
use annotate::eval::{self, EvalError};
use annotate::formats::Format;
use annotate::{
    BBox, Backend, Dataset, Dialect, LabelRef, ModelRef, ModelRun, PredictedBox, PredictedSpan, Prediction,
    Reading, RunSettings, Sampling, TaskKind, Tokens,
};
use serde_json::Value;

const CLOSE: f64 = 1e-6;

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval/vidstg_tubedetr.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The Vidence question of a case's sentence: record N's caption or Kth question.
fn question_of(case: &Value) -> String {
    let n = case["record"].as_u64().unwrap() + 1;
    match (case["sentence"].as_str().unwrap(), case["index"].as_u64().unwrap()) {
        ("captions", 0) => format!("vidstg-{n}-caption"),
        ("captions", k) => format!("vidstg-{n}-caption-{}", k + 1),
        (_, k) => format!("vidstg-{n}-question-{}", k + 1),
    }
}

/// A case's prediction as a run of `model` answering its question: the sampled
/// frames it was shown, its span and a box on each of those frames.
fn run_of(case: &Value, id: usize, fps: f64, model: &str) -> ModelRun {
    let frames =
        |v: &Value| -> Vec<f64> { v.as_array().unwrap().iter().map(|f| f.as_f64().unwrap()).collect() };
    let sted = frames(&case["pred_sted"]);
    let boxes = case["pred_boxes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(f, b)| {
            let c: Vec<f32> = b.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
            PredictedBox {
                label: None,
                time_s: Some(f.parse::<f64>().unwrap() / fps),
                bbox: BBox::new(c[0], c[1], c[2], c[3]),
            }
        })
        .collect();
    ModelRun {
        id: format!("run-{id}"),
        video: "11566930393".into(),
        answers: Some(LabelRef::Question(question_of(case))),
        model: ModelRef { backend: Backend::Given, name: model.into(), revision: None },
        settings: RunSettings {
            task: TaskKind::Track,
            prompt: String::new(),
            from_s: 0.0,
            to_s: 872.0 / fps,
            fps: 5.0,
            max_frames: 200,
            sampling: Sampling::Uniform,
            region: None,
            frames_s: frames(&case["frame_ids"]).iter().map(|f| f / fps).collect(),
        },
        generation: None,
        reading: Reading {
            dialect: Dialect::Qwen3Vl,
            context: Context {
                video_width: 640,
                video_height: 480,
                coordinates: Coordinates::Pixels { width: 640, height: 480 },
                clip_start_s: 0.0,
            },
            grid: None,
        },
        raw: String::new(),
        tokens: Tokens::default(),
        box_confidence: Vec::new(),
        prediction: Prediction {
            boxes,
            spans: vec![PredictedSpan { label: None, start_s: sted[0] / fps, end_s: sted[1] / fps }],
            ..Default::default()
        },
        verdicts: Vec::new(),
    }
}

/// The real VidSTG sample with the reference cases' predictions as runs of `model`.
fn scored_sample(model: &str, skip: usize) -> (Dataset, Value) {
    let reference = reference();
    let mut data = support::import(
        Format::Vidstg,
        &["vidstg/test_annotations_11566930393.json", "vidstg/vidor_11566930393.json"],
    )
    .dataset;
    let fps = data.videos[0].fps;
    for (i, case) in reference["cases"].as_array().unwrap().iter().enumerate().skip(skip) {
        data.runs.push(run_of(case, i, fps, model));
    }
    (data, reference)
}

#[test]
fn vidstg_tiou_and_viou_are_tubedetrs_item_by_item_and_in_aggregate() {
    let (data, reference) = scored_sample("tubes", 0);
    let scores = eval::score(&data, "tubes").unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(scores.items.len(), cases.len(), "every sentence is an item");
    for case in cases {
        let item = scores.items.iter().find(|i| i.id == question_of(case)).unwrap();
        let (tiou, viou) = (item.scores.tiou.unwrap(), item.scores.viou.unwrap());
        let want = |k: &str| case[k].as_f64().unwrap();
        assert!((tiou - want("tiou")).abs() < CLOSE, "{}: tIoU {tiou} != {}", item.id, want("tiou"));
        assert!((tiou - want("vstar_tiou")).abs() < CLOSE, "V-STaR's tIoU agrees");
        assert!((viou - want("viou")).abs() < CLOSE, "{}: vIoU {viou} != {}", item.id, want("viou"));
    }
    // The union TubeDETR's fix widened: before it, these vIoU differed, and they are
    // the fixed ones here.
    assert!(cases.iter().filter(|c| c["viou"].as_f64() != c["viou_before_fix"].as_f64()).count() >= 4);
    let t = scores.temporal.as_ref().unwrap();
    let s = scores.spatial.as_ref().unwrap();
    let got = [t.m_tiou, t.r1_03, t.r1_05, t.r1_07, s.m_viou, s.viou_03, s.viou_05];
    let keys = ["m_tIoU", "R1@0.3", "R1@0.5", "R1@0.7", "m_vIoU", "vIoU@0.3", "vIoU@0.5"];
    for (g, k) in got.iter().zip(keys) {
        assert!((g - reference[k].as_f64().unwrap()).abs() < CLOSE, "{k}: {g} != {}", reference[k]);
    }
    assert_eq!((t.items, s.items), (8, 8));
    let json = serde_json::to_value(&scores).unwrap();
    assert_eq!(json["temporal"]["R1@0.7"], reference["R1@0.7"]);
    assert!(json["spatial"]["m_vIoU"].is_number() && json["items"][0]["scores"]["vIoU"].is_number());
}

#[test]
fn a_question_the_model_did_not_answer_scores_zero_and_an_unknown_model_is_refused() {
    let (data, reference) = scored_sample("tubes", 1);
    let scores = eval::score(&data, "tubes").unwrap();
    let first = question_of(&reference["cases"][0]);
    let missed = scores.items.iter().find(|i| i.id == first).unwrap();
    assert_eq!((missed.run.as_deref(), missed.scores.tiou, missed.scores.viou), (None, Some(0.0), Some(0.0)));
    assert_eq!(scores.items.len(), 8, "listed, not left out");
    let full = eval::score(&scored_sample("tubes", 0).0, "tubes").unwrap();
    let m = full.temporal.unwrap().m_tiou;
    assert!((scores.temporal.unwrap().m_tiou - (m * 8.0 - 1.0) / 8.0).abs() < CLOSE, "its 1.0 became 0");

    let err = eval::score(&data, "other").unwrap_err();
    assert_eq!(err, EvalError::UnknownModel { model: "other".into(), known: vec!["tubes".into()] });
    assert!(err.to_string().contains("its runs are of: tubes"), "{err}");
}

#[test]
fn a_run_that_names_no_frames_is_scored_on_every_frame_of_its_clip() {
    let (mut data, _) = scored_sample("tubes", 0);
    // The truth itself as a prediction, shown every frame: a perfect score.
    let q = data.question("vidstg-1-caption").unwrap().clone();
    let track = data.track("track-0").unwrap().clone();
    let run = data.runs.iter_mut().find(|r| r.answers == Some(LabelRef::Question(q.id.clone()))).unwrap();
    let fps = 29.97;
    run.settings.frames_s.clear();
    run.prediction.spans.clear();
    run.prediction.boxes = (79..99)
        .map(|f| PredictedBox {
            label: None,
            time_s: Some(f as f64 / fps),
            bbox: track.box_at(f).unwrap().bbox,
        })
        .collect();
    let scores = eval::score(&data, "tubes").unwrap();
    let item = scores.items.iter().find(|i| i.id == q.id).unwrap();
    assert_eq!((item.scores.tiou, item.scores.viou), (Some(1.0), Some(1.0)), "its span is its boxes'");
    // One box off: 19 of 20 frames right.
    let run = data.runs.iter_mut().find(|r| r.answers == Some(LabelRef::Question(q.id.clone()))).unwrap();
    run.prediction.boxes[5].bbox = BBox::new(600.0, 400.0, 639.0, 479.0);
    let item = eval::score(&data, "tubes").unwrap().items.into_iter().find(|i| i.id == q.id).unwrap();
    assert!((item.scores.viou.unwrap() - 19.0 / 20.0).abs() < CLOSE, "{:?}", item.scores);
}
