//! Frames tiled into one picture for image-grid prompting, as the layout of an
//! `annotate::dialect::FrameGrid` says.

use annotate::dialect::FrameGrid;

use crate::qwen3_vl::processor::{Rgb, resize_bicubic};

/// One picture the size of the frames (all of one size), each frame shrunk into its
/// tile; tiles without a frame stay black.
pub fn tile(grid: &FrameGrid, frames: &[Rgb]) -> Option<Rgb> {
    let first = frames.first()?;
    let (width, height) = (first.width, first.height);
    let (tile_w, tile_h) = (width / grid.cols, height / grid.rows);
    if tile_w == 0 || tile_h == 0 {
        return None;
    }
    let mut out = Rgb { width, height, data: vec![0; width * height * 3] };
    for (k, frame) in frames.iter().take(grid.rows * grid.cols).enumerate() {
        let small = resize_bicubic(frame, tile_w, tile_h);
        let (x0, y0) = ((k % grid.cols) * tile_w, (k / grid.cols) * tile_h);
        for y in 0..tile_h {
            let from = &small.data[y * tile_w * 3..(y + 1) * tile_w * 3];
            let at = ((y0 + y) * width + x0) * 3;
            out.data[at..at + tile_w * 3].copy_from_slice(from);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_the_frames_in_order() {
        let frame = |v: u8| Rgb { width: 8, height: 4, data: vec![v; 8 * 4 * 3] };
        let grid = FrameGrid::new(&[0.0, 1.0, 2.0]);
        let picture = tile(&grid, &[frame(10), frame(20), frame(30)]).expect("a picture");
        let at = |x: usize, y: usize| picture.data[(y * 8 + x) * 3];
        assert_eq!((picture.width, picture.height), (8, 4));
        assert_eq!([at(0, 0), at(7, 0), at(0, 3), at(7, 3)], [10, 20, 30, 0], "the fourth tile is empty");
    }
}
