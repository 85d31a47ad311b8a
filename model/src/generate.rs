//! Generation: pick tokens one at a time from a model's logits (greedy, or sampled with
//! temperature and top-p from a seeded generator), with a repetition penalty, stop
//! tokens, a token limit, each token's log-probability, tokens handed out as they are
//! made, and cancellation between any two tokens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Result;

#[derive(Clone, Debug, PartialEq)]
pub struct GenerationConfig {
    pub max_tokens: usize,
    /// 0 is greedy: always the most likely token.
    pub temperature: f32,
    /// Sample only from the most likely tokens that together hold this probability.
    pub top_p: f32,
    /// Above 1, tokens already in the prompt or the output are made less likely (as
    /// transformers does: positive logits divided by it, negative multiplied).
    pub repetition_penalty: f32,
    pub seed: u64,
    /// Generation ends after any of these (it is kept in the output).
    pub stop_tokens: Vec<u32>,
}

impl Default for GenerationConfig {
    fn default() -> Self {
        Self {
            max_tokens: 512,
            temperature: 0.0,
            top_p: 1.0,
            repetition_penalty: 1.0,
            seed: 0,
            stop_tokens: Vec::new(),
        }
    }
}

/// How many of the likeliest tokens are kept with each generated one.
pub const TOP: usize = 4;

/// One generated token.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Token {
    pub id: u32,
    /// Its log-probability under the model (before penalty, temperature and top-p).
    pub logprob: f32,
    /// The likeliest tokens at its place, most likely first (log-probabilities as
    /// above); with a vocabulary under [`TOP`], the rest have `-inf`.
    pub top: [Candidate; TOP],
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Candidate {
    pub id: u32,
    pub logprob: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    Stop,
    MaxTokens,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    pub tokens: Vec<Token>,
    pub finish: Finish,
}

/// What generation runs on: logits for the token after a prompt, then after each token fed.
pub trait Decoder {
    fn step(&mut self, token: u32) -> Result<Vec<f32>>;
}

impl Decoder for crate::qwen3_vl::Qwen3Vl {
    fn step(&mut self, token: u32) -> Result<Vec<f32>> {
        crate::qwen3_vl::Qwen3Vl::step(self, token)
    }
}

/// Generate from `first` (the logits after the prompt `prompt`). `on_token` sees each
/// token as it is made; setting `cancel` stops before the next one.
pub fn generate(
    decoder: &mut impl Decoder,
    prompt: &[u32],
    first: Vec<f32>,
    config: &GenerationConfig,
    cancel: &Arc<AtomicBool>,
    mut on_token: impl FnMut(Token),
) -> Result<Generated> {
    let mut rng = SplitMix(config.seed);
    let mut seen: Vec<u32> = prompt.to_vec();
    let mut tokens = Vec::new();
    let mut logits = first;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ok(Generated { tokens, finish: Finish::Cancelled });
        }
        let token = pick(&logits, &seen, config, &mut rng);
        tokens.push(token);
        seen.push(token.id);
        on_token(token);
        if config.stop_tokens.contains(&token.id) {
            return Ok(Generated { tokens, finish: Finish::Stop });
        }
        if tokens.len() >= config.max_tokens {
            return Ok(Generated { tokens, finish: Finish::MaxTokens });
        }
        // Checked again here so a cancel never costs another model step.
        if cancel.load(Ordering::Relaxed) {
            return Ok(Generated { tokens, finish: Finish::Cancelled });
        }
        logits = decoder.step(token.id)?;
    }
}

/// log-softmax of `logits`.
pub fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&x| f64::from(x - max).exp()).sum();
    let log_sum = sum.ln() as f32;
    logits.iter().map(|&x| x - max - log_sum).collect()
}

fn pick(logits: &[f32], seen: &[u32], config: &GenerationConfig, rng: &mut SplitMix) -> Token {
    let logprobs = log_softmax(logits);
    let mut scores = logits.to_vec();
    if config.repetition_penalty != 1.0 {
        let mut penalized = vec![false; scores.len()];
        for &t in seen {
            if let Some(s) = scores.get_mut(t as usize)
                && !std::mem::replace(&mut penalized[t as usize], true)
            {
                *s = if *s > 0.0 { *s / config.repetition_penalty } else { *s * config.repetition_penalty };
            }
        }
    }
    let id = if config.temperature <= 0.0 { argmax(&scores) } else { sample(&scores, config, rng) };
    Token {
        id: id as u32,
        logprob: logprobs.get(id).copied().unwrap_or(f32::NEG_INFINITY),
        top: top(&logprobs),
    }
}

/// The [`TOP`] largest entries, largest first, in one pass.
fn top(logprobs: &[f32]) -> [Candidate; TOP] {
    let mut best = [Candidate { id: 0, logprob: f32::NEG_INFINITY }; TOP];
    for (i, &x) in logprobs.iter().enumerate() {
        if x > best[TOP - 1].logprob {
            let at = best.partition_point(|c| c.logprob >= x);
            best.copy_within(at..TOP - 1, at + 1);
            best[at] = Candidate { id: i as u32, logprob: x };
        }
    }
    best
}

fn argmax(scores: &[f32]) -> usize {
    scores
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best })
        .0
}

/// Sample from the softmax of `scores / temperature`, keeping the smallest set of most
/// likely tokens whose probability reaches `top_p`.
fn sample(scores: &[f32], config: &GenerationConfig, rng: &mut SplitMix) -> usize {
    let scaled: Vec<f32> = scores.iter().map(|s| s / config.temperature).collect();
    let probs: Vec<f64> = log_softmax(&scaled).iter().map(|&l| f64::from(l).exp()).collect();
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]));
    let mut kept = Vec::new();
    let mut mass = 0.0;
    for i in order {
        kept.push(i);
        mass += probs[i];
        if mass >= f64::from(config.top_p) {
            break;
        }
    }
    let mut r = rng.next_f64() * mass;
    for &i in &kept {
        r -= probs[i];
        if r <= 0.0 {
            return i;
        }
    }
    kept.last().copied().unwrap_or(0)
}

/// A small seeded generator (SplitMix64): the same seed gives the same samples on
/// every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decoder whose logits depend only on the last token: it favours `last + 1`.
    struct Counter {
        vocab: usize,
        steps: usize,
    }

    impl Decoder for Counter {
        fn step(&mut self, token: u32) -> Result<Vec<f32>> {
            self.steps += 1;
            Ok(counter_logits(self.vocab, token))
        }
    }

    fn counter_logits(vocab: usize, last: u32) -> Vec<f32> {
        (0..vocab)
            .map(|i| if i == (last as usize + 1) % vocab { 3.0 } else { (i % 3) as f32 * 0.1 })
            .collect()
    }

    fn run(config: &GenerationConfig) -> Generated {
        let mut d = Counter { vocab: 16, steps: 0 };
        let cancel = Arc::new(AtomicBool::new(false));
        generate(&mut d, &[0], counter_logits(16, 0), config, &cancel, |_| {}).unwrap()
    }

    fn ids(g: &Generated) -> Vec<u32> {
        g.tokens.iter().map(|t| t.id).collect()
    }

    #[test]
    fn greedy_follows_the_most_likely_token_and_stops_where_told() {
        let g = run(&GenerationConfig { max_tokens: 5, ..Default::default() });
        assert_eq!((ids(&g), g.finish), (vec![1, 2, 3, 4, 5], Finish::MaxTokens));
        let g = run(&GenerationConfig { max_tokens: 50, stop_tokens: vec![3], ..Default::default() });
        assert_eq!((ids(&g), g.finish), (vec![1, 2, 3], Finish::Stop));
        let expected = log_softmax(&counter_logits(16, 0))[1];
        assert!((g.tokens[0].logprob - expected).abs() < 1e-6 && expected < 0.0);
    }

    #[test]
    fn sampling_is_reproducible_by_seed_and_top_p_narrows_it() {
        let hot = GenerationConfig { max_tokens: 40, temperature: 5.0, seed: 7, ..Default::default() };
        assert_eq!(run(&hot), run(&hot), "same seed, same tokens");
        assert_ne!(ids(&run(&hot)), ids(&run(&GenerationConfig { seed: 8, ..hot.clone() })));
        assert_ne!(ids(&run(&hot)), ids(&run(&GenerationConfig { max_tokens: 40, ..Default::default() })));
        // A tiny top-p keeps only the most likely token: greedy again.
        let narrow = GenerationConfig { top_p: 1e-6, ..hot };
        assert_eq!(ids(&run(&narrow)), (1..=40).map(|i| i % 16).collect::<Vec<u32>>());
    }

    #[test]
    fn repetition_penalty_steers_away_from_seen_tokens() {
        // Every logit positive: dividing by a large penalty sinks what was seen.
        let mut d = Counter { vocab: 4, steps: 0 };
        let cancel = Arc::new(AtomicBool::new(false));
        let config = GenerationConfig { max_tokens: 4, repetition_penalty: 100.0, ..Default::default() };
        let first = vec![1.0, 2.0, 1.5, 0.5];
        let g = generate(&mut d, &[1], first, &config, &cancel, |_| {}).unwrap();
        assert_eq!(g.tokens[0].id, 2, "token 1 was in the prompt");
    }

    #[test]
    fn each_token_keeps_the_likeliest_alternatives_in_order() {
        let logits = [0.5, 3.0, -1.0, 2.0, 2.5, 0.0];
        let g = generate(
            &mut Counter { vocab: 6, steps: 0 },
            &[],
            logits.to_vec(),
            &GenerationConfig { max_tokens: 1, ..Default::default() },
            &Arc::new(AtomicBool::new(false)),
            |_| {},
        )
        .expect("generates");
        let token = g.tokens[0];
        let ids: Vec<u32> = token.top.iter().map(|c| c.id).collect();
        assert_eq!(ids, [1, 4, 3, 0]);
        assert_eq!(token.top[0].logprob, token.logprob);
        assert!(token.top.windows(2).all(|w| w[0].logprob > w[1].logprob));
        let short = top(&[0.0, -1.0]);
        assert_eq!((short[1].id, short[2].logprob), (1, f32::NEG_INFINITY));
    }

    #[test]
    fn cancelling_stops_between_tokens_and_streams_what_was_made() {
        let mut d = Counter { vocab: 16, steps: 0 };
        let cancel = Arc::new(AtomicBool::new(false));
        let mut streamed = Vec::new();
        let config = GenerationConfig { max_tokens: 100, ..Default::default() };
        let stop = Arc::clone(&cancel);
        let g = generate(&mut d, &[0], counter_logits(16, 0), &config, &cancel, |t| {
            streamed.push(t.id);
            if streamed.len() == 3 {
                stop.store(true, Ordering::Relaxed);
            }
        })
        .unwrap();
        assert_eq!((g.finish, ids(&g)), (Finish::Cancelled, streamed));
        assert_eq!(g.tokens.len(), 3);
        assert_eq!(d.steps, 2, "no model step after the cancel");
    }
}
