//! What is wrong with the shape of a dataset file's JSON, every problem at once: serde
//! stops at the first, so each element of each list is read on its own. Mistakes that
//! are easy to make get words of their own (an array instead of a dataset, NaN).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dataset::{Category, Question, SCHEMA, Segment, Track, Video};
use crate::run::ModelRun;
use crate::validate::Problem;

/// Every shape problem of `text` as a dataset of the current schema, by JSON path;
/// empty when it reads. A file of an older schema is migrated before it is read, so
/// only its first problem is told (by [`crate::parse`]).
pub fn shape_problems(text: &str) -> Vec<Problem> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![syntax(text, &e)],
    };
    let Value::Object(top) = &value else {
        let what = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "true or false",
            _ => "null",
        };
        return vec![problem(
            "$",
            format!(
                "not a Vidence dataset: the file is {what}; a dataset is an object {{\"schema\": \"{SCHEMA}\", \"videos\": [...], ...}}"
            ),
        )];
    };
    match top.get("schema") {
        Some(Value::String(s)) if s == SCHEMA => {}
        Some(Value::String(_)) => return Vec::new(),
        Some(_) => return vec![problem("$.schema", "the schema must be a string such as \"vidence/5\"")],
        None => {
            return vec![problem("$", format!("not a Vidence dataset: it has no \"schema\" (\"{SCHEMA}\")"))];
        }
    }
    let mut out = Vec::new();
    for (key, item) in top {
        match key.as_str() {
            "schema" => {}
            "videos" => each::<Video>(key, item, &mut out),
            "categories" => each::<Category>(key, item, &mut out),
            "tracks" => each::<Track>(key, item, &mut out),
            "segments" => each::<Segment>(key, item, &mut out),
            "questions" => each::<Question>(key, item, &mut out),
            "runs" => each::<ModelRun>(key, item, &mut out),
            other => out.push(problem(format!("$.{other}"), format!("unknown field `{other}`"))),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem { path: path.into(), message: message.into() }
}

/// Each element of the list at `$.key`, read on its own.
fn each<T: DeserializeOwned>(key: &str, list: &Value, out: &mut Vec<Problem>) {
    let Value::Array(items) = list else {
        out.push(problem(format!("$.{key}"), "must be a list [...]"));
        return;
    };
    for (i, item) in items.iter().enumerate() {
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(item) {
            let inner = e.path().to_string();
            let path = if inner == "." { format!("$.{key}[{i}]") } else { format!("$.{key}[{i}].{inner}") };
            out.push(problem(path, e.into_inner().to_string()));
        }
    }
}

/// A syntax error in words, with NaN and Infinity (which JSON has not) named.
fn syntax(text: &str, e: &serde_json::Error) -> Problem {
    let offset: usize =
        text.split_inclusive('\n').take(e.line().saturating_sub(1)).map(str::len).sum::<usize>()
            + e.column().saturating_sub(1);
    let rest = text.get(offset.saturating_sub(1)..).unwrap_or("");
    let word = ["NaN", "Infinity", "-Infinity"]
        .into_iter()
        .find(|w| rest.trim_start_matches([':', ' ', ',', '[']).starts_with(w));
    let message = match word {
        Some(w) => format!(
            "JSON has no {w}: write a number, or null where the field may be empty (line {}, column {})",
            e.line(),
            e.column()
        ),
        None => e.to_string(),
    };
    problem("$", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_with_a_wrong_type_is_told() {
        let text = r#"{"schema": "vidence/5",
            "videos": [{"id": "v", "path": "v.mp4", "width": "wide", "height": 1, "fps": 1, "frame_count": 1, "duration_s": 1}],
            "categories": [{"id": "a", "name": 3}, {"id": "b", "name": "ok"}, {"id": 7, "name": "x"}],
            "tracks": {}, "extra": 1}"#;
        let paths: Vec<String> = shape_problems(text).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            ["$.categories[0].name", "$.categories[2].id", "$.extra", "$.tracks", "$.videos[0].width"]
        );
    }

    #[test]
    fn an_array_and_nan_get_words_of_their_own() {
        let array = shape_problems("[{\"schema\": \"vidence/5\"}]");
        assert!(array[0].message.starts_with("not a Vidence dataset: the file is an array"), "{array:?}");
        let nan = shape_problems("{\"schema\": \"vidence/5\", \"videos\": [{\"fps\": NaN}]}");
        assert!(nan[0].message.starts_with("JSON has no NaN"), "{nan:?}");
        let inf = shape_problems("{\"schema\": \"vidence/5\",\n \"x\": -Infinity}");
        assert!(inf[0].message.starts_with("JSON has no -Infinity"), "{inf:?}");
        assert!(shape_problems("{\"videos\": []}")[0].message.contains("no \"schema\""));
        let crlf = shape_problems("{\"schema\": \"vidence/5\",\r\n\r\n\r\n \"x\": NaN}");
        assert!(crlf[0].message.starts_with("JSON has no NaN"), "Windows line ends: {crlf:?}");
    }
}
