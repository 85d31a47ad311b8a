//! Bicubic resampling of 8-bit RGB in fixed point, as transformers' processors resize:
//! torchvision's antialiased kernel on 8-bit pictures (transformers 5's default image
//! and video processors) or PIL's. Both are two passes (horizontal, then vertical),
//! each rounded back to 8 bits; they differ only in the weights' precision.

/// An RGB picture, 8 bits per channel, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgb {
    pub width: usize,
    pub height: usize,
    /// `height * width * 3` bytes.
    pub data: Vec<u8>,
}

/// How pictures are resized and scaled to the model's input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Resample {
    /// torchvision's antialiased bicubic on 8-bit pictures (fixed-point weights of as
    /// many bits as 16-bit integers hold), then `(x - 255 mean) / (255 std)` in f32:
    /// transformers 5's default image and video processors.
    #[default]
    Torchvision,
    /// PIL's bicubic (22-bit weights), then scaled by 1/255 and normalised:
    /// transformers' `Qwen2VLImageProcessorPil`.
    Pil,
}

/// PIL's bicubic kernel (a = -0.5), support 2.
fn bicubic(x: f64) -> f64 {
    let a = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * a
    } else {
        0.0
    }
}

/// For each output index: the first input index, and fixed-point weights from there
/// with `precision` fractional bits (PIL's 22, or torchvision's: as many as keep the
/// largest weight within a 16-bit integer).
fn coefficients(in_size: usize, out_size: usize, resample: Resample) -> (u32, Vec<(usize, Vec<i64>)>) {
    let scale = in_size as f64 / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = 2.0 * filter_scale;
    let weights: Vec<(usize, Vec<f64>)> = (0..out_size)
        .map(|xx| {
            let center = (xx as f64 + 0.5) * scale;
            // Both truncate toward zero here.
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
            let w: Vec<f64> =
                (xmin..xmax).map(|x| bicubic((x as f64 - center + 0.5) / filter_scale)).collect();
            let total: f64 = w.iter().sum();
            (xmin, w.into_iter().map(|w| if total == 0.0 { w } else { w / total }).collect())
        })
        .collect();
    let precision = match resample {
        Resample::Pil => 32 - 8 - 2,
        Resample::Torchvision => {
            let largest = weights.iter().flat_map(|(_, w)| w.iter().copied()).fold(0.0, f64::max);
            (0..22).find(|&p| (0.5 + largest * f64::from(1u32 << (p + 1))) as i64 >= 1 << 15).unwrap_or(22)
        }
    };
    let one = f64::from(1u32 << precision);
    let fixed = weights
        .into_iter()
        .map(|(xmin, w)| {
            let w = w.iter().map(|&w| w * one).map(|w| (if w < 0.0 { w - 0.5 } else { w + 0.5 }) as i64);
            (xmin, w.collect())
        })
        .collect();
    (precision, fixed)
}

/// PIL's bicubic resize of 8-bit RGB: a horizontal pass, then a vertical one, each
/// rounded back to 8 bits.
pub fn resize_bicubic(img: &Rgb, width: usize, height: usize) -> Rgb {
    Resample::Pil.resize(img, width, height)
}

impl Resample {
    /// Bicubic resize of 8-bit RGB in fixed point: a horizontal pass, then a vertical
    /// one, each rounded back to 8 bits (a side that keeps its size is not resampled).
    pub fn resize(self, img: &Rgb, width: usize, height: usize) -> Rgb {
        let mut horizontal = img.clone();
        if width != img.width {
            let (precision, coeffs) = coefficients(img.width, width, self);
            let half = 1i64 << (precision - 1);
            let mut data = vec![0u8; img.height * width * 3];
            for y in 0..img.height {
                for (xx, (xmin, k)) in coeffs.iter().enumerate() {
                    for c in 0..3 {
                        let sum = k.iter().enumerate().fold(half, |s, (i, w)| {
                            s + i64::from(img.data[(y * img.width + xmin + i) * 3 + c]) * w
                        });
                        data[(y * width + xx) * 3 + c] = (sum >> precision).clamp(0, 255) as u8;
                    }
                }
            }
            horizontal = Rgb { width, height: img.height, data };
        }
        if height == horizontal.height {
            return horizontal;
        }
        let (precision, coeffs) = coefficients(horizontal.height, height, self);
        let half = 1i64 << (precision - 1);
        let mut data = vec![0u8; height * width * 3];
        for (yy, (ymin, k)) in coeffs.iter().enumerate() {
            for x in 0..width {
                for c in 0..3 {
                    let sum = k.iter().enumerate().fold(half, |s, (i, w)| {
                        s + i64::from(horizontal.data[((ymin + i) * width + x) * 3 + c]) * w
                    });
                    data[(yy * width + x) * 3 + c] = (sum >> precision).clamp(0, 255) as u8;
                }
            }
        }
        Rgb { width, height, data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resizing_to_the_same_size_changes_nothing() {
        let img = Rgb { width: 4, height: 3, data: (0..36).map(|v| (v * 7) as u8).collect() };
        let flat = Rgb { width: 5, height: 4, data: vec![200; 60] };
        for resample in [Resample::Pil, Resample::Torchvision] {
            assert_eq!(resample.resize(&img, 4, 3), img);
            assert!(
                resample.resize(&flat, 13, 9).data.iter().all(|&v| v == 200),
                "a flat picture stays flat"
            );
        }
    }
}
