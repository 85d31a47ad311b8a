//! Segment lanes under the thumbnails: one lane per label, the first for the label
//! that new segments get. Drag on empty space to make a segment, drag an edge to adjust it, drag its
//! middle to move it, click it to select it.

use annotate::{Review, Segment};
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use viewer::PlaybackCommand;

use super::action::Action;
use super::timeline::{Scale, timecode};

const ROW: f32 = 14.0;
/// How close (points) to an edge the pointer must be to grab it.
const EDGE: f32 = 5.0;

/// What the lanes are given to draw.
pub struct LaneInput<'a> {
    pub segments: Vec<&'a Segment>,
    pub selected: Option<&'a str>,
    /// The selected track's keyframes, ticked on the thumbnails.
    pub keyframes: &'a [u64],
    /// A dataset is open, so segments can be made.
    pub editable: bool,
}

/// What the user did in the lanes, for the app to turn into edits.
#[derive(Clone, Debug, PartialEq)]
pub enum LaneAction {
    Select(Option<String>),
    Create { label: String, start_s: f64, end_s: f64 },
    SetSpan { id: String, start_s: f64, end_s: f64 },
}

/// Lane state that lives across frames.
pub struct Lanes {
    /// Label for segments made on the new lane or with I/O.
    pub new_label: String,
    drag: Option<LaneDrag>,
}

impl Default for Lanes {
    fn default() -> Self {
        Self { new_label: "event".to_owned(), drag: None }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum LaneDrag {
    Create { label: String, from_s: f64 },
    Start { id: String, end_s: f64 },
    End { id: String, start_s: f64 },
    Move { id: String, grab_s: f64, start_s: f64, end_s: f64 },
}

impl LaneDrag {
    /// The span with the pointer at `t` (snapped), and the segment it changes.
    fn span(&self, t: f64, snap: &impl Fn(f64) -> f64) -> (Option<&str>, f64, f64) {
        let ordered = |a: f64, b: f64| (a.min(b), a.max(b));
        match self {
            LaneDrag::Create { from_s, .. } => {
                let (a, b) = ordered(*from_s, t);
                (None, a, b)
            }
            LaneDrag::Start { id, end_s } => {
                let (a, b) = ordered(t, *end_s);
                (Some(id), a, b)
            }
            LaneDrag::End { id, start_s } => {
                let (a, b) = ordered(*start_s, t);
                (Some(id), a, b)
            }
            LaneDrag::Move { id, grab_s, start_s, end_s } => {
                let start = snap(start_s + (t - grab_s));
                (Some(id), start, start + (end_s - start_s))
            }
        }
    }
}

/// The lanes' labels: every segment label in first-seen order.
fn lane_labels(segments: &[&Segment]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for s in segments {
        if !labels.contains(&s.label) {
            labels.push(s.label.clone());
        }
    }
    labels
}

fn color(review: Review) -> Color32 {
    match review {
        Review::Unreviewed => Color32::from_rgb(230, 150, 60),
        Review::Accepted => Color32::from_rgb(110, 190, 110),
        Review::Rejected => Color32::from_gray(90),
        Review::Edited => Color32::from_rgb(110, 160, 230),
    }
}

/// Draw the lanes and handle the pointer. `snap` puts a time on a frame's start.
pub fn show(
    ui: &mut egui::Ui,
    lanes: &mut Lanes,
    input: &LaneInput<'_>,
    scale: Scale,
    snap: impl Fn(f64) -> f64,
    height: f32,
    actions: &mut Vec<Action>,
) -> (Option<LaneAction>, Rect) {
    let mut labels = lane_labels(&input.segments);
    // The new-segment label's lane comes first, so it is always in view.
    if input.editable && !lanes.new_label.trim().is_empty() {
        labels.retain(|l| *l != lanes.new_label);
        labels.insert(0, lanes.new_label.clone());
    }
    let rows = labels.len().max(1);
    let scrolled = egui::ScrollArea::vertical()
        .id_salt("segment-lanes")
        .max_height(height.max(ROW))
        // The lanes fill the height they are given, so the panel keeps its size.
        .auto_shrink([false, false])
        .scroll_source(
            egui::scroll_area::ScrollSource::SCROLL_BAR | egui::scroll_area::ScrollSource::MOUSE_WHEEL,
        )
        .show(ui, |ui| {
            let (rect, response) = ui.allocate_exact_size(
                Vec2::new(ui.available_width(), rows as f32 * ROW),
                Sense::click_and_drag(),
            );
            response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Segment lanes"));
            let lane_of = |y: f32| (((y - rect.top()) / ROW).floor().max(0.0) as usize).min(rows - 1);
            let row_rect = |row: usize| {
                Rect::from_min_size(
                    Pos2::new(rect.left(), rect.top() + row as f32 * ROW),
                    Vec2::new(rect.width(), ROW - 2.0),
                )
            };
            let span_rect = |row: usize, start: f64, end: f64| {
                let r = row_rect(row);
                Rect::from_min_max(
                    Pos2::new(scale.x(start), r.top()),
                    Pos2::new(scale.x(end).max(scale.x(start) + 2.0), r.bottom()),
                )
            };
            let hit = |p: Pos2| {
                let row = lane_of(p.y);
                input.segments.iter().rev().find(|s| {
                    labels.get(row).is_some_and(|l| *l == s.label)
                        && span_rect(row, s.start_s, s.end_s).expand2(Vec2::X * EDGE).contains(p)
                })
            };

            let action = interact(&response, lanes, input, &labels, scale, &snap, hit, actions, lane_of);

            let painter = ui.painter_at(rect);
            for row in 0..labels.len() {
                painter.rect_filled(row_rect(row), 0.0, Color32::from_gray(30));
            }
            let pointer = response.interact_pointer_pos().map(|p| snap(scale.time(p.x)));
            let preview = lanes.drag.as_ref().zip(pointer).map(|(d, t)| d.span(t, &snap));
            for s in &input.segments {
                let Some(row) = labels.iter().position(|l| *l == s.label) else { continue };
                let (start, end) = match preview {
                    Some((Some(id), a, b)) if id == s.id => (a, b),
                    _ => (s.start_s, s.end_s),
                };
                let r = span_rect(row, start, end);
                painter.rect_filled(r, 2.0, color(s.review));
                if input.selected == Some(s.id.as_str()) {
                    painter.rect_stroke(r, 2.0, Stroke::new(2.0, Color32::WHITE), egui::StrokeKind::Outside);
                }
                if response.hover_pos().is_some_and(|p| r.contains(p)) {
                    response.clone().on_hover_text(format!(
                        "{} ({} – {})",
                        s.label,
                        timecode(s.start_s),
                        timecode(s.end_s)
                    ));
                }
            }
            if let (Some((None, a, b)), Some(LaneDrag::Create { label, .. }), Some(p)) =
                (preview, &lanes.drag, response.interact_pointer_pos())
            {
                let row = labels.iter().position(|l| l == label.as_str()).unwrap_or_else(|| lane_of(p.y));
                painter.rect_stroke(
                    span_rect(row, a, b),
                    2.0,
                    Stroke::new(1.5, Color32::WHITE),
                    egui::StrokeKind::Inside,
                );
            }
            // Lane names go over the bars, on a backing of their own, so none hides.
            for (row, label) in labels.iter().enumerate() {
                let galley = painter.layout_no_wrap(
                    label.clone(),
                    egui::FontId::proportional(10.0),
                    Color32::from_gray(200),
                );
                let at = row_rect(row).left_center() + Vec2::new(4.0, -galley.size().y / 2.0);
                painter.rect_filled(
                    Rect::from_min_size(at, galley.size()).expand(1.0),
                    2.0,
                    Color32::from_black_alpha(170),
                );
                painter.galley(at, galley, Color32::from_gray(200));
            }
            if let Some(p) = response.hover_pos()
                && hit(p).is_some_and(|s| {
                    (p.x - scale.x(s.start_s)).abs() <= EDGE || (p.x - scale.x(s.end_s)).abs() <= EDGE
                })
            {
                ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
            }
            (action, rect)
        });
    let (action, rect) = scrolled.inner;
    (action, rect.intersect(scrolled.inner_rect))
}

#[allow(clippy::too_many_arguments)]
fn interact<'a>(
    response: &egui::Response,
    lanes: &mut Lanes,
    input: &LaneInput<'a>,
    labels: &[String],
    scale: Scale,
    snap: &impl Fn(f64) -> f64,
    hit: impl Fn(Pos2) -> Option<&'a &'a Segment>,
    actions: &mut Vec<Action>,
    lane_of: impl Fn(f32) -> usize,
) -> Option<LaneAction> {
    let pointer = response.interact_pointer_pos();
    // A drag is recognised after the pointer moved a little; it starts where the
    // button went down.
    let press = response.ctx.input(|i| i.pointer.press_origin()).or(pointer);
    if input.editable
        && response.drag_started_by(egui::PointerButton::Primary)
        && let Some(p) = press
        && let Some(lane) = labels.get(lane_of(p.y))
    {
        let t = snap(scale.time(p.x));
        lanes.drag = Some(match hit(p) {
            Some(s) if (p.x - scale.x(s.start_s)).abs() <= EDGE => {
                LaneDrag::Start { id: s.id.clone(), end_s: s.end_s }
            }
            Some(s) if (p.x - scale.x(s.end_s)).abs() <= EDGE => {
                LaneDrag::End { id: s.id.clone(), start_s: s.start_s }
            }
            Some(s) => LaneDrag::Move { id: s.id.clone(), grab_s: t, start_s: s.start_s, end_s: s.end_s },
            None => LaneDrag::Create { label: lane.clone(), from_s: t },
        });
    }
    if response.drag_stopped() {
        let drag = lanes.drag.take()?;
        let t = snap(scale.time(pointer?.x));
        let (id, start_s, end_s) = drag.span(t, snap);
        return match (id, &drag) {
            (None, LaneDrag::Create { label, .. }) if end_s > start_s => {
                Some(LaneAction::Create { label: label.clone(), start_s, end_s })
            }
            (Some(id), _) => {
                let before = input.segments.iter().find(|s| s.id == id)?;
                (end_s > start_s && (before.start_s, before.end_s) != (start_s, end_s))
                    .then(|| LaneAction::SetSpan { id: id.to_owned(), start_s, end_s })
            }
            _ => None,
        };
    }
    if response.clicked()
        && let Some(p) = pointer
    {
        let clicked = hit(p);
        if clicked.is_none() {
            actions.push(Action::Playback(PlaybackCommand::SeekTime(scale.time(p.x))));
        }
        return Some(LaneAction::Select(clicked.map(|s| s.id.clone())));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_gives_an_ordered_span_and_a_move_keeps_the_length() {
        let snap = |t: f64| (t * 10.0).round() / 10.0;
        let create = LaneDrag::Create { label: "a".into(), from_s: 5.0 };
        assert_eq!(create.span(2.0, &snap), (None, 2.0, 5.0));
        let end = LaneDrag::End { id: "s".into(), start_s: 1.0 };
        assert_eq!(end.span(0.5, &snap), (Some("s"), 0.5, 1.0), "dragged past the start");
        let moved = LaneDrag::Move { id: "s".into(), grab_s: 2.0, start_s: 1.0, end_s: 3.0 };
        assert_eq!(moved.span(4.04, &snap), (Some("s"), 3.0, 5.0));
    }
}
