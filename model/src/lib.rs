//! The vision-language model side of Vidence: Qwen3-VL on candle ([`qwen3_vl`]),
//! generation from it ([`generate`]), and reading what a model wrote into an
//! `annotate::Prediction` ([`parse`]); the task prompts ([`tasks`]), image-grid
//! prompting ([`grid`]), the device it runs on ([`device`]) and the inference thread
//! that runs them ([`worker`]).

pub mod device;
mod error;
pub mod generate;
pub mod grid;
pub mod hub;
mod kernels;
pub mod machine;
pub mod parse;
pub mod qwen3_vl;
pub mod tasks;
mod weights;
pub mod worker;

pub use error::{ModelError, Result};
pub use parse::{Context, Coordinates, parse};
