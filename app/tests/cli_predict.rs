//! `vidence predict` over the demo's questions (on two videos): against real HTTP
//! servers in this process that check every request against vLLM's schema and answer
//! in its shapes, with the faults servers have; killed with SIGKILL and run again; in
//! three shards merged; and with this machine's model on a random-weight checkpoint.
//! Every job ends answered or failed with its reason, none is answered twice.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

#[path = "support/openai.rs"]
mod openai;
mod support;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use openai::{Reply, completion, prompt_of, vllm_problems};
use serde_json::{Value, json};
use support::{scratch, vidence};

/// The demo, once for the file: its video and dataset.
fn demo() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("predict_demo");
        let out = vidence(&["demo", "--out", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

/// A copy of the demo with a second video (the same clip under another name) asked the
/// same questions: 24 jobs on two videos.
fn dataset(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::copy(demo().join("demo.mp4"), dir.join("demo.mp4")).unwrap();
    std::fs::copy(demo().join("demo.mp4"), dir.join("second.mp4")).unwrap();
    let mut data: Value =
        serde_json::from_slice(&std::fs::read(demo().join("demo.vidence.json")).unwrap()).unwrap();
    let mut video = data["videos"][0].clone();
    video["id"] = json!("second");
    video["path"] = json!("second.mp4");
    data["videos"].as_array_mut().unwrap().push(video);
    let copies: Vec<Value> = data["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let mut q = q.clone();
            q["id"] = json!(format!("{}-second", q["id"].as_str().unwrap()));
            q["video"] = json!("second");
            q["evidence"] = json!([]);
            q
        })
        .collect();
    data["questions"].as_array_mut().unwrap().extend(copies);
    data["runs"] = json!([]);
    let path = dir.join("d.json");
    std::fs::write(&path, serde_json::to_string_pretty(&data).unwrap()).unwrap();
    path
}

/// What a model would answer the prompt with, as the task asks for it.
fn answer_for(prompt: &str) -> String {
    if prompt.contains("When does this happen") {
        "```json\n{\"start\": 2.0, \"end\": 6.5}\n```".into()
    } else if prompt.contains("Locate") {
        "```json\n[{\"time\": 0.0, \"bbox_2d\": [100, 100, 300, 400]}, {\"time\": 2.0, \"bbox_2d\": [120, 100, 320, 400]}]\n```".into()
    } else {
        "<think>The red circle moves right.</think><answer>A</answer>".into()
    }
}

/// A healthy vLLM: every request checked, answered by `answer_for`.
fn healthy(delay: Duration) -> openai::Mock {
    openai::serve(move |body| {
        let problems = vllm_problems(body);
        if !problems.is_empty() {
            return Reply::status(400, &format!("{problems:?}"));
        }
        Reply { delay, ..Reply::ok(completion(body, &answer_for(&prompt_of(body)))) }
    })
}

fn predict(data: &Path, extra: &[&str]) -> (std::process::Output, Value) {
    let mut args = vec!["predict", data.to_str().unwrap(), "--fps", "0.5", "--max-frames", "2", "--json"];
    args.extend_from_slice(extra);
    let out = vidence(&args);
    let summary = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, summary)
}

fn store_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn runs_of(data: &Path) -> Vec<Value> {
    let data: Value = serde_json::from_slice(&std::fs::read(data).unwrap()).unwrap();
    data["runs"].as_array().cloned().unwrap_or_default()
}

/// Each run's id appears once, and the ids are `run:job` for every job.
fn assert_each_job_once(data: &Path, run: &str, jobs: usize) {
    let runs = runs_of(data);
    let ids: Vec<&str> = runs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a job answered twice: {ids:?}");
    assert_eq!(ids.iter().filter(|id| id.starts_with(&format!("{run}:"))).count(), jobs, "{ids:?}");
}

#[test]
fn a_server_answers_every_question_in_vllm_shapes_and_a_second_call_asks_nothing() {
    let data = dataset("predict_server");
    let server = healthy(Duration::ZERO);
    let (out, summary) = predict(
        &data,
        &["--endpoint", &server.address, "--served-model", "Qwen/Qwen3-VL-8B-Instruct", "--run", "qwen8b"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(summary["jobs"], 24);
    assert_eq!(summary["answered"], 24);
    assert_eq!((summary["failed"].clone(), summary["skipped"].clone()), (json!(0), json!(0)));
    let requests = server.requests();
    assert_eq!(requests.len(), 24);
    for r in &requests {
        assert_eq!(vllm_problems(r), Vec::<String>::new());
        assert_eq!(r["model"], "Qwen/Qwen3-VL-8B-Instruct");
        assert_eq!(r["media_io_kwargs"]["video"]["frames_indices"].as_array().unwrap().len(), 2);
    }
    // The demo runs at 30 fps: 2 frames of 20 s, indices into the whole clip.
    assert_eq!(requests[0]["media_io_kwargs"]["video"]["fps"], 30.0);
    assert_eq!(server.seen.lock().unwrap()[0].0, None, "no key was set, none is sent");

    assert_each_job_once(&data, "qwen8b", 24);
    let runs = runs_of(&data);
    let when = runs.iter().find(|r| r["id"] == "qwen8b:q1").unwrap();
    assert_eq!(when["model"]["backend"], "server");
    assert_eq!(when["model"]["endpoint"], format!("{}/v1", server.address));
    assert_eq!(when["call"]["model"], "Qwen/Qwen3-VL-8B-Instruct");
    assert_eq!(
        (when["call"]["prompt_tokens"].clone(), when["call"]["completion_tokens"].clone()),
        (json!(100), json!(3))
    );
    assert_eq!(when["settings"]["task"], "when");
    assert_eq!(when["prediction"]["spans"][0]["end_s"], 6.5);
    assert_eq!(when["tokens"]["count"], 3, "the log-probabilities are kept");
    let track = runs.iter().find(|r| r["answers"]["id"] == "q7").unwrap();
    assert_eq!(track["settings"]["task"], "track");
    assert_eq!(track["prediction"]["boxes"].as_array().unwrap().len(), 2);
    // 0-1000 on a 1280x720 frame: x 100 -> 128 px.
    assert_eq!(track["prediction"]["boxes"][0]["bbox"][0], 128.0);

    let scored = vidence(&["eval", data.to_str().unwrap(), "--run", "qwen8b", "--json"]);
    assert!(scored.status.success(), "{}", String::from_utf8_lossy(&scored.stderr));
    let scores: Value = serde_json::from_slice(&scored.stdout).unwrap();
    assert!(scores["temporal"]["m_tIoU"].as_f64().is_some(), "{scores}");

    let listed = vidence(&["runs", data.to_str().unwrap(), "--json"]);
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let entry = listed.as_array().unwrap().iter().find(|r| r["run"] == "qwen8b").unwrap();
    assert_eq!(
        (entry["backend"].clone(), entry["answered"].clone(), entry["failed"].clone()),
        (json!("server"), json!(24), json!(0))
    );

    let (again, summary) = predict(
        &data,
        &["--endpoint", &server.address, "--served-model", "Qwen/Qwen3-VL-8B-Instruct", "--run", "qwen8b"],
    );
    assert!(again.status.success());
    assert_eq!((summary["skipped"].clone(), summary["answered"].clone()), (json!(24), json!(0)));
    assert_eq!(server.requests().len(), 24, "nothing is asked twice");
    assert_each_job_once(&data, "qwen8b", 24);

    // Servers without video input get a picture a frame after its time.
    let images = healthy(Duration::ZERO);
    let (out, _) = predict(
        &data,
        &[
            "--endpoint",
            &images.address,
            "--served-model",
            "m",
            "--video-input",
            "images",
            "--questions",
            "q2",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parts = images.requests()[0]["messages"][0]["content"].as_array().unwrap().clone();
    let kinds: Vec<&str> = parts.iter().map(|p| p["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["text", "image_url", "text", "image_url", "text"]);
    assert_eq!(parts[0]["text"], "<0.0 seconds>");
}

#[test]
fn faults_end_each_job_answered_or_failed_with_its_reason_and_the_next_call_asks_only_the_failed() {
    let data = dataset("predict_faults");
    let texts: HashMap<String, String> = {
        let d: Value = serde_json::from_slice(&std::fs::read(&data).unwrap()).unwrap();
        d["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["video"] == "demo")
            .map(|q| (q["id"].as_str().unwrap().to_owned(), q["text"].as_str().unwrap().to_owned()))
            .collect()
    };
    let job_of = move |body: &Value| -> String {
        let prompt = prompt_of(body);
        let mut ids: Vec<&String> =
            texts.iter().filter(|(_, t)| prompt.contains(t.as_str())).map(|(id, _)| id).collect();
        ids.sort_by_key(|id| std::cmp::Reverse(texts[*id].len()));
        ids.first().map(|s| (*s).clone()).unwrap_or_default()
    };
    let tries: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let times: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let (t, at) = (tries.clone(), times.clone());
    let server = openai::serve(move |body| {
        let prompt = prompt_of(body);
        let job = job_of(body);
        let n = {
            let mut t = t.lock().unwrap();
            let n = t.entry(job.clone()).or_default();
            *n += 1;
            *n
        };
        at.lock().unwrap().push((job.clone(), Instant::now()));
        let ok = Reply::ok(completion(body, &answer_for(&prompt)));
        match (job.as_str(), n) {
            ("q2", 1) => Reply::status(500, "{\"object\": \"error\", \"message\": \"CUDA out of memory\"}"),
            ("q4", 1) => Reply { headers: vec![("Retry-After", "1".into())], ..Reply::status(429, "busy") },
            ("q6", _) => Reply::ok("{\"choices\": [".into()),
            ("q10", 1) => Reply { delay: Duration::from_secs(3), ..ok },
            ("q5", _) => Reply::status(400, "{\"message\": \"max_tokens is too large\"}"),
            _ => ok,
        }
    });
    let (out, summary) = predict(
        &data,
        &[
            "--endpoint",
            &server.address,
            "--served-model",
            "m",
            "--timeout",
            "1",
            "--attempts",
            "3",
            "--videos",
            "demo",
        ],
    );
    assert!(!out.status.success(), "failed jobs fail the call");
    assert_eq!(
        (summary["jobs"].clone(), summary["answered"].clone(), summary["failed"].clone()),
        (json!(12), json!(10), json!(2))
    );
    let store = PathBuf::from(summary["store"].as_str().unwrap());
    let lines = store_lines(&store);
    assert_eq!(lines.len(), 12, "each job ends answered or failed");
    let failed: HashMap<&str, &Value> = lines
        .iter()
        .filter(|l| l.get("failed").is_some())
        .map(|l| (l["job"].as_str().unwrap(), &l["failed"]))
        .collect();
    assert!(failed["q6"]["reason"].as_str().unwrap().contains("not JSON"), "{:?}", failed["q6"]);
    assert_eq!(failed["q6"]["attempts"], 3);
    assert!(failed["q5"]["reason"].as_str().unwrap().contains("HTTP 400"));
    assert_eq!(failed["q5"]["attempts"], 1, "a refused request is not asked again");
    let tries_now = tries.lock().unwrap().clone();
    assert_eq!((tries_now["q2"], tries_now["q4"], tries_now["q10"]), (2, 2, 2));
    let q4: Vec<Instant> = times.lock().unwrap().iter().filter(|(j, _)| j == "q4").map(|(_, t)| *t).collect();
    assert!(q4[1] - q4[0] >= Duration::from_millis(950), "Retry-After: 1 was honoured: {:?}", q4[1] - q4[0]);
    let runs = runs_of(&data);
    let q2 = runs.iter().find(|r| r["id"] == "m:q2").unwrap();
    assert_eq!(q2["call"]["attempts"], 2);

    // The same command against a server that now answers asks only the two.
    let fixed = healthy(Duration::ZERO);
    let (out, summary) =
        predict(&data, &["--endpoint", &fixed.address, "--served-model", "m", "--videos", "demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!((summary["answered"].clone(), summary["skipped"].clone()), (json!(2), json!(10)));
    assert_eq!(fixed.requests().len(), 2);
    assert_each_job_once(&data, "m", 12);
}

#[test]
fn a_server_that_refuses_or_dies_is_taken_out_and_its_jobs_go_to_the_others() {
    let data = dataset("predict_rotation");
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    let dying = Arc::new(OnceLock::<openai::Mock>::new());
    let killer = dying.clone();
    let mortal = openai::serve(move |body| {
        if count.fetch_add(1, Ordering::Relaxed) == 4 {
            killer.get().unwrap().kill();
        }
        Reply {
            delay: Duration::from_millis(50),
            ..Reply::ok(completion(body, &answer_for(&prompt_of(body))))
        }
    });
    let address = mortal.address.clone();
    let _ = dying.set(mortal);
    let good = healthy(Duration::from_millis(50));
    let (out, summary) = predict(
        &data,
        &[
            "--endpoint",
            &refused,
            "--endpoint",
            &address,
            "--endpoint",
            &good.address,
            "--served-model",
            "m",
            "--concurrency",
            "2",
            "--attempts",
            "2",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(summary["answered"], 24);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{refused}/v1 stopped answering")), "{stderr}");
    assert!(stderr.contains(&format!("{address}/v1 stopped answering")), "{stderr}");
    assert_each_job_once(&data, "m", 24);

    // With no server left, every job fails with why.
    let alone = dataset("predict_refused");
    let (out, summary) = predict(&alone, &["--endpoint", &refused, "--served-model", "m", "--attempts", "1"]);
    assert!(!out.status.success());
    assert_eq!((summary["failed"].clone(), summary["answered"].clone()), (json!(24), json!(0)));
    let lines = store_lines(Path::new(summary["store"].as_str().unwrap()));
    assert!(
        lines.iter().all(|l| l["failed"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("cannot reach") || r.contains("stopped answering"))),
        "{lines:?}"
    );
}

#[test]
fn killed_with_sigkill_mid_run_then_run_again_every_job_is_answered_exactly_once() {
    let data = dataset("predict_killed");
    let server = healthy(Duration::from_millis(200));
    let args = [
        "predict",
        data.to_str().unwrap(),
        "--fps",
        "0.5",
        "--max-frames",
        "2",
        "--endpoint",
        &server.address,
        "--served-model",
        "m",
        "--concurrency",
        "2",
    ];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vidence"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let store = annotate::batch::store_path(&data, "m", None);
    let started = Instant::now();
    while std::fs::read_to_string(&store).map_or(0, |s| s.lines().count()) < 6 {
        assert!(started.elapsed() < Duration::from_secs(60), "no answers came");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let kept = store_lines(&store).len();
    assert!((6..24).contains(&kept), "killed halfway: {kept} lines");
    assert!(runs_of(&data).is_empty(), "the dataset is joined only at the end");

    let (out, summary) =
        predict(&data, &["--endpoint", &server.address, "--served-model", "m", "--concurrency", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(summary["skipped"].as_u64().unwrap() as usize, kept);
    assert_eq!(summary["answered"].as_u64().unwrap() as usize, 24 - kept);
    let jobs: Vec<String> =
        store_lines(&store).iter().map(|l| l["job"].as_str().unwrap().to_owned()).collect();
    assert_eq!(jobs.iter().collect::<HashSet<_>>().len(), 24, "every job once in the store: {jobs:?}");
    assert_eq!(jobs.len(), 24);
    assert_each_job_once(&data, "m", 24);
    let valid = vidence(&["validate", data.to_str().unwrap()]);
    assert!(valid.status.success(), "{}", String::from_utf8_lossy(&valid.stdout));
}

#[test]
fn three_shards_merged_equal_one_unsharded_run() {
    let server = healthy(Duration::ZERO);
    let whole = dataset("predict_unsharded");
    let (out, _) = predict(&whole, &["--endpoint", &server.address, "--served-model", "m"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let sharded = dataset("predict_sharded");
    let mut sizes = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let (out, summary) =
            predict(&sharded, &["--endpoint", &server.address, "--served-model", "m", "--shard", &shard]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        sizes.push(summary["jobs"].as_u64().unwrap());
    }
    assert_eq!(sizes, [8, 8, 8]);
    assert!(runs_of(&sharded).is_empty(), "a shard leaves the dataset to the merge");
    let merged = vidence(&["runs", "merge", sharded.to_str().unwrap(), "--json"]);
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!((merged["added"].clone(), merged["conflicts"].clone()), (json!(24), json!([])));

    let timeless = |runs: Vec<Value>| -> HashMap<String, Value> {
        runs.into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("call");
                (r["id"].as_str().unwrap().to_owned(), r)
            })
            .collect()
    };
    assert_eq!(timeless(runs_of(&sharded)), timeless(runs_of(&whole)));

    // Merged again: nothing new. A store answering a job otherwise is a conflict.
    let again = vidence(&["runs", "merge", sharded.to_str().unwrap(), "--json"]);
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!((again["added"].clone(), again["already"].clone()), (json!(0), json!(24)));
    let store = annotate::batch::store_path(&sharded, "m", Some((1, 3)));
    let text = std::fs::read_to_string(&store).unwrap().replacen("red circle", "blue square", 1);
    let other = store.with_file_name("other.jsonl");
    std::fs::write(&other, text).unwrap();
    let conflict = vidence(&["runs", "merge", sharded.to_str().unwrap(), other.to_str().unwrap(), "--json"]);
    let conflict: Value = serde_json::from_slice(&conflict.stdout).unwrap();
    assert_eq!(conflict["conflicts"].as_array().unwrap().len(), 1, "{conflict}");
}

#[test]
fn this_machines_model_answers_every_question_of_a_random_weight_checkpoint() {
    let dir = scratch("predict_tiny_model");
    model::qwen3_vl::write_random_checkpoint(&dir, model::qwen3_vl::TINY_CONFIG).unwrap();
    let tokenizer = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures/qwen3_vl_tokenizer");
    std::fs::copy(tokenizer.join("tokenizer.json"), dir.join("tokenizer.json")).unwrap();
    let small = r#"{"size": {"shortest_edge": 131072, "longest_edge": 786432}}"#;
    std::fs::write(dir.join("video_preprocessor_config.json"), small).unwrap();
    let data = dataset("predict_local");
    let (out, summary) = predict(
        &data,
        &["--model", dir.to_str().unwrap(), "--device", "cpu", "--max-tokens", "8", "--run", "tiny"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(summary["answered"], 24);
    assert_each_job_once(&data, "tiny", 24);
    let runs = runs_of(&data);
    assert!(runs.iter().all(|r| r["model"]["backend"] == "local"
        && r["call"]["completion_tokens"].as_u64().is_some_and(|n| n <= 8)));
    assert!(runs.iter().all(|r| r["settings"]["frames_s"].as_array().unwrap().len() == 2));
}

#[test]
fn ctrl_c_stops_after_the_jobs_in_flight_and_keeps_them() {
    let data = dataset("predict_interrupted");
    let server = healthy(Duration::from_millis(300));
    let mut args = vec!["predict", data.to_str().unwrap(), "--endpoint", &server.address];
    args.extend("--fps 0.5 --max-frames 2 --served-model m --concurrency 2 --json".split(' '));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_vidence"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let store = annotate::batch::store_path(&data, "m", None);
    let started = Instant::now();
    while std::fs::read_to_string(&store).map_or(0, |s| s.lines().count()) < 4 {
        assert!(started.elapsed() < Duration::from_secs(60), "no answers came");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let answered = summary["answered"].as_u64().unwrap() as usize;
    assert!(summary["stopped"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(answered + summary["stopped"].as_u64().unwrap() as usize, 24);
    assert_eq!(store_lines(&store).len(), answered, "the jobs in flight finished and were kept");
    assert_each_job_once(&data, "m", answered);

    let (again, summary) =
        predict(&data, &["--endpoint", &server.address, "--served-model", "m", "--concurrency", "4"]);
    assert!(again.status.success());
    assert_eq!(summary["skipped"].as_u64().unwrap() as usize, answered);
    assert_each_job_once(&data, "m", 24);
}
