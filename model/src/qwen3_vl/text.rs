//! The Qwen3 text decoder of Qwen3-VL: RMS-normed attention with per-head query/key
//! norms, grouped key/value heads, multimodal rotary positions, SwiGLU MLP, and a
//! key/value cache that can be cleared. The projection and embedding weights may be
//! kept in 16 bits under f32 arithmetic (see [`Proj`]).

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{RmsNorm, VarBuilder};

use super::config::Config;
use super::rope::{Positions, Rotary};
use crate::error::Result;
use crate::kernels;

struct Attention {
    q_proj: Proj,
    k_proj: Proj,
    v_proj: Proj,
    o_proj: Proj,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    cache: Option<KvCache>,
}

/// Keys and values of the tokens seen so far, `(batch, kv_heads, tokens, head_dim)`,
/// in buffers with room to spare: a token is written in place, not appended by
/// copying the whole cache.
struct KvCache {
    keys: Tensor,
    values: Tensor,
    len: usize,
}

impl KvCache {
    /// Room added whenever the buffers fill up, in tokens (at least this many, at least
    /// as many as held).
    const GROWTH: usize = 512;

    /// An empty cache with room for `keys`' tokens and more.
    fn new(keys: &Tensor, values: &Tensor) -> Result<Self> {
        let room = keys.dim(2)? + Self::GROWTH;
        Ok(Self { keys: with_room(keys, 0, room)?, values: with_room(values, 0, room)?, len: 0 })
    }

    /// Add `keys` and `values` (`(batch, kv_heads, tokens, head_dim)`); all of them
    /// held so far.
    fn append(&mut self, keys: &Tensor, values: &Tensor) -> Result<(Tensor, Tensor)> {
        let n = keys.dim(2)?;
        if self.len + n > self.keys.dim(2)? {
            let room = self.len + n + Self::GROWTH.max(self.len);
            self.keys = with_room(&self.keys, self.len, room)?;
            self.values = with_room(&self.values, self.len, room)?;
        }
        self.keys.slice_set(&keys.contiguous()?, 2, self.len)?;
        self.values.slice_set(&values.contiguous()?, 2, self.len)?;
        self.len += n;
        Ok((self.keys.narrow(2, 0, self.len)?, self.values.narrow(2, 0, self.len)?))
    }
}

/// A zeroed buffer shaped like `t` (`(batch, heads, _, head_dim)`) with room for
/// `room` tokens, holding the first `len` of `t`. Never empty: a GPU cannot allocate
/// nothing.
fn with_room(t: &Tensor, len: usize, room: usize) -> Result<Tensor> {
    let (b, h, _, d) = t.dims4()?;
    let out = Tensor::zeros((b, h, room, d), t.dtype(), t.device())?;
    if len > 0 {
        out.slice_set(&t.narrow(2, 0, len)?.contiguous()?, 2, 0)?;
    }
    Ok(out)
}

/// A projection `x W^T + b` whose weight may be stored in another dtype than the
/// activations (16 bits under f32 arithmetic). A prompt widens the weight and computes
/// in the activations' dtype, as with full-size weights; a single token reads each
/// weight once at its stored size ([`kernels::matvec`]). Decoding is bound by reading
/// the weights, so 16 bits is about twice as fast.
struct Proj {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Proj {
    /// `weights` gives the weight's dtype; `vb` the activations' (for the bias).
    fn new(inp: usize, out: usize, bias: bool, vb: VarBuilder, weights: DType) -> Result<Self> {
        // The initialisers are candle_nn::linear's, for random-weight checkpoints.
        let weight = vb.clone().set_dtype(weights).get_with_hints(
            (out, inp),
            "weight",
            candle_nn::init::DEFAULT_KAIMING_NORMAL,
        )?;
        let bound = 1.0 / (inp as f64).sqrt();
        let bias = if bias {
            Some(vb.get_with_hints(out, "bias", candle_nn::Init::Uniform { lo: -bound, up: bound })?)
        } else {
            None
        };
        Ok(Self { weight, bias })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (dims, inp) = (x.dims().to_vec(), x.dim(candle_core::D::Minus1)?);
        let rows = x.elem_count() / inp.max(1);
        let x2 = x.reshape((rows, inp))?;
        let (stored, wanted) = (self.weight.dtype(), x.dtype());
        let y = if stored == wanted {
            x2.matmul(&self.weight.t()?)?
        } else if rows > 1 {
            x2.matmul(&kernels::widen(&self.weight, wanted)?.t()?)?
        } else {
            kernels::matvec(&x2, &self.weight)?
        };
        let mut out_dims = dims;
        if let Some(last) = out_dims.last_mut() {
            *last = self.weight.dim(0)?;
        }
        let y = y.reshape(out_dims)?;
        Ok(match &self.bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }
}

impl Attention {
    fn new(cfg: &Config, vb: VarBuilder, weights: DType) -> Result<Self> {
        let t = &cfg.text;
        let (h, kv, d) = (t.num_attention_heads, t.num_key_value_heads, t.head_dim);
        let proj = |inp, out, name| Proj::new(inp, out, t.attention_bias, vb.pp(name), weights);
        Ok(Self {
            q_proj: proj(t.hidden_size, h * d, "q_proj")?,
            k_proj: proj(t.hidden_size, kv * d, "k_proj")?,
            v_proj: proj(t.hidden_size, kv * d, "v_proj")?,
            o_proj: proj(h * d, t.hidden_size, "o_proj")?,
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
        let (heads, kv_heads, d) = (self.heads, self.kv_heads, self.head_dim);
        let split = |t: Tensor, heads: usize| t.reshape((b, n, heads, d));
        let q = self.q_norm.forward(&split(self.q_proj.forward(x)?, heads)?)?.transpose(1, 2)?;
        let k = self.k_norm.forward(&split(self.k_proj.forward(x)?, kv_heads)?)?.transpose(1, 2)?;
        let v = split(self.v_proj.forward(x)?, kv_heads)?.transpose(1, 2)?;
        let q = candle_nn::rotary_emb::rope(&q.contiguous()?, cos, sin)?;
        let k = candle_nn::rotary_emb::rope(&k.contiguous()?, cos, sin)?;
        let cache = match &mut self.cache {
            Some(cache) => cache,
            empty => empty.insert(KvCache::new(&k, &v)?),
        };
        let (k, v) = cache.append(&k, &v)?;
        let past = k.dim(2)? - n;
        // Grouped heads: the `heads / kv_heads` query heads that share a key/value head
        // are adjacent, so they fold into one product with it, as rows.
        let q = q.reshape((b, kv_heads, heads / kv_heads * n, d))?;
        let causal = (n > 1).then_some(kernels::Causal { queries: n, past });
        let out = kernels::attention(&q, &k, &v, 1.0 / (d as f64).sqrt(), causal)?;
        let out = out.reshape((b, heads, n, d))?.transpose(1, 2)?.reshape((b, n, heads * d))?;
        self.o_proj.forward(&out)
    }
}

struct Mlp {
    gate_proj: Proj,
    up_proj: Proj,
    down_proj: Proj,
}

impl Mlp {
    fn new(cfg: &Config, vb: VarBuilder, weights: DType) -> Result<Self> {
        let (h, i) = (cfg.text.hidden_size, cfg.text.intermediate_size);
        Ok(Self {
            gate_proj: Proj::new(h, i, false, vb.pp("gate_proj"), weights)?,
            up_proj: Proj::new(h, i, false, vb.pp("up_proj"), weights)?,
            down_proj: Proj::new(i, h, false, vb.pp("down_proj"), weights)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let gate = candle_nn::ops::silu(&self.gate_proj.forward(x)?)?;
        self.down_proj.forward(&(gate * self.up_proj.forward(x)?)?)
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
    /// `(vocab, hidden)`, in the projections' dtype.
    embed_tokens: Tensor,
    layers: Vec<Layer>,
    norm: RmsNorm,
    lm_head: Proj,
    rotary: Rotary,
    device: Device,
    dtype: DType,
}

impl TextModel {
    /// `vb` is the checkpoint root (with `model.language_model.*` and `lm_head.*`) in
    /// the activations' dtype; `weights` is the dtype the projections and embeddings
    /// are kept in.
    /// `on_layer` is called as each decoder layer is read.
    pub fn new(cfg: &Config, vb: VarBuilder, weights: DType, on_layer: &mut dyn FnMut()) -> Result<Self> {
        let t = &cfg.text;
        let lm = vb.pp("model.language_model");
        let embed_tokens = lm.pp("embed_tokens").set_dtype(weights).get_with_hints(
            (t.vocab_size, t.hidden_size),
            "weight",
            candle_nn::Init::Randn { mean: 0.0, stdev: 1.0 },
        )?;
        let layers = (0..t.num_hidden_layers)
            .map(|i| {
                let vb = lm.pp(format!("layers.{i}"));
                on_layer();
                Ok(Layer {
                    attention: Attention::new(cfg, vb.pp("self_attn"), weights)?,
                    mlp: Mlp::new(cfg, vb.pp("mlp"), weights)?,
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
            Proj { weight: embed_tokens.clone(), bias: None }
        } else {
            Proj::new(t.hidden_size, t.vocab_size, false, vb.pp("lm_head"), weights)?
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
        let ids = Tensor::new(ids, &self.device)?;
        Ok(self.embed_tokens.index_select(&ids, 0)?.to_dtype(self.dtype)?.unsqueeze(0)?)
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
        self.layers.first().and_then(|l| l.attention.cache.as_ref()).map_or(0, |c| c.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_holds_every_token_as_it_grows_past_its_room() {
        let token = |i: usize| Tensor::full(i as f32, (1, 2, 1, 4), &Device::Cpu).unwrap();
        let prompt = Tensor::cat(&[token(0), token(1), token(2)], 2).unwrap();
        let mut cache = KvCache::new(&prompt, &prompt).unwrap();
        cache.append(&prompt, &prompt).unwrap();
        let room = cache.keys.dim(2).unwrap();
        // One token at a time, well past the first room.
        let total = room + KvCache::GROWTH + 7;
        for i in 3..total {
            let (k, v) = cache.append(&token(i), &token(i)).unwrap();
            assert_eq!(k.dim(2).unwrap(), i + 1);
            assert_eq!(v.dims(), k.dims());
        }
        assert!(cache.keys.dim(2).unwrap() >= total);
        let (k, _) = cache.append(&token(total), &token(total)).unwrap();
        let held: Vec<f32> =
            k.narrow(1, 1, 1).unwrap().narrow(3, 2, 1).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(held, (0..=total).map(|i| i as f32).collect::<Vec<_>>(), "every token in order");
    }
}
