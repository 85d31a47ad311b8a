//! The command line refuses nonsense with a clear message, never answering it, and
//! starts datasets for bare videos.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use viewer::encode::{EncodeSettings, VideoWriter};

mod support;
use support::{scratch, vidence};

/// A 4 s, 64x48 clip at 25 fps, turned `rotation` degrees clockwise for display.
fn clip(dir: &Path, name: &str, rotation: u32) -> PathBuf {
    let path = dir.join(name);
    let mut settings = EncodeSettings::h264(64, 48, 25);
    settings.rotation = rotation;
    let mut writer = VideoWriter::create(&path, &settings).unwrap();
    for i in 0..100u8 {
        writer.write_rgb(&vec![i.wrapping_mul(2); 64 * 48 * 3], i64::from(i)).unwrap();
    }
    writer.finish().unwrap();
    path
}

fn shared_clip() -> &'static Path {
    static CLIP: OnceLock<PathBuf> = OnceLock::new();
    CLIP.get_or_init(|| clip(&scratch("clip"), "clip.mp4", 0))
}

fn refused(args: &[&str], says: &str) {
    let out = vidence(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} was answered: {}", String::from_utf8_lossy(&out.stdout));
    assert!(err.contains(says), "{args:?}: expected {says:?} in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn ask_refuses_clips_boxes_and_settings_that_make_no_sense() {
    let video = shared_clip().to_str().unwrap();
    // Checked before any model is loaded: the model named here does not exist.
    let ask = |extra: &[&'static str]| -> Vec<&str> {
        let mut args = vec!["ask", video, "--model", "/nonexistent/model", "--question", "what?"];
        args.extend_from_slice(extra);
        args
    };
    refused(&ask(&["--from", "50", "--to", "60"]), "--from 50 s is past the end of the video (4.000 s long)");
    refused(&ask(&["--from", "-1"]), "--from is negative");
    refused(&ask(&["--from", "3", "--to", "1"]), "the clip starts at 3 s, after it ends at 1 s");
    refused(&ask(&["--fps", "0"]), "--fps must be above 0");
    refused(&ask(&["--fps", "-2"]), "--fps must be above 0");
    refused(&ask(&["--max-tokens", "0"]), "--max-tokens must be at least 1");
    refused(&ask(&["--max-frames", "0"]), "--max-frames must be at least 1");
    let region = |b: &'static str| ask(&["--task", "region", "--box", b]);
    refused(&region("nan,0,10,10"), "is not four numbers");
    refused(&region("30,30,10,10"), "is inverted or empty");
    refused(&region("100,0,500,10"), "is off the 64x48 frame");
    refused(&region("1,2,3"), "--box takes four numbers");
}

#[test]
fn ask_uses_the_model_tabs_defaults_and_says_so() {
    let help = String::from_utf8_lossy(&vidence(&["ask", "--help"]).stdout).into_owned();
    let defaults = vidence::ask::AskRequest::default();
    for (flag, value) in [
        ("--fps", defaults.fps.to_string()),
        ("--max-frames", defaults.max_frames.to_string()),
        ("--max-tokens", defaults.max_tokens.to_string()),
    ] {
        let line = help.lines().skip_while(|l| !l.contains(flag)).take(3).collect::<String>();
        assert!(line.contains(&format!("[default: {value}]")), "{flag}: {line}");
    }
}

#[test]
fn model_inspect_and_bench_refuse_zero_counts() {
    let video = shared_clip().to_str().unwrap();
    refused(
        &["model", "inspect", "--model", "/nonexistent", "--prompt", "x", "--top-k", "0"],
        "--top-k must be at least 1",
    );
    refused(
        &["model", "inspect", "--model", "/nonexistent", "--prompt", "x", "--fps", "0"],
        "--fps must be above 0",
    );
    refused(&["bench", "seek", video, "--n", "0"], "--n must be at least 1");
    refused(&["bench", "dataset", "--tracks", "0"], "must be at least 1");
    refused(&["bench", "play", video, "--cache-mb", "0"], "--cache-mb must be at least 1");
}

#[test]
fn the_cache_size_is_taken_in_mib_where_frames_are_cached_and_refused_elsewhere() {
    let video = shared_clip().to_str().unwrap();
    let out = vidence(&["bench", "play", video, "--cache-mb", "16", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["cache_limit_mib"], 16);
    let used = result["cache_used_mib"].as_f64().unwrap();
    assert!(used > 0.0 && used <= 16.0, "{used} MiB used of 16");
    // A command that keeps no frames says so instead of ignoring the setting, wherever
    // it is given.
    refused(&["frame", video, "--index", "0", "--out", "/tmp/x.png", "--cache-mb", "16"], "--cache-mb");
    refused(&["--cache-mb", "16", "probe", video], "cannot be used with");
}

#[test]
fn frame_refuses_negative_and_late_times_and_writes_what_its_name_says() {
    let video = shared_clip().to_str().unwrap();
    let dir = scratch("frame");
    let out = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    refused(&["frame", video, "--time", "-1", "--out", &out("a.png")], "--time -1 is negative");
    refused(&["frame", video, "--time", "9", "--out", &out("a.png")], "past the end of the video");
    refused(&["frame", video, "--index", "0", "--out", &out("a.gif")], "cannot write a frame as .gif");
    assert!(!dir.join("a.gif").exists());
    for (name, magic) in
        [("a.jpg", &[0xFF, 0xD8, 0xFF][..]), ("a.jpeg", &[0xFF, 0xD8, 0xFF]), ("a.png", b"\x89PNG")]
    {
        let run = vidence(&["frame", video, "--index", "10", "--out", &out(name)]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert!(bytes.starts_with(magic), "{name} starts {:02x?}", &bytes[..4]);
    }
    let jpeg = image::open(dir.join("a.jpg")).unwrap();
    assert_eq!((jpeg.width(), jpeg.height()), (64, 48));
}

#[test]
fn no_command_panics_when_its_reader_stops_early() {
    let dir = scratch("pipe");
    // A dataset with thousands of problems: far more output than a pipe holds.
    let mut data = serde_json::json!({"schema": "vidence/5", "videos": [], "categories": [], "tracks": []});
    let tracks: Vec<serde_json::Value> = (0..5000)
        .map(|i| serde_json::json!({"id": format!("t{i}"), "video": "missing", "category": "missing", "keyframes": []}))
        .collect();
    data["tracks"] = tracks.into();
    let path = dir.join("many.json");
    std::fs::write(&path, data.to_string()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vidence"))
        .args(["validate", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: read a little, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
}

#[test]
fn probe_names_its_rotation_and_ffprobes() {
    let dir = scratch("rotation");
    for degrees in [90u32, 180, 270] {
        let video = clip(&dir, &format!("r{degrees}.mp4"), degrees);
        let out = vidence(&["probe", "--json", video.to_str().unwrap()]);
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ffprobe = Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream_side_data=rotation"])
            .args(["-of", "json", video.to_str().unwrap()])
            .output()
            .expect("ffprobe (FFmpeg's own prober) is installed with FFmpeg");
        let theirs: serde_json::Value = serde_json::from_slice(&ffprobe.stdout).unwrap();
        let rotation = &theirs["streams"][0]["side_data_list"][0]["rotation"];
        assert_eq!(info["ffprobe_rotation"], *rotation, "{degrees}° clockwise: {theirs}");
        assert_eq!(info["rotation"], degrees);
        let text = String::from_utf8_lossy(&vidence(&["probe", video.to_str().unwrap()]).stdout).into_owned();
        assert!(
            text.contains(&format!("shown turned {degrees}° clockwise; ffprobe's rotation {rotation}")),
            "{text}"
        );
    }
}

#[test]
fn new_starts_a_dataset_for_videos_and_never_writes_over_a_file() {
    let dir = scratch("new");
    let a = clip(&dir, "first take.mp4", 0);
    std::fs::create_dir_all(dir.join("more")).unwrap();
    let b = clip(&dir.join("more"), "first take.mp4", 0);
    let out_path = dir.join("set.json");
    let out = vidence(&[
        "new",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = annotate::load(&out_path).unwrap();
    let videos: Vec<(&str, &str)> = data.videos.iter().map(|v| (v.id.as_str(), v.path.as_str())).collect();
    assert_eq!(videos, [("first_take", "first take.mp4"), ("first_take-2", "more/first take.mp4")]);
    assert!(data.videos.iter().all(|v| v.frame_count == 100 && (v.fps - 25.0).abs() < 1e-9 && v.width == 64));
    assert!(annotate::validate(&data).is_empty());

    let before = std::fs::read(&out_path).unwrap();
    refused(&["new", a.to_str().unwrap(), "--out", out_path.to_str().unwrap()], "already exists");
    assert_eq!(std::fs::read(&out_path).unwrap(), before);
    refused(
        &["new", "/nonexistent.mp4", "--out", dir.join("x.json").to_str().unwrap()],
        "cannot add /nonexistent.mp4",
    );
    assert!(!dir.join("x.json").exists());
}

#[test]
fn validate_reports_every_problem_and_names_common_mistakes() {
    let dir = scratch("validate_all");
    let many = dir.join("many.json");
    std::fs::write(
        &many,
        r#"{"schema": "vidence/5",
  "videos": [{"id": "v", "path": "v.mp4", "width": "wide", "height": 1, "fps": 1, "frame_count": 1, "duration_s": 1}],
  "categories": [{"id": "a", "name": 3}, {"id": "b", "name": "fine"}, {"id": 7, "name": "x"}]
}"#,
    )
    .unwrap();
    let out = vidence(&["validate", "--json", many.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let paths: Vec<&str> = problems.iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["$.categories[0].name", "$.categories[2].id", "$.videos[0].width"], "all three");
    assert!(problems.iter().any(|p| p["message"].as_str().unwrap().contains("line ")), "{problems:?}");

    let array = dir.join("array.json");
    std::fs::write(&array, r#"[{"schema": "vidence/5"}]"#).unwrap();
    let out = vidence(&["validate", array.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not a Vidence dataset"));

    let nan = dir.join("nan.json");
    std::fs::write(&nan, "{\"schema\": \"vidence/5\",\n \"videos\": [{\"fps\": NaN}]}").unwrap();
    let out = vidence(&["validate", nan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("JSON has no NaN") && err.contains("line 2"), "{err}");
}
