//! `vidence sheet`: a contact sheet of a model's worst items, for a slide. Each tile is
//! the item's frame where it is best seen (`Item::seen_at`) with the labels and the
//! item's run drawn as the canvas draws them, and under it the item, its scores and
//! its question.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use annotate::Dataset;
use annotate::eval::{Item, SCORES};
use annotate::overlay::{self, Place, Shape, Text};
use annotate::time::FrameTimes;
use anyhow::Context;
use tiny_skia::{Color, Pixmap, PixmapPaint, Transform};
use viewer::VideoSource;

use super::raster::Raster;
use super::{Options, Overlays};

/// Room under each tile for its three lines of text, in pixels.
const CAPTION: u32 = 44;
const GAP: u32 = 8;

#[derive(Clone, Debug, PartialEq)]
pub struct SheetOptions {
    pub run: String,
    /// How many items, worst first.
    pub worst: usize,
    pub columns: u32,
    /// Each tile's width in pixels (its height follows the video's shape).
    pub tile_width: u32,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Sheet {
    pub out: PathBuf,
    /// The items shown, in order, and the second each was shown at.
    pub items: Vec<(String, f64)>,
    pub width: u32,
    pub height: u32,
}

/// The item's scores in a line: "tIoU 0.120 · vIoU 0.031".
fn scores_line(item: &Item) -> String {
    let mut parts: Vec<String> = SCORES
        .iter()
        .filter_map(|(name, score)| {
            let v = score(&item.scores)?;
            let digits = if *name == "IDSW" { 0 } else { 3 };
            Some(format!("{name} {v:.digits$}"))
        })
        .collect();
    if item.run.is_none() {
        parts.push(item.run_or_missing().to_owned());
    }
    parts.join(" · ")
}

/// One tile: the item's frame with its overlay, `width` wide, or why there is none.
fn tile(
    data: &Dataset,
    folder: &Path,
    item: &Item,
    width: u32,
    sources: &mut HashMap<String, Result<VideoSource, String>>,
) -> (Result<Pixmap, String>, f64) {
    let time_s = item.seen_at(data);
    let options = Options {
        video: Some(item.video.clone()),
        runs: item.run.iter().cloned().collect(),
        ..Options::default()
    };
    let drawn = (|| -> Result<Pixmap, String> {
        let mut overlays = Overlays::new(data, &options).map_err(|e| format!("{e:#}"))?;
        let path = folder.join(&overlays.video.path);
        let source = sources.entry(item.video.clone()).or_insert_with(|| {
            VideoSource::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        });
        let source = source.as_mut().map_err(|e| e.clone())?;
        let index = source.index().frame_at_time(time_s.clamp(0.0, source.index().duration_s()));
        let mut frame = source.frame(index).map_err(|e| e.to_string())?;
        let height =
            (u64::from(width) * u64::from(frame.height) / u64::from(frame.width.max(1))).max(2) as u32;
        // Lines and text sized for the tile, not for the frame it is shrunk from.
        let px = super::px_per_pt(frame.height, height);
        overlays.draw(&mut frame, index, source.index().time_of(index), px);
        let rgba = frame.to_rgba_scaled(width, height).map_err(|e| e.to_string())?;
        let size = tiny_skia::IntSize::from_wh(width, height).ok_or("an empty frame")?;
        Pixmap::from_vec(rgba, size).ok_or_else(|| "the frame did not convert".to_owned())
    })();
    (drawn, time_s)
}

/// Write `options.run`'s worst items of `data` (its videos relative to `folder`) as a
/// PNG contact sheet at `out`, which must not exist yet.
pub fn sheet(data: &Dataset, folder: &Path, options: &SheetOptions, out: &Path) -> anyhow::Result<Sheet> {
    if out.exists() {
        anyhow::bail!("{} exists: choose another name, or delete it first", out.display());
    }
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
        anyhow::bail!("a contact sheet is written as PNG: name it .png");
    }
    anyhow::ensure!(options.worst > 0 && options.columns > 0, "--worst and --columns must be at least 1");
    anyhow::ensure!((32..=4096).contains(&options.tile_width), "--tile-width must be 32 to 4096 pixels");
    let scores = annotate::eval::score(data, &options.run)?;
    let items: Vec<&Item> =
        annotate::eval::worst_first(&scores.items).into_iter().take(options.worst).collect();
    anyhow::ensure!(!items.is_empty(), "the model {:?} has no items to show", options.run);
    let mut sources = HashMap::new();
    let tiles: Vec<(Result<Pixmap, String>, f64)> =
        items.iter().map(|item| tile(data, folder, item, options.tile_width, &mut sources)).collect();
    let tile_height = tiles
        .iter()
        .filter_map(|(t, _)| t.as_ref().ok())
        .map(Pixmap::height)
        .max()
        .unwrap_or(options.tile_width * 9 / 16);
    let columns = options.columns.min(items.len() as u32);
    let rows = (items.len() as u32).div_ceil(columns);
    let (cell_w, cell_h) = (options.tile_width + GAP, tile_height + CAPTION + GAP);
    let (width, height) = (columns * cell_w + GAP, rows * cell_h + GAP);
    let mut sheet = Pixmap::new(width, height).context("the sheet is too large")?;
    sheet.fill(Color::from_rgba8(24, 24, 28, 255));
    let raster = Raster::new();
    let mut shown = Vec::new();
    for (n, (item, (tile, time_s))) in items.iter().zip(&tiles).enumerate() {
        let (x, y) = (GAP + (n as u32 % columns) * cell_w, GAP + (n as u32 / columns) * cell_h);
        let chain = item.chain.map(|c| format!(" (chain {c})")).unwrap_or_default();
        let mut lines = vec![
            format!("{}. {}{chain} · {} · {:.1} s", n + 1, item.id, item.video, time_s),
            scores_line(item),
        ];
        match tile {
            Ok(p) => sheet.draw_pixmap(
                x as i32,
                y as i32,
                p.as_ref(),
                &PixmapPaint::default(),
                Transform::identity(),
                None,
            ),
            Err(why) => lines.push(why.clone()),
        }
        if let Some(q) = data.question(&item.id) {
            lines.push(q.text.clone());
        }
        let text: Vec<Shape> = lines
            .iter()
            .take(3)
            .enumerate()
            .map(|(i, line)| {
                Shape::Text(Text {
                    at: [x as f32, (y + tile_height + 2) as f32 + i as f32 * 14.0],
                    place: Place::Below,
                    text: overlay::short(line, options.tile_width as usize / 6),
                    size: 11.0,
                    color: if i == 0 { [235, 235, 235, 255] } else { [170, 170, 175, 255] },
                    background: None,
                    wrap: None,
                })
            })
            .collect();
        raster.draw_onto(&mut sheet, &text, 1.0);
        shown.push((item.id.clone(), *time_s));
    }
    let image = image::RgbaImage::from_raw(width, height, sheet.take()).context("the sheet's pixels")?;
    image
        .save_with_format(out, image::ImageFormat::Png)
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(Sheet { out: out.to_owned(), items: shown, width, height })
}

/// `vidence sheet`.
pub fn command(dataset: &Path, options: &SheetOptions, out: &Path, json: bool) -> anyhow::Result<()> {
    let data = annotate::load(dataset)?;
    let folder = dataset.parent().unwrap_or(Path::new("."));
    let sheet = sheet(&data, folder, options, out)?;
    if json {
        println!("{}", serde_json::to_string(&sheet)?);
    } else {
        println!(
            "{} items, worst first, {}x{} -> {}",
            sheet.items.len(),
            sheet.width,
            sheet.height,
            out.display()
        );
        for (id, t) in &sheet.items {
            println!("  {id} at {t:.2} s");
        }
    }
    Ok(())
}
