//! The image processor against transformers' (PIL backend, Qwen3-VL settings) on two
//! synthetic pictures, one grown and one shrunk: the same resized bytes, grid and
//! pixel values. `model/reference/qwen3_vl_processor_fixture.py` made the values.

use std::path::Path;

use model::qwen3_vl::processor::{ImageSettings, Rgb, resize_bicubic};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    width: usize,
    height: usize,
    min_pixels: usize,
    max_pixels: usize,
    resized: [usize; 2],
    resized_rgb: Vec<u8>,
    grid: [usize; 3],
    first_patch: Vec<f32>,
    last_patch: Vec<f32>,
    sum: f64,
    patches: usize,
}

/// The fixture script's `picture`.
fn picture(width: usize, height: usize) -> Rgb {
    let mut data = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            for c in 0..3 {
                data.push(((x * 7 + y * 13 + c * 50 + (x * y) % 11) % 256) as u8);
            }
        }
    }
    Rgb { width, height, data }
}

#[test]
fn images_become_the_same_patches_as_in_transformers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qwen3_vl_processor.json");
    let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in fixture.cases {
        let rgb = picture(case.width, case.height);
        let [h, w] = case.resized;
        let resized = resize_bicubic(&rgb, w, h);
        let differing = resized.data.iter().zip(&case.resized_rgb).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{}x{}: bytes that differ from PIL's bicubic", case.width, case.height);

        let settings =
            ImageSettings { min_pixels: case.min_pixels, max_pixels: case.max_pixels, ..Default::default() };
        let (values, grid) = settings.image(&rgb).unwrap();
        assert_eq!(grid, case.grid);
        let patch = 3 * 2 * 16 * 16;
        assert_eq!(values.len(), case.patches * patch);
        let differ = |a: &[f32], b: &[f32]| a.iter().zip(b).filter(|(x, y)| x != y).count();
        assert_eq!(differ(&values[..patch], &case.first_patch), 0, "first patch");
        assert_eq!(differ(&values[values.len() - patch..], &case.last_patch), 0, "last patch");
        let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
        assert!((sum - case.sum).abs() < 1e-6 * case.patches as f64 * patch as f64, "{sum} vs {}", case.sum);
    }
}
