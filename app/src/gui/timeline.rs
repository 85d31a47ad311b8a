//! The timeline: transport controls, thumbnail strip, keyframe ticks, segment lanes,
//! the model lane (the shown run's spans, the times it cites, the frames it saw) and
//! the play head.

use annotate::time::FrameTimes;
use egui::{Color32, Rect, Sense, Stroke, Vec2};
use viewer::{MAX_SPEED, MIN_SPEED, PlaybackCommand};

use super::action::Action;
use super::lanes::{self, LaneInput, Lanes};
use super::video::VideoView;

const SPEEDS: [f64; 7] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0];

/// `HH:MM:SS.mmm`
pub fn timecode(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// A model run, as the timeline draws it.
pub struct ModelMarks {
    /// Start, end and label of each span still to be decided on.
    pub spans: Vec<(f64, f64, String)>,
    /// Times the answer cites (steps and boxes).
    pub cited: Vec<f64>,
    /// The reasoning steps that name a time, in order: the chain the model followed
    /// (frames it picked, moments it looked at).
    pub steps: Vec<(usize, f64)>,
    /// Times of the frames the model saw.
    pub sampled: Vec<f64>,
    pub model: String,
    pub color: Color32,
}

pub fn show(
    ui: &mut egui::Ui,
    video: &VideoView,
    lanes: &mut Lanes,
    lanes_in: LaneInput<'_>,
    model: &[ModelMarks],
    actions: &mut Vec<Action>,
) {
    let index = std::sync::Arc::clone(video.server.index());
    let frame = video.current_frame();
    let total = index.len();
    let duration = index.duration_s().max(1e-9);

    ui.horizontal_wrapped(|ui| {
        if ui.button("First frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::First));
        }
        if ui.button("Previous frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::Step(-1)));
        }
        let play_label = if video.playback.is_playing() { "Pause" } else { "Play" };
        // As wide as the wider of its two labels: the row does not shift when it flips.
        let play_width =
            text_width(ui, "Pause", egui::TextStyle::Button) + 2.0 * ui.spacing().button_padding.x;
        if ui.add(egui::Button::new(play_label).min_size(Vec2::new(play_width, 0.0))).clicked() {
            actions.push(Action::Playback(PlaybackCommand::TogglePlay));
        }
        if ui.button("Next frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::Step(1)));
        }
        if ui.button("Last frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::Last));
        }
        ui.separator();
        // The frame on screen, which lags the play head while a newer one decodes;
        // each field as wide as its widest value, so nothing after it moves.
        let last = total.saturating_sub(1);
        let shown = video.shown_frame().unwrap_or(frame);
        fixed(ui, &timecode(index.time_of(shown)), &timecode(duration))
            .on_hover_text("Time of the frame on screen");
        fixed(ui, &format!("Frame {shown} / {last}"), &format!("Frame {last} / {last}"));
        let decoding = if shown == frame { String::new() } else { format!("decoding {frame}…") };
        fixed(ui, &decoding, &format!("decoding {last}…"));
        ui.separator();
        let speed = video.playback.speed();
        egui::ComboBox::from_label("Speed").selected_text(format!("{speed}x")).show_ui(ui, |ui| {
            for s in SPEEDS.into_iter().filter(|s| (MIN_SPEED..=MAX_SPEED).contains(s)) {
                if ui.selectable_label(speed == s, format!("{s}x")).clicked() {
                    actions.push(Action::Playback(PlaybackCommand::SetSpeed(s)));
                }
            }
        });
        let mut looping = video.playback.loop_range().is_some();
        if ui
            .toggle_value(&mut looping, "Loop")
            .on_hover_text("Loop between the I and O marks (whole video if unset)")
            .changed()
        {
            let range = looping
                .then(|| (video.marks.0.unwrap_or(0), video.marks.1.unwrap_or(total.saturating_sub(1))));
            actions.push(Action::Playback(PlaybackCommand::SetLoop(range)));
        }
        if lanes_in.editable {
            ui.separator();
            let label = ui.label("New segment");
            ui.add(
                egui::TextEdit::singleline(&mut lanes.new_label)
                    .desired_width(140.0)
                    .hint_text("label for new segments"),
            )
            .labelled_by(label.id)
            .on_hover_text("Label of segments made with I and O, or by dragging on the first lane");
        }
    });

    // Thumbnails, segment lanes and the play head share one horizontal scale.
    let thumbs_h = super::loader::THUMBNAIL_HEIGHT as f32;
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(ui.available_width(), thumbs_h + 12.0), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::slider(true, frame as f64, "Timeline"));
    let scale = Scale { left: rect.left(), width: rect.width(), duration };
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, Color32::from_gray(24));

    let slots = video.thumbnail_textures.len().max(1);
    let slot_w = rect.width() / slots as f32;
    for (slot, thumb) in video.thumbnail_textures.iter().enumerate() {
        let r =
            Rect::from_min_size(rect.min + Vec2::new(slot as f32 * slot_w, 0.0), Vec2::new(slot_w, thumbs_h));
        match thumb {
            Some((texture, _)) => {
                // Crop the thumbnail to the slot's aspect ratio, centred.
                let [tw, th] = texture.size().map(|v| v as f32);
                let visible = (r.width() / r.height()) / (tw / th);
                let (u0, u1) =
                    if visible < 1.0 { (0.5 - visible / 2.0, 0.5 + visible / 2.0) } else { (0.0, 1.0) };
                painter.image(
                    texture.id(),
                    r,
                    Rect::from_min_max(egui::pos2(u0, 0.0), egui::pos2(u1, 1.0)),
                    Color32::WHITE,
                );
            }
            None => {
                painter.rect_filled(r.shrink(1.0), 0.0, Color32::from_gray(36));
            }
        }
    }
    // Keyframes closer than a few points (a track keyed on every frame) share a tick.
    let mut last_tick = f32::NEG_INFINITY;
    for &k in lanes_in.keyframes {
        let x = scale.x(index.time_of(k));
        if x - last_tick < 4.0 {
            continue;
        }
        last_tick = x;
        let y = rect.top() + thumbs_h;
        painter.line_segment([egui::pos2(x, y - 8.0), egui::pos2(x, y)], Stroke::new(1.5, Color32::WHITE));
    }

    ruler(&painter, rect, scale, thumbs_h);
    // The time under the pointer, to aim a click or a drag.
    if let Some(p) = response.hover_pos() {
        let t = index.time_of(index.frame_at_time(scale.time(p.x)));
        response.clone().on_hover_text(format!("{} · frame {}", timecode(t), index.frame_at_time(t)));
        painter.line_segment(
            [egui::pos2(p.x, rect.top()), egui::pos2(p.x, rect.bottom())],
            Stroke::new(1.0, Color32::from_white_alpha(90)),
        );
    }

    // Dragging shows the nearest decodable frame at once; letting go settles on
    // the exact frame under the pointer.
    if response.drag_started() {
        actions.push(Action::Scrub(true));
    }
    if let Some(pos) = response.interact_pointer_pos()
        && (response.dragged() || response.clicked() || response.drag_stopped())
    {
        actions.push(Action::Playback(PlaybackCommand::SeekTime(scale.time(pos.x))));
    }
    if response.drag_stopped() {
        actions.push(Action::Scrub(false));
    }

    let snap = |t: f64| index.time_of(index.frame_at_time(t.clamp(0.0, duration)));
    // The lanes take the panel's height less the model lane's, which is kept free
    // whether a run is on show or not: showing one does not resize anything.
    let lanes_height = ui.available_height() - MODEL_LANE - ui.spacing().item_spacing.y;
    let (lane, lanes_rect) = lanes::show(ui, lanes, &lanes_in, scale, snap, lanes_height, actions);
    actions.extend(lane.map(Action::Lane));
    let mut full = rect.union(lanes_rect);
    if let Some(marks) = model.first() {
        // The frames the shown run's model saw, ticked along the thumbnails' foot.
        let y = rect.top() + thumbs_h;
        for &t in &marks.sampled {
            let x = scale.x(t);
            painter.line_segment([egui::pos2(x, y - 5.0), egui::pos2(x, y)], Stroke::new(1.0, SAMPLED));
        }
    }
    // The lane's room is kept whether a run is on show or not; runs compared share
    // it, a row each.
    let (lane, _) = ui.allocate_exact_size(Vec2::new(ui.available_width(), MODEL_LANE), Sense::hover());
    let row = MODEL_LANE / model.len().max(1) as f32;
    for (i, marks) in model.iter().enumerate() {
        let rect =
            Rect::from_min_size(lane.min + Vec2::new(0.0, row * i as f32), Vec2::new(lane.width(), row));
        let name = if i == 0 { "Model lane" } else { "Compared model lane" };
        model_lane(ui, marks, scale, rect, name, actions);
    }
    if !model.is_empty() {
        full = full.union(lane);
    }

    // The play head and the I/O marks cross the thumbnails and the lanes.
    let painter = ui.painter_at(full);
    let head = scale.x(index.time_of(frame));
    painter.line_segment(
        [egui::pos2(head, full.top()), egui::pos2(head, full.bottom())],
        Stroke::new(2.0, Color32::from_rgb(255, 80, 80)),
    );
    for mark in [video.marks.0, video.marks.1].into_iter().flatten() {
        let x = scale.x(index.time_of(mark));
        painter.line_segment(
            [egui::pos2(x, full.top()), egui::pos2(x, full.bottom())],
            Stroke::new(1.0, Color32::YELLOW),
        );
    }
}

const SAMPLED: Color32 = Color32::from_rgb(90, 220, 255);
/// The model lane's height.
const MODEL_LANE: f32 = 16.0;

/// The width of `text` in `style`.
fn text_width(ui: &egui::Ui, text: &str, style: egui::TextStyle) -> f32 {
    let font = style.resolve(ui.style());
    ui.fonts_mut(|f| f.layout_no_wrap(text.to_owned(), font, Color32::WHITE).size().x)
}

/// `text` in monospace, in a field as wide as `widest`.
fn fixed(ui: &mut egui::Ui, text: &str, widest: &str) -> egui::Response {
    let width = text_width(ui, widest, egui::TextStyle::Monospace);
    let label = egui::Label::new(egui::RichText::new(text).monospace()).halign(egui::Align::LEFT);
    ui.add_sized([width, ui.spacing().interact_size.y], label)
}

/// Seconds between ruler ticks: the smallest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10,
/// 15, 30 min and 1 h that leaves at least `min_gap` points between ticks.
pub fn tick_step(duration_s: f64, width: f32, min_gap: f32) -> f64 {
    const STEPS: [f64; 13] =
        [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0];
    let fits = |step: f64| f64::from(width) * step / duration_s.max(1e-9) >= f64::from(min_gap);
    let hours = (duration_s * f64::from(min_gap) / f64::from(width) / 3600.0).ceil();
    STEPS.into_iter().find(|&s| fits(s)).unwrap_or(3600.0 * hours)
}

/// Ticks along the thumbnails' foot, every one labelled with its time.
fn ruler(painter: &egui::Painter, rect: Rect, scale: Scale, thumbs_h: f32) {
    let step = tick_step(scale.duration, scale.width, 70.0);
    let y = rect.top() + thumbs_h;
    let mut t = 0.0;
    while t <= scale.duration + 1e-9 {
        let x = scale.x(t);
        painter
            .line_segment([egui::pos2(x, y), egui::pos2(x, rect.bottom())], Stroke::new(1.0, Color32::GRAY));
        let ms = (t * 1000.0).round() as u64;
        let label = if ms >= 3_600_000 {
            format!("{}:{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60)
        } else {
            format!("{}:{:02}", ms / 60_000, ms / 1000 % 60)
        };
        painter.text(
            egui::pos2(x + 2.0, rect.bottom()),
            egui::Align2::LEFT_BOTTOM,
            label,
            egui::FontId::monospace(9.0),
            Color32::from_gray(170),
        );
        t += step;
    }
}

/// The model lane: predicted spans as bars, cited times as ticks, the numbered chain of
/// reasoning steps. A click seeks to the
/// span under the pointer's start, or to the time under it.
fn model_lane(
    ui: &mut egui::Ui,
    marks: &ModelMarks,
    scale: Scale,
    rect: Rect,
    name: &str,
    actions: &mut Vec<Action>,
) {
    let color = marks.color;
    let response = ui.interact(rect, ui.make_persistent_id(name), Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, name));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::from_gray(30));
    painter.text(
        rect.left_center() + Vec2::new(3.0, 0.0),
        egui::Align2::LEFT_CENTER,
        annotate::overlay::printable(&marks.model),
        egui::FontId::proportional(10.0f32.min(rect.height())),
        Color32::GRAY,
    );
    let bar = |s: &(f64, f64, String)| {
        Rect::from_x_y_ranges(scale.x(s.0)..=scale.x(s.1).max(scale.x(s.0) + 2.0), rect.y_range())
            .shrink2(Vec2::new(0.0, 2.0))
    };
    for span in &marks.spans {
        let r = bar(span);
        painter.rect_filled(r, 2.0, color.gamma_multiply(0.6));
        painter.text(
            r.left_center() + Vec2::new(3.0, 0.0),
            egui::Align2::LEFT_CENTER,
            annotate::overlay::printable(&span.2),
            egui::FontId::proportional(10.0),
            Color32::WHITE,
        );
    }
    for &t in &marks.cited {
        let x = scale.x(t);
        painter
            .line_segment([egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())], Stroke::new(2.0, color));
    }
    // The chain of steps: joined in their order, each numbered.
    let chain: Vec<egui::Pos2> =
        marks.steps.iter().map(|&(_, t)| egui::pos2(scale.x(t), rect.top() + 3.0)).collect();
    painter.add(egui::Shape::line(chain.clone(), Stroke::new(1.0, Color32::WHITE.gamma_multiply(0.6))));
    for (p, (n, _)) in chain.iter().zip(&marks.steps) {
        painter.text(
            *p + Vec2::new(3.0, -1.0),
            egui::Align2::LEFT_TOP,
            n.to_string(),
            egui::FontId::proportional(9.0),
            Color32::WHITE,
        );
    }
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        let t = marks.spans.iter().find(|s| bar(s).contains(p)).map_or_else(|| scale.time(p.x), |s| s.0);
        actions.push(Action::Playback(PlaybackCommand::SeekTime(t)));
    }
}

/// Seconds <-> x on the timeline.
#[derive(Clone, Copy)]
pub struct Scale {
    left: f32,
    width: f32,
    duration: f64,
}

impl Scale {
    pub fn x(&self, t: f64) -> f32 {
        self.left + (t / self.duration) as f32 * self.width
    }

    pub fn time(&self, x: f32) -> f64 {
        f64::from(((x - self.left) / self.width).clamp(0.0, 1.0)) * self.duration
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruler_ticks_are_round_and_never_crowded() {
        assert_eq!(tick_step(20.0, 1000.0, 70.0), 2.0, "50 px a second: 2 s apart");
        assert_eq!(tick_step(20.0, 2000.0, 70.0), 1.0);
        assert_eq!(tick_step(3600.0, 1000.0, 70.0), 300.0, "an hour: 5 minutes apart");
        assert_eq!(tick_step(36_000.0, 500.0, 70.0), 7200.0, "ten hours in 500 px: whole hours, 2 apart");
    }

    #[test]
    fn timecodes_are_hh_mm_ss_mmm() {
        assert_eq!(timecode(0.0), "00:00:00.000");
        assert_eq!(timecode(3723.0456), "01:02:03.046");
        assert_eq!(timecode(-1.0), "00:00:00.000");
    }
}
