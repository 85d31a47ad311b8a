//! An overlay drawn in RGBA laid onto a frame's YUV planes, in the frame's own matrix
//! and range. YUV is an affine function of RGB, so blending here gives what blending
//! the RGB picture would; each chroma sample takes the mean of its four pixels.

use crate::frame::{ColorSpec, VideoFrame};

/// Premultiplied RGBA pixels covering `width x height` of a frame from `(x, y)`.
#[derive(Clone, Copy, Debug)]
pub struct Layer<'a> {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// Pixels from the start of one row to the next (`width` when packed).
    pub stride: u32,
    /// From the first pixel: `height` rows `stride` apart, the last `width` pixels long.
    pub rgba: &'a [u8],
}

impl Layer<'_> {
    /// The premultiplied pixels of frame row `fy` from column `x0` up to `x1`, or `None`
    /// where the row is outside the layer.
    fn row(&self, fy: u32, x0: u32, x1: u32) -> Option<&[u8]> {
        if fy < self.y || fy >= self.y + self.height {
            return None;
        }
        let start = (((fy - self.y) * self.stride + (x0 - self.x)) * 4) as usize;
        self.rgba.get(start..start + ((x1 - x0) * 4) as usize)
    }
}

/// Rows of the matrix from 8-bit RGB to Y, Cb, Cr, and the offset of black's Y.
struct Matrix {
    y: [f32; 3],
    u: [f32; 3],
    v: [f32; 3],
    black: f32,
}

impl Matrix {
    fn of(color: ColorSpec) -> Self {
        let (kr, kb) = if color.bt709 { (0.2126, 0.0722) } else { (0.299, 0.114) };
        let kg = 1.0 - kr - kb;
        let (ys, cs, black) =
            if color.full_range { (1.0, 1.0, 0.0) } else { (219.0 / 255.0, 224.0 / 255.0, 16.0) };
        let u = [-kr / (2.0 * (1.0 - kb)), -kg / (2.0 * (1.0 - kb)), 0.5];
        let v = [0.5, -kg / (2.0 * (1.0 - kr)), -kb / (2.0 * (1.0 - kr))];
        Self { y: [kr * ys, kg * ys, kb * ys], u: u.map(|c| c * cs), v: v.map(|c| c * cs), black }
    }
}

fn dot(row: [f32; 3], p: [f32; 3]) -> f32 {
    row[0] * p[0] + row[1] * p[1] + row[2] * p[2]
}

/// Rounded to the nearest byte; `as` saturates below 0 and above 255.
fn to_u8(v: f32) -> u8 {
    (v + 0.5) as u8
}

impl VideoFrame {
    /// Lay `layer` over the frame; the part outside the frame is left out.
    pub fn blend(&mut self, layer: &Layer) {
        let (x0, y0) = (layer.x, layer.y);
        let x_end = (x0 + layer.width).min(self.width);
        let y_end = (y0 + layer.height).min(self.height);
        let needed = (layer.height.saturating_sub(1) * layer.stride + layer.width) * 4;
        if x0 >= x_end || y0 >= y_end || layer.stride < layer.width || layer.rgba.len() < needed as usize {
            return;
        }
        let m = Matrix::of(self.color);
        let even = [x0, y0, x_end, y_end].iter().all(|v| v % 2 == 0);
        if even {
            self.blend_blocks(layer, &m, [x0, y0, x_end, y_end]);
        } else {
            self.blend_pixels(layer, &m, [x0, y0, x_end, y_end]);
        }
    }

    /// An even-aligned layer: luma along whole rows with no branch (a clear pixel gives
    /// back its luma exactly, and the loop vectorises), then chroma a 2x2 block at a
    /// time, clear blocks (most of a layer) passed over with two compares.
    fn blend_blocks(&mut self, layer: &Layer, m: &Matrix, [x0, y0, x_end, y_end]: [u32; 4]) {
        let (w, cw) = (self.width as usize, self.chroma_width() as usize);
        let luma = LumaFixed::of(m);
        for fy in y0..y_end {
            let Some(src) = layer.row(fy, x0, x_end) else { continue };
            let dst = &mut self.y[fy as usize * w + x0 as usize..fy as usize * w + x_end as usize];
            // Two pixels at a time; clear pairs, most of a layer, are passed over.
            for (p2, y2) in src.chunks_exact(8).zip(dst.chunks_exact_mut(2)) {
                if word(p2) != 0 {
                    y2[0] = luma.blend(&p2[..4], y2[0]);
                    y2[1] = luma.blend(&p2[4..], y2[1]);
                }
            }
        }
        for cy in y0 / 2..y_end / 2 {
            let (Some(top), Some(bottom)) = (layer.row(cy * 2, x0, x_end), layer.row(cy * 2 + 1, x0, x_end))
            else {
                continue;
            };
            for (k, (a, b)) in top.chunks_exact(8).zip(bottom.chunks_exact(8)).enumerate() {
                if word(a) | word(b) == 0 {
                    continue;
                }
                let sum = [0, 1, 2, 3]
                    .map(|c| u32::from(a[c]) + u32::from(a[c + 4]) + u32::from(b[c]) + u32::from(b[c + 4]));
                self.blend_chroma(m, cy as usize * cw + x0 as usize / 2 + k, sum);
            }
        }
    }

    /// Any layer, pixel by pixel, then each chroma sample from its pixels in the layer.
    fn blend_pixels(&mut self, layer: &Layer, m: &Matrix, [x0, y0, x_end, y_end]: [u32; 4]) {
        let w = self.width as usize;
        for fy in y0..y_end {
            let Some(src) = layer.row(fy, x0, x_end) else { continue };
            let dst = &mut self.y[fy as usize * w + x0 as usize..fy as usize * w + x_end as usize];
            for (p, y) in src.chunks_exact(4).zip(dst) {
                if p[3] != 0 {
                    *y = blend_luma(m, p, *y);
                }
            }
        }
        let cw = self.chroma_width() as usize;
        for cy in y0 / 2..y_end.div_ceil(2) {
            for cx in x0 / 2..x_end.div_ceil(2) {
                let mut sum = [0u32; 4];
                for fy in [cy * 2, cy * 2 + 1].into_iter().filter(|y| (y0..y_end).contains(y)) {
                    for fx in [cx * 2, cx * 2 + 1].into_iter().filter(|x| (x0..x_end).contains(x)) {
                        if let Some(p) = layer.row(fy, fx, fx + 1) {
                            sum.iter_mut().zip(p).for_each(|(s, v)| *s += u32::from(*v));
                        }
                    }
                }
                self.blend_chroma(m, cy as usize * cw + cx as usize, sum);
            }
        }
    }

    /// Chroma sample `i` under four pixels whose premultiplied colours sum to `sum`.
    fn blend_chroma(&mut self, m: &Matrix, i: usize, sum: [u32; 4]) {
        if sum[3] == 0 {
            return;
        }
        let c = [sum[0] as f32 * 0.25, sum[1] as f32 * 0.25, sum[2] as f32 * 0.25];
        let a = sum[3] as f32 * (1.0 / (4.0 * 255.0));
        self.u[i] = to_u8(128.0 * a + dot(m.u, c) + (1.0 - a) * f32::from(self.u[i]));
        self.v[i] = to_u8(128.0 * a + dot(m.v, c) + (1.0 - a) * f32::from(self.v[i]));
    }
}

/// The luma blend in 16-bit fixed point, for the loop over whole rows: exact where
/// the pixel is clear (255 * 257 = 65535 rounds back to the luma).
struct LumaFixed {
    rgb: [i32; 3],
    black: i32,
}

impl LumaFixed {
    const ONE: f32 = 65536.0;

    fn of(m: &Matrix) -> Self {
        let fixed = |v: f32| (v * Self::ONE).round() as i32;
        Self { rgb: m.y.map(fixed), black: fixed(m.black / 255.0) }
    }

    fn blend(&self, p: &[u8], y: u8) -> u8 {
        let [r, g, b, a] = [p[0], p[1], p[2], p[3]].map(i32::from);
        let sum = self.rgb[0] * r
            + self.rgb[1] * g
            + self.rgb[2] * b
            + self.black * a
            + (255 - a) * i32::from(y) * 257;
        ((sum + 32768) >> 16).clamp(0, 255) as u8
    }
}

/// Two pixels' bytes as one number, to test them clear at once.
fn word(two: &[u8]) -> u64 {
    two.try_into().map_or(1, u64::from_ne_bytes)
}

/// A pixel's luma under premultiplied `p`.
fn blend_luma(m: &Matrix, p: &[u8], y: u8) -> u8 {
    let a = f32::from(p[3]) / 255.0;
    let c = [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])];
    to_u8(m.black * a + dot(m.y, c) + (1.0 - a) * f32::from(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray(color: ColorSpec) -> VideoFrame {
        let (w, h) = (64u32, 32u32);
        let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
        VideoFrame {
            index: 0,
            width: w,
            height: h,
            color,
            y: vec![126; (w * h) as usize],
            u: vec![128; cw * ch],
            v: vec![128; cw * ch],
        }
    }

    fn rgb_at(frame: &VideoFrame, x: u32, y: u32) -> [i32; 3] {
        let rgb = frame.to_rgb().unwrap();
        let i = ((y * frame.width + x) * 3) as usize;
        [i32::from(rgb[i]), i32::from(rgb[i + 1]), i32::from(rgb[i + 2])]
    }

    #[test]
    fn an_overlay_reads_back_as_its_colour_through_swscale_in_each_matrix_and_range() {
        for bt709 in [false, true] {
            for full_range in [false, true] {
                let color = ColorSpec { bt709, full_range };
                let mut frame = gray(color);
                let before = rgb_at(&frame, 40, 8);
                // Opaque orange on the left half; half-transparent blue (premultiplied)
                // on a block of the right half.
                let (w, h) = (32u32, 32u32);
                let mut rgba = vec![0u8; (w * h * 4) as usize];
                for px in rgba.chunks_exact_mut(4) {
                    px.copy_from_slice(&[250, 120, 20, 255]);
                }
                frame.blend(&Layer { x: 0, y: 0, width: w, height: h, stride: w, rgba: &rgba });
                let blue = [0u8, 0, 100, 128].repeat(16 * 16);
                frame.blend(&Layer { x: 40, y: 8, width: 16, height: 16, stride: 16, rgba: &blue });
                let close = |a: [i32; 3], b: [i32; 3]| a.iter().zip(b).all(|(a, b)| (a - b).abs() <= 3);
                assert!(
                    close(rgb_at(&frame, 10, 10), [250, 120, 20]),
                    "{color:?}: {:?}",
                    rgb_at(&frame, 10, 10)
                );
                // Half the gray under half of the blue (200 * 128/255 premultiplied).
                let expect = before.map(|c| c * 127 / 255);
                let expect = [expect[0], expect[1], expect[2] + 100];
                assert!(
                    close(rgb_at(&frame, 44, 12), expect),
                    "{color:?}: {:?} {expect:?}",
                    rgb_at(&frame, 44, 12)
                );
                // Outside both layers the frame is as it was.
                assert_eq!(rgb_at(&frame, 60, 28), before);
            }
        }
    }

    #[test]
    fn an_odd_layer_and_an_even_one_blend_alike() {
        let color = ColorSpec::default();
        // Anti-aliased edges: every alpha from clear to opaque across the layer.
        let (w, h) = (10u32, 8u32);
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let a = (i * 255 / (w * h - 1)) as u8;
                let pre = |c: u32| (c * u32::from(a) / 255) as u8;
                [pre(250), pre(120), pre(20), a]
            })
            .collect();
        let layer = |x, y| Layer { x, y, width: w, height: h, stride: w, rgba: &rgba };
        let (mut blocks, mut pixels) = (gray(color), gray(color));
        let m = Matrix::of(color);
        blocks.blend_blocks(&layer(4, 6), &m, [4, 6, 4 + w, 6 + h]);
        pixels.blend_pixels(&layer(4, 6), &m, [4, 6, 4 + w, 6 + h]);
        let off = |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0);
        assert!(
            off(&blocks.y, &pixels.y) <= 1
                && off(&blocks.u, &pixels.u) <= 1
                && off(&blocks.v, &pixels.v) <= 1
        );
        // An opaque layer at an odd place: its colour inside, the frame as it was outside.
        let mut odd = gray(color);
        let before = rgb_at(&odd, 30, 20);
        let orange = [250u8, 120, 20, 255].repeat(7 * 9);
        odd.blend(&Layer { x: 3, y: 5, width: 7, height: 9, stride: 7, rgba: &orange });
        let inside = rgb_at(&odd, 6, 8);
        assert!(inside.iter().zip([250, 120, 20]).all(|(a, b)| (a - b).abs() <= 3), "{inside:?}");
        assert_eq!(rgb_at(&odd, 30, 20), before);
        assert_eq!(rgb_at(&odd, 1, 5), before);
    }
}
