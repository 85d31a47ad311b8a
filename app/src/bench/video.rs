//! A video decoded straight through, sought at random and played through the decode
//! thread and its cache.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use viewer::{FrameServer, Playback, PlaybackCommand, Precision, VideoSource, decode_sequential};

#[derive(Serialize)]
pub struct DecodeResult {
    pub frames: u64,
    pub seconds: f64,
    pub fps: f64,
    pub ffmpeg_fps: Option<f64>,
    pub ratio: Option<f64>,
}

pub fn decode(video: &Path) -> anyhow::Result<DecodeResult> {
    let started = Instant::now();
    let mut converted = 0usize;
    let mut rgba = Vec::new();
    let frames = decode_sequential(video, |frame| {
        if frame.write_rgba(frame.width, frame.height, &mut rgba).is_ok() {
            converted += 1;
        }
    })?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        converted as u64 == frames,
        "{} of {frames} frames failed to convert",
        frames - converted as u64
    );
    let fps = frames as f64 / seconds;
    let ffmpeg_fps = ffmpeg_program_seconds(video).map(|s| frames as f64 / s);
    Ok(DecodeResult { frames, seconds, fps, ffmpeg_fps, ratio: ffmpeg_fps.map(|f| fps / f) })
}

/// Wall time of `ffmpeg -i VIDEO -pix_fmt rgba -f null -`, if the program is installed.
fn ffmpeg_program_seconds(video: &Path) -> Option<f64> {
    let started = Instant::now();
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(video)
        .args(["-pix_fmt", "rgba", "-f", "null", "-"])
        .status()
        .ok()?;
    status.success().then(|| started.elapsed().as_secs_f64())
}

#[derive(Serialize)]
pub struct SeekResult {
    pub n: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub naive_median_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn seek(video: &Path, n: usize, seed: u64) -> anyhow::Result<SeekResult> {
    anyhow::ensure!(n >= 1, "--n must be at least 1");
    // Each way keeps its own decoder, as it would on its own.
    let mut source = VideoSource::open(video)?;
    let mut naive_source = source.reopen()?;
    let count = source.info().frame_count;
    let mut rng = crate::demo::Rng::new(seed);
    let targets: Vec<u64> = (0..n).map(|_| rng.next_u64() % count).collect();
    let mut ours = Vec::with_capacity(n);
    let mut naive = Vec::with_capacity(n);
    let mut rgba = Vec::new();
    for &target in &targets {
        // Each exact seek ends with the picture a user sees: the frame as RGBA.
        let started = Instant::now();
        let frame = source.frame(target)?;
        frame.write_rgba(frame.width, frame.height, &mut rgba)?;
        ours.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        let reference = naive_source.frame_naive(target)?;
        naive.push(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(reference == frame, "frame {target}: naive and exact decodes differ");
    }
    ours.sort_by(f64::total_cmp);
    naive.sort_by(f64::total_cmp);
    Ok(SeekResult {
        n,
        median_ms: percentile(&ours, 0.5),
        p95_ms: percentile(&ours, 0.95),
        max_ms: ours.last().copied().unwrap_or(0.0),
        naive_median_ms: percentile(&naive, 0.5),
    })
}

#[derive(Serialize)]
pub struct PlayResult {
    pub frames: u64,
    pub seconds: f64,
    /// Time from a one-frame step to that frame being ready, stepping as fast as
    /// frames come (decode-bound).
    pub step_median_ms: f64,
    pub step_p95_ms: f64,
    /// The same for frames already prefetched into the cache.
    pub cached_step_median_ms: f64,
    /// Peak resident memory of the process.
    pub peak_rss_mb: f64,
    /// The cache's limit (`--cache-mb`) and what it held at the end, in MiB.
    pub cache_limit_mib: usize,
    pub cache_used_mib: f64,
}

/// Step through the whole video one frame at a time, as fast as frames come.
pub fn play(video: &Path, cache_mib: usize) -> anyhow::Result<PlayResult> {
    anyhow::ensure!(cache_mib >= 1, "--cache-mb must be at least 1");
    let cache_bytes = cache_mib
        .checked_mul(1 << 20)
        .ok_or_else(|| anyhow::anyhow!("--cache-mb {cache_mib} is too large"))?;
    let source = VideoSource::open(video)?;
    let index = std::sync::Arc::clone(source.index());
    let server = FrameServer::start(source, cache_bytes, || {})?;
    let mut playback = Playback::default();
    let started = Instant::now();
    let mut steps = Vec::new();
    server.request(0, Precision::Exact);
    wait_for(&server, 0)?;
    while playback.frame() + 1 < index.len() {
        let t0 = Instant::now();
        playback.apply(PlaybackCommand::Step(1), &index, 0.0);
        server.request(playback.frame(), Precision::Exact);
        wait_for(&server, playback.frame())?;
        steps.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let seconds = started.elapsed().as_secs_f64();
    steps.sort_by(f64::total_cmp);

    // Stepping through frames the decode thread has prefetched: what a user holding
    // the Right key gets once the cache is warm.
    let start = index.len() / 2;
    playback.apply(PlaybackCommand::SeekFrame(start), &index, 0.0);
    server.request(start, Precision::Exact);
    let warm = 30.min(index.len() - start - 1);
    wait_for(&server, start + warm)?;
    let mut cached_steps = Vec::new();
    for _ in 0..warm {
        let t0 = Instant::now();
        playback.apply(PlaybackCommand::Step(1), &index, 0.0);
        server.request(playback.frame(), Precision::Exact);
        anyhow::ensure!(
            server.cached(playback.frame()).is_some(),
            "frame {} was not prefetched",
            playback.frame()
        );
        cached_steps.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    cached_steps.sort_by(f64::total_cmp);
    Ok(PlayResult {
        frames: index.len(),
        seconds,
        step_median_ms: percentile(&steps, 0.5),
        step_p95_ms: percentile(&steps, 0.95),
        cached_step_median_ms: percentile(&cached_steps, 0.5),
        peak_rss_mb: peak_rss_mb(),
        cache_limit_mib: cache_mib,
        cache_used_mib: server.cache_usage().0 as f64 / f64::from(1 << 20),
    })
}

fn wait_for(server: &FrameServer, index: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.cached(index).is_none() {
        if let Some(e) = server.stats().last_error {
            anyhow::bail!("frame {index}: {e}");
        }
        anyhow::ensure!(Instant::now() < deadline, "frame {index} never arrived");
        std::thread::sleep(Duration::from_micros(100));
    }
    Ok(())
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
