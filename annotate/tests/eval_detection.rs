//! Detection scores against pycocotools' on the same files
//! (`scripts/eval-reference.sh` writes them and pycocotools' output): the instances
//! file imported as labels, the results file as a run, `eval::score` compared.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use annotate::eval::{self, ItemKind};
use annotate::formats::{self, Format, Input};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval/coco");

fn input(name: &str) -> Input {
    Input { name: name.into(), bytes: std::fs::read(format!("{FIXTURES}/{name}")).unwrap() }
}

#[test]
fn a_detectors_results_score_as_pycocotools_scores_them() {
    let reference: Value =
        serde_json::from_slice(&std::fs::read(format!("{FIXTURES}/pycocotools.json")).unwrap()).unwrap();
    let mut data = formats::import(Format::Coco, &[input("instances.json")], &[]).unwrap().dataset;
    let run = formats::import_run(
        Format::Coco,
        &[input("instances.json"), input("results.json")],
        &data.videos,
        "det",
    )
    .unwrap()
    .dataset;
    data.runs.extend(run.runs);
    let scores = eval::score(&data, "det").unwrap();
    let close = |got: f64, want: &Value, what: &str| {
        let want = want.as_f64().unwrap();
        assert!((got - want).abs() <= 1e-6, "{what}: {got} here, {want} in pycocotools");
    };
    let all = scores.detection.as_ref().unwrap();
    let want = &reference["all"];
    close(all.AP, &want["AP"], "AP");
    close(all.AP50, &want["AP50"], "AP50");
    close(all.AP75, &want["AP75"], "AP75");
    close(all.AR, &want["AR"], "AR");
    for (video, want) in reference["videos"].as_object().unwrap() {
        let item = scores.items.iter().find(|i| i.video == *video && i.kind == ItemKind::Boxes).unwrap();
        close(item.scores.ap.unwrap(), &want["AP"], &format!("{video} AP"));
        close(item.scores.ap50.unwrap(), &want["AP50"], &format!("{video} AP50"));
    }
    // A detector's run names no object twice? It does (many boxes of a category on
    // a frame), so it is no tracker's: no tracking section.
    assert!(scores.tracking.is_none());
}
