//! Image-grid prompting (as IG-VLM does): sampled frames laid out as tiles of one
//! picture in time order, left to right and top to bottom, so an image model sees a
//! clip at once; and what the model says about that picture moved back onto the
//! frames. The tiling of pixels is the model's (`model::grid::tile`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::geometry::BBox;
use crate::prediction::Prediction;

/// The tiles of a grid picture and the video time of each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameGrid {
    pub rows: usize,
    pub cols: usize,
    /// Video times of the tiled frames, in tile order.
    pub times_s: Vec<f64>,
}

impl FrameGrid {
    /// The most frames a grid holds.
    pub const MAX_FRAMES: usize = 9;

    /// The grid for frames at `times_s` (the first [`Self::MAX_FRAMES`]): one tile,
    /// 1x2, 2x2, 2x3 or 3x3.
    pub fn new(times_s: &[f64]) -> Self {
        let times_s: Vec<f64> = times_s.iter().take(Self::MAX_FRAMES).copied().collect();
        let (rows, cols) = match times_s.len() {
            0 | 1 => (1, 1),
            2 => (1, 2),
            3 | 4 => (2, 2),
            5 | 6 => (2, 3),
            _ => (3, 3),
        };
        Self { rows, cols, times_s }
    }

    /// Words telling the model what the picture is (times from the clip's start).
    pub fn describe(&self, clip_start_s: f64) -> String {
        let times: Vec<String> = self.times_s.iter().map(|t| format!("{:.1}", t - clip_start_s)).collect();
        format!(
            "The image is a {}x{} grid of {} frames of a video in time order, left to right and top to \
             bottom, taken at {} seconds.",
            self.rows,
            self.cols,
            self.times_s.len(),
            times.join(", ")
        )
    }

    /// Move what was read off the grid picture (`width` x `height` pixels) onto the
    /// frames: each box and point onto the tile under its centre, scaled up to the
    /// frame, with that frame's time unless the model gave one.
    pub fn to_frames(&self, mut p: Prediction, width: u32, height: u32) -> Prediction {
        let (w, h) = (width as f32, height as f32);
        let (tile_w, tile_h) = (w / self.cols as f32, h / self.rows as f32);
        let tile_of = |x: f32, y: f32| {
            let col = ((x / tile_w) as usize).min(self.cols - 1);
            let row = ((y / tile_h) as usize).min(self.rows - 1);
            (row * self.cols + col, col as f32 * tile_w, row as f32 * tile_h)
        };
        let unfold = |b: BBox| -> (BBox, usize) {
            let [x1, y1, x2, y2] = b.0;
            let (k, x0, y0) = tile_of((x1 + x2) / 2.0, (y1 + y2) / 2.0);
            let sx = |x: f32| ((x - x0) * self.cols as f32).clamp(0.0, w);
            let sy = |y: f32| ((y - y0) * self.rows as f32).clamp(0.0, h);
            (BBox([sx(x1), sy(y1), sx(x2), sy(y2)]), k)
        };
        let time = |k: usize| self.times_s.get(k).copied();
        for b in &mut p.boxes {
            let (bbox, k) = unfold(b.bbox);
            b.bbox = bbox;
            b.time_s = b.time_s.or_else(|| time(k));
        }
        for s in &mut p.steps {
            if let Some(b) = s.bbox {
                let (bbox, k) = unfold(b);
                s.bbox = Some(bbox);
                s.time_s = s.time_s.or_else(|| time(k));
            }
        }
        for pt in &mut p.points {
            let (k, x0, y0) = tile_of(pt.x, pt.y);
            pt.x = ((pt.x - x0) * self.cols as f32).clamp(0.0, w);
            pt.y = ((pt.y - y0) * self.rows as f32).clamp(0.0, h);
            pt.time_s = pt.time_s.or_else(|| time(k));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::PredictedBox;

    #[test]
    fn layouts_hold_up_to_nine_frames() {
        let shape = |n: usize| {
            let g = FrameGrid::new(&vec![0.0; n]);
            (g.rows, g.cols, g.times_s.len())
        };
        assert_eq!(
            [shape(1), shape(2), shape(4), shape(6), shape(12)],
            [(1, 1, 1), (1, 2, 2), (2, 2, 4), (2, 3, 6), (3, 3, 9)]
        );
    }

    #[test]
    fn boxes_move_onto_the_frame_of_their_tile_with_its_time() {
        let grid = FrameGrid::new(&[10.0, 11.0, 12.0, 13.0]);
        let mut p = Prediction::default();
        // In the bottom-right tile of a 200x100 picture: a quarter-frame box.
        let bbox = BBox([150.0, 75.0, 175.0, 100.0]);
        p.boxes.push(PredictedBox { label: None, time_s: None, time_text: None, bbox });
        p.boxes.push(PredictedBox {
            label: None,
            time_s: Some(10.5),
            bbox: BBox([0.0, 0.0, 50.0, 50.0]),
            time_text: None,
        });
        let p = grid.to_frames(p, 200, 100);
        assert_eq!(p.boxes[0].bbox, BBox([100.0, 50.0, 150.0, 100.0]));
        assert_eq!(p.boxes[0].time_s, Some(13.0));
        assert_eq!((p.boxes[1].bbox, p.boxes[1].time_s), (BBox([0.0, 0.0, 100.0, 100.0]), Some(10.5)));
        assert!(grid.describe(10.0).contains("taken at 0.0, 1.0, 2.0, 3.0 seconds"));
    }
}
