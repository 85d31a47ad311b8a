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
//! A result file is the items with a model's answers added (`answer_vqa`,
//! `answer_temporal` `[start, end]` or `[]`, `answer_spatial` from whole seconds to a
//! box or a list of boxes, or a list or null where the model's text did not parse;
//! each `_pre` its raw text, and chain 2's `_2` fields): imported as a run, each answer
//! is a run answering its question, an unparsed one a run with only its text. Answer
//! boxes are the model's own numbers, in the coordinates of its input (V-STaR's
//! inference never scales them to the video), kept unchanged as `eval.py` compares
//! them. An item's questions are `ITEM-what`, `-when`, `-where` and `-where-2`, and its
//! object `ITEM-object`, where ITEM is `vstar-N` for the Nth item of the file: a result
//! file, which lists the same items in the same order, answers the questions imported
//! from the dataset's file; an export finds an item's parts together by these ids.

mod read;
mod write;

use super::{FormatInfo, Input};

pub use read::read;
pub use write::write;

pub const INFO: FormatInfo = FormatInfo {
    name: "vstar",
    title: "V-STaR items (what, when, where) and result files",
    imports: true,
    exports: true,
    holds: "videos, an item's what question with its answer and reasoning chain, its when question with the span, \
            its where questions with the object's boxes as a track; a result file's answers as model runs",
    cannot: "questions, tracks and segments that are not part of an item, an item's domain",
};

/// A model's answers in a result file: the field, its raw text's field, and the part
/// of the item it answers.
const ANSWERS: [(&str, Part); 5] = [
    ("answer_vqa", Part::What),
    ("answer_temporal", Part::When),
    ("answer_spatial", Part::Where),
    ("answer_temporal_2", Part::When),
    ("answer_spatial_2", Part::Where2),
];

#[derive(Clone, Copy, PartialEq)]
enum Part {
    What,
    When,
    Where,
    Where2,
}

impl Part {
    fn suffix(self) -> &'static str {
        match self {
            Part::What => "what",
            Part::When => "when",
            Part::Where => "where",
            Part::Where2 => "where-2",
        }
    }
}

pub fn looks_like(input: &Input) -> bool {
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(1 << 16)]);
    head.trim_start().starts_with('[') && head.contains("\"temporal_question\"") && head.contains("\"vid\"")
}
