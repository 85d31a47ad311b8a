//! Command-line verbs that print data: each has a human form and `--json`.

use annotate::time::FrameTimes;
use std::path::{Path, PathBuf};

use viewer::VideoSource;

pub fn probe(video: &Path, json: bool) -> anyhow::Result<()> {
    let source = VideoSource::open(video)?;
    let info = source.info();
    if json {
        let mut value = serde_json::to_value(info)?;
        value["ffprobe_rotation"] = ffprobe_rotation(info.rotation).into();
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!("{}", info.path);
        println!("  container  {}", info.container);
        println!("  codec      {} ({}, {}-bit)", info.codec, info.pixel_format, info.bit_depth);
        // ffprobe names the display matrix's angle, counter-clockwise: the opposite sign.
        println!(
            "  size       {}x{} (shown turned {}° clockwise; ffprobe's rotation {})",
            info.width,
            info.height,
            info.rotation,
            ffprobe_rotation(info.rotation)
        );
        let vfr = if info.variable_frame_rate { ", variable" } else { "" };
        println!("  fps        {:.3}{vfr}", info.fps);
        println!("  frames     {} ({} keyframes)", info.frame_count, info.keyframe_count);
        println!("  duration   {:.3} s", info.duration_s);
    }
    Ok(())
}

/// A clockwise turn as ffprobe reports it: the display matrix's angle, in -180..=180.
fn ffprobe_rotation(clockwise: u32) -> i32 {
    let ccw = -(clockwise as i32);
    if ccw < -180 { ccw + 360 } else { ccw }
}

/// How a frame is written, from the file name's extension.
#[derive(Clone, Copy)]
enum Picture {
    Png,
    Jpeg,
}

fn picture_kind(out: &Path) -> anyhow::Result<Picture> {
    let ext = out.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => Ok(Picture::Png),
        Some("jpg" | "jpeg") => Ok(Picture::Jpeg),
        other => anyhow::bail!(
            "cannot write a frame as {}: name the file .png or .jpg",
            other.map_or_else(|| "a file without an extension".to_owned(), |e| format!(".{e}"))
        ),
    }
}

/// Write one frame of `source` (a video, or a dataset's video with `overlay` drawn).
pub fn frame(
    source: &Path,
    index: Option<u64>,
    time: Option<f64>,
    out: &Path,
    overlay: Option<&crate::render::Options>,
    json: bool,
) -> anyhow::Result<()> {
    let kind = picture_kind(out)?;
    let is_dataset = source.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let data = match (is_dataset, overlay) {
        (true, _) => Some(annotate::load(source)?),
        (false, Some(_)) => anyhow::bail!(
            "--overlay, --video and --run draw a dataset's labels and runs: give the dataset's JSON, not the video"
        ),
        (false, None) => None,
    };
    let default = crate::render::Options { labels: false, ..Default::default() };
    let mut overlays = match &data {
        Some(data) => Some(crate::render::Overlays::new(data, overlay.unwrap_or(&default))?),
        None => None,
    };
    let video = match &overlays {
        Some(o) => source.parent().unwrap_or(Path::new(".")).join(&o.video.path),
        None => source.to_owned(),
    };
    let mut source = VideoSource::open(&video)?;
    let duration_s = source.index().duration_s();
    let frame = match (index, time) {
        (Some(i), _) => source.frame(i)?,
        (None, Some(t)) if t.is_nan() || t < 0.0 => {
            anyhow::bail!("--time {t} is negative: times count from the first frame, 0 s")
        }
        (None, Some(t)) if t > duration_s => {
            anyhow::bail!("--time {t} s is past the end of the video ({duration_s:.3} s long)")
        }
        (None, Some(t)) => source.frame_at_time(t)?,
        (None, None) => anyhow::bail!("give --index or --time"),
    };
    let mut frame = frame;
    if let Some(overlays) = &mut overlays {
        let time_s = source.index().time_of(frame.index);
        let px = crate::render::px_per_pt(frame.height, frame.height);
        let at = frame.index;
        overlays.draw(&mut frame, at, time_s, px);
    }
    match kind {
        Picture::Png => frame.write_png(out)?,
        Picture::Jpeg => {
            let rgb = frame.to_rgb()?;
            image::RgbImage::from_raw(frame.width, frame.height, rgb)
                .ok_or_else(|| anyhow::anyhow!("frame {} has the wrong size", frame.index))?
                .save_with_format(out, image::ImageFormat::Jpeg)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
        }
    }
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
            // Every element that does not read, not only the first; the first with
            // its line.
            let mut problems = annotate::shape_problems(&text);
            let first = annotate::Problem {
                path: json_path,
                message: format!("{message} (line {line}, column {column})"),
            };
            match problems.iter().position(|p| p.path == first.path) {
                Some(i) if problems[i].message == message => problems[i] = first,
                Some(_) => {}
                None => problems.insert(0, first),
            }
            report(false, &problems, None);
            return std::process::ExitCode::from(1);
        }
        Err(e @ DatasetError::Parse { syntax: true, .. }) => {
            // NaN and Infinity, which JSON has not, are named.
            let named =
                annotate::shape_problems(&text).into_iter().find(|p| p.message.starts_with("JSON has no"));
            let error = named.map_or_else(|| e.to_string(), |p| format!("{}: {}", path.display(), p.message));
            report(false, &[], Some(error));
            return std::process::ExitCode::from(2);
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
