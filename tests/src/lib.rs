//! Helpers shared by the cross-crate tests: the test videos of the viewer's tests
//! (`viewer/tests/support/clips.rs`, one copy for both), random-weight models, and
//! stepping the GUI until something holds.

use std::path::{Path, PathBuf};

#[path = "../../viewer/tests/support/clips.rs"]
mod clips;
pub use clips::{Clip, frame_hash, pattern, scratch};

/// A random-weight Qwen3-VL checkpoint for `config` (written once per folder) with the
/// test tokenizer and a small video budget, whose answers never end early: the end-of-turn token's embedding,
/// which is also its output row, is zero, so its logit is 0 while the largest of the
/// others is above 0. Runs then always reach their token limit.
pub fn endless_qwen3_vl(name: &str, config: &str) -> PathBuf {
    let dir = scratch(name);
    model::qwen3_vl::write_random_checkpoint(&dir, config).expect("checkpoint");
    let weights = dir.join("model.safetensors");
    let device = candle_core::Device::Cpu;
    let mut tensors = candle_core::safetensors::load(&weights, &device).expect("weights");
    let key = "model.language_model.embed_tokens.weight";
    let vocab = tensors[key].dim(0).expect("a vocabulary");
    let mask: Vec<f32> = (0..vocab).map(|i| if i == 2 { 0.0 } else { 1.0 }).collect();
    let mask = candle_core::Tensor::from_vec(mask, (vocab, 1), &device).expect("mask");
    let zeroed = tensors[key].broadcast_mul(&mask).expect("zeroed row");
    tensors.insert(key.to_owned(), zeroed);
    candle_core::safetensors::save(&tensors, &weights).expect("saved");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures");
    std::fs::copy(fixtures.join("qwen3_vl_tokenizer/tokenizer.json"), dir.join("tokenizer.json"))
        .expect("tokenizer");
    // The video processor class's own budget (768 merged blocks for all frames), not the
    // published one, so that runs over whole clips stay quick.
    let small = r#"{"size": {"shortest_edge": 131072, "longest_edge": 786432}}"#;
    std::fs::write(dir.join("video_preprocessor_config.json"), small).expect("video config");
    dir
}

/// Step the UI (as frames pass) until `done` holds, or fail after two minutes.
pub fn step_until(
    h: &mut egui_kittest::Harness<'static, vidence::gui::VidenceApp>,
    what: &str,
    done: impl Fn(&vidence::gui::VidenceApp) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !done(h.state()) {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
