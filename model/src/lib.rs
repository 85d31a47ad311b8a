//! The vision-language model side of Vidence. Today: reading what a model wrote into
//! an `annotate::Prediction` ([`parse`]). The in-process Qwen3-VL runtime comes next.

pub mod parse;

pub use parse::{Context, Coordinates, parse};
