//! The video canvas: the frame (drawn by the YUV shader), zoom and pan, and the
//! dataset's boxes at the current frame.

use annotate::Dataset;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};

use super::video::VideoView;
use super::yuv::YuvPaint;

/// How the frame sits in the canvas.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CanvasView {
    /// Screen points per video pixel; `None` fits the frame to the canvas.
    pub zoom: Option<f32>,
    /// Offset of the frame's centre from the canvas centre, in points.
    pub pan: Vec2,
}

impl CanvasView {
    pub fn fit(&mut self) {
        *self = Self::default();
    }

    /// 1:1: one video pixel per physical screen pixel.
    pub fn actual_size(&mut self, pixels_per_point: f32) {
        self.zoom = Some(1.0 / pixels_per_point);
        self.pan = Vec2::ZERO;
    }

    /// Where the whole frame lands on screen.
    pub fn image_rect(&self, canvas: Rect, size: Vec2) -> Rect {
        let zoom = self.zoom.unwrap_or_else(|| fit_zoom(canvas, size));
        Rect::from_center_size(canvas.center() + self.pan, size * zoom)
    }
}

fn fit_zoom(canvas: Rect, size: Vec2) -> f32 {
    (canvas.width() / size.x).min(canvas.height() / size.y).max(1e-3)
}

/// A dataset box to draw, already in screen space.
struct Overlay {
    rect: Rect,
    color: Color32,
    label: String,
    occluded: bool,
}

pub fn show(ui: &mut egui::Ui, view: &mut CanvasView, video: &VideoView, dataset: Option<(&Dataset, &str)>) {
    let (canvas, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Video canvas"));
    let painter = ui.painter_at(canvas);
    painter.rect_filled(canvas, 0.0, Color32::from_gray(12));
    let info = video.server.info();
    let size = Vec2::new(info.width as f32, info.height as f32);

    // Zoom around the pointer with the wheel; drag to pan.
    if response.hovered() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            let before = view.image_rect(canvas, size);
            let zoom = before.width() / size.x;
            let new_zoom = (zoom * (scroll / 200.0).exp()).clamp(0.02, 64.0);
            if let Some(pointer) = response.hover_pos() {
                // Keep the video pixel under the pointer where it is.
                let anchor = (pointer - before.center()) / zoom;
                view.pan += anchor * zoom - anchor * new_zoom;
            }
            view.zoom = Some(new_zoom);
        }
    }
    if response.dragged() {
        view.pan += response.drag_delta();
    }
    if response.double_clicked() {
        view.fit();
    }

    let image = view.image_rect(canvas, size);
    let visible = image.intersect(canvas);
    if let Some(frame) = &video.shown
        && visible.is_positive()
    {
        // Show only the visible part so the viewport never leaves the window.
        let uv = |p: Pos2| ((p - image.min) / image.size()).to_pos2();
        let (uv0, uv1) = (uv(visible.min), uv(visible.max));
        painter.add(egui_wgpu::Callback::new_paint_callback(
            visible,
            YuvPaint { frame: std::sync::Arc::clone(frame), uv_rect: [uv0.x, uv0.y, uv1.x, uv1.y] },
        ));
    } else if video.shown.is_none() {
        painter.text(
            canvas.center(),
            egui::Align2::CENTER_CENTER,
            "Decoding…",
            egui::FontId::proportional(16.0),
            Color32::GRAY,
        );
    }

    if let Some((dataset, video_id)) = dataset {
        let to_screen = |x: f32, y: f32| image.min + Vec2::new(x, y) * (image.width() / size.x);
        // Boxes belong to the picture on screen, which may lag the play head.
        let frame = video.shown_frame().unwrap_or_else(|| video.current_frame());
        let overlays: Vec<Overlay> = dataset
            .tracks_of(video_id)
            .filter_map(|track| {
                let at = track.box_at(frame)?;
                let [x1, y1, x2, y2] = at.bbox.0;
                let category = dataset.category(&track.category);
                let [r, g, b] = category.and_then(|c| c.color).unwrap_or([255, 255, 255]);
                Some(Overlay {
                    rect: Rect::from_min_max(to_screen(x1, y1), to_screen(x2, y2)),
                    color: Color32::from_rgb(r, g, b),
                    label: category.map_or_else(|| track.category.clone(), |c| c.name.clone()),
                    occluded: at.occluded,
                })
            })
            .collect();
        for o in overlays {
            let stroke = Stroke::new(if o.occluded { 1.0 } else { 2.0 }, o.color);
            painter.rect_stroke(o.rect, 0.0, stroke, egui::StrokeKind::Outside);
            let text = if o.occluded { format!("{} (occluded)", o.label) } else { o.label };
            let galley = painter.layout_no_wrap(text, egui::FontId::proportional(12.0), Color32::BLACK);
            let bg = Rect::from_min_size(
                o.rect.left_top() - Vec2::new(0.0, galley.size().y + 2.0),
                galley.size() + Vec2::new(6.0, 2.0),
            );
            painter.rect_filled(bg, 2.0, o.color);
            painter.galley(bg.min + Vec2::new(3.0, 1.0), galley, Color32::BLACK);
        }
    }
}
