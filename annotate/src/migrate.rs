//! Files of older schema versions brought up to this one when they are read: each
//! step rewrites the JSON of one version into the next, so every version ever written
//! still opens. What a step cannot carry over is an error, never dropped.

use serde_json::{Map, Value, json};

use crate::dialect::FrameGrid;
use crate::run::RunToken;

/// Every schema version, oldest first; the last is the one this build writes.
pub const VERSIONS: [&str; 5] = ["vidence/1", "vidence/2", "vidence/3", "vidence/4", "vidence/5"];

/// A file's JSON brought up to the current version, with the tokens of each run that
/// older versions kept inline (in run order).
pub struct Migrated {
    pub value: Value,
    pub tokens: Vec<Vec<RunToken>>,
}

/// `value`, a whole dataset file of schema `from`, as the current version.
pub fn to_current(mut value: Value, from: &str) -> Result<Migrated, String> {
    let mut tokens = Vec::new();
    if from == VERSIONS[0] {
        tokens = v1_to_v2(&mut value)?;
    }
    // `vidence/3` adds what other tools' labels carry (categories' attributes, tracks'
    // attribute values and drawing order), all optional: a `vidence/2` file reads as is.
    // `vidence/4` adds what benchmarks score by (videos' tags, a box's time as the model
    // wrote it, the labels a prompt gave, judges' scores), all optional too.
    // `vidence/5` adds batch runs (the server backend, its address, each request's job,
    // latency and token counts), all optional too.
    if let Some(root) = value.as_object_mut() {
        root.insert("schema".into(), json!(VERSIONS[VERSIONS.len() - 1]));
    }
    Ok(Migrated { value, tokens })
}

/// `vidence/2` lists `runs` (was `predictions`), and each run records the backend,
/// every generation setting (for text it generated) and how its text was read; tokens move out of the file.
/// A `vidence/1` run was made by this program's only prompts and reader: greedy
/// generation, Qwen3-VL's 0-1000 grid on the video's size, times from the clip's start.
fn v1_to_v2(value: &mut Value) -> Result<Vec<Vec<RunToken>>, String> {
    let root = value.as_object_mut().ok_or("the file is not a JSON object")?;
    let sizes: Vec<(String, Value, Value)> = root
        .get("videos")
        .and_then(Value::as_array)
        .map(|videos| {
            videos
                .iter()
                .map(|v| (v["id"].as_str().unwrap_or("").to_owned(), v["width"].clone(), v["height"].clone()))
                .collect()
        })
        .unwrap_or_default();
    let Some(runs) = root.remove("predictions") else { return Ok(Vec::new()) };
    let Value::Array(runs) = runs else { return Err("$.predictions is not a list".into()) };
    let mut all_tokens = Vec::with_capacity(runs.len());
    let mut out = Vec::with_capacity(runs.len());
    for (i, run) in runs.into_iter().enumerate() {
        let at = format!("$.predictions[{i}]");
        let Value::Object(mut run) = run else { return Err(format!("{at} is not an object")) };
        let model = take_str(&mut run, "model", &at)?;
        // Text this program did not generate was saved under a name saying so.
        let given = model.starts_with("pasted output") || model.starts_with("example output");
        run.insert("model".into(), json!({"backend": if given { "given" } else { "local" }, "name": model}));
        let Some(Value::Object(mut settings)) = run.remove("settings") else {
            return Err(format!("{at}.settings is missing or not an object"));
        };
        let max_tokens =
            settings.remove("max_tokens").ok_or(format!("{at}.settings.max_tokens is missing"))?;
        if !given {
            let greedy = json!({"temperature": 0.0, "top_p": 1.0, "repetition_penalty": 1.0, "seed": 0});
            let mut generation = greedy;
            generation["max_tokens"] = max_tokens;
            run.insert("generation".into(), generation);
        }
        let video = run.get("video").and_then(Value::as_str).unwrap_or("").to_owned();
        let (_, width, height) = sizes
            .iter()
            .find(|(id, _, _)| *id == video)
            .ok_or(format!("{at}.video {video:?} is not a video of the dataset"))?;
        let clip_start_s = settings.get("from_s").cloned().unwrap_or(json!(0.0));
        let mut reading = json!({
            "dialect": "qwen3_vl",
            "context": {
                "video_width": width,
                "video_height": height,
                "coordinates": {"kind": "relative1000"},
                "clip_start_s": clip_start_s,
            },
        });
        if settings.get("sampling").and_then(Value::as_str) == Some("grid") {
            let times: Vec<f64> = settings
                .get("frames_s")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            reading["grid"] = serde_json::to_value(FrameGrid::new(&times)).map_err(|e| e.to_string())?;
        }
        run.insert("settings".into(), Value::Object(settings));
        run.insert("reading".into(), reading);
        let tokens = match run.remove("tokens") {
            None => Vec::new(),
            Some(t) => serde_json::from_value(t).map_err(|e| format!("{at}.tokens: {e}"))?,
        };
        all_tokens.push(tokens);
        out.push(Value::Object(run));
    }
    root.insert("runs".into(), Value::Array(out));
    Ok(all_tokens)
}

fn take_str(object: &mut Map<String, Value>, key: &str, at: &str) -> Result<String, String> {
    match object.remove(key) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(format!("{at}.{key} is missing or not text")),
    }
}
