//! A real HTTP server in the test process that speaks the OpenAI chat completions
//! protocol as vLLM does: each request checked against vLLM's request schema, answers
//! in vLLM's response shapes, and the faults servers have (slow replies, error
//! statuses, `Retry-After`, a body that is not JSON, a server that dies).
#![allow(dead_code)] // each test file uses its part
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// What the server does with one request.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    /// How long it thinks first.
    pub delay: Duration,
}

impl Reply {
    pub fn ok(body: String) -> Self {
        Self { status: 200, body, headers: Vec::new(), delay: Duration::ZERO }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Self { status, body: body.to_owned(), headers: Vec::new(), delay: Duration::ZERO }
    }
}

/// A request the server got: its `Authorization` header and JSON body.
pub type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

pub struct Mock {
    pub address: String,
    pub seen: Seen,
    alive: Arc<AtomicBool>,
}

impl Mock {
    /// From now on every connection is dropped unanswered, as by a server that died.
    pub fn kill(&self) {
        self.alive.store(false, Ordering::Relaxed);
    }

    pub fn requests(&self) -> Vec<Value> {
        self.seen.lock().unwrap().iter().map(|(_, b)| b.clone()).collect()
    }
}

/// A server on a free local port answering each POST with `reply(body)`; it runs until
/// the test ends, a thread a connection.
pub fn serve(reply: impl Fn(&Value) -> Reply + Send + Sync + 'static) -> Mock {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let alive = Arc::new(AtomicBool::new(true));
    let (reply, log, up) = (Arc::new(reply), seen.clone(), alive.clone());
    std::thread::Builder::new()
        .name("test-openai-server".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let (reply, log, up) = (reply.clone(), log.clone(), up.clone());
                let Ok(mut stream) = stream else { continue };
                if !up.load(Ordering::Relaxed) {
                    continue; // dropped: the client sees the connection close
                }
                std::thread::Builder::new()
                    .name("test-openai-connection".into())
                    .spawn(move || {
                        let mut reader = BufReader::new(stream.try_clone().unwrap());
                        let (mut length, mut key) = (0, None);
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                                break;
                            }
                            let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                            match name.to_ascii_lowercase().as_str() {
                                "content-length" => length = value.trim().parse().unwrap(),
                                "authorization" => key = Some(value.trim().to_owned()),
                                _ => {}
                            }
                        }
                        let mut body = vec![0; length];
                        if reader.read_exact(&mut body).is_err() {
                            return;
                        }
                        let body: Value = serde_json::from_slice(&body).unwrap();
                        let r = reply(&body);
                        log.lock().unwrap().push((key, body));
                        std::thread::sleep(r.delay);
                        if !up.load(Ordering::Relaxed) {
                            return;
                        }
                        let extra: String = r.headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
                        let head = format!(
                            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
                            r.status,
                            r.body.len()
                        );
                        let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(r.body.as_bytes()));
                    })
                    .unwrap();
            }
        })
        .unwrap();
    Mock { address, seen, alive }
}

/// A chat completion as vLLM writes one: the content, its tokens' log-probabilities
/// (when asked for) and the usage.
pub fn completion(request: &Value, text: &str) -> String {
    let mut choice = json!({"index": 0, "message": {"role": "assistant", "content": text, "reasoning_content": null, "tool_calls": []}, "finish_reason": "stop", "stop_reason": null});
    if request["logprobs"] == json!(true) {
        let top = request["top_logprobs"].as_u64().unwrap_or(0) as usize;
        // Three tokens spelling the text, each with its alternatives.
        let cut = [0, text.len() / 3, 2 * text.len() / 3, text.len()];
        let tokens: Vec<Value> = cut
            .windows(2)
            .map(|w| {
                let piece = text.get(w[0]..w[1]).unwrap_or("");
                let alternatives: Vec<Value> = (0..top)
                    .map(|k| json!({"token": format!("{piece}~{k}"), "logprob": -0.1 - k as f64, "bytes": []}))
                    .collect();
                json!({"token": piece, "logprob": -0.1, "bytes": piece.as_bytes(), "top_logprobs": alternatives})
            })
            .collect();
        choice["logprobs"] = json!({"content": tokens});
    }
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": request["model"],
        "choices": [choice],
        "usage": {"prompt_tokens": 100, "total_tokens": 103, "completion_tokens": 3, "prompt_tokens_details": null},
        "prompt_logprobs": null, "kv_transfer_params": null
    })
    .to_string()
}

/// The frames in a `data:video/jpeg;base64,...` or `data:image/jpeg;base64,...` URL,
/// each decoded as the JPEG it must be (width, height).
fn jpegs(url: &str, kind: &str) -> Result<Vec<(u32, u32)>, String> {
    let data = url
        .strip_prefix(&format!("data:{kind}/jpeg;base64,"))
        .ok_or(format!("{kind} url is not data:{kind}/jpeg;base64"))?;
    data.split(',')
        .map(|frame| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(frame).map_err(|e| e.to_string())?;
            let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                .map_err(|e| e.to_string())?;
            Ok((image.width(), image.height()))
        })
        .collect()
}

/// What in `body` vLLM's `ChatCompletionRequest` (and its `video/jpeg` loader, with
/// `media_io_kwargs`) would refuse; empty where it takes the request.
pub fn vllm_problems(body: &Value) -> Vec<String> {
    const KNOWN: [&str; 10] = [
        "model",
        "messages",
        "max_tokens",
        "temperature",
        "top_p",
        "seed",
        "logprobs",
        "top_logprobs",
        "repetition_penalty",
        "media_io_kwargs",
    ];
    let mut problems = Vec::new();
    let Some(object) = body.as_object() else { return vec!["the body is not an object".into()] };
    problems
        .extend(object.keys().filter(|k| !KNOWN.contains(&k.as_str())).map(|k| format!("unknown field {k}")));
    let top_ok = body
        .get("top_logprobs")
        .is_none_or(|top| body["logprobs"] == json!(true) && top.as_u64().is_some_and(|n| n <= 20));
    for (ok, problem) in [
        (body["model"].is_string(), "model is not a string"),
        (body["max_tokens"].as_u64().is_some_and(|n| n >= 1), "max_tokens is not a positive integer"),
        (body["temperature"].as_f64().is_some_and(|t| t >= 0.0), "temperature is not a number >= 0"),
        (body["top_p"].as_f64().is_some_and(|p| p > 0.0 && p <= 1.0), "top_p is not in (0, 1]"),
        (top_ok, "top_logprobs needs logprobs true and at most 20"),
    ] {
        if !ok {
            problems.push(problem.to_owned());
        }
    }
    let mut video_frames = None;
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    if messages.is_empty() {
        problems.push("messages is empty".into());
    }
    for m in &messages {
        if !["system", "user", "assistant"].contains(&m["role"].as_str().unwrap_or("")) {
            problems.push(format!("a message's role is {}", m["role"]));
        }
        let parts = match &m["content"] {
            Value::String(_) => continue,
            Value::Array(parts) => parts,
            other => {
                problems.push(format!("a message's content is {other}"));
                continue;
            }
        };
        for part in parts {
            match part["type"].as_str() {
                Some("text") if part["text"].is_string() => {}
                Some("image_url") => {
                    if let Err(e) = jpegs(part["image_url"]["url"].as_str().unwrap_or(""), "image") {
                        problems.push(e);
                    }
                }
                Some("video_url") => match jpegs(part["video_url"]["url"].as_str().unwrap_or(""), "video") {
                    Ok(frames) => video_frames = Some(frames.len()),
                    Err(e) => problems.push(e),
                },
                _ => problems.push(format!("a content part is {part}")),
            }
        }
    }
    if let Some(kwargs) = body.get("media_io_kwargs") {
        let video = &kwargs["video"];
        let sent = video_frames.unwrap_or(0);
        let indices = video["frames_indices"].as_array();
        let total_ok = video["total_num_frames"].as_u64().is_some_and(|n| n >= 1 && n as usize >= sent);
        for (ok, problem) in [
            (
                indices.is_some_and(|i| i.iter().all(Value::is_u64) && i.len() == sent),
                format!("frames_indices must be {sent} integers"),
            ),
            (total_ok, "total_num_frames must be a positive integer >= the frames sent".into()),
            (
                video["duration"].as_f64().is_some_and(|d| d >= 0.0),
                "duration must be a non-negative number".into(),
            ),
            (video["fps"].as_f64().is_some_and(|f| f > 0.0), "fps must be above 0".into()),
        ] {
            if !ok {
                problems.push(problem);
            }
        }
    }
    problems
}

/// The text parts of a request, joined.
pub fn prompt_of(body: &Value) -> String {
    body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| match &m["content"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(parts) => {
                parts.iter().filter_map(|p| p["text"].as_str().map(String::from)).collect()
            }
            _ => Vec::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
