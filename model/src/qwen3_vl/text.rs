//! The Qwen3 text decoder of Qwen3-VL: RMS-normed attention with per-head query/key
//! norms, grouped key/value heads, multimodal rotary positions, SwiGLU MLP, and a
//! key/value cache that can be cleared.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, Linear, RmsNorm, VarBuilder};

use super::config::Config;
use super::rope::{self, Positions, Rotary};
use crate::error::Result;

struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    /// Keys and values of the tokens seen so far, `(batch, kv_heads, tokens, head_dim)`.
    cache: Option<(Tensor, Tensor)>,
}

fn linear(inp: usize, out: usize, bias: bool, vb: VarBuilder) -> Result<Linear> {
    Ok(if bias { candle_nn::linear(inp, out, vb)? } else { candle_nn::linear_no_bias(inp, out, vb)? })
}

impl Attention {
    fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let t = &cfg.text;
        let (h, kv, d) = (t.num_attention_heads, t.num_key_value_heads, t.head_dim);
        Ok(Self {
            q_proj: linear(t.hidden_size, h * d, t.attention_bias, vb.pp("q_proj"))?,
            k_proj: linear(t.hidden_size, kv * d, t.attention_bias, vb.pp("k_proj"))?,
            v_proj: linear(t.hidden_size, kv * d, t.attention_bias, vb.pp("v_proj"))?,
            o_proj: linear(h * d, t.hidden_size, t.attention_bias, vb.pp("o_proj"))?,
            q_norm: candle_nn::rms_norm(d, t.rms_norm_eps, vb.pp("q_norm"))?,
            k_norm: candle_nn::rms_norm(d, t.rms_norm_eps, vb.pp("k_norm"))?,
            heads: h,
            kv_heads: kv,
            head_dim: d,
            cache: None,
        })
    }

    fn forward(&mut self, x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        let (b, n, _) = x.dims3()?;
        let split = |t: Tensor, heads: usize| t.reshape((b, n, heads, self.head_dim));
        let q = self.q_norm.forward(&split(self.q_proj.forward(x)?, self.heads)?)?.transpose(1, 2)?;
        let k = self.k_norm.forward(&split(self.k_proj.forward(x)?, self.kv_heads)?)?.transpose(1, 2)?;
        let v = split(self.v_proj.forward(x)?, self.kv_heads)?.transpose(1, 2)?;
        let q = rope::apply(&q.contiguous()?, cos, sin)?;
        let k = rope::apply(&k.contiguous()?, cos, sin)?;
        let (k, v) = match self.cache.take() {
            Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v.contiguous()?], 2)?),
            None => (k, v.contiguous()?),
        };
        self.cache = Some((k.clone(), v.clone()));
        let past = k.dim(2)? - n;
        // Grouped heads: each key/value head serves `heads / kv_heads` query heads.
        let repeat = |t: &Tensor| -> candle_core::Result<Tensor> {
            let groups = self.heads / self.kv_heads;
            let (b, kv, len, d) = t.dims4()?;
            t.unsqueeze(2)?.expand((b, kv, groups, len, d))?.reshape((b, kv * groups, len, d))
        };
        let (k, v) = (repeat(&k)?, repeat(&v)?);
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        // The softmax runs in f32 whatever the weights' precision, as in the reference.
        let mut scores = (q.matmul(&k.t()?)? * scale)?.to_dtype(DType::F32)?;
        if n > 1 {
            scores = scores.broadcast_add(&causal_mask(n, past, x.device())?)?;
        }
        let weights = candle_nn::ops::softmax_last_dim(&scores)?.to_dtype(v.dtype())?;
        let out = weights.matmul(&v)?.transpose(1, 2)?.reshape((b, n, self.heads * self.head_dim))?;
        Ok(self.o_proj.forward(&out)?)
    }
}

/// `(n, past + n)`: token `i` sees the `past` cached tokens and tokens `0..=i`.
fn causal_mask(n: usize, past: usize, device: &Device) -> Result<Tensor> {
    let mask: Vec<f32> = (0..n)
        .flat_map(|i| (0..past + n).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 }))
        .collect();
    Ok(Tensor::from_vec(mask, (n, past + n), device)?)
}

struct Mlp {
    gate_proj: Linear,
    up_proj: Linear,
    down_proj: Linear,
}

impl Mlp {
    fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let (h, i) = (cfg.text.hidden_size, cfg.text.intermediate_size);
        Ok(Self {
            gate_proj: candle_nn::linear_no_bias(h, i, vb.pp("gate_proj"))?,
            up_proj: candle_nn::linear_no_bias(h, i, vb.pp("up_proj"))?,
            down_proj: candle_nn::linear_no_bias(i, h, vb.pp("down_proj"))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let gate = candle_nn::ops::silu(&self.gate_proj.forward(x)?)?;
        Ok(self.down_proj.forward(&(gate * self.up_proj.forward(x)?)?)?)
    }
}

struct Layer {
    attention: Attention,
    mlp: Mlp,
    input_norm: RmsNorm,
    post_attention_norm: RmsNorm,
}

impl Layer {
    fn forward(&mut self, x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        let h = (x + self.attention.forward(&self.input_norm.forward(x)?, cos, sin)?)?;
        Ok((&h + self.mlp.forward(&self.post_attention_norm.forward(&h)?)?)?)
    }
}

pub struct TextModel {
    embed_tokens: Embedding,
    layers: Vec<Layer>,
    norm: RmsNorm,
    lm_head: Linear,
    rotary: Rotary,
    device: Device,
    dtype: DType,
}

impl TextModel {
    /// `vb` is the checkpoint root (with `model.language_model.*` and `lm_head.*`).
    pub fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let t = &cfg.text;
        let lm = vb.pp("model.language_model");
        let embed_tokens = candle_nn::embedding(t.vocab_size, t.hidden_size, lm.pp("embed_tokens"))?;
        let layers = (0..t.num_hidden_layers)
            .map(|i| {
                let vb = lm.pp(format!("layers.{i}"));
                Ok(Layer {
                    attention: Attention::new(cfg, vb.pp("self_attn"))?,
                    mlp: Mlp::new(cfg, vb.pp("mlp"))?,
                    input_norm: candle_nn::rms_norm(t.hidden_size, t.rms_norm_eps, vb.pp("input_layernorm"))?,
                    post_attention_norm: candle_nn::rms_norm(
                        t.hidden_size,
                        t.rms_norm_eps,
                        vb.pp("post_attention_layernorm"),
                    )?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // A tied head is the embedding; an untied one has no bias.
        let lm_head = if cfg.tie_word_embeddings {
            Linear::new(embed_tokens.embeddings().clone(), None)
        } else {
            candle_nn::linear_no_bias(t.hidden_size, t.vocab_size, vb.pp("lm_head"))?
        };
        Ok(Self {
            norm: candle_nn::rms_norm(t.hidden_size, t.rms_norm_eps, lm.pp("norm"))?,
            embed_tokens,
            layers,
            lm_head,
            rotary: Rotary::new(t),
            device: vb.device().clone(),
            dtype: vb.dtype(),
        })
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Token embeddings, `(1, tokens, hidden)`.
    pub fn embed(&self, ids: &[u32]) -> Result<Tensor> {
        let ids = Tensor::new(ids, &self.device)?.unsqueeze(0)?;
        Ok(self.embed_tokens.forward(&ids)?)
    }

    /// Run `embeds` (`(1, tokens, hidden)`, following what the cache holds) at
    /// `positions`; the logits of the last token, in f32. `deepstack[k]`, shaped like
    /// `embeds` and zero away from image and video tokens, is added after layer `k`.
    pub fn forward(
        &mut self,
        embeds: &Tensor,
        positions: &Positions,
        deepstack: &[Tensor],
    ) -> Result<Vec<f32>> {
        let (cos, sin) = self.rotary.cos_sin(positions, &self.device)?;
        let (cos, sin) = (cos.to_dtype(self.dtype)?, sin.to_dtype(self.dtype)?);
        let mut h = embeds.clone();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            h = layer.forward(&h, &cos, &sin)?;
            if let Some(extra) = deepstack.get(i) {
                h = (h + extra)?;
            }
        }
        // Only the last position's logits are needed: norm and project it alone.
        let last = h.narrow(1, h.dim(1)? - 1, 1)?;
        let logits = self.lm_head.forward(&self.norm.forward(&last)?)?;
        Ok(logits.flatten_all()?.to_dtype(DType::F32)?.to_vec1()?)
    }

    /// Forget every token seen: the next forward starts a new sequence.
    pub fn clear_cache(&mut self) {
        for layer in &mut self.layers {
            layer.attention.cache = None;
        }
    }

    /// Tokens in the cache.
    pub fn cached_tokens(&self) -> usize {
        self.layers
            .first()
            .and_then(|l| l.attention.cache.as_ref())
            .and_then(|(k, _)| k.dim(2).ok())
            .unwrap_or(0)
    }
}
