//! The published-layout parity fixture (`qwen3_vl_published.json`) and how logits are
//! compared with it, shared by the model's and the app's tests.
#![allow(dead_code)] // each test uses its part

use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Reference {
    pub models: std::collections::BTreeMap<String, Model>,
}

#[derive(Deserialize)]
pub struct Model {
    pub cases: Vec<Case>,
}

#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    /// Picture and video files the prompt reads, beside the checkpoints.
    #[serde(default)]
    pub files: Vec<String>,
    pub prompt: Option<String>,
    pub input_ids: Vec<u32>,
    pub image_grid_thw: Option<Vec<[usize; 3]>>,
    pub video_grid_thw: Option<Vec<[usize; 3]>>,
    pub logits: Vec<f32>,
    pub greedy: Vec<u32>,
}

impl Reference {
    /// The fixture in `fixtures` (`model/tests/fixtures`).
    pub fn read(fixtures: &Path) -> Self {
        let text = std::fs::read_to_string(fixtures.join("qwen3_vl_published.json")).expect("the fixture");
        serde_json::from_str(&text).expect("fixture JSON")
    }
}

/// Relative L2 error of `got` from `want`.
pub fn relative_l2(got: &[f32], want: &[f32]) -> f64 {
    let diff: f64 = got.iter().zip(want).map(|(a, b)| f64::from(a - b).powi(2)).sum();
    let norm: f64 = want.iter().map(|b| f64::from(*b).powi(2)).sum();
    (diff / norm).sqrt()
}

pub fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best })
        .0
}
