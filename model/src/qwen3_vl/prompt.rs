//! Prompts as Qwen3-VL reads them: the tokenizer (`tokenizer.json`, byte-level BPE
//! with the chat and vision special tokens) and the chat layout of one user turn, with
//! each image standing as one `<|image_pad|>` per merged 2x2 block and each video frame
//! pair as its timestamp (`<1.5 seconds>`) and its blocks.

use std::path::Path;

use super::vision::Grid;
use crate::error::{ModelError, Result};

pub const IMAGE_PAD: &str = "<|image_pad|>";
pub const VIDEO_PAD: &str = "<|video_pad|>";
pub const VISION_START: &str = "<|vision_start|>";
pub const VISION_END: &str = "<|vision_end|>";
pub const IM_START: &str = "<|im_start|>";
pub const IM_END: &str = "<|im_end|>";

/// One piece of a user turn, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Text(String),
    Image {
        grid: Grid,
    },
    /// `timestamps[i]` is the time (seconds) of frame pair `i`: the mean of its two
    /// frames' times.
    Video {
        grid: Grid,
        timestamps: Vec<f64>,
    },
}

/// The text of a chat with one user turn, ready for the assistant's answer.
pub fn chat(parts: &[Part], merge: usize) -> String {
    let mut text = format!("{IM_START}user\n");
    for part in parts {
        match part {
            Part::Text(t) => text.push_str(t),
            Part::Image { grid: [t, h, w] } => {
                text.push_str(VISION_START);
                text.push_str(&IMAGE_PAD.repeat(t * h * w / (merge * merge)));
                text.push_str(VISION_END);
            }
            Part::Video { grid: [_, h, w], timestamps } => {
                for time in timestamps {
                    text.push_str(&format!("<{time:.1} seconds>{VISION_START}"));
                    text.push_str(&VIDEO_PAD.repeat(h * w / (merge * merge)));
                    text.push_str(VISION_END);
                }
            }
        }
    }
    text.push_str(&format!("{IM_END}\n{IM_START}assistant\n"));
    text
}

/// Frame pair times for frames sampled at `indices` of a `fps` video: each pair's two
/// frame times averaged (a last frame alone is paired with itself).
pub fn frame_pair_times(indices: &[u64], fps: f64, pair: usize) -> Vec<f64> {
    indices
        .chunks(pair.max(1))
        .map(|c| {
            let first = c.first().copied().unwrap_or(0) as f64 / fps;
            let last = c.last().copied().unwrap_or(0) as f64 / fps;
            (first + last) / 2.0
        })
        .collect()
}

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
}

impl Tokenizer {
    /// `tokenizer.json` in a checkpoint folder.
    pub fn load(folder: &Path) -> Result<Self> {
        let path = folder.join("tokenizer.json");
        let inner = tokenizers::Tokenizer::from_file(&path)
            .map_err(|e| ModelError::Config { path: path.clone(), message: e.to_string() })?;
        let tokenizer = Self { inner };
        for special in [IMAGE_PAD, VIDEO_PAD, VISION_START, VISION_END, IM_START, IM_END] {
            if tokenizer.id(special).is_none() {
                return Err(ModelError::Config { path, message: format!("no {special} token") });
            }
        }
        Ok(tokenizer)
    }

    pub fn id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    pub fn token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// Ids of `text`, special tokens written in it included.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let encoding = self.inner.encode(text, false).map_err(|e| ModelError::Input(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Text of `ids`, special tokens left out.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner.decode(ids, true).map_err(|e| ModelError::Input(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_is_its_frame_pairs_each_with_its_time() {
        let times = frame_pair_times(&[0, 15, 30, 45, 60], 30.0, 2);
        assert_eq!(times, [0.25, 1.25, 2.0], "the odd frame out is paired with itself");
        let text = chat(
            &[Part::Video { grid: [2, 4, 4], timestamps: vec![0.25, 1.25] }, Part::Text("Why?".into())],
            2,
        );
        let pads = |n: usize| VIDEO_PAD.repeat(n);
        assert_eq!(
            text,
            format!(
                "{IM_START}user\n<0.2 seconds>{VISION_START}{}{VISION_END}<1.2 seconds>{VISION_START}{}{VISION_END}Why?{IM_END}\n{IM_START}assistant\n",
                pads(4),
                pads(4)
            ),
            "times print as Python's {{:.1f}}: 0.25 -> 0.2 (0.25 is exact, ties go to even)"
        );
    }
}
