//! The metrics against the benchmarks' own evaluators: made-up runs on the real VidSTG
//! sample, scored here and by a port of TubeDETR's VidSTG evaluator and V-STaR's tIoU,
//! and made-up answers scored by ports of VSI-Bench's and SQuAD's scoring
//! (`scripts/eval-reference.sh`, whose output is the fixtures).
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;

use annotate::dialect::{Context, Coordinates};
use annotate::eval::{self, EvalError};
use annotate::formats::Format;
use annotate::{
    BBox, Backend, Dataset, Dialect, LabelRef, ModelRef, ModelRun, PredictedBox, PredictedSpan, Prediction,
    Provenance, Question, QuestionKind, Reading, Review, RunSettings, Sampling, TaskKind, Tokens, Video,
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
                time_text: None,
            }
        })
        .collect();
    let prediction = Prediction {
        boxes,
        spans: vec![PredictedSpan { label: None, start_s: sted[0] / fps, end_s: sted[1] / fps }],
        ..Default::default()
    };
    let mut run = given_run(id, "11566930393", &question_of(case), model, prediction);
    run.settings.frames_s = frames(&case["frame_ids"]).iter().map(|f| f / fps).collect();
    run
}

/// A run of `model` on `video` answering `question` with `prediction`.
fn given_run(id: usize, video: &str, question: &str, model: &str, prediction: Prediction) -> ModelRun {
    ModelRun {
        id: format!("run-{id}"),
        video: video.into(),
        answers: Some(LabelRef::Question(question.into())),
        model: ModelRef { backend: Backend::Given, name: model.into(), revision: None, endpoint: None },
        settings: RunSettings {
            task: TaskKind::Track,
            prompt: String::new(),
            from_s: 0.0,
            to_s: 0.0,
            fps: 5.0,
            max_frames: 200,
            sampling: Sampling::Uniform,
            region: None,
            frames_s: Vec::new(),
            given: Vec::new(),
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
        prediction,
        verdicts: Vec::new(),
        judgements: Vec::new(),
        call: None,
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
    let t = scores.questions.temporal.as_ref().unwrap();
    let s = scores.questions.spatial.as_ref().unwrap();
    let got =
        [t.recall.m_tiou, t.recall.r1_03, t.recall.r1_05, t.recall.r1_07, s.m_viou, s.viou_03, s.viou_05];
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
    let m = full.questions.temporal.unwrap().recall.m_tiou;
    assert!(
        (scores.questions.temporal.unwrap().recall.m_tiou - (m * 8.0 - 1.0) / 8.0).abs() < CLOSE,
        "its 1.0 became 0"
    );

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
            time_text: None,
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

/// The answers fixture's cases as questions on one video, each answered by a run of "m".
fn answered_cases() -> (Dataset, Value) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval/answers_vsibench_squad.json");
    let reference: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut data = Dataset::default();
    data.videos.push(Video {
        id: "v".into(),
        path: "v.mp4".into(),
        width: 64,
        height: 48,
        fps: 10.0,
        frame_count: 100,
        duration_s: 10.0,
        tags: Default::default(),
    });
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    for (i, case) in reference["cases"].as_array().unwrap().iter().enumerate() {
        let rule = text(&case["rule"]);
        data.questions.push(Question {
            id: format!("q{i}"),
            video: "v".into(),
            kind: if rule == "number" { QuestionKind::Counting } else { QuestionKind::What },
            text: format!("case {i}"),
            options: case["options"].as_array().unwrap().iter().map(text).collect(),
            answer: text(&case["answer"]),
            evidence: Vec::new(),
            rationale: Vec::new(),
            source: Provenance::Human,
            review: Review::Unreviewed,
        });
        let prediction = Prediction { answer: Some(text(&case["prediction"])), ..Default::default() };
        data.runs.push(given_run(i, "v", &format!("q{i}"), "m", prediction));
    }
    (data, reference)
}

#[test]
fn answers_score_as_vsi_bench_and_squad_score_them() {
    let (data, reference) = answered_cases();
    let scores = eval::score(&data, "m").unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(scores.items.len(), cases.len());
    for (item, case) in scores.items.iter().zip(cases) {
        let rule = serde_json::to_value(item.scores.rule.unwrap()).unwrap();
        assert_eq!(rule, case["rule"], "{}: {case}", item.id);
        let want = case["score"].as_f64().unwrap();
        assert!(
            (item.scores.answer.unwrap() - want).abs() < CLOSE,
            "{}: {:?} != {want}: {case}",
            item.id,
            item.scores
        );
        if let Some(n) = case.get("normalized") {
            let got = [
                eval::normalize(case["answer"].as_str().unwrap()),
                eval::normalize(case["prediction"].as_str().unwrap()),
            ];
            assert_eq!(serde_json::to_value(got).unwrap(), *n, "SQuAD's normalize_answer");
        }
    }
    let qa = scores.questions.qa.unwrap();
    assert!((qa.accuracy - reference["accuracy"].as_f64().unwrap()).abs() < CLOSE);
    let parts = [&qa.choice, &qa.number, &qa.exact].map(|p| p.as_ref().unwrap().items);
    assert_eq!(parts, [11, 16, 12]);
    assert!(scores.questions.temporal.is_none() && scores.questions.spatial.is_none());
}

#[test]
fn a_choice_is_also_found_by_its_words_where_no_letter_is_given() {
    let (mut data, _) = answered_cases();
    // VSI-Bench reads only a letter (it scores "table" 0); Vidence also reads the
    // option's words, with or without its label.
    let choice = data.questions.iter().position(|q| !q.options.is_empty()).unwrap();
    for (words, want) in [("Table", 1.0), ("B. table", 1.0), ("the sofa", 0.0), ("tables", 0.0)] {
        data.runs[choice].prediction.answer = Some(words.into());
        let item = eval::score(&data, "m").unwrap().items.swap_remove(choice);
        assert_eq!(item.scores.answer, Some(want), "{words}");
    }
    // With no answer given, the run's text is read.
    data.runs[choice].prediction.answer = None;
    data.runs[choice].raw = "B".into();
    assert_eq!(eval::score(&data, "m").unwrap().items[choice].scores.answer, Some(1.0));
}
