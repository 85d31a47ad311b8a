//! Qwen3-VL from picture and video files against transformers, through the paths the
//! app uses: `vidence model inspect` (pictures read as images, videos decoded and
//! sampled exactly, the checkpoint's processor configs, the chat layout) on tiny
//! checkpoints laid out as the published ones, the 2B's and the 4B's proportions,
//! tied and untied. The same prompt ids as transformers' processor (in the video
//! layout Qwen3-VL was released with), last-position logits within 1e-3 relative
//! error, and the same greedy continuation. Values from
//! `model/reference/qwen3_vl_published_fixture.py`.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use candle_core::{Device, Tensor};
use model::generate::{GenerationConfig, generate};
use model::qwen3_vl::Pixels;
use model::qwen3_vl::prompt::{Part, chat};
use model::worker::Loaded;
use serde::Deserialize;
use vidence::ask::read_picture;

#[path = "../../model/tests/support/published.rs"]
mod published;

use published::{Case, Reference, argmax, relative_l2};

#[derive(Deserialize)]
struct Inspection {
    input_ids: Vec<u32>,
    device: String,
    logits: Vec<f32>,
    greedy: Vec<u32>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures")
}

fn inspect(folder: &Path, case: &Case) -> Inspection {
    let media = fixtures().join("qwen3_vl_published");
    let mut command = Command::new(env!("CARGO_BIN_EXE_vidence"));
    let greedy = case.greedy.len().to_string();
    command.args(["model", "inspect", "--device", "cpu", "--json", "--full-logits", "--greedy", &greedy]);
    command.arg("--model").arg(folder);
    command.args(["--prompt", case.prompt.as_deref().unwrap()]);
    match case.files.as_slice() {
        [] => {}
        [file] if file.ends_with(".mp4") => {
            command.arg("--video").arg(media.join(file)).args(["--fps", "2"]);
        }
        [file] => {
            command.arg("--image").arg(media.join(file));
        }
        more => panic!("model inspect takes one picture or video, not {more:?}"),
    }
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}: {}", case.name, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Two pictures in one prompt, each read and processed as `model inspect` reads one:
/// the ids, the logits and the greedy continuation.
fn two_pictures(loaded: &mut Loaded, case: &Case) -> (Vec<u32>, Vec<f32>, Vec<u32>) {
    let media = fixtures().join("qwen3_vl_published");
    let mut parts = Vec::new();
    let mut values = Vec::new();
    let mut grids = Vec::new();
    for file in &case.files {
        let picture = read_picture(&media.join(file)).unwrap().unwrap();
        let (v, grid) = loaded.processor.image.image(&picture).unwrap();
        parts.push(Part::Image { grid });
        values.extend(v);
        grids.push(grid);
    }
    parts.push(Part::Text(case.prompt.clone().unwrap()));
    let ids = loaded.tokenizer.encode(&chat(&parts, 2)).unwrap();
    let values = Tensor::from_vec(values.clone(), (values.len() / 1536, 1536), &Device::Cpu).unwrap();
    let logits = loaded.model.prefill(&ids, Some(Pixels { values: &values, grids: &grids }), None).unwrap();
    let config = GenerationConfig { max_tokens: case.greedy.len(), ..GenerationConfig::default() };
    let cancel = Arc::new(AtomicBool::new(false));
    let generated = generate(&mut loaded.model, &ids, logits.clone(), &config, &cancel, |_| {}).unwrap();
    (ids, logits, generated.tokens.iter().map(|t| t.id).collect())
}

#[test]
fn prompts_from_picture_and_video_files_match_transformers() {
    let reference = Reference::read(&fixtures());
    let mut report = Vec::new();
    for (name, model) in &reference.models {
        let folder = fixtures().join("qwen3_vl_published").join(name);
        let mut loaded = Loaded::open(&folder, &Device::Cpu, &mut |_| {}).unwrap();
        assert_eq!(loaded.processor, Default::default(), "{name}: the published processor configs");
        let cases: Vec<&Case> = model.cases.iter().filter(|c| !c.name.starts_with("pixels_")).collect();
        assert_eq!(cases.len(), 5, "text, picture, crop, two pictures, video");
        for case in cases {
            let (ids, logits, greedy) = if case.files.len() > 1 {
                two_pictures(&mut loaded, case)
            } else {
                let inspection = inspect(&folder, case);
                assert_eq!(inspection.device, "cpu");
                (inspection.input_ids, inspection.logits, inspection.greedy)
            };
            assert_eq!(ids, case.input_ids, "{name} {}: the prompt's ids", case.name);
            let err = relative_l2(&logits, &case.logits);
            report.push(format!("{name} {}: {} tokens, relative L2 error {err:.2e}", case.name, ids.len()));
            assert!(err < 1e-3, "{name} {}: relative error {err:e}", case.name);
            assert_eq!(argmax(&logits), argmax(&case.logits), "{name} {}: top-1", case.name);

            assert_eq!(greedy, case.greedy, "{name} {}: greedy continuation", case.name);
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn a_device_the_build_lacks_is_a_clear_error() {
    if cfg!(feature = "cuda") {
        return;
    }
    let folder = fixtures().join("qwen3_vl_published/qwen3_vl_2b");
    let out = Command::new(env!("CARGO_BIN_EXE_vidence"))
        .args(["model", "inspect", "--device", "cuda", "--prompt", "hi", "--model"])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no CUDA device") && err.contains("--features cuda"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_vidence"))
        .args(["model", "inspect", "--device", "tpu", "--prompt", "hi", "--model"])
        .arg(&folder)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("auto, cpu, cuda, cuda:N or metal"));
}
