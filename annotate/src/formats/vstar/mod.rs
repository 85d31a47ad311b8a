//! V-STaR (spatio-temporal reasoning) JSON: a list of items, each a video (`vid`,
//! `fps`, `width`, `height`, `frame_count`), a what question with its `answer` and
//! reasoning `chain`, a when question with its `timestamps` `[start, end]` in
//! seconds, and where questions (`spatial_question`, chain 2's `spatial_question_2`)
//! whose answer is the `object`'s boxes. `bboxes` come in two shapes, both read: a
//! list of `{timestamp, frame_index, xmin, ymin, xmax, ymax}` (the dataset's file) and
//! an object from `"TIMESTAMP_FRAME"` to `{xmin, ymin, xmax, ymax}` (its first README).
//! The items' corners are in the video's pixels; `frame_index` counts from 0. Each
//! box's `timestamp` is kept as written (the mutable attribute `timestamp` on its
//! frame) and written back so: V-STaR's `eval.py` finds a model's box for it by
//! `str(timestamp)`, where `2` and `2.0` differ.
//!
//! An item's `domain` is its video's tag `domain`.
//!
//! A result file is the items with a model's answers added (`answer_vqa`,
//! `answer_temporal` `[start, end]` or `[]`, `answer_spatial` from whole seconds to a
//! box or a list of boxes, or a list or null where the model's text did not parse;
//! each `_pre` its raw text, and chain 2's `_2` fields with their `_pre_2`): imported
//! as a run, each answer is a run answering its question, an unparsed one a run with
//! only its text. Chain 2 asks when given the object's boxes: its when run names the
//! object's track among the labels its prompt gave. Answer boxes are the model's own
//! numbers, in the coordinates of its input (V-STaR's inference never scales them to
//! the video), kept unchanged as `eval.py` compares them, and each keeps its second
//! as the model wrote it. An item's questions are `ITEM-what`, `-when`, `-where` and `-where-2`, and its
//! object `ITEM-object`, where ITEM is `vstar-N` for the Nth item of the file: a result
//! file, which lists the same items in the same order, answers the questions imported
//! from the dataset's file; an export finds an item's parts together by these ids.

mod read;
mod write;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{FormatInfo, Input};
use crate::dataset::{Dataset, Question, Track, Video};
use crate::prediction::PredictedBox;
use crate::time::{ConstantRate, FrameTimes};

pub use read::read;
pub use write::write;

pub const INFO: FormatInfo = FormatInfo {
    name: "vstar",
    title: "V-STaR items (what, when, where) and result files",
    imports: true,
    exports: true,
    holds: "videos with their domain, an item's what question with its answer and reasoning chain, its when \
            question with the span, its where questions with the object's boxes as a track; a result file's \
            answers as model runs",
    cannot: "questions, tracks and segments that are not part of an item",
};

/// A model's answers in a result file: the field and the part of the item it answers.
const ANSWERS: [(&str, Part); 5] = [
    ("answer_vqa", Part::What),
    ("answer_temporal", Part::When),
    ("answer_spatial", Part::Where),
    ("answer_temporal_2", Part::When2),
    ("answer_spatial_2", Part::Where2),
];

/// The field of an answer's raw text: `answer_temporal_pre`, chain 2's `answer_temporal_pre_2`.
fn raw_field(field: &str) -> String {
    match field.strip_suffix("_2") {
        Some(stem) => format!("{stem}_pre_2"),
        None => format!("{field}_pre"),
    }
}

/// What an answer answers: a question of the item, in the first chain or the second.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    What,
    When,
    Where,
    /// Chain 2's when: the when question again, asked with the object's boxes.
    When2,
    Where2,
}

impl Part {
    /// The end of the id of the question it answers.
    fn suffix(self) -> &'static str {
        match self {
            Part::What => "what",
            Part::When | Part::When2 => "when",
            Part::Where => "where",
            Part::Where2 => "where-2",
        }
    }
}

pub fn looks_like(input: &Input) -> bool {
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(1 << 16)]);
    head.trim_start().starts_with('[') && head.contains("\"temporal_question\"") && head.contains("\"vid\"")
}

/// A V-STaR item in a dataset: its questions and object, found by the ids an import
/// gives them (`vstar-N-what`, `-when`, `-where`, `-where-2`).
pub struct Item<'a> {
    /// `vstar-N`: what the ids of its parts start with.
    pub base: &'a str,
    pub video: &'a Video,
    pub what: &'a Question,
    pub when: Option<&'a Question>,
    pub where1: Option<&'a Question>,
    pub where2: Option<&'a Question>,
    /// The object's boxes, each keyed by its `timestamp`.
    pub track: Option<&'a Track>,
}

impl<'a> Item<'a> {
    /// The item's span: its when question's, else its what question's.
    pub fn span(&self) -> Option<(f64, f64)> {
        [self.when, Some(self.what)].into_iter().flatten().find_map(Question::span)
    }

    pub fn questions(&self) -> impl Iterator<Item = &'a Question> + use<'a> {
        [Some(self.what), self.when, self.where1, self.where2].into_iter().flatten()
    }
}

/// The dataset's V-STaR items, in the order of their what questions.
pub fn items(data: &Dataset) -> Vec<Item<'_>> {
    let questions: HashMap<&str, &Question> = data.questions.iter().map(|q| (q.id.as_str(), q)).collect();
    let videos: HashMap<&str, &Video> = data.videos.iter().map(|v| (v.id.as_str(), v)).collect();
    let tracks: HashMap<&str, &Track> = data.tracks.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut out = Vec::new();
    for what in data.questions.iter() {
        let Some(base) = what.id.strip_suffix("-what") else { continue };
        let Some(&video) = videos.get(what.video.as_str()) else { continue };
        let part = |suffix: &str| questions.get(format!("{base}-{suffix}").as_str()).copied();
        let part = |suffix| part(suffix).filter(|q| q.video == video.id);
        let mut item = Item {
            base,
            video,
            what,
            when: part("when"),
            where1: part("where"),
            where2: part("where-2"),
            track: None,
        };
        item.track = item.questions().find_map(|q| tracks.get(q.track()?).copied());
        out.push(item);
    }
    out
}

/// A box's `timestamp` as the file wrote it, else its time as a whole number where it
/// is one (the whole seconds V-STaR's answers are keyed by).
fn timestamp(t: &Track, frame: u64, times: &ConstantRate) -> Value {
    let written = t.attributes.iter().find(|a| a.name == "timestamp" && a.frame == Some(frame));
    if let Some(value) = written.and_then(|a| serde_json::from_str::<Value>(&a.value).ok()) {
        return value;
    }
    let time = times.time_of(frame);
    if time.fract() == 0.0 && time.abs() < 1e15 { json!(time as i64) } else { json!(time) }
}

/// The key `eval.py` looks a model's box up by for the object's box on `frame`:
/// `str(timestamp)` of the timestamp the file has (or an export writes).
pub fn truth_key(t: &Track, frame: u64, times: &ConstantRate) -> String {
    match timestamp(t, frame, times) {
        Value::String(s) => s,
        Value::Number(n) if n.is_f64() => n.as_f64().map_or_else(|| n.to_string(), python_float),
        v => v.to_string(),
    }
}

/// The second a model's box is keyed by in a result file: as the model wrote it, else
/// its time.
pub fn answer_key(b: &PredictedBox) -> Option<String> {
    b.time_text.clone().or_else(|| b.time_s.map(|t| t.to_string()))
}

/// A float as Python's `str` writes it: the shortest digits that read back, fixed
/// from 1e-4 to 1e16 (always with a decimal point), else with a signed two-digit exponent.
fn python_float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let fixed = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{fixed}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() { first.to_owned() } else { format!("{first}.{rest}") };
        let e_sign = if exponent < 0 { "-" } else { "+" };
        format!("{sign}{mantissa}e{e_sign}{:02}", exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_as_python_writes_them() {
        let cases = [
            (2.0, "2.0"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1e-4, "0.0001"),
            (1.5e-5, "1.5e-05"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (-3.25, "-3.25"),
            (0.0, "0.0"),
            (1e100, "1e+100"),
        ];
        for (x, python) in cases {
            assert_eq!(python_float(x), python, "{x}");
        }
    }

    #[test]
    fn raw_text_fields_are_named_as_v_star_names_them() {
        assert_eq!(raw_field("answer_temporal"), "answer_temporal_pre");
        assert_eq!(raw_field("answer_spatial_2"), "answer_spatial_pre_2");
    }
}
