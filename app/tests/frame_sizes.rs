//! RGB frames are the video's for every frame size: `vidence frame` and the frames
//! handed to the model equal the `ffmpeg` program's RGB frame of the same index, for
//! widths that are not multiples of 16 and odd heights too.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::{Path, PathBuf};
use std::process::Command;

const WIDTHS: [u32; 6] = [640, 852, 853, 854, 1366, 1920];
const HEIGHTS: [u32; 3] = [480, 481, 1080];
const INDEX: u64 = 2;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join("vidence-frame-sizes");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ffmpeg(args: &[&str]) -> Vec<u8> {
    let out =
        Command::new("ffmpeg").args(["-v", "error", "-nostdin"]).args(args).output().expect("run ffmpeg");
    assert!(out.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Four frames of a moving test pattern: H.264 where both sides are even, else VP9
/// (which takes odd sizes in 4:2:0).
fn clip(dir: &Path, width: u32, height: u32) -> PathBuf {
    let even = width.is_multiple_of(2) && height.is_multiple_of(2);
    let path = dir.join(format!("{width}x{height}.{}", if even { "mp4" } else { "webm" }));
    // The pattern is drawn in RGB: drawn in 4:2:0 it would round odd sizes down.
    let source = format!("testsrc2=size={width}x{height}:rate=25,format=rgb24");
    let codec: &[&str] = if even {
        &["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]
    } else {
        &["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-crf", "20", "-b:v", "0"]
    };
    let mut args = vec!["-f", "lavfi", "-i", &source, "-frames:v", "4", "-pix_fmt", "yuv420p"];
    args.extend_from_slice(codec);
    args.extend_from_slice(&["-y", path.to_str().unwrap()]);
    ffmpeg(&args);
    path
}

/// The `ffmpeg` program's RGB frame `INDEX` of `video`.
fn reference(video: &Path) -> Vec<u8> {
    let select = format!("select=eq(n\\,{INDEX})");
    let args = [
        "-i",
        video.to_str().unwrap(),
        "-vf",
        &select,
        "-frames:v",
        "1",
        "-pix_fmt",
        "rgb24",
        "-f",
        "rawvideo",
        "-",
    ];
    ffmpeg(&args)
}

fn read_png_rgb(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut data).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    data.truncate(info.buffer_size());
    (info.width, info.height, data)
}

/// Mean absolute difference over the picture, and the worst over any one column and
/// any one row, in levels.
fn differences(width: usize, height: usize, got: &[u8], want: &[u8]) -> (f64, f64, f64) {
    let mut columns = vec![0u64; width];
    let mut rows = vec![0u64; height];
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        let d = u64::from(a.abs_diff(*b));
        let pixel = i / 3;
        columns[pixel % width] += d;
        rows[pixel / width] += d;
    }
    let total: u64 = rows.iter().sum();
    let worst = |sums: &[u64], n: usize| sums.iter().map(|&s| s as f64 / (n * 3) as f64).fold(0.0, f64::max);
    (total as f64 / got.len() as f64, worst(&columns, height), worst(&rows, width))
}

#[test]
fn every_frame_size_gives_the_videos_own_pixels() {
    let dir = scratch();
    let mut report = Vec::new();
    for height in HEIGHTS {
        for width in WIDTHS {
            let video = clip(&dir, width, height);
            let want = reference(&video);
            assert_eq!(want.len(), (width * height * 3) as usize, "{width}x{height}: the reference frame");

            let png = dir.join(format!("{width}x{height}.png"));
            let out = Command::new(env!("CARGO_BIN_EXE_vidence"))
                .args(["frame", video.to_str().unwrap(), "--index", &INDEX.to_string()])
                .args(["--out", png.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let (w, h, exported) = read_png_rgb(&png);
            assert_eq!((w, h), (width, height));

            let model = vidence::ask::read_frames(&mut viewer::VideoSource::open(&video).unwrap(), &[INDEX])
                .unwrap()
                .remove(0);
            assert_eq!((model.width, model.height), (width as usize, height as usize));

            for (what, got) in [("vidence frame", &exported), ("the model's frame", &model.data)] {
                let (mean, column, row) = differences(width as usize, height as usize, got, &want);
                report.push(format!(
                    "{width}x{height} {what}: mean {mean:.3}, column {column:.3}, row {row:.3}"
                ));
                assert!(
                    mean < 1.0 && column < 1.0 && row < 1.0,
                    "{width}x{height}, {what}: mean {mean:.3}, worst column {column:.3}, worst row {row:.3} levels"
                );
            }
        }
    }
    eprintln!("{}", report.join("\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}
