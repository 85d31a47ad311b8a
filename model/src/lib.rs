//! The vision-language model side of Vidence: Qwen3-VL on candle ([`qwen3_vl`]),
//! generation from it ([`generate`]), frames tiled for image-grid prompting
//! ([`grid`]), the device it runs on ([`device`]) and the inference thread that runs
//! them ([`worker`]), and OpenAI-compatible servers ([`server`]). What models are told and what they answer, as text, is
//! `annotate::dialect`.

pub mod backend;
pub mod device;
mod error;
pub mod generate;
pub mod grid;
pub mod hub;
mod kernels;
pub mod machine;
pub mod qwen3_vl;
pub mod server;
mod weights;
pub mod worker;

pub use error::{ModelError, Result};
