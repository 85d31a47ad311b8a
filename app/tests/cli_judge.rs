//! `vidence judge` against a real HTTP server in this process that speaks the OpenAI
//! chat completions protocol: V-STaR's prompt goes out, the scores come back into the
//! runs, and `vidence eval` then gives what V-STaR's `eval.py` gives with the same
//! judge scores (the fixture `annotate/tests/fixtures/eval/vstar`).
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

#[path = "support/openai.rs"]
mod openai;
mod support;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use support::{scratch, vidence};

const VSTAR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../annotate/tests/fixtures/eval/vstar");

/// A server on a free local port answering each POST with `reply(body)` (status and
/// body text); it runs until the test ends.
fn server(reply: impl Fn(&Value) -> (u16, String) + Send + Sync + 'static) -> (String, openai::Seen) {
    let mock = openai::serve(move |body| {
        let (status, text) = reply(body);
        openai::Reply { status, ..openai::Reply::ok(text) }
    });
    (mock.address, mock.seen)
}

fn completion(text: &str) -> String {
    json!({"id": "c", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}).to_string()
}

/// The fixture's items and results as a dataset with the runs of `model`.
fn dataset(name: &str) -> String {
    let dir = scratch(name);
    let data = dir.join("d.json").to_str().unwrap().to_owned();
    let items = format!("{VSTAR}/V_STaR.json");
    let results = format!("{VSTAR}/results.json");
    assert!(vidence(&["import", "vstar", &items, "--out", &data]).status.success());
    let joined = vidence(&["import", "vstar", &results, "--into", &data, "--as-run", "model"]);
    assert!(joined.status.success(), "{}", String::from_utf8_lossy(&joined.stderr));
    data
}

#[test]
fn a_judge_on_a_server_scores_the_answers_and_eval_counts_them_as_v_stars_eval_py() {
    let judge: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{VSTAR}/judge.json")).unwrap()).unwrap();
    let failed_once = Arc::new(Mutex::new(false));
    let failed = failed_once.clone();
    // The judge's scores are the fixture's: the candidate "maybe event N" is item N's.
    let (address, seen) = server(move |body| {
        let user = body["messages"][1]["content"].as_str().unwrap();
        let n = user.split("Candidate answer: maybe event ").nth(1).unwrap().split('\n').next().unwrap();
        let mut failed = failed.lock().unwrap();
        if n == "0" && !*failed {
            *failed = true;
            return (500, r#"{"error": {"message": "out of memory"}}"#.into());
        }
        let score = judge[n].as_i64().unwrap();
        (200, completion(&if score < 0 { "It is largely right.".to_owned() } else { format!("{score}\n") }))
    });
    let data = dataset("judge");
    let judge_args =
        ["judge", &data, "--run", "model", "--server", &address, "--judge", "Qwen/Qwen2.5-72B-Instruct"];
    let out = vidence(&[&judge_args[..], &["--json"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (got["asked"].as_u64(), got["judged"].as_u64(), got["failed"].as_u64()),
        (Some(43), Some(42), Some(1)),
        "{got}"
    );
    assert!(
        got["errors"][0]
            .as_str()
            .unwrap()
            .contains("answered HTTP 500: {\"error\": {\"message\": \"out of memory\"}}"),
        "{got}"
    );

    // V-STaR's prompt, greedy, to the model named.
    let requests = seen.lock().unwrap().clone();
    let (key, first) = &requests[0];
    assert_eq!(*key, None, "no key was set");
    assert_eq!(first["model"], "Qwen/Qwen2.5-72B-Instruct");
    assert_eq!(first["temperature"], 0.0);
    assert_eq!(first["messages"][0]["role"], "system");
    assert_eq!(first["messages"][0]["content"].as_str().unwrap(), annotate::eval::judge::SYSTEM);
    let user = first["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.starts_with("Question: What happens in scene ") && user.ends_with("\nYour response: "),
        "{user}"
    );

    // Again: only the answer the server failed on is asked, with the key given.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_vidence"))
        .args(judge_args)
        .args(["--api-key-env", "JUDGE_KEY"])
        .env("JUDGE_KEY", "sk-test")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.starts_with("Qwen/Qwen2.5-72B-Instruct: judged 1 of 1 answers of model"), "{text}");
    assert_eq!(seen.lock().unwrap().last().unwrap().0.as_deref(), Some("Bearer sk-test"));

    // The scores are the dataset's now, and eval counts them as eval.py does.
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{VSTAR}/eval_py.json")).unwrap()).unwrap();
    let out = vidence(&["eval", &data, "--run", "model", "--json"]);
    let scores: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &scores["vstar"];
    assert_eq!(v["judged"], 43);
    for (key, want) in [
        ("accuracy", &reference["overall"]["accuracy"]),
        ("mAM", &reference["overall"]["mAM"]),
        ("mLGM", &reference["overall"]["mLGM"]),
    ] {
        let (g, w) = (v[key].as_f64().unwrap(), want.as_f64().unwrap());
        assert!((g - w).abs() <= 1e-6, "{key}: {g} here, {w} in eval.py");
    }
    assert_eq!(scores["qa"]["judge"]["items"], 43);
}

#[test]
fn a_server_that_does_not_answer_or_answers_nonsense_is_told() {
    let data = dataset("judge-bad");
    // Nothing listens on this port once the listener is gone.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = format!("http://127.0.0.1:{port}");
    let out = vidence(&["judge", &data, "--run", "model", "--server", &closed, "--judge", "j"]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && e.contains("no answer was judged") && e.contains("cannot reach"), "{e}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("judged 0 of 43 answers of model"),
        "gave up: {out:?}"
    );

    let (nonsense, _) = server(|_| (200, "<html>hello</html>".into()));
    let out = vidence(&["judge", &data, "--run", "model", "--server", &nonsense, "--judge", "j"]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && e.contains("answered what is not a chat completion: not JSON"), "{e}");
    let (empty, _) = server(|_| (200, r#"{"object": "error", "message": "model j not found"}"#.into()));
    let out = vidence(&["judge", &data, "--run", "model", "--server", &empty, "--judge", "j"]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("no choices"), "{e}");

    let bad = vidence(&["judge", &data, "--run", "model", "--server", "localhost:8000", "--judge", "j"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not an http:// or https:// address"));
    let nobody = vidence(&["judge", &data, "--run", "nobody", "--server", &closed, "--judge", "j"]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no run of \"nobody\" in the dataset"));
    // Nothing was written: eval finds no judge's score.
    let scores: Value =
        serde_json::from_slice(&vidence(&["eval", &data, "--run", "model", "--json"]).stdout).unwrap();
    assert_eq!(scores["vstar"]["judged"], 0);
}
