//! The vision-language model side of Vidence: Qwen3-VL on candle ([`qwen3_vl`]),
//! generation from it ([`generate`]), and reading what a model wrote into an
//! `annotate::Prediction` ([`parse`]).

mod error;
pub mod generate;
pub mod hub;
pub mod parse;
pub mod qwen3_vl;
mod weights;

pub use error::{ModelError, Result};
pub use parse::{Context, Coordinates, parse};
