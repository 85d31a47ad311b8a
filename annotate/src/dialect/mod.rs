//! What models are told and what they answer, as text: the task prompts ([`Task`]),
//! the reader of their answers ([`parse`]: Qwen3-VL JSON on the 0-1000 grid,
//! Qwen2.5-VL pixels, Open-o3 Video tags, free-text times), the writer of answers in
//! those same shapes ([`write`], for fine-tuning data) and image-grid prompting
//! ([`FrameGrid`]). Formats of text, not of a runtime: the importers, the exporters and
//! evaluation use them without any ML crate.

mod grid;
mod parse;
mod task;
mod write;

pub use grid::FrameGrid;
pub use parse::{Context, Coordinates, parse};
pub use task::{GridBox, Task};
pub use write::{Grounding, Layout, qwen25_video_size, write};
