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
    pub vision: VisionConfig,
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

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct VisionConfig {
    pub depth: usize,
    pub hidden_size: usize,
    #[serde(default = "gelu_tanh")]
    pub hidden_act: String,
    pub intermediate_size: usize,
    pub num_heads: usize,
    #[serde(default = "three")]
    pub in_channels: usize,
    pub patch_size: usize,
    pub spatial_merge_size: usize,
    pub temporal_patch_size: usize,
    pub out_hidden_size: usize,
    pub num_position_embeddings: usize,
    #[serde(default)]
    pub deepstack_visual_indexes: Vec<usize>,
    #[serde(skip)]
    pub rope_theta: f64,
}

fn gelu_tanh() -> String {
    "gelu_pytorch_tanh".to_owned()
}

fn three() -> usize {
    3
}

#[derive(Deserialize)]
struct RawConfig {
    text_config: RawText,
    vision_config: serde_json::Value,
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
            .map_err(|error| ModelError::Read { path: path.to_owned(), error })?;
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
        let mut vision: VisionConfig =
            serde_json::from_value(raw.vision_config.clone()).map_err(|e| format!("vision_config: {e}"))?;
        vision.rope_theta = raw
            .vision_config
            .pointer("/rope_parameters/rope_theta")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(10_000.0);
        if vision.hidden_act != "gelu_pytorch_tanh" {
            return Err(format!("vision hidden_act {:?} (only \"gelu_pytorch_tanh\")", vision.hidden_act));
        }
        let side = (vision.num_position_embeddings as f64).sqrt() as usize;
        if side * side != vision.num_position_embeddings
            || vision.num_heads == 0
            || vision.spatial_merge_size == 0
        {
            return Err(
                "vision_config: num_position_embeddings must be a square, heads and merge size positive"
                    .into(),
            );
        }
        if let Some(&bad) = vision.deepstack_visual_indexes.iter().find(|&&i| i >= vision.depth) {
            return Err(format!("deepstack layer {bad} is past the vision depth {}", vision.depth));
        }
        if vision.out_hidden_size != t.hidden_size {
            return Err(format!(
                "vision out_hidden_size {} is not the text hidden_size {}",
                vision.out_hidden_size, t.hidden_size
            ));
        }
        Ok(Self {
            vision,
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
        "vision_config": {
            "depth": 24, "hidden_size": 1024, "hidden_act": "gelu_pytorch_tanh", "intermediate_size": 4096,
            "num_heads": 16, "in_channels": 3, "patch_size": 16, "spatial_merge_size": 2,
            "temporal_patch_size": 2, "out_hidden_size": 2048, "num_position_embeddings": 2304,
            "deepstack_visual_indexes": [5, 11, 17]
        },
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
        assert_eq!(
            (c.vision.depth, c.vision.deepstack_visual_indexes.clone(), c.vision.rope_theta),
            (24, vec![5, 11, 17], 1e4)
        );
    }

    #[test]
    fn refuses_what_it_cannot_run() {
        let swap = |from: &str, to: &str| Config::parse(&PUBLISHED.replace(from, to)).unwrap_err();
        assert!(swap("\"rope_type\": \"default\"", "\"rope_type\": \"yarn\"").contains("yarn"));
        assert!(swap("[24, 20, 20]", "[24, 20, 21]").contains("head_dim / 2"));
        assert!(swap("\"mrope_interleaved\": true", "\"mrope_interleaved\": false").contains("interleaved"));
        assert!(swap("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5").contains("key/value"));
        assert!(swap("\"rope_theta\": 5000000,", "").contains("rope_theta"));
        assert!(swap("[5, 11, 17]", "[5, 11, 24]").contains("deepstack"));
        assert!(
            swap("\"num_position_embeddings\": 2304", "\"num_position_embeddings\": 2300").contains("square")
        );
    }
}
