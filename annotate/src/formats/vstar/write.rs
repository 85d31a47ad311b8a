//! Items and result files written back from the questions, tracks and runs an
//! import made (found together by their ids).

use serde_json::{Map, Value, json};

use super::{ANSWERS, Item, Part, answer_key, raw_field, timestamp};
use crate::dataset::Dataset;
use crate::edit::LabelRef;
use crate::formats::{Input, Report, json};
use crate::run::ModelRun;
use crate::time::ConstantRate;

pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    let mut items: Vec<(&str, Map<String, Value>)> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    for parts in super::items(data) {
        let Item { base, video, what, when, where1, where2, track } = parts;
        used.extend(parts.questions().map(|q| q.id.as_str()));
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
        if let Some(domain) = video.tags.get("domain") {
            put("domain", json!(domain));
        }
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
        put("timestamps", json!(parts.span().map(|(s, e)| [s, e]).unwrap_or_default()));
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
                // Chain 2 asked when with the object's boxes given.
                let part =
                    if part == Part::When && !r.settings.given.is_empty() { Part::When2 } else { part };
                let field = ANSWERS.iter().find(|(_, p)| *p == part).map_or("", |(f, _)| *f);
                if item.contains_key(field) {
                    report.skip(
                        "model runs",
                        "a second answer of one model to one question in one chain",
                        format!("run {}", r.id),
                    );
                    continue;
                }
                let value = answer_value(r, part);
                let own = match &value {
                    Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                if r.raw != own {
                    item.insert(raw_field(field), json!(r.raw));
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
        Part::When | Part::When2 => p.spans.first().map_or(json!([]), |s| json!([s.start_s, s.end_s])),
        Part::Where | Part::Where2 if p.boxes.is_empty() => Value::Null,
        Part::Where | Part::Where2 => {
            let mut seconds: Vec<(String, Vec<Value>)> = Vec::new();
            for b in &p.boxes {
                let Some(key) = answer_key(b) else { continue };
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
