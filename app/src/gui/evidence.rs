//! A model run's evidence on the canvas, drawn apart from the labels (dashed, in the
//! model's colour; a run compared with it in another): its boxes at the times it gave them, within a tolerance the user
//! sets, each with its label and how sure the model was of it; each object's path of
//! box centres, fading with distance from the play head; the number of each reasoning
//! step grounded there; and the box a trace chip points at, highlighted. Boxes already accepted (now
//! labels) or rejected are not drawn again.

use annotate::{EvidenceItem, ModelRun};
use egui::{Color32, Pos2, Rect, Stroke, Vec2};

pub const COLOR: Color32 = Color32::from_rgb(255, 64, 200);
/// The colour of the run it is compared with.
pub const COMPARED: Color32 = Color32::from_rgb(64, 200, 255);

/// What the canvas is given to draw.
pub struct Evidence<'a> {
    pub run: &'a ModelRun,
    /// A box shows within this many seconds of the time it was given for.
    pub tolerance_s: f64,
    /// The box picked from the trace.
    pub highlight: Option<usize>,
    pub color: Color32,
}

impl Evidence<'_> {
    /// The indices of the boxes to show at `now_s`.
    pub fn boxes_at(&self, now_s: f64) -> Vec<usize> {
        let boxes = &self.run.prediction.boxes;
        (0..boxes.len())
            .filter(|&i| self.run.is_open(&EvidenceItem::Box { index: i }) || self.highlight == Some(i))
            .filter(|&i| boxes[i].time_s.is_none_or(|t| (t - now_s).abs() <= self.tolerance_s))
            .collect()
    }
}

/// Paint onto `image` (the frame's screen rectangle, `scale` points per pixel); the
/// box under `pointer`, if any.
pub fn paint(
    painter: &egui::Painter,
    image: Rect,
    scale: f32,
    evidence: &Evidence,
    now_s: f64,
    pointer: Option<Pos2>,
) -> Option<usize> {
    let to_screen = |x: f32, y: f32| image.min + Vec2::new(x, y) * scale;
    let (run, color) = (evidence.run, evidence.color);
    let span = (run.settings.to_s - run.settings.from_s).max(1.0);
    for label in run.trajectories() {
        if !run.is_open(&EvidenceItem::Track { label: label.clone() }) {
            continue;
        }
        let points: Vec<(f64, Pos2)> = run
            .boxes_of(&label)
            .iter()
            .filter_map(|b| {
                let [x1, y1, x2, y2] = b.bbox.0;
                Some((b.time_s?, to_screen((x1 + x2) / 2.0, (y1 + y2) / 2.0)))
            })
            .collect();
        // Near the play head the path is solid; a quarter of the clip away, faint.
        let alpha = |t: f64| (1.0 - ((t - now_s).abs() / (span / 4.0)).min(1.0) * 0.85) as f32;
        for w in points.windows(2) {
            let a = alpha((w[0].0 + w[1].0) / 2.0);
            painter.line_segment([w[0].1, w[1].1], Stroke::new(2.0, color.gamma_multiply(a)));
        }
        for (t, p) in &points {
            painter.circle_filled(*p, 3.0, color.gamma_multiply(alpha(*t)));
        }
    }
    // Points the model gave (Qwen3-VL's `point_2d`) near this time: a ringed dot.
    for pt in &run.prediction.points {
        if pt.time_s.is_some_and(|t| (t - now_s).abs() > evidence.tolerance_s) {
            continue;
        }
        let at = to_screen(pt.x, pt.y);
        painter.circle_stroke(at, 7.0, Stroke::new(2.0, color));
        painter.circle_filled(at, 2.5, color);
        if let Some(label) = &pt.label {
            let text = super::ask_panel::printable(label);
            painter.text(
                at + Vec2::new(9.0, 0.0),
                egui::Align2::LEFT_CENTER,
                text,
                egui::FontId::proportional(12.0),
                color,
            );
        }
    }
    // Each step grounded to a box near this time: its number at the box's corner.
    for (n, step) in run.prediction.steps.iter().enumerate() {
        let (Some(b), Some(t)) = (step.bbox, step.time_s) else { continue };
        if (t - now_s).abs() > evidence.tolerance_s {
            continue;
        }
        let corner = to_screen(b.0[2], b.0[1]);
        painter.circle_filled(corner, 8.0, Color32::WHITE);
        painter.text(
            corner,
            egui::Align2::CENTER_CENTER,
            (n + 1).to_string(),
            egui::FontId::proportional(11.0),
            color,
        );
    }
    let mut hovered = None;
    for i in evidence.boxes_at(now_s) {
        let b = &run.prediction.boxes[i];
        let [x1, y1, x2, y2] = b.bbox.0;
        let rect = Rect::from_min_max(to_screen(x1, y1), to_screen(x2, y2));
        let lit = evidence.highlight == Some(i) || pointer.is_some_and(|p| rect.contains(p));
        if pointer.is_some_and(|p| rect.contains(p)) {
            hovered = Some(i);
        }
        if lit {
            painter.rect_filled(rect, 0.0, color.gamma_multiply(0.18));
        }
        let width = if lit { 3.0 } else { 2.0 };
        let corners =
            [rect.left_top(), rect.right_top(), rect.right_bottom(), rect.left_bottom(), rect.left_top()];
        painter.extend(egui::Shape::dashed_line(&corners, Stroke::new(width, color), 6.0, 4.0));
        let time = b.time_s.map_or_else(String::new, |t| format!(" @ {t:.1} s"));
        let sure = run
            .box_confidence
            .get(i)
            .copied()
            .flatten()
            .map_or_else(String::new, |c| format!(" · {:.0}%", c * 100.0));
        let text =
            super::ask_panel::printable(&format!("{}{time}{sure}", b.label.as_deref().unwrap_or("model")));
        let galley = painter.layout_no_wrap(text, egui::FontId::proportional(12.0), Color32::WHITE);
        let bg = Rect::from_min_size(rect.left_bottom(), galley.size() + Vec2::new(6.0, 2.0));
        painter.rect_filled(bg, 2.0, color.gamma_multiply(0.85));
        painter.galley(bg.min + Vec2::new(3.0, 1.0), galley, Color32::WHITE);
    }
    hovered
}
