//! A dataset's records of video files: a new dataset made from videos, videos added
//! to one, and a moved video found again. Each record is read from the file itself
//! (its exact frame count from the packet index), so labels land on the right frames.

use std::path::{Path, PathBuf};

use annotate::{Dataset, Video};
use anyhow::Context as _;
use viewer::{VideoInfo, VideoSource};

/// The record of a video file as the dataset keeps it, `path` as written there.
pub fn record_of(info: &VideoInfo, id: String, path: String) -> Video {
    Video {
        id,
        path,
        width: info.width,
        height: info.height,
        fps: info.fps,
        frame_count: info.frame_count,
        duration_s: info.duration_s,
        tags: Default::default(),
    }
}

/// Index `video` and make its record for a dataset in `dir`, with an id no video of
/// `data` has.
pub fn describe(video: &Path, dir: &Path, data: &Dataset) -> anyhow::Result<Video> {
    let source = VideoSource::open(video).with_context(|| format!("cannot add {}", video.display()))?;
    let id = fresh_video_id(data, &video.to_string_lossy());
    Ok(record_of(source.info(), id, relative_path(video, dir)))
}

/// A new dataset of `videos` (no labels yet) for a file at `out`.
pub fn new_dataset(videos: &[PathBuf], out: &Path) -> anyhow::Result<Dataset> {
    anyhow::ensure!(!videos.is_empty(), "give at least one video");
    let dir = folder_of(out);
    let mut data = Dataset::default();
    for video in videos {
        let record = describe(video, &dir, &data)?;
        data.videos.push(record);
    }
    Ok(data)
}

/// Write a new dataset of `videos` at `out`, never over a file.
pub fn write_new(videos: &[PathBuf], out: &Path) -> anyhow::Result<Dataset> {
    anyhow::ensure!(!out.exists(), "{} already exists: open it, or choose another name", out.display());
    let data = new_dataset(videos, out)?;
    annotate::save_atomic(&data, out)?;
    Ok(data)
}

/// `vidence new`: [`write_new`], then what it wrote.
pub fn create(videos: &[PathBuf], out: &Path, json: bool) -> anyhow::Result<()> {
    let data = write_new(videos, out)?;
    if json {
        let videos: Vec<_> =
            data.videos.iter().map(|v| serde_json::json!({"id": v.id, "path": v.path})).collect();
        println!("{}", serde_json::json!({ "dataset": out.display().to_string(), "videos": videos }));
    } else {
        for v in &data.videos {
            println!(
                "{}  {} ({} frames, {:.3} fps, {}x{})",
                v.id, v.path, v.frame_count, v.fps, v.width, v.height
            );
        }
        println!("dataset {}", out.display());
    }
    Ok(())
}

/// Where a new dataset for `video` goes by default: beside it, named after it, not
/// over an existing file.
pub fn dataset_beside(video: &Path) -> PathBuf {
    let stem = video.file_stem().map_or_else(|| "video".into(), |s| s.to_string_lossy().into_owned());
    let dir = folder_of(video);
    let mut path = dir.join(format!("{stem}.json"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.json"));
        n += 1;
    }
    path
}

/// Check that `file` is the video `record` describes (size, frame count, frame rate,
/// duration), for relinking a moved video; the record with its new path if so.
pub fn relink(record: &Video, file: &Path, dataset: &Path) -> anyhow::Result<Video> {
    let source = VideoSource::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let found = record_of(source.info(), record.id.clone(), relative_path(file, &folder_of(dataset)));
    let differ = record.mismatches(&found);
    anyhow::ensure!(
        differ.is_empty(),
        "{} is not the video {:?} the dataset describes: {}",
        file.display(),
        record.id,
        differ.join("; ")
    );
    Ok(found)
}

/// An id for the video at `path` from its file name: letters, digits, `-` and `_`,
/// unique in `data`.
pub fn fresh_video_id(data: &Dataset, path: &str) -> String {
    let stem = Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut base: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    if base.is_empty() {
        base = "video".into();
    }
    let mut id = base.clone();
    let mut n = 2;
    while data.video(&id).is_some() {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `file` as the dataset in `dir` records it: relative when it is under `dir`, else
/// absolute.
fn relative_path(file: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, dir) = (absolute(file), absolute(dir));
    file.strip_prefix(&dir).unwrap_or(&file).to_string_lossy().into_owned()
}
