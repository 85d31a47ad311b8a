//! Command-line verbs that print data: each has a human form and `--json`.

use annotate::time::FrameTimes;
use std::path::{Path, PathBuf};

use viewer::VideoSource;

pub fn probe(video: &Path, json: bool) -> anyhow::Result<()> {
    let source = VideoSource::open(video)?;
    let info = source.info();
    if json {
        println!("{}", serde_json::to_string_pretty(info)?);
    } else {
        println!("{}", info.path);
        println!("  container  {}", info.container);
        println!("  codec      {} ({}, {}-bit)", info.codec, info.pixel_format, info.bit_depth);
        println!("  size       {}x{} (rotation {}°)", info.width, info.height, info.rotation);
        let vfr = if info.variable_frame_rate { ", variable" } else { "" };
        println!("  fps        {:.3}{vfr}", info.fps);
        println!("  frames     {} ({} keyframes)", info.frame_count, info.keyframe_count);
        println!("  duration   {:.3} s", info.duration_s);
    }
    Ok(())
}

pub fn frame(
    video: &Path,
    index: Option<u64>,
    time: Option<f64>,
    out: &Path,
    json: bool,
) -> anyhow::Result<()> {
    let mut source = VideoSource::open(video)?;
    let frame = match (index, time) {
        (Some(i), _) => source.frame(i)?,
        (None, Some(t)) => source.frame_at_time(t)?,
        (None, None) => anyhow::bail!("give --index or --time"),
    };
    frame.write_png(out)?;
    let time_s = source.index().time_of(frame.index);
    if json {
        let value =
            serde_json::json!({ "index": frame.index, "time_s": time_s, "out": out.display().to_string() });
        println!("{value}");
    } else {
        println!("frame {} ({time_s:.3} s) -> {}", frame.index, out.display());
    }
    Ok(())
}

pub fn demo(out: Option<PathBuf>, seed: u64, existing: crate::demo::Existing) -> anyhow::Result<()> {
    let dir = match out {
        Some(dir) => dir,
        None => crate::demo::default_dir()?,
    };
    let demo = crate::demo::generate(&dir, seed, existing)?;
    println!("video   {}", demo.video.display());
    println!("dataset {}", demo.dataset.display());
    Ok(())
}

/// `vidence validate`: 0 valid, 1 invalid (every problem by JSON path), 2 unreadable.
pub fn validate(path: &Path, json: bool) -> std::process::ExitCode {
    use annotate::DatasetError;
    let report = |valid: bool, problems: &[annotate::Problem], error: Option<String>| {
        if json {
            let value = serde_json::json!({ "valid": valid, "problems": problems, "error": error });
            println!("{value}");
        } else {
            if let Some(e) = &error {
                eprintln!("error: {e}");
            }
            for p in problems {
                println!("{}: {}", p.path, p.message);
            }
        }
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            report(false, &[], Some(format!("cannot read {}: {e}", path.display())));
            return std::process::ExitCode::from(2);
        }
    };
    let dataset = match annotate::parse(&text, path) {
        Ok(d) => d,
        Err(DatasetError::Parse { json_path, line, column, message, syntax: false, .. }) => {
            let problem = annotate::Problem {
                path: json_path,
                message: format!("{message} (line {line}, column {column})"),
            };
            report(false, &[problem], None);
            return std::process::ExitCode::from(1);
        }
        Err(e) => {
            report(false, &[], Some(e.to_string()));
            return std::process::ExitCode::from(2);
        }
    };
    let problems = annotate::validate(&dataset);
    if problems.is_empty() && !json {
        println!(
            "{}: valid ({} videos, {} tracks, {} segments, {} questions, {} model runs)",
            path.display(),
            dataset.videos.len(),
            dataset.tracks.len(),
            dataset.segments.len(),
            dataset.questions.len(),
            dataset.runs.len()
        );
    } else {
        report(problems.is_empty(), &problems, None);
    }
    std::process::ExitCode::from(u8::from(!problems.is_empty()))
}
