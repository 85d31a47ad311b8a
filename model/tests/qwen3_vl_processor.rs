//! The processors against transformers' with Qwen3-VL's settings on synthetic
//! pictures, grown and shrunk, and a five-frame video: the same resized bytes, grid and
//! pixel values, for PIL's image processor and the default (torchvision) image and
//! video processors. `model/reference/qwen3_vl_processor_fixture.py` made the values.

use std::path::Path;

use model::qwen3_vl::processor::{ImageSettings, Resample, Rgb, VideoSettings};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    kind: String,
    backend: String,
    width: usize,
    height: usize,
    frames: usize,
    min_pixels: usize,
    max_pixels: usize,
    resized: [usize; 2],
    /// The (last) frame resized, as hex.
    resized_rgb: String,
    grid: [usize; 3],
    first_patch: Vec<f32>,
    last_patch: Vec<f32>,
    sum: f64,
    patches: usize,
}

/// The fixture script's `picture`.
fn picture(width: usize, height: usize, t: usize) -> Rgb {
    let mut data = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            for c in 0..3 {
                data.push(((x * 7 + y * 13 + c * 50 + t * 29 + (x * y) % 11) % 256) as u8);
            }
        }
    }
    Rgb { width, height, data }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

#[test]
fn pictures_and_videos_become_the_same_patches_as_in_transformers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qwen3_vl_processor.json");
    let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(fixture.cases.len(), 7);
    for case in fixture.cases {
        let name = format!("{} {} {}x{}", case.kind, case.backend, case.width, case.height);
        let resample = if case.backend == "pil" { Resample::Pil } else { Resample::Torchvision };
        let pixels = ImageSettings {
            min_pixels: case.min_pixels,
            max_pixels: case.max_pixels,
            resample,
            ..Default::default()
        };
        let frames: Vec<Rgb> = (0..case.frames).map(|t| picture(case.width, case.height, t)).collect();
        let [h, w] = case.resized;
        let resized = resample.resize(&frames[case.frames - 1], w, h);
        let differing = resized.data.iter().zip(hex(&case.resized_rgb)).filter(|(a, b)| **a != *b).count();
        assert_eq!(differing, 0, "{name}: bytes that differ from the reference's resize");

        let (values, grid) = if case.kind == "video" {
            VideoSettings { pixels, ..Default::default() }.video(&frames).unwrap()
        } else {
            pixels.image(&frames[0]).unwrap()
        };
        assert_eq!(grid, case.grid, "{name}");
        let patch = 3 * 2 * 16 * 16;
        assert_eq!(values.len(), case.patches * patch, "{name}");
        let differ = |a: &[f32], b: &[f32]| a.iter().zip(b).filter(|(x, y)| x != y).count();
        assert_eq!(differ(&values[..patch], &case.first_patch), 0, "{name}: first patch");
        assert_eq!(differ(&values[values.len() - patch..], &case.last_patch), 0, "{name}: last patch");
        let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
        assert!(
            (sum - case.sum).abs() < 1e-6 * case.patches as f64 * patch as f64,
            "{name}: {sum} vs {}",
            case.sum
        );
    }
}
