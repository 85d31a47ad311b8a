//! `vidence predict` against a local OpenAI-compatible server that takes 200 ms a
//! request: 256 jobs at concurrency 32 and at 1, each against its ideal (256 / 32 x
//! 0.2 s, and 256 x 0.2 s); then 10,000 jobs against a server that answers at once
//! (in a child process), this process's resident memory read as they finish; then this machine's model (the
//! Qwen3-VL-2B architecture, random weights, on the CPU) over questions of the demo,
//! the time in the model's own passes against the whole. Prints the numbers with the
//! machine; `scripts/bench.sh` writes them into bench/RESULTS.md.
//!
//! cargo run --release -p vidence --example predict_bench
#![allow(clippy::unwrap_used)] // a benchmark that cannot set up should fail loudly

#[path = "../tests/support/openai.rs"]
mod openai;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use model::backend::{Answer, Backend, Failure, Local};

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

/// `vidence predict` over `data` against the server at `address`, two frames a job.
fn args(data: &Path, address: &str, concurrency: usize) -> Args {
    let concurrency = concurrency.to_string();
    Args::parse_from([
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
    ])
}

fn predict(data: &Path, address: &str, concurrency: usize) -> f64 {
    let args = args(data, address, concurrency);
    let started = Instant::now();
    let summary = vidence::predict::run(&args.predict, &vidence::control::Control::new()).unwrap();
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

/// This machine's model, the seconds its answers took and those in its own passes summed.
struct Timed {
    model: Local,
    seconds: Mutex<(f64, f64)>,
}

impl Backend for Timed {
    fn answer(&self, job: &model::worker::Job) -> Result<Answer, Failure> {
        let answer = self.model.answer(job);
        if let Ok(a) = &answer {
            let mut s = self.seconds.lock().unwrap();
            (s.0, s.1) = (s.0 + a.latency_s, s.1 + a.model_s.unwrap_or(0.0));
        }
        answer
    }
}

/// The Qwen3-VL-2B architecture with the test tokenizer's vocabulary and special ids
/// (its answers must spell out), random weights, written once under `target/`.
fn checkpoint_2b() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-models/qwen3-vl-2b-test-vocab");
    if !dir.join("model.safetensors").exists() {
        let mut config: serde_json::Value =
            serde_json::from_str(model::qwen3_vl::QWEN3_VL_2B_CONFIG).unwrap();
        for (key, id) in [
            ("vision_start_token_id", 3),
            ("vision_end_token_id", 4),
            ("image_token_id", 5),
            ("video_token_id", 6),
        ] {
            config[key] = json!(id);
        }
        config["text_config"]["vocab_size"] = json!(320);
        model::qwen3_vl::write_random_checkpoint(&dir, &config.to_string()).unwrap();
        let tokenizer = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../model/tests/fixtures/qwen3_vl_tokenizer/tokenizer.json");
        std::fs::copy(tokenizer, dir.join("tokenizer.json")).unwrap();
    }
    dir
}

/// `questions` of the demo asked of the 2B model here: the whole `ask` (frames decoded
/// and resized, prompts, answers read, each synced to the store) against the model's passes.
fn local(root: &Path, questions: &str, frames: u64) {
    let checkpoint = checkpoint_2b();
    // A fresh demo: no store of an earlier run to skip its answers.
    let _ = std::fs::remove_dir_all(root.join("demo"));
    let demo = vidence::demo::generate(
        &root.join("demo"),
        vidence::demo::DEFAULT_SEED,
        vidence::demo::Existing::Refuse,
    )
    .unwrap();
    let frames = frames.to_string();
    let args = Args::parse_from([
        "predict",
        demo.dataset.to_str().unwrap(),
        "--model",
        checkpoint.to_str().unwrap(),
        "--questions",
        questions,
        "--fps",
        "1",
        "--max-frames",
        &frames,
        "--max-tokens",
        "16",
    ]);
    let loaded = model::worker::Loaded::open(&checkpoint, &candle_core::Device::Cpu, &mut |_| {}).unwrap();
    let timed = Arc::new(Timed { model: Local::new(loaded), seconds: Mutex::new((0.0, 0.0)) });
    let data = annotate::load(&demo.dataset).unwrap();
    let lanes = |name: &str| Ok(vec![vidence::predict::Lane::here(name, timed.clone())]);
    let started = Instant::now();
    let summary =
        vidence::predict::ask(&args.predict, &data, lanes, &vidence::control::Control::new(), &mut |_| {})
            .unwrap();
    let total = started.elapsed().as_secs_f64();
    assert_eq!((summary.answered, summary.failed), (questions.split(',').count(), 0), "{:?}", summary.errors);
    let (answering, passes) = *timed.seconds.lock().unwrap();
    println!(
        "this machine's model, {} questions of the demo, {frames} frames each: {total:.1} s in all, {passes:.1} s in the model's passes, {:.1} s resizing, prompting and reading answers, {:.1} s besides (the first job's frames, the store; later frames decode while the model runs); outside the model {:.1}%",
        summary.answered,
        answering - passes,
        total - answering,
        (total - passes) / total * 100.0
    );
}

// The allocator `vidence predict` runs on (see app/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Set in the environment of the child that serves at once.
const SERVE: &str = "VIDENCE_BENCH_SERVE";

fn main() {
    if std::env::var_os(SERVE).is_some() {
        // The server keeps no log of what it got: its memory stays its own business.
        let fast = openai::serve(|body| openai::Reply::ok(openai::completion(body, "<answer>grey</answer>")));
        println!("{}", fast.address);
        loop {
            fast.seen.lock().unwrap().clear();
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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

    // The server answering at once runs in a child process: what is measured is the
    // run's memory alone.
    let mut server = std::process::Command::new(std::env::current_exe().unwrap())
        .env(SERVE, "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut address = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(server.stdout.take().unwrap()), &mut address)
        .unwrap();
    let address = address.trim().to_owned();
    let data = dataset(&root.join("memory"), 10_000);
    let args = args(&data, &address, 32);
    let questions = annotate::load(&data).unwrap();
    let before = resident_mib();
    // Read as the jobs end, told by the run itself: nothing else in this process grows.
    let mut samples = Vec::new();
    let started = Instant::now();
    let lanes = |model: &str| vidence::predict::lanes(&args.predict, model);
    let summary = vidence::predict::ask(
        &args.predict,
        &questions,
        lanes,
        &vidence::control::Control::new(),
        &mut |p| {
            if let vidence::predict::Progress::Ended { summary, .. } = p
                && (summary.answered + summary.failed) % 1000 == 0
            {
                samples.push((summary.answered + summary.failed, resident_mib()));
            }
        },
    )
    .unwrap();
    let took = started.elapsed().as_secs_f64();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(summary.answered, 10_000, "{:?}", summary.errors);
    println!("10,000 jobs, concurrency 32: {took:.1} s; resident memory {before:.0} MiB before");
    for (jobs, mib) in samples {
        println!("  after {jobs:>5} jobs: {mib:.0} MiB");
    }
    local(&root, "q1,q2,q3", 4);
}
