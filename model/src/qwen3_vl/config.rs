//! `config.json` of a Qwen3-VL checkpoint, in either layout the hub uses: rotary
//! settings in `rope_parameters` (transformers 5), or `rope_theta` and `rope_scaling`
//! (the published checkpoints).

use std::path::Path;

use serde::Deserialize;

use crate::error::{ModelError, Result};

/// The settings the runtime uses, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub text: TextConfig,
    pub image_token_id: u32,
    pub video_token_id: u32,
    pub vision_start_token_id: u32,
    pub vision_end_token_id: u32,
    /// The output head is the input embedding.
    pub tie_word_embeddings: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    pub head_dim: usize,
    pub rms_norm_eps: f64,
    pub attention_bias: bool,
    pub rope_theta: f64,
    /// How many rotary frequencies follow height and width (time takes the rest),
    /// interleaved: frequency `j` follows height when `j % 3 == 1` and `j < 3 * h`,
    /// width when `j % 3 == 2` and `j < 3 * w`.
    pub mrope_section: [usize; 3],
}

#[derive(Deserialize)]
struct RawConfig {
    text_config: RawText,
    image_token_id: u32,
    video_token_id: u32,
    vision_start_token_id: u32,
    vision_end_token_id: u32,
    tie_word_embeddings: Option<bool>,
}

#[derive(Deserialize)]
struct RawText {
    vocab_size: usize,
    hidden_size: usize,
    intermediate_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    rms_norm_eps: f64,
    #[serde(default = "silu")]
    hidden_act: String,
    #[serde(default)]
    attention_bias: bool,
    rope_parameters: Option<RawRope>,
    rope_theta: Option<f64>,
    rope_scaling: Option<RawRope>,
    tie_word_embeddings: Option<bool>,
}

fn silu() -> String {
    "silu".to_owned()
}

#[derive(Deserialize)]
struct RawRope {
    rope_type: Option<String>,
    rope_theta: Option<f64>,
    mrope_section: Option<Vec<usize>>,
    mrope_interleaved: Option<bool>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ModelError::Read { path: path.to_owned(), source })?;
        Self::parse(&text).map_err(|message| ModelError::Config { path: path.to_owned(), message })
    }

    pub fn parse(json: &str) -> std::result::Result<Self, String> {
        let raw: RawConfig = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let t = raw.text_config;
        let rope = t.rope_parameters.or(t.rope_scaling);
        let rope_type =
            rope.as_ref().and_then(|r| r.rope_type.clone()).unwrap_or_else(|| "default".to_owned());
        if rope_type != "default" {
            return Err(format!("rotary type {rope_type:?} (only \"default\" is supported)"));
        }
        if rope.as_ref().and_then(|r| r.mrope_interleaved) == Some(false) {
            return Err("non-interleaved multimodal rotary positions (Qwen2-VL style)".to_owned());
        }
        let rope_theta = rope
            .as_ref()
            .and_then(|r| r.rope_theta)
            .or(t.rope_theta)
            .ok_or("no rope_theta in text_config")?;
        let head_dim = t.head_dim.unwrap_or(t.hidden_size / t.num_attention_heads.max(1));
        let section = rope.and_then(|r| r.mrope_section).unwrap_or_else(|| vec![24, 20, 20]);
        let mrope_section: [usize; 3] = section
            .as_slice()
            .try_into()
            .map_err(|_| format!("mrope_section {section:?} needs 3 numbers"))?;
        if mrope_section.iter().sum::<usize>() != head_dim / 2 {
            return Err(format!("mrope_section {section:?} must add up to head_dim / 2 = {}", head_dim / 2));
        }
        if t.hidden_act != "silu" {
            return Err(format!("hidden_act {:?} (only \"silu\" is supported)", t.hidden_act));
        }
        let num_key_value_heads = t.num_key_value_heads.unwrap_or(t.num_attention_heads);
        if num_key_value_heads == 0 || !t.num_attention_heads.is_multiple_of(num_key_value_heads) {
            return Err(format!(
                "{} attention heads cannot share {num_key_value_heads} key/value heads",
                t.num_attention_heads
            ));
        }
        Ok(Self {
            tie_word_embeddings: raw.tie_word_embeddings.or(t.tie_word_embeddings).unwrap_or(false),
            text: TextConfig {
                vocab_size: t.vocab_size,
                hidden_size: t.hidden_size,
                intermediate_size: t.intermediate_size,
                num_hidden_layers: t.num_hidden_layers,
                num_attention_heads: t.num_attention_heads,
                num_key_value_heads,
                head_dim,
                rms_norm_eps: t.rms_norm_eps,
                attention_bias: t.attention_bias,
                rope_theta,
                mrope_section,
            },
            image_token_id: raw.image_token_id,
            video_token_id: raw.video_token_id,
            vision_start_token_id: raw.vision_start_token_id,
            vision_end_token_id: raw.vision_end_token_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISHED: &str = r#"{
        "image_token_id": 151655, "video_token_id": 151656,
        "vision_start_token_id": 151652, "vision_end_token_id": 151653,
        "text_config": {
            "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144,
            "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8,
            "head_dim": 128, "rms_norm_eps": 1e-6, "hidden_act": "silu",
            "rope_theta": 5000000, "tie_word_embeddings": true,
            "rope_scaling": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default"}
        }
    }"#;

    #[test]
    fn reads_the_published_layout() {
        let c = Config::parse(PUBLISHED).unwrap();
        assert!(c.tie_word_embeddings, "tied in text_config counts");
        assert_eq!((c.text.rope_theta, c.text.mrope_section, c.text.head_dim), (5e6, [24, 20, 20], 128));
        assert_eq!(c.image_token_id, 151655);
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        let swap = |from: &str, to: &str| Config::parse(&PUBLISHED.replace(from, to)).unwrap_err();
        assert!(swap("\"rope_type\": \"default\"", "\"rope_type\": \"yarn\"").contains("yarn"));
        assert!(swap("[24, 20, 20]", "[24, 20, 21]").contains("head_dim / 2"));
        assert!(swap("\"mrope_interleaved\": true", "\"mrope_interleaved\": false").contains("interleaved"));
        assert!(swap("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5").contains("key/value"));
        assert!(swap("\"rope_theta\": 5000000,", "").contains("rope_theta"));
    }
}
