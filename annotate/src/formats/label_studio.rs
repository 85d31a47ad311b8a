//! Label Studio's JSON task export for video: `videorectangle` results whose
//! `sequence` gives keyframes in percent of the frame, with frames from 1; between
//! two keyframes the box moves linearly, after the last it holds to the end, and a
//! keyframe with `enabled: false` is shown on its frame and ends the visible span
//! (the frontend's lifespans). `timelinelabels` ranges (frames from 1, both ends in)
//! become segments; `choices` and `textarea` answers become questions. Percentages
//! need the video's size: from `original_width`/`original_height`, or the video given.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{FormatError, FormatInfo, Input, Report, TrackIds, category_for, json, provenance, video_record};
use crate::dataset::{
    Dataset, Interpolation, Keyframe, Question, QuestionKind, Review, Segment, Track, Video,
};
use crate::geometry::BBox;
use crate::time::{ConstantRate, FrameTimes};

pub const INFO: FormatInfo = FormatInfo {
    name: "label-studio",
    title: "Label Studio JSON task export (video)",
    imports: true,
    exports: true,
    holds: "videos (a task each), tracks of boxes as keyframes with lifespans, timeline label spans as segments, \
            choices and text answers as questions",
    cannot: "occluded flags, attributes, z_order, question kinds, options and evidence, model runs; rotated boxes \
             are read unrotated",
};

#[derive(Deserialize)]
#[serde(untagged)]
enum Tasks {
    Many(Vec<Task>),
    One(Box<Task>),
}

#[derive(Deserialize)]
struct Task {
    #[serde(default)]
    data: serde_json::Map<String, Value>,
    #[serde(default)]
    annotations: Vec<Annotation>,
    /// A model's results, in the shape of an annotation's.
    #[serde(default)]
    predictions: Vec<Annotation>,
}

#[derive(Deserialize)]
struct Annotation {
    #[serde(default)]
    result: Vec<Item>,
    #[serde(default)]
    was_cancelled: bool,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    from_name: String,
    #[serde(default)]
    original_width: Option<u32>,
    #[serde(default)]
    original_height: Option<u32>,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct Step {
    frame: f64,
    #[serde(default = "yes")]
    enabled: bool,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    #[serde(default)]
    rotation: f64,
    #[serde(default)]
    time: Option<f64>,
}

fn yes() -> bool {
    true
}

impl Step {
    /// As Label Studio writes a step: the frame a whole number.
    fn to_json(&self) -> Value {
        json!({
            "frame": self.frame as u64,
            "enabled": self.enabled,
            "x": self.x,
            "y": self.y,
            "width": self.width,
            "height": self.height,
            "rotation": self.rotation,
            "time": self.time,
        })
    }
}

pub fn looks_like(input: &Input) -> bool {
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(1 << 16)]);
    let start = head.trim_start();
    (start.starts_with('[') || start.starts_with('{'))
        && head.contains("\"result\"")
        && (head.contains("\"videorectangle\"")
            || head.contains("\"timelinelabels\"")
            || head.contains("\"annotations\""))
}

/// Reads the tasks' annotations, or with `predictions` their predictions (a model's
/// results, imported as a run).
pub fn read(
    inputs: &[Input],
    given: &[Video],
    predictions: bool,
    report: &mut Report,
) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut ids = TrackIds::default();
    for input in inputs {
        let tasks = match json::read::<Tasks>(input)? {
            Tasks::Many(tasks) => tasks,
            Tasks::One(task) => vec![*task],
        };
        for (i, task) in tasks.into_iter().enumerate() {
            read_task(input, i, task, given, predictions, &mut data, &mut ids, report)?;
        }
    }
    Ok(data)
}

/// The task's video: its id from the file named in `data`, its size from the results
/// or the video given, its length and rate from the results.
fn task_video(
    input: &Input,
    at: &str,
    task: &Task,
    given: &[Video],
    data: &Dataset,
    report: &mut Report,
) -> Result<Video, FormatError> {
    let path = task.data.get("video").or_else(|| task.data.values().find(|v| v.is_string()));
    let path = path.and_then(Value::as_str).unwrap_or("video").to_owned();
    let base = super::file_stem(&path).to_owned();
    let mut id = base.clone();
    let mut n = 2;
    while data.video(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    let results = task.annotations.iter().flat_map(|a| &a.result);
    let size = results
        .clone()
        .find_map(|r| r.original_width.zip(r.original_height))
        .filter(|(w, h)| *w > 0 && *h > 0);
    let rects: Vec<&Value> = results.filter(|r| r.kind == "videorectangle").map(|r| &r.value).collect();
    let frames = rects.iter().find_map(|v| v["framesCount"].as_u64());
    // Label Studio times a frame F (from 1) at F / fps.
    let fps = rects
        .iter()
        .flat_map(|v| v["sequence"].as_array().into_iter().flatten())
        .find_map(|s| Some(s["frame"].as_f64()? / s["time"].as_f64().filter(|t| *t > 0.0)?));
    let file = given
        .iter()
        .find(|v| v.id == base || super::file_stem(&v.path) == base)
        .or(if given.len() == 1 { given.first() } else { None });
    let size = size.or(file.map(|f| (f.width, f.height)));
    if size.is_none() && !rects.is_empty() {
        return Err(FormatError::Invalid {
            file: input.name.clone(),
            message: format!(
                "{at}: Label Studio's boxes are in percent of the frame and the file does not say the size of {path:?}: \
                 give the video with --video"
            ),
        });
    }
    let frames = frames.or(file.map(|f| f.frame_count)).unwrap_or_else(|| {
        let last = rects
            .iter()
            .flat_map(|v| v["sequence"].as_array().into_iter().flatten())
            .filter_map(|s| s["frame"].as_f64())
            .fold(1.0, f64::max);
        report.assumed.push(format!("video {id:?}: {last} frames (up to its last keyframe; no framesCount)"));
        last as u64
    });
    let fps = fps.map(|f| (f * 1000.0).round() / 1000.0).or(file.map(|f| f.fps));
    // Without boxes the size matters to nothing read here: the record says it is unknown.
    Ok(video_record(&id, &path, size, frames, fps, report))
}

#[allow(clippy::too_many_arguments)]
fn read_task(
    input: &Input,
    index: usize,
    mut task: Task,
    given: &[Video],
    predictions: bool,
    data: &mut Dataset,
    ids: &mut TrackIds,
    report: &mut Report,
) -> Result<(), FormatError> {
    let at = format!("$[{index}]");
    if predictions {
        std::mem::swap(&mut task.annotations, &mut task.predictions);
    }
    let (other, why) = if predictions {
        ("annotations", "labels: importing as a model run takes the predictions")
    } else {
        ("predictions", "a model's: import the file with --as-run NAME")
    };
    for p in 0..task.predictions.len() {
        report.skip(other, why, format!("{at}.{other}[{p}]"));
    }
    let video = task_video(input, &at, &task, given, data, report)?;
    let times = ConstantRate { fps: video.fps, frames: video.frame_count };
    let source = provenance(super::Format::LabelStudio, &input.name);
    let (w, h) = (f64::from(video.width), f64::from(video.height));
    let list = if predictions { "predictions" } else { "annotations" };
    for (a, annotation) in task.annotations.iter().enumerate() {
        if annotation.was_cancelled {
            report.skip("annotations", "cancelled in Label Studio", format!("{at}.{list}[{a}]"));
            continue;
        }
        for (r, item) in annotation.result.iter().enumerate() {
            let at = format!("{at}.{list}[{a}].result[{r}]");
            let result_id = item.id.clone().unwrap_or_default();
            let label = item.value["labels"]
                .as_array()
                .or(item.value["timelinelabels"].as_array())
                .and_then(|l| l.first())
                .and_then(Value::as_str)
                .unwrap_or("object")
                .to_owned();
            match item.kind.as_str() {
                "videorectangle" => {
                    let steps: Vec<Step> =
                        serde_json::from_value(item.value["sequence"].clone()).map_err(|e| {
                            FormatError::Invalid {
                                file: input.name.clone(),
                                message: format!("{at}.value.sequence: {e}"),
                            }
                        })?;
                    let keyframes = lifespans(steps, (w, h), video.frame_count, &at, report);
                    if keyframes.is_empty() {
                        report.skip("tracks", "no keyframe of theirs could be kept", at);
                        continue;
                    }
                    let category = category_for(data, &label);
                    data.tracks.push(Track {
                        id: ids.named(&result_id, "track"),
                        video: video.id.clone(),
                        category,
                        keyframes: keyframes.into(),
                        interpolation: Interpolation::Linear,
                        attributes: Vec::new(),
                        z_order: 0,
                        source: source.clone(),
                        review: Review::Unreviewed,
                    });
                }
                "timelinelabels" => {
                    for (k, range) in item.value["ranges"].as_array().into_iter().flatten().enumerate() {
                        let (Some(start), Some(end)) = (range["start"].as_u64(), range["end"].as_u64())
                        else {
                            report.skip(
                                "timeline ranges",
                                "start and end are not frame numbers",
                                format!("{at}.value.ranges[{k}]"),
                            );
                            continue;
                        };
                        if start < 1 || end < start || end > video.frame_count {
                            report.skip(
                                "timeline ranges",
                                "outside the video's frames",
                                format!("{at}.value.ranges[{k}]"),
                            );
                            continue;
                        }
                        data.segments.push(Segment {
                            id: ids.named(if k == 0 { &result_id } else { "" }, "segment"),
                            video: video.id.clone(),
                            label: label.clone(),
                            start_s: times.time_of(start - 1),
                            end_s: times.time_of(end),
                            source: source.clone(),
                            review: Review::Unreviewed,
                        });
                    }
                }
                "choices" | "textarea" | "taxonomy" | "number" | "rating" => {
                    let answer = match &item.value {
                        v if v["choices"].is_array() => strings(&v["choices"]).join(", "),
                        v if v["text"].is_array() => strings(&v["text"]).join("\n"),
                        v if v["number"].is_number() => v["number"].to_string(),
                        v if v["rating"].is_number() => v["rating"].to_string(),
                        _ => {
                            report.skip("answers", "no choices, text or number in the value", at);
                            continue;
                        }
                    };
                    data.questions.push(Question {
                        id: ids.named(&result_id, "question"),
                        video: video.id.clone(),
                        kind: QuestionKind::Other,
                        text: item.from_name.clone(),
                        options: Vec::new(),
                        answer,
                        evidence: Vec::new(),
                        rationale: Vec::new(),
                        source: source.clone(),
                        review: Review::Unreviewed,
                    });
                }
                other => {
                    report.skip(&format!("{other} results"), "Vidence keeps boxes, spans and answers", at);
                }
            }
        }
    }
    data.videos.push(video);
    Ok(())
}

fn strings(list: &Value) -> Vec<String> {
    list.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

/// A sequence's keyframes in pixels and frames from 0: a disabled keyframe ends the
/// span after its frame (an outside keyframe on the next, unless one is there).
fn lifespans(
    mut steps: Vec<Step>,
    (w, h): (f64, f64),
    frames: u64,
    at: &str,
    report: &mut Report,
) -> Vec<Keyframe> {
    steps.sort_by(|a, b| a.frame.total_cmp(&b.frame));
    let mut out: Vec<Keyframe> = Vec::with_capacity(steps.len() + 1);
    for (i, s) in steps.iter().enumerate() {
        let place = format!("{at}.value.sequence[{i}]");
        if !(s.frame >= 1.0 && s.frame.fract() == 0.0) || s.frame as u64 > frames.max(1) {
            report.skip("keyframes", "their frame is not one of the video's (from 1)", place);
            continue;
        }
        if ![s.x, s.y, s.width, s.height].iter().all(|v| v.is_finite()) {
            report.skip("keyframes", "a coordinate is not a number", place);
            continue;
        }
        if s.rotation != 0.0 {
            report.skip("rotated boxes", "kept unrotated: Vidence's boxes are upright", place.clone());
        }
        let frame = s.frame as u64 - 1;
        // A box drawn up or left has a negative size.
        let (x1, x2) = sorted(s.x, s.x + s.width);
        let (y1, y2) = sorted(s.y, s.y + s.height);
        let bbox = BBox::new(
            (x1 * w / 100.0) as f32,
            (y1 * h / 100.0) as f32,
            (x2 * w / 100.0) as f32,
            (y2 * h / 100.0) as f32,
        );
        if !bbox.0.iter().all(|v| v.is_finite()) {
            report.skip("keyframes", "a coordinate is past any frame's size", place);
            continue;
        }
        match out.last_mut() {
            Some(last) if last.frame == frame => {
                report.skip("keyframes", "a second keyframe on the same frame", place);
                continue;
            }
            // An outside keyframe where a keyframe comes: the keyframe wins.
            Some(last) if last.outside && last.frame == frame => {
                *last = Keyframe { frame, bbox, outside: false, occluded: false }
            }
            _ => out.push(Keyframe { frame, bbox, outside: false, occluded: false }),
        }
        let next = steps.get(i + 1).map(|n| n.frame as u64 - 1);
        if !s.enabled && frame + 1 < frames && next != Some(frame + 1) {
            out.push(Keyframe { frame: frame + 1, bbox, outside: true, occluded: false });
        }
    }
    out
}

fn sorted(a: f64, b: f64) -> (f64, f64) {
    if a <= b { (a, b) } else { (b, a) }
}

/// A track as Label Studio's sequence: its keyframes (or, with `every_frame`, its box
/// on every frame it is seen), the last of each visible stretch disabled.
fn sequence(t: &Track, v: &Video, every_frame: bool) -> Vec<Step> {
    let times = ConstantRate { fps: v.fps, frames: v.frame_count };
    let (w, h) = (f64::from(v.width.max(1)), f64::from(v.height.max(1)));
    let step = |frame: u64, b: &BBox| {
        let [x1, y1, x2, y2] = b.0.map(f64::from);
        Step {
            frame: (frame + 1) as f64,
            enabled: true,
            x: x1 * 100.0 / w,
            y: y1 * 100.0 / h,
            width: (x2 - x1) * 100.0 / w,
            height: (y2 - y1) * 100.0 / h,
            rotation: 0.0,
            time: Some(times.time_of(frame + 1)),
        }
    };
    let mut out: Vec<Step> = Vec::new();
    let frames: Vec<u64> = if every_frame {
        let (Some(first), Some(last)) = (t.keyframes.first(), t.keyframes.last()) else { return out };
        let end = if last.outside { last.frame } else { v.frame_count.saturating_sub(1).max(last.frame) };
        (first.frame..=end).collect()
    } else {
        t.keyframes.iter().map(|k| k.frame).collect()
    };
    for f in frames {
        match t.box_at(f) {
            Some(b) => out.push(step(f, &b.bbox)),
            None => {
                // Outside from here: the frame before is the last shown.
                if let Some(last) = out.last_mut().filter(|s| s.enabled) {
                    if last.frame as u64 == f {
                        last.enabled = false;
                    } else if let Some(b) = t.box_at(f - 1) {
                        let mut held = step(f - 1, &b.bbox);
                        held.enabled = false;
                        out.push(held);
                    }
                }
            }
        }
    }
    out
}

pub fn write(data: &Dataset, every_frame: bool, report: &mut Report) -> Vec<Input> {
    for r in &data.runs {
        report.skip("model runs", "Label Studio's predictions are not written yet", format!("run {}", r.id));
    }
    let mut tasks = Vec::new();
    for (i, v) in data.videos.iter().enumerate() {
        let times = ConstantRate { fps: v.fps, frames: v.frame_count };
        let mut result = Vec::new();
        for t in data.tracks_of(&v.id) {
            if v.width == 0 || v.height == 0 {
                report.skip(
                    "tracks",
                    "their video's size is unknown: Label Studio's boxes are in percent",
                    format!("track {}", t.id),
                );
                continue;
            }
            if t.keyframes.iter().any(|k| k.occluded && !k.outside) {
                report.skip("occluded flags", "Label Studio has none", format!("track {}", t.id));
            }
            super::report_attributes(t, &[], "Label Studio holds no attributes", report);
            let label = data.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
            result.push(json!({
                "id": t.id,
                "type": "videorectangle",
                "from_name": "box",
                "to_name": "video",
                "origin": "manual",
                "original_width": v.width,
                "original_height": v.height,
                "value": {
                    "framesCount": v.frame_count,
                    "duration": v.duration_s,
                    "sequence": sequence(t, v, every_frame).iter().map(Step::to_json).collect::<Vec<_>>(),
                    "labels": [label],
                },
            }));
        }
        for s in data.segments_of(&v.id) {
            let start = times.frame_at_time(s.start_s) + 1;
            let k = times.frame_at_time(s.end_s);
            let end = if times.time_of(k) == s.end_s { k } else { k + 1 }.max(start);
            result.push(json!({
                "id": s.id,
                "type": "timelinelabels",
                "from_name": "timeline",
                "to_name": "video",
                "original_width": v.width,
                "original_height": v.height,
                "value": { "ranges": [{ "start": start, "end": end }], "timelinelabels": [s.label] },
            }));
        }
        for q in data.questions_of(&v.id) {
            if q.kind != QuestionKind::Other
                || !q.options.is_empty()
                || !q.evidence.is_empty()
                || !q.rationale.is_empty()
            {
                report.skip(
                    "question details",
                    "Label Studio keeps a question's text and answer only",
                    format!("question {}", q.id),
                );
            }
            result.push(json!({
                "id": q.id,
                "type": "textarea",
                "from_name": q.text,
                "to_name": "video",
                "original_width": v.width,
                "original_height": v.height,
                "value": { "text": [q.answer] },
            }));
        }
        tasks.push(json!({ "id": i + 1, "data": { "video": v.path }, "annotations": [{ "id": i + 1, "result": result }] }));
    }
    vec![Input { name: "tasks.json".into(), bytes: json::bytes(&tasks) }]
}
