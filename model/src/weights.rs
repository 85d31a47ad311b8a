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
        complete(f)?;
    }
    // SAFETY: the mapping is only read. Like every memory-mapped loader, it relies on
    // nobody truncating or rewriting the weight files while the model is loaded.
    Ok(unsafe { VarBuilder::from_mmaped_safetensors(files, dtype, device)? })
}

/// Check that a safetensors file holds all the bytes its header promises: a download
/// cut short would otherwise fail deep in loading, in words that do not say so.
fn complete(file: &std::path::Path) -> Result<()> {
    use std::io::Read;
    let read_err = |error: std::io::Error| ModelError::Read { path: file.to_owned(), error };
    let cut = |message: String| ModelError::Config { path: file.to_owned(), message };
    let mut f = std::fs::File::open(file).map_err(read_err)?;
    let size = f.metadata().map_err(read_err)?.len();
    let mut len = [0u8; 8];
    if f.read_exact(&mut len).is_err() {
        return Err(cut(format!("the weights file is cut short ({size} bytes): download it again")));
    }
    let header_len = u64::from_le_bytes(len);
    if header_len > size.saturating_sub(8) || header_len > 100 << 20 {
        return Err(cut(format!(
            "the weights file is cut short or not safetensors: its header says {header_len} bytes, the file has {size}"
        )));
    }
    let mut header = vec![0u8; header_len as usize];
    f.read_exact(&mut header).map_err(read_err)?;
    let header: serde_json::Value = serde_json::from_slice(&header)
        .map_err(|e| cut(format!("the weights file's header is not JSON ({e}): is it safetensors?")))?;
    let end = header
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, t)| t.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    let needed = 8 + header_len + end;
    if size < needed {
        return Err(cut(format!(
            "the weights file is cut short: it has {size} bytes, its header needs {needed} (an interrupted \
             download? fetch it again)"
        )));
    }
    Ok(())
}
