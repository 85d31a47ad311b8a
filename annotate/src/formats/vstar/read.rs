//! V-STaR's items read as questions with the object's track, and a result file's
//! answers as runs answering them.

use serde_json::{Map, Value, json};

use super::{ANSWERS, Part, raw_field};
use crate::dataset::{
    AttributeValue, Dataset, Evidence, Interpolation, Keyframe, Question, QuestionKind, RationaleKind,
    RationaleStep, Review, Track, Video,
};
use crate::edit::LabelRef;
use crate::formats::runs::Given;
use crate::formats::{
    Format, FormatError, Input, MAX_FRAMES, Report, add_text_spec, category_for, json, provenance,
    video_record,
};
use crate::geometry::BBox;
use crate::labels::Ids;
use crate::prediction::{PredictedBox, PredictedSpan, Prediction};
use crate::run::TaskKind;
use crate::time::ConstantRate;

/// The fields of an item this reader reads; any other is reported.
const FIELDS: [&str; 15] = [
    "vid",
    "fps",
    "width",
    "height",
    "frame_count",
    "question",
    "chain",
    "object",
    "answer",
    "temporal_question",
    "timestamps",
    "spatial_question",
    "spatial_question_2",
    "bboxes",
    "domain",
];

/// An item's field as a number (V-STaR writes some numbers as strings).
fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()).filter(|n: &f64| n.is_finite())
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

/// A `[start, end]` span in seconds: a list, or its text (`"[3.5, 7]"`, as results hold).
fn span(v: &Value) -> Option<(f64, f64)> {
    let parsed;
    let list = match v {
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).ok()?;
            parsed.as_array()?
        }
        v => v.as_array()?,
    };
    match list.as_slice() {
        [a, b] => Some((number(a)?, number(b)?)).filter(|(a, b)| a <= b && *a >= 0.0),
        _ => None,
    }
}

fn corners(v: &Value) -> Option<[f64; 4]> {
    let c = |k: &str| number(&v[k]);
    Some([c("xmin")?, c("ymin")?, c("xmax")?, c("ymax")?])
}

/// Pixel corners as a box, when they are one.
fn bbox([x1, y1, x2, y2]: [f64; 4]) -> Option<BBox> {
    let b = BBox::new(x1 as f32, y1 as f32, x2 as f32, y2 as f32);
    (b.0.iter().all(|c| c.is_finite()) && b.0[2] > b.0[0] && b.0[3] > b.0[1]).then_some(b)
}

pub fn read(inputs: &[Input], run: Option<&str>, report: &mut Report) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut ids = Ids::default();
    for input in inputs {
        let items: Vec<Map<String, Value>> = json::read(input)?;
        for (i, item) in items.iter().enumerate() {
            read_item(input, &format!("$[{i}]"), item, run, &mut data, &mut ids, report)?;
        }
    }
    if data.runs.iter().any(|r| !r.prediction.boxes.is_empty()) {
        report.assumed.push(
            "the answers' boxes are the model's numbers as V-STaR's eval takes them: in the coordinates of the \
             model's input, which may not be the video's pixels"
                .into(),
        );
    }
    Ok(data)
}

fn read_item(
    input: &Input,
    at: &str,
    item: &Map<String, Value>,
    run: Option<&str>,
    data: &mut Dataset,
    ids: &mut Ids,
    report: &mut Report,
) -> Result<(), FormatError> {
    let invalid = |message: String| FormatError::Invalid { file: input.name.clone(), message };
    let field = |k: &str| item.get(k).unwrap_or(&Value::Null);
    let Some(vid) = text(field("vid")).filter(|v| !v.is_empty()) else {
        return Err(invalid(format!("{at}.vid: an item names its video")));
    };
    for key in item.keys() {
        let raw = ANSWERS.iter().any(|(a, _)| *key == raw_field(a));
        let answer = ANSWERS.iter().any(|(a, _)| key == a);
        if !FIELDS.contains(&key.as_str()) && !answer && !raw {
            report.skip("fields", "not part of V-STaR's items", format!("{at}.{key}"));
        } else if answer && run.is_none() {
            report.skip("answers", "a model's: import the file with --as-run NAME", format!("{at}.{key}"));
        }
    }
    // The video, once per `vid`.
    if data.video(vid).is_none() {
        let size = number(field("width")).zip(number(field("height"))).map(|(w, h)| (w as u32, h as u32));
        let frames = number(field("frame_count")).filter(|f| *f >= 0.0 && *f < MAX_FRAMES as f64);
        let Some(frames) = frames else {
            return Err(invalid(format!("{at}.frame_count: not a number of frames")));
        };
        let fps = number(field("fps"));
        let path = format!("{vid}.mp4");
        let mut video =
            video_record(vid, &path, size.filter(|(w, h)| *w > 0 && *h > 0), frames as u64, fps, report);
        if let Some(domain) = text(field("domain")) {
            video.tags.insert("domain".into(), domain.to_owned());
        }
        data.videos.push(video);
    } else if let Some(domain) = text(field("domain"))
        && data.video(vid).and_then(|v| v.tags.get("domain")).is_some_and(|d| d != domain)
    {
        report.skip("domains", "another item on the video gave it another domain", format!("{at}.domain"));
    }
    let video = data.video(vid).cloned().unwrap_or_else(|| unreachable!("added above"));
    let times = ConstantRate { fps: video.fps, frames: video.frame_count };
    let base = ids.next("vstar");
    let source = provenance(Format::Vstar, &input.name);
    let object = text(field("object")).unwrap_or("object").to_owned();
    let (keyframes, stamps) = boxes(field("bboxes"), &format!("{at}.bboxes"), &times, report);
    let track_id = format!("{base}-object");
    let has_track = !keyframes.is_empty();
    if has_track {
        let category = category_for(data, &object);
        if !stamps.is_empty() {
            add_text_spec(data, &category, "timestamp", "");
        }
        data.tracks.push(Track {
            id: track_id.clone(),
            video: vid.to_owned(),
            category,
            keyframes: keyframes.into(),
            interpolation: Interpolation::Linear,
            attributes: stamps,
            z_order: 0,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    let when = span(field("timestamps"));
    if when.is_none() {
        report.skip("spans", "timestamps are not [start, end] in seconds", format!("{at}.timestamps"));
    }
    let question = |part: Part, kind, text: &str, answer: String, evidence: Vec<Evidence>| Question {
        id: format!("{base}-{}", part.suffix()),
        video: vid.to_owned(),
        kind,
        text: text.to_owned(),
        options: Vec::new(),
        answer,
        evidence,
        rationale: Vec::new(),
        source: source.clone(),
        review: Review::Unreviewed,
    };
    let span_evidence: Vec<Evidence> =
        when.map(|(start_s, end_s)| Evidence::Span { start_s, end_s }).into_iter().collect();
    let track_evidence: Vec<Evidence> =
        if has_track { vec![Evidence::Track { id: track_id.clone() }] } else { Vec::new() };
    let mut what = question(
        Part::What,
        QuestionKind::What,
        text(field("question")).unwrap_or_default(),
        text(field("answer")).unwrap_or_default().to_owned(),
        [span_evidence.clone(), track_evidence.clone()].concat(),
    );
    if let Some(chain) = text(field("chain")) {
        what.rationale.push(RationaleStep {
            text: chain.to_owned(),
            kind: RationaleKind::Reasoning,
            time_s: None,
            bbox: None,
        });
    }
    let mut questions = vec![what];
    if let Some(t) = text(field("temporal_question")) {
        let answer = when.map(|(s, e)| format!("from {s} s to {e} s")).unwrap_or_default();
        questions.push(question(Part::When, QuestionKind::When, t, answer, span_evidence));
    }
    for (key, part) in [("spatial_question", Part::Where), ("spatial_question_2", Part::Where2)] {
        if let Some(t) = text(field(key)) {
            questions.push(question(part, QuestionKind::Where, t, object.clone(), track_evidence.clone()));
        }
    }
    if let Some(model) = run {
        for (key, part) in ANSWERS {
            let raw = item.get(&raw_field(key)).and_then(Value::as_str);
            // A null answer with no text of its own is an item the inference did not reach.
            let Some(value) = item.get(key).filter(|v| !v.is_null() || raw.is_some()) else { continue };
            let Some(q) = questions.iter().find(|q| q.id.ends_with(&format!("-{}", part.suffix()))) else {
                report.skip("answers", "the item has no question they answer", format!("{at}.{key}"));
                continue;
            };
            // Chain 2 asked when with the object's boxes given.
            let given: Vec<LabelRef> = match part {
                Part::When2 if !has_track => {
                    report.skip(
                        "answers",
                        "chain 2's when answer of an item without boxes",
                        format!("{at}.{key}"),
                    );
                    continue;
                }
                Part::When2 => vec![LabelRef::Track(track_id.clone())],
                _ => Vec::new(),
            };
            match answer_run(&video, model, q, part, &object, value, raw, &format!("{at}.{key}"), report) {
                Some(r) => {
                    let mut run = r.run(ids.next("run"));
                    run.settings.given = given;
                    data.runs.push(run);
                }
                None => report.skip("answers", "not in the shape V-STaR writes", format!("{at}.{key}")),
            }
        }
    }
    data.questions.extend(questions);
    Ok(())
}

/// The object's boxes as keyframes (in either shape), ending where the boxes end, and
/// each box's `timestamp` as written, on its frame.
fn boxes(
    v: &Value,
    at: &str,
    times: &ConstantRate,
    report: &mut Report,
) -> (Vec<Keyframe>, Vec<AttributeValue>) {
    // Where each box is, its timestamp (as written and as a number), frame index and corners.
    type Entry = (String, Option<Value>, Option<f64>, Option<[f64; 4]>);
    let entries: Vec<Entry> = match v {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (
                    format!("{at}[{i}]"),
                    b.get("timestamp").filter(|t| number(t).is_some()).cloned(),
                    number(&b["frame_index"]),
                    corners(b),
                )
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(key, b)| {
                let (t, f) = key.split_once('_').unwrap_or((key, ""));
                (format!("{at}.{key}"), t.parse::<f64>().ok().map(|_| json!(t)), f.parse().ok(), corners(b))
            })
            .collect(),
        Value::Null => Vec::new(),
        _ => {
            report.skip("boxes", "bboxes is neither a list nor an object", at);
            Vec::new()
        }
    };
    let mut seen: Vec<(Keyframe, Option<Value>)> = Vec::new();
    for (place, stamp, frame, c) in entries {
        let frame = frame.or(stamp.as_ref().and_then(number).map(|t| t * times.fps));
        let (Some(frame), Some(b)) =
            (frame.filter(|f| *f >= 0.0 && *f < MAX_FRAMES as f64), c.and_then(bbox))
        else {
            report.skip("boxes", "no frame, or corners that are not a box", place);
            continue;
        };
        let frame = frame.round() as u64;
        if seen.iter().any(|(k, _)| k.frame == frame) {
            report.skip("boxes", "a second box on the same frame", place);
            continue;
        }
        seen.push((Keyframe { frame, bbox: b, outside: false, occluded: false }, stamp));
    }
    seen.sort_by_key(|(k, _)| k.frame);
    let stamps = seen
        .iter()
        .filter_map(|(k, stamp)| {
            let value = stamp.as_ref()?.to_string();
            Some(AttributeValue { name: "timestamp".into(), value, frame: Some(k.frame) })
        })
        .collect();
    let mut keyframes: Vec<Keyframe> = seen.into_iter().map(|(k, _)| k).collect();
    if let Some(last) = keyframes.last().cloned()
        && last.frame + 1 < times.frames
    {
        keyframes.push(Keyframe { frame: last.frame + 1, outside: true, ..last });
    }
    (keyframes, stamps)
}

/// A result's answer to `q` as a run: a what answer's text, a when answer's span, a
/// where answer's boxes (from whole seconds to a box or boxes); an answer the
/// inference could not parse (`[]`, a list, null) is a run with only its text.
#[allow(clippy::too_many_arguments)] // the item's parts, each needed once
fn answer_run<'a>(
    video: &'a Video,
    model: &'a str,
    q: &Question,
    part: Part,
    object: &str,
    value: &Value,
    raw: Option<&str>,
    at: &str,
    report: &mut Report,
) -> Option<Given<'a>> {
    let mut prediction = Prediction::default();
    let task = match part {
        Part::What => {
            prediction.answer = if value.is_null() { None } else { Some(value.as_str()?.to_owned()) };
            TaskKind::Answer
        }
        Part::When | Part::When2 => {
            match value {
                Value::Null => {}
                Value::Array(list) if list.is_empty() => {}
                v => {
                    let (start_s, end_s) = span(v)?;
                    prediction.spans.push(PredictedSpan { label: None, start_s, end_s });
                }
            }
            TaskKind::When
        }
        Part::Where | Part::Where2 => {
            match value {
                Value::Null => {}
                Value::Array(_) => report.skip(
                    "answer boxes",
                    "a list, not seconds to boxes (V-STaR's eval finds no box in it); kept as the run's text",
                    at,
                ),
                Value::Object(map) => {
                    for (second, boxes) in map {
                        let place = || format!("{at}.{second}");
                        let Some(time_s) =
                            second.trim().parse::<f64>().ok().filter(|t| t.is_finite() && *t >= 0.0)
                        else {
                            report.skip("answer boxes", "keyed by what is not a number of seconds", place());
                            continue;
                        };
                        let found = answer_boxes(boxes);
                        if found.is_empty() {
                            report.skip(
                                "answer boxes",
                                "neither [x1, y1, x2, y2] nor a list of them",
                                place(),
                            );
                        }
                        for bbox in found {
                            prediction.boxes.push(PredictedBox {
                                label: Some(object.to_owned()),
                                time_s: Some(time_s),
                                time_text: Some(second.clone()),
                                bbox,
                            });
                        }
                    }
                }
                _ => return None,
            }
            TaskKind::Track
        }
    };
    let own = match value {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    Some(Given {
        video,
        model,
        task,
        prompt: q.text.clone(),
        answers: Some(LabelRef::Question(q.id.clone())),
        raw: raw.map_or(own, str::to_owned),
        prediction,
        confidence: Vec::new(),
    })
}

/// The boxes of one second of a where answer: `[x1, y1, x2, y2]`, or a list of them
/// (of which `eval.py` scores the best).
fn answer_boxes(v: &Value) -> Vec<BBox> {
    let one = |v: &Value| -> Option<BBox> {
        let c: Vec<f64> = v.as_array()?.iter().map(number).collect::<Option<_>>()?;
        let &[x1, y1, x2, y2] = c.as_slice() else { return None };
        bbox([x1, y1, x2, y2])
    };
    match one(v) {
        Some(b) => vec![b],
        None => v.as_array().into_iter().flatten().filter_map(one).collect(),
    }
}
