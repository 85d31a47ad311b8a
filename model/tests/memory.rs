//! Loading a second model frees the first before it reads the second: loading it
//! peaks no higher than loading the first did, rather than a whole model above. Its own test binary, so no other test's
//! memory is counted.

use std::path::{Path, PathBuf};
use std::time::Duration;

use model::device::DeviceChoice;
use model::worker::{Event, Request, Worker};

/// 4 text layers of width 512: tens of megabytes of weights.
const CONFIG: &str = r#"{
    "image_token_id": 5, "video_token_id": 6, "vision_start_token_id": 3, "vision_end_token_id": 4,
    "tie_word_embeddings": true,
    "text_config": {"vocab_size": 320, "hidden_size": 512, "intermediate_size": 2048,
        "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 64,
        "rms_norm_eps": 1e-6, "rope_theta": 5000000, "rope_scaling": {"mrope_section": [8, 12, 12]}},
    "vision_config": {"depth": 1, "hidden_size": 64, "intermediate_size": 128, "num_heads": 2,
        "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": 512,
        "num_position_embeddings": 64, "deepstack_visual_indexes": [0]}
}"#;

fn checkpoint(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vidence-memory-{}-{name}", std::process::id()));
    model::qwen3_vl::write_random_checkpoint(&dir, CONFIG).expect("write the checkpoint");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qwen3_vl_tokenizer");
    std::fs::copy(fixtures.join("tokenizer.json"), dir.join("tokenizer.json")).expect("copy the tokenizer");
    dir
}

/// A line of `/proc/self/status`, in bytes.
fn status(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).expect("the field");
    let kb: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number");
    kb * 1024
}

fn load(worker: &Worker, dir: &Path) {
    worker.send(Request::Load { spec: dir.to_str().expect("a path").into(), device: DeviceChoice::Cpu });
    loop {
        match worker.events().recv_timeout(Duration::from_secs(300)).expect("an event") {
            Event::Loaded { .. } => return,
            Event::Failed(e) => panic!("{e}"),
            _ => {}
        }
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_second_model_loads_in_the_memory_of_the_first() {
    let (a, b) = (checkpoint("a"), checkpoint("b"));
    let worker = Worker::start().expect("the worker");
    // Loading takes more than the model while the file is read; what counts is how
    // much more the second load takes than the first, from one model resident.
    let before = status("VmRSS:");
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    load(&worker, &a);
    let first_peak = status("VmHWM:").saturating_sub(before);
    let with_one = status("VmRSS:");
    let model = with_one.saturating_sub(before);
    assert!(model > 16 << 20, "the model takes memory: {} MB", model >> 20);
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    load(&worker, &b);
    let second_peak = status("VmHWM:").saturating_sub(before);
    let mb = |b: u64| b >> 20;
    println!(
        "one model {} MB resident; peak while loading: the first {} MB, the second {} MB (over the start)",
        mb(model),
        mb(first_peak),
        mb(second_peak)
    );
    // Holding both would put the second peak a whole model above the first.
    assert!(
        second_peak < first_peak + model / 2,
        "the second load peaked at {} MB, the first at {} MB: both models were held",
        mb(second_peak),
        mb(first_peak)
    );
    for dir in [a, b] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
