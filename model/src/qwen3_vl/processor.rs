//! Images and video frames into the vision tower's input, as the reference
//! `Qwen2VLImageProcessor` (PIL backend) with Qwen3-VL's settings does it: a size whose
//! sides are multiples of 32 and whose area is within bounds ("smart resize"), PIL's
//! bicubic resampling in 8-bit fixed point, scaling to [0, 1], normalising, and cutting
//! into 16x16 patches in 2x2-block order, each patch holding two frames (an image is
//! its own second frame).

use super::vision::Grid;

/// An RGB picture, 8 bits per channel, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rgb {
    pub width: usize,
    pub height: usize,
    /// `height * width * 3` bytes.
    pub data: Vec<u8>,
}

/// The processor's settings (`preprocessor_config.json`); `Default` is Qwen3-VL's.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSettings {
    pub patch_size: usize,
    pub merge_size: usize,
    pub temporal_patch_size: usize,
    pub min_pixels: usize,
    pub max_pixels: usize,
    pub mean: [f64; 3],
    pub std: [f64; 3],
}

impl Default for ImageSettings {
    fn default() -> Self {
        Self {
            patch_size: 16,
            merge_size: 2,
            temporal_patch_size: 2,
            min_pixels: 65_536,
            max_pixels: 16_777_216,
            mean: [0.5; 3],
            std: [0.5; 3],
        }
    }
}

/// The size to resize to: both sides multiples of `factor`, the area within
/// `min_pixels..=max_pixels`, the aspect ratio kept as closely as that allows.
pub fn smart_resize(
    height: usize,
    width: usize,
    factor: usize,
    min_pixels: usize,
    max_pixels: usize,
) -> Result<(usize, usize), String> {
    if height == 0 || width == 0 {
        return Err(format!("an empty picture ({width}x{height})"));
    }
    let (h, w, f) = (height as f64, width as f64, factor as f64);
    if h.max(w) / h.min(w) > 200.0 {
        return Err(format!("aspect ratio of {width}x{height} is over 200"));
    }
    // Python's round: halves go to the even neighbour.
    let mut h_bar = (h / f).round_ties_even() * f;
    let mut w_bar = (w / f).round_ties_even() * f;
    if h_bar * w_bar > max_pixels as f64 {
        let beta = (h * w / max_pixels as f64).sqrt();
        h_bar = f.max((h / beta / f).floor() * f);
        w_bar = f.max((w / beta / f).floor() * f);
    } else if h_bar * w_bar < min_pixels as f64 {
        let beta = (min_pixels as f64 / (h * w)).sqrt();
        h_bar = (h * beta / f).ceil() * f;
        w_bar = (w * beta / f).ceil() * f;
    }
    Ok((h_bar as usize, w_bar as usize))
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

const PRECISION_BITS: u32 = 32 - 8 - 2;

/// For each output index: the first input index, and fixed-point weights from there.
fn coefficients(in_size: usize, out_size: usize) -> Vec<(usize, Vec<i64>)> {
    let scale = in_size as f64 / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = 2.0 * filter_scale;
    (0..out_size)
        .map(|xx| {
            let center = (xx as f64 + 0.5) * scale;
            // PIL truncates toward zero here.
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
            let weights: Vec<f64> =
                (xmin..xmax).map(|x| bicubic((x as f64 - center + 0.5) / filter_scale)).collect();
            let total: f64 = weights.iter().sum();
            let fixed = weights
                .iter()
                .map(|&w| {
                    let w = if total == 0.0 { w } else { w / total } * f64::from(1u32 << PRECISION_BITS);
                    (if w < 0.0 { w - 0.5 } else { w + 0.5 }) as i64
                })
                .collect();
            (xmin, fixed)
        })
        .collect()
}

fn clip8(v: i64) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// PIL's bicubic resize of 8-bit RGB: a horizontal pass, then a vertical one, each
/// rounded back to 8 bits.
pub fn resize_bicubic(img: &Rgb, width: usize, height: usize) -> Rgb {
    let half = 1i64 << (PRECISION_BITS - 1);
    let mut horizontal = img.clone();
    if width != img.width {
        let coeffs = coefficients(img.width, width);
        let mut data = vec![0u8; img.height * width * 3];
        for y in 0..img.height {
            for (xx, (xmin, k)) in coeffs.iter().enumerate() {
                for c in 0..3 {
                    let sum = k.iter().enumerate().fold(half, |s, (i, w)| {
                        s + i64::from(img.data[(y * img.width + xmin + i) * 3 + c]) * w
                    });
                    data[(y * width + xx) * 3 + c] = clip8(sum);
                }
            }
        }
        horizontal = Rgb { width, height: img.height, data };
    }
    if height == horizontal.height {
        return horizontal;
    }
    let coeffs = coefficients(horizontal.height, height);
    let mut data = vec![0u8; height * width * 3];
    for (yy, (ymin, k)) in coeffs.iter().enumerate() {
        for x in 0..width {
            for c in 0..3 {
                let sum = k.iter().enumerate().fold(half, |s, (i, w)| {
                    s + i64::from(horizontal.data[((ymin + i) * width + x) * 3 + c]) * w
                });
                data[(yy * width + x) * 3 + c] = clip8(sum);
            }
        }
    }
    Rgb { width, height, data }
}

impl ImageSettings {
    /// The side of one merged patch in pixels: sizes are multiples of it.
    pub fn factor(&self) -> usize {
        self.patch_size * self.merge_size
    }

    /// An image's pixel values, `(patches, 3 * 2 * 16 * 16)` row-major, and its grid.
    pub fn image(&self, img: &Rgb) -> Result<(Vec<f32>, Grid), String> {
        let (h, w) = smart_resize(img.height, img.width, self.factor(), self.min_pixels, self.max_pixels)?;
        let resized = resize_bicubic(img, w, h);
        let frames = vec![resized; self.temporal_patch_size];
        Ok(self.patchify(&frames))
    }

    /// Sampled video frames (all the same size) as one video, sized by `video`; an odd
    /// last frame is paired with itself.
    pub fn video(&self, frames: &[Rgb], video: &VideoSettings) -> Result<(Vec<f32>, Grid), String> {
        let first = frames.first().ok_or("a video with no frames")?;
        if frames.iter().any(|f| (f.width, f.height) != (first.width, first.height)) {
            return Err("video frames differ in size".into());
        }
        let mut frames = frames.to_vec();
        while !frames.len().is_multiple_of(self.temporal_patch_size) {
            frames.push(frames[frames.len() - 1].clone());
        }
        let (h, w) = video.frame_size(frames.len(), first.height, first.width, self)?;
        let resized: Vec<Rgb> = frames.iter().map(|f| resize_bicubic(f, w, h)).collect();
        Ok(self.patchify(&resized))
    }

    /// Scale, normalise and cut frames (a multiple of the temporal patch, same size,
    /// sides multiples of the merge factor) into patches.
    fn patchify(&self, frames: &[Rgb]) -> (Vec<f32>, Grid) {
        let (p, m, tp) = (self.patch_size, self.merge_size, self.temporal_patch_size);
        let (width, height) = (frames[0].width, frames[0].height);
        let (gh, gw, gt) = (height / p, width / p, frames.len() / tp);
        // As the reference rounds: scaled in f64, then normalised in f32.
        let (mean, std) = (self.mean.map(|m| m as f32), self.std.map(|s| s as f32));
        let value = |f: &Rgb, y: usize, x: usize, c: usize| {
            let v = (f64::from(f.data[(y * width + x) * 3 + c]) * (1.0 / 255.0)) as f32;
            (v - mean[c]) / std[c]
        };
        let mut out = Vec::with_capacity(gt * gh * gw * 3 * tp * p * p);
        for t in 0..gt {
            for br in 0..gh / m {
                for bc in 0..gw / m {
                    for ir in 0..m {
                        for ic in 0..m {
                            let (y0, x0) = ((br * m + ir) * p, (bc * m + ic) * p);
                            for c in 0..3 {
                                for f in &frames[t * tp..(t + 1) * tp] {
                                    for y in y0..y0 + p {
                                        for x in x0..x0 + p {
                                            out.push(value(f, y, x, c));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (out, [gt, gh, gw])
    }
}

/// How frames are sampled from a video and sized (`video_preprocessor_config.json`);
/// `Default` is Qwen3-VL's.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoSettings {
    /// Frames per second to sample.
    pub fps: f64,
    pub min_frames: u64,
    pub max_frames: u64,
    /// Pixel bounds for all sampled frames together.
    pub min_pixels: usize,
    pub max_pixels: usize,
}

impl Default for VideoSettings {
    fn default() -> Self {
        Self {
            fps: 2.0,
            min_frames: 4,
            max_frames: 768,
            min_pixels: 128 * 32 * 32,
            max_pixels: 32 * 32 * 768,
        }
    }
}

impl VideoSettings {
    /// Indices of the frames to sample from `total` frames at `video_fps`: evenly
    /// spread from the first to the last, as the reference picks them.
    pub fn sample(&self, total: u64, video_fps: f64) -> Vec<u64> {
        if total == 0 {
            return Vec::new();
        }
        let wanted = if video_fps > 0.0 { (total as f64 / video_fps * self.fps) as u64 } else { total };
        let n = wanted.max(self.min_frames).min(self.max_frames).min(total).max(1);
        if n == 1 {
            return vec![0];
        }
        let step = (total - 1) as f64 / (n - 1) as f64;
        (0..n)
            .map(|i| if i == n - 1 { total - 1 } else { (i as f64 * step).round_ties_even() as u64 })
            .collect()
    }

    /// Scene-change aware sampling: `n` of the `candidates` (frame indices, in order,
    /// each with a small grey thumbnail of equal size), spread evenly over the amount
    /// of change rather than over time, so a clip that cuts or moves gets more frames
    /// there and a still stretch fewer. Half the mean change is added at every step, so
    /// no stretch goes unsampled. The first and last candidates are always kept.
    pub fn scene_aware(candidates: &[u64], thumbnails: &[Vec<u8>], n: usize) -> Vec<u64> {
        let m = candidates.len().min(thumbnails.len());
        if n >= m {
            return candidates[..m].to_vec();
        }
        if n <= 1 {
            return candidates.iter().take(n).copied().collect();
        }
        let change: Vec<f64> = (1..m)
            .map(|i| {
                let (a, b) = (&thumbnails[i - 1], &thumbnails[i]);
                let sum: u64 = a.iter().zip(b).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
                sum as f64 / a.len().max(1) as f64
            })
            .collect();
        let floor = change.iter().sum::<f64>() / change.len() as f64 / 2.0 + 1e-9;
        // Position of each candidate along the accumulated change.
        let mut at = vec![0.0; m];
        for i in 1..m {
            at[i] = at[i - 1] + change[i - 1] + floor;
        }
        let total = at[m - 1];
        let mut picked: Vec<usize> = Vec::with_capacity(n);
        for j in 0..n {
            let target = total * j as f64 / (n - 1) as f64;
            let after = at.partition_point(|&a| a < target).min(m - 1);
            // The candidate nearest the target (ties go later).
            let i = if after > 0 && target - at[after - 1] < at[after] - target { after - 1 } else { after };
            // Never the same candidate twice: move on to the next free one.
            let i = match picked.last() {
                Some(&last) if i <= last => last + 1,
                _ => i,
            };
            picked.push(i.min(m - 1 - (n - 1 - j)));
        }
        picked.into_iter().map(|i| candidates[i]).collect()
    }

    /// The size frames are resized to: like [`smart_resize`], with the pixel budget
    /// shared by all `frames` frames.
    pub fn frame_size(
        &self,
        frames: usize,
        height: usize,
        width: usize,
        image: &ImageSettings,
    ) -> Result<(usize, usize), String> {
        let factor = image.factor() as f64;
        let temporal = image.temporal_patch_size;
        if frames < temporal || height == 0 || width == 0 {
            return Err(format!("{frames} frames of {width}x{height} is too little video"));
        }
        let (mut h, mut w) = (height as f64, width as f64);
        if h < factor || w < factor {
            let scale = (factor / h).max(factor / w);
            h = (h * scale).floor();
            w = (w * scale).floor();
        }
        if h.max(w) / h.min(w) > 200.0 {
            return Err(format!("aspect ratio of {width}x{height} is over 200"));
        }
        let t = frames as f64;
        let mut h_bar = (h / factor).round_ties_even() * factor;
        let mut w_bar = (w / factor).round_ties_even() * factor;
        let t_bar = (t / temporal as f64).round_ties_even() * temporal as f64;
        if t_bar * h_bar * w_bar > self.max_pixels as f64 {
            let beta = (t * h * w / self.max_pixels as f64).sqrt();
            h_bar = factor.max((h / beta / factor).floor() * factor);
            w_bar = factor.max((w / beta / factor).floor() * factor);
        } else if t_bar * h_bar * w_bar < self.min_pixels as f64 {
            let beta = (self.min_pixels as f64 / (t * h * w)).sqrt();
            h_bar = (h * beta / factor).ceil() * factor;
            w_bar = (w * beta / factor).ceil() * factor;
        }
        Ok((h_bar as usize, w_bar as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_resize_keeps_multiples_of_the_factor_within_the_bounds() {
        assert_eq!(smart_resize(37, 50, 32, 4096, 16384), Ok((64, 96)), "too small: grown");
        assert_eq!(smart_resize(200, 300, 32, 4096, 8192), Ok((64, 96)), "too large: shrunk");
        assert_eq!(
            smart_resize(720, 1280, 32, 65536, 16_777_216),
            Ok((704, 1280)),
            "720/32 = 22.5 rounds to 22"
        );
        assert!(smart_resize(1, 300, 32, 4096, 8192).is_err());
        assert!(smart_resize(0, 10, 32, 4096, 8192).is_err());
    }

    #[test]
    fn video_frames_are_spread_from_first_to_last_at_the_asked_rate() {
        let v = VideoSettings::default();
        // 10 s at 30 fps, 2 frames a second: 20 frames, the last one included.
        let picked = v.sample(300, 30.0);
        assert_eq!(picked.len(), 20);
        assert_eq!((picked[0], picked[1], picked[19]), (0, 16, 299), "299/19 = 15.74 rounds to 16");
        assert_eq!(v.sample(3, 30.0), [0, 1, 2], "never more frames than the video has");
        assert_eq!(v.sample(90, 30.0).len(), 6, "3 s: 6 frames");
        assert_eq!(v.sample(30, 30.0).len(), 4, "at least 4");
        assert!(v.sample(0, 30.0).is_empty());
        let (h, w) = v.frame_size(20, 720, 1280, &ImageSettings::default()).unwrap();
        assert!(h % 32 == 0 && w % 32 == 0 && 20 * h * w <= v.max_pixels, "{h}x{w}");
    }

    #[test]
    fn scene_aware_sampling_puts_frames_where_the_picture_changes() {
        // 40 candidates: still, then a stretch of fast change (20 to 29), then still.
        let candidates: Vec<u64> = (0..40).map(|i| i * 10).collect();
        let thumbnails: Vec<Vec<u8>> = (0..40u8)
            .map(|i| {
                let v = if i < 20 {
                    0
                } else if i < 30 {
                    (i - 19) * 20
                } else {
                    200
                };
                vec![v; 16]
            })
            .collect();
        let picked = VideoSettings::scene_aware(&candidates, &thumbnails, 10);
        assert_eq!(picked.len(), 10);
        assert!(picked.windows(2).all(|w| w[0] < w[1]), "in order, no repeats: {picked:?}");
        assert_eq!((picked[0], picked[9]), (0, 390));
        let in_change = picked.iter().filter(|&&f| (200..300).contains(&f)).count();
        assert!(in_change >= 5, "the quarter of the clip that changes gets most frames: {picked:?}");
        // A still clip is sampled evenly.
        let still = VideoSettings::scene_aware(&candidates, &vec![vec![7u8; 16]; 40], 5);
        assert_eq!(still, [0, 100, 200, 290, 390]);
        assert_eq!(VideoSettings::scene_aware(&candidates[..3], &thumbnails[..3], 5), [0, 10, 20]);
    }

    #[test]
    fn resizing_to_the_same_size_changes_nothing() {
        let img = Rgb { width: 4, height: 3, data: (0..36).map(|v| (v * 7) as u8).collect() };
        assert_eq!(resize_bicubic(&img, 4, 3), img);
        let flat = Rgb { width: 5, height: 4, data: vec![200; 60] };
        assert!(resize_bicubic(&flat, 13, 9).data.iter().all(|&v| v == 200), "a flat picture stays flat");
    }
}
