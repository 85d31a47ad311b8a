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

    /// `(cos, sin)`, each `(tokens, head_dim / 2)` in f32: both halves of a head turn
    /// alike (`candle_nn::rotary_emb::rope`).
    pub fn cos_sin(&self, positions: &Positions, device: &Device) -> Result<(Tensor, Tensor)> {
        let n = positions[0].len();
        if positions.iter().any(|p| p.len() != n) {
            return Err(ModelError::Input("time, height and width positions differ in length".into()));
        }
        let half = self.inv_freq.len();
        let angles: Vec<f32> = (0..n)
            .flat_map(|s| (0..half).map(move |j| positions[self.axis[j]][s] as f32 * self.inv_freq[j]))
            .collect();
        let cos = angles.iter().map(|a| a.cos()).collect();
        let sin = angles.iter().map(|a| a.sin()).collect();
        Ok((Tensor::from_vec(cos, (n, half), device)?, Tensor::from_vec(sin, (n, half), device)?))
    }
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
        assert_eq!(cos.len(), 64, "one angle for both halves of a head");
        assert_eq!(cos[61], (3.0 * r.inv_freq[61]).cos());
    }
}
