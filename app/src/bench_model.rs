//! `vidence bench model`: prefill and decode speed of Qwen3-VL on this machine, on the
//! real 2B architecture with random weights and a 16-frame video prompt. The prompt is
//! written beside the checkpoint (`bench_prompt.json`) so that `bench/qwen3_vl_transformers.py`
//! can time transformers on the same weights and input.

use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use model::qwen3_vl::{Pixels, Qwen3Vl};
use serde::Serialize;

/// Qwen3-VL-2B-Instruct's architecture.
pub const QWEN3_VL_2B: &str = r#"{
    "image_token_id": 151655, "video_token_id": 151656,
    "vision_start_token_id": 151652, "vision_end_token_id": 151653,
    "tie_word_embeddings": true,
    "text_config": {
        "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144,
        "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
        "rms_norm_eps": 1e-6, "hidden_act": "silu", "max_position_embeddings": 262144,
        "rope_theta": 5000000,
        "rope_scaling": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default"}
    },
    "vision_config": {
        "depth": 24, "hidden_size": 1024, "hidden_act": "gelu_pytorch_tanh", "intermediate_size": 4096,
        "num_heads": 16, "in_channels": 3, "patch_size": 16, "spatial_merge_size": 2,
        "temporal_patch_size": 2, "out_hidden_size": 2048, "num_position_embeddings": 2304,
        "deepstack_visual_indexes": [5, 11, 17]
    }
}"#;

#[derive(Serialize, serde::Deserialize)]
pub struct BenchPrompt {
    pub input_ids: Vec<u32>,
    pub video_grid_thw: [usize; 3],
    pub decode_tokens: usize,
}

#[derive(Serialize)]
pub struct ModelBench {
    pub machine: String,
    pub dtype: String,
    pub prompt_tokens: usize,
    pub prefill_s: f64,
    pub prefill_tokens_per_s: f64,
    pub decode_tokens: usize,
    pub decode_ms_per_token: f64,
}

/// A video prompt of `frames` frames, each pair `h`x`w` patches, with a little text.
fn prompt(frames: usize, h: usize, w: usize, decode_tokens: usize) -> BenchPrompt {
    let (start, end, pad) = (151_652, 151_653, 151_656);
    let mut ids: Vec<u32> = (0..20).map(|i| 1000 + i).collect();
    for pair in 0..frames / 2 {
        ids.extend([2000 + pair as u32, 2100, 2200]);
        ids.push(start);
        ids.extend(std::iter::repeat_n(pad, h * w / 4));
        ids.push(end);
    }
    ids.extend((0..10).map(|i| 3000 + i));
    BenchPrompt { input_ids: ids, video_grid_thw: [frames / 2, h, w], decode_tokens }
}

/// The parity tests' pixel formula: `sin(0.37 i + 0.011 j)` for patch `i`, value `j`.
pub fn pixels(patches: usize, device: &Device) -> anyhow::Result<Tensor> {
    let values: Vec<f32> = (0..patches)
        .flat_map(|i| (0..1536usize).map(move |j| (0.37 * i as f64 + 0.011 * j as f64).sin() as f32))
        .collect();
    Ok(Tensor::from_vec(values, (patches, 1536), device)?)
}

pub fn run(checkpoint: &Path, frames: usize, decode_tokens: usize, bf16: bool) -> anyhow::Result<ModelBench> {
    if !checkpoint.join("model.safetensors").exists() {
        eprintln!("writing a random-weight Qwen3-VL-2B checkpoint to {} …", checkpoint.display());
        model::qwen3_vl::write_random_checkpoint(checkpoint, QWEN3_VL_2B)?;
    }
    let bench = prompt(frames, 20, 40, decode_tokens);
    std::fs::write(checkpoint.join("bench_prompt.json"), serde_json::to_string(&bench)?)?;
    let dtype = if bf16 { DType::BF16 } else { DType::F32 };
    let device = Device::Cpu;
    let mut qwen = Qwen3Vl::load(checkpoint, dtype, &device)?;
    let [t, h, w] = bench.video_grid_thw;
    let values = pixels(t * h * w, &device)?;
    let grids = [bench.video_grid_thw];
    let started = Instant::now();
    let logits = qwen.prefill(&bench.input_ids, None, Some(Pixels { values: &values, grids: &grids }))?;
    let prefill_s = started.elapsed().as_secs_f64();
    let argmax =
        |l: &[f32]| l.iter().enumerate().fold((0, f32::MIN), |b, (i, &x)| if x > b.1 { (i, x) } else { b }).0;
    let mut next = argmax(&logits) as u32;
    let started = Instant::now();
    for _ in 0..decode_tokens {
        next = argmax(&qwen.step(next)?) as u32;
    }
    let decode_s = started.elapsed().as_secs_f64();
    Ok(ModelBench {
        machine: crate::bench::machine(),
        dtype: format!("{dtype:?}"),
        prompt_tokens: bench.input_ids.len(),
        prefill_s,
        prefill_tokens_per_s: bench.input_ids.len() as f64 / prefill_s,
        decode_tokens,
        decode_ms_per_token: decode_s * 1e3 / decode_tokens.max(1) as f64,
    })
}

/// Where the benchmark checkpoint lives unless told otherwise.
pub fn default_checkpoint() -> PathBuf {
    PathBuf::from("target/bench-models/qwen3-vl-2b-random")
}
