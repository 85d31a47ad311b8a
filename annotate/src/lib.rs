//! Vidence's data: the dataset schema ("vidence/5", older versions migrated), box interpolation along tracks,
//! and reading and writing dataset files. No GUI, video or ML crates here: this crate
//! builds and tests in seconds.

pub mod accept;
pub mod batch;
mod dataset;
pub mod dialect;
mod document;
mod edit;
pub mod eval;
pub mod formats;
mod geometry;
mod journal;
mod labels;
pub mod migrate;
pub mod overlay;
mod persist;
mod prediction;
mod review;
mod run;
mod shape;
pub mod time;
pub mod tokens;
mod validate;

pub use dataset::{
    AttributeInput, AttributeSpec, AttributeValue, Category, Dataset, Evidence, Interpolation, Keyframe,
    Keyframes, Provenance, Question, QuestionKind, RationaleKind, RationaleStep, Review, SCHEMA, Segment,
    Track, TrackBox, Video,
};
pub use document::{
    BACKUPS, Document, Opened, Reapplied, SaveJob, Saved, SetAside, backup_path, keep_backups, original_path,
    stale_path,
};
pub use edit::{Edit, EditError, History, LabelRef};
pub use geometry::BBox;
pub use journal::{Disk, DiskFile, Files, FlakyDisk, Health, SYNC_INTERVAL, journal_path, read_any};
pub use labels::{Ids, category_named};
pub use persist::{DatasetError, load, parse, parse_versioned, save_atomic};
pub use prediction::{PredictedBox, PredictedPoint, PredictedSpan, Prediction};
pub use review::ReviewProgress;
pub use run::{
    Alternative, Backend, Call, Dialect, EvidenceItem, Generation, Judgement, ModelRef, ModelRun, Reading,
    RunSettings, RunToken, Sampling, TaskKind, Tokens, Verdict, box_confidences,
};
pub use shape::shape_problems;
pub use validate::{Problem, repairs, validate};

/// The JSON Schema of a dataset file, generated from the types (committed as
/// `annotate/schema/vidence-2.schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Dataset);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
