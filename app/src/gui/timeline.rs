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

/// The model run on show, as the timeline draws it.
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
}

pub fn show(
    ui: &mut egui::Ui,
    video: &VideoView,
    lanes: &mut Lanes,
    lanes_in: LaneInput<'_>,
    model: Option<&ModelMarks>,
    actions: &mut Vec<Action>,
) {
    let index = std::sync::Arc::clone(video.server.index());
    let frame = video.current_frame();
    let total = index.len();
    let duration = index.duration_s().max(1e-9);

    ui.horizontal(|ui| {
        if ui.button("First frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::First));
        }
        if ui.button("Previous frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::Step(-1)));
        }
        let play_label = if video.playback.is_playing() { "Pause" } else { "Play" };
        if ui.button(play_label).clicked() {
            actions.push(Action::Playback(PlaybackCommand::TogglePlay));
        }
        if ui.button("Next frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::Step(1)));
        }
        if ui.button("Last frame").clicked() {
            actions.push(Action::Playback(PlaybackCommand::Last));
        }
        ui.separator();
        ui.monospace(timecode(index.time_of(frame))).on_hover_text("Time of the current frame");
        ui.monospace(format!("Frame {frame} / {}", total.saturating_sub(1)));
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
        ui.allocate_exact_size(Vec2::new(ui.available_width(), thumbs_h + 10.0), Sense::click_and_drag());
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
        painter
            .line_segment([egui::pos2(x, y - 8.0), egui::pos2(x, y + 4.0)], Stroke::new(1.5, Color32::WHITE));
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
    let (lane, lanes_rect) = lanes::show(ui, lanes, &lanes_in, scale, snap, actions);
    actions.extend(lane.map(Action::Lane));
    let mut full = rect.union(lanes_rect);
    if let Some(marks) = model {
        // The frames the model saw, ticked along the thumbnails' foot.
        let y = rect.top() + thumbs_h;
        for &t in &marks.sampled {
            let x = scale.x(t);
            painter.line_segment([egui::pos2(x, y - 5.0), egui::pos2(x, y)], Stroke::new(1.0, SAMPLED));
        }
        full = full.union(model_lane(ui, marks, scale, actions));
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

/// The model lane: predicted spans as bars, cited times as ticks, the numbered chain of
/// reasoning steps. A click seeks to the
/// span under the pointer's start, or to the time under it.
fn model_lane(ui: &mut egui::Ui, marks: &ModelMarks, scale: Scale, actions: &mut Vec<Action>) -> Rect {
    let color = super::evidence::COLOR;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(ui.available_width(), 16.0), Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Model lane"));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::from_gray(30));
    painter.text(
        rect.left_center() + Vec2::new(3.0, 0.0),
        egui::Align2::LEFT_CENTER,
        "model",
        egui::FontId::proportional(10.0),
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
            super::ask_panel::printable(&span.2),
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
    rect
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
    fn timecodes_are_hh_mm_ss_mmm() {
        assert_eq!(timecode(0.0), "00:00:00.000");
        assert_eq!(timecode(3723.0456), "01:02:03.046");
        assert_eq!(timecode(-1.0), "00:00:00.000");
    }
}
