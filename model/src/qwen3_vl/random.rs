//! Random-weight checkpoints in the hub's layout (`config.json`, `model.safetensors`,
//! and the processor configs as Qwen3-VL is published with them) for any Qwen3-VL
//! config: what tests and benchmarks run the real loading and inference code on where
//! real weights cannot be downloaded.

use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};

use super::config::Config;
use super::text::TextModel;
use super::vision::VisionModel;
use crate::error::{ModelError, Result};

/// A tiny Qwen3-VL (two layers of width 64, a 320-token vocabulary with the special
/// tokens at ids 0 to 6, as in the test tokenizer): the real architecture at a size
/// that runs in milliseconds, for tests.
pub const TINY_CONFIG: &str = r#"{
    "image_token_id": 5, "video_token_id": 6, "vision_start_token_id": 3, "vision_end_token_id": 4,
    "tie_word_embeddings": true,
    "text_config": {"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "rms_norm_eps": 1e-6, "rope_theta": 5000000, "rope_scaling": {"mrope_section": [2, 3, 3]}},
    "vision_config": {"depth": 2, "hidden_size": 32, "intermediate_size": 64, "num_heads": 2,
        "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": 64,
        "num_position_embeddings": 64, "deepstack_visual_indexes": [0]}
}"#;

/// `preprocessor_config.json` as the Qwen3-VL Instruct checkpoints are published.
pub const PUBLISHED_PREPROCESSOR: &str = r#"{
    "size": {"longest_edge": 16777216, "shortest_edge": 65536},
    "patch_size": 16, "temporal_patch_size": 2, "merge_size": 2,
    "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
    "processor_class": "Qwen3VLProcessor", "image_processor_type": "Qwen2VLImageProcessorFast"
}"#;

/// `video_preprocessor_config.json` as the Qwen3-VL Instruct checkpoints are published.
pub const PUBLISHED_VIDEO_PREPROCESSOR: &str = r#"{
    "size": {"longest_edge": 25165824, "shortest_edge": 4096},
    "patch_size": 16, "temporal_patch_size": 2, "merge_size": 2,
    "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
    "processor_class": "Qwen3VLProcessor", "video_processor_type": "Qwen3VLVideoProcessor"
}"#;

/// Qwen3-VL-2B-Instruct's architecture, for benchmarks on random weights of its size.
pub const QWEN3_VL_2B_CONFIG: &str = r#"{
    "image_token_id": 151655, "video_token_id": 151656,
    "vision_start_token_id": 151652, "vision_end_token_id": 151653,
    "tie_word_embeddings": true,
    "text_config": {
        "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144,
        "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
        "rms_norm_eps": 1e-6, "hidden_act": "silu", "max_position_embeddings": 262144,
        "rope_theta": 5000000,
        "rope_scaling": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default"}
    },
    "vision_config": {
        "depth": 24, "hidden_size": 1024, "hidden_act": "gelu_pytorch_tanh", "intermediate_size": 4096,
        "num_heads": 16, "in_channels": 3, "patch_size": 16, "spatial_merge_size": 2,
        "temporal_patch_size": 2, "out_hidden_size": 2048, "num_position_embeddings": 2304,
        "deepstack_visual_indexes": [5, 11, 17]
    }
}"#;

/// Write `config_json` and weights for it (random embeddings and projections, unit
/// norms) into `folder`.
pub fn write_random_checkpoint(folder: &Path, config_json: &str) -> Result<()> {
    let config = Config::parse(config_json)
        .map_err(|message| ModelError::Config { path: folder.join("config.json"), message })?;
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| ModelError::Read { path, error: e }
    };
    std::fs::create_dir_all(folder).map_err(write_err(folder))?;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    // Building the model creates every weight it asks for, with its initialiser.
    TextModel::new(&config, vb.clone(), DType::F32, &mut || {})?;
    VisionModel::new(&config.vision, vb.pp("model.visual"), &mut || {})?;
    varmap.save(folder.join("model.safetensors"))?;
    for (file, text) in [
        ("config.json", config_json),
        ("preprocessor_config.json", PUBLISHED_PREPROCESSOR),
        ("video_preprocessor_config.json", PUBLISHED_VIDEO_PREPROCESSOR),
    ] {
        let path = folder.join(file);
        std::fs::write(&path, text).map_err(write_err(&path))?;
    }
    Ok(())
}
