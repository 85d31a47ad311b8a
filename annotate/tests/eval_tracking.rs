//! Tracking scores against TrackEval's and py-motmetrics' on the same MOTChallenge
//! files (`scripts/eval-reference.sh` writes them and the references' output): the
//! ground truth imported as labels, the tracker's results as a run, `eval::score`
//! compared field by field.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::Path;

use annotate::Dataset;
use annotate::eval::{self, ItemKind, Scores};
use annotate::formats::{self, Format, Input};
use serde_json::Value;

const CLOSE: f64 = 1e-6;
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval/tracking");

fn json(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(Path::new(FIXTURES).join(name)).unwrap()).unwrap()
}

fn input(path: &Path, name: String) -> Input {
    Input { name, bytes: std::fs::read(path).unwrap() }
}

/// A benchmark's sequences as one dataset: each ground truth as labels, each
/// non-empty results file as a run of the model `tracker`.
fn dataset(benchmark: &str) -> Dataset {
    let root = Path::new(FIXTURES).join(benchmark);
    let mut seqs: Vec<String> = std::fs::read_dir(root.join("gt"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    seqs.sort();
    let truth: Vec<Input> = seqs
        .iter()
        .flat_map(|s| {
            let dir = root.join("gt").join(s);
            [
                input(&dir.join("gt/gt.txt"), format!("{s}/gt/gt.txt")),
                input(&dir.join("seqinfo.ini"), format!("{s}/seqinfo.ini")),
            ]
        })
        .collect();
    let mut data = formats::import(Format::Mot, &truth, &[]).unwrap().dataset;
    let results: Vec<Input> = seqs
        .iter()
        .map(|s| input(&root.join(format!("trackers/tracker/data/{s}.txt")), format!("{s}.txt")))
        .filter(|i| !i.bytes.is_empty())
        .collect();
    // With the sequences' records, so the run's times come from their frame rate.
    let videos: Vec<_> = data
        .videos
        .iter()
        .filter(|v| results.iter().any(|r| r.name == format!("{}.txt", v.id)))
        .cloned()
        .collect();
    let runs = formats::import_run(Format::Mot, &results, &videos, "tracker").unwrap().dataset;
    assert_eq!(runs.runs.len(), results.len(), "a run per results file");
    data.runs.extend(runs.runs);
    data
}

/// Only `video` of `data`.
fn only(data: &Dataset, video: &str) -> Dataset {
    let mut one = data.clone();
    one.videos.retain(|v| v.id == video);
    one.tracks.retain(|t| t.video == video);
    one.runs.retain(|r| r.video == video);
    one
}

fn tracking(scores: &Scores) -> Value {
    serde_json::to_value(scores.tracking.as_ref().unwrap()).unwrap()
}

/// Every field TrackEval gives, against ours.
fn assert_like_trackeval(ours: &Value, reference: &Value, what: &str) {
    for (name, want) in reference.as_object().unwrap() {
        let got = ours[name].as_f64().unwrap_or_else(|| panic!("{what}: no {name} in {ours}"));
        let want = want.as_f64().unwrap();
        assert!((got - want).abs() <= CLOSE, "{what} {name}: {got} here, {want} in TrackEval");
    }
}

#[test]
fn sequences_and_their_combination_score_as_trackeval_scores_them() {
    for benchmark in ["mot17", "mot15"] {
        let reference = json("trackeval.json")[benchmark].clone();
        let data = dataset(benchmark);
        let scores = eval::score(&data, "tracker").unwrap();
        assert_like_trackeval(&tracking(&scores), &reference["combined"], &format!("{benchmark} combined"));
        let seqs: Vec<&String> = reference.as_object().unwrap().keys().filter(|k| *k != "combined").collect();
        assert_eq!(scores.tracking.as_ref().unwrap().sequences, seqs.len());
        for seq in seqs {
            let want = &reference[seq];
            let item = scores.items.iter().find(|i| i.video == *seq && i.kind == ItemKind::Tracks).unwrap();
            let s = serde_json::to_value(&item.scores).unwrap();
            for name in ["HOTA", "MOTA", "IDF1", "IDSW"] {
                let (got, want) = (s[name].as_f64().unwrap(), want[name].as_f64().unwrap());
                assert!((got - want).abs() <= CLOSE, "{seq} item {name}: {got} here, {want} in TrackEval");
            }
            // A sequence with no true box left keeps TrackEval's zeros; alone, its
            // MOTA would be worked out from its false positives. Alone, a sequence
            // without a run has no run of the model to score.
            if seq != "all-zero-marked" && item.run.is_some() {
                let alone = eval::score(&only(&data, seq), "tracker").unwrap();
                assert_like_trackeval(&tracking(&alone), want, seq);
            }
        }
    }
}

#[test]
fn a_video_the_tracker_never_saw_is_an_item_without_a_run_that_finds_nothing() {
    let scores = eval::score(&dataset("mot17"), "tracker").unwrap();
    let unseen = scores.items.iter().find(|i| i.video == "unseen").unwrap();
    assert_eq!(unseen.run, None);
    assert_eq!((unseen.scores.hota, unseen.scores.mota, unseen.scores.idsw), (Some(0.0), Some(0.0), Some(0)));
    let t = serde_json::to_value(&unseen.scores).unwrap();
    assert_eq!(t["IDF1"], 0.0);
}

#[test]
fn py_motmetrics_agrees_but_where_an_object_comes_back() {
    let reference = json("motmetrics.json");
    for benchmark in ["mot17", "mot15"] {
        let data = dataset(benchmark);
        let all = eval::score(&data, "tracker").unwrap();
        for seq in reference[benchmark]["sequences"].as_array().unwrap() {
            let seq = seq.as_str().unwrap();
            let want = &reference[benchmark][seq];
            // A sequence without a run is no run of the model alone (its item is
            // checked against TrackEval above).
            if seq == "unseen" {
                continue;
            }
            let ours = tracking(&eval::score(&only(&data, seq), "tracker").unwrap());
            // IDF1 is a global assignment of ids: the two always agree.
            let idf1 = ours["IDF1"].as_f64().unwrap();
            assert!((idf1 - want["IDF1"].as_f64().unwrap()).abs() <= CLOSE, "{seq} IDF1 {idf1}: {want}");
            let counts = |v: &Value| ["IDSW", "FP", "FN"].map(|k| v[k].as_f64().unwrap());
            match seq {
                // Object 1 is back after two frames; py-motmetrics keeps it with the
                // id it had, TrackEval takes the better-fitting id and counts a switch.
                "comeback" => {
                    assert_eq!(counts(&ours), [1.0, 3.0, 0.0]);
                    assert_eq!(counts(want), [0.0, 3.0, 0.0]);
                }
                // Missed frames make the same gaps: py-motmetrics keeps 3 matches
                // TrackEval lets go.
                "random-b" => assert_eq!((counts(&ours)[0], counts(want)[0]), (6.0, 3.0)),
                _ => {
                    assert_eq!(counts(&ours), counts(want), "{seq}");
                    let mota = ours["MOTA"].as_f64().unwrap();
                    assert!(
                        (mota - want["MOTA"].as_f64().unwrap()).abs() <= CLOSE,
                        "{seq} MOTA {mota}: {want}"
                    );
                    // py-motmetrics' MOTP is a distance, 1 - IoU (none where nothing matched).
                    if let Some(distance) = want["MOTP_distance"].as_f64() {
                        let motp = ours["MOTP"].as_f64().unwrap();
                        assert!((1.0 - motp - distance).abs() <= CLOSE, "{seq} MOTP {motp}: {want}");
                    }
                }
            }
        }
        if benchmark == "mot15" {
            let (ours, want) = (tracking(&all), &reference["mot15"]["combined"]);
            for k in ["MOTA", "IDF1"] {
                assert!(
                    (ours[k].as_f64().unwrap() - want[k].as_f64().unwrap()).abs() <= CLOSE,
                    "combined {k}"
                );
            }
        }
    }
}

#[test]
fn a_long_video_counts_only_its_frames_with_boxes() {
    // 10,000,000 frames, an object on two of them half-way, tracked exactly.
    let seqinfo = "[Sequence]\nname=long\nframeRate=30\nseqLength=10000000\nimWidth=1920\nimHeight=1080\n";
    let lines = "5000001,1,100,100,50,120,1,1,1\n5000002,1,104,100,50,120,1,1,1\n";
    let truth = [
        Input { name: "long/gt/gt.txt".into(), bytes: lines.as_bytes().to_vec() },
        Input { name: "long/seqinfo.ini".into(), bytes: seqinfo.as_bytes().to_vec() },
    ];
    let mut data = formats::import(Format::Mot, &truth, &[]).unwrap().dataset;
    let results =
        [Input { name: "long.txt".into(), bytes: lines.replace(",1,1,1\n", ",1,-1,-1,-1\n").into_bytes() }];
    let runs = formats::import_run(Format::Mot, &results, &data.videos, "tracker").unwrap().dataset;
    data.runs.extend(runs.runs);
    let t = eval::score(&data, "tracker").unwrap().tracking.unwrap();
    assert_eq!((t.HOTA, t.MOTA, t.IDF1, t.TP, t.FP, t.FN), (1.0, 1.0, 1.0, 2, 0, 0));
}

#[test]
fn thirty_thousand_false_ids_are_counted_not_matched() {
    // One object tracked on 100 frames, and 300 false boxes a frame, each a new id:
    // TrackEval's square matrix of 30,001 tracked ids would be 7 GB.
    let seqinfo = "[Sequence]\nname=noisy\nframeRate=30\nseqLength=100\nimWidth=1920\nimHeight=1080\n";
    let (mut truth, mut results) = (String::new(), String::new());
    let mut id = 2;
    for f in 1..=100 {
        truth += &format!("{f},1,100,100,50,120,1,1,1\n");
        results += &format!("{f},1,100,100,50,120,1,-1,-1,-1\n");
        for k in 0..300 {
            results += &format!("{f},{id},{},600,10,10,1,-1,-1,-1\n", 400 + k * 4);
            id += 1;
        }
    }
    let inputs = [
        Input { name: "noisy/gt/gt.txt".into(), bytes: truth.into_bytes() },
        Input { name: "noisy/seqinfo.ini".into(), bytes: seqinfo.as_bytes().to_vec() },
    ];
    let mut data = formats::import(Format::Mot, &inputs, &[]).unwrap().dataset;
    let results = [Input { name: "noisy.txt".into(), bytes: results.into_bytes() }];
    data.runs
        .extend(formats::import_run(Format::Mot, &results, &data.videos, "tracker").unwrap().dataset.runs);
    let t = eval::score(&data, "tracker").unwrap().tracking.unwrap();
    // IDTP 100, IDFP 30,000, IDFN 0.
    assert!((t.IDF1 - 100.0 / (100.0 + 0.5 * 30_000.0)).abs() < 1e-12, "{t:?}");
    assert_eq!((t.TP, t.FP, t.FN, t.IDSW), (100, 30_000, 0, 0));
    assert!((t.MOTA - (100.0 - 30_000.0) / 100.0).abs() < 1e-12);
}
