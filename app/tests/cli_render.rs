//! `vidence render` and `vidence frame --overlay` end to end, on a clip with sound made
//! by the `ffmpeg` program: every frame and timestamp kept, the overlay where it
//! belongs, nothing else of the picture changed, the audio copied.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use annotate::time::FrameTimes;
use viewer::VideoSource;

mod support;
use support::{scratch, vidence};

const W: u32 = 320;
const H: u32 = 180;
const MODEL: &str = "m";
/// The time of the run's one reasoning step.
const STEP_S: f64 = 1.5;
/// A corner that no overlay comes near (x0, y0, x1, y1).
const FAR: [u32; 4] = [140, 0, 190, 30];

/// A 3 s, 25 fps clip whose every frame differs (testsrc2, B-frames), with a tone, and a
/// dataset with a green box on it all along and a model run that cites 1.5 s.
fn clip() -> &'static (PathBuf, PathBuf) {
    static CLIP: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    CLIP.get_or_init(|| {
        let dir = scratch("render");
        let video = dir.join("clip.mp4");
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i"])
            .arg(format!("testsrc2=size={W}x{H}:rate=25:duration=3"))
            .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=3"])
            .args(["-c:v", "libx264", "-pix_fmt", "yuv420p", "-bf", "2", "-c:a", "aac", "-shortest"])
            .arg(&video)
            .status()
            .expect("the ffmpeg program (scripts/deps.sh installs it)");
        assert!(status.success());
        let data = dir.join("clip.json");
        let out = vidence(&["new", video.to_str().unwrap(), "--out", data.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&data).unwrap()).unwrap();
        let id = json["videos"][0]["id"].as_str().unwrap().to_owned();
        json["categories"] = serde_json::json!([{"id": "c", "name": "cube", "color": [0, 255, 0]}]);
        json["tracks"] = serde_json::json!([{"id": "t", "video": id, "category": "c", "source": {"kind": "human"},
            "keyframes": [{"frame": 0, "bbox": [40, 50, 120, 100]}]}]);
        json["runs"] = serde_json::json!([{
            "id": "run-1", "video": id, "raw": "",
            "model": {"backend": "given", "name": MODEL},
            "settings": {"task": "answer", "prompt": "where?", "from_s": 0.0, "to_s": 3.0, "fps": 2.0,
                "max_frames": 8, "sampling": "uniform", "frames_s": []},
            "reading": {"dialect": "qwen3_vl", "context": {"video_width": W, "video_height": H,
                "coordinates": {"kind": "relative1000"}, "clip_start_s": 0.0}},
            "prediction": {
                "boxes": [{"label": "ball", "time_s": STEP_S, "bbox": [200, 40, 280, 90]}],
                "steps": [{"text": "The ball is at the top right.", "kind": "perception", "time_s": STEP_S}]
            }
        }]);
        std::fs::write(&data, serde_json::to_string_pretty(&json).unwrap()).unwrap();
        (video, data)
    })
}

fn rgb(source: &mut VideoSource, index: u64) -> Vec<u8> {
    source.frame(index).unwrap().to_rgb().unwrap()
}

fn px(rgb: &[u8], x: u32, y: u32) -> [i32; 3] {
    let i = ((y * W + x) * 3) as usize;
    [i32::from(rgb[i]), i32::from(rgb[i + 1]), i32::from(rgb[i + 2])]
}

/// How many pixels of `rect` differ between two frames.
fn changed(a: &[u8], b: &[u8], [x0, y0, x1, y1]: [u32; 4]) -> usize {
    (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| px(a, x, y) != px(b, x, y)).count()
}

fn render(out: &Path, extra: &[&str]) -> serde_json::Value {
    let (_, data) = clip();
    let mut args = vec!["render", data.to_str().unwrap(), "--out", out.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let run = vidence(&args);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

#[test]
fn a_lossless_render_keeps_every_frame_and_time_and_changes_only_what_it_draws() {
    let (video, _) = clip();
    let out = scratch("render-lossless").join("out.mp4");
    let told = render(&out, &["--run", MODEL, "--trace", "--timeline", "--crf", "0"]);
    assert_eq!((told["frames"].as_u64(), told["audio"].as_bool()), (Some(75), Some(true)), "{told}");

    let mut input = VideoSource::open(video).unwrap();
    let mut output = VideoSource::open(&out).unwrap();
    assert_eq!(output.index().len(), input.index().len());
    for i in 0..input.index().len() {
        let (a, b) = (input.index().time_of(i), output.index().time_of(i));
        assert!((a - b).abs() < 1e-6, "frame {i}: {a} s in, {b} s out");
    }
    let caption = [60, 110, 260, 150];
    let strip = [0, 156, W, H];
    for i in 0..input.index().len() {
        let (a, b) = (rgb(&mut input, i), rgb(&mut output, i));
        // Lossless H.264 gives back the frame drawn on: far from the overlay, the input's
        // own frame i, to the bit (a frame off would differ: testsrc2 moves every frame).
        assert_eq!(changed(&a, &b, FAR), 0, "frame {i} changed far from the overlay");
        // The green box outside its left edge (x 38-39), on every frame.
        let green = px(&b, 39, 75);
        assert!(green.iter().zip([0, 255, 0]).all(|(a, b)| (a - b).abs() <= 3), "frame {i}: {green:?}");
        assert!(changed(&a, &b, strip) > 1000, "frame {i}: no timeline strip");
        // The step at 1.5 s is captioned from 0.5 s to 2.5 s, and only then.
        let t = input.index().time_of(i);
        let captioned = changed(&a, &b, caption) > 200;
        if (t - STEP_S).abs() < 0.95 {
            assert!(captioned, "frame {i} ({t} s): no caption");
        } else if (t - STEP_S).abs() > 1.05 {
            assert!(!captioned, "frame {i} ({t} s): a caption");
        }
    }

    // The audio is there, as long as the video.
    assert!((audio_seconds(&out) - 3.0).abs() < 0.1);
}

/// How long the audio stream of `video` is, as ffprobe reads it.
fn audio_seconds(video: &Path) -> f64 {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_type,duration", "-of", "csv=p=0"])
        .arg(video)
        .output()
        .unwrap();
    let streams = String::from_utf8_lossy(&probe.stdout);
    streams
        .lines()
        .find_map(|l| l.strip_prefix("audio,"))
        .unwrap_or_else(|| panic!("no audio: {streams}"))
        .parse()
        .unwrap()
}

#[test]
fn a_clip_from_to_starts_at_its_first_frame_and_a_still_frame_is_the_same_picture() {
    let (video, data) = clip();
    let dir = scratch("render-clip");
    let out = dir.join("clip.mp4");
    // 1.0 s is frame 25; frames up to 2.0 s (50) not included.
    let told = render(&out, &["--run", MODEL, "--from", "1.0", "--to", "2.0", "--crf", "0"]);
    assert_eq!((told["first_frame"].as_u64(), told["last_frame"].as_u64()), (Some(25), Some(49)), "{told}");
    let mut output = VideoSource::open(&out).unwrap();
    assert_eq!(output.index().len(), 25);
    assert!(output.index().time_of(0).abs() < 1e-9);
    // The second of sound that goes with it (AAC packets are 1024 samples: within 0.05 s).
    assert!((audio_seconds(&out) - 1.0).abs() < 0.05, "{} s of audio", audio_seconds(&out));

    // `frame --overlay` draws what the render drew: frame 35 (1.4 s, the run's box
    // showing) as a PNG equals the render's frame 10 to the bit.
    let png = dir.join("still.png");
    let run = vidence(&[
        "frame",
        data.to_str().unwrap(),
        "--overlay",
        "--run",
        MODEL,
        "--index",
        "35",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let still = image::open(&png).unwrap().to_rgb8().into_raw();
    let rendered = rgb(&mut output, 10);
    assert_eq!(changed(&still, &rendered, [0, 0, W, H]), 0);
    let mut input = VideoSource::open(video).unwrap();
    let plain = rgb(&mut input, 35);
    // The run's dashed box is on it, in the model's colour, and the frame is otherwise the input's.
    assert!(changed(&plain, &still, [196, 36, 284, 94]) > 100);
    assert_eq!(changed(&plain, &still, FAR), 0);
}

#[test]
fn bad_requests_are_refused_in_words_and_nothing_is_written_over() {
    let (_, data) = clip();
    let dir = scratch("render-bad");
    let out = dir.join("out.mp4");
    let fails = |args: &[&str]| {
        let mut all = vec!["render", data.to_str().unwrap(), "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let run = vidence(&all);
        assert!(!run.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    assert!(fails(&["--run", "nobody"]).contains("models with runs on it: \"m\""));
    assert!(fails(&["--size", "321x180"]).contains("even"));
    assert!(fails(&["--from", "2", "--to", "1"]).contains("after --from"));
    assert!(fails(&["--from", "9"]).contains("outside the video"));
    assert!(fails(&["--video", "other"]).contains("no video \"other\""));
    std::fs::write(&out, b"precious").unwrap();
    assert!(fails(&[]).contains("exists"));
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    // Stopped before the first frame: nothing at the output, no partial file left.
    std::fs::remove_file(&out).unwrap();
    let dataset = annotate::load(data).unwrap();
    let options = vidence::render::Options::default();
    let stop = AtomicBool::new(true);
    let result =
        vidence::render::render(&dataset, data.parent().unwrap(), &options, &out, &stop, &mut |_, _| {});
    assert!(result.unwrap_err().to_string().contains("stopped"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_smaller_size_scales_the_frames_and_the_overlay_with_them() {
    let out = scratch("render-size").join("small.mp4");
    // Frames 0 to 12 (0.48 s) are shown before 0.5 s.
    let told = render(&out, &["--size", "160x90", "--to", "0.5"]);
    assert_eq!(
        (told["width"].as_u64(), told["height"].as_u64(), told["frames"].as_u64()),
        (Some(160), Some(90), Some(13))
    );
    let mut small = VideoSource::open(&out).unwrap();
    let frame = small.frame(0).unwrap().to_rgb().unwrap();
    // The green box's left edge, halved: x 19 of 160.
    let i = ((37 * 160 + 19) * 3) as usize;
    let [r, g, b] = [frame[i], frame[i + 1], frame[i + 2]];
    assert!(g > 150 && r < 100 && b < 100, "{r} {g} {b}");
}

/// The clip's dataset with three questions and a model "m2" answering each: the what
/// wrongly, the when half off (tIoU 1/3), the where with boxes on the cube's; V-STaR's
/// second chain of the when is not answered.
fn questions() -> PathBuf {
    let (_, data) = clip();
    let dir = scratch("render-sheet");
    std::fs::copy(data.with_file_name("clip.mp4"), dir.join("clip.mp4")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(data).unwrap()).unwrap();
    let id = json["videos"][0]["id"].clone();
    let human = serde_json::json!({"kind": "human"});
    json["questions"] = serde_json::json!([
        {"id": "q-what", "video": id, "kind": "what", "text": "What colour is the box?", "options": ["green", "red"],
         "answer": "A", "source": human},
        {"id": "q-when", "video": id, "kind": "when", "text": "When is the ball up?", "answer": "",
         "evidence": [{"kind": "span", "start_s": 1.0, "end_s": 2.0}], "source": human},
        {"id": "q-where", "video": id, "kind": "where", "text": "Where is the cube?", "answer": "",
         "evidence": [{"kind": "track", "id": "t"}, {"kind": "span", "start_s": 0.0, "end_s": 3.0}], "source": human},
    ]);
    let template = json["runs"][0].clone();
    let run = |n: usize, question: &str, prediction: serde_json::Value| {
        let mut r = template.clone();
        r["id"] = format!("run-q{n}").into();
        r["model"]["name"] = "m2".into();
        r["answers"] = serde_json::json!({"kind": "question", "id": question});
        r["settings"]["frames_s"] = serde_json::json!([0.5, 1.0, 1.5, 2.0, 2.5]);
        r["prediction"] = prediction;
        r
    };
    let boxes: Vec<serde_json::Value> = [0.5, 1.0, 1.5, 2.0, 2.5]
        .iter()
        .map(|t| serde_json::json!({"label": "cube", "time_s": t, "bbox": [42, 50, 120, 100]}))
        .collect();
    let runs = json["runs"].as_array_mut().unwrap();
    runs.push(run(1, "q-what", serde_json::json!({"answer": "B"})));
    runs.push(run(2, "q-when", serde_json::json!({"spans": [{"start_s": 1.5, "end_s": 2.5}]})));
    runs.push(run(
        3,
        "q-where",
        serde_json::json!({"boxes": boxes, "spans": [{"start_s": 0.0, "end_s": 3.0}]}),
    ));
    let path = dir.join("questions.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    path
}

#[test]
fn a_contact_sheet_shows_the_worst_items_first_each_on_its_frame() {
    let data = questions();
    let out = data.with_file_name("sheet.png");
    let run = vidence(&[
        "sheet",
        data.to_str().unwrap(),
        "--run",
        "m2",
        "--columns",
        "2",
        "--tile-width",
        "320",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let told: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let items: Vec<(String, f64)> = serde_json::from_value(told["items"].clone()).unwrap();
    let order: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
    // Worst first, as `vidence eval` lists its weakest items.
    let eval = vidence(&["eval", data.to_str().unwrap(), "--run", "m2"]);
    let text = String::from_utf8_lossy(&eval.stdout);
    let weakest: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "weakest:")
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(order, weakest, "{told}");
    assert_eq!(order, ["q-what", "q-when", "q-where", "q-when"]);
    // The when items at the true span's start; the where item where the tube and the
    // run's boxes first meet (0.5 s).
    assert_eq!((items[1].1, items[2].1, items[3].1), (1.0, 0.5, 1.0));
    // Two columns of 320-pixel tiles (and gaps), two rows.
    let sheet = image::open(&out).unwrap().to_rgb8();
    assert_eq!((sheet.width(), told["width"].as_u64().unwrap() as u32), (2 * 328 + 8, sheet.width()));
    assert_eq!(sheet.height(), 2 * (180 + 44 + 8) + 8);
    // The second tile (q-when, frame 25) is that frame: its far corner as the video's.
    let video = data.with_file_name("clip.mp4");
    let frame = VideoSource::open(&video).unwrap().frame(25).unwrap().to_rgb().unwrap();
    let at = |x: u32, y: u32| sheet.get_pixel(8 + 328 + x, 8 + y).0;
    let [x, y] = [160, 10];
    let want = px(&frame, x, y);
    let got = at(x, y).map(i32::from);
    assert!(got.iter().zip(want).all(|(a, b)| (a - b).abs() <= 2), "{got:?} vs {want:?}");
    // Its green box is drawn, and its caption is under it.
    assert!(at(39, 75)[1] > 200);
    let under: usize = (0..320).filter(|&x| sheet.get_pixel(8 + 328 + x, 8 + 180 + 8).0[0] > 120).count();
    assert!(under > 5, "the caption's first line");
    // A second sheet is not written over the first.
    let again = vidence(&["sheet", data.to_str().unwrap(), "--run", "m2", "--out", out.to_str().unwrap()]);
    assert!(!again.status.success());
}
