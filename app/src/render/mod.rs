//! `vidence render`, and the overlay on still frames (`vidence frame --overlay`): a
//! dataset's labels and model runs drawn onto a video's frames as the canvas draws them
//! (`annotate::overlay`). Output frame i is input frame i with its overlay, at its
//! timestamp, encoded with H.264; the source's audio is copied.

pub mod raster;
pub mod sheet;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use annotate::overlay::{self, Layer, Rgba, Scene};
use annotate::time::FrameTimes;
use annotate::{Dataset, ModelRun, Video};
use anyhow::Context;
use viewer::encode::{EncodeSettings, VideoWriter};
use viewer::{AudioClip, VideoFrame, VideoSource};

use raster::{Canvas, Raster};

/// Each `--run`'s colour, in order: the shown model, the compared one, then others.
const COLORS: [Rgba; 4] = [overlay::MODEL, overlay::COMPARED, [255, 210, 40, 255], [90, 230, 90, 255]];
/// Frames this tall draw a point as one pixel; taller ones scale up.
const POINT_HEIGHT: f32 = 540.0;

/// What is drawn, and how the video is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The video's id; may be left out when the dataset has one video.
    pub video: Option<String>,
    /// The runs drawn, each entry in its own colour: a model's name (`model.name`: all
    /// its runs on the video) or one run's id.
    pub runs: Vec<String>,
    /// A model's box shows this many seconds either side of its time.
    pub tolerance_s: f64,
    pub from_s: Option<f64>,
    pub to_s: Option<f64>,
    /// Draw the dataset's boxes.
    pub labels: bool,
    /// Caption the reasoning step cited near each time.
    pub trace: bool,
    /// A strip of the segments, the runs' spans and the play head along the bottom.
    pub timeline: bool,
    /// The output's size, even numbers; the video's own when `None`.
    pub size: Option<[u32; 2]>,
    /// x264's constant quality.
    pub crf: u8,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            video: None,
            runs: Vec::new(),
            tolerance_s: overlay::TOLERANCE_S,
            from_s: None,
            to_s: None,
            labels: true,
            trace: false,
            timeline: false,
            size: None,
            crf: 23,
        }
    }
}

/// A dataset's video and what is drawn over it.
pub struct Overlays<'a> {
    data: &'a Dataset,
    pub video: &'a Video,
    layers: Vec<(Vec<&'a ModelRun>, Rgba)>,
    options: &'a Options,
    raster: Raster,
    /// Kept from frame to frame of one size.
    canvas: Option<Canvas>,
}

impl<'a> Overlays<'a> {
    pub fn new(data: &'a Dataset, options: &'a Options) -> anyhow::Result<Self> {
        let video = match &options.video {
            Some(id) => data.video(id).with_context(|| {
                format!(
                    "the dataset has no video {id:?}; its videos: {}",
                    ids(data.videos.iter().map(|v| &v.id))
                )
            })?,
            None => match data.videos.as_slice() {
                [one] => one,
                [] => anyhow::bail!("the dataset has no videos"),
                _ => anyhow::bail!(
                    "give --video: the dataset has {} ({})",
                    data.videos.len(),
                    ids(data.videos.iter().map(|v| &v.id))
                ),
            },
        };
        if options.tolerance_s.is_nan() || options.tolerance_s < 0.0 {
            anyhow::bail!("--tolerance {} s: give 0 or more seconds", options.tolerance_s);
        }
        if options.runs.len() > COLORS.len() {
            anyhow::bail!("at most {} --run can be drawn at once", COLORS.len());
        }
        let mut layers = Vec::new();
        for (name, color) in options.runs.iter().zip(COLORS) {
            let runs: Vec<&ModelRun> = match data.runs_of(&video.id).find(|r| &r.id == name) {
                Some(run) => vec![run],
                None => data.runs_of(&video.id).filter(|r| &r.model.name == name).collect(),
            };
            if runs.is_empty() {
                let mut models: Vec<&String> = data.runs_of(&video.id).map(|r| &r.model.name).collect();
                models.sort();
                models.dedup();
                anyhow::bail!(
                    "no run {name:?} (a model's name or a run's id) on the video {:?}; models with runs on it: {}",
                    video.id,
                    if models.is_empty() { "none".to_owned() } else { ids(models.into_iter()) }
                );
            }
            layers.push((runs, color));
        }
        Ok(Self { data, video, layers, options, raster: Raster::new(), canvas: None })
    }

    /// Draw onto `frame` (frame `index`, at `time_s`) what the canvas shows there;
    /// `px_per_pt` sizes the lines and text.
    pub fn draw(&mut self, frame: &mut VideoFrame, index: u64, time_s: f64, px_per_pt: f32) {
        let layers = self
            .layers
            .iter()
            .flat_map(|(runs, color)| {
                runs.iter().map(|run| Layer {
                    run,
                    color: *color,
                    tolerance_s: self.options.tolerance_s,
                    highlight: None,
                    hovered: None,
                })
            })
            .collect();
        let scene = Scene {
            dataset: Some(self.data),
            video: &self.video.id,
            frame: index,
            time_s,
            size: [frame.width as f32, frame.height as f32],
            px_per_pt,
            labels: self.options.labels,
            selected: None,
            hidden: None,
            layers,
            caption: self.options.trace,
            strip: self.options.timeline.then_some(self.video.duration_s),
        };
        let shapes = overlay::shapes(&scene);
        let size = [frame.width, frame.height];
        if self.canvas.as_ref().is_none_or(|c| c.size() != size) {
            self.canvas = Canvas::new(size[0], size[1]);
        }
        let Some(canvas) = self.canvas.as_mut() else { return };
        self.raster.draw(canvas, &shapes, px_per_pt);
        for layer in canvas.layers() {
            frame.blend(&layer);
        }
        canvas.clear();
    }
}

fn ids<'s>(ids: impl Iterator<Item = &'s String>) -> String {
    ids.map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
}

/// Points to pixels for a frame `source_height` tall written `out_height` tall: at least
/// a pixel of the output a point.
pub fn px_per_pt(source_height: u32, out_height: u32) -> f32 {
    let out = out_height.max(1) as f32;
    (out / POINT_HEIGHT).max(1.0) * source_height as f32 / out
}

/// A written video.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Rendered {
    pub out: PathBuf,
    /// The input frames it holds, first and last.
    pub first_frame: u64,
    pub last_frame: u64,
    pub frames: u64,
    pub width: u32,
    pub height: u32,
    pub audio: bool,
    pub seconds: f64,
}

/// The frames shown from `from_s` up to (not including) `to_s`.
fn frame_range(source: &VideoSource, options: &Options) -> anyhow::Result<(u64, u64)> {
    let index = source.index();
    let duration_s = index.duration_s();
    let last = index.len().saturating_sub(1);
    for (name, t) in [("--from", options.from_s), ("--to", options.to_s)] {
        if let Some(t) = t
            && !(0.0..=duration_s).contains(&t)
        {
            anyhow::bail!("{name} {t} s is outside the video (0 to {duration_s:.3} s)");
        }
    }
    let first = options.from_s.map_or(0, |t| index.frame_at_time(t));
    let end = match options.to_s {
        Some(t) => {
            let at = index.frame_at_time(t);
            if index.time_of(at) < t { at } else { at.saturating_sub(1) }
        }
        None => last,
    };
    if end < first {
        anyhow::bail!("--to must come after --from: no frame is shown between them");
    }
    Ok((first, end.min(last)))
}

/// Where a render is written until it is whole: beside `out`, hidden, with its extension
/// (which picks the container).
fn partial_path(out: &Path) -> PathBuf {
    let name = out.file_stem().map_or_else(|| "render".into(), |s| s.to_string_lossy().into_owned());
    let ext = out.extension().map_or_else(|| "mp4".into(), |e| e.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.partial.{ext}"))
}

/// Render `options`' video of `data` (its files relative to `folder`) to `out`, which
/// must not exist yet. `stop` cancels between frames (nothing is left at `out`);
/// `progress` is told frames done of all.
pub fn render(
    data: &Dataset,
    folder: &Path,
    options: &Options,
    out: &Path,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(u64, u64),
) -> anyhow::Result<Rendered> {
    let started = Instant::now();
    let mut overlays = Overlays::new(data, options)?;
    let path = folder.join(&overlays.video.path);
    if out.exists() {
        anyhow::bail!("{} exists: choose another name, or delete it first", out.display());
    }
    let mut source = VideoSource::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let (first, last) = frame_range(&source, options)?;
    let (src_w, src_h) = (source.info().width, source.info().height);
    let [width, height] = options.size.unwrap_or([src_w, src_h]);
    if width == 0 || height == 0 || width % 2 == 1 || height % 2 == 1 {
        anyhow::bail!("--size {width}x{height}: H.264 here needs even, non-zero sides");
    }
    let index = std::sync::Arc::clone(source.index());
    let from_s = index.time_of(first);
    let to_s = if last + 1 < index.len() { index.time_of(last + 1) } else { index.duration_s() };
    let first_pts = index.pts(first).context("the first frame has no timestamp")?;
    let mut frame = source.frame(first)?;
    let mut settings = EncodeSettings::h264(width, height, 1);
    settings.time_base = source.time_base();
    settings.frame_rate = source.frame_rate().unwrap_or((source.info().fps.round().max(1.0) as i32, 1));
    settings.crf = options.crf;
    settings.color = frame.color;
    settings.audio = Some(AudioClip { path: path.clone(), from_s, to_s });
    let partial = partial_path(out);
    let result = (|| -> anyhow::Result<(u64, bool)> {
        let mut writer = VideoWriter::create(&partial, &settings)?;
        let px = px_per_pt(src_h, height);
        let total = last - first + 1;
        // One thread: the decoder's and the encoder's own threads have the cores (a
        // drawing thread beside them made the whole slower on two).
        for i in first..=last {
            if stop.load(Ordering::Relaxed) {
                anyhow::bail!("stopped after {} of {total} frames", i - first);
            }
            if i > first {
                frame = source.frame(i)?;
            }
            overlays.draw(&mut frame, i, index.time_of(i), px);
            let pts = index.pts(i).context("a frame has no timestamp")? - first_pts;
            writer.write_frame(&frame, pts)?;
            progress(i - first + 1, total);
        }
        let audio = writer.has_audio();
        Ok((writer.finish()?, audio))
    })();
    let (frames, audio) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).with_context(|| format!("cannot move the render to {}", out.display()))?;
    Ok(Rendered {
        out: out.to_owned(),
        first_frame: first,
        last_frame: last,
        frames,
        width,
        height,
        audio,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `vidence render`: the video written with a progress bar, then what was written.
pub fn command(dataset: &Path, options: &Options, out: &Path, json: bool) -> anyhow::Result<()> {
    let data = annotate::load(dataset)?;
    let folder = dataset.parent().unwrap_or(Path::new("."));
    let bar = if json { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(0) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} frames  {per_sec}  {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let rendered =
        render(&data, folder, options, out, &crate::control::stop_on_ctrl_c().stop, &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        });
    bar.finish_and_clear();
    let rendered = rendered?;
    if json {
        println!("{}", serde_json::to_string(&rendered)?);
    } else {
        println!(
            "{} frames ({} to {}) at {}x{}{} in {:.1} s -> {}",
            rendered.frames,
            rendered.first_frame,
            rendered.last_frame,
            rendered.width,
            rendered.height,
            if rendered.audio { ", audio copied" } else { "" },
            rendered.seconds,
            rendered.out.display()
        );
    }
    Ok(())
}
