//! The overlay's shapes (`annotate::overlay`: the labels' boxes, the runs' evidence)
//! painted with egui over the frame's place on screen.

use annotate::overlay::{self, Place, Rgba, Shape};
use egui::{Color32, Pos2, Rect, Stroke, Vec2};

/// The shown model's colour, and the compared model's.
pub const COLOR: Color32 = Color32::from_rgb(overlay::MODEL[0], overlay::MODEL[1], overlay::MODEL[2]);
pub const COMPARED: Color32 =
    Color32::from_rgb(overlay::COMPARED[0], overlay::COMPARED[1], overlay::COMPARED[2]);

fn color([r, g, b, a]: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied(r, g, b, a)
}

/// Paint `shapes` onto `image` (the frame's screen rectangle, `scale` points a pixel).
pub fn paint(painter: &egui::Painter, image: Rect, scale: f32, shapes: &[Shape]) {
    let at = |[x, y]: [f32; 2]| image.min + Vec2::new(x, y) * scale;
    let rect = |r: [f32; 4]| Rect::from_min_max(at([r[0], r[1]]), at([r[2], r[3]]));
    for shape in shapes {
        match shape {
            Shape::Outline { rect: r, width, color: c, dashed: false } => {
                painter.rect_stroke(rect(*r), 0.0, Stroke::new(*width, color(*c)), egui::StrokeKind::Outside);
            }
            Shape::Outline { rect: r, width, color: c, dashed: true } => {
                let r = rect(*r);
                let corners = [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom(), r.left_top()];
                painter.extend(egui::Shape::dashed_line(&corners, Stroke::new(*width, color(*c)), 6.0, 4.0));
            }
            Shape::Fill { rect: r, color: c } => {
                painter.rect_filled(rect(*r), 0.0, color(*c));
            }
            Shape::Line { from, to, width, color: c } => {
                painter.line_segment([at(*from), at(*to)], Stroke::new(*width, color(*c)));
            }
            Shape::Dot { at: p, radius, color: c } => {
                painter.circle_filled(at(*p), *radius, color(*c));
            }
            Shape::Ring { at: p, radius, width, color: c } => {
                painter.circle_stroke(at(*p), *radius, Stroke::new(*width, color(*c)));
            }
            Shape::Text(t) => text(painter, at(t.at), t),
        }
    }
}

fn text(painter: &egui::Painter, at: Pos2, t: &overlay::Text) {
    let font = egui::FontId::proportional(t.size);
    let galley = match t.wrap {
        Some(width) => painter.layout(t.text.clone(), font, color(t.color), width),
        None => painter.layout_no_wrap(t.text.clone(), font, color(t.color)),
    };
    let pad = if t.background.is_some() { Vec2::new(3.0, 1.0) } else { Vec2::ZERO };
    let size = galley.size() + pad * 2.0;
    let min = match t.place {
        Place::Above => at - Vec2::new(0.0, size.y),
        Place::Below => at,
        Place::Center => at - size / 2.0,
        Place::Right(gap) => at + Vec2::new(gap, -size.y / 2.0),
        Place::AboveCenter => at - Vec2::new(size.x / 2.0, size.y),
    };
    if let Some(bg) = t.background {
        painter.rect_filled(Rect::from_min_size(min, size), 2.0, color(bg));
    }
    painter.galley(min + pad, galley, color(t.color));
}
