//! The Qwen3-VL vision tower: patches of two frames (3x2x16x16) embedded by a linear
//! map (the reference's stride-equal Conv3d), learned positions resampled bilinearly
//! to each image's grid, ViT blocks with 2-D rotary positions attending within one
//! frame, and patch mergers that fold each 2x2 block into one text-sized token: the
//! last block's output, and DeepStack features from chosen earlier blocks.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};

use super::config::VisionConfig;
use crate::error::{ModelError, Result};
use crate::kernels;

/// A grid of patches: frames (in pairs), rows, columns.
pub type Grid = [usize; 3];

fn layer_norm(dim: usize, vb: VarBuilder) -> Result<LayerNorm> {
    Ok(candle_nn::layer_norm(dim, candle_nn::LayerNormConfig { eps: 1e-6, ..Default::default() }, vb)?)
}

struct Block {
    norm1: LayerNorm,
    norm2: LayerNorm,
    qkv: Linear,
    proj: Linear,
    fc1: Linear,
    fc2: Linear,
    heads: usize,
}

impl Block {
    fn new(cfg: &VisionConfig, vb: VarBuilder) -> Result<Self> {
        let d = cfg.hidden_size;
        Ok(Self {
            norm1: layer_norm(d, vb.pp("norm1"))?,
            norm2: layer_norm(d, vb.pp("norm2"))?,
            qkv: candle_nn::linear(d, 3 * d, vb.pp("attn.qkv"))?,
            proj: candle_nn::linear(d, d, vb.pp("attn.proj"))?,
            fc1: candle_nn::linear(d, cfg.intermediate_size, vb.pp("mlp.linear_fc1"))?,
            fc2: candle_nn::linear(cfg.intermediate_size, d, vb.pp("mlp.linear_fc2"))?,
            heads: cfg.num_heads,
        })
    }

    /// `x` is `(patches, hidden)`; `frames` are the lengths of the runs of patches
    /// that attend to each other.
    fn forward(&self, x: &Tensor, cos: &Tensor, sin: &Tensor, frames: &[usize]) -> Result<Tensor> {
        let (n, d) = x.dims2()?;
        let head_dim = d / self.heads;
        let qkv = self.qkv.forward(&self.norm1.forward(x)?)?.reshape((n, 3, self.heads, head_dim))?;
        let scale = 1.0 / (head_dim as f64).sqrt();
        let mut outputs = Vec::with_capacity(frames.len());
        let mut start = 0;
        // Runs of frames of one size attend in one batched product (a video's frames
        // all have the same size), a few at a time to bound the scores' memory.
        for (len, count) in batches(frames, self.heads) {
            let rows = len * count;
            // Query, key or value as (count, heads, len, head_dim).
            let take = |i: usize| {
                qkv.narrow(0, start, rows)?
                    .narrow(1, i, 1)?
                    .reshape((count, len, self.heads, head_dim))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            // Rotary positions in f32, as the reference does in any precision.
            let (cos, sin) = (cos.narrow(0, start, rows)?, sin.narrow(0, start, rows)?);
            let (cos, sin) =
                (cos.reshape((count, len, head_dim / 2))?, sin.reshape((count, len, head_dim / 2))?);
            let rotate = |t: Tensor| -> Result<Tensor> {
                let rotated = candle_nn::rotary_emb::rope(&t.to_dtype(DType::F32)?, &cos, &sin)?;
                Ok(rotated.to_dtype(t.dtype())?)
            };
            let (q, k, v) = (rotate(take(0)?)?, rotate(take(1)?)?, take(2)?);
            outputs.push(kernels::attention(&q, &k, &v, scale, None)?.transpose(1, 2)?.reshape((rows, d))?);
            start += rows;
        }
        let h = (x + self.proj.forward(&Tensor::cat(&outputs, 0)?)?)?;
        let mlp = self.fc2.forward(&kernels::gelu_tanh(&self.fc1.forward(&self.norm2.forward(&h)?)?)?)?;
        Ok((h + mlp)?)
    }
}

/// Consecutive frames of equal length, as `(length, count)`, each batch's attention
/// scores (`count * heads * length^2` f32) kept within 256 MiB.
fn batches(frames: &[usize], heads: usize) -> Vec<(usize, usize)> {
    const SCORES: usize = 64 << 20;
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &len in frames {
        let most = (SCORES / (heads * len * len).max(1)).max(1);
        match out.last_mut() {
            Some((l, count)) if *l == len && *count < most => *count += 1,
            _ => out.push((len, 1)),
        }
    }
    out
}

/// Folds each 2x2 block of patches into one token for the text model.
struct Merger {
    norm: LayerNorm,
    fc1: Linear,
    fc2: Linear,
    /// The DeepStack mergers normalise after folding; the final one before.
    norm_after_fold: bool,
    unit: usize,
}

impl Merger {
    fn new(cfg: &VisionConfig, norm_after_fold: bool, vb: VarBuilder) -> Result<Self> {
        let unit = cfg.spatial_merge_size * cfg.spatial_merge_size;
        let folded = cfg.hidden_size * unit;
        Ok(Self {
            norm: layer_norm(if norm_after_fold { folded } else { cfg.hidden_size }, vb.pp("norm"))?,
            fc1: candle_nn::linear(folded, folded, vb.pp("linear_fc1"))?,
            fc2: candle_nn::linear(folded, cfg.out_hidden_size, vb.pp("linear_fc2"))?,
            norm_after_fold,
            unit,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (n, d) = x.dims2()?;
        let fold = |t: &Tensor| t.reshape((n / self.unit, d * self.unit));
        let x =
            if self.norm_after_fold { self.norm.forward(&fold(x)?)? } else { fold(&self.norm.forward(x)?)? };
        // The reference merger uses exact GELU, unlike the blocks.
        Ok(self.fc2.forward(&self.fc1.forward(&x)?.gelu_erf()?)?)
    }
}

pub struct VisionModel {
    patch_embed: Linear,
    pos_embed: Embedding,
    blocks: Vec<Block>,
    merger: Merger,
    deepstack: Vec<(usize, Merger)>,
    cfg: VisionConfig,
    device: Device,
    dtype: DType,
}

/// What the tower gives for a batch of images or frames.
pub struct VisionOutput {
    /// `(tokens, text hidden)`: one row per 2x2 block, in the order of the patches.
    pub embeds: Tensor,
    /// One tensor like `embeds` per DeepStack layer.
    pub deepstack: Vec<Tensor>,
}

impl VisionModel {
    /// `vb` is `model.visual` of the checkpoint; `on_layer` is called as each block is
    /// read.
    pub fn new(cfg: &VisionConfig, vb: VarBuilder, on_layer: &mut dyn FnMut()) -> Result<Self> {
        let patch = cfg.in_channels * cfg.temporal_patch_size * cfg.patch_size * cfg.patch_size;
        let weight = vb.get(
            (cfg.hidden_size, cfg.in_channels, cfg.temporal_patch_size, cfg.patch_size, cfg.patch_size),
            "patch_embed.proj.weight",
        )?;
        let bias = vb.get(cfg.hidden_size, "patch_embed.proj.bias")?;
        Ok(Self {
            patch_embed: Linear::new(weight.reshape((cfg.hidden_size, patch))?, Some(bias)),
            pos_embed: candle_nn::embedding(
                cfg.num_position_embeddings,
                cfg.hidden_size,
                vb.pp("pos_embed"),
            )?,
            blocks: (0..cfg.depth)
                .map(|i| {
                    on_layer();
                    Block::new(cfg, vb.pp(format!("blocks.{i}")))
                })
                .collect::<Result<_>>()?,
            merger: Merger::new(cfg, false, vb.pp("merger"))?,
            deepstack: cfg
                .deepstack_visual_indexes
                .iter()
                .enumerate()
                .map(|(k, &layer)| {
                    Ok((layer, Merger::new(cfg, true, vb.pp(format!("deepstack_merger_list.{k}")))?))
                })
                .collect::<Result<_>>()?,
            cfg: cfg.clone(),
            device: vb.device().clone(),
            dtype: vb.dtype(),
        })
    }

    /// Patches in the processor's order (per frame pair, 2x2 blocks row by row, each
    /// block's patches row by row): `(patches, 3 * 2 * 16 * 16)`.
    pub fn forward(&self, pixels: &Tensor, grids: &[Grid]) -> Result<VisionOutput> {
        let m = self.cfg.spatial_merge_size;
        let total: usize = grids.iter().map(|[t, h, w]| t * h * w).sum();
        if pixels.dim(0)? != total {
            return Err(ModelError::Input(format!("{} patches for grids that hold {total}", pixels.dim(0)?)));
        }
        if let Some(g) = grids.iter().find(|[t, h, w]| *t == 0 || h % m != 0 || w % m != 0) {
            return Err(ModelError::Input(format!("grid {g:?} is not whole {m}x{m} blocks")));
        }
        let pixels = pixels.to_dtype(self.dtype)?;
        let mut x = self.patch_embed.forward(&pixels)?;
        x = (x + self.position_embeddings(grids)?)?;
        let (cos, sin) = self.rotary(grids)?;
        let frames: Vec<usize> = grids.iter().flat_map(|&[t, h, w]| std::iter::repeat_n(h * w, t)).collect();
        let mut deepstack = Vec::new();
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(&x, &cos, &sin, &frames)?;
            for (_, merger) in self.deepstack.iter().filter(|(layer, _)| *layer == i) {
                deepstack.push(merger.forward(&x)?);
            }
        }
        Ok(VisionOutput { embeds: self.merger.forward(&x)?, deepstack })
    }

    /// Each patch's (row, column), in the processor's block order, frame after frame.
    fn patch_positions(&self, grids: &[Grid]) -> Vec<(usize, usize, Grid)> {
        let m = self.cfg.spatial_merge_size;
        let mut out = Vec::new();
        for &[t, h, w] in grids {
            for _ in 0..t {
                for br in 0..h / m {
                    for bc in 0..w / m {
                        for ir in 0..m {
                            for ic in 0..m {
                                out.push((br * m + ir, bc * m + ic, [t, h, w]));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The learned square grid of positions, resampled bilinearly (corners aligned)
    /// to each grid, as the reference computes it in f32.
    fn position_embeddings(&self, grids: &[Grid]) -> Result<Tensor> {
        let side = (self.cfg.num_position_embeddings as f64).sqrt() as usize;
        let taps = |index: usize, size: usize| -> [(usize, f32); 2] {
            let src = index as f32 * (side - 1) as f32 / (size.max(2) - 1) as f32;
            let floor = src.floor();
            let at = |offset: f32| {
                let tap = ((floor + offset) as usize).min(side - 1);
                (tap, (1.0 - (src - floor - offset).abs()).max(0.0))
            };
            [at(0.0), at(1.0)]
        };
        let mut indices = Vec::new();
        let mut weights = Vec::new();
        for (row, col, [_, h, w]) in self.patch_positions(grids) {
            for (hi, hw) in taps(row, h) {
                for (wi, ww) in taps(col, w) {
                    indices.push((hi * side + wi) as u32);
                    weights.push(hw * ww);
                }
            }
        }
        let n = indices.len() / 4;
        let rows = self.pos_embed.forward(&Tensor::from_vec(indices, n * 4, &self.device)?)?;
        let weights = Tensor::from_vec(weights, (n, 4, 1), &self.device)?.to_dtype(self.dtype)?;
        Ok(rows.reshape((n, 4, self.cfg.hidden_size))?.broadcast_mul(&weights)?.sum(1)?)
    }

    /// `(cos, sin)`, `(patches, head_dim / 2)` in f32: a head turns with the row, then
    /// the column, at the same frequencies (both halves alike, as
    /// `candle_nn::rotary_emb::rope` takes them).
    fn rotary(&self, grids: &[Grid]) -> Result<(Tensor, Tensor)> {
        let head_dim = self.cfg.hidden_size / self.cfg.num_heads;
        let spatial = head_dim / 2;
        let inv_freq: Vec<f32> = (0..spatial)
            .step_by(2)
            .map(|j| 1.0 / (self.cfg.rope_theta as f32).powf(j as f32 / spatial as f32))
            .collect();
        let (mut cos, mut sin) = (Vec::new(), Vec::new());
        let positions = self.patch_positions(grids);
        for &(row, col, _) in &positions {
            let angles: Vec<f32> = inv_freq
                .iter()
                .map(|f| row as f32 * f)
                .chain(inv_freq.iter().map(|f| col as f32 * f))
                .collect();
            cos.extend(angles.iter().map(|a| a.cos()));
            sin.extend(angles.iter().map(|a| a.sin()));
        }
        let n = positions.len();
        Ok((
            Tensor::from_vec(cos, (n, spatial), &self.device)?,
            Tensor::from_vec(sin, (n, spatial), &self.device)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn equal_frames_batch_up_to_the_memory_bound() {
        assert_eq!(batches(&[24, 24, 24, 10, 10], 2), [(24, 3), (10, 2)]);
        // 16 heads of 800x800 scores: six frames take 246 MB, seven would pass 256 MiB.
        assert_eq!(batches(&[800; 8], 16), [(800, 6), (800, 2)]);
        assert!(batches(&[], 4).is_empty());
    }
}
