//! What can go wrong loading or running a model.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    // Not `source`: the message holds the reason already, and error chains would
    // print it twice.
    #[error("cannot read {path}: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("this model is not supported: {0}")]
    Unsupported(String),
    #[error("{0}")]
    Device(String),
    #[error("bad input: {0}")]
    Input(String),
    #[error(transparent)]
    Tensor(#[from] candle_core::Error),
}

pub type Result<T> = std::result::Result<T, ModelError>;
