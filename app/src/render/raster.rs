//! The overlay's shapes drawn onto a transparent picture (tiny-skia), text in the font
//! the window draws with (`assets/fonts`), laid over the frame only where they cover it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use annotate::overlay::{Place, Rgba, Shape};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, PixmapPaint, Rect, Stroke, StrokeDash, Transform};

const FONT: &[u8] = include_bytes!("../../../assets/fonts/Ubuntu-Light.ttf");
/// Padding around text on a background, in points (as the canvas pads it).
const PAD: [f32; 2] = [3.0, 1.0];

/// Tiles of the canvas, in pixels a side (even, so a tile holds whole chroma samples).
const TILE: u32 = 32;

/// A transparent picture the size of the frame, kept from frame to frame: only the
/// tiles drawn on are laid over the frame and cleared again, so the cost follows what
/// is drawn, not the frame's size.
pub struct Canvas {
    pixmap: Pixmap,
    columns: u32,
    marked: Vec<bool>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Option<Self> {
        let columns = width.div_ceil(TILE);
        let marked = vec![false; (columns * height.div_ceil(TILE)) as usize];
        Some(Self { pixmap: Pixmap::new(width, height)?, columns, marked })
    }

    pub fn size(&self) -> [u32; 2] {
        [self.pixmap.width(), self.pixmap.height()]
    }

    /// Mark the tiles under `b` as drawn on.
    fn mark(&mut self, b: Rect) {
        let [w, h] = self.size();
        let tile = |v: f32, max: u32| (v.max(0.0) as u32).min(max.saturating_sub(1)) / TILE;
        if b.right() < 0.0 || b.bottom() < 0.0 || b.left() >= w as f32 || b.top() >= h as f32 {
            return;
        }
        for ty in tile(b.top(), h)..=tile(b.bottom(), h) {
            for tx in tile(b.left(), w)..=tile(b.right(), w) {
                self.marked[(ty * self.columns + tx) as usize] = true;
            }
        }
    }

    /// The tile `(tx, ty)` in pixels, cut to the canvas: x0, y0, x1, y1.
    fn tile_rect(&self, tx: u32, ty: u32) -> [u32; 4] {
        let [w, h] = self.size();
        [tx * TILE, ty * TILE, ((tx + 1) * TILE).min(w), ((ty + 1) * TILE).min(h)]
    }

    /// What was drawn since the last clear, as runs of tiles along each row of tiles.
    pub fn layers(&self) -> Vec<viewer::Layer<'_>> {
        let mut out = Vec::new();
        let rows = self.marked.len() as u32 / self.columns.max(1);
        let stride = self.pixmap.width();
        for ty in 0..rows {
            let mut tx = 0;
            while tx < self.columns {
                let drawn = |tx: u32| self.marked[(ty * self.columns + tx) as usize];
                if !drawn(tx) {
                    tx += 1;
                    continue;
                }
                let start = tx;
                while tx < self.columns && drawn(tx) {
                    tx += 1;
                }
                let [x0, y0, _, y1] = self.tile_rect(start, ty);
                let x1 = self.tile_rect(tx - 1, ty)[2];
                let first = ((y0 * stride + x0) * 4) as usize;
                let last = (((y1 - 1) * stride + x1) * 4) as usize;
                out.push(viewer::Layer {
                    x: x0,
                    y: y0,
                    width: x1 - x0,
                    height: y1 - y0,
                    stride,
                    rgba: &self.pixmap.data()[first..last],
                });
            }
        }
        out
    }

    /// Make the marked tiles transparent again.
    pub fn clear(&mut self) {
        let w = self.pixmap.width() as usize;
        for i in 0..self.marked.len() as u32 {
            if !std::mem::take(&mut self.marked[i as usize]) {
                continue;
            }
            let [x0, y0, x1, y1] = self.tile_rect(i % self.columns, i / self.columns);
            let data = self.pixmap.data_mut();
            for y in y0 as usize..y1 as usize {
                data[(y * w + x0 as usize) * 4..(y * w + x1 as usize) * 4].fill(0);
            }
        }
    }
}

/// A shape in the picture's pixels.
enum Placed {
    Path {
        path: tiny_skia::Path,
        stroke: Option<Stroke>,
        color: Rgba,
        cover: Vec<Rect>,
    },
    /// Filled rectangles (a solid outline's four sides: filled, not stroked, is quicker).
    Rects {
        rects: Vec<Rect>,
        color: Rgba,
    },
    /// Text, drawn once into a picture of its own and stamped where it goes.
    Stamp {
        x: i32,
        y: i32,
        picture: Rc<Pixmap>,
    },
}

/// A rectangle grown by `by` on every side.
fn grown(b: Rect, by: f32) -> Option<Rect> {
    Rect::from_ltrb(b.left() - by, b.top() - by, b.right() + by, b.bottom() + by)
}

/// Where a line `width` wide from `a` to `b` lies: boxes along it no longer than a
/// tile, so a long diagonal does not claim the whole rectangle it spans.
fn along(a: [f32; 2], b: [f32; 2], width: f32) -> Vec<Rect> {
    let pieces = ((b[0] - a[0]).hypot(b[1] - a[1]) / TILE as f32).ceil().max(1.0) as usize;
    let at = |k: usize| {
        let f = k as f32 / pieces as f32;
        [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f]
    };
    (0..pieces)
        .filter_map(|k| {
            let (p, q) = (at(k), at(k + 1));
            let r = Rect::from_ltrb(
                p[0].min(q[0]),
                p[1].min(q[1]),
                p[0].max(q[0]) + 0.01,
                p[1].max(q[1]) + 0.01,
            )?;
            grown(r, width / 2.0 + 1.0)
        })
        .collect()
}

impl Placed {
    /// Where it lies, with a pixel for antialiasing.
    fn cover(&self) -> Vec<Rect> {
        match self {
            Placed::Path { cover, .. } => cover.clone(),
            Placed::Rects { rects, .. } => rects.iter().filter_map(|r| grown(*r, 1.0)).collect(),
            Placed::Stamp { x, y, picture } => {
                let (w, h) = (picture.width() as f32, picture.height() as f32);
                Rect::from_xywh(*x as f32, *y as f32, w, h).into_iter().collect()
            }
        }
    }
}

/// A text's stamp, told apart by everything that changes its pixels.
#[derive(Clone, PartialEq, Eq, Hash)]
struct StampKey {
    text: String,
    /// Pixels, as bits.
    size: u32,
    wrap: Option<u32>,
    centred: bool,
    color: Rgba,
    background: Option<Rgba>,
}

/// Stamps kept at most: a video's labels, times and captions.
const STAMPS: usize = 1024;

pub struct Raster {
    font: FontRef<'static>,
    stamps: RefCell<HashMap<StampKey, Rc<Pixmap>>>,
}

impl Default for Raster {
    fn default() -> Self {
        Self::new()
    }
}

impl Raster {
    pub fn new() -> Self {
        // The font is compiled in and egui reads the same file: it parses.
        Self { font: FontRef::new(FONT).expect("the shipped font parses"), stamps: RefCell::default() }
    }

    /// Draw `shapes` onto `canvas` at `px_per_pt`, marking the tiles they cover.
    pub fn draw(&self, canvas: &mut Canvas, shapes: &[Shape], px_per_pt: f32) {
        let placed: Vec<Placed> = shapes.iter().filter_map(|s| self.place(s, px_per_pt)).collect();
        for b in placed.iter().flat_map(Placed::cover) {
            canvas.mark(b);
        }
        paint_all(&mut canvas.pixmap, &placed);
    }

    /// Draw `shapes` onto the whole of `pixmap` (a picture being composed).
    pub fn draw_onto(&self, pixmap: &mut Pixmap, shapes: &[Shape], px_per_pt: f32) {
        let placed: Vec<Placed> = shapes.iter().filter_map(|s| self.place(s, px_per_pt)).collect();
        paint_all(pixmap, &placed);
    }

    fn place(&self, shape: &Shape, px: f32) -> Option<Placed> {
        let rect = |r: [f32; 4]| Rect::from_ltrb(r[0], r[1], r[2].max(r[0] + 0.5), r[3].max(r[1] + 0.5));
        let stroke = |width: f32| Stroke { width: (width * px).max(1.0), ..Stroke::default() };
        let path = |path: tiny_skia::Path, stroke: Option<Stroke>, color: Rgba, cover: Vec<Rect>| {
            Some(Placed::Path { path, stroke, color, cover })
        };
        match shape {
            Shape::Outline { rect: r, width, color, dashed: false } => {
                // Outside the box, as the canvas draws it.
                let w = (width * px).max(1.0);
                let [x0, y0, x1, y1] = [r[0] - w, r[1] - w, r[2] + w, r[3] + w];
                let sides =
                    [[x0, y0, x1, r[1]], [x0, r[3], x1, y1], [x0, r[1], r[0], r[3]], [r[2], r[1], x1, r[3]]];
                let rects = sides.iter().filter_map(|&[a, b, c, d]| Rect::from_ltrb(a, b, c, d)).collect();
                Some(Placed::Rects { rects, color: *color })
            }
            Shape::Outline { rect: r, width, color, dashed: true } => {
                let mut stroke = stroke(*width);
                stroke.dash = StrokeDash::new(vec![6.0 * px, 4.0 * px], 0.0);
                let w = stroke.width;
                let [x0, y0, x1, y1] = *r;
                let cover = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
                    .windows(2)
                    .flat_map(|e| along(e[0], e[1], w))
                    .collect();
                path(PathBuilder::from_rect(rect(*r)?), Some(stroke), *color, cover)
            }
            Shape::Fill { rect: r, color } => {
                let r = rect(*r)?;
                path(PathBuilder::from_rect(r), None, *color, grown(r, 1.0).into_iter().collect())
            }
            Shape::Line { from, to, width, color } => {
                let mut b = PathBuilder::new();
                b.move_to(from[0], from[1]);
                b.line_to(to[0], to[1]);
                let stroke = stroke(*width);
                let cover = along(*from, *to, stroke.width);
                path(b.finish()?, Some(stroke), *color, cover)
            }
            Shape::Dot { at, radius, color } => {
                let circle = PathBuilder::from_circle(at[0], at[1], radius * px)?;
                let cover = grown(circle.bounds(), 1.0).into_iter().collect();
                path(circle, None, *color, cover)
            }
            Shape::Ring { at, radius, width, color } => {
                let circle = PathBuilder::from_circle(at[0], at[1], radius * px)?;
                let stroke = stroke(*width);
                let cover = grown(circle.bounds(), stroke.width / 2.0 + 1.0).into_iter().collect();
                path(circle, Some(stroke), *color, cover)
            }
            Shape::Text(t) => self.text(t, px),
        }
    }

    /// Text placed as its stamp, drawn the first time it is asked for.
    fn text(&self, t: &annotate::overlay::Text, px: f32) -> Option<Placed> {
        let key = StampKey {
            text: t.text.clone(),
            size: (t.size * px).to_bits(),
            wrap: t.wrap.map(|w| (w * px).to_bits()),
            centred: matches!(t.place, Place::AboveCenter),
            color: t.color,
            background: t.background,
        };
        let found = self.stamps.borrow().get(&key).cloned();
        let picture = match found {
            Some(p) => p,
            None => {
                let p = Rc::new(self.stamp(&key, px)?);
                let mut stamps = self.stamps.borrow_mut();
                if stamps.len() >= STAMPS {
                    stamps.clear();
                }
                stamps.insert(key, Rc::clone(&p));
                p
            }
        };
        let (w, h) = (picture.width() as f32, picture.height() as f32);
        let [x, y] = t.at;
        let (left, top) = match t.place {
            Place::Above => (x, y - h),
            Place::Below => (x, y),
            Place::Center => (x - w / 2.0, y - h / 2.0),
            Place::Right(gap) => (x + gap * px, y - h / 2.0),
            Place::AboveCenter => (x - w / 2.0, y - h),
        };
        Some(Placed::Stamp { x: left.round() as i32, y: top.round() as i32, picture })
    }

    /// The text of `key` drawn on its background, padded, from the picture's corner.
    fn stamp(&self, key: &StampKey, px: f32) -> Option<Pixmap> {
        let size = f32::from_bits(key.size);
        let metrics = self.font.metrics(Size::new(size), LocationRef::default());
        let line_height = metrics.ascent - metrics.descent + metrics.leading;
        let lines = self.lines(&key.text, size, key.wrap.map(f32::from_bits));
        let width = lines.iter().map(|(_, w)| *w).fold(0.0f32, f32::max);
        let pad = if key.background.is_some() { [PAD[0] * px, PAD[1] * px] } else { [0.0, 0.0] };
        let (w, h) = (width + 2.0 * pad[0], line_height * lines.len() as f32 + 2.0 * pad[1]);
        let mut picture = Pixmap::new(w.ceil().max(1.0) as u32, h.ceil().max(1.0) as u32)?;
        if let Some(bg) = key.background {
            picture.fill(tiny_skia::Color::from_rgba8(bg[0], bg[1], bg[2], bg[3]));
        }
        let mut pen = Pen { builder: PathBuilder::new(), x: 0.0, y: 0.0 };
        let outlines = self.font.outline_glyphs();
        let charmap = self.font.charmap();
        let advances = self.font.glyph_metrics(Size::new(size), LocationRef::default());
        for (n, (line, line_width)) in lines.iter().enumerate() {
            // Wrapped lines are centred under a centred caption.
            let indent = if key.centred { (width - line_width) / 2.0 } else { 0.0 };
            pen.x = pad[0] + indent;
            pen.y = pad[1] + metrics.ascent + line_height * n as f32;
            for ch in line.chars() {
                let Some(glyph) = charmap.map(ch) else {
                    pen.x += size / 2.0;
                    continue;
                };
                if let Some(outline) = outlines.get(glyph) {
                    let _ = outline
                        .draw(DrawSettings::unhinted(Size::new(size), LocationRef::default()), &mut pen);
                }
                pen.x += advances.advance_width(glyph).unwrap_or(size / 2.0);
            }
        }
        if let Some(glyphs) = pen.builder.finish() {
            picture.fill_path(&glyphs, &paint(key.color), FillRule::Winding, Transform::identity(), None);
        }
        Some(picture)
    }

    /// `text` broken at spaces into lines no wider than `wrap` pixels, with each width.
    fn lines(&self, text: &str, size: f32, wrap: Option<f32>) -> Vec<(String, f32)> {
        let advances = self.font.glyph_metrics(Size::new(size), LocationRef::default());
        let charmap = self.font.charmap();
        let width = |s: &str| {
            s.chars()
                .map(|c| charmap.map(c).and_then(|g| advances.advance_width(g)).unwrap_or(size / 2.0))
                .sum::<f32>()
        };
        let Some(wrap) = wrap else { return vec![(text.to_owned(), width(text))] };
        let mut lines: Vec<(String, f32)> = Vec::new();
        let mut line = String::new();
        for word in text.split(' ') {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if !line.is_empty() && width(&candidate) > wrap {
                let w = width(&line);
                lines.push((std::mem::replace(&mut line, word.to_owned()), w));
            } else {
                line = candidate;
            }
        }
        let w = width(&line);
        lines.push((line, w));
        lines
    }
}

fn paint_all(pixmap: &mut Pixmap, placed: &[Placed]) {
    for p in placed {
        match p {
            Placed::Path { path, stroke: Some(stroke), color, .. } => {
                pixmap.stroke_path(path, &paint(*color), stroke, Transform::identity(), None);
            }
            Placed::Path { path, stroke: None, color, .. } => {
                pixmap.fill_path(path, &paint(*color), FillRule::Winding, Transform::identity(), None);
            }
            Placed::Rects { rects, color } => {
                for r in rects {
                    pixmap.fill_rect(*r, &paint(*color), Transform::identity(), None);
                }
            }
            Placed::Stamp { x, y, picture } => {
                pixmap.draw_pixmap(
                    *x,
                    *y,
                    picture.as_ref().as_ref(),
                    &PixmapPaint::default(),
                    Transform::identity(),
                    None,
                );
            }
        }
    }
}

fn paint(color: Rgba) -> Paint<'static> {
    let [r, g, b, a] = color;
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, a);
    paint.anti_alias = true;
    paint
}

/// Glyph outlines (y up, from the pen's origin) into one path in picture pixels.
struct Pen {
    builder: PathBuilder,
    x: f32,
    y: f32,
}

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.builder.move_to(self.x + x, self.y - y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.builder.line_to(self.x + x, self.y - y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.builder.quad_to(self.x + cx0, self.y - cy0, self.x + x, self.y - y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.builder.cubic_to(self.x + cx0, self.y - cy0, self.x + cx1, self.y - cy1, self.x + x, self.y - y);
    }
    fn close(&mut self) {
        self.builder.close();
    }
}
