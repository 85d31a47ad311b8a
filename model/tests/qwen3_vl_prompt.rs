//! Prompt building against transformers' Qwen3VLProcessor on a tiny byte-level BPE
//! tokenizer with Qwen3-VL's special tokens: the same ids for text, image and
//! two-image chats, image token counts decided by the image processor.
//! `model/reference/qwen3_vl_tokenizer_fixture.py` made the tokenizer and the values.

use std::path::Path;

use model::qwen3_vl::processor::ImageSettings;
use model::qwen3_vl::prompt::{Part, Tokenizer, chat};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    content: Vec<serde_json::Value>,
    image_sizes: Vec<(usize, usize)>,
    input_ids: Vec<u32>,
    image_grid_thw: Vec<[usize; 3]>,
}

#[test]
fn chats_with_text_and_images_tokenize_as_in_transformers() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let tokenizer = Tokenizer::load(&fixtures.join("qwen3_vl_tokenizer")).unwrap();
    let fixture: Fixture =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("qwen3_vl_tokenizer.json")).unwrap())
            .unwrap();
    let settings = ImageSettings { min_pixels: 4096, max_pixels: 16384, ..Default::default() };
    for case in fixture.cases {
        // The image processor decides each picture's grid, as in the reference.
        let grids: Vec<[usize; 3]> = case
            .image_sizes
            .iter()
            .map(|&(w, h)| {
                let (rh, rw) = model::qwen3_vl::processor::smart_resize(h, w, 32, 4096, 16384).unwrap();
                [1, rh / settings.patch_size, rw / settings.patch_size]
            })
            .collect();
        assert_eq!(grids, case.image_grid_thw, "{}", case.name);
        let mut images = grids.iter();
        let parts: Vec<Part> = case
            .content
            .iter()
            .map(|item| match item["type"].as_str() {
                Some("image") => Part::Image { grid: *images.next().unwrap() },
                _ => Part::Text(item["text"].as_str().unwrap().to_owned()),
            })
            .collect();
        let ids = tokenizer.encode(&chat(&parts, 2)).unwrap();
        assert_eq!(ids, case.input_ids, "{}", case.name);
    }
    assert_eq!(
        tokenizer.decode(&tokenizer.encode("<|im_start|>user\nbox<|im_end|>").unwrap()).unwrap(),
        "user\nbox"
    );
}

#[test]
fn a_folder_without_a_tokenizer_is_a_clear_error() {
    let err = Tokenizer::load(Path::new("/nonexistent")).err().expect("no tokenizer");
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
}
