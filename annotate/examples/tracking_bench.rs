//! Tracking metrics' speed: HOTA, CLEAR and Identity on a MOT17-sized sequence (600
//! frames, 30 objects, 18,000 true boxes; a tracker with noise, misses, false
//! positives and identity swaps), from the MOTChallenge files to the scores, against
//! TrackEval and py-motmetrics on the same files in the same run (`--trackeval` and
//! `--motmetrics`: Pythons that have them, as `scripts/eval-reference.sh` makes).
//! Run in release: `cargo run --release -p annotate --example tracking_bench --
//! [--frames N] [--objects N] [--trackeval PY] [--motmetrics PY]`.

use std::fmt::Write as _;
use std::time::Instant;

#[path = "support/machine.rs"]
mod machine;
#[path = "support/xorshift.rs"]
mod xorshift;
use machine::machine;
use xorshift::XorShift;

use annotate::eval;
use annotate::formats::{self, Format, Input};

const RUNS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let frames: u64 = arg("--frames").map_or(Ok(600), |v| v.parse())?;
    let objects: u64 = arg("--objects").map_or(Ok(30), |v| v.parse())?;
    let dir = std::env::temp_dir().join(format!("vidence-tracking-bench-{}", std::process::id()));
    let (gt, tracker) = sequence(frames, objects);
    let seq = dir.join("gt/bench");
    std::fs::create_dir_all(seq.join("gt"))?;
    std::fs::create_dir_all(dir.join("trackers/tracker/data"))?;
    std::fs::write(
        seq.join("seqinfo.ini"),
        format!(
            "[Sequence]\nname=bench\nimDir=img1\nframeRate=30\nseqLength={frames}\nimWidth=1920\nimHeight=1080\nimExt=.jpg\n"
        ),
    )?;
    std::fs::write(seq.join("gt/gt.txt"), &gt)?;
    std::fs::write(dir.join("trackers/tracker/data/bench.txt"), &tracker)?;

    let mut total = Vec::new();
    let mut scoring = Vec::new();
    let mut scores = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let truth = [
            Input { name: "bench/gt/gt.txt".into(), bytes: std::fs::read(seq.join("gt/gt.txt"))? },
            Input { name: "bench/seqinfo.ini".into(), bytes: std::fs::read(seq.join("seqinfo.ini"))? },
        ];
        let mut data = formats::import(Format::Mot, &truth, &[])?.dataset;
        let results = [Input {
            name: "bench.txt".into(),
            bytes: std::fs::read(dir.join("trackers/tracker/data/bench.txt"))?,
        }];
        data.runs.extend(formats::import_run(Format::Mot, &results, &data.videos, "tracker")?.dataset.runs);
        let scored_at = Instant::now();
        let s = eval::score(&data, "tracker")?;
        scoring.push(scored_at.elapsed().as_secs_f64());
        total.push(started.elapsed().as_secs_f64());
        scores = s.tracking;
    }
    let t = scores.ok_or("no tracking scores")?;
    let (median_total, median_scoring) = (median(&mut total), median(&mut scoring));
    println!("machine: {}", machine());
    println!(
        "MOTChallenge sequence: {frames} frames, {objects} objects, {} true boxes, {} tracker boxes",
        gt.lines().count(),
        tracker.lines().count()
    );
    println!(
        "  vidence      {median_total:.4} s (files read, imported, scored; median of {RUNS}), scoring alone {median_scoring:.4} s: HOTA {:.6} MOTA {:.6} IDF1 {:.6}",
        t.HOTA, t.MOTA, t.IDF1
    );
    for (flag, name) in [("--trackeval", "trackeval"), ("--motmetrics", "motmetrics")] {
        let Some(python) = arg(flag) else { continue };
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bench/tracking_references.py");
        let out = std::process::Command::new(python).arg(script).arg(name).arg(&dir).output()?;
        let said = String::from_utf8_lossy(&out.stdout);
        let line = said.lines().last().unwrap_or("");
        let seconds: f64 = line
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{name}: {said} {}", String::from_utf8_lossy(&out.stderr)))?;
        let rest = line.split_once(' ').map_or("", |(_, r)| r);
        println!("  {name:<12} {seconds:.4} s: {rest}; {:.1} times Vidence's", seconds / median_total);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Ground truth (`frame,id,x,y,w,h,1,1,1`) and a tracker's results of `objects`
/// objects moving across a 1920x1080 frame for `frames` frames; the tracker misses
/// one box in ten, adds a false one in three frames, swaps two ids a third in and
/// starts one object's id anew half-way.
fn sequence(frames: u64, objects: u64) -> (String, String) {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1du64);
    let mut unit = move || rng.unit();
    let (mut gt, mut tr) = (String::new(), String::new());
    let mut state: Vec<[f64; 6]> = (0..objects)
        .map(|_| {
            let (w, h) = (40.0 + unit() * 80.0, 100.0 + unit() * 150.0);
            [unit() * (1920.0 - w), unit() * (1080.0 - h), w, h, unit() * 6.0 - 3.0, unit() * 4.0 - 2.0]
        })
        .collect();
    let mut next_id = objects + 1;
    for f in 1..=frames {
        for (o, s) in state.iter_mut().enumerate() {
            let [x, y, w, h, vx, vy] = *s;
            let q = |v: f64| (v * 100.0).round() / 100.0;
            let _ = writeln!(gt, "{f},{},{},{},{},{},1,1,1", o + 1, q(x), q(y), q(w), q(h));
            if unit() >= 0.1 {
                let mut id = o as u64 + 1;
                if o < 2 && f > frames / 3 {
                    id = 2 - o as u64;
                }
                if o == 2 && f > frames / 2 {
                    id = objects + 1_000;
                }
                let n = |scale: f64, u: f64| (u - 0.5) * scale;
                let _ = writeln!(
                    tr,
                    "{f},{id},{},{},{},{},0.9,-1,-1,-1",
                    q(x + n(0.2 * w, unit())),
                    q(y + n(0.2 * h, unit())),
                    q(w + n(0.1 * w, unit())),
                    q(h + n(0.1 * h, unit()))
                );
            }
            // Bounce off the frame's edges.
            let (nx, ny) = (x + vx, y + vy);
            s[4] = if nx < 0.0 || nx + w > 1920.0 { -vx } else { vx };
            s[5] = if ny < 0.0 || ny + h > 1080.0 { -vy } else { vy };
            s[0] = nx.clamp(0.0, 1920.0 - w);
            s[1] = ny.clamp(0.0, 1080.0 - h);
        }
        if unit() < 0.33 {
            let _ = writeln!(
                tr,
                "{f},{next_id},{:.2},{:.2},60,150,0.5,-1,-1,-1",
                unit() * 1800.0,
                unit() * 900.0
            );
            next_id += 1;
        }
    }
    (gt, tr)
}
