//! Scoring speed on a benchmark's scale: 10,000 V-STaR items (by default; five to a
//! video, each a what, a when and two where questions, the object's boxes a second
//! apart) and a result file answering every one, imported as a run, then scored by
//! `eval::score` (median of 5). Run in release: `cargo run --release -p annotate
//! --example eval_bench -- [--items N]`.

use std::time::Instant;

use annotate::eval;
use annotate::formats::{self, Format, Input};
use serde_json::{Value, json};

#[path = "support/machine.rs"]
mod machine;
#[path = "support/xorshift.rs"]
mod xorshift;
use machine::machine;
use xorshift::XorShift;

const RUNS: usize = 5;
const PER_VIDEO: usize = 5;
const BOXES: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let count: usize = arg("--items").map_or(Ok(10_000), |v| v.parse())?;
    let (items, results) = vstar(count);
    let started = Instant::now();
    let items = Input { name: "V_STaR_test.json".into(), bytes: serde_json::to_vec(&items)? };
    let mut data = formats::import(Format::Vstar, &[items], &[])?.dataset;
    let results = Input { name: "results.json".into(), bytes: serde_json::to_vec(&results)? };
    let runs = formats::import_run(Format::Vstar, &[results], &data.videos, "model")?.dataset;
    data.runs.extend(runs.runs);
    let import_s = started.elapsed().as_secs_f64();
    let mut seconds = Vec::new();
    let mut scores = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        scores = Some(eval::score(&data, "model")?);
        seconds.push(started.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let s = scores.ok_or("no scores")?;
    println!("machine: {}", machine());
    println!(
        "V-STaR: {count} items on {} videos, {} questions, {} runs answering them (imported in {import_s:.2} s)",
        data.videos.len(),
        data.questions.len(),
        data.runs.len()
    );
    let (qa, temporal, spatial) = (
        s.questions.qa.as_ref().map_or(0, |a| a.items),
        s.questions.temporal.as_ref().map_or(0, |t| t.items),
        s.questions.spatial.as_ref().map_or(0, |t| t.items),
    );
    println!(
        "  scored in {:.4} s (median of {RUNS}; min {:.4}, max {:.4}): {} items, {qa} answers, {temporal} spans \
         along both chains, {spatial} where answers by their boxes' seconds",
        seconds[RUNS / 2],
        seconds[0],
        seconds[RUNS - 1],
        s.items.len()
    );
    let v = s.vstar.as_ref().ok_or("no V-STaR section")?;
    println!(
        "  V-STaR: accuracy {:.4}, mAM {:.4}, chain 1 m_tIoU {:.4} m_vIoU {:.4}",
        v.all.accuracy, v.all.m_am, v.all.chain1.when.m_tiou, v.all.chain1.m_viou
    );
    Ok(())
}

/// `count` items and their results: answers right and wrong, spans near and far, boxes
/// on and off the object.
fn vstar(count: usize) -> (Value, Value) {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15u64);
    let mut unit = move || rng.unit();
    let mut items = Vec::with_capacity(count);
    let mut results = Vec::with_capacity(count);
    for n in 0..count {
        let start = (unit() * 40.0).floor();
        let bboxes: Vec<Value> = (0..BOXES)
            .map(|k| {
                let t = start + k as f64;
                let x = 100.0 + k as f64 * 20.0;
                json!({"timestamp": t as u64, "frame_index": (t * 30.0) as u64, "xmin": x, "ymin": 100, "xmax": x + 80.0, "ymax": 220})
            })
            .collect();
        let item = json!({
            "vid": format!("video-{}", n / PER_VIDEO), "domain": "Sports", "fps": 30.0, "width": 1280,
            "height": 720, "frame_count": 1800, "question": format!("What happens in scene {n}?"),
            "chain": "<think>First one thing, then another.</think>", "object": "ball",
            "answer": if n % 3 == 0 { "a throw" } else { "a catch" },
            "temporal_question": "When does it happen?", "timestamps": [start, start + BOXES as f64],
            "spatial_question": "Where is the ball?", "spatial_question_2": "Where is the ball then?",
            "bboxes": bboxes,
        });
        let mut result = item.clone();
        result["answer_vqa"] = json!(if unit() < 0.6 { "A throw." } else { "A catch." });
        let shift = (unit() - 0.5) * 8.0;
        result["answer_temporal"] = json!([start + shift, start + BOXES as f64 + shift]);
        result["answer_temporal_2"] = json!([start, start + 5.0]);
        let answer: serde_json::Map<String, Value> = (0..BOXES)
            .map(|k| {
                let x = 100.0 + k as f64 * 20.0 + (unit() - 0.5) * 40.0;
                ((start as u64 + k as u64).to_string(), json!([x, 100, x + 80.0, 220]))
            })
            .collect();
        result["answer_spatial"] = Value::Object(answer.clone());
        result["answer_spatial_2"] = Value::Object(answer);
        items.push(item);
        results.push(result);
    }
    (Value::Array(items), Value::Array(results))
}
