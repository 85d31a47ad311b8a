//! `vidence bench`: measured decode throughput, seek latency, stepping and memory,
//! printed with the machine they ran on. Speed targets live here, not in tests.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use annotate::{BBox, Category, Dataset, Interpolation, Keyframe, Provenance, Review, Track, Video};

use clap::Subcommand;
use serde::Serialize;
use viewer::{FrameServer, Playback, PlaybackCommand, Precision, VideoSource, decode_sequential};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Decode every frame to RGBA; compare with the `ffmpeg` program on the same file.
    Decode {
        video: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Exact random seeks, against the naive way (keyframe, then decode and convert all).
    Seek {
        video: PathBuf,
        #[arg(long, default_value_t = 100)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Save, load and validate a generated dataset of many tracks.
    Dataset {
        #[arg(long, default_value_t = 10_000)]
        tracks: usize,
        #[arg(long, default_value_t = 100)]
        keyframes_per_track: u64,
        #[arg(long)]
        json: bool,
    },
    /// Open and save a dataset of many model runs with their tokens.
    Runs {
        #[arg(long, default_value_t = 10_000)]
        runs: usize,
        #[arg(long, default_value_t = 256)]
        tokens: usize,
        #[arg(long)]
        json: bool,
    },
    /// Render the video with labels, model runs, captions and the timeline strip drawn
    /// on (`vidence render`), against the `ffmpeg` program re-encoding it with the same
    /// x264 settings.
    Render {
        video: PathBuf,
        /// Both sides run in turn this many times.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        #[arg(long)]
        json: bool,
    },
    /// Play through the decode thread and cache: step latency and peak memory.
    Play {
        video: PathBuf,
        /// Memory for decoded frames, in MiB.
        #[arg(long, default_value_t = viewer::DEFAULT_CACHE_BYTES >> 20)]
        cache_mb: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: &BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Decode { video, json } => print(&decode(video)?, *json),
        BenchCommand::Seek { video, n, seed, json } => print(&seek(video, *n, *seed)?, *json),
        BenchCommand::Play { video, cache_mb, json } => print(&play(video, *cache_mb)?, *json),
        BenchCommand::Render { video, rounds, json } => print(&render(video, *rounds)?, *json),
        BenchCommand::Runs { runs, tokens, json } => print(&runs_dataset(*runs, *tokens)?, *json),
        BenchCommand::Dataset { tracks, keyframes_per_track, json } => {
            print(&dataset(*tracks, *keyframes_per_track)?, *json)
        }
    }
}

fn print(result: &impl Serialize, json: bool) -> anyhow::Result<()> {
    let mut value = serde_json::to_value(result)?;
    value["machine"] = serde_json::Value::String(model::machine::describe());
    if json {
        println!("{}", serde_json::to_string(&value)?);
    } else {
        for (k, v) in value.as_object().into_iter().flatten() {
            println!("{k:>18}  {v}");
        }
    }
    Ok(())
}

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

#[derive(Serialize)]
pub struct DatasetResult {
    pub tracks: usize,
    pub keyframes: u64,
    pub file_mb: f64,
    pub save_s: f64,
    pub load_s: f64,
    pub validate_s: f64,
}

/// A synthetic dataset: `videos` videos (all pointing at `video_path`, `frames` long,
/// `size` pixels), each with `tracks` tracks of `per_track` keyframes ten frames apart,
/// starting at a random frame.
pub fn synthetic_dataset(
    videos: usize,
    tracks: usize,
    per_track: u64,
    frames: u64,
    size: (u32, u32),
    video_path: &str,
) -> Dataset {
    let (width, height) = (size.0 as f32, size.1 as f32);
    // Boxes a 24th of the frame wide and an 18th high, anywhere in it.
    let (box_w, box_h) = (width / 24.0, height / 18.0);
    let mut data = Dataset::default();
    data.categories.push(Category {
        attributes: Vec::new(),
        id: "c".into(),
        name: "object".into(),
        color: None,
    });
    let mut rng = crate::demo::Rng::new(1);
    for v in 0..videos {
        let video = format!("v{v}");
        data.videos.push(Video {
            id: video.clone(),
            path: video_path.into(),
            width: size.0,
            height: size.1,
            fps: 30.0,
            frame_count: frames,
            duration_s: frames as f64 / 30.0,
            tags: Default::default(),
        });
        for t in 0..tracks {
            let start = rng.next_u64() % (frames.saturating_sub(per_track * 10) + 1);
            let keyframes = (0..per_track)
                .map(|k| {
                    let x = rng.range(0.0, width - box_w).round();
                    let y = rng.range(0.0, height - box_h).round();
                    Keyframe {
                        frame: start + k * 10,
                        bbox: BBox::new(x, y, x + box_w, y + box_h),
                        outside: false,
                        occluded: k % 7 == 3,
                    }
                })
                .collect();
            data.tracks.push(Track {
                attributes: Vec::new(),
                z_order: 0,
                id: format!("{video}-track-{t}"),
                video: video.clone(),
                category: "c".into(),
                keyframes,
                interpolation: Interpolation::Linear,
                source: Provenance::Human,
                review: Review::Unreviewed,
            });
        }
    }
    data
}

/// `tracks` tracks of `per_track` keyframes on one 100,000-frame video, saved
/// atomically, loaded back and validated.
pub fn dataset(tracks: usize, per_track: u64) -> anyhow::Result<DatasetResult> {
    anyhow::ensure!(tracks >= 1 && per_track >= 1, "--tracks and --keyframes-per-track must be at least 1");
    let data = synthetic_dataset(1, tracks, per_track, 100_000, (1920, 1080), "v.mp4");
    let path = std::env::temp_dir().join(format!("vidence-bench-{}.json", std::process::id()));
    let started = Instant::now();
    annotate::save_atomic(&data, &path)?;
    let save_s = started.elapsed().as_secs_f64();
    let file_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    let started = Instant::now();
    let loaded = annotate::load(&path)?;
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let problems = annotate::validate(&loaded);
    let validate_s = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&path);
    anyhow::ensure!(loaded == data, "the dataset changed on the way through the file");
    anyhow::ensure!(problems.is_empty(), "generated dataset has problems: {:?}", problems.first());
    Ok(DatasetResult { tracks, keyframes: tracks as u64 * per_track, file_mb, save_s, load_s, validate_s })
}

#[derive(Serialize)]
pub struct RunsResult {
    pub runs: usize,
    pub tokens_per_run: usize,
    pub file_mb: f64,
    pub token_files_mb: f64,
    /// The first save, which also writes every run's token file.
    pub first_save_s: f64,
    pub open_s: f64,
    pub save_s: f64,
}

/// `runs` model runs on one video (`frames` long, `size` pixels), each an answer
/// with reasoning, four timed boxes and a span, and `tokens` streamed tokens with five
/// alternatives each.
pub fn synthetic_runs(
    runs: usize,
    tokens: usize,
    frames: u64,
    size: (u32, u32),
    video_path: &str,
) -> Dataset {
    let mut data = synthetic_dataset(1, 0, 0, frames, size, video_path);
    let mut rng = crate::demo::Rng::new(7);
    for r in 0..runs {
        let boxes = (0..4)
            .map(|k| {
                let x = rng.range(0.0, size.0 as f32 - 100.0).round();
                let y = rng.range(0.0, size.1 as f32 - 100.0).round();
                annotate::PredictedBox {
                    label: Some(format!("object {}", k % 2)),
                    time_s: Some(f64::from(k) * 2.5),
                    bbox: BBox::new(x, y, x + 100.0, y + 80.0),
                    time_text: None,
                }
            })
            .collect();
        let prediction = annotate::Prediction {
            answer: Some(format!("answer {r}")),
            boxes,
            spans: vec![annotate::PredictedSpan { label: None, start_s: 1.0, end_s: 4.0 }],
            ..Default::default()
        };
        let request = crate::ask::AskRequest { prompt: format!("question {r}?"), ..Default::default() };
        let video = &data.videos[0];
        let asked = crate::ask::Asked::given(&request, video);
        let model = annotate::ModelRef {
            backend: annotate::Backend::Local,
            name: "bench".into(),
            revision: None,
            endpoint: None,
        };
        let raw = format!("<think>{}</think><answer>answer {r}</answer>", "reasoning ".repeat(tokens / 2));
        let mut run = asked.run(format!("run-{r}"), video.id.clone(), model, raw, prediction);
        let token = |i: usize| annotate::RunToken {
            text: format!(" t{i}"),
            logprob: -rng.range(0.0, 3.0),
            top: (0..5)
                .map(|a| annotate::Alternative { text: format!(" a{a}"), logprob: -(a as f32) - 0.5 })
                .collect(),
        };
        let list = (0..tokens).map(token).collect();
        run.set_tokens(list);
        data.runs.push(run);
    }
    data
}

pub fn runs_dataset(runs: usize, tokens: usize) -> anyhow::Result<RunsResult> {
    anyhow::ensure!(runs >= 1, "--runs must be at least 1");
    let dir = std::env::temp_dir().join(format!("vidence-bench-runs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("runs.json");
    let data = synthetic_runs(runs, tokens, 3000, (1280, 720), "v.mp4");
    let started = Instant::now();
    annotate::save_atomic(&data, &path)?;
    let first_save_s = started.elapsed().as_secs_f64();
    let file_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    let token_files_mb = std::fs::read_dir(annotate::tokens::folder(&path))?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len() as f64 / 1e6)
        .sum();
    let started = Instant::now();
    let (mut doc, _) = annotate::Document::open(&path)?;
    let open_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(doc.dataset() == &data, "the runs changed on the way through the file");
    let started = Instant::now();
    doc.save()?;
    let save_s = started.elapsed().as_secs_f64();
    let read = doc.dataset().runs[runs / 2].tokens.read(&path)?;
    anyhow::ensure!(read.len() == tokens, "a run's tokens came back as {} tokens", read.len());
    drop(doc);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(RunsResult { runs, tokens_per_run: tokens, file_mb, token_files_mb, first_save_s, open_s, save_s })
}
