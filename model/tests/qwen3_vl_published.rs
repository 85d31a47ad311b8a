//! Qwen3-VL against transformers on checkpoints laid out as the published ones (bf16
//! weights, the real chat template, the processor configs as published; the 2B's and
//! the 4B's proportions scaled down, tied and untied), loaded as the app loads them:
//! a text prompt through the chat layout and tokenizer, and prompts given as ids with
//! the same pixel values as the reference, within 1e-4 relative error with the same
//! greedy continuation. The layout of a video in the prompt follows transformers 4.57,
//! which Qwen3-VL was released with. `model/reference/qwen3_vl_published_fixture.py`
//! and `qwen3_vl_video_layout.py` made the checkpoints and the values; prompts read
//! from picture and video files are checked end to end in the app's tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use candle_core::Device;
use model::generate::{GenerationConfig, generate};
use model::qwen3_vl::processor::Processor;
use model::qwen3_vl::prompt::{Part, chat, frame_pair_times};
use model::qwen3_vl::{Grid, Pixels};
use model::worker::{Loaded, Media};
use serde::Deserialize;

mod support;

use support::published::{Reference, argmax, pixels, relative_l2};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn greedy(loaded: &mut Loaded, ids: &[u32], first: Vec<f32>, steps: usize) -> Vec<u32> {
    let config = GenerationConfig { max_tokens: steps, ..GenerationConfig::default() };
    let cancel = Arc::new(AtomicBool::new(false));
    let generated = generate(&mut loaded.model, ids, first, &config, &cancel, |_| {}).expect("generate");
    generated.tokens.iter().map(|t| t.id).collect()
}

#[test]
fn published_checkpoints_match_transformers_on_text_and_the_same_pixels() {
    let reference = Reference::read(&fixtures());
    assert_eq!(reference.models.len(), 2);
    for (name, model) in &reference.models {
        let folder = fixtures().join("qwen3_vl_published").join(name);
        // As the app and `model inspect` load it: f32 arithmetic, 16-bit text weights.
        let mut loaded = Loaded::open(&folder, &Device::Cpu, &mut |_| {}).expect("load");
        assert_eq!(loaded.model.config.tie_word_embeddings, name == "qwen3_vl_2b");
        assert_eq!(loaded.processor, Processor::default(), "{name}: the published processor configs");
        let mut checked = 0;
        for case in &model.cases {
            let logits = if case.name == "text" {
                let prompt = case.prompt.as_deref().expect("a prompt");
                let (ids, logits) = loaded.prefill(&Media::None, prompt).expect("prefill");
                assert_eq!(ids, case.input_ids, "{name}: the chat template's ids");
                logits
            } else if case.name.starts_with("pixels_") {
                let (images, videos) = (case.image_grid_thw.as_deref(), case.video_grid_thw.as_deref());
                let image_pixels = images.map(|g| pixels(g, 0.0));
                let video_pixels = videos.map(|g| pixels(g, 1.0));
                let image = image_pixels.as_ref().zip(images).map(|(values, grids)| Pixels { values, grids });
                let video = video_pixels.as_ref().zip(videos).map(|(values, grids)| Pixels { values, grids });
                loaded.model.prefill(&case.input_ids, image, video).expect("prefill")
            } else {
                assert!(!case.files.is_empty(), "{}", case.name);
                continue;
            };
            let err = relative_l2(&logits, &case.logits);
            eprintln!("{name} {}: relative L2 error {err:.2e}", case.name);
            assert!(err < 1e-4, "{name} {}: relative error {err:e}", case.name);
            assert_eq!(argmax(&logits), argmax(&case.logits), "{name} {}", case.name);
            let got = greedy(&mut loaded, &case.input_ids, logits, case.greedy.len());
            assert_eq!(got, case.greedy, "{name} {}: greedy continuation", case.name);
            checked += 1;
        }
        assert_eq!(checked, 4, "{name}: text and three pixel prompts");
    }
}

#[derive(Deserialize)]
struct Layout {
    input_ids: Vec<u32>,
    video_grid_thw: Vec<Grid>,
}

#[test]
fn a_video_is_laid_out_as_qwen3_vl_was_released_with() {
    let text = std::fs::read_to_string(fixtures().join("qwen3_vl_video_layout.json")).unwrap();
    let layouts: std::collections::BTreeMap<String, Layout> = serde_json::from_str(&text).unwrap();
    let (released, current) = (&layouts["4.57.1"], &layouts["5.24.0"]);
    let folder = fixtures().join("qwen3_vl_published/qwen3_vl_2b");
    let tokenizer = model::qwen3_vl::prompt::Tokenizer::load(&folder).unwrap();
    // Four frames at 2 fps, as the layout script gives them.
    let grid = released.video_grid_thw[0];
    let parts = [
        Part::Video { grid, timestamps: frame_pair_times(&[0, 1, 2, 3], 2.0, 2) },
        Part::Text("What moves?".into()),
    ];
    let ids = tokenizer.encode(&chat(&parts, 2)).unwrap();
    assert_eq!(ids, released.input_ids, "transformers 4.57's layout");
    // transformers 5 keeps the chat template's vision start and end around the frames.
    let (start, end) = (tokenizer.id("<|vision_start|>").unwrap(), tokenizer.id("<|vision_end|>").unwrap());
    let user = tokenizer.encode("<|im_start|>user\n").unwrap().len();
    let text_at =
        ids.len() - tokenizer.encode("What moves?<|im_end|>\n<|im_start|>assistant\n").unwrap().len();
    let mut wrapped = ids[..user].to_vec();
    wrapped.push(start);
    wrapped.extend_from_slice(&ids[user..text_at]);
    wrapped.push(end);
    wrapped.extend_from_slice(&ids[text_at..]);
    assert_eq!(wrapped, current.input_ids, "transformers 5.24 adds only the outer pair");
}
