//! Reading a model's text into a [`Prediction`]: Qwen3-VL JSON (`bbox_2d` and
//! `point_2d` on a 0–1000 grid, `{"time", "bbox_2d"}` lists), Qwen2.5-VL JSON (pixels
//! of the resized input), Open-o3-Video tags (`<obj>`, `<box>`, `<t>`), and times in
//! free text. Markdown fences are looked through; truncated or malformed JSON keeps
//! what parses and reports the rest. Never panics: whatever the text, a prediction
//! comes back.

use std::sync::LazyLock;

use crate::dataset::{RationaleKind, RationaleStep};
use crate::geometry::BBox;
use crate::prediction::{PredictedBox, PredictedPoint, PredictedSpan, Prediction};
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The grid a model's coordinates are on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Coordinates {
    /// 0–1000 across the image, whatever its size (Qwen3-VL).
    Relative1000,
    /// Pixels of the image the model was given, this size (Qwen2.5-VL, Open-o3 Video).
    Pixels { width: u32, height: u32 },
}

/// What the numbers in a model's answer refer to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The video's size: boxes come back in its pixels.
    pub video_width: u32,
    pub video_height: u32,
    pub coordinates: Coordinates,
    /// Where the clip the model saw starts in the video: its times are from there.
    pub clip_start_s: f64,
}

impl Context {
    fn x(&self, v: f64) -> f64 {
        let across = match self.coordinates {
            Coordinates::Relative1000 => 1000.0,
            Coordinates::Pixels { width, .. } => f64::from(width.max(1)),
        };
        v / across * f64::from(self.video_width)
    }

    fn y(&self, v: f64) -> f64 {
        let down = match self.coordinates {
            Coordinates::Relative1000 => 1000.0,
            Coordinates::Pixels { height, .. } => f64::from(height.max(1)),
        };
        v / down * f64::from(self.video_height)
    }

    /// A box in the model's grid -> video pixels, corners ordered, clamped to the frame.
    fn bbox(&self, v: [f64; 4]) -> Result<BBox, String> {
        if v.iter().any(|c| !c.is_finite()) {
            return Err(format!("box {v:?} has a number that is not finite"));
        }
        let (w, h) = (f64::from(self.video_width), f64::from(self.video_height));
        let xs = [self.x(v[0]).clamp(0.0, w), self.x(v[2]).clamp(0.0, w)];
        let ys = [self.y(v[1]).clamp(0.0, h), self.y(v[3]).clamp(0.0, h)];
        let b = [xs[0].min(xs[1]), ys[0].min(ys[1]), xs[0].max(xs[1]), ys[0].max(ys[1])];
        if b[2] - b[0] <= 0.0 || b[3] - b[1] <= 0.0 {
            return Err(format!("box {v:?} is empty in the frame"));
        }
        Ok(BBox::new(b[0] as f32, b[1] as f32, b[2] as f32, b[3] as f32))
    }

    fn time(&self, t: f64) -> Result<f64, String> {
        if t.is_finite() && t >= 0.0 {
            Ok(self.clip_start_s + t)
        } else {
            Err(format!("time {t} is not a time in the clip"))
        }
    }
}

static THINK: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<think>(.*?)(?:</think>|$)"));
static ANSWER: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)<answer>(.*?)(?:</answer>|$)"));
static FENCE: LazyLock<Regex> = LazyLock::new(|| re(r"(?s)```[a-zA-Z]*\s*\n?(.*?)(?:```|$)"));
static TAG_BOX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?s)(?:<obj>\s*([^<]*?)\s*</obj>\s*)?<box>\s*\[([^\]]*)\]\s*</box>(?:\s*at\s*<t>\s*([^<]*?)\s*</t>)?",
    )
});
static TAG_SPAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)from\s*<t>\s*([^<]*?)\s*</t>\s*s?\s*to\s*<t>\s*([^<]*?)\s*</t>"));
static TAG_TIME: LazyLock<Regex> = LazyLock::new(|| re(r"<t>\s*([^<]*?)\s*</t>"));
static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| re(r"</?(?:obj|box|t|think|answer)>"));
/// A box with its coordinates: a step keeps the box itself, so its text reads without
/// the numbers.
static BOX_WITH_COORDINATES: LazyLock<Regex> = LazyLock::new(|| re(r"<box>[^<]*</box>"));
/// "from 3.2 s to 5.0 s", "between 3.2 and 5 seconds", "3.2s - 5.0s", "3.2 – 5.0 seconds"
static FREE_SPAN_S: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:from|between)?\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?)?\s*",
        r"(?:-|–|—|to|and|until)\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\b"
    ))
});
/// "00:12-00:15", "0:01:02.5 to 0:01:05"
static FREE_SPAN_CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?)\s*(?:-|–|—|to|until)\s*(\d{1,2}(?::\d{1,2}){1,2}(?:\.\d+)?)")
});
/// A sentence: up to `.`, `!`, `?` or a line end, where decimals inside `<t>` and
/// `<box>` tags do not end it.
static SENTENCE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:[^.!?\n<]|<t>[^<]*</t>|<box>[^<]*</box>|<)+[.!?\n]?"));

/// The patterns are fixed: a bad one is a bug the tests catch at once.
#[allow(clippy::expect_used)]
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid pattern")
}

/// Read a model's output text.
pub fn parse(text: &str, cx: &Context) -> Prediction {
    let mut p = Prediction::default();
    let reasoning = THINK.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str());
    let answer = ANSWER.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str());

    let json_found = read_json(text, cx, &mut p);
    read_tags(text, cx, &mut p);
    if p.spans.is_empty() {
        read_free_times(&ANY_TAG.replace_all(text, ""), cx, &mut p);
    }

    p.answer = match answer {
        Some(a) => Some(plain(a)),
        None if json_found => None,
        None => {
            let rest = THINK.replace_all(text, "");
            Some(plain(&rest)).filter(|a| !a.is_empty())
        }
    }
    .filter(|a| !a.is_empty());
    if let Some(reasoning) = reasoning {
        p.steps = steps(reasoning, cx, &mut p.problems);
    }
    p
}

/// Text without tags and surrounding space.
fn plain(text: &str) -> String {
    ANY_TAG.replace_all(text, "").trim().to_owned()
}

/// Find JSON in the text (in code fences, or bare) and read every object in it that
/// carries evidence. Whether any JSON was found.
fn read_json(text: &str, cx: &Context, p: &mut Prediction) -> bool {
    let fenced: Vec<&str> = FENCE.captures_iter(text).filter_map(|c| c.get(1)).map(|m| m.as_str()).collect();
    let sources = if fenced.is_empty() { vec![text] } else { fenced };
    let mut found = false;
    for source in sources {
        for chunk in json_chunks(source, 0) {
            match chunk {
                Ok(value) => {
                    found = true;
                    walk(&value, cx, p);
                }
                Err(problem) => {
                    found = true;
                    p.problems.push(problem);
                }
            }
        }
    }
    found
}

/// Top-level `{...}` and `[...]` in `text`, parsed. An array cut off part way gives
/// the elements that were complete; anything else that does not parse is a problem.
/// How deep broken lists are searched for complete items.
const MAX_DEPTH: usize = 8;

fn json_chunks(text: &str, depth: usize) -> Vec<Result<Value, String>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'{' && bytes[i] != b'[' {
            i += 1;
            continue;
        }
        let (end, complete) = matching_close(bytes, i);
        let chunk = &text[i..end];
        match serde_json::from_str::<Value>(chunk) {
            Ok(v) => out.push(Ok(v)),
            // Prose in brackets; nothing inside it can look like JSON either.
            Err(_) if !looks_like_json(chunk) => {}
            Err(e) if bytes[i] == b'[' && depth < MAX_DEPTH => {
                // Keep the complete elements of a broken or cut-off list.
                let inner = json_chunks(&text[i + 1..end], depth + 1);
                let kept = inner.iter().filter(|r| r.is_ok()).count();
                // A broken item says what broke; otherwise the list itself is the problem.
                if inner.iter().all(Result::is_ok) {
                    let why =
                        if complete { format!("malformed JSON: {e}") } else { "JSON cut off".to_owned() };
                    out.push(Err(format!("{why}; kept {kept} complete item(s) of the list")));
                }
                out.extend(inner);
            }
            Err(e) => {
                let why = if complete { format!("malformed JSON: {e}") } else { "JSON cut off".to_owned() };
                out.push(Err(format!("{why}: {}", excerpt(chunk))));
                // An object left open may be a slip of the pen before the real JSON.
                if !complete {
                    i += 1;
                    continue;
                }
            }
        }
        i = end;
    }
    out
}

/// Prose can hold brackets ("[see above]"); JSON has quoted keys or numbers in lists.
fn looks_like_json(chunk: &str) -> bool {
    chunk.contains("\":") || chunk.contains("bbox") || chunk.contains("point_2d")
}

fn excerpt(s: &str) -> String {
    let cut: String = s.chars().take(60).collect();
    if cut.len() < s.len() { format!("{cut}…") } else { cut }
}

/// Where the bracket at `start` closes (one past it), or the end of the text; and
/// whether it closed. Brackets in strings do not count.
fn matching_close(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (k, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (k + 1, true);
                }
            }
            _ => {}
        }
    }
    (bytes.len(), false)
}

/// Collect the evidence in every object of `value`, however deeply nested.
fn walk(value: &Value, cx: &Context, p: &mut Prediction) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, cx, p)),
        Value::Object(map) => {
            read_object(map, cx, p);
            map.values().filter(|v| v.is_array() || v.is_object()).for_each(|v| walk(v, cx, p));
        }
        _ => {}
    }
}

fn read_object(map: &Map<String, Value>, cx: &Context, p: &mut Prediction) {
    let label = ["label", "object", "name", "category", "event", "description"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
        .map(str::to_owned);
    let time = ["time", "timestamp", "time_s", "t"].iter().find_map(|k| map.get(*k));
    let raw = time.map(|v| seconds(v).ok_or_else(|| format!("unreadable time {v}")));
    let Ok(time_s) = video_time(raw, cx).map_err(|e| p.problems.push(e)) else { return };
    if let Some(v) = ["bbox_2d", "bbox", "box"].iter().find_map(|k| map.get(*k)) {
        match numbers::<4>(v)
            .ok_or_else(|| format!("a box needs 4 numbers, got {v}"))
            .and_then(|b| cx.bbox(b))
        {
            Ok(bbox) => p.boxes.push(PredictedBox { label: label.clone(), time_s, time_text: None, bbox }),
            Err(e) => p.problems.push(e),
        }
    }
    if let Some(v) = ["point_2d", "point"].iter().find_map(|k| map.get(*k)) {
        match numbers::<2>(v).filter(|xy| xy.iter().all(|c| c.is_finite())) {
            Some([x, y]) => p.points.push(PredictedPoint {
                label: label.clone(),
                time_s,
                x: cx.x(x).clamp(0.0, f64::from(cx.video_width)) as f32,
                y: cx.y(y).clamp(0.0, f64::from(cx.video_height)) as f32,
            }),
            None => p.problems.push(format!("a point needs 2 numbers, got {v}")),
        }
    }
    let span = match (map.get("start").or(map.get("start_time")), map.get("end").or(map.get("end_time"))) {
        (Some(a), Some(b)) => Some((seconds(a), seconds(b))),
        _ => ["timestamps", "span", "time_span", "segment"]
            .iter()
            .find_map(|k| map.get(*k))
            .and_then(Value::as_array)
            .filter(|a| a.len() == 2)
            .map(|a| (seconds(&a[0]), seconds(&a[1]))),
    };
    match span {
        Some((Some(a), Some(b))) => add_span(label, a, b, cx, p),
        Some(_) => p
            .problems
            .push(format!("unreadable time span in {}", excerpt(&Value::Object(map.clone()).to_string()))),
        None => {}
    }
}

/// An optional time the model gave (or why it could not be read), in video seconds.
fn video_time(raw: Option<Result<f64, String>>, cx: &Context) -> Result<Option<f64>, String> {
    raw.map(|t| t.and_then(|t| cx.time(t))).transpose()
}

fn add_span(label: Option<String>, a: f64, b: f64, cx: &Context, p: &mut Prediction) {
    match (cx.time(a), cx.time(b)) {
        (Ok(start_s), Ok(end_s)) if start_s <= end_s => p.spans.push(PredictedSpan { label, start_s, end_s }),
        (Ok(_), Ok(_)) => p.problems.push(format!("span from {a} s to {b} s ends before it starts")),
        (Err(e), _) | (_, Err(e)) => p.problems.push(e),
    }
}

/// `N` numbers from a JSON list (numbers or numeric strings).
fn numbers<const N: usize>(v: &Value) -> Option<[f64; N]> {
    let items = v.as_array()?;
    if items.len() != N {
        return None;
    }
    let mut out = [0.0; N];
    for (o, item) in out.iter_mut().zip(items) {
        *o = item.as_f64().or_else(|| item.as_str()?.trim().parse().ok())?;
    }
    Some(out)
}

/// A time as a number of seconds, "12.5", "12.5s", "12.5 seconds" or "00:12.5".
fn seconds(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| text_seconds(v.as_str()?))
}

fn text_seconds(s: &str) -> Option<f64> {
    let s = s.trim().trim_end_matches("seconds").trim_end_matches("second").trim_end_matches('s').trim();
    if s.contains(':') {
        return clock(s);
    }
    s.parse::<f64>().ok().filter(|t| t.is_finite())
}

/// "MM:SS(.f)" or "HH:MM:SS(.f)".
fn clock(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    parts.iter().try_fold(0.0, |acc, part| Some(acc * 60.0 + part.trim().parse::<f64>().ok()?))
}

fn read_tags(text: &str, cx: &Context, p: &mut Prediction) {
    for c in TAG_BOX.captures_iter(text) {
        let label = c.get(1).map(|m| m.as_str().to_owned()).filter(|l| !l.is_empty());
        let coords: Vec<Value> = c
            .get(2)
            .map_or("", |m| m.as_str())
            .split(',')
            .map(|n| n.trim().parse::<f64>().map_or(Value::Null, Value::from))
            .collect();
        let raw = c.get(3).map(|m| {
            text_seconds(m.as_str()).ok_or_else(|| format!("unreadable time in {}", excerpt(&c[0])))
        });
        let Ok(time_s) = video_time(raw, cx).map_err(|e| p.problems.push(e)) else { continue };
        match numbers::<4>(&Value::Array(coords)).ok_or_else(|| format!("unreadable box {}", excerpt(&c[0])))
        {
            Ok(b) => match cx.bbox(b) {
                Ok(bbox) => p.boxes.push(PredictedBox { label, time_s, time_text: None, bbox }),
                Err(e) => p.problems.push(e),
            },
            Err(e) => p.problems.push(e),
        }
    }
    for c in TAG_SPAN.captures_iter(text) {
        match (text_seconds(&c[1]), text_seconds(&c[2])) {
            (Some(a), Some(b)) => add_span(None, a, b, cx, p),
            _ => p.problems.push(format!("unreadable time span {}", excerpt(&c[0]))),
        }
    }
}

fn read_free_times(text: &str, cx: &Context, p: &mut Prediction) {
    for c in FREE_SPAN_S.captures_iter(text) {
        if let (Ok(a), Ok(b)) = (c[1].parse::<f64>(), c[3].parse::<f64>()) {
            add_span(None, a, b, cx, p);
        }
    }
    for c in FREE_SPAN_CLOCK.captures_iter(text) {
        if let (Some(a), Some(b)) = (clock(&c[1]), clock(&c[2])) {
            add_span(None, a, b, cx, p);
        }
    }
}

/// A step per sentence of the reasoning; one that draws a box or names a time is a
/// perception step grounded to it.
fn steps(reasoning: &str, cx: &Context, problems: &mut Vec<String>) -> Vec<RationaleStep> {
    let mut out = Vec::new();
    for m in SENTENCE.find_iter(reasoning) {
        let sentence = m.as_str();
        let words = plain(&BOX_WITH_COORDINATES.replace_all(sentence, " "));
        let text = words.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            continue;
        }
        let mut found = Prediction::default();
        read_tags(sentence, cx, &mut found);
        problems.append(&mut found.problems);
        let first_box = found.boxes.first();
        let time_s = first_box.and_then(|b| b.time_s).or_else(|| {
            let t = TAG_TIME.captures(sentence).and_then(|c| text_seconds(&c[1]))?;
            cx.time(t).ok()
        });
        let grounded = first_box.is_some() || time_s.is_some();
        out.push(RationaleStep {
            text,
            kind: if grounded { RationaleKind::Perception } else { RationaleKind::Reasoning },
            time_s,
            bbox: first_box.map(|b| b.bbox),
        });
    }
    out
}
