//! `vidence predict` against a local OpenAI-compatible server that takes 200 ms a
//! request: 256 jobs at concurrency 32 and at 1, each against its ideal (256 / 32 x
//! 0.2 s, and 256 x 0.2 s); then 10,000 jobs against a server that answers at once,
//! this process's resident memory read as they finish. Prints the numbers with the
//! machine; `scripts/bench.sh` writes them into bench/RESULTS.md.
//!
//! cargo run --release -p vidence --example predict_bench
#![allow(clippy::unwrap_used)] // a benchmark that cannot set up should fail loudly

#[path = "../tests/support/openai.rs"]
mod openai;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::json;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    predict: vidence::predict::Predict,
}

/// A 160x90 two-second clip and a dataset of `questions` questions about it.
fn dataset(dir: &Path, questions: usize) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let video = dir.join("clip.mp4");
    let mut writer =
        viewer::encode::VideoWriter::create(&video, &viewer::encode::EncodeSettings::h264(160, 90, 30))
            .unwrap();
    for i in 0..60u8 {
        writer.write_rgb(&vec![i * 4; 160 * 90 * 3], i64::from(i)).unwrap();
    }
    writer.finish().unwrap();
    let info = viewer::VideoSource::open(&video).unwrap().info().clone();
    let record = vidence::videos::record_of(&info, "clip".into(), "clip.mp4".into());
    let questions: Vec<_> = (0..questions)
        .map(|i| {
            json!({"id": format!("q{i}"), "video": "clip", "kind": "what", "text": format!("What is question {i} about?"),
                   "answer": "grey", "source": {"kind": "human"}})
        })
        .collect();
    let data = json!({"schema": annotate::SCHEMA, "videos": [record], "questions": questions});
    let path = dir.join("bench.json");
    std::fs::write(&path, data.to_string()).unwrap();
    path
}

fn predict(data: &Path, address: &str, concurrency: usize) -> f64 {
    let concurrency = concurrency.to_string();
    let args = Args::parse_from([
        "predict",
        data.to_str().unwrap(),
        "--endpoint",
        address,
        "--served-model",
        "m",
        "--fps",
        "1",
        "--max-frames",
        "2",
        "--concurrency",
        &concurrency,
    ]);
    let started = Instant::now();
    let summary = vidence::predict::run(&args.predict, &vidence::predict::Control::new()).unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.errors);
    started.elapsed().as_secs_f64()
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() {
    let root = std::env::temp_dir().join("vidence-predict-bench");
    println!("machine: {}", model::machine::describe());
    let slow = openai::serve(|body| openai::Reply {
        delay: Duration::from_millis(200),
        ..openai::Reply::ok(openai::completion(body, "<answer>grey</answer>"))
    });
    for (concurrency, ideal) in [(32, 256.0 / 32.0 * 0.2), (1, 256.0 * 0.2)] {
        let data = dataset(&root.join(format!("c{concurrency}")), 256);
        let took = predict(&data, &slow.address, concurrency);
        println!(
            "256 jobs, 200 ms a request, concurrency {concurrency}: {took:.2} s, ideal {ideal:.2} s, ratio {:.3}",
            took / ideal
        );
    }

    let fast = openai::serve(|body| openai::Reply::ok(openai::completion(body, "<answer>grey</answer>")));
    let data = dataset(&root.join("memory"), 10_000);
    let store = annotate::batch::store_path(&data, "m", None);
    let before = resident_mib();
    // The test server keeps every request it got; its log is emptied as the jobs go,
    // so that what is measured is the run's memory.
    let log = fast.seen.clone();
    let sampler = std::thread::Builder::new().name("bench-memory".into()).spawn(move || {
        let mut samples = Vec::new();
        let mut next = 1000;
        while next <= 10_000 {
            let lines = std::fs::read(&store).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
            if lines >= next {
                samples.push((lines, resident_mib()));
                next += 1000;
            }
            log.lock().unwrap().clear();
            std::thread::sleep(Duration::from_millis(10));
        }
        samples
    });
    let sampler = sampler.unwrap();
    let took = predict(&data, &fast.address, 32);
    let samples = sampler.join().unwrap();
    println!("10,000 jobs, concurrency 32: {took:.1} s; resident memory {before:.0} MiB before");
    for (lines, mib) in samples {
        println!("  after {lines:>5} jobs: {mib:.0} MiB");
    }
}
