//! CPU kernels for the operations where candle's CPU backend spends far longer than
//! the arithmetic needs: attention (a task per block of queries, its scores kept in
//! cache, the keys it may not see skipped), tanh-approximated GELU, f16 weights
//! widened to f32, and one token's product with f16 weights. Each runs on the rayon
//! pool it is called from, with its loops compiled for AVX-512 or AVX2 when the CPU
//! has them; other devices and dtypes take candle's own ops.
//!
//! The exponential is a polynomial within 2 ulp of the exact one, where libm's is
//! scalar; the results match candle's ops to float rounding (see the tests).

// `unsafe` calls code compiled for a CPU feature once the CPU is known to have it, and
// gemm on slices whose bounds are checked first.
#![allow(unsafe_code)]

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, CustomOp3, DType, Layout, Shape, Tensor};
use half::f16;
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use crate::error::Result;

/// Elements one parallel task takes.
const CHUNK: usize = 1 << 14;

/// Defines `fn $name(args)` that runs `$body` compiled for the best vector unit of
/// this CPU. The body must not rely on anything but plain arithmetic.
macro_rules! vectorized {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn portable($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) { portable($($arg),*) }
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) { portable($($arg),*) }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: this CPU has AVX-512F.
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: this CPU has AVX2.
                    return unsafe { avx2($($arg),*) };
                }
            }
            portable($($arg),*)
        }
    };
}

/// Which keys each query of a prompt sees: the scores' rows come in runs of `queries`
/// tokens (one run per head), and query `i` of a run sees the first `past + i + 1` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Causal {
    pub queries: usize,
    pub past: usize,
}

impl Causal {
    fn visible(&self, row: usize, keys: usize) -> usize {
        (self.past + row % self.queries + 1).min(keys)
    }

    /// `(queries, past + queries)`: 0 where a query sees a key, else minus infinity.
    fn mask(&self, device: &candle_core::Device) -> Result<Tensor> {
        let keys = self.past + self.queries;
        let mask: Vec<f32> = (0..self.queries)
            .flat_map(|i| {
                (0..keys).map(move |j| if j < self.visible(i, keys) { 0.0 } else { f32::NEG_INFINITY })
            })
            .collect();
        Ok(Tensor::from_vec(mask, (self.queries, keys), device)?)
    }
}

/// `softmax(q k^T * scale) v` for `q` `(batch, heads, queries, head_dim)` and `k`, `v`
/// `(batch, heads, keys, head_dim)` (views into a cache will do), with the softmax in
/// f32; in `v`'s dtype.
///
/// On the CPU in f32 each head's queries go in blocks, one block a task: its scores
/// (only as far as the mask lets its queries see) are multiplied, softmaxed and
/// multiplied out while they are in cache. Candle would instead multiply every head
/// in turn, each product split over all the cores (slow for these small products),
/// and write all the scores to memory in between.
pub fn attention(q: &Tensor, k: &Tensor, v: &Tensor, scale: f64, causal: Option<Causal>) -> Result<Tensor> {
    if q.device().is_cpu() && [q.dtype(), k.dtype(), v.dtype()].iter().all(|&d| d == DType::F32) {
        return Ok(q.contiguous()?.apply_op3_no_bwd(k, v, &Attention { scale: scale as f32, causal })?);
    }
    by_products(q, k, v, scale, causal)
}

/// [`attention`] as products of whole tensors: what other devices run.
fn by_products(q: &Tensor, k: &Tensor, v: &Tensor, scale: f64, causal: Option<Causal>) -> Result<Tensor> {
    let mut scores = (q.matmul(&k.t()?)? * scale)?.to_dtype(DType::F32)?;
    if let Some(c) = causal {
        // Rows are runs of queries: give each run a dimension of its own to mask it.
        let dims = scores.dims().to_vec();
        let keys = scores.dim(candle_core::D::Minus1)?;
        let runs = scores.elem_count() / (c.queries * keys);
        scores =
            scores.reshape((runs, c.queries, keys))?.broadcast_add(&c.mask(q.device())?)?.reshape(dims)?;
    }
    let weights = candle_nn::ops::softmax_last_dim(&scores)?.to_dtype(v.dtype())?;
    Ok(weights.matmul(v)?)
}

struct Attention {
    scale: f32,
    causal: Option<Causal>,
}

impl Attention {
    /// Queries a task takes: its scores stay within a core's cache.
    const BLOCK: usize = 128;
    /// At most this many queries skip the matrix products.
    const FEW: usize = 8;
}

impl CustomOp3 for Attention {
    fn name(&self) -> &'static str {
        "vidence-attention"
    }

    fn cpu_fwd(
        &self,
        q: &CpuStorage,
        q_layout: &Layout,
        k: &CpuStorage,
        k_layout: &Layout,
        v: &CpuStorage,
        v_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let q = contiguous_f32(q, q_layout)?;
        let (b, heads, queries, d) = q_layout.shape().dims4()?;
        let keys = k_layout.dims().get(2).copied().unwrap_or(0);
        let k = Rows::new(k, k_layout, [b, heads, keys, d])?;
        let v = Rows::new(v, v_layout, [b, heads, keys, d])?;
        let mut out = vec![0f32; q.len()];
        let head_len = (queries * d).max(1);
        out.par_chunks_mut(head_len).zip(q.par_chunks(head_len)).enumerate().for_each(|(head, (out, q))| {
            let (k, v) = (k.head(head), v.head(head));
            let block = Self::BLOCK * d;
            out.par_chunks_mut(block).zip(q.par_chunks(block)).enumerate().for_each(|(i, (out, q))| {
                let first = i * Self::BLOCK;
                let rows = q.len() / d;
                let visible = |row: usize| self.causal.map_or(keys, |c| c.visible(first + row, keys));
                let seen = (0..rows).map(visible).max().unwrap_or(0);
                let mut scores = vec![0f32; rows * seen];
                // A product packs its operands first, which for a few queries (one
                // decoded token) costs more than reading each key and value once.
                let few = rows <= Self::FEW;
                if few {
                    few_scores(q, &k, d, &mut scores);
                } else {
                    // k^T's rows are 1 apart in k's rows, its columns a key row apart.
                    matmul(
                        Product { m: rows, n: seen, k: d },
                        (&mut scores, seen),
                        (q, d, 1),
                        (k.data, 1, k.stride),
                    );
                }
                for (row, scores) in scores.chunks_exact_mut(seen.max(1)).enumerate() {
                    softmax_prefix(scores, self.scale, visible(row));
                }
                if few {
                    few_outputs(&scores, &v, d, out);
                } else {
                    matmul(
                        Product { m: rows, n: d, k: seen },
                        (out, d),
                        (&scores, seen, 1),
                        (v.data, v.stride, 1),
                    );
                }
            });
        });
        Ok((CpuStorage::F32(out), q_layout.shape().clone()))
    }
}

/// One head's key or value rows: row `j` is `data[j * stride..j * stride + head_dim]`.
struct HeadRows<'a> {
    data: &'a [f32],
    stride: usize,
}

/// The rows of keys or values `(batch, heads, keys, head_dim)`, each contiguous.
struct Rows<'a> {
    all: &'a [f32],
    /// Start of the first row, and the strides of batch, head and row.
    start: usize,
    strides: [usize; 3],
    heads: usize,
    len: usize,
}

impl<'a> Rows<'a> {
    fn new(storage: &'a CpuStorage, layout: &Layout, dims: [usize; 4]) -> candle_core::Result<Self> {
        let CpuStorage::F32(all) = storage else {
            candle_core::bail!("attention needs f32 keys and values, not {:?}", storage.dtype());
        };
        let stride = layout.stride();
        if layout.dims() != dims || stride[3] != 1 {
            candle_core::bail!("attention: keys or values of shape {:?}, strides {stride:?}", layout.dims());
        }
        if dims.contains(&0) {
            candle_core::bail!("attention over an empty tensor {dims:?}");
        }
        let [batch, heads, keys, d] = dims;
        // Each head's rows must lie within the storage.
        let len = (keys - 1) * stride[2] + d;
        if layout.start_offset() + (batch - 1) * stride[0] + (heads - 1) * stride[1] + len > all.len() {
            candle_core::bail!("attention: keys or values of shape {dims:?} outside their storage");
        }
        Ok(Self { all, start: layout.start_offset(), strides: [stride[0], stride[1], stride[2]], heads, len })
    }

    fn head(&self, head: usize) -> HeadRows<'a> {
        let base = self.start + head / self.heads * self.strides[0] + head % self.heads * self.strides[1];
        HeadRows { data: &self.all[base..base + self.len], stride: self.strides[2] }
    }
}

/// Sizes of a product: `(m x k) (k x n)`.
struct Product {
    m: usize,
    n: usize,
    k: usize,
}

/// `dst = lhs rhs` on this thread. `dst` is row-major with rows `dst.1` apart; `lhs`
/// and `rhs` are given with their row and column strides.
fn matmul(p: Product, dst: (&mut [f32], usize), lhs: (&[f32], usize, usize), rhs: (&[f32], usize, usize)) {
    let Product { m, n, k } = p;
    if m == 0 || n == 0 {
        return;
    }
    let reach = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs + 1;
    let in_bounds =
        k == 0 || (reach(m, k, lhs.1, lhs.2) <= lhs.0.len() && reach(k, n, rhs.1, rhs.2) <= rhs.0.len());
    assert!(in_bounds && reach(m, n, dst.1, 1) <= dst.0.len(), "a product outside its slices");
    // SAFETY: every element the product reads or writes lies within the slices (checked
    // above), `dst` is borrowed mutably, and f32 is one of gemm's types.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.0.as_mut_ptr(),
            1,
            dst.1 as isize,
            false,
            lhs.0.as_ptr(),
            lhs.2 as isize,
            lhs.1 as isize,
            rhs.0.as_ptr(),
            rhs.2 as isize,
            rhs.1 as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

vectorized! {
    /// `scores` (queries x keys seen) = `q k^T`, each key read once.
    fn few_scores(q: &[f32], k: &HeadRows, d: usize, scores: &mut [f32]) {
        let seen = scores.len() / (q.len() / d).max(1);
        for j in 0..seen {
            let key = &k.data[j * k.stride..j * k.stride + d];
            for (i, q) in q.chunks_exact(d).enumerate() {
                let mut acc = [0f32; 16];
                lanes(&mut acc, q, key);
                scores[i * seen + j] = acc.iter().sum();
            }
        }
    }
}

vectorized! {
    /// `out` (queries x d) = `p v`, each value read once.
    fn few_outputs(p: &[f32], v: &HeadRows, d: usize, out: &mut [f32]) {
        let seen = p.len() / (out.len() / d).max(1);
        out.fill(0.0);
        for j in 0..seen {
            let value = &v.data[j * v.stride..j * v.stride + d];
            for (i, out) in out.chunks_exact_mut(d).enumerate() {
                let weight = p[i * seen + j];
                for (o, &x) in out.iter_mut().zip(value) {
                    *o += weight * x;
                }
            }
        }
    }
}

vectorized! {
    /// `row[..visible]` = softmax of `row[..visible] * scale`; the rest 0.
    fn softmax_prefix(row: &mut [f32], scale: f32, visible: usize) {
        let (seen, unseen) = row.split_at_mut(visible.min(row.len()));
        for x in seen.iter_mut() {
            *x *= scale;
        }
        let max = max_of(seen);
        for x in seen.iter_mut() {
            *x = exp(*x - max);
        }
        let inverse = 1.0 / sum_of(seen);
        for x in seen.iter_mut() {
            *x *= inverse;
        }
        unseen.fill(0.0);
    }
}

/// GELU with the tanh approximation (`gelu_pytorch_tanh`).
pub fn gelu_tanh(x: &Tensor) -> Result<Tensor> {
    if x.device().is_cpu() && x.dtype() == DType::F32 {
        return Ok(x.contiguous()?.apply_op1_no_bwd(&GeluTanh)?);
    }
    Ok(x.gelu()?)
}

struct GeluTanh;

impl CustomOp1 for GeluTanh {
    fn name(&self) -> &'static str {
        "vidence-gelu-tanh"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        Ok((
            CpuStorage::F32(map_f32(contiguous_f32(storage, layout)?, gelu_tanh_slice)),
            layout.shape().clone(),
        ))
    }
}

vectorized! {
    fn gelu_tanh_slice(x: &[f32], out: &mut [f32]) {
        // 0.5 x (1 + tanh(u)) = x / (1 + e^(-2u))
        const SQRT_2_OVER_PI: f32 = 0.797_884_6;
        for (o, &x) in out.iter_mut().zip(x) {
            let u = SQRT_2_OVER_PI * (x + 0.044_715 * (x * x * x));
            *o = x / (1.0 + exp(-2.0 * u));
        }
    }
}

/// `weights` in `dtype`; f16 to f32 on the CPU in parallel (candle converts on one core).
pub fn widen(weights: &Tensor, dtype: DType) -> Result<Tensor> {
    if weights.device().is_cpu() && weights.dtype() == DType::F16 && dtype == DType::F32 {
        return Ok(weights.contiguous()?.apply_op1_no_bwd(&Widen)?);
    }
    Ok(weights.to_dtype(dtype)?)
}

struct Widen;

impl CustomOp1 for Widen {
    fn name(&self) -> &'static str {
        "vidence-widen"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let widened = map_f32(contiguous_f16(storage, layout)?, HalfFloatSliceExt::convert_to_f32_slice);
        Ok((CpuStorage::F32(widened), layout.shape().clone()))
    }
}

/// `x W^T` for one row `x` (`(1, in)`, f32) and f16 `weights` (`(out, in)`): each
/// weight is read once at its stored size and widened in registers, and `x` keeps
/// its precision. `(1, out)`, f32. Decoding one token is this product, bound by
/// reading the weights.
pub fn matvec(x: &Tensor, weights: &Tensor) -> Result<Tensor> {
    if x.device().is_cpu() && x.dtype() == DType::F32 && weights.dtype() == DType::F16 {
        return Ok(x.contiguous()?.apply_op2_no_bwd(&weights.contiguous()?, &MatVec)?);
    }
    Ok(x.matmul(&widen(weights, x.dtype())?.t()?)?)
}

struct MatVec;

impl CustomOp2 for MatVec {
    fn name(&self) -> &'static str {
        "vidence-matvec"
    }

    fn cpu_fwd(
        &self,
        x: &CpuStorage,
        x_layout: &Layout,
        w: &CpuStorage,
        w_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (x, w) = (contiguous_f32(x, x_layout)?, contiguous_f16(w, w_layout)?);
        let (out, inp) = w_layout.shape().dims2()?;
        if x.len() != inp {
            candle_core::bail!("matvec: {} inputs for weights of shape {:?}", x.len(), w_layout.dims());
        }
        let mut y = vec![0f32; out];
        // A few rows a task: enough tasks to balance, each long enough to stream.
        y.par_chunks_mut(16).zip(w.par_chunks(16 * inp)).for_each(|(y, rows)| {
            for (y, row) in y.iter_mut().zip(rows.chunks_exact(inp)) {
                *y = dot_f16(x, row);
            }
        });
        Ok((CpuStorage::F32(y), Shape::from((1, out))))
    }
}

/// `x . w`, `w` widened to f32.
fn dot_f16(x: &[f32], w: &[f16]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
        && std::arch::is_x86_feature_detected!("f16c")
    {
        // SAFETY: this CPU has AVX2, FMA and F16C.
        return unsafe { x86::dot_f16(x, w) };
    }
    let mut widened = [0f32; 256];
    let mut acc = [0f32; 16];
    for (x, w) in x.chunks(256).zip(w.chunks(256)) {
        let widened = &mut widened[..w.len()];
        w.convert_to_f32_slice(widened);
        lanes(&mut acc, x, widened);
    }
    acc.iter().sum()
}

#[inline(always)]
fn lanes(acc: &mut [f32; 16], x: &[f32], w: &[f32]) {
    let (xs, ws) = (x.chunks_exact(16), w.chunks_exact(16));
    let (x_rest, w_rest) = (xs.remainder(), ws.remainder());
    for (x, w) in xs.zip(ws) {
        for i in 0..16 {
            acc[i] += x[i] * w[i];
        }
    }
    for (i, (x, w)) in x_rest.iter().zip(w_rest).enumerate() {
        acc[i] += x * w;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use half::f16;

    /// Four independent sums of 8 lanes, so the additions overlap.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn dot_f16(x: &[f32], w: &[f16]) -> f32 {
        let n = x.len().min(w.len());
        let (xp, wp) = (x.as_ptr(), w.as_ptr().cast::<u16>());
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        while i + 32 <= n {
            for (k, a) in acc.iter_mut().enumerate() {
                let at = i + 8 * k;
                // SAFETY: `at + 8 <= n`, within both slices.
                let (xv, wv) = unsafe {
                    (_mm256_loadu_ps(xp.add(at)), _mm256_cvtph_ps(_mm_loadu_si128(wp.add(at).cast())))
                };
                *a = _mm256_fmadd_ps(xv, wv, *a);
            }
            i += 32;
        }
        let sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
        let mut lanes = [0f32; 8];
        // SAFETY: `lanes` holds 8 floats.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
        let tail: f32 = x[i..n].iter().zip(&w[i..n]).map(|(x, w)| x * w.to_f32()).sum();
        lanes.iter().sum::<f32>() + tail
    }
}

/// `f` over `src` in parallel chunks, into a new f32 vector of the same length.
fn map_f32<T: Sync>(src: &[T], f: impl Fn(&[T], &mut [f32]) + Sync) -> Vec<f32> {
    let mut dst = vec![0f32; src.len()];
    dst.par_chunks_mut(CHUNK).zip(src.par_chunks(CHUNK)).for_each(|(out, src)| f(src, out));
    dst
}

fn contiguous_f32<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(s), Some((start, end))) => Ok(&s[start..end]),
        (CpuStorage::F32(_), None) => candle_core::bail!("a kernel needs contiguous input"),
        (other, _) => candle_core::bail!("a kernel needs f32 input, not {:?}", other.dtype()),
    }
}

fn contiguous_f16<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f16]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F16(s), Some((start, end))) => Ok(&s[start..end]),
        (CpuStorage::F16(_), None) => candle_core::bail!("a kernel needs contiguous input"),
        (other, _) => candle_core::bail!("a kernel needs f16 input, not {:?}", other.dtype()),
    }
}

#[inline(always)]
fn max_of(v: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; 16];
    let chunks = v.chunks_exact(16);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..16 {
            acc[i] = acc[i].max(c[i]);
        }
    }
    acc.iter().chain(rest).fold(f32::NEG_INFINITY, |m, &x| m.max(x))
}

#[inline(always)]
fn sum_of(v: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let chunks = v.chunks_exact(16);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..16 {
            acc[i] += c[i];
        }
    }
    acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

/// e^x as Cephes computes it: `x = n ln 2 + r` with `|r| <= ln 2 / 2`, e^r from a
/// degree-7 polynomial, times 2^n built in the exponent bits. Branch-free, so loops
/// over it vectorise. Saturates to 2^127 above 88.37 and to 2^-126 below -87.33.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 in two parts, so that `n * LN2_HI` is exact.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.336_55, 88.376_26);
    let n = (x * LOG2_E + 0.5).floor();
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    for c in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5] {
        p = p * r + c;
    }
    let e_r = p * r * r + r + 1.0;
    // 2^n from the bits of 1.5 * 2^23 + n, whose low bits hold n: integer arithmetic
    // that vectorises, where `n as i32` would not.
    const MAGIC: f32 = 12_582_912.0;
    let biased = (n + MAGIC).to_bits().wrapping_sub(MAGIC.to_bits() - 127);
    e_r * f32::from_bits(biased << 23)
}

#[cfg(test)]
mod tests {
    use candle_core::Device;

    use super::*;

    fn sample(n: usize, spread: f32) -> Vec<f32> {
        (0..n).map(|i| ((i as f32 * 0.618_034).fract() - 0.5) * 2.0 * spread).collect()
    }

    fn max_rel_err(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-30)).fold(0.0, f32::max)
    }

    #[test]
    fn exp_is_within_two_ulp_over_the_range_softmax_uses() {
        for x in sample(200_001, 87.0) {
            let (got, want) = (exp(x), f64::from(x).exp());
            let ulp = (want as f32).abs() * f32::EPSILON;
            assert!((f64::from(got) - want).abs() <= 2.0 * f64::from(ulp), "exp({x}) = {got}, not {want}");
        }
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1e4) < 1e-37 && exp(-1e4) >= 0.0);
        assert!(exp(1e4).is_finite());
    }

    fn tensor(spread: f32, dims: (usize, usize, usize, usize)) -> Tensor {
        Tensor::from_vec(sample(dims.0 * dims.1 * dims.2 * dims.3, spread), dims, &Device::Cpu).unwrap()
    }

    /// The largest difference over the largest output: outputs near 0 are sums that cancel.
    fn error_of_largest(got: &Tensor, want: &Tensor) -> f32 {
        assert_eq!(got.dims(), want.dims());
        let (got, want) = (
            got.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            want.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
        );
        let largest = want.iter().fold(0f32, |m, x| m.max(x.abs()));
        got.iter().zip(&want).map(|(g, w)| (g - w).abs()).fold(0f32, f32::max) / largest
    }

    #[test]
    fn a_prompt_attends_causally_as_the_whole_products_do() {
        // Two query heads folded onto each key/value head: runs of 300 queries, more
        // than two blocks each, after 7 cached keys.
        let (heads, queries, past, d) = (3, 300, 7, 64);
        let keys = past + queries;
        let q = tensor(1.0, (1, heads, 2 * queries, d));
        let (k, v) = (tensor(2.0, (1, heads, keys, d)), tensor(3.0, (1, heads, keys, d)));
        let causal = Some(Causal { queries, past });
        let got = attention(&q, &k, &v, 0.125, causal).unwrap();
        let want = by_products(&q, &k, &v, 0.125, causal).unwrap();
        let err = error_of_largest(&got, &want);
        assert!(err < 1e-6, "error {err} of the largest output");
        // The first query of each run sees only the past and itself.
        let first = attention(
            &q.narrow(2, 0, 1).unwrap(),
            &k.narrow(2, 0, past + 1).unwrap(),
            &v.narrow(2, 0, past + 1).unwrap(),
            0.125,
            None,
        )
        .unwrap();
        assert!(error_of_largest(&got.narrow(2, 0, 1).unwrap(), &first) < 1e-6);
    }

    #[test]
    fn one_token_attends_over_views_into_a_cache() {
        let (heads, queries, d, room, keys) = (3, 2, 64, 50, 41);
        let q = tensor(1.0, (1, heads, queries, d));
        // Keys and values as a cache holds them: the first `keys` rows of a bigger buffer.
        let k = tensor(2.0, (1, heads, room, d)).narrow(2, 0, keys).unwrap();
        let v = (tensor(3.0, (1, heads, room, d)) + 0.5).unwrap().narrow(2, 0, keys).unwrap();
        let got = attention(&q, &k, &v, 0.125, None).unwrap();
        let want = by_products(&q, &k, &v.contiguous().unwrap(), 0.125, None).unwrap();
        let err = error_of_largest(&got, &want);
        assert!(err < 1e-6, "error {err} of the largest output");
    }

    #[test]
    fn gelu_tanh_matches_candles() {
        let x = Tensor::from_vec(sample(70_001, 12.0), 70_001, &Device::Cpu).unwrap();
        let got = gelu_tanh(&x).unwrap().to_vec1::<f32>().unwrap();
        let want = x.gelu().unwrap().to_vec1::<f32>().unwrap();
        for ((g, w), x) in got.iter().zip(&want).zip(x.to_vec1::<f32>().unwrap()) {
            assert!((g - w).abs() <= 1e-6 * x.abs().max(1.0), "gelu({x}) = {g}, candle {w}");
        }
    }

    #[test]
    fn widened_and_one_row_products_match_f32() {
        let (out, inp) = (37, 1000);
        let w32 = Tensor::from_vec(sample(out * inp, 1.0), (out, inp), &Device::Cpu).unwrap();
        let w16 = w32.to_dtype(DType::F16).unwrap();
        let exact = w16.to_dtype(DType::F32).unwrap();
        let widened = widen(&w16, DType::F32).unwrap();
        assert_eq!(
            widened.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            exact.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        );
        let x = Tensor::from_vec(sample(inp, 3.0), (1, inp), &Device::Cpu).unwrap();
        let got = matvec(&x, &w16).unwrap();
        assert_eq!(got.dims(), [1, out]);
        let want = x.matmul(&exact.t().unwrap()).unwrap();
        let err = max_rel_err(
            &got.flatten_all().unwrap().to_vec1().unwrap(),
            &want.flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert!(err < 1e-4, "relative error {err}");
    }
}
