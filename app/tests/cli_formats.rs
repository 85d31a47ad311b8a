//! `vidence import`, `export` and `formats` end to end: a sample in, its report as
//! JSON, an export out, an import into a dataset, and no file written over.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;
use support::{scratch, vidence};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../annotate/tests/fixtures/formats");

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_sample_comes_in_goes_out_and_joins_a_dataset() {
    let dir = scratch("formats-round");
    let data = dir.join("cvat.json");
    let sample = format!("{SAMPLES}/cvat/datumaro_for_video_annotations.xml");
    let out = json(&vidence(&["import", "auto", &sample, "--out", data.to_str().unwrap(), "--json"]));
    assert_eq!(
        (out["format"].as_str(), out["tracks"].as_u64(), out["keyframes"].as_u64()),
        (Some("cvat"), Some(1), Some(3))
    );
    let skipped: Vec<(&str, u64)> = out["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["what"].as_str().unwrap(), s["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(skipped, [("<points> shapes", 2), ("<polyline> shapes", 2), ("tracks", 2)]);
    // Never over a file.
    let again = vidence(&["import", "cvat", &sample, "--out", data.to_str().unwrap()]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let mot = dir.join("mot");
    let out =
        json(&vidence(&["export", "mot", data.to_str().unwrap(), "--out", mot.to_str().unwrap(), "--json"]));
    // seqinfo.ini, gt.txt, labels.txt (the categories are not MOT's classes), results.
    assert_eq!((out["files"].as_u64(), out["boxes"].as_u64()), (Some(4), Some(3)));
    let gt = std::fs::read_to_string(mot.join("v1/gt/gt.txt")).unwrap();
    // Frame 10 is MOT's 11, MOT ids start at 1, "II" is the third label, occluded.
    assert_eq!(gt.lines().next(), Some("11,1,3,4,7,1,1,3,0.25"));
    assert_eq!(std::fs::read_to_string(mot.join("v1/gt/labels.txt")).unwrap(), "klhg\nz U k\nII\n");

    // Into a dataset: one edit, journaled, and the file saved.
    let into = dir.join("into.json");
    std::fs::copy(&data, &into).unwrap();
    let tud = format!("{SAMPLES}/mot/py-motmetrics/TUD-Campus/gt.txt");
    let out = json(&vidence(&["import", "mot", &tud, "--into", into.to_str().unwrap(), "--json"]));
    assert_eq!(out["tracks"].as_u64(), Some(8));
    let joined = annotate::load(&into).unwrap();
    assert_eq!((joined.videos.len(), joined.tracks.len()), (2, 9));
    // MOT without seqinfo.ini does not say the size: assumed out loud, and validate
    // says the same until a video file is given.
    assert!(out["assumed"][0].as_str().unwrap().contains("does not say its size"), "{out}");
    let problems: Vec<String> = annotate::validate(&joined).into_iter().map(|p| p.path).collect();
    assert_eq!(problems, ["$.videos[1]"]);
}

#[test]
fn formats_are_listed_and_a_wrong_name_is_told() {
    let out = json(&vidence(&["formats", "--json"]));
    let names: Vec<&str> = out.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "cvat",
            "label-studio",
            "mot",
            "youtube-vis",
            "coco",
            "vstar",
            "vidstg",
            "hcstvg",
            "llamafactory",
            "swift",
            "qwen-finetune"
        ]
    );
    let sample = format!("{SAMPLES}/cvat/dagshub_sample_video.xml");
    let bad = vidence(&["import", "cvats", &sample, "--out", "never.json"]);
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && e.contains("unknown format \"cvats\": the formats are cvat, label-studio"),
        "{e}"
    );
    assert!(!std::path::Path::new("never.json").exists());
}

#[test]
fn a_trackers_results_come_in_as_a_run_and_labels_go_out_as_fine_tuning_data() {
    let dir = scratch("formats-run");
    let out = dir.join("tracker.json");
    let results = format!("{SAMPLES}/mot/py-motmetrics/TUD-Campus/test.txt");
    let got = json(&vidence(&[
        "import",
        "mot",
        &results,
        "--as-run",
        "tracker",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!((got["runs"].as_u64(), got["tracks"].as_u64()), (Some(1), Some(0)), "{got}");
    let data = annotate::load(&out).unwrap();
    assert_eq!(data.runs[0].model.name, "tracker");
    assert_eq!(data.runs[0].prediction.boxes.len(), 222);

    // The ground truth's tracks, unreviewed, are not fine-tuning data unless asked for.
    let gt = dir.join("gt.json");
    let tud = format!("{SAMPLES}/mot/py-motmetrics/TUD-Campus/gt.txt");
    vidence(&["import", "mot", &tud, "--out", gt.to_str().unwrap()]);
    let sft = dir.join("sft.jsonl");
    let none =
        json(&vidence(&["export", "swift", gt.to_str().unwrap(), "--out", sft.to_str().unwrap(), "--json"]));
    assert_eq!(none["tracks"].as_u64(), Some(0), "accepted labels only by default: {none}");
    let bad = vidence(&["export", "swift", gt.to_str().unwrap(), "--out", "x.jsonl", "--grounding", "qwen4"]);
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && e.contains("--grounding \"qwen4\" is not one of qwen3-vl"), "{e}");
    let all = dir.join("all.jsonl");
    let args = ["export", "swift", gt.to_str().unwrap(), "--out", all.to_str().unwrap(), "--review", "all"];
    vidence(&[&args[..], &["--grounding", "open-o3"]].concat());
    let lines = std::fs::read_to_string(&all).unwrap();
    assert_eq!(lines.lines().count(), 0, "a video of unknown size gives no boxes: {lines}");
}
