//! The vision-language model runtime (Qwen3-VL on candle). Its predictions will be
//! `annotate` types; the crate is a placeholder in the workspace until then.
