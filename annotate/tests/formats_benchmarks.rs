//! The benchmarks' files (V-STaR), predictions imported as model runs, and the
//! fine-tuning exports read back by the dialect's own reader.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;

use annotate::dialect::{self, Grounding};
use annotate::formats::{self, ExportOptions, Format, Input, ReviewFilter};
use annotate::{Evidence, LabelRef, QuestionKind, Review, TaskKind};
use serde_json::{Value, json};

use support::*;

fn input(name: &str, value: &Value) -> Input {
    Input { name: name.into(), bytes: serde_json::to_vec_pretty(value).unwrap() }
}

/// Two V-STaR items on one video, one with each shape of `bboxes`, in the layout of the
/// dataset's README; the second with a model's answers as `inference_demo.py` adds them.
fn vstar_items(results: bool) -> Value {
    let mut items = json!([
        {
            "vid": "v1", "domain": "Sports", "fps": 30.0, "width": 640, "height": 360, "frame_count": 300,
            "question": "What does the man throw?", "chain": "<think>He winds up, then throws.</think>",
            "object": "ball", "answer": "A ball.",
            "temporal_question": "When does he throw the ball?", "timestamps": [2.0, 4.5],
            "spatial_question": "Where is the ball while he throws it?",
            "spatial_question_2": "Where is the ball?",
            "bboxes": [
                {"timestamp": 2, "frame_index": 60, "xmin": 10, "ymin": 20, "xmax": 50, "ymax": 60},
                {"timestamp": 3, "frame_index": 90, "xmin": 100.5, "ymin": 20, "xmax": 140.5, "ymax": 60}
            ]
        },
        {
            "vid": "v1", "fps": 30.0, "width": 640, "height": 360, "frame_count": 300,
            "question": "Who sits down?", "object": "woman", "answer": "The woman in red.",
            "temporal_question": "When does she sit?", "timestamps": ["5", "7.5"],
            "spatial_question": "Where is she when she sits?",
            "bboxes": {"5_150": {"xmin": 1, "ymin": 2, "xmax": 30, "ymax": 40}}
        }
    ]);
    if results {
        let second = &mut items[1];
        second["answer_vqa"] = json!("A woman.");
        second["answer_temporal_pre"] = json!("From 5.2 to 7 seconds.");
        second["answer_temporal"] = json!([5.2, 7.0]);
        second["answer_spatial"] = json!({"5": [2, 3, 31, 41], "6": [4, 5, 33, 43]});
        second["answer_temporal_2"] = json!("[5, 8]");
        second["answer_temporal_pre_2"] = json!("It starts at 5 s and ends at 8 s.");
    }
    items
}

#[test]
fn vstar_items_become_what_when_and_where_questions_with_the_object_as_a_track() {
    let inputs = [input("V_STaR_test.json", &vstar_items(false))];
    assert_eq!(formats::detect(&inputs).unwrap(), Format::Vstar);
    let got = formats::import(Format::Vstar, &inputs, &[]).unwrap();
    let d = &got.dataset;
    assert_eq!(d.videos.len(), 1, "two items on one video");
    let v = &d.videos[0];
    assert_eq!((v.id.as_str(), v.width, v.height, v.fps, v.frame_count), ("v1", 640, 360, 30.0, 300));
    assert_eq!(v.tags["domain"], "Sports");
    let ids: Vec<(&str, QuestionKind)> = d.questions.iter().map(|q| (q.id.as_str(), q.kind)).collect();
    assert_eq!(
        ids,
        [
            ("vstar-1-what", QuestionKind::What),
            ("vstar-1-when", QuestionKind::When),
            ("vstar-1-where", QuestionKind::Where),
            ("vstar-1-where-2", QuestionKind::Where),
            ("vstar-2-what", QuestionKind::What),
            ("vstar-2-when", QuestionKind::When),
            ("vstar-2-where", QuestionKind::Where),
        ]
    );
    let what = d.question("vstar-1-what").unwrap();
    assert_eq!(what.answer, "A ball.");
    assert_eq!(what.rationale[0].text, "<think>He winds up, then throws.</think>");
    assert_eq!(
        what.evidence,
        [Evidence::Span { start_s: 2.0, end_s: 4.5 }, Evidence::Track { id: "vstar-1-object".into() }]
    );
    assert_eq!(d.question("vstar-2-when").unwrap().evidence, [Evidence::Span { start_s: 5.0, end_s: 7.5 }]);
    let ball = track(d, "vstar-1-object");
    assert_eq!(category_name(d, ball), "ball");
    assert_eq!(
        keyframes(ball),
        [
            (60, [10.0, 20.0, 50.0, 60.0], false, false),
            (90, [100.5, 20.0, 140.5, 60.0], false, false),
            (91, [100.5, 20.0, 140.5, 60.0], true, false)
        ]
    );
    // Frame 75 is halfway between the two boxes.
    assert_eq!(ball.box_at(75).unwrap().bbox.0, [55.25, 20.0, 95.25, 60.0]);
    assert_eq!(keyframes(track(d, "vstar-2-object"))[0], (150, [1.0, 2.0, 30.0, 40.0], false, false));
    assert!(got.report.skipped.is_empty(), "{:?}", got.report);
    assert!(d.runs.is_empty());
}

#[test]
fn vstar_results_import_as_runs_answering_the_items_questions_already_there() {
    let items =
        formats::import(Format::Vstar, &[input("V_STaR_test.json", &vstar_items(false))], &[]).unwrap();
    let results = [input("results.json", &vstar_items(true))];
    // As labels, a result file's answers are reported, not taken.
    let labels = formats::import(Format::Vstar, &results, &[]).unwrap();
    assert_eq!(labels.report.count("answers"), 4, "{:?}", labels.report);
    assert!(labels.dataset.runs.is_empty());
    let got = formats::import_run(Format::Vstar, &results, &[], "qwen3-vl-8b").unwrap();
    let runs = &got.dataset.runs;
    let answered: Vec<(Option<&LabelRef>, TaskKind)> =
        runs.iter().map(|r| (r.answers.as_ref(), r.settings.task)).collect();
    let q = |id: &str| LabelRef::Question(id.into());
    assert_eq!(
        answered,
        [
            (Some(&q("vstar-2-what")), TaskKind::Answer),
            (Some(&q("vstar-2-when")), TaskKind::When),
            (Some(&q("vstar-2-where")), TaskKind::Track),
            (Some(&q("vstar-2-when")), TaskKind::When),
        ]
    );
    assert!(runs.iter().all(|r| r.model.name == "qwen3-vl-8b" && r.video == "v1"));
    assert_eq!(runs[0].prediction.answer.as_deref(), Some("A woman."));
    assert_eq!(runs[1].raw, "From 5.2 to 7 seconds.");
    assert_eq!((runs[1].prediction.spans[0].start_s, runs[1].prediction.spans[0].end_s), (5.2, 7.0));
    assert_eq!((runs[3].prediction.spans[0].start_s, runs[3].prediction.spans[0].end_s), (5.0, 8.0));
    // Chain 2 asked when with the object's boxes, and its raw text is `_pre_2`.
    assert_eq!(runs[3].raw, "It starts at 5 s and ends at 8 s.");
    assert_eq!(runs[3].settings.given, [LabelRef::Track("vstar-2-object".into())]);
    assert!(runs[1].settings.given.is_empty());
    let boxes: Vec<(Option<f64>, Option<&str>, [f32; 4])> =
        runs[2].prediction.boxes.iter().map(|b| (b.time_s, b.time_text.as_deref(), b.bbox.0)).collect();
    assert_eq!(
        boxes,
        [(Some(5.0), Some("5"), [2.0, 3.0, 31.0, 41.0]), (Some(6.0), Some("6"), [4.0, 5.0, 33.0, 43.0])]
    );
    assert_eq!(runs[2].trajectories(), ["woman"]);

    // Into the dataset of the items: the questions are there already and are joined.
    let mut data = items.dataset;
    let edit = formats::merge(&data, got.dataset);
    let mut history = annotate::History::default();
    history.apply(&mut data, edit).unwrap();
    assert_eq!(data.questions.len(), 7, "no question twice");
    assert_eq!(data.tracks.len(), 2, "no track twice");
    assert_eq!(data.runs.len(), 4);
    for r in &data.runs {
        let Some(LabelRef::Question(id)) = &r.answers else { panic!("{r:?}") };
        assert!(data.question(id).is_some(), "{id}");
    }
}

#[test]
fn vstar_items_and_results_come_back_the_same_through_vstar() {
    let got =
        formats::import_run(Format::Vstar, &[input("results.json", &vstar_items(true))], &[], "m").unwrap();
    let data = got.dataset;
    let exported = formats::export(Format::Vstar, &data, &ExportOptions::default()).unwrap();
    let names: Vec<&str> = exported.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["V_STaR.json", "results-m.json"]);
    assert!(exported.report.skipped.is_empty(), "{:?}", exported.report);
    let again = formats::import(Format::Vstar, &exported.files[..1], &[]).unwrap().dataset;
    let unsourced = |d: &annotate::Dataset| -> Vec<annotate::Question> {
        d.questions
            .iter()
            .map(|q| annotate::Question { source: annotate::Provenance::Human, ..q.clone() })
            .collect()
    };
    assert_eq!(unsourced(&again), unsourced(&data));
    assert_eq!(
        again.tracks.iter().map(keyframes).collect::<Vec<_>>(),
        data.tracks.iter().map(keyframes).collect::<Vec<_>>()
    );
    let runs = formats::import_run(Format::Vstar, &exported.files[1..], &[], "m").unwrap().dataset.runs;
    type Shape = (Option<LabelRef>, String, annotate::Prediction, Vec<LabelRef>);
    let shape = |d: &[annotate::ModelRun]| -> Vec<Shape> {
        d.iter()
            .map(|r| (r.answers.clone(), r.raw.clone(), r.prediction.clone(), r.settings.given.clone()))
            .collect()
    };
    assert_eq!(shape(&runs), shape(&data.runs));
    // A question alone is no V-STaR item: it is reported.
    let mut lone = made();
    lone.runs.clear();
    let report = formats::export(Format::Vstar, &lone, &ExportOptions::default()).unwrap().report;
    assert_eq!((report.count("questions"), report.count("tracks"), report.count("segments")), (1, 2, 1));
}

#[test]
fn vstar_box_timestamps_and_answers_that_did_not_parse_come_back_as_written() {
    let mut items = vstar_items(true);
    items[0]["bboxes"][0]["timestamp"] = json!(2.0);
    // What V-STaR's inference writes when the model's text does not parse, and a
    // second with two boxes.
    items[0]["answer_vqa"] = Value::Null;
    items[0]["answer_temporal_pre"] = json!("I cannot tell.");
    items[0]["answer_temporal"] = json!([]);
    items[0]["answer_spatial_pre"] = json!("Somewhere on the left.");
    items[0]["answer_spatial"] = Value::Null;
    items[0]["answer_spatial_2"] = json!([[1, 2, 3, 4]]);
    items[1]["answer_spatial"] =
        json!({"5": [[2, 3, 31, 41], [4, 5, 33, 43]], "x": [1, 2, 3, 4], "6": "none", "7.0": [1, 2, 30, 40]});
    let got = formats::import_run(Format::Vstar, &[input("results.json", &items)], &[], "m").unwrap();
    assert_eq!(
        got.report.count("answer boxes"),
        3,
        "the list answer, the key x, the value none: {:?}",
        got.report
    );
    let runs = &got.dataset.runs;
    let of = |id: &str| runs.iter().find(|r| r.answers == Some(LabelRef::Question(id.into()))).unwrap();
    let what = LabelRef::Question("vstar-1-what".into());
    assert!(
        runs.iter().all(|r| r.answers.as_ref() != Some(&what)),
        "a null answer with no text was not reached"
    );
    let when = of("vstar-1-when");
    assert!(when.prediction.spans.is_empty());
    assert_eq!(when.raw, "I cannot tell.");
    let where_ = of("vstar-1-where");
    assert!(where_.prediction.boxes.is_empty());
    assert_eq!(where_.raw, "Somewhere on the left.");
    assert_eq!(of("vstar-1-where-2").raw, "[[1,2,3,4]]");
    let two: Vec<[f32; 4]> = of("vstar-2-where").prediction.boxes.iter().map(|b| b.bbox.0).collect();
    assert_eq!(two, [[2.0, 3.0, 31.0, 41.0], [4.0, 5.0, 33.0, 43.0], [1.0, 2.0, 30.0, 40.0]]);

    let exported = formats::export(Format::Vstar, &got.dataset, &ExportOptions::default()).unwrap();
    let written: Value = serde_json::from_slice(&exported.files[0].bytes).unwrap();
    let stamps: Vec<&Value> =
        written[0]["bboxes"].as_array().unwrap().iter().map(|b| &b["timestamp"]).collect();
    assert_eq!(stamps, [&json!(2.0), &json!(3)], "2.0 stays 2.0 and 3 stays 3");
    assert!(String::from_utf8_lossy(&exported.files[0].bytes).contains("\"timestamp\": 2.0"));
    let results: Value = serde_json::from_slice(&exported.files[1].bytes).unwrap();
    assert_eq!(results[0]["answer_temporal"], json!([]));
    assert_eq!(results[0]["answer_spatial"], Value::Null);
    assert_eq!(results[1]["answer_spatial"]["5"], json!([[2.0, 3.0, 31.0, 41.0], [4.0, 5.0, 33.0, 43.0]]));
    assert_eq!(
        results[1]["answer_spatial"]["7.0"],
        json!([1.0, 2.0, 30.0, 40.0]),
        "a key stays as the model wrote it"
    );
    let again = formats::import_run(Format::Vstar, &exported.files[1..], &[], "m").unwrap().dataset.runs;
    let shape = |d: &[annotate::ModelRun]| -> Vec<(Option<LabelRef>, annotate::Prediction)> {
        d.iter().map(|r| (r.answers.clone(), r.prediction.clone())).collect()
    };
    assert_eq!(shape(&again), shape(runs));
}

#[test]
fn a_trackers_mot_results_import_as_one_run_of_its_trajectories() {
    let inputs = [sample("mot/py-motmetrics/TUD-Campus/test.txt")];
    let got = formats::import_run(Format::Mot, &inputs, &[], "tracker").unwrap();
    let d = &got.dataset;
    assert!(d.tracks.is_empty() && d.categories.is_empty(), "a run, not labels");
    let [run] = d.runs.as_slice() else { panic!("{:?}", d.runs.len()) };
    assert_eq!(run.prediction.boxes.len(), 222, "every row of the file");
    assert_eq!(run.trajectories().len(), 13, "13 ids, each seen on several frames");
    // Row 1: frame 1 (time 0), id 3, x 113.84, y 274.5, w 57.307, h 130.05.
    let b = run.prediction.boxes.iter().find(|b| b.time_s == Some(0.0) && b.bbox.0[0] == 113.84).unwrap();
    assert_eq!(b.bbox.0, [113.84, 274.5, 113.84 + 57.307, 274.5 + 130.05]);
    assert!(run.box_confidence.is_empty(), "conf -1 is no confidence");
}

#[test]
fn coco_results_are_read_against_their_instances_file_as_a_run_with_scores() {
    let data = made();
    let instances = formats::export(Format::Coco, &data, &ExportOptions::default()).unwrap().files;
    let detections = json!([
        {"image_id": 1, "category_id": 1, "bbox": [1.0, 4.0, 10.5, 16.25], "score": 0.9},
        {"image_id": 2, "category_id": 2, "bbox": [2.0, 5.0, 10.0, 10.0], "score": 0.25},
        {"image_id": 999, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}
    ]);
    let mut inputs = instances.clone();
    inputs.push(input("detections.json", &detections));
    assert_eq!(formats::detect(&inputs).unwrap(), Format::Coco);
    let got = formats::import_run(Format::Coco, &inputs, &[], "detector").unwrap();
    let [run] = got.dataset.runs.as_slice() else { panic!() };
    let boxes: Vec<(Option<String>, Option<f64>, [f32; 4])> =
        run.prediction.boxes.iter().map(|b| (b.label.clone(), b.time_s, b.bbox.0)).collect();
    assert_eq!(
        boxes,
        [
            (Some("car".into()), Some(0.0), [1.0, 4.0, 11.5, 20.25]),
            (Some("pedestrian".into()), Some(1.0 / 30.0), [2.0, 5.0, 12.0, 15.0])
        ]
    );
    assert_eq!(run.box_confidence, [Some(0.9), Some(0.25)]);
    assert_eq!(got.report.count("annotations"), 1, "image 999: {:?}", got.report);
    assert!(got.report.assumed[0].contains("30 frames a second"), "COCO has no rate: {:?}", got.report);
    assert!(got.report.count("ground-truth boxes") > 0);
    // Alone, a results file cannot say which frames its image ids are.
    let alone = formats::import_run(
        Format::Coco,
        &[sample("coco/cocoapi_instances_val2014_fakebbox100_results.json")],
        &[],
        "x",
    );
    assert!(alone.unwrap_err().to_string().contains("give the one instances file"));
}

#[test]
fn label_studio_predictions_import_as_a_run_and_annotations_as_labels() {
    let mut task: Value =
        serde_json::from_slice(&sample("label-studio/lsf_video_bboxes/annotations_1.json").bytes).unwrap();
    let annotations = task.as_object_mut().unwrap().remove("annotations").unwrap();
    task["predictions"] = annotations;
    task["predictions"][0]["model_version"] = json!("yolo");
    let inputs = [input("predicted.json", &task)];
    let video = opossum_video();
    let labels = formats::import(Format::LabelStudio, &inputs, std::slice::from_ref(&video)).unwrap();
    assert!(labels.dataset.tracks.is_empty());
    assert_eq!(labels.report.count("predictions"), 1);
    let got =
        formats::import_run(Format::LabelStudio, &inputs, std::slice::from_ref(&video), "yolo").unwrap();
    let [run] = got.dataset.runs.as_slice() else { panic!() };
    let mut names = run.trajectories();
    names.sort();
    assert_eq!(names, ["Airplane", "Car", "Possum"]);
    let results = task["predictions"][0]["result"].as_array().unwrap();
    let steps: usize = results.iter().map(|r| r["value"]["sequence"].as_array().unwrap().len()).sum();
    assert_eq!(run.prediction.boxes.len(), steps, "a box per keyframe");
}

/// The SFT records of a trainer's files: (video, question, answer).
fn records(format: Format, files: &[Input]) -> Vec<(String, String, String)> {
    let data = &files[0];
    let list: Vec<Value> = if data.name.ends_with(".jsonl") {
        std::str::from_utf8(&data.bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    } else {
        serde_json::from_slice(&data.bytes).unwrap()
    };
    list.iter()
        .map(|r| match format {
            Format::QwenFinetune => {
                let c = r["conversations"].as_array().unwrap();
                assert_eq!((c[0]["from"].as_str(), c[1]["from"].as_str()), (Some("human"), Some("gpt")));
                let ask = c[0]["value"].as_str().unwrap();
                assert!(ask.starts_with("<video>\n"), "{ask}");
                (r["video"].as_str().unwrap().into(), ask.into(), c[1]["value"].as_str().unwrap().into())
            }
            _ => {
                let m = r["messages"].as_array().unwrap();
                assert_eq!((m[0]["role"].as_str(), m[1]["role"].as_str()), (Some("user"), Some("assistant")));
                let ask = m[0]["content"].as_str().unwrap();
                assert_eq!(ask.matches("<video>").count(), r["videos"].as_array().unwrap().len(), "{ask}");
                (
                    r["videos"][0].as_str().unwrap().into(),
                    ask.into(),
                    m[1]["content"].as_str().unwrap().into(),
                )
            }
        })
        .collect()
}

#[test]
fn fine_tuning_answers_read_back_as_the_labels_they_came_from_in_every_grounding() {
    let mut data = made();
    data.tracks[1].review = Review::Unreviewed;
    let car = data.tracks[0].clone();
    let video = data.videos[0].clone();
    for format in [Format::LlamaFactory, Format::Swift, Format::QwenFinetune] {
        assert_eq!(format.default_review(), ReviewFilter::Accepted);
        for grounding in Grounding::ALL {
            let options =
                ExportOptions { review: ReviewFilter::Accepted, grounding, ..ExportOptions::default() };
            let exported = formats::export(format, &data, &options).unwrap();
            let what = format!("{} {}", format.name(), grounding.name());
            let got = records(format, &exported.files);
            assert_eq!(got.len(), 3, "{what}: the accepted track, the segment and the question");
            assert!(got.iter().all(|(v, _, _)| v == "clip.mp4"), "{what}");
            let cx = dialect::Context {
                video_width: 64,
                video_height: 48,
                coordinates: grounding.coordinates(64, 48),
                clip_start_s: 0.0,
            };
            // The track: its box at each sampled time, to the grid's precision.
            let (_, ask, answer) = &got[0];
            assert!(ask.contains("the car"), "{what}: {ask}");
            let p = dialect::parse(answer, &cx);
            assert!(p.problems.is_empty(), "{what}: {:?}", p.problems);
            let cell = match cx.coordinates {
                dialect::Coordinates::Relative1000 => 64.0 / 1000.0,
                dialect::Coordinates::Pixels { width, .. } => 64.0 / width as f32,
            };
            assert!(!p.boxes.is_empty(), "{what}");
            for b in &p.boxes {
                let t = b.time_s.unwrap();
                let frame = (t * video.fps).round() as u64;
                assert!(((frame as f64) / video.fps - t).abs() < 0.006, "{what}: {t} is a frame's time");
                let want = car.box_at(frame).unwrap().bbox.0;
                for (g, w) in b.bbox.0.iter().zip(want) {
                    assert!(
                        (g - w).abs() <= cell / 2.0 + 1e-3,
                        "{what}: frame {frame}: {:?} for {want:?}",
                        b.bbox
                    );
                }
                assert_eq!(b.label.as_deref(), Some("car"));
            }
            // Two a second over 1.2 s (frames 0, 12 and 25) where the car is seen: it is
            // outside from frame 10 to 14.
            let times: Vec<f64> = p.boxes.iter().map(|b| b.time_s.unwrap()).collect();
            assert_eq!(times, [0.0, 1.0], "{what}");
            // The segment: its span.
            let p = dialect::parse(&got[1].2, &cx);
            assert_eq!(
                p.spans.iter().map(|s| (s.start_s, s.end_s)).collect::<Vec<_>>(),
                [(0.2, 0.6)],
                "{what}"
            );
            // The question: its answer.
            let p = dialect::parse(&got[2].2, &cx);
            assert_eq!(p.answer.as_deref(), Some("the car"), "{what}");
            if format == Format::LlamaFactory {
                let info: Value = serde_json::from_slice(&exported.files[1].bytes).unwrap();
                assert_eq!(info["vidence_sft"]["file_name"], "vidence_sft.json");
                assert_eq!(info["vidence_sft"]["columns"]["videos"], "videos");
            }
            assert!(exported.report.count("attributes") > 0, "{what}: {:?}", exported.report);
        }
    }
    let e = formats::import(Format::Swift, &[input("x.jsonl", &json!({}))], &[]).unwrap_err().to_string();
    assert!(e.contains("does not read it"), "{e}");
}
