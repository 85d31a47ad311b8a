//! Qwen3-VL (2B/4B/8B Instruct) on candle, written to match the reference
//! transformers implementation to float rounding: the vision tower, image and video
//! features placed at their tokens with DeepStack, multimodal rotary positions, and
//! the text decoder with its cache.

mod config;
mod positions;
pub mod processor;
pub mod prompt;
mod random;
pub mod resample;
mod rope;
mod text;
mod vision;

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};

pub use config::{Config, TextConfig, VisionConfig};
pub use positions::{Media, rope_index};
pub use random::{
    PUBLISHED_PREPROCESSOR, PUBLISHED_VIDEO_PREPROCESSOR, QWEN3_VL_2B_CONFIG, TINY_CONFIG,
    write_random_checkpoint,
};
pub use rope::{Positions, text_positions};
pub use text::TextModel;
pub use vision::{Grid, VisionModel, VisionOutput};

use crate::error::{ModelError, Result};

pub struct Qwen3Vl {
    pub config: Config,
    pub text: TextModel,
    pub vision: VisionModel,
    /// Where the next token goes: one past the largest position so far (image and
    /// video tokens take fewer positions than tokens).
    next_position: i64,
}

/// The dtypes a model runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precision {
    /// Activations, the cache, norms and the vision tower.
    pub compute: DType,
    /// The text decoder's projection and embedding weights.
    pub text_weights: DType,
}

impl Precision {
    pub fn uniform(dtype: DType) -> Self {
        Self { compute: dtype, text_weights: dtype }
    }

    /// What suits a device: bf16 throughout on a GPU. On the CPU, f32 arithmetic
    /// (candle's CPU bf16 matmul is slow) with the text decoder's weights kept in f16,
    /// so that decoding reads half the bytes.
    pub fn for_device(device: &Device) -> Self {
        if device.is_cpu() {
            Self { compute: DType::F32, text_weights: DType::F16 }
        } else {
            Self::uniform(DType::BF16)
        }
    }
}

/// Pixel values of the images or the videos in a prompt, in prompt order, with the
/// patch grid of each.
#[derive(Clone, Copy)]
pub struct Pixels<'a> {
    pub values: &'a Tensor,
    pub grids: &'a [Grid],
}

impl Qwen3Vl {
    /// Load a checkpoint folder in the hub's layout: `config.json` and
    /// `model.safetensors`, or shards listed in `model.safetensors.index.json`.
    pub fn load(folder: &Path, precision: Precision, device: &Device) -> Result<Self> {
        Self::load_reporting(folder, precision, device, &mut |_| {})
    }

    /// [`Self::load`], telling `progress` the fraction of the layers read so far.
    pub fn load_reporting(
        folder: &Path,
        precision: Precision,
        device: &Device,
        progress: &mut dyn FnMut(f32),
    ) -> Result<Self> {
        let config = Config::load(&folder.join("config.json"))?;
        let files = safetensors_files(folder)?;
        let vb = crate::weights::mmap(&files, precision.compute, device)?;
        let layers = (config.text.num_hidden_layers + config.vision.depth).max(1);
        let mut read = 0;
        let mut on_layer = || {
            progress(read as f32 / layers as f32);
            read += 1;
        };
        let text = TextModel::new(&config, vb.clone(), precision.text_weights, &mut on_layer)?;
        let vision = VisionModel::new(&config.vision, vb.pp("model.visual"), &mut on_layer)?;
        progress(1.0);
        Ok(Self { config, text, vision, next_position: 0 })
    }

    /// Start a new sequence with a whole prompt; the logits for the token after it.
    pub fn prefill(
        &mut self,
        ids: &[u32],
        images: Option<Pixels>,
        videos: Option<Pixels>,
    ) -> Result<Vec<f32>> {
        if ids.is_empty() {
            return Err(ModelError::Input("an empty prompt".into()));
        }
        self.text.clear_cache();
        let (image_token, video_token) = (self.config.image_token_id, self.config.video_token_id);
        let encode = |pixels: Option<Pixels>, token: u32, what: &str| -> Result<Option<VisionOutput>> {
            let wanted = ids.iter().filter(|&&t| t == token).count();
            let Some(p) = pixels else {
                return match wanted {
                    0 => Ok(None),
                    n => Err(ModelError::Input(format!("{n} {what} tokens but no {what} pixels"))),
                };
            };
            let out = self.vision.forward(p.values, p.grids)?;
            let got = out.embeds.dim(0)?;
            if got != wanted {
                return Err(ModelError::Input(format!("{wanted} {what} tokens for {got} {what} features")));
            }
            Ok(Some(out))
        };
        let image = encode(images, image_token, "image")?;
        let video = encode(videos, video_token, "video")?;

        // Each position takes its row from the text embeddings, or the next image or
        // video feature in turn; DeepStack rows likewise, zero for text. The vision
        // tower and the text model share one dtype.
        let text = self.text.embed(ids)?.squeeze(0)?;
        let n = ids.len();
        let hidden = text.dim(1)?;
        let image_rows = image.as_ref().map_or(0, |o| o.embeds.dim(0).unwrap_or(0));
        let (mut next_image, mut next_video) = (0, 0);
        let mut rows = Vec::with_capacity(n);
        for (i, &t) in ids.iter().enumerate() {
            rows.push(if t == image_token && image.is_some() {
                next_image += 1;
                n + next_image - 1
            } else if t == video_token && video.is_some() {
                next_video += 1;
                n + image_rows + next_video - 1
            } else {
                i
            } as u32);
        }
        let dtype = text.dtype();
        let source = |text_rows: Tensor, pick: &dyn Fn(&VisionOutput) -> Option<Tensor>| -> Result<Tensor> {
            let mut parts = vec![text_rows];
            parts.extend(image.as_ref().and_then(pick));
            parts.extend(video.as_ref().and_then(pick));
            Ok(Tensor::cat(&parts, 0)?)
        };
        let index = Tensor::from_vec(rows, n, self.text.device())?;
        let embeds = source(text, &|o| Some(o.embeds.clone()))?.index_select(&index, 0)?;
        let layers = image.as_ref().or(video.as_ref()).map_or(0, |o| o.deepstack.len());
        let zeros = Tensor::zeros((n, hidden), dtype, self.text.device())?;
        let deepstack = (0..layers)
            .map(|k| {
                let rows = source(zeros.clone(), &|o| o.deepstack.get(k).cloned())?;
                Ok(rows.index_select(&index, 0)?.unsqueeze(0)?)
            })
            .collect::<Result<Vec<_>>>()?;

        let grids = |pixels: Option<Pixels>| pixels.map_or_else(Vec::new, |p| p.grids.to_vec());
        let positions = rope_index(
            ids,
            &Media { image_token, video_token, images: grids(images), videos: grids(videos) },
            self.config.vision.spatial_merge_size,
        )?;
        self.next_position = positions.iter().flatten().copied().max().unwrap_or(-1) + 1;
        self.text.forward(&embeds.unsqueeze(0)?, &positions, &deepstack)
    }

    /// Feed one more token (after [`Self::prefill`]); the logits for the one after.
    pub fn step(&mut self, token: u32) -> Result<Vec<f32>> {
        let embeds = self.text.embed(&[token])?;
        let positions = text_positions(self.next_position, 1);
        self.next_position += 1;
        self.text.forward(&embeds, &positions, &[])
    }
}

/// The weight files of a checkpoint folder.
fn safetensors_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let single = folder.join("model.safetensors");
    if single.exists() {
        return Ok(vec![single]);
    }
    Ok(shards(&folder.join("model.safetensors.index.json"))?.iter().map(|f| folder.join(f)).collect())
}

/// The shard files a sharded checkpoint's index (`model.safetensors.index.json`) lists.
pub(crate) fn shards(index_path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(index_path)
        .map_err(|error| ModelError::Read { path: index_path.to_owned(), error })?;
    let config = |message: String| ModelError::Config { path: index_path.to_owned(), message };
    let index: serde_json::Value = serde_json::from_str(&text).map_err(|e| config(e.to_string()))?;
    let mut files: Vec<String> = index
        .get("weight_map")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| config("no weight_map".into()))?
        .values()
        .filter_map(serde_json::Value::as_str)
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    // Shards sit beside the index: a name that leaves the folder is not one.
    if let Some(bad) = files.iter().find(|f| Path::new(f).components().count() != 1) {
        return Err(config(format!("the shard {bad:?} is not a file beside the index")));
    }
    Ok(files)
}
