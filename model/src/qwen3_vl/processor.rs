//! Images and video frames into the vision tower's input, as transformers' processors
//! do it: a size whose sides are multiples of 32 and whose area is within bounds
//! ("smart resize"), bicubic resampling ([`super::resample`]), scaling to [0, 1],
//! normalising, and cutting into 16x16 patches in 2x2-block order, each patch holding two frames
//! (an image is its own second frame). The settings come from the checkpoint's
//! `preprocessor_config.json` and `video_preprocessor_config.json` ([`Processor::load`]).

use std::path::Path;

use serde::Deserialize;

pub use super::resample::{Resample, Rgb, resize_bicubic};
use super::vision::Grid;

/// The processor's settings (`preprocessor_config.json`); `Default` is what Qwen3-VL
/// is published with.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageSettings {
    pub patch_size: usize,
    pub merge_size: usize,
    pub temporal_patch_size: usize,
    pub min_pixels: usize,
    pub max_pixels: usize,
    pub mean: [f64; 3],
    pub std: [f64; 3],
    pub rescale_factor: f64,
    pub resample: Resample,
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
            rescale_factor: 1.0 / 255.0,
            resample: Resample::Torchvision,
        }
    }
}

/// Both processors of a checkpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Processor {
    pub image: ImageSettings,
    pub video: VideoSettings,
}

/// The fields of a processor config file that sizing and normalising read.
#[derive(Deserialize)]
struct RawProcessor {
    size: Option<RawSize>,
    min_pixels: Option<usize>,
    max_pixels: Option<usize>,
    patch_size: Option<usize>,
    merge_size: Option<usize>,
    temporal_patch_size: Option<usize>,
    image_mean: Option<[f64; 3]>,
    image_std: Option<[f64; 3]>,
    rescale_factor: Option<f64>,
    image_processor_type: Option<String>,
    fps: Option<f64>,
    min_frames: Option<u64>,
    max_frames: Option<u64>,
}

#[derive(Deserialize)]
struct RawSize {
    shortest_edge: Option<usize>,
    longest_edge: Option<usize>,
    min_pixels: Option<usize>,
    max_pixels: Option<usize>,
}

impl RawProcessor {
    fn read(path: &Path) -> crate::Result<Option<Self>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(crate::ModelError::Read { path: path.to_owned(), error }),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| crate::ModelError::Config { path: path.to_owned(), message: e.to_string() })
    }

    /// `(min_pixels, max_pixels)`: top-level `min_pixels`/`max_pixels` (an older
    /// layout) win over `size`.
    fn pixels(&self, default: (usize, usize)) -> (usize, usize) {
        let size = self.size.as_ref();
        let min = size.and_then(|s| s.shortest_edge.or(s.min_pixels)).unwrap_or(default.0);
        let max = size.and_then(|s| s.longest_edge.or(s.max_pixels)).unwrap_or(default.1);
        (self.min_pixels.unwrap_or(min), self.max_pixels.unwrap_or(max))
    }

    /// The settings this file gives, each missing field taken from `class` (the
    /// processor class's own default, as transformers does).
    fn settings(&self, class: &ImageSettings) -> ImageSettings {
        let (min_pixels, max_pixels) = self.pixels((class.min_pixels, class.max_pixels));
        let pil = self.image_processor_type.as_deref().is_some_and(|t| t.ends_with("Pil"));
        ImageSettings {
            patch_size: self.patch_size.unwrap_or(class.patch_size),
            merge_size: self.merge_size.unwrap_or(class.merge_size),
            temporal_patch_size: self.temporal_patch_size.unwrap_or(class.temporal_patch_size),
            min_pixels,
            max_pixels,
            mean: self.image_mean.unwrap_or(class.mean),
            std: self.image_std.unwrap_or(class.std),
            rescale_factor: self.rescale_factor.unwrap_or(class.rescale_factor),
            resample: if pil { Resample::Pil } else { class.resample },
        }
    }
}

impl Processor {
    /// The processors a checkpoint folder describes. Each file's missing fields take
    /// the processor class's defaults (`Qwen2VLImageProcessor`, `Qwen3VLVideoProcessor`);
    /// video settings come from `preprocessor_config.json` when there is no
    /// `video_preprocessor_config.json`, as transformers reads them; a folder with
    /// neither file gets the settings Qwen3-VL is published with.
    pub fn load(folder: &Path) -> crate::Result<Self> {
        let image_file = RawProcessor::read(&folder.join("preprocessor_config.json"))?;
        let video_file = RawProcessor::read(&folder.join("video_preprocessor_config.json"))?;
        let image = image_file.as_ref().map_or_else(ImageSettings::default, |raw| raw.settings(&IMAGE_CLASS));
        let video = match video_file.as_ref().or(image_file.as_ref()) {
            None => VideoSettings::default(),
            Some(raw) => {
                let class = VideoSettings::class_default();
                let mut pixels = raw.settings(&class.pixels);
                // Video processors resize with torchvision only.
                pixels.resample = Resample::Torchvision;
                VideoSettings {
                    pixels,
                    fps: raw.fps.unwrap_or(class.fps),
                    min_frames: raw.min_frames.unwrap_or(class.min_frames),
                    max_frames: raw.max_frames.unwrap_or(class.max_frames),
                }
            }
        };
        Ok(Self { image, video })
    }
}

/// `Qwen2VLImageProcessor`'s own defaults (CLIP's mean and std, 14-pixel patches).
const IMAGE_CLASS: ImageSettings = ImageSettings {
    patch_size: 14,
    merge_size: 2,
    temporal_patch_size: 2,
    min_pixels: 56 * 56,
    max_pixels: 28 * 28 * 1280,
    mean: [0.481_454_66, 0.457_827_5, 0.408_210_73],
    std: [0.268_629_54, 0.261_302_58, 0.275_777_11],
    rescale_factor: 1.0 / 255.0,
    resample: Resample::Torchvision,
};

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

impl ImageSettings {
    /// The side of one merged patch in pixels: sizes are multiples of it.
    pub fn factor(&self) -> usize {
        self.patch_size * self.merge_size
    }

    /// An image's pixel values, `(patches, 3 * 2 * 16 * 16)` row-major, and its grid.
    pub fn image(&self, img: &Rgb) -> Result<(Vec<f32>, Grid), String> {
        let (h, w) = self.image_size(img.height, img.width)?;
        let resized = self.resample.resize(img, w, h);
        let frames = vec![resized; self.temporal_patch_size];
        Ok(self.patchify(&frames))
    }

    /// The size an image of `height x width` is resized to.
    pub fn image_size(&self, height: usize, width: usize) -> Result<(usize, usize), String> {
        smart_resize(height, width, self.factor(), self.min_pixels, self.max_pixels)
    }

    /// One 8-bit value scaled and normalised as the reference rounds it.
    fn normaliser(&self) -> impl Fn(u8, usize) -> f32 + use<> {
        let (mean, std) = (self.mean, self.std);
        let (resample, rescale) = (self.resample, self.rescale_factor);
        // torchvision folds the scale into the mean and std (in f32); PIL's processor
        // scales in f64, then normalises in f32.
        let unscale = (1.0 / rescale) as f32;
        let folded_mean = mean.map(|m| m as f32 * unscale);
        let folded_std = std.map(|s| s as f32 * unscale);
        let (mean, std) = (mean.map(|m| m as f32), std.map(|s| s as f32));
        move |v, c| match resample {
            Resample::Torchvision => (f32::from(v) - folded_mean[c]) / folded_std[c],
            Resample::Pil => ((f64::from(v) * rescale) as f32 - mean[c]) / std[c],
        }
    }

    /// Scale, normalise and cut frames (a multiple of the temporal patch, same size,
    /// sides multiples of the merge factor) into patches.
    fn patchify(&self, frames: &[Rgb]) -> (Vec<f32>, Grid) {
        let (p, m, tp) = (self.patch_size, self.merge_size, self.temporal_patch_size);
        let (width, height) = (frames[0].width, frames[0].height);
        let (gh, gw, gt) = (height / p, width / p, frames.len() / tp);
        let normalise = self.normaliser();
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
                                            out.push(normalise(f.data[(y * width + x) * 3 + c], c));
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
/// `Default` is what Qwen3-VL is published with.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoSettings {
    /// Patching and normalising; its pixel bounds are for all sampled frames together.
    pub pixels: ImageSettings,
    /// Frames per second to sample.
    pub fps: f64,
    pub min_frames: u64,
    pub max_frames: u64,
}

impl Default for VideoSettings {
    fn default() -> Self {
        let class = Self::class_default();
        Self { pixels: ImageSettings { min_pixels: 4096, max_pixels: 25_165_824, ..class.pixels }, ..class }
    }
}

impl VideoSettings {
    /// `Qwen3VLVideoProcessor`'s own defaults, for fields a config file leaves out.
    fn class_default() -> Self {
        Self {
            pixels: ImageSettings {
                min_pixels: 128 * 32 * 32,
                max_pixels: 32 * 32 * 768,
                ..ImageSettings::default()
            },
            fps: 2.0,
            min_frames: 4,
            max_frames: 768,
        }
    }

    /// Sampled video frames (all the same size) as one video: its pixel values and
    /// grid. An odd last frame is paired with itself.
    pub fn video(&self, frames: &[Rgb]) -> Result<(Vec<f32>, Grid), String> {
        let first = frames.first().ok_or("a video with no frames")?;
        if frames.iter().any(|f| (f.width, f.height) != (first.width, first.height)) {
            return Err("video frames differ in size".into());
        }
        // Sized by the frames sampled, then padded to whole frame pairs, as the
        // reference does.
        let (h, w) = self.frame_size(frames.len(), first.height, first.width)?;
        let mut resized: Vec<Rgb> = frames.iter().map(|f| self.pixels.resample.resize(f, w, h)).collect();
        while !resized.len().is_multiple_of(self.pixels.temporal_patch_size) {
            resized.push(resized[resized.len() - 1].clone());
        }
        Ok(self.pixels.patchify(&resized))
    }

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
    pub fn frame_size(&self, frames: usize, height: usize, width: usize) -> Result<(usize, usize), String> {
        let factor = self.pixels.factor() as f64;
        let temporal = self.pixels.temporal_patch_size;
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
        let (min_pixels, max_pixels) = (self.pixels.min_pixels as f64, self.pixels.max_pixels as f64);
        if t_bar * h_bar * w_bar > max_pixels {
            let beta = (t * h * w / max_pixels).sqrt();
            h_bar = factor.max((h / beta / factor).floor() * factor);
            w_bar = factor.max((w / beta / factor).floor() * factor);
        } else if t_bar * h_bar * w_bar < min_pixels {
            let beta = (min_pixels / (t * h * w)).sqrt();
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
        let (h, w) = v.frame_size(20, 720, 1280).unwrap();
        assert_eq!((h, w), (704, 1280), "the published budget keeps full-size frames");
        let small =
            VideoSettings { pixels: ImageSettings { max_pixels: 32 * 32 * 768, ..v.pixels.clone() }, ..v };
        let (h, w) = small.frame_size(20, 720, 1280).unwrap();
        assert!(h % 32 == 0 && w % 32 == 0 && 20 * h * w <= small.pixels.max_pixels, "{h}x{w}");
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
    fn the_published_configs_read_as_the_published_defaults() {
        let dir = std::env::temp_dir().join(format!("vidence-published-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("preprocessor_config.json"), crate::qwen3_vl::PUBLISHED_PREPROCESSOR)
            .unwrap();
        let video = crate::qwen3_vl::PUBLISHED_VIDEO_PREPROCESSOR;
        std::fs::write(dir.join("video_preprocessor_config.json"), video).unwrap();
        assert_eq!(Processor::load(&dir).unwrap(), Processor::default());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn settings_come_from_the_checkpoint_with_the_class_defaults_for_missing_fields() {
        let dir = std::env::temp_dir().join(format!("vidence-processor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(Processor::load(&dir).unwrap(), Processor::default(), "no files: as published");
        std::fs::write(
            dir.join("preprocessor_config.json"),
            r#"{"size": {"longest_edge": 1000000, "shortest_edge": 3136}, "patch_size": 16,
                "image_processor_type": "Qwen2VLImageProcessorPil"}"#,
        )
        .unwrap();
        let p = Processor::load(&dir).unwrap();
        assert_eq!((p.image.min_pixels, p.image.max_pixels, p.image.patch_size), (3136, 1_000_000, 16));
        assert_eq!(p.image.mean, IMAGE_CLASS.mean, "a missing mean is the class's (CLIP's)");
        assert_eq!(p.image.resample, Resample::Pil);
        assert_eq!(p.video.pixels.max_pixels, 1_000_000, "no video file: the image file's fields");
        assert_eq!(p.video.pixels.resample, Resample::Torchvision);
        std::fs::write(dir.join("video_preprocessor_config.json"), r#"{"fps": 1, "max_frames": 64}"#)
            .unwrap();
        let p = Processor::load(&dir).unwrap();
        assert_eq!((p.video.fps, p.video.min_frames, p.video.max_frames), (1.0, 4, 64));
        assert_eq!(p.video.pixels.max_pixels, 32 * 32 * 768, "the video class's budget");
        std::fs::write(dir.join("video_preprocessor_config.json"), "{").unwrap();
        let err = Processor::load(&dir).unwrap_err().to_string();
        assert!(err.contains("video_preprocessor_config.json"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
