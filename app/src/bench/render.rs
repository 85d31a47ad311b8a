//! `vidence bench render`: a video rendered with a heavy overlay against the `ffmpeg`
//! program re-encoding it, in turn.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use viewer::VideoSource;

use super::data::{synthetic_dataset, synthetic_runs};

#[derive(Serialize)]
pub struct RenderResult {
    pub frames: u64,
    pub size: String,
    /// The dataset's boxes drawn, summed over the frames (the runs' evidence, captions
    /// and the strip come on top).
    pub label_boxes: u64,
    pub rounds: usize,
    /// Each side's seconds: the fastest, the median and the slowest round.
    pub seconds: [f64; 3],
    pub ffmpeg_seconds: Option<[f64; 3]>,
    /// Drawing the overlay alone (shapes, raster, laid on the frame), per frame.
    pub overlay_ms: f64,
    /// Processor seconds (all threads) of each side's median round.
    pub cpu_seconds: f64,
    pub ffmpeg_cpu_seconds: Option<f64>,
    /// Frames a second, by the median round.
    pub fps: f64,
    pub ffmpeg_fps: Option<f64>,
    /// Vidence's speed over the ffmpeg program's: median rounds' ratio, and each
    /// round's lowest and highest.
    pub ratio: Option<f64>,
    pub ratio_range: Option<[f64; 2]>,
}

/// Processor seconds this process has used, and its children that ended (Linux's
/// `/proc/self/stat`, in its 100 ticks a second); zero where it cannot be read.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name, which is in parentheses.
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let tick = |i: usize| fields.get(i).copied().unwrap_or(0.0) / 100.0;
    // utime, stime, cutime, cstime are fields 14 to 17: 11 to 14 after the name.
    (tick(11) + tick(12), tick(13) + tick(14))
}

/// Fastest, median and slowest of `times`.
fn spread(times: &[f64]) -> [f64; 3] {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    [t[0], t[t.len() / 2], t[t.len() - 1]]
}

/// `vidence render` of `video` with 20 tracks and 3 model runs (boxes, paths, steps,
/// spans) captioned and with the strip, then `ffmpeg` re-encoding the same file with
/// the writer's settings (x264 veryfast, CRF 23, 3 B-frames, a keyframe each 250), in
/// turn for `rounds` rounds: a machine shared with others varies by a tenth.
pub fn render(video: &Path, rounds: usize) -> anyhow::Result<RenderResult> {
    anyhow::ensure!(rounds >= 1, "--rounds must be at least 1");
    let source = VideoSource::open(video)?;
    let (frames, width, height) = (source.info().frame_count, source.info().width, source.info().height);
    let path = std::fs::canonicalize(video)?.display().to_string();
    let mut data = synthetic_dataset(1, 20, 30, frames, (width, height), &path);
    for mut run in synthetic_runs(3, 0, frames, (width, height), &path).runs {
        run.prediction.steps = (0..frames / 60)
            .map(|k| annotate::RationaleStep {
                text: format!("Step {k}: the object moves on, past the other one, and stops near the edge."),
                kind: annotate::RationaleKind::Perception,
                time_s: Some(k as f64 * 2.0),
                bbox: None,
            })
            .collect();
        data.runs.push(run);
    }
    let label_boxes: u64 =
        (0..frames).map(|f| data.tracks.iter().filter(|t| t.box_at(f).is_some()).count() as u64).sum();
    let dir = std::env::temp_dir().join(format!("vidence-bench-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let options = crate::render::Options {
        runs: vec!["bench".into()],
        trace: true,
        timeline: true,
        ..Default::default()
    };
    let mut overlays = crate::render::Overlays::new(&data, &options)?;
    let mut frame = VideoSource::open(video)?.frame(0)?;
    let px = crate::render::px_per_pt(height, height);
    let started = Instant::now();
    for f in 0..frames {
        overlays.draw(&mut frame, f, f as f64 / 30.0, px);
    }
    let overlay_ms = started.elapsed().as_secs_f64() * 1e3 / frames as f64;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (mut ours, mut theirs, mut written) = (Vec::new(), Vec::new(), 0);
    let (mut our_cpu, mut their_cpu) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let out = dir.join(format!("vidence-{round}.mp4"));
        let (cpu, _) = cpu_seconds();
        let started = Instant::now();
        written = crate::render::render(&data, &dir, &options, &out, &stop, &mut |_, _| {})?.frames;
        ours.push(started.elapsed().as_secs_f64());
        our_cpu.push(cpu_seconds().0 - cpu);
        let (_, children) = cpu_seconds();
        let started = Instant::now();
        let ffmpeg = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-y", "-i"])
            .arg(video)
            .args(["-map", "0:v", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-bf", "3"])
            .args(["-x264-params", "keyint=250:min-keyint=250:scenecut=0", "-pix_fmt", "yuv420p"])
            .arg(dir.join("ffmpeg.mp4"))
            .status()
            .ok()
            .filter(std::process::ExitStatus::success);
        if ffmpeg.is_some() {
            theirs.push(started.elapsed().as_secs_f64());
            their_cpu.push(cpu_seconds().1 - children);
        }
        let _ = std::fs::remove_file(&out);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let seconds = spread(&ours);
    let ffmpeg_seconds = (theirs.len() == rounds).then(|| spread(&theirs));
    let ratios: Vec<f64> = theirs.iter().zip(&ours).map(|(t, o)| t / o).collect();
    Ok(RenderResult {
        frames: written,
        size: format!("{width}x{height}"),
        label_boxes,
        overlay_ms,
        rounds,
        seconds,
        ffmpeg_seconds,
        cpu_seconds: spread(&our_cpu)[1],
        ffmpeg_cpu_seconds: (their_cpu.len() == rounds).then(|| spread(&their_cpu)[1]),
        fps: written as f64 / seconds[1],
        ffmpeg_fps: ffmpeg_seconds.map(|s| frames as f64 / s[1]),
        ratio: ffmpeg_seconds.map(|s| s[1] / seconds[1]),
        ratio_range: ffmpeg_seconds.map(|_| {
            let r = spread(&ratios);
            [r[0], r[2]]
        }),
    })
}
