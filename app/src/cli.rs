//! Command-line verbs that print data: each has a human form and `--json`.

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

pub fn demo(out: Option<PathBuf>, seed: u64) -> anyhow::Result<()> {
    let dir = match out {
        Some(dir) => dir,
        None => crate::demo::default_dir()?,
    };
    let demo = crate::demo::generate(&dir, seed)?;
    println!("video   {}", demo.video.display());
    println!("dataset {}", demo.dataset.display());
    Ok(())
}
