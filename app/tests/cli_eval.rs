//! `vidence eval` end to end: a benchmark's items in, a model's result file in as its
//! run, the run scored as the benchmark's code scores it.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;
use serde_json::json;
use support::{scratch, vidence};

/// A dataset in `dir` of the V-STaR `items`, each model's result file imported as its
/// runs (as `vidence import` does it); its path.
fn vstar_dataset(
    dir: &std::path::Path,
    items: &serde_json::Value,
    results: &[(&str, &serde_json::Value)],
) -> String {
    let write = |name: &str, v: &serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, v.to_string()).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let data = dir.join("d.json").to_str().unwrap().to_owned();
    assert!(vidence(&["import", "vstar", &write("items.json", items), "--out", &data]).status.success());
    for (model, results) in results {
        let file = write(&format!("{model}.json"), results);
        let joined = vidence(&["import", "vstar", &file, "--into", &data, "--as-run", model]);
        assert!(joined.status.success(), "{model}: {}", String::from_utf8_lossy(&joined.stderr));
    }
    data
}

#[test]
fn a_models_result_file_is_scored_against_the_benchmarks_items() {
    let dir = scratch("eval");
    let item = |n: u32, timestamps: [f64; 2]| {
        json!({"vid": "v1", "fps": 30.0, "width": 640, "height": 360, "frame_count": 300,
               "question": format!("What happens {n}?"), "object": "ball", "answer": "a throw",
               "temporal_question": format!("When {n}?"), "timestamps": timestamps})
    };
    let mut items = json!([item(1, [2.0, 4.5]), item(2, [5.0, 7.5])]);
    // Item 2's ball: chain 2 asks when given its boxes.
    items[1]["bboxes"] =
        json!([{"timestamp": 6, "frame_index": 180, "xmin": 1, "ymin": 2, "xmax": 30, "ymax": 40}]);
    let mut results = items.clone();
    results[1]["answer_vqa"] = json!("A throw.");
    results[1]["answer_temporal"] = json!([5.2, 7.0]);
    results[1]["answer_temporal_2"] = json!([5, 8]);
    let data = vstar_dataset(&dir, &items, &[("m", &results)]);
    let data = data.as_str();

    let out = vidence(&["eval", data, "--run", "m", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // V-STaR's calculate_temporal_iou: 1.8 / 2.5 and 2.5 / 3 along the two chains;
    // item 1's when question has no answer in either and scores 0.
    let want = [0.0, 0.0, 1.8 / 2.5, 2.5 / 3.0];
    let items = got["items"].as_array().unwrap();
    let tious: Vec<f64> = items.iter().filter_map(|i| i["scores"]["tIoU"].as_f64()).collect();
    assert_eq!(tious.len(), 4, "{got}");
    for (g, w) in tious.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{tious:?}");
    }
    let unanswered = items.iter().find(|i| i["id"] == "vstar-1-when").unwrap();
    assert!(unanswered.get("run").is_none(), "listed without a run");
    // The what answers: "A throw." is "a throw" after SQuAD's normalisation; item 1 has none.
    assert_eq!((got["qa"]["items"].as_u64(), got["qa"]["accuracy"].as_f64()), (Some(2), Some(0.5)), "{got}");
    assert_eq!(got["qa"]["exact"]["items"].as_u64(), Some(2));
    let m = got["temporal"]["m_tIoU"].as_f64().unwrap();
    assert!((m - want.iter().sum::<f64>() / 4.0).abs() < 1e-9, "{got}");
    assert_eq!(got["temporal"]["R1@0.7"].as_f64(), Some(0.5));
    assert!(got.get("spatial").is_none(), "no item has a where question: {got}");
    // V-STaR's own: item 1 has no what answer, so only item 2 is in the means.
    let v = &got["vstar"];
    assert_eq!(
        (v["items"].as_u64(), v["answered"].as_u64(), v["accuracy"].as_f64()),
        (Some(2), Some(1), Some(0.5))
    );
    assert!((v["chain1"]["m_tIoU"].as_f64().unwrap() - 0.72).abs() < 1e-9, "{v}");
    assert!((v["chain2"]["m_tIoU"].as_f64().unwrap() - 2.5 / 3.0).abs() < 1e-9, "{v}");
    let am = (0.5 + 0.72) / 3.0;
    assert!((v["chain1"]["AM"].as_f64().unwrap() - am).abs() < 1e-9, "{v}");
    assert!(v["mLGM"].as_f64().is_some() && v["by_duration"]["short"]["answered"] == 1, "{v}");

    let text = String::from_utf8(vidence(&["eval", data, "--run", "m"]).stdout).unwrap();
    assert!(text.contains("m_tIoU 0.3883") && text.contains("3 questions have no answer"), "{text}");
    assert!(text.contains("V-STaR (2 items, 1 answered, 0 judged): accuracy 0.5000"), "{text}");
    assert!(text.contains("  chain 2: m_tIoU 0.8333"), "{text}");
    assert!(text.contains("answers (2 items): accuracy 0.5000  exact 0.5000 (2)"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let weakest = lines.iter().position(|l| *l == "weakest:").unwrap();
    let first_two = &lines[weakest + 1..weakest + 3];
    assert!(first_two.iter().all(|l| l.contains("(v1, no answer")), "{text}");
    // The report: one page holding the tables, the plots and every item.
    let report = dir.join("report.html");
    let out = vidence(&["eval", data, "--run", "m", "--report", report.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&report).unwrap();
    for want in [
        "<td>m_tIoU</td><td>0.3883</td>",
        "<td>chain1 m_tIoU</td><td>0.7200</td>",
        "<td>vstar-1-when</td>",
        "tIoU: items by tenths (4 items)",
        "<svg",
    ] {
        assert!(html.contains(want), "{want} not in the report: {html}");
    }
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="), "self-contained");
    let bad = vidence(&["eval", data, "--run", "nobody"]);
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && e.contains("no run of \"nobody\" in the dataset; its runs are of: m"),
        "{e}"
    );
}

#[test]
fn a_trackers_results_are_scored_as_trackeval_scores_them() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../annotate/tests/fixtures/eval/tracking");
    let reference: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{fixtures}/trackeval.json")).unwrap()).unwrap();
    let data = scratch("eval-tracking").join("d.json");
    let data = data.to_str().unwrap();
    let truth = format!("{fixtures}/mot17/gt");
    assert!(vidence(&["import", "mot", &truth, "--out", data]).status.success());
    // The results folder holds one empty file: a sequence the tracker saw nothing in.
    let results = format!("{fixtures}/mot17/trackers/tracker/data");
    let joined = vidence(&["import", "mot", &results, "--into", data, "--as-run", "tracker"]);
    assert!(joined.status.success(), "{}", String::from_utf8_lossy(&joined.stderr));

    let out = vidence(&["eval", data, "--run", "tracker", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (name, want) in reference["mot17"]["combined"].as_object().unwrap() {
        let g = got["tracking"][name].as_f64().unwrap_or_else(|| panic!("no tracking.{name}: {got}"));
        assert!((g - want.as_f64().unwrap()).abs() <= 1e-6, "{name}: {g} here, {want} in TrackEval");
    }
    let items = got["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|i| i["kind"] == "tracks").count(), 7, "an item a sequence: {got}");
    let unseen = items.iter().find(|i| i["id"] == "unseen").unwrap();
    assert!(unseen.get("run").is_none() && unseen["scores"]["HOTA"] == 0.0, "{unseen}");

    let text = String::from_utf8(vidence(&["eval", data, "--run", "tracker"]).stdout).unwrap();
    assert!(text.contains("tracking (7 videos): HOTA 0.4497"), "{text}");
    assert!(text.contains("videos with no boxes from tracker, scored 0: 1"), "{text}");
}

#[test]
fn two_models_are_compared_metric_by_metric_and_item_by_item() {
    let dir = scratch("eval-against");
    let item = |n: u32, timestamps: [f64; 2]| {
        json!({"vid": "v1", "fps": 30.0, "width": 640, "height": 360, "frame_count": 300,
               "question": format!("What happens {n}?"), "object": "ball", "answer": "a throw",
               "temporal_question": format!("When {n}?"), "timestamps": timestamps})
    };
    let items = json!([item(1, [2.0, 4.5]), item(2, [5.0, 7.5])]);
    // m answers item 2 only, right (tIoU 1.8 / 2.5); m2 answers item 1 exactly and
    // item 2 wrong, both ways.
    let mut m = items.clone();
    m[1]["answer_vqa"] = json!("A throw.");
    m[1]["answer_temporal"] = json!([5.2, 7.0]);
    let mut m2 = items.clone();
    m2[0]["answer_vqa"] = json!("a throw");
    m2[0]["answer_temporal"] = json!([2.0, 4.5]);
    m2[1]["answer_vqa"] = json!("a catch");
    m2[1]["answer_temporal"] = json!([0.0, 1.0]);
    let data = vstar_dataset(&dir, &items, &[("m", &m), ("m2", &m2)]);
    let data = data.as_str();
    let out = vidence(&["eval", data, "--run", "m", "--against", "m2", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got["disagreements"],
        json!({"run_right_against_wrong": 2, "against_right_run_wrong": 2, "both_wrong": 2, "both_right": 0}),
        "{got}"
    );
    let verdict = |id: &str| {
        got["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap()["verdict"].clone()
    };
    assert_eq!(verdict("vstar-1-when"), "against_right_run_wrong");
    assert_eq!(verdict("vstar-2-what"), "run_right_against_wrong");
    let delta = got["metrics"].as_array().unwrap().iter().find(|d| d["metric"] == "temporal.m_tIoU").unwrap();
    // Each item's when along both chains, neither model answering chain 2's: m: (0 + 0.72)
    // / 4; m2: (1 + 0) / 4.
    let (a, b) = (0.72 / 4.0, 0.25);
    assert!(
        (delta["run"].as_f64().unwrap() - a).abs() < 1e-9
            && (delta["delta"].as_f64().unwrap() - (b - a)).abs() < 1e-9,
        "{delta}"
    );

    let text = String::from_utf8(vidence(&["eval", data, "--run", "m", "--against", "m2"]).stdout).unwrap();
    assert!(text.contains("m right, m2 wrong: 2; m2 right, m wrong: 2"), "{text}");
    assert!(text.contains("right in m2 only:\n  vstar-1-what (v1)"), "{text}");
    let report = dir.join("compared.html");
    assert!(
        vidence(&["eval", data, "--run", "m", "--against", "m2", "--report", report.to_str().unwrap()])
            .status
            .success()
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<tr><td>m right, m2 wrong</td><td>2</td></tr>"), "{html}");
    assert!(
        html.contains("<td>vstar-1-when</td><td>v1</td><td>when, chain 1</td><td>m2 right</td>"),
        "{html}"
    );
    let bad = vidence(&["eval", data, "--run", "m", "--against", "nobody"]);
    assert!(!bad.status.success(), "an unknown second model is refused");
}

#[test]
fn a_detectors_results_are_scored_as_pycocotools_scores_them() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../annotate/tests/fixtures/eval/coco");
    let reference: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{fixtures}/pycocotools.json")).unwrap()).unwrap();
    let data = scratch("eval-coco").join("d.json");
    let data = data.to_str().unwrap();
    let instances = format!("{fixtures}/instances.json");
    assert!(vidence(&["import", "coco", &instances, "--out", data]).status.success());
    let results = format!("{fixtures}/results.json");
    let joined = vidence(&["import", "coco", &instances, &results, "--into", data, "--as-run", "det"]);
    assert!(joined.status.success(), "{}", String::from_utf8_lossy(&joined.stderr));
    let out = vidence(&["eval", data, "--run", "det", "--json"]);
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in ["AP", "AP50", "AP75", "AR"] {
        let (g, w) = (got["detection"][name].as_f64().unwrap(), reference["all"][name].as_f64().unwrap());
        assert!((g - w).abs() <= 1e-6, "{name}: {g} here, {w} in pycocotools");
    }
    assert!(got.get("tracking").is_none(), "a detector's boxes are no tracks: {got}");
}

#[test]
fn items_are_split_by_their_videos_length_as_v_star_splits_them() {
    let dir = scratch("eval-duration");
    // 10 s, 120 s, 180 s (long: the bound is in the long ones) and 60 s (medium).
    let item = |vid: &str, frames: u32, timestamps: [f64; 2]| {
        json!({"vid": vid, "fps": 30.0, "width": 640, "height": 360, "frame_count": frames,
               "question": format!("What happens in {vid}?"), "object": "ball", "answer": "a throw",
               "temporal_question": "When?", "timestamps": timestamps})
    };
    let items = json!([
        item("v1", 300, [2.0, 4.5]),
        item("v2", 3600, [5.0, 10.0]),
        item("v3", 5400, [2.0, 4.5]),
        item("v4", 1800, [10.0, 20.0])
    ]);
    let mut results = items.clone();
    for (i, span) in [[2.0, 4.5], [5.0, 7.5], [2.0, 4.5], [15.0, 25.0]].iter().enumerate() {
        results[i]["answer_vqa"] = json!("a throw");
        results[i]["answer_temporal"] = json!(span);
    }
    let data = vstar_dataset(&dir, &items, &[("m", &results)]);
    let data = data.as_str();
    let out = vidence(&["eval", data, "--run", "m", "--json"]);
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &got["by_duration"];
    let m = |bucket: &str| d[bucket]["temporal"]["m_tIoU"].as_f64().unwrap();
    let items = |bucket: &str| d[bucket]["temporal"]["items"].as_u64().unwrap();
    // Short: v1 exactly. Medium: v2 2.5 / 5 and v4 5 / 15. Long: v3 exactly. Each
    // item's when is there twice, chain 2's unanswered.
    assert_eq!((m("short"), items("short")), (0.5, 2), "{d}");
    assert!((m("medium") - (0.5 + 1.0 / 3.0) / 4.0).abs() < 1e-9 && items("medium") == 4, "{d}");
    assert_eq!((m("long"), items("long")), (0.5, 2), "{d}");
    // V-STaR's own split, chain 1.
    let v = &got["vstar"]["by_duration"];
    let chain1 = |bucket: &str| v[bucket]["chain1"]["m_tIoU"].as_f64().unwrap();
    assert_eq!((chain1("short"), chain1("long")), (1.0, 1.0), "{v}");
    assert!((chain1("medium") - (0.5 + 1.0 / 3.0) / 2.0).abs() < 1e-9 && v["medium"]["items"] == 2, "{v}");
}
