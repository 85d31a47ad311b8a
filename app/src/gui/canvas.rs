//! The video canvas: the frame (drawn by the YUV shader), zoom and pan, the dataset's
//! boxes at the current frame, and the evidence of the model run on show.

use annotate::overlay::{self, Layer, Scene};
use annotate::time::FrameTimes;
use annotate::{BBox, Dataset};
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};

use super::video::VideoView;
use super::yuv::YuvPaint;

/// What a primary-button drag on the canvas does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tool {
    /// Select, move and resize boxes; drag empty space to pan.
    #[default]
    Select,
    /// Drag out a new box (a new track).
    Draw,
}

/// What the user did on the canvas, for the app to turn into edits.
#[derive(Clone, Debug, PartialEq)]
pub enum CanvasAction {
    /// Clicked a track's box, or empty space.
    Select(Option<String>),
    /// Drew a new box on `frame`, the one on screen.
    Draw { bbox: BBox, frame: u64 },
    /// Moved or resized a track's box on `frame`, the one on screen.
    Place { track: String, bbox: BBox, frame: u64 },
}

/// What the pointer did, before the canvas stamps it with the frame on screen.
enum Gesture {
    Select(Option<String>),
    Draw(BBox),
    Place { track: String, bbox: BBox },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Grab {
    Pan,
    Draw,
    Move,
    /// Corner 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left.
    Corner(usize),
}

/// A drag in progress, in video pixels.
#[derive(Clone, Debug, PartialEq)]
struct BoxDrag {
    grab: Grab,
    track: Option<String>,
    start: Pos2,
    original: [f32; 4],
}

impl BoxDrag {
    /// The box as it would be with the pointer at `now` (video pixels), in the frame.
    fn rect(&self, now: Pos2, size: Vec2) -> [f32; 4] {
        let [x1, y1, x2, y2] = self.original;
        let d = now - self.start;
        let (a, b) = match self.grab {
            Grab::Pan => return self.original,
            Grab::Draw => (self.start, now),
            Grab::Move => {
                // Keep the whole box in the frame while moving.
                let dx = d.x.clamp(-x1, size.x - x2);
                let dy = d.y.clamp(-y1, size.y - y2);
                return [x1 + dx, y1 + dy, x2 + dx, y2 + dy];
            }
            Grab::Corner(c) => {
                let corners = [Pos2::new(x1, y1), Pos2::new(x2, y1), Pos2::new(x2, y2), Pos2::new(x1, y2)];
                (corners[(c + 2) % 4], now)
            }
        };
        let clamp = |p: Pos2| Pos2::new(p.x.clamp(0.0, size.x), p.y.clamp(0.0, size.y));
        let (a, b) = (clamp(a), clamp(b));
        [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]
    }
}

/// Boxes smaller than this (video pixels) are a slip of the hand, not a box.
const MIN_BOX: f32 = 2.0;
/// How close (screen points) the pointer must be to grab a corner.
const HANDLE: f32 = 8.0;

/// How the frame sits in the canvas, and the drag in progress.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CanvasView {
    /// Screen points per video pixel; `None` fits the frame to the canvas.
    pub zoom: Option<f32>,
    /// Offset of the frame's centre from the canvas centre, in points.
    pub pan: Vec2,
    drag: Option<BoxDrag>,
}

impl CanvasView {
    pub fn fit(&mut self) {
        self.zoom = None;
        self.pan = Vec2::ZERO;
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

/// A dataset box on screen, for the pointer to take hold of.
struct Overlay {
    track: String,
    bbox: [f32; 4],
    rect: Rect,
}

pub fn show(
    ui: &mut egui::Ui,
    view: &mut CanvasView,
    video: &VideoView,
    dataset: Option<(&Dataset, &str)>,
    tool: Tool,
    selected: Option<&str>,
    layers: &[Layer],
) -> (Option<CanvasAction>, Option<usize>) {
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

    let scale = image.width() / size.x;
    let to_screen = |x: f32, y: f32| image.min + Vec2::new(x, y) * scale;
    let to_video = |p: Pos2| Pos2::new((p.x - image.min.x) / scale, (p.y - image.min.y) / scale);
    // Boxes belong to the picture on screen, which may lag the play head.
    let frame = video.shown_frame().unwrap_or_else(|| video.current_frame());
    let overlays: Vec<Overlay> = dataset.map_or_else(Vec::new, |(dataset, video_id)| {
        overlay::track_boxes(dataset, video_id, frame)
            .into_iter()
            .map(|(track, at)| {
                let [x1, y1, x2, y2] = at.bbox.0;
                Overlay {
                    track: track.id.clone(),
                    bbox: at.bbox.0,
                    rect: Rect::from_min_max(to_screen(x1, y1), to_screen(x2, y2)),
                }
            })
            .collect()
    });

    // Pointer work: pick what a drag grabs, show it while it moves, report on release.
    let action = interact(&response, view, &overlays, tool, selected, to_video, size).map(|g| match g {
        Gesture::Select(track) => CanvasAction::Select(track),
        Gesture::Draw(bbox) => CanvasAction::Draw { bbox, frame },
        Gesture::Place { track, bbox } => CanvasAction::Place { track, bbox, frame },
    });
    // The box being dragged is drawn where it is going, not where it was.
    let dragged = view.drag.as_ref().filter(|d| d.grab != Grab::Pan).and_then(|d| d.track.clone());

    // The shown run's box under the pointer is lit; a compared run's is only drawn.
    let now_s = video.server.index().time_of(frame);
    let mut layers = layers.to_vec();
    let mut hovered = None;
    if let (Some(first), Some(p)) = (layers.first_mut(), response.hover_pos()) {
        let v = to_video(p);
        let boxes = &first.run.prediction.boxes;
        hovered = first.boxes_at(now_s).into_iter().rev().find(|&i| {
            let [x1, y1, x2, y2] = boxes[i].bbox.0;
            (x1..=x2).contains(&v.x) && (y1..=y2).contains(&v.y)
        });
        first.hovered = hovered;
    }
    let scene = Scene {
        dataset: dataset.map(|(d, _)| d),
        video: dataset.map_or("", |(_, v)| v),
        frame,
        time_s: now_s,
        size: [size.x, size.y],
        px_per_pt: 1.0,
        labels: true,
        selected,
        hidden: dragged.as_deref(),
        layers,
        caption: false,
        strip: None,
    };
    super::shapes::paint(&painter, image, scale, &overlay::shapes(&scene));
    // The selected box's corners, to resize it by.
    if let Some(o) =
        overlays.iter().find(|o| Some(o.track.as_str()) == selected && Some(&o.track) != dragged.as_ref())
    {
        for c in [o.rect.left_top(), o.rect.right_top(), o.rect.right_bottom(), o.rect.left_bottom()] {
            painter.rect_filled(Rect::from_center_size(c, Vec2::splat(7.0)), 1.0, Color32::WHITE);
        }
    }

    if let (Some(drag), Some(pointer)) = (&view.drag, response.interact_pointer_pos())
        && drag.grab != Grab::Pan
    {
        let [x1, y1, x2, y2] = drag.rect(to_video(pointer), size);
        painter.rect_stroke(
            Rect::from_min_max(to_screen(x1, y1), to_screen(x2, y2)),
            0.0,
            Stroke::new(2.0, Color32::WHITE),
            egui::StrokeKind::Outside,
        );
    }
    (action, hovered)
}

/// Turn this frame's pointer input into a drag state and, on release, an action.
fn interact(
    response: &egui::Response,
    view: &mut CanvasView,
    overlays: &[Overlay],
    tool: Tool,
    selected: Option<&str>,
    to_video: impl Fn(Pos2) -> Pos2,
    size: Vec2,
) -> Option<Gesture> {
    let pointer = response.interact_pointer_pos();
    if response.dragged_by(egui::PointerButton::Middle) || response.dragged_by(egui::PointerButton::Secondary)
    {
        view.pan += response.drag_delta();
        return None;
    }
    // A drag is recognised only after the pointer has moved a little: it starts
    // where the button went down.
    let press = response.ctx.input(|i| i.pointer.press_origin()).or(pointer);
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(p) = press
    {
        let v = to_video(p);
        view.drag = Some(match tool {
            Tool::Draw => BoxDrag { grab: Grab::Draw, track: None, start: v, original: [v.x, v.y, v.x, v.y] },
            Tool::Select => grab_at(p, v, overlays, selected),
        });
    }
    if response.dragged_by(egui::PointerButton::Primary)
        && view.drag.as_ref().is_some_and(|d| d.grab == Grab::Pan)
    {
        view.pan += response.drag_delta();
    }
    if response.drag_stopped() {
        let drag = view.drag.take()?;
        let bbox = drag.rect(to_video(pointer?), size);
        let big_enough = bbox[2] - bbox[0] >= MIN_BOX && bbox[3] - bbox[1] >= MIN_BOX;
        return match (drag.grab, drag.track) {
            (Grab::Pan, _) => None,
            (Grab::Draw, _) => big_enough.then_some(Gesture::Draw(BBox(bbox))),
            (_, Some(track)) if big_enough && bbox != drag.original => {
                Some(Gesture::Place { track, bbox: BBox(bbox) })
            }
            _ => None,
        };
    }
    if response.clicked() {
        let hit = pointer.and_then(|p| overlays.iter().rev().find(|o| o.rect.contains(p)));
        return Some(Gesture::Select(hit.map(|o| o.track.clone())));
    }
    None
}

/// What a drag starting at screen point `p` (video point `v`) takes hold of: a corner
/// of the selected box, a box (topmost first), or the view.
fn grab_at(p: Pos2, v: Pos2, overlays: &[Overlay], selected: Option<&str>) -> BoxDrag {
    let pan = BoxDrag { grab: Grab::Pan, track: None, start: v, original: [0.0; 4] };
    if let Some(o) = overlays.iter().find(|o| Some(o.track.as_str()) == selected) {
        let r = o.rect;
        let corners = [r.left_top(), r.right_top(), r.right_bottom(), r.left_bottom()];
        if let Some(c) = corners.iter().position(|c| c.distance(p) <= HANDLE) {
            return BoxDrag {
                grab: Grab::Corner(c),
                track: Some(o.track.clone()),
                start: v,
                original: o.bbox,
            };
        }
    }
    overlays.iter().rev().find(|o| o.rect.contains(p)).map_or(pan, |o| BoxDrag {
        grab: Grab::Move,
        track: Some(o.track.clone()),
        start: v,
        original: o.bbox,
    })
}
