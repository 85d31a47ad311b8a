//! Qwen3-VL (2B/4B/8B Instruct) on candle, written to match the reference
//! transformers implementation to float rounding. Today: the text decoder, which
//! takes multimodal rotary positions; the vision tower comes next.

mod config;
mod rope;
mod text;

use std::path::{Path, PathBuf};

use candle_core::{DType, Device};

pub use config::{Config, TextConfig};
pub use rope::{Positions, text_positions};
pub use text::TextModel;

use crate::error::{ModelError, Result};

pub struct Qwen3Vl {
    pub config: Config,
    pub text: TextModel,
}

impl Qwen3Vl {
    /// Load a checkpoint folder in the hub's layout: `config.json` and
    /// `model.safetensors`, or shards listed in `model.safetensors.index.json`.
    pub fn load(folder: &Path, dtype: DType, device: &Device) -> Result<Self> {
        let config = Config::load(&folder.join("config.json"))?;
        let files = safetensors_files(folder)?;
        let vb = crate::weights::mmap(&files, dtype, device)?;
        let text = TextModel::new(&config, vb)?;
        Ok(Self { config, text })
    }
}

/// The weight files of a checkpoint folder.
fn safetensors_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let single = folder.join("model.safetensors");
    if single.exists() {
        return Ok(vec![single]);
    }
    let index_path = folder.join("model.safetensors.index.json");
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| ModelError::Read { path: path.to_owned(), source })
    };
    let index: serde_json::Value = serde_json::from_str(&read(&index_path)?)
        .map_err(|e| ModelError::Config { path: index_path.clone(), message: e.to_string() })?;
    let mut files: Vec<PathBuf> = index
        .get("weight_map")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| ModelError::Config { path: index_path.clone(), message: "no weight_map".into() })?
        .values()
        .filter_map(serde_json::Value::as_str)
        .map(|f| folder.join(f))
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}
