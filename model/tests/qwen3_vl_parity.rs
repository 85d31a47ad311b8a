//! The text decoder against Hugging Face transformers on the same tiny random-weight
//! checkpoints (tied and untied output head, both config layouts): last-position
//! logits within 1e-4 relative error in f32, and the same greedy continuation.
//! `model/reference/qwen3_vl_fixture.py` made the checkpoints and the values.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device};
use model::qwen3_vl::{Positions, Qwen3Vl, text_positions};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    models: std::collections::BTreeMap<String, Vec<Case>>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input_ids: Vec<u32>,
    position_ids: Option<[Vec<i64>; 3]>,
    logits: Vec<f32>,
    greedy: Option<Vec<u32>>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn reference() -> Reference {
    let text = std::fs::read_to_string(fixtures().join("qwen3_vl_reference.json")).expect("the fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// Largest difference relative to the largest reference logit.
fn relative_error(got: &[f32], want: &[f32]) -> f32 {
    let scale = want.iter().fold(0f32, |m, x| m.max(x.abs()));
    got.iter().zip(want).fold(0f32, |m, (a, b)| m.max((a - b).abs())) / scale
}

fn argmax(row: &[f32]) -> u32 {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best })
        .0 as u32
}

#[test]
fn logits_and_greedy_continuations_match_transformers() {
    let reference = reference();
    assert_eq!(reference.models.len(), 2);
    for (name, cases) in &reference.models {
        let mut model = Qwen3Vl::load(&fixtures().join(name), DType::F32, &Device::Cpu).expect("load");
        assert_eq!(model.config.tie_word_embeddings, name.ends_with("_tied"));
        for case in cases {
            model.text.clear_cache();
            let positions: Positions =
                case.position_ids.clone().unwrap_or_else(|| text_positions(0, case.input_ids.len()));
            let embeds = model.text.embed(&case.input_ids).unwrap();
            let logits = model.text.forward(&embeds, &positions).unwrap();
            assert_eq!(logits.len(), case.logits.len());
            let err = relative_error(&logits, &case.logits);
            eprintln!("{name} {}: relative error {err:e}", case.name);
            assert!(err < 1e-4, "{name} {}: relative error {err:e}", case.name);
            assert_eq!(argmax(&logits), argmax(&case.logits), "{name} {}", case.name);

            // Greedy decoding one token at a time through the cache.
            let Some(want) = &case.greedy else { continue };
            let mut got = vec![argmax(&logits)];
            while got.len() < want.len() {
                let at = (case.input_ids.len() + got.len() - 1) as i64;
                let embeds = model.text.embed(&got[got.len() - 1..]).unwrap();
                got.push(argmax(&model.text.forward(&embeds, &text_positions(at, 1)).unwrap()));
            }
            assert_eq!(&got, want, "{name} {}: greedy continuation", case.name);
            assert_eq!(model.text.cached_tokens(), case.input_ids.len() + want.len() - 1);
        }
    }
}

#[test]
fn clearing_the_cache_starts_over() {
    let mut model = Qwen3Vl::load(&fixtures().join("qwen3_vl_tied"), DType::F32, &Device::Cpu).unwrap();
    let ids = [1, 17, 42, 99, 7];
    let run = |m: &mut Qwen3Vl| {
        let e = m.text.embed(&ids).unwrap();
        m.text.forward(&e, &text_positions(0, ids.len())).unwrap()
    };
    let first = run(&mut model);
    let continued = run(&mut model);
    assert_ne!(first, continued, "without clearing, the prompt follows itself");
    model.text.clear_cache();
    assert_eq!(model.text.cached_tokens(), 0);
    assert_eq!(run(&mut model), first);
}

#[test]
fn a_missing_or_broken_checkpoint_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("vidence-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = Qwen3Vl::load(&dir, DType::F32, &Device::Cpu).err().expect("no config");
    assert!(err.to_string().contains("config.json"), "{err}");
    std::fs::copy(fixtures().join("qwen3_vl_tied/config.json"), dir.join("config.json")).unwrap();
    let err = Qwen3Vl::load(&dir, DType::F32, &Device::Cpu).err().expect("no weights");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    std::fs::write(dir.join("model.safetensors"), b"not safetensors").unwrap();
    assert!(Qwen3Vl::load(&dir, DType::F32, &Device::Cpu).is_err());
    std::fs::write(dir.join("config.json"), r#"{"text_config": {}}"#).unwrap();
    let err = Qwen3Vl::load(&dir, DType::F32, &Device::Cpu).err().expect("bad config");
    assert!(err.to_string().contains("config.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
