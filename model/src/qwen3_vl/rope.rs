//! Multimodal rotary positions: every token has a (time, height, width) position;
//! text tokens have all three equal. Each rotary frequency follows one of the three
//! axes, interleaved (see `TextConfig::mrope_section`).

use candle_core::{Device, Tensor};

use super::config::TextConfig;
use crate::error::{ModelError, Result};

/// Positions of a run of tokens: `[time, height, width]`, one entry per token each.
pub type Positions = [Vec<i64>; 3];

/// Text positions `start..start + len` on all three axes.
pub fn text_positions(start: i64, len: usize) -> Positions {
    let p: Vec<i64> = (start..start + len as i64).collect();
    [p.clone(), p.clone(), p]
}

pub struct Rotary {
    inv_freq: Vec<f32>,
    /// Which axis each frequency follows.
    axis: Vec<usize>,
}

impl Rotary {
    pub fn new(cfg: &TextConfig) -> Self {
        let half = cfg.head_dim / 2;
        // As the reference computes them: in f32, theta ^ (2j / dim).
        let inv_freq = (0..half)
            .map(|j| 1.0 / (cfg.rope_theta as f32).powf((2 * j) as f32 / cfg.head_dim as f32))
            .collect();
        let [_, h, w] = cfg.mrope_section;
        let axis = (0..half)
            .map(|j| match j % 3 {
                1 if j < 3 * h => 1,
                2 if j < 3 * w => 2,
                _ => 0,
            })
            .collect();
        Self { inv_freq, axis }
    }

    /// `(cos, sin)`, each `(tokens, head_dim)` in f32.
    pub fn cos_sin(&self, positions: &Positions, device: &Device) -> Result<(Tensor, Tensor)> {
        let n = positions[0].len();
        if positions.iter().any(|p| p.len() != n) {
            return Err(ModelError::Input("time, height and width positions differ in length".into()));
        }
        let half = self.inv_freq.len();
        let (mut cos, mut sin) = (Vec::with_capacity(n * half * 2), Vec::with_capacity(n * half * 2));
        let angle = |s: usize, j: usize| positions[self.axis[j]][s] as f32 * self.inv_freq[j];
        for s in 0..n {
            let angles: Vec<f32> = (0..half).map(|j| angle(s, j)).collect();
            for _ in 0..2 {
                cos.extend(angles.iter().map(|a| a.cos()));
                sin.extend(angles.iter().map(|a| a.sin()));
            }
        }
        Ok((Tensor::from_vec(cos, (n, half * 2), device)?, Tensor::from_vec(sin, (n, half * 2), device)?))
    }
}

/// `x * cos + rotate_half(x) * sin` for `x` of shape `(batch, heads, tokens, head_dim)`.
pub fn apply(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
    let half = x.dim(3)? / 2;
    let x1 = x.narrow(3, 0, half)?;
    let x2 = x.narrow(3, half, half)?;
    let rotated = Tensor::cat(&[&x2.neg()?, &x1], 3)?;
    let cos = cos.unsqueeze(0)?.unsqueeze(0)?;
    let sin = sin.unsqueeze(0)?.unsqueeze(0)?;
    Ok((x.broadcast_mul(&cos)? + rotated.broadcast_mul(&sin)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qwen3_vl::Config;

    #[test]
    fn frequencies_interleave_time_height_and_width_as_the_reference_does() {
        let mut cfg =
            Config::parse(include_str!("../../tests/fixtures/qwen3_vl_tied/config.json")).unwrap().text;
        cfg.head_dim = 128;
        cfg.mrope_section = [24, 20, 20];
        let r = Rotary::new(&cfg);
        // Height on 1, 4, ..., 58; width on 2, 5, ..., 59; time everywhere else.
        for (j, &axis) in r.axis.iter().enumerate() {
            let want = if j < 60 { [0, 1, 2][j % 3] } else { 0 };
            assert_eq!(axis, want, "frequency {j}");
        }
        let (cos, _) = r.cos_sin(&[vec![3], vec![5], vec![7]], &Device::Cpu).unwrap();
        let cos: Vec<f32> = cos.flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(cos[1], (5.0 * r.inv_freq[1]).cos(), "height position on a height frequency");
        assert_eq!(cos[64 + 2], (7.0 * r.inv_freq[2]).cos(), "the second half repeats the first");
        assert_eq!(cos[61], (3.0 * r.inv_freq[61]).cos());
    }
}
