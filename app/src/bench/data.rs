//! Synthetic datasets (many tracks, many model runs), saved, opened and checked; the
//! UI benchmarks load them too.

use std::time::Instant;

use annotate::{BBox, Category, Dataset, Interpolation, Keyframe, Provenance, Review, Track, Video};
use serde::Serialize;

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
