//! What the command-line tests share: running the binary, and scratch folders.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn vidence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vidence")).args(args).output().expect("run vidence")
}

/// A fresh folder for one test (names are unique across the test files).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("vidence-cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
