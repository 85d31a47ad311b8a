//! Random-weight checkpoints in the hub's layout (`config.json`, `model.safetensors`)
//! for any Qwen3-VL config: what tests and benchmarks run the real loading and
//! inference code on where real weights cannot be downloaded.

use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};

use super::config::Config;
use super::text::TextModel;
use super::vision::VisionModel;
use crate::error::{ModelError, Result};

/// Write `config_json` and weights for it (random embeddings and projections, unit
/// norms) into `folder`.
pub fn write_random_checkpoint(folder: &Path, config_json: &str) -> Result<()> {
    let config = Config::parse(config_json)
        .map_err(|message| ModelError::Config { path: folder.join("config.json"), message })?;
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| ModelError::Read { path, source: e }
    };
    std::fs::create_dir_all(folder).map_err(write_err(folder))?;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    // Building the model creates every weight it asks for, with its initialiser.
    TextModel::new(&config, vb.clone())?;
    VisionModel::new(&config.vision, vb.pp("model.visual"))?;
    varmap.save(folder.join("model.safetensors"))?;
    let path = folder.join("config.json");
    std::fs::write(&path, config_json).map_err(write_err(&path))?;
    Ok(())
}
