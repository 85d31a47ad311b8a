//! The command line end to end, on the generated demo.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod support;
use support::{scratch, vidence};

fn demo_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("demo");
        let out = vidence(&["demo", "--out", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

#[test]
fn demo_is_reproducible_and_seeds_differ() {
    let first = demo_dir();
    let again = scratch("demo_again");
    assert!(vidence(&["demo", "--out", again.to_str().unwrap(), "--seed", "7"]).status.success());
    for file in ["demo.mp4", "demo.vidence.json"] {
        let (a, b) = (std::fs::read(first.join(file)).unwrap(), std::fs::read(again.join(file)).unwrap());
        assert!(a == b, "{file} differs between two runs with the same seed");
    }
    // A demo that is there already (perhaps edited) is never replaced unasked.
    let dataset = again.join("demo.vidence.json");
    std::fs::write(&dataset, "edited").unwrap();
    let out = vidence(&["demo", "--out", again.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is there already") && err.contains("--replace"), "{err}");
    assert_eq!(std::fs::read_to_string(&dataset).unwrap(), "edited");
    assert!(vidence(&["demo", "--out", again.to_str().unwrap(), "--replace"]).status.success());
    assert_eq!(std::fs::read(&dataset).unwrap(), std::fs::read(first.join("demo.vidence.json")).unwrap());
    let backup = again.join(".demo.vidence.json.bak1");
    assert_eq!(std::fs::read_to_string(backup).unwrap(), "edited", "the replaced one is kept");

    let other = scratch("demo_other");
    assert!(vidence(&["demo", "--out", other.to_str().unwrap(), "--seed", "8"]).status.success());
    let (a, b) = (
        std::fs::read(first.join("demo.vidence.json")).unwrap(),
        std::fs::read(other.join("demo.vidence.json")).unwrap(),
    );
    assert_ne!(a, b, "another seed gives another scene");
}

#[test]
fn demo_dataset_has_tracks_spans_and_questions() {
    let dataset = annotate::load(&demo_dir().join("demo.vidence.json")).expect("valid dataset");
    assert_eq!(dataset.videos.len(), 1);
    assert_eq!(dataset.videos[0].frame_count, 600);
    assert_eq!(dataset.tracks.len(), 5);
    assert!(dataset.tracks.iter().all(|t| t.keyframes.len() > 100));
    assert!(dataset.tracks.iter().any(|t| t.keyframes.iter().any(|k| k.outside)), "shapes leave the frame");
    assert!(dataset.tracks.iter().any(|t| t.keyframes.iter().any(|k| k.occluded)), "shapes hide each other");
    assert!(dataset.segments.iter().any(|s| s.label.contains("passes behind")));
    for kind in [annotate::QuestionKind::What, annotate::QuestionKind::When, annotate::QuestionKind::Where] {
        assert!(dataset.questions.iter().any(|q| q.kind == kind), "a {kind:?} question");
    }
}

#[test]
fn probe_prints_json_metadata() {
    let video = demo_dir().join("demo.mp4");
    let out = vidence(&["probe", "--json", video.to_str().unwrap()]);
    assert!(out.status.success());
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(info["frame_count"], 600);
    assert_eq!(info["width"], 1280);
    assert_eq!(info["height"], 720);
    assert_eq!(info["fps"], 30.0);
    assert_eq!(info["duration_s"], 20.0);
    assert_eq!(info["codec"], "h264");
    assert_eq!(info["rotation"], 0);
}

#[test]
fn frame_by_index_and_by_time_agree() {
    let video = demo_dir().join("demo.mp4");
    let dir = scratch("frames");
    let (a, b) = (dir.join("a.png"), dir.join("b.png"));
    assert!(
        vidence(&["frame", video.to_str().unwrap(), "--index", "123", "--out", a.to_str().unwrap()])
            .status
            .success()
    );
    let out =
        vidence(&["frame", video.to_str().unwrap(), "--time", "4.1", "--out", b.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(printed["index"], 123);
    assert!((printed["time_s"].as_f64().unwrap() - 4.1).abs() < 1e-9);
    let (pa, pb) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(pa.starts_with(b"\x89PNG"));
    assert_eq!(pa, pb, "frame 123 is the frame shown at 4.1 s (123/30 = 4.1)");
    let c = dir.join("c.png");
    assert!(
        vidence(&["frame", video.to_str().unwrap(), "--index", "124", "--out", c.to_str().unwrap()])
            .status
            .success()
    );
    assert_ne!(std::fs::read(&c).unwrap(), pa);
}

#[test]
fn bad_input_gives_a_clear_error_and_failure_status() {
    let dir = scratch("bad");
    let text = dir.join("notes.mp4");
    std::fs::write(&text, "not a video").unwrap();
    let out = vidence(&["probe", text.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: cannot open") && err.contains("notes.mp4"), "{err}");
    let video = demo_dir().join("demo.mp4");
    let out = vidence(&["frame", video.to_str().unwrap(), "--index", "600", "--out", "/tmp/x.png"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of range"));
}

#[test]
fn validate_exit_codes_and_problem_paths() {
    let dataset = demo_dir().join("demo.vidence.json");
    let out = vidence(&["validate", dataset.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid (1 videos, 5 tracks"));

    let dir = scratch("validate");
    let mut broken: serde_json::Value = serde_json::from_slice(&std::fs::read(&dataset).unwrap()).unwrap();
    broken["tracks"][1]["keyframes"][0]["bbox"] = serde_json::json!([10.0, 10.0, 5.0, 20.0]);
    broken["tracks"][2]["keyframes"][3]["frame"] = serde_json::json!(600);
    broken["segments"][0]["video"] = serde_json::json!("elsewhere");
    let invalid = dir.join("invalid.json");
    std::fs::write(&invalid, serde_json::to_vec_pretty(&broken).unwrap()).unwrap();
    let out = vidence(&["validate", "--json", invalid.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let paths: Vec<&str> =
        report["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"$.tracks[1].keyframes[0].bbox"), "{paths:?}");
    assert!(paths.contains(&"$.tracks[2].keyframes[3].frame"), "{paths:?}");
    assert!(paths.contains(&"$.segments[0].video"), "{paths:?}");

    let wrong_type = dir.join("wrong_type.json");
    std::fs::write(
        &wrong_type,
        "{\n  \"schema\": \"vidence/5\",\n  \"videos\": [{\"id\": \"v\", \"width\": \"wide\"}]\n}\n",
    )
    .unwrap();
    let out = vidence(&["validate", wrong_type.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("$.videos[0].width") && text.contains("line 3"), "{text}");

    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\n  \"schema\": \"vidence/5\",\n  \"videos\": [,]\n}").unwrap();
    let out = vidence(&["validate", garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("garbage.json:3:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(vidence(&["validate", dir.join("missing.json").to_str().unwrap()]).status.code(), Some(2));
}

/// A random-weight Qwen3-VL checkpoint in the hub's layout, with the tiny test
/// tokenizer (its special tokens at ids 0 to 6) and a small video budget.
fn tiny_checkpoint() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("tiny_qwen3_vl");
        model::qwen3_vl::write_random_checkpoint(&dir, model::qwen3_vl::TINY_CONFIG).unwrap();
        let tokenizer =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures/qwen3_vl_tokenizer");
        std::fs::copy(tokenizer.join("tokenizer.json"), dir.join("tokenizer.json")).unwrap();
        // The video processor class's own budget: whole clips stay quick.
        let small = r#"{"size": {"shortest_edge": 131072, "longest_edge": 786432}}"#;
        std::fs::write(dir.join("video_preprocessor_config.json"), small).unwrap();
        dir
    })
}

fn inspect(extra: &[&str]) -> serde_json::Value {
    let model = tiny_checkpoint().to_str().unwrap().to_owned();
    let mut args =
        vec!["model", "inspect", "--model", &model, "--prompt", "Where is the red ball?", "--json"];
    args.extend_from_slice(extra);
    let out = vidence(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn model_inspect_prints_the_next_token_logits_for_text_an_image_and_a_video() {
    let text = inspect(&["--top-k", "5", "--full-logits"]);
    let top = text["top"].as_array().unwrap();
    assert_eq!(top.len(), 5);
    let logits: Vec<f64> =
        text["top"].as_array().unwrap().iter().map(|t| t["logit"].as_f64().unwrap()).collect();
    assert!(logits.windows(2).all(|w| w[0] >= w[1]), "most likely first: {logits:?}");
    assert!(top.iter().all(|t| t["logprob"].as_f64().unwrap() <= 0.0 && t["id"].as_u64().unwrap() < 320));
    assert_eq!(text["logits"].as_array().unwrap().len(), 320);
    assert_eq!(text["logits"][top[0]["id"].as_u64().unwrap() as usize].as_f64(), Some(logits[0]));

    let frame = scratch("inspect").join("frame.png");
    let video = demo_dir().join("demo.mp4");
    let out = vidence(&["frame", video.to_str().unwrap(), "--index", "30", "--out", frame.to_str().unwrap()]);
    assert!(out.status.success());
    let image = inspect(&["--image", frame.to_str().unwrap()]);
    let with_video = inspect(&["--video", video.to_str().unwrap(), "--fps", "0.5"]);
    let tokens = |v: &serde_json::Value| v["input_tokens"].as_u64().unwrap();
    // A 1280x720 picture: 704x1280 at most 16.8 Mpx, 880 merged blocks.
    assert_eq!(tokens(&image), tokens(&text) + 2 + 880, "vision start and end, and a pad per block");
    // 20 s at 0.5 fps: 10 frames, 5 pairs, each with its time and blocks.
    assert!(tokens(&with_video) > tokens(&text) + 5 * 3, "{with_video}");
    assert_ne!(image["top"], text["top"]);

    let missing = vidence(&["model", "inspect", "--model", "/no/such/model", "--prompt", "x"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/model"));
}

#[test]
fn ask_streams_an_answer_and_prints_what_it_read() {
    let model = tiny_checkpoint().to_str().unwrap().to_owned();
    let video = demo_dir().join("demo.mp4");
    let video = video.to_str().unwrap();
    let ask = |extra: &[&str]| {
        let mut args = vec!["ask", video, "--model", &model, "--max-tokens", "8", "--fps", "1"];
        args.extend_from_slice(extra);
        vidence(&args)
    };
    let out = ask(&["--task", "track", "--question", "the red circle", "--from", "2", "--to", "6", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["task"], "track");
    let tokens = answer["tokens"].as_array().unwrap();
    assert!(!tokens.is_empty() && tokens.len() <= 8);
    assert!(["max_tokens", "stop"].contains(&answer["finish"].as_str().unwrap()));
    assert!(answer["prediction"].is_object());

    let out = ask(&["--task", "when", "--question", "the circle leaves", "--sampling", "scene", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Nine frames tiled into one picture; whatever the model says is moved back onto them.
    let out = ask(&["--task", "track", "--question", "the red circle", "--sampling", "grid", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = ask(&["--task", "region", "--box", "100,100,400,300"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty(), "the answer streams, then a summary");
    let out = ask(&["--task", "region"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--box"));
}

#[test]
fn grid_sampling_tiles_nine_frames_into_one_picture() {
    use annotate::Sampling;
    use model::qwen3_vl::processor::resize_bicubic;
    use vidence::ask::AskRequest;

    let video = demo_dir().join("demo.mp4");
    let request = AskRequest { sampling: Sampling::Grid, fps: 2.0, ..Default::default() };
    let prepared = request.prepare(&video).expect("prepared");
    let grid = prepared.job.grid.clone().expect("a grid");
    assert_eq!((grid.rows, grid.cols, grid.times_s.len()), (3, 3, 9));
    assert_eq!(prepared.frames_s, grid.times_s);
    assert_eq!((grid.times_s[0], grid.times_s[8]), (0.0, 599.0 / 30.0), "spread over the clip");
    let model::worker::Media::Image(picture) = &prepared.job.media else { panic!("one picture") };
    assert_eq!((picture.width, picture.height), (1280, 720));
    // The first tile is the first frame, shrunk into it; the last, the last frame.
    let frames = vidence::ask::read_frames(&mut viewer::VideoSource::open(&video).unwrap(), &[0, 599])
        .expect("frames");
    let (tile_w, tile_h) = (1280 / 3, 720 / 3);
    for (frame, (x0, y0)) in frames.iter().zip([(0, 0), (2 * tile_w, 2 * tile_h)]) {
        let small = resize_bicubic(frame, tile_w, tile_h);
        for (x, y) in [(5, 5), (200, 120), (tile_w - 3, tile_h - 3)] {
            let at = ((y0 + y) * 1280 + x0 + x) * 3;
            let want = (y * tile_w + x) * 3;
            assert_eq!(picture.data[at..at + 3], small.data[want..want + 3], "pixel {x},{y}");
        }
    }
}
