//! Items and result files written back from the questions, tracks and runs an
//! import made (found together by their ids).

use serde_json::{Map, Value, json};

use super::{ANSWERS, Part};
use crate::dataset::{Dataset, Evidence, Question, Track};
use crate::edit::LabelRef;
use crate::formats::{Input, Report, json};
use crate::run::ModelRun;
use crate::time::{ConstantRate, FrameTimes};

pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    let mut items: Vec<(&str, Map<String, Value>)> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for what in data.questions.iter().filter(|q| q.id.ends_with("-what")) {
        let base = &what.id[..what.id.len() - "-what".len()];
        let Some(video) = data.video(&what.video) else { continue };
        let part = |p: Part| data.question(&format!("{base}-{}", p.suffix())).filter(|q| q.video == video.id);
        let (when, where1, where2) = (part(Part::When), part(Part::Where), part(Part::Where2));
        let parts: Vec<&Question> = [Some(what), when, where1, where2].into_iter().flatten().collect();
        let track = parts.iter().flat_map(|q| &q.evidence).find_map(|e| match e {
            Evidence::Track { id } => data.track(id),
            _ => None,
        });
        let span = [when, Some(what)].into_iter().flatten().flat_map(|q| &q.evidence).find_map(|e| match e {
            Evidence::Span { start_s, end_s } => Some([*start_s, *end_s]),
            _ => None,
        });
        used.extend(parts.iter().map(|q| q.id.as_str()));
        let object = track.and_then(|t| data.category(&t.category)).map(|c| c.name.clone());
        let object = object.or(where1.map(|q| q.answer.clone())).unwrap_or_default();
        let times = ConstantRate { fps: video.fps, frames: video.frame_count };
        let boxes: Vec<Value> = track
            .iter()
            .flat_map(|t| t.keyframes.iter().filter(|k| !k.outside).map(move |k| (t, k)))
            .map(|(t, k)| {
                let [x1, y1, x2, y2] = k.bbox.0;
                json!({"timestamp": timestamp(t, k.frame, &times), "frame_index": k.frame,
                       "xmin": x1, "ymin": y1, "xmax": x2, "ymax": y2})
            })
            .collect();
        used.extend(track.map(|t| t.id.as_str()));
        let mut item = Map::new();
        let mut put = |k: &str, v: Value| {
            item.insert(k.to_owned(), v);
        };
        put("vid", json!(video.id));
        put("fps", json!(video.fps));
        put("width", json!(video.width));
        put("height", json!(video.height));
        put("frame_count", json!(video.frame_count));
        put("question", json!(what.text));
        if !what.rationale.is_empty() {
            let chain: Vec<&str> = what.rationale.iter().map(|s| s.text.as_str()).collect();
            put("chain", json!(chain.join(" ")));
        }
        put("object", json!(object));
        put("answer", json!(what.answer));
        put("temporal_question", json!(when.map_or("", |q| q.text.as_str())));
        put("timestamps", json!(span.unwrap_or_default()));
        put("spatial_question", json!(where1.map_or("", |q| q.text.as_str())));
        if let Some(q) = where2 {
            put("spatial_question_2", json!(q.text));
        }
        put("bboxes", Value::Array(boxes));
        items.push((base, item));
    }
    report_unused(data, &used, report);
    let list: Vec<&Map<String, Value>> = items.iter().map(|(_, item)| item).collect();
    let mut files = vec![Input { name: "V_STaR.json".into(), bytes: json::bytes(&list) }];
    files.extend(result_files(data, &items, report));
    files
}

/// A result file per model that answered items' questions: the items with its
/// answers in V-STaR's fields, as V-STaR's inference writes them.
fn result_files(data: &Dataset, items: &[(&str, Map<String, Value>)], report: &mut Report) -> Vec<Input> {
    let mut models: Vec<&str> = data.runs.iter().map(|r| r.model.name.as_str()).collect();
    models.sort_unstable();
    models.dedup();
    let mut files = Vec::new();
    for model in models {
        let mut out = Vec::new();
        let mut any = false;
        for (base, item) in items {
            let mut item = item.clone();
            let mut answered = false;
            for r in data.runs.iter().filter(|r| r.model.name == model) {
                let Some(LabelRef::Question(id)) = &r.answers else { continue };
                let Some(part) = [Part::What, Part::When, Part::Where, Part::Where2]
                    .into_iter()
                    .find(|p| *id == format!("{base}-{}", p.suffix()))
                else {
                    continue;
                };
                let Some(field) = ANSWERS
                    .iter()
                    .filter(|(_, p)| *p == part)
                    .map(|(f, _)| *f)
                    .find(|f| !item.contains_key(*f))
                else {
                    report.skip(
                        "model runs",
                        "a third answer of one model to one question",
                        format!("run {}", r.id),
                    );
                    continue;
                };
                let value = answer_value(r, part);
                let own = match &value {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                if r.raw != own {
                    item.insert(format!("{field}_pre"), json!(r.raw));
                }
                item.insert(field.to_owned(), value);
                answered = true;
            }
            any |= answered;
            // Every item, answered or not: an item's place in the file is its id.
            out.push(Value::Object(item));
        }
        if any {
            let name: String =
                model.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
            files.push(Input { name: format!("results-{name}.json"), bytes: json::bytes(&out) });
        }
    }
    for r in data.runs.iter() {
        let answers_item = matches!(&r.answers, Some(LabelRef::Question(id))
            if items.iter().any(|(base, _)| id.strip_prefix(base).is_some_and(|s| s.starts_with('-'))));
        if !answers_item {
            report.skip(
                "model runs",
                "V-STaR holds answers to an item's questions only",
                format!("run {}", r.id),
            );
        }
    }
    files
}

/// A run's answer as V-STaR writes it: the text, `[start, end]` (`[]` for none), or
/// seconds to a box (a list of boxes where it gave several), null for none.
fn answer_value(r: &ModelRun, part: Part) -> Value {
    let p = &r.prediction;
    match part {
        Part::What => json!(p.answer.clone().unwrap_or_else(|| r.raw.clone())),
        Part::When => p.spans.first().map_or(json!([]), |s| json!([s.start_s, s.end_s])),
        Part::Where | Part::Where2 if p.boxes.is_empty() => Value::Null,
        Part::Where | Part::Where2 => {
            let mut seconds: Vec<(String, Vec<Value>)> = Vec::new();
            for b in &p.boxes {
                let Some(t) = b.time_s else { continue };
                let key = t.to_string();
                match seconds.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, list)) => list.push(json!(b.bbox.0)),
                    None => seconds.push((key, vec![json!(b.bbox.0)])),
                }
            }
            let entry =
                |mut list: Vec<Value>| if list.len() == 1 { list.remove(0) } else { Value::Array(list) };
            Value::Object(seconds.into_iter().map(|(k, list)| (k, entry(list))).collect())
        }
    }
}

/// Everything an item does not hold, reported.
fn report_unused(data: &Dataset, used: &[&str], report: &mut Report) {
    for q in data.questions.iter().filter(|q| !used.contains(&q.id.as_str())) {
        report.skip(
            "questions",
            "V-STaR holds questions only as parts of an item",
            format!("question {}", q.id),
        );
    }
    for t in data.tracks.iter().filter(|t| !used.contains(&t.id.as_str())) {
        report.skip("tracks", "V-STaR holds a track only as an item's object", format!("track {}", t.id));
    }
    for s in &data.segments {
        report.skip(
            "segments",
            "V-STaR holds spans only as an item's timestamps",
            format!("segment {}", s.id),
        );
    }
}

/// A box's timestamp as the file wrote it, else its time as a whole number where it
/// is one (the whole seconds V-STaR's answers are keyed by).
fn timestamp(t: &Track, frame: u64, times: &ConstantRate) -> Value {
    let written = t.attributes.iter().find(|a| a.name == "timestamp" && a.frame == Some(frame));
    if let Some(value) = written.and_then(|a| serde_json::from_str::<Value>(&a.value).ok()) {
        return value;
    }
    let time = times.time_of(frame);
    if time.fract() == 0.0 && time.abs() < 1e15 { json!(time as i64) } else { json!(time) }
}
