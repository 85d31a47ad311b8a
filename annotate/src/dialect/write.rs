//! Writing what a model should answer, in the shapes [`super::parse`] reads: the
//! fine-tuning exports write labels with it, so parsing an exported answer gives the
//! labels back (to the grid's and the clock's precision). Boxes go on the context's
//! grid (0–1000, or pixels of the model's input), times in seconds from the clip's
//! start with two decimals.

use serde_json::{Value, json};

use super::parse::{Context, Coordinates};
use crate::geometry::BBox;
use crate::prediction::Prediction;

/// How an answer lays out its evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A JSON list in a code fence: `{"time", "bbox_2d", "label"}` and
    /// `{"start", "end", "label"}` (Qwen-VL's grounding answers).
    Json,
    /// Tags in the text: `<obj>label</obj><box>[x1,y1,x2,y2]</box> at <t>time</t>` and
    /// `from <t>start</t> to <t>end</t>` (Open-o3 Video, and Vidence's answer task).
    Tags,
}

/// Whose conventions an answer is written in: the grid its boxes are on and how it
/// lays them out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grounding {
    /// 0–1000 across the frame, JSON (Qwen3-VL).
    #[default]
    Qwen3Vl,
    /// Pixels of the frame as Qwen2.5-VL resizes it, JSON.
    Qwen25Vl,
    /// Pixels of the resized frame, in `<obj>`, `<box>` and `<t>` tags (Open-o3 Video,
    /// trained from Qwen2.5-VL).
    OpenO3,
}

impl Grounding {
    pub const ALL: [Grounding; 3] = [Grounding::Qwen3Vl, Grounding::Qwen25Vl, Grounding::OpenO3];

    pub fn name(self) -> &'static str {
        match self {
            Grounding::Qwen3Vl => "qwen3-vl",
            Grounding::Qwen25Vl => "qwen2.5-vl",
            Grounding::OpenO3 => "open-o3",
        }
    }

    /// The grid of a `width` x `height` video's boxes.
    pub fn coordinates(self, width: u32, height: u32) -> Coordinates {
        match self {
            Grounding::Qwen3Vl => Coordinates::Relative1000,
            Grounding::Qwen25Vl | Grounding::OpenO3 => {
                let (width, height) = qwen25_video_size(width, height);
                Coordinates::Pixels { width, height }
            }
        }
    }

    pub fn layout(self) -> Layout {
        match self {
            Grounding::Qwen3Vl | Grounding::Qwen25Vl => Layout::Json,
            Grounding::OpenO3 => Layout::Tags,
        }
    }
}

impl std::str::FromStr for Grounding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| format!("{s:?} is not one of {}", Self::ALL.map(Grounding::name).join(", ")))
    }
}

/// `p` as a model would write it: the reasoning in `<think>`, the evidence, and the
/// answer (in `<answer>` when anything else is there).
pub fn write(p: &Prediction, layout: Layout, cx: &Context) -> String {
    let mut parts = Vec::new();
    if !p.steps.is_empty() {
        let steps: Vec<String> = p
            .steps
            .iter()
            .map(|s| {
                let mut step = s.text.trim().to_owned();
                if let Some(t) = s.time_s {
                    step.push_str(&format!(" at <t>{}</t>", time(t, cx)));
                }
                step
            })
            .collect();
        parts.push(format!("<think>{}</think>", steps.join(" ")));
    }
    match layout {
        Layout::Json => {
            let mut items: Vec<Value> = Vec::new();
            for b in &p.boxes {
                let mut item = serde_json::Map::new();
                if let Some(t) = b.time_s {
                    item.insert("time".into(), json!(time_number(t, cx)));
                }
                item.insert("bbox_2d".into(), json!(grid(b.bbox, cx)));
                if let Some(label) = &b.label {
                    item.insert("label".into(), json!(label));
                }
                items.push(Value::Object(item));
            }
            for s in &p.spans {
                let mut item = serde_json::Map::new();
                item.insert("start".into(), json!(time_number(s.start_s, cx)));
                item.insert("end".into(), json!(time_number(s.end_s, cx)));
                if let Some(label) = &s.label {
                    item.insert("label".into(), json!(label));
                }
                items.push(Value::Object(item));
            }
            if !items.is_empty() {
                let list = serde_json::to_string_pretty(&items).unwrap_or_default();
                parts.push(format!("```json\n{list}\n```"));
            }
        }
        Layout::Tags => {
            for b in &p.boxes {
                let [x1, y1, x2, y2] = grid(b.bbox, cx);
                let obj = b.label.as_ref().map(|l| format!("<obj>{l}</obj>")).unwrap_or_default();
                let at = b.time_s.map(|t| format!(" at <t>{}</t>", time(t, cx))).unwrap_or_default();
                parts.push(format!("{obj}<box>[{x1},{y1},{x2},{y2}]</box>{at}."));
            }
            for s in &p.spans {
                let what = s.label.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
                parts.push(format!(
                    "{what}from <t>{}</t> to <t>{}</t>.",
                    time(s.start_s, cx),
                    time(s.end_s, cx)
                ));
            }
        }
    }
    if let Some(answer) = &p.answer {
        if parts.is_empty() {
            parts.push(answer.clone());
        } else {
            parts.push(format!("<answer>{answer}</answer>"));
        }
    }
    parts.join("\n")
}

/// A box in video pixels on the model's grid, rounded to whole units.
fn grid(b: BBox, cx: &Context) -> [i64; 4] {
    let (across, down) = match cx.coordinates {
        Coordinates::Relative1000 => (1000.0, 1000.0),
        Coordinates::Pixels { width, height } => (f64::from(width.max(1)), f64::from(height.max(1))),
    };
    let x = |v: f32| (f64::from(v) / f64::from(cx.video_width.max(1)) * across).round() as i64;
    let y = |v: f32| (f64::from(v) / f64::from(cx.video_height.max(1)) * down).round() as i64;
    let [x1, y1, x2, y2] = b.0;
    [x(x1), y(y1), x(x2), y(y2)]
}

/// Seconds from the clip's start, to the hundredth.
fn time_number(t: f64, cx: &Context) -> f64 {
    ((t - cx.clip_start_s).max(0.0) * 100.0).round() / 100.0
}

fn time(t: f64, cx: &Context) -> String {
    time_number(t, cx).to_string()
}

/// The size Qwen2.5-VL resizes a video frame to (qwen-vl-utils' `smart_resize` with
/// its video bounds: 128 to 768 patches of 28x28 pixels), whose pixels its boxes are
/// in. Sides are multiples of 28 and keep the aspect ratio as near as they can.
pub fn qwen25_video_size(width: u32, height: u32) -> (u32, u32) {
    const FACTOR: f64 = 28.0;
    const MIN_PIXELS: f64 = 128.0 * 28.0 * 28.0;
    const MAX_PIXELS: f64 = 768.0 * 28.0 * 28.0;
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    // Python's round() rounds halves to even.
    let round = |v: f64| (v / FACTOR).round_ties_even() * FACTOR;
    let (mut wb, mut hb) = (round(w).max(FACTOR), round(h).max(FACTOR));
    if wb * hb > MAX_PIXELS {
        let beta = (w * h / MAX_PIXELS).sqrt();
        wb = ((w / beta / FACTOR).floor() * FACTOR).max(FACTOR);
        hb = ((h / beta / FACTOR).floor() * FACTOR).max(FACTOR);
    } else if wb * hb < MIN_PIXELS {
        let beta = (MIN_PIXELS / (w * h)).sqrt();
        wb = (w * beta / FACTOR).ceil() * FACTOR;
        hb = (h * beta / FACTOR).ceil() * FACTOR;
    }
    (wb as u32, hb as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::parse;
    use crate::prediction::{PredictedBox, PredictedSpan};

    fn labels() -> Prediction {
        Prediction {
            answer: Some("The red car".into()),
            boxes: vec![
                PredictedBox {
                    label: Some("car".into()),
                    time_s: Some(2.5),
                    bbox: BBox::new(100.0, 50.0, 300.0, 250.0),
                    time_text: None,
                },
                PredictedBox {
                    label: Some("car".into()),
                    time_s: Some(3.0),
                    bbox: BBox::new(120.0, 60.0, 320.0, 260.0),
                    time_text: None,
                },
            ],
            spans: vec![PredictedSpan { label: Some("passes".into()), start_s: 2.5, end_s: 4.25 }],
            ..Prediction::default()
        }
    }

    fn assert_close(a: &Prediction, b: &Prediction, px: f32) {
        assert_eq!(a.answer, b.answer);
        assert_eq!(a.boxes.len(), b.boxes.len(), "{b:?}");
        for (x, y) in a.boxes.iter().zip(&b.boxes) {
            assert_eq!(x.label, y.label);
            assert!((x.time_s.unwrap() - y.time_s.unwrap()).abs() < 0.006, "{x:?} {y:?}");
            for (c, d) in x.bbox.0.iter().zip(y.bbox.0) {
                assert!((c - d).abs() <= px, "{x:?} {y:?}");
            }
        }
        assert_eq!(a.spans.len(), b.spans.len(), "{b:?}");
        for (x, y) in a.spans.iter().zip(&b.spans) {
            assert!((x.start_s - y.start_s).abs() < 0.006 && (x.end_s - y.end_s).abs() < 0.006);
        }
    }

    #[test]
    fn each_layout_and_grid_reads_back_as_what_was_written() {
        let (w, h) = (1280, 720);
        let (rw, rh) = qwen25_video_size(w, h);
        for (coordinates, px) in [
            (Coordinates::Relative1000, 1280.0 / 2000.0),
            (Coordinates::Pixels { width: rw, height: rh }, 1280.0 / rw as f32 / 2.0),
        ] {
            let cx = Context { video_width: w, video_height: h, coordinates, clip_start_s: 2.0 };
            for layout in [Layout::Json, Layout::Tags] {
                let text = write(&labels(), layout, &cx);
                let back = parse(&text, &cx);
                assert!(back.problems.is_empty(), "{text}\n{:?}", back.problems);
                let mut want = labels();
                if layout == Layout::Tags {
                    want.spans[0].label = None;
                }
                assert_close(&want, &back, px + 1e-3);
            }
        }
    }

    #[test]
    fn qwen25_sizes_match_qwen_vl_utils() {
        // What qwen-vl-utils 0.0.14 gives: smart_resize(h, w, 28, 128*28*28, 768*28*28).
        for (w, h, want) in [
            (1280, 720, (1008, 560)),
            (640, 480, (644, 476)),
            (320, 240, (392, 280)),
            (1920, 1080, (1008, 560)),
            (25, 20, (364, 308)),
        ] {
            assert_eq!(qwen25_video_size(w, h), want, "{w}x{h}");
        }
    }
}
