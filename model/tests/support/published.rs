//! The parity fixtures' shared parts: the published-layout fixture
//! (`qwen3_vl_published.json`), the formula pixels, and how logits are compared.
#![allow(dead_code)] // each test uses its part

use std::path::Path;

use candle_core::{Device, Tensor};
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

/// The fixture scripts' formula pixels: `sin(0.37 i + 0.011 j + seed)` for value `j` of
/// patch `i`, as many patches of 3x2x16x16 as `grids` take.
pub fn pixels(grids: &[[usize; 3]], seed: f64) -> Tensor {
    let patches: usize = grids.iter().map(|[t, h, w]| t * h * w).sum();
    let values: Vec<f32> = (0..patches)
        .flat_map(|i| {
            (0..3 * 2 * 16 * 16usize).map(move |j| (0.37 * i as f64 + 0.011 * j as f64 + seed).sin() as f32)
        })
        .collect();
    Tensor::from_vec(values, (patches, 3 * 2 * 16 * 16), &Device::Cpu).expect("pixel tensor")
}
