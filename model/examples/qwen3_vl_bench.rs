//! Prefill and decode speed of Qwen3-VL on this machine: the real 2B architecture
//! with random weights (written once) and a 16-frame video prompt. The prompt is
//! written beside the checkpoint (`bench_prompt.json`) so that
//! `bench/qwen3_vl_transformers.py` times transformers on the same weights and input.
//!
//! ```text
//! cargo run --release -p model --example qwen3_vl_bench -- [--checkpoint DIR] [--frames 16]
//!     [--decode-tokens 16] [--dtype auto|f32|f16|bf16] [--device cpu|cuda|metal] [--json]
//! ```
//! `auto` is what the app uses on that device (`Precision::for_device`); the others
//! run everything in one dtype. A GPU needs the crate's `cuda` or `metal` feature.

use std::path::PathBuf;
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use model::qwen3_vl::{Pixels, Precision, Qwen3Vl};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct BenchPrompt {
    input_ids: Vec<u32>,
    video_grid_thw: [usize; 3],
    decode_tokens: usize,
}

#[derive(Serialize)]
struct ModelBench {
    machine: String,
    device: String,
    compute: String,
    text_weights: String,
    prompt_tokens: usize,
    load_s: f64,
    prefill_s: f64,
    prefill_tokens_per_s: f64,
    /// The vision tower's share of the prefill, timed on its own.
    vision_s: f64,
    decode_tokens: usize,
    decode_ms_per_token: f64,
    /// The greedy continuation, to compare with transformers'.
    tokens: Vec<u32>,
}

struct Args {
    checkpoint: PathBuf,
    frames: usize,
    decode_tokens: usize,
    /// One dtype for everything; `None` for the device's own choice.
    dtype: Option<DType>,
    device: String,
    json: bool,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        checkpoint: PathBuf::from("target/bench-models/qwen3-vl-2b-random"),
        frames: 16,
        decode_tokens: 16,
        dtype: None,
        device: "cpu".into(),
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--json" {
            args.json = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<usize>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--checkpoint" => args.checkpoint = value.into(),
            "--frames" => args.frames = number(&value)?,
            "--decode-tokens" => args.decode_tokens = number(&value)?,
            "--dtype" => {
                args.dtype = match value.as_str() {
                    "auto" => None,
                    "f32" => Some(DType::F32),
                    "f16" => Some(DType::F16),
                    "bf16" => Some(DType::BF16),
                    other => return Err(format!("--dtype {other}: auto, f32, f16 or bf16")),
                }
            }
            "--device" => args.device = value,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

// As the app does (app/src/main.rs): freed tensors' memory is reused, not zeroed again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn device(name: &str) -> candle_core::Result<Device> {
    match name {
        "cuda" => Device::new_cuda(0),
        "metal" => Device::new_metal(0),
        _ => Ok(Device::Cpu),
    }
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
fn pixels(patches: usize, dtype: DType, device: &Device) -> candle_core::Result<Tensor> {
    let values: Vec<f32> = (0..patches)
        .flat_map(|i| (0..1536usize).map(move |j| (0.37 * i as f64 + 0.011 * j as f64).sin() as f32))
        .collect();
    Tensor::from_vec(values, (patches, 1536), device)?.to_dtype(dtype)
}

fn argmax(logits: &[f32]) -> u32 {
    logits.iter().enumerate().fold((0, f32::MIN), |b, (i, &x)| if x > b.1 { (i, x) } else { b }).0 as u32
}

fn run(args: &Args) -> Result<ModelBench, Box<dyn std::error::Error>> {
    if !args.checkpoint.join("model.safetensors").exists() {
        eprintln!("writing a random-weight Qwen3-VL-2B checkpoint to {} ...", args.checkpoint.display());
        model::qwen3_vl::write_random_checkpoint(&args.checkpoint, model::qwen3_vl::QWEN3_VL_2B_CONFIG)?;
    }
    let bench = prompt(args.frames, 20, 40, args.decode_tokens);
    std::fs::write(args.checkpoint.join("bench_prompt.json"), serde_json::to_string(&bench)?)?;
    let device = device(&args.device)?;
    let precision = args.dtype.map_or_else(|| Precision::for_device(&device), Precision::uniform);
    let started = Instant::now();
    let mut qwen = Qwen3Vl::load(&args.checkpoint, precision, &device)?;
    let load_s = started.elapsed().as_secs_f64();
    let [t, h, w] = bench.video_grid_thw;
    let values = pixels(t * h * w, precision.compute, &device)?;
    let grids = [bench.video_grid_thw];
    let video = Some(Pixels { values: &values, grids: &grids });
    // One untimed run first: a GPU compiles and caches its kernels on first use.
    if !device.is_cpu() {
        qwen.prefill(&bench.input_ids, None, video)?;
    }
    let started = Instant::now();
    let mut tokens = vec![argmax(&qwen.prefill(&bench.input_ids, None, video)?)];
    let prefill_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for i in 0..args.decode_tokens {
        tokens.push(argmax(&qwen.step(tokens[i])?));
    }
    let decode_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let vision = qwen.vision.forward(&values, &grids)?;
    // Reading a number back waits for a GPU to finish.
    vision.embeds.to_dtype(DType::F32)?.sum_all()?.to_scalar::<f32>()?;
    let vision_s = started.elapsed().as_secs_f64();
    Ok(ModelBench {
        machine: model::machine::describe(),
        device: args.device.clone(),
        compute: format!("{:?}", precision.compute),
        text_weights: format!("{:?}", precision.text_weights),
        prompt_tokens: bench.input_ids.len(),
        load_s,
        prefill_s,
        prefill_tokens_per_s: bench.input_ids.len() as f64 / prefill_s,
        vision_s,
        decode_tokens: args.decode_tokens,
        decode_ms_per_token: decode_s * 1e3 / args.decode_tokens.max(1) as f64,
        tokens,
    })
}

fn main() {
    let result = args().map_err(Into::into).and_then(|a| run(&a).map(|r| (a.json, r)));
    match result {
        Ok((true, report)) => println!("{}", serde_json::to_string(&report).expect("plain numbers")),
        Ok((false, report)) => {
            let value = serde_json::to_value(&report).expect("plain numbers");
            for (k, v) in value.as_object().into_iter().flatten() {
                println!("{k:>22}  {v}");
            }
        }
        Err(e) => {
            eprintln!("qwen3_vl_bench: {e}");
            std::process::exit(1);
        }
    }
}
