//! The inference thread end to end on a random-weight checkpoint it loads from disk:
//! streamed tokens, the parsed result, cancellation, and clear failures.

use std::path::{Path, PathBuf};
use std::time::Duration;

use annotate::dialect::Task;
use model::device::DeviceChoice;
use model::generate::{Finish, GenerationConfig};
use model::qwen3_vl::processor::{Processor, Rgb};
use model::worker::{Event, Job, Media, Request, Worker};

const CONFIG: &str = r#"{
    "image_token_id": 5, "video_token_id": 6, "vision_start_token_id": 3, "vision_end_token_id": 4,
    "tie_word_embeddings": false,
    "text_config": {"vocab_size": 320, "hidden_size": 64, "intermediate_size": 128,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "rms_norm_eps": 1e-6, "rope_parameters": {"rope_theta": 10000, "mrope_section": [2, 3, 3]}},
    "vision_config": {"depth": 2, "hidden_size": 32, "intermediate_size": 64, "num_heads": 2,
        "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2, "out_hidden_size": 64,
        "num_position_embeddings": 64, "deepstack_visual_indexes": [1]}
}"#;

/// A checkpoint in a folder of its own per `name`: tests run at once.
fn checkpoint(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vidence-worker-{name}-{}", std::process::id()));
    model::qwen3_vl::write_random_checkpoint(&dir, CONFIG).expect("write the checkpoint");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qwen3_vl_tokenizer");
    std::fs::copy(fixtures.join("tokenizer.json"), dir.join("tokenizer.json")).expect("copy the tokenizer");
    dir
}

fn next(worker: &Worker) -> Event {
    worker.events().recv_timeout(Duration::from_secs(120)).expect("an event from the worker")
}

fn job(media: Media, max_tokens: usize) -> Job {
    Job {
        task: Task::Track { object: "the ball".into() },
        media,
        video_width: 640,
        video_height: 480,
        clip_start_s: 0.0,
        grid: None,
        generation: GenerationConfig { max_tokens, ..Default::default() },
    }
}

/// Events up to the job's end: the streamed tokens, then the end.
fn finish(worker: &Worker) -> (Vec<u32>, Event) {
    let mut streamed = Vec::new();
    loop {
        match next(worker) {
            Event::Token { token, .. } => streamed.push(token.id),
            other => return (streamed, other),
        }
    }
}

#[test]
fn the_worker_loads_streams_parses_and_cancels() {
    let worker = Worker::start().unwrap();
    worker.send(Request::Run(job(Media::None, 4)));
    assert!(matches!(next(&worker), Event::Failed(e) if e.contains("no model")));
    let load = |spec: &str, device| Request::Load { spec: spec.into(), device };
    worker.send(load("/no/such/checkpoint", DeviceChoice::Cpu));
    assert!(matches!(next(&worker), Event::Failed(e) if e.contains("/no/such/checkpoint")));

    let dir = checkpoint("loads");
    if !cfg!(feature = "cuda") {
        worker.send(load(dir.to_str().unwrap(), DeviceChoice::Cuda(0)));
        assert!(matches!(next(&worker), Event::Failed(e) if e.contains("no CUDA device")));
    }
    worker.send(load(dir.to_str().unwrap(), DeviceChoice::Auto));
    // Progress for every layer read, rising to 1, then the model.
    let mut fractions = Vec::new();
    let loaded = loop {
        match next(&worker) {
            Event::Loading(f) => fractions.push(f),
            other => break other,
        }
    };
    let Event::Loaded { folder, device, processor, .. } = &loaded else { panic!("{loaded:?}") };
    assert_eq!(folder, &dir);
    assert_eq!(device, if cfg!(any(feature = "cuda", feature = "metal")) { device } else { "cpu" });
    assert_eq!(processor, &Processor::default(), "the published processor configs");
    assert!(fractions.len() >= 3, "{fractions:?}");
    assert!(fractions.windows(2).all(|w| w[0] < w[1]) && fractions.last() == Some(&1.0), "{fractions:?}");

    let picture = Rgb { width: 64, height: 48, data: (0..64 * 48 * 3).map(|i| (i % 251) as u8).collect() };
    worker.send(Request::Run(job(Media::Image(picture.clone()), 6)));
    let (streamed, end) = finish(&worker);
    let Event::Done { text, tokens, finish: how, .. } = end else { panic!("{end:?}") };
    assert_eq!(tokens.iter().map(|t| t.id).collect::<Vec<_>>(), streamed, "every token was streamed");
    assert!(how == Finish::MaxTokens && tokens.len() == 6 || how == Finish::Stop, "{how:?}");
    assert!(tokens.iter().all(|t| t.logprob <= 0.0));
    assert!(!text.contains("<|im_end|>"), "special tokens are left out of the text");

    // A video; then cancel one that would run long.
    let frames = vec![picture; 5];
    let video = Media::Video { frames, indices: vec![0, 10, 20, 30, 40], fps: 10.0 };
    worker.send(Request::Run(job(video, 3)));
    assert!(matches!(finish(&worker).1, Event::Done { .. }));
    let mut long = job(Media::None, 100_000);
    long.generation.stop_tokens.clear();
    worker.send(Request::Run(long));
    assert!(matches!(next(&worker), Event::Token { .. }));
    worker.cancel();
    let (_, end) = finish(&worker);
    assert!(matches!(end, Event::Done { finish: Finish::Cancelled | Finish::Stop, .. }), "{end:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The first failure after asking to load `spec`.
fn load_failure(worker: &Worker, spec: &Path) -> String {
    worker.send(Request::Load { spec: spec.to_str().expect("test setup").into(), device: DeviceChoice::Cpu });
    loop {
        match next(worker) {
            Event::Failed(e) => return e,
            Event::Loaded { .. } => panic!("{} loaded", spec.display()),
            _ => {}
        }
    }
}

#[test]
fn a_broken_checkpoint_is_told_in_words() {
    let worker = Worker::start().expect("test setup");
    let base = std::env::temp_dir().join(format!("vidence-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);

    let empty = base.join("empty");
    std::fs::create_dir_all(&empty).expect("test setup");
    std::fs::write(empty.join("notes.txt"), "not a model").expect("test setup");
    let e = load_failure(&worker, &empty);
    assert!(
        e.contains("not a checkpoint: it lacks config.json and tokenizer.json and model.safetensors"),
        "{e}"
    );

    let e = load_failure(&worker, &empty.join("notes.txt"));
    assert!(e.contains("is a file, not a folder"), "{e}");

    let good = checkpoint("broken");
    let cut = base.join("cut");
    std::fs::create_dir_all(&cut).expect("test setup");
    for entry in std::fs::read_dir(&good).expect("test setup") {
        let path = entry.expect("test setup").path();
        std::fs::copy(&path, cut.join(path.file_name().expect("test setup"))).expect("test setup");
    }
    let weights = cut.join("model.safetensors");
    let full = std::fs::metadata(&weights).expect("test setup").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&weights)
        .expect("test setup")
        .set_len(full / 2)
        .expect("test setup");
    let e = load_failure(&worker, &cut);
    assert!(
        e.contains("the weights file is cut short") && e.contains(&format!("it has {} bytes", full / 2)),
        "{e}"
    );
    assert!(e.contains(&format!("needs {full}")), "the header's own size: {e}");
}
