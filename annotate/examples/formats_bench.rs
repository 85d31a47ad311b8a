//! Import and export speed of the formats: a CVAT XML of many tracks (1,000,000 boxes
//! by default) exported and imported, datumaro's import of the same file timed in the
//! same run (with `--python`, a Python that has datumaro), and a MOT file of as many
//! lines imported. Run in release: `cargo run --release -p annotate --example
//! formats_bench -- [--tracks N] [--boxes-per-track N] [--python PATH]`.

use std::time::Instant;

#[path = "support/machine.rs"]
mod machine;
#[path = "support/xorshift.rs"]
mod xorshift;
use machine::machine;
use xorshift::XorShift;

use annotate::formats::{self, ExportOptions, Format, Input};
use annotate::{BBox, Category, Dataset, Interpolation, Keyframe, Provenance, Review, Track, Video};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let tracks: usize = arg("--tracks").map_or(Ok(10_000), |v| v.parse())?;
    let per_track: u64 = arg("--boxes-per-track").map_or(Ok(100), |v| v.parse())?;
    let python = arg("--python");
    let dir = std::env::temp_dir().join(format!("vidence-formats-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    // CVAT: each track a box on every frame (so each is a keyframe), its last outside.
    let data = every_frame_tracks(tracks, per_track);
    let started = Instant::now();
    let exported = formats::export(Format::Cvat, &data, &ExportOptions::default())?;
    let export_s = started.elapsed().as_secs_f64();
    let xml = dir.join("annotations.xml");
    std::fs::write(&xml, &exported.files[0].bytes)?;
    let boxes = exported.files[0].bytes.windows(5).filter(|w| w == b"<box ").count();
    let started = Instant::now();
    let input = Input { name: "annotations.xml".into(), bytes: std::fs::read(&xml)? };
    let imported = formats::import(Format::Cvat, &[input], &[])?;
    let import_s = started.elapsed().as_secs_f64();
    let keyframes: usize = imported.dataset.tracks.iter().map(|t| t.keyframes.len()).sum();
    assert_eq!(keyframes as u64, tracks as u64 * per_track, "every box comes back as a keyframe");
    let mb = exported.files[0].bytes.len() as f64 / 1e6;
    println!("machine: {}", machine());
    println!("CVAT for video XML, {tracks} tracks, {boxes} boxes, {mb:.1} MB:");
    println!("  vidence export  {export_s:.3} s");
    println!("  vidence import  {import_s:.3} s (reading the file, parsing, the dataset made)");
    if let Some(python) = python {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/datumaro_cvat.py");
        let out = std::process::Command::new(python).arg(script).arg(&dir).output()?;
        let said = String::from_utf8_lossy(&out.stdout);
        let seconds: f64 = said
            .trim()
            .parse()
            .map_err(|_| format!("datumaro: {said} {}", String::from_utf8_lossy(&out.stderr)))?;
        let what = String::from_utf8_lossy(&out.stderr);
        let what = what.lines().rfind(|l| l.starts_with("datumaro")).unwrap_or("datumaro");
        println!("  {what}");
        println!("  datumaro import {seconds:.3} s: {:.1} times Vidence's", seconds / import_s);
    }

    // MOT: as many lines, each track seen on `per_track` frames.
    let data = every_frame_tracks(tracks, per_track + 1);
    let exported = formats::export(Format::Mot, &data, &ExportOptions::default())?;
    let gt = exported.files.into_iter().find(|f| f.name.ends_with("gt.txt")).ok_or("no gt.txt")?;
    let lines = gt.bytes.iter().filter(|&&b| b == b'\n').count();
    let path = dir.join("gt.txt");
    std::fs::write(&path, &gt.bytes)?;
    let started = Instant::now();
    let input = Input { name: "seq/gt/gt.txt".into(), bytes: std::fs::read(&path)? };
    let imported = formats::import(Format::Mot, &[input], &[])?;
    let mot_s = started.elapsed().as_secs_f64();
    assert_eq!(imported.dataset.tracks.len(), tracks);
    println!("MOT gt.txt, {lines} lines, {:.1} MB:", gt.bytes.len() as f64 / 1e6);
    println!("  vidence import  {mot_s:.3} s");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// `tracks` tracks on a 1920x1080 video of 2,000 frames, each a box somewhere else on
/// each of `per_track` frames in a row, the last outside.
fn every_frame_tracks(tracks: usize, per_track: u64) -> Dataset {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut next = move |below: u64| rng.next() % below;
    let mut data = Dataset {
        videos: vec![Video {
            id: "v".into(),
            path: "v.mp4".into(),
            width: 1920,
            height: 1080,
            fps: 30.0,
            frame_count: 2_000,
            duration_s: 2_000.0 / 30.0,
            tags: Default::default(),
        }],
        categories: vec![Category {
            id: "c".into(),
            name: "object".into(),
            color: None,
            attributes: Vec::new(),
        }],
        ..Dataset::default()
    };
    for t in 0..tracks {
        let start = next(2_000 - per_track);
        let keyframes: Vec<Keyframe> = (0..per_track)
            .map(|k| {
                let (x, y) = (next(180_000) as f32 / 100.0, next(100_000) as f32 / 100.0);
                Keyframe {
                    frame: start + k,
                    bbox: BBox::new(x, y, x + 80.0, y + 60.0),
                    outside: k == per_track - 1,
                    occluded: k % 7 == 3,
                }
            })
            .collect();
        data.tracks.push(Track {
            id: format!("track-{t}"),
            video: "v".into(),
            category: "c".into(),
            keyframes: keyframes.into(),
            interpolation: Interpolation::Linear,
            attributes: Vec::new(),
            z_order: 0,
            source: Provenance::Human,
            review: Review::Unreviewed,
        });
    }
    data
}
