//! What is drawn over a frame, as shapes: the dataset's boxes, model runs' evidence,
//! the reasoning step cited near the time, and a timeline strip. The window's canvas
//! paints them with egui; `vidence render` and `vidence frame --overlay` rasterise them
//! onto the frames. One function, [`shapes`], decides what both show.
//!
//! Positions are video pixels. Widths, radii and text sizes are points: the canvas
//! draws them as screen points whatever the zoom, a picture scales them with its size
//! ([`Scene::px_per_pt`]).

use crate::{Dataset, EvidenceItem, ModelRun, Review, Track, TrackBox};

/// A colour, sRGB with straight (not premultiplied) alpha.
pub type Rgba = [u8; 4];

pub const WHITE: Rgba = [255, 255, 255, 255];
pub const BLACK: Rgba = [0, 0, 0, 255];
/// The shown model's evidence.
pub const MODEL: Rgba = [255, 64, 200, 255];
/// The evidence of the model it is compared with.
pub const COMPARED: Rgba = [64, 200, 255, 255];

/// A label's box: how wide its outline is, in points.
pub const BOX_WIDTH: f32 = 2.0;
/// The selected label's outline.
pub const SELECTED_WIDTH: f32 = 3.0;
/// Text beside boxes, in points.
pub const LABEL_SIZE: f32 = 12.0;
/// A model's box shows this many seconds either side of the time it was given for,
/// unless the user says otherwise.
pub const TOLERANCE_S: f64 = 0.5;
/// A reasoning step is told as a caption this many seconds either side of its time.
pub const CAPTION_S: f64 = 1.0;
/// The timeline strip's height, in points.
pub const STRIP_PT: f32 = 28.0;

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A rectangle's outline, drawn outside it.
    Outline {
        rect: [f32; 4],
        width: f32,
        color: Rgba,
        dashed: bool,
    },
    Fill {
        rect: [f32; 4],
        color: Rgba,
    },
    Line {
        from: [f32; 2],
        to: [f32; 2],
        width: f32,
        color: Rgba,
    },
    Dot {
        at: [f32; 2],
        radius: f32,
        color: Rgba,
    },
    Ring {
        at: [f32; 2],
        radius: f32,
        width: f32,
        color: Rgba,
    },
    Text(Text),
}

/// Text at a point, on a background when it has one (with a little padding).
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub at: [f32; 2],
    pub place: Place,
    pub text: String,
    pub size: f32,
    pub color: Rgba,
    pub background: Option<Rgba>,
    /// Lines break at spaces to stay within this many points.
    pub wrap: Option<f32>,
}

/// Where text sits against its point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// Its bottom-left corner at the point (a label above a box).
    Above,
    /// Its top-left corner at the point (a label below a box).
    Below,
    Center,
    /// Its left side, vertically centred, this many points right of the point.
    Right(f32),
    /// Centred horizontally, its bottom at the point (a caption).
    AboveCenter,
}

/// One model run's evidence and how to show it.
#[derive(Clone, Debug)]
pub struct Layer<'a> {
    pub run: &'a ModelRun,
    pub color: Rgba,
    /// A box shows within this many seconds of the time it was given for.
    pub tolerance_s: f64,
    /// The box picked from the trace: shown even when judged, and tinted.
    pub highlight: Option<usize>,
    /// The box under the pointer: tinted.
    pub hovered: Option<usize>,
}

impl Layer<'_> {
    /// The indices of the run's boxes to show at `now_s`: open ones near their time.
    pub fn boxes_at(&self, now_s: f64) -> Vec<usize> {
        let boxes = &self.run.prediction.boxes;
        (0..boxes.len())
            .filter(|&i| self.run.is_open(&EvidenceItem::Box { index: i }) || self.highlight == Some(i))
            .filter(|&i| boxes[i].time_s.is_none_or(|t| (t - now_s).abs() <= self.tolerance_s))
            .collect()
    }
}

/// What is on one frame, and which parts to draw.
#[derive(Clone, Debug)]
pub struct Scene<'a> {
    pub dataset: Option<&'a Dataset>,
    pub video: &'a str,
    pub frame: u64,
    pub time_s: f64,
    /// The frame's size in pixels.
    pub size: [f32; 2],
    /// Pixels per point, for what is placed in points (captions, the strip).
    pub px_per_pt: f32,
    /// Draw the dataset's boxes.
    pub labels: bool,
    pub selected: Option<&'a str>,
    /// A track not drawn (the one being dragged, drawn where it is going).
    pub hidden: Option<&'a str>,
    pub layers: Vec<Layer<'a>>,
    /// The reasoning step cited near the time, as a caption.
    pub caption: bool,
    /// A strip along the bottom: the video's segments, the runs' spans and the play
    /// head, over a video this many seconds long.
    pub strip: Option<f64>,
}

/// The dataset's tracks with a box on `frame`.
pub fn track_boxes<'a>(dataset: &'a Dataset, video: &'a str, frame: u64) -> Vec<(&'a Track, TrackBox)> {
    dataset.tracks_of(video).filter_map(|t| Some((t, t.box_at(frame)?))).collect()
}

/// Everything drawn over the frame, bottom first.
pub fn shapes(scene: &Scene) -> Vec<Shape> {
    let mut out = Vec::new();
    if scene.labels
        && let Some(dataset) = scene.dataset
    {
        labels(scene, dataset, &mut out);
    }
    for layer in &scene.layers {
        evidence(layer, scene.time_s, &mut out);
    }
    let strip_top = scene.size[1] - STRIP_PT * scene.px_per_pt;
    if let Some(duration_s) = scene.strip {
        strip(scene, duration_s, strip_top, &mut out);
    }
    if scene.caption
        && let Some(text) = caption(&scene.layers, scene.time_s)
    {
        let bottom = if scene.strip.is_some() { strip_top } else { scene.size[1] };
        out.push(Shape::Text(Text {
            at: [scene.size[0] / 2.0, bottom - 6.0 * scene.px_per_pt],
            place: Place::AboveCenter,
            text,
            size: 14.0,
            color: WHITE,
            background: Some([0, 0, 0, 180]),
            wrap: Some(scene.size[0] / scene.px_per_pt * 0.9),
        }));
    }
    out
}

fn labels(scene: &Scene, dataset: &Dataset, out: &mut Vec<Shape>) {
    for (track, at) in track_boxes(dataset, scene.video, scene.frame) {
        if Some(track.id.as_str()) == scene.hidden {
            continue;
        }
        let category = dataset.category(&track.category);
        let [r, g, b] = category.and_then(|c| c.color).unwrap_or([255, 255, 255]);
        // A rejected label stays visible, faded, so a reviewer can still undo it.
        let alpha = if track.review == Review::Rejected { 90 } else { 255 };
        let color = [r, g, b, alpha];
        let width = if Some(track.id.as_str()) == scene.selected {
            SELECTED_WIDTH
        } else if at.occluded {
            1.0
        } else {
            BOX_WIDTH
        };
        let rect = at.bbox.0;
        out.push(Shape::Outline { rect, width, color, dashed: false });
        let name = category.map_or_else(|| track.category.clone(), |c| c.name.clone());
        let text = if at.occluded { format!("{name} (occluded)") } else { name };
        out.push(Shape::Text(Text {
            at: [rect[0], rect[1]],
            place: Place::Above,
            text,
            size: LABEL_SIZE,
            color: BLACK,
            background: Some(color),
            wrap: None,
        }));
    }
}

fn faded(color: Rgba, alpha: f32) -> Rgba {
    let [r, g, b, a] = color;
    [r, g, b, (f32::from(a) * alpha.clamp(0.0, 1.0)).round() as u8]
}

fn evidence(layer: &Layer, now_s: f64, out: &mut Vec<Shape>) {
    let (run, color) = (layer.run, layer.color);
    let span = (run.settings.to_s - run.settings.from_s).max(1.0);
    // Each object's path of box centres: solid near the play head, faint a quarter of
    // the clip away.
    let alpha = |t: f64| (1.0 - ((t - now_s).abs() / (span / 4.0)).min(1.0) * 0.85) as f32;
    for label in run.trajectories() {
        if !run.is_open(&EvidenceItem::Track { label: label.clone() }) {
            continue;
        }
        let points: Vec<(f64, [f32; 2])> = run
            .boxes_of(&label)
            .iter()
            .filter_map(|b| {
                let [x1, y1, x2, y2] = b.bbox.0;
                Some((b.time_s?, [(x1 + x2) / 2.0, (y1 + y2) / 2.0]))
            })
            .collect();
        for w in points.windows(2) {
            let color = faded(color, alpha((w[0].0 + w[1].0) / 2.0));
            out.push(Shape::Line { from: w[0].1, to: w[1].1, width: 2.0, color });
        }
        for (t, at) in &points {
            out.push(Shape::Dot { at: *at, radius: 3.0, color: faded(color, alpha(*t)) });
        }
    }
    // Points the model gave (Qwen3-VL's `point_2d`) near this time: a ringed dot.
    for pt in &run.prediction.points {
        if pt.time_s.is_some_and(|t| (t - now_s).abs() > layer.tolerance_s) {
            continue;
        }
        let at = [pt.x, pt.y];
        out.push(Shape::Ring { at, radius: 7.0, width: 2.0, color });
        out.push(Shape::Dot { at, radius: 2.5, color });
        if let Some(label) = &pt.label {
            out.push(Shape::Text(Text {
                at,
                place: Place::Right(9.0),
                text: printable(label),
                size: LABEL_SIZE,
                color,
                background: None,
                wrap: None,
            }));
        }
    }
    // Each step grounded to a box near this time: its number at the box's corner.
    for (n, step) in run.prediction.steps.iter().enumerate() {
        let (Some(b), Some(t)) = (step.bbox, step.time_s) else { continue };
        if (t - now_s).abs() > layer.tolerance_s {
            continue;
        }
        let at = [b.0[2], b.0[1]];
        out.push(Shape::Dot { at, radius: 8.0, color: WHITE });
        out.push(Shape::Text(Text {
            at,
            place: Place::Center,
            text: (n + 1).to_string(),
            size: 11.0,
            color,
            background: None,
            wrap: None,
        }));
    }
    for i in layer.boxes_at(now_s) {
        let b = &run.prediction.boxes[i];
        let rect = b.bbox.0;
        let lit = layer.highlight == Some(i) || layer.hovered == Some(i);
        if lit {
            out.push(Shape::Fill { rect, color: faded(color, 0.18) });
        }
        let width = if lit { SELECTED_WIDTH } else { BOX_WIDTH };
        out.push(Shape::Outline { rect, width, color, dashed: true });
        out.push(Shape::Text(Text {
            at: [rect[0], rect[3]],
            place: Place::Below,
            text: box_text(run, i, "model"),
            size: LABEL_SIZE,
            color: WHITE,
            background: Some(faded(color, 0.85)),
            wrap: None,
        }));
    }
}

/// The reasoning step told nearest `now_s`, within [`CAPTION_S`] of its time, with its
/// number: "2. Then the triangle …". The first layer's steps win a tie.
pub fn caption(layers: &[Layer], now_s: f64) -> Option<String> {
    let mut best: Option<(f64, usize, &str)> = None;
    for layer in layers {
        for (n, step) in layer.run.prediction.steps.iter().enumerate() {
            let Some(t) = step.time_s else { continue };
            let off = (t - now_s).abs();
            if off <= CAPTION_S && best.is_none_or(|(b, _, _)| off < b) {
                best = Some((off, n + 1, step.text.as_str()));
            }
        }
    }
    best.map(|(_, n, text)| printable(&format!("{n}. {}", text.trim())))
}

fn strip(scene: &Scene, duration_s: f64, top: f32, out: &mut Vec<Shape>) {
    let [w, h] = scene.size;
    let duration_s = duration_s.max(1e-6);
    let x = |t: f64| (t / duration_s).clamp(0.0, 1.0) as f32 * w;
    out.push(Shape::Fill { rect: [0.0, top, w, h], color: [0, 0, 0, 160] });
    let mid = (top + h) / 2.0;
    let pad = 3.0 * scene.px_per_pt;
    if let Some(dataset) = scene.dataset {
        for s in dataset.segments_of(scene.video) {
            let rect = [x(s.start_s), top + pad, x(s.end_s).max(x(s.start_s) + 1.0), mid - pad / 2.0];
            out.push(Shape::Fill { rect, color: [255, 255, 255, 150] });
        }
    }
    for layer in &scene.layers {
        for (i, s) in layer.run.prediction.spans.iter().enumerate() {
            if !layer.run.is_open(&EvidenceItem::Span { index: i }) {
                continue;
            }
            let rect = [x(s.start_s), mid + pad / 2.0, x(s.end_s).max(x(s.start_s) + 1.0), h - pad];
            out.push(Shape::Fill { rect, color: faded(layer.color, 0.8) });
        }
    }
    let head = x(scene.time_s);
    out.push(Shape::Line { from: [head, top], to: [head, h], width: 2.0, color: WHITE });
}

/// `text` cut to `n` characters, an ellipsis marking the cut.
pub fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A run's box `i` in words: its label (`unnamed` without one), the time it was given
/// for and how sure the model was: "cup @ 1.5 s · 92%".
pub fn box_text(run: &ModelRun, i: usize, unnamed: &str) -> String {
    let Some(b) = run.prediction.boxes.get(i) else { return String::new() };
    let time = b.time_s.map_or_else(String::new, |t| format!(" @ {t:.1} s"));
    let sure = run
        .box_confidence
        .get(i)
        .copied()
        .flatten()
        .map_or_else(String::new, |c| format!(" · {:.0}%", c * 100.0));
    printable(&format!("{}{time}{sure}", b.label.as_deref().unwrap_or(unnamed)))
}

/// Model text for display: control characters and undecodable bytes (a token can end
/// inside a character) as `?`.
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || c == '\u{fffd}' { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BBox, PredictedBox, RationaleKind, RationaleStep};

    fn dataset() -> Dataset {
        serde_json::from_value(serde_json::json!({
            "schema": crate::SCHEMA,
            "videos": [{"id": "v", "path": "v.mp4", "width": 640, "height": 360, "fps": 30.0, "frame_count": 300, "duration_s": 10.0}],
            "categories": [{"id": "c", "name": "cup", "color": [10, 200, 30]}],
            "tracks": [{"id": "t1", "video": "v", "category": "c", "source": {"kind": "human"},
                "keyframes": [{"frame": 0, "bbox": [10, 20, 110, 120]}, {"frame": 100, "bbox": [110, 20, 210, 120]}]}],
            "segments": [{"id": "s", "video": "v", "label": "lift", "start_s": 2.0, "end_s": 4.0,
                "source": {"kind": "human"}}]
        }))
        .unwrap()
    }

    fn run(data: &Dataset) -> ModelRun {
        let _ = data;
        let mut run: ModelRun = serde_json::from_value(serde_json::json!({
            "id": "run-1", "video": "v", "raw": "",
            "model": {"backend": "given", "name": "m"},
            "settings": {"task": "answer", "prompt": "", "from_s": 0.0, "to_s": 10.0, "fps": 2.0,
                "max_frames": 8, "sampling": "uniform", "frames_s": []},
            "reading": {"dialect": "qwen3_vl", "context": {"video_width": 640, "video_height": 360,
                "coordinates": {"kind": "relative1000"}, "clip_start_s": 0.0}},
            "prediction": {}
        }))
        .unwrap();
        run.prediction.boxes = vec![
            PredictedBox {
                label: Some("cup".into()),
                time_s: Some(1.0),
                time_text: None,
                bbox: BBox([0.0, 0.0, 50.0, 50.0]),
            },
            PredictedBox {
                label: Some("cup".into()),
                time_s: Some(3.0),
                time_text: None,
                bbox: BBox([100.0, 0.0, 150.0, 50.0]),
            },
        ];
        run.prediction.steps = vec![
            RationaleStep {
                text: "The cup is on the left.".into(),
                kind: RationaleKind::Perception,
                time_s: Some(1.0),
                bbox: Some(BBox([0.0, 0.0, 50.0, 50.0])),
            },
            RationaleStep {
                text: "It moves right.".into(),
                kind: RationaleKind::Perception,
                time_s: Some(3.0),
                bbox: None,
            },
        ];
        run
    }

    fn scene<'a>(data: &'a Dataset, layers: Vec<Layer<'a>>, frame: u64) -> Scene<'a> {
        Scene {
            dataset: Some(data),
            video: "v",
            frame,
            time_s: frame as f64 / 30.0,
            size: [640.0, 360.0],
            px_per_pt: 1.0,
            labels: true,
            selected: None,
            hidden: None,
            layers,
            caption: true,
            strip: Some(10.0),
        }
    }

    #[test]
    fn a_track_is_outlined_where_it_is_interpolated_with_its_category() {
        let data = dataset();
        let shapes = shapes(&Scene { caption: false, strip: None, ..scene(&data, vec![], 50) });
        assert_eq!(
            shapes[0],
            Shape::Outline {
                rect: [60.0, 20.0, 160.0, 120.0],
                width: BOX_WIDTH,
                color: [10, 200, 30, 255],
                dashed: false
            }
        );
        let Shape::Text(t) = &shapes[1] else { panic!("{shapes:?}") };
        assert_eq!((t.text.as_str(), t.at, t.place), ("cup", [60.0, 20.0], Place::Above));
        // Hidden, or with labels off, nothing is drawn.
        assert!(
            super::shapes(&Scene {
                hidden: Some("t1"),
                caption: false,
                strip: None,
                ..scene(&data, vec![], 50)
            })
            .is_empty()
        );
        assert!(
            super::shapes(&Scene { labels: false, caption: false, strip: None, ..scene(&data, vec![], 50) })
                .is_empty()
        );
    }

    #[test]
    fn evidence_shows_near_its_time_and_the_step_cited_is_the_caption() {
        let data = dataset();
        let run = run(&data);
        let layer = Layer { run: &run, color: MODEL, tolerance_s: 0.5, highlight: None, hovered: Some(1) };
        let at = |frame| shapes(&scene(&data, vec![layer.clone()], frame));
        let dashed = |s: &[Shape]| {
            s.iter()
                .filter_map(|s| match s {
                    Shape::Outline { rect, dashed: true, width, .. } => Some((rect[0], *width)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        // 1.0 s: the first box; 3.0 s: the second, lit as hovered; 2.0 s: neither.
        assert_eq!(dashed(&at(30)), vec![(0.0, BOX_WIDTH)]);
        assert_eq!(dashed(&at(90)), vec![(100.0, SELECTED_WIDTH)]);
        assert!(dashed(&at(60)).is_empty());
        let captions = |s: &[Shape]| {
            s.iter()
                .filter_map(|s| match s {
                    Shape::Text(t) if t.place == Place::AboveCenter => Some(t.text.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(captions(&at(30)), vec!["1. The cup is on the left."]);
        assert_eq!(captions(&at(95)), vec!["2. It moves right."]);
        assert!(captions(&at(150)).is_empty(), "5 s is more than {CAPTION_S} s from any step");
        // The path joins the two centres, faded by its middle's distance from the play
        // head (1 s of a 10 s clip's quarter: alpha 1 - 0.4 * 0.85); the strip puts the
        // play head at 3 s of 10.
        let s = at(90);
        let path = [255, 64, 200, 168];
        assert!(s.contains(&Shape::Line { from: [25.0, 25.0], to: [125.0, 25.0], width: 2.0, color: path }));
        assert!(s.contains(&Shape::Line {
            from: [192.0, 332.0],
            to: [192.0, 360.0],
            width: 2.0,
            color: WHITE
        }));
        // The segment 2-4 s sits on the strip's upper half.
        assert!(
            s.iter().any(|s| matches!(s, Shape::Fill { rect, .. } if rect[0] == 128.0 && rect[2] == 256.0))
        );
    }

    #[test]
    fn judged_boxes_are_not_drawn_unless_picked_from_the_trace() {
        let data = dataset();
        let mut run = run(&data);
        run.verdicts.push(crate::Verdict {
            item: EvidenceItem::Box { index: 0 },
            review: Review::Rejected,
            label: None,
        });
        let layer = Layer { run: &run, color: MODEL, tolerance_s: 0.5, highlight: None, hovered: None };
        assert!(layer.boxes_at(1.0).is_empty());
        assert_eq!(Layer { highlight: Some(0), ..layer }.boxes_at(1.0), vec![0]);
    }
}
