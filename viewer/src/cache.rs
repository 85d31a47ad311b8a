//! Decoded frames kept in memory, bounded in bytes, least recently used out first.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::frame::VideoFrame;

/// Default budget: about 130 frames of 1080p in YUV 4:2:0.
pub const DEFAULT_CACHE_BYTES: usize = 384 << 20;

pub struct FrameCache {
    frames: HashMap<u64, (Arc<VideoFrame>, u64)>,
    /// Last-use tick -> frame index, oldest first.
    by_use: BTreeMap<u64, u64>,
    tick: u64,
    bytes: usize,
    budget: usize,
}

impl FrameCache {
    pub fn new(budget_bytes: usize) -> Self {
        Self { frames: HashMap::new(), by_use: BTreeMap::new(), tick: 0, bytes: 0, budget: budget_bytes }
    }

    pub fn get(&mut self, index: u64) -> Option<Arc<VideoFrame>> {
        self.tick += 1;
        let tick = self.tick;
        let (frame, used) = self.frames.get_mut(&index)?;
        self.by_use.remove(used);
        *used = tick;
        self.by_use.insert(tick, index);
        Some(Arc::clone(frame))
    }

    pub fn contains(&self, index: u64) -> bool {
        self.frames.contains_key(&index)
    }

    pub fn insert(&mut self, frame: Arc<VideoFrame>) {
        self.tick += 1;
        let index = frame.index;
        self.bytes += frame.byte_size();
        if let Some((old, used)) = self.frames.insert(index, (frame, self.tick)) {
            self.bytes -= old.byte_size();
            self.by_use.remove(&used);
        }
        self.by_use.insert(self.tick, index);
        while self.bytes > self.budget && self.frames.len() > 1 {
            let Some((_, oldest)) = self.by_use.pop_first() else { break };
            if let Some((old, _)) = self.frames.remove(&oldest) {
                self.bytes -= old.byte_size();
            }
        }
    }

    /// The cached frame closest to `index` (the earlier one on a tie), for showing something at once.
    pub fn nearest(&self, index: u64) -> Option<Arc<VideoFrame>> {
        self.frames
            .values()
            .min_by_key(|(f, _)| (f.index.abs_diff(index), f.index))
            .map(|(f, _)| Arc::clone(f))
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn budget(&self) -> usize {
        self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::ColorSpec;

    fn frame(index: u64) -> Arc<VideoFrame> {
        Arc::new(VideoFrame {
            index,
            width: 4,
            height: 4,
            color: ColorSpec::default(),
            y: vec![0; 16],
            u: vec![0; 4],
            v: vec![0; 4],
        })
    }

    #[test]
    fn evicts_least_recently_used_within_budget() {
        let mut cache = FrameCache::new(24 * 3);
        for i in 0..3 {
            cache.insert(frame(i));
        }
        assert_eq!(cache.bytes(), 72);
        cache.get(0); // 1 is now the oldest
        cache.insert(frame(3));
        assert!(cache.contains(0) && !cache.contains(1) && cache.contains(2) && cache.contains(3));
        assert_eq!(cache.bytes(), 72);
        assert_eq!(cache.nearest(1).map(|f| f.index), Some(0));
        cache.insert(frame(3));
        assert_eq!(cache.bytes(), 72);
    }
}
