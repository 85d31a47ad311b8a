//! Memory-mapped safetensors: weights are paged in from the files as they are used,
//! not copied into memory first.

#![allow(unsafe_code)]

use std::path::PathBuf;

use candle_core::{DType, Device};
use candle_nn::VarBuilder;

use crate::error::{ModelError, Result};

pub fn mmap(files: &[PathBuf], dtype: DType, device: &Device) -> Result<VarBuilder<'static>> {
    for f in files {
        if !f.exists() {
            return Err(ModelError::Read {
                path: f.clone(),
                error: std::io::Error::new(std::io::ErrorKind::NotFound, "weight file missing"),
            });
        }
    }
    // SAFETY: the mapping is only read. Like every memory-mapped loader, it relies on
    // nobody truncating or rewriting the weight files while the model is loaded.
    Ok(unsafe { VarBuilder::from_mmaped_safetensors(files, dtype, device)? })
}
