//! The timeline: transport controls, thumbnail strip, segment lane and play head.

use annotate::Segment;
use egui::{Color32, Rect, Sense, Stroke, Vec2};
use viewer::{MAX_SPEED, MIN_SPEED, PlaybackCommand};

use super::video::VideoView;

const LANE_ROW: f32 = 10.0;
const SPEEDS: [f64; 7] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0];

/// `HH:MM:SS.mmm`
pub fn timecode(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

pub fn show(
    ui: &mut egui::Ui,
    video: &mut VideoView,
    segments: &[&Segment],
    keyframes: &[u64],
    commands: &mut Vec<PlaybackCommand>,
) {
    let index = std::sync::Arc::clone(video.server.index());
    let frame = video.current_frame();
    let total = index.len();
    let duration = index.duration_s().max(1e-9);

    ui.horizontal(|ui| {
        if ui.button("First frame").clicked() {
            commands.push(PlaybackCommand::First);
        }
        if ui.button("Previous frame").clicked() {
            commands.push(PlaybackCommand::Step(-1));
        }
        let play_label = if video.playback.is_playing() { "Pause" } else { "Play" };
        if ui.button(play_label).clicked() {
            commands.push(PlaybackCommand::TogglePlay);
        }
        if ui.button("Next frame").clicked() {
            commands.push(PlaybackCommand::Step(1));
        }
        if ui.button("Last frame").clicked() {
            commands.push(PlaybackCommand::Last);
        }
        ui.separator();
        ui.monospace(timecode(index.time_of(frame))).on_hover_text("Time of the current frame");
        ui.monospace(format!("Frame {frame} / {}", total.saturating_sub(1)));
        ui.separator();
        let speed = video.playback.speed();
        egui::ComboBox::from_label("Speed").selected_text(format!("{speed}x")).show_ui(ui, |ui| {
            for s in SPEEDS.into_iter().filter(|s| (MIN_SPEED..=MAX_SPEED).contains(s)) {
                if ui.selectable_label(speed == s, format!("{s}x")).clicked() {
                    commands.push(PlaybackCommand::SetSpeed(s));
                }
            }
        });
        let mut looping = video.playback.loop_range().is_some();
        if ui
            .toggle_value(&mut looping, "Loop")
            .on_hover_text("Loop between the I and O marks (whole video if unset)")
            .changed()
        {
            let range = looping.then(|| {
                (video.loop_marks.0.unwrap_or(0), video.loop_marks.1.unwrap_or(total.saturating_sub(1)))
            });
            commands.push(PlaybackCommand::SetLoop(range));
        }
    });

    // Thumbnails, the segment lane and the play head share one horizontal scale.
    let rows = lane_rows(segments);
    let thumbs_h = super::loader::THUMBNAIL_HEIGHT as f32;
    let height = thumbs_h + 6.0 + (rows.len().max(1) as f32) * LANE_ROW + 8.0;
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(ui.available_width(), height), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::slider(true, frame as f64, "Timeline"));
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, Color32::from_gray(24));
    let x_of = |t: f64| rect.left() + (t / duration) as f32 * rect.width();

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

    let lanes_top = rect.top() + thumbs_h + 6.0;
    for (row, members) in rows.iter().enumerate() {
        for segment in members {
            let y = lanes_top + row as f32 * LANE_ROW;
            let r = Rect::from_min_max(
                egui::pos2(x_of(segment.start_s), y),
                egui::pos2(x_of(segment.end_s).max(x_of(segment.start_s) + 2.0), y + LANE_ROW - 2.0),
            );
            painter.rect_filled(r, 2.0, Color32::from_rgb(230, 150, 60));
            if response.hover_pos().is_some_and(|p| r.contains(p)) {
                response.clone().on_hover_text(format!(
                    "{} ({} – {})",
                    segment.label,
                    timecode(segment.start_s),
                    timecode(segment.end_s)
                ));
            }
        }
    }

    for &k in keyframes {
        let x = x_of(index.time_of(k));
        let y = rect.top() + thumbs_h;
        painter
            .line_segment([egui::pos2(x, y - 8.0), egui::pos2(x, y + 4.0)], Stroke::new(1.5, Color32::WHITE));
    }
    let head = x_of(index.time_of(frame));
    painter.line_segment(
        [egui::pos2(head, rect.top()), egui::pos2(head, rect.bottom())],
        Stroke::new(2.0, Color32::from_rgb(255, 80, 80)),
    );
    for mark in [video.loop_marks.0, video.loop_marks.1].into_iter().flatten() {
        let x = x_of(index.time_of(mark));
        painter.line_segment(
            [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
            Stroke::new(1.0, Color32::YELLOW),
        );
    }

    // Dragging shows the nearest decodable frame at once; letting go settles on
    // the exact frame under the pointer.
    let seek_to_pointer = |pos: egui::Pos2| {
        PlaybackCommand::SeekTime(
            f64::from(((pos.x - rect.left()) / rect.width()).clamp(0.0, 1.0)) * duration,
        )
    };
    if response.drag_started() {
        video.scrubbing = true;
    }
    if let Some(pos) = response.interact_pointer_pos()
        && (response.dragged() || response.clicked() || response.drag_stopped())
    {
        commands.push(seek_to_pointer(pos));
    }
    if response.drag_stopped() {
        video.scrubbing = false;
    }
}

/// Pack segments into rows so that none overlap in a row.
fn lane_rows<'a>(segments: &[&'a Segment]) -> Vec<Vec<&'a Segment>> {
    let mut sorted: Vec<&Segment> = segments.to_vec();
    sorted.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let mut rows: Vec<Vec<&Segment>> = Vec::new();
    for s in sorted {
        match rows.iter_mut().find(|row| row.last().is_none_or(|last| last.end_s < s.start_s)) {
            Some(row) => row.push(s),
            None => rows.push(vec![s]),
        }
    }
    rows
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
