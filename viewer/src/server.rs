//! The decode thread: serves "frame at index" requests from a byte-bounded cache,
//! decodes what is missing, and prefetches ahead of the play head.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::cache::FrameCache;
use crate::frame::VideoFrame;
use crate::index::FrameIndex;
use crate::source::VideoSource;
use crate::{VideoError, VideoInfo};

/// How exact a request must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Exactly this frame.
    Exact,
    /// Anything near it, fast: the keyframe before it (while scrubbing).
    Nearest,
}

#[derive(Clone, Copy, Debug)]
struct Want {
    target: u64,
    precision: Precision,
    generation: u64,
    stop: bool,
}

/// What the decode thread measured, for the status bar and debug overlay.
#[derive(Clone, Debug, Default)]
pub struct ServerStats {
    /// Milliseconds the last frame that was not cached took to decode.
    pub last_decode_ms: f64,
    pub frames_decoded: u64,
    pub last_error: Option<String>,
}

struct Shared {
    want: Mutex<Want>,
    wake: Condvar,
    cache: Mutex<FrameCache>,
    stats: Mutex<ServerStats>,
    /// The newest request's generation, and the one the decode thread works on:
    /// when they differ, the decode in progress is abandoned between packets.
    latest: AtomicU64,
    working: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the viewer down: the data stays usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Handle to a video's decode thread. Dropping it tells the thread to stop after its
/// current frame, without waiting for it.
pub struct FrameServer {
    shared: Arc<Shared>,
    info: VideoInfo,
    index: Arc<FrameIndex>,
}

impl FrameServer {
    /// Move `source` onto a new decode thread. `notify` is called whenever a new
    /// frame lands in the cache (the GUI passes "request a repaint").
    pub fn start(
        source: VideoSource,
        cache_bytes: usize,
        notify: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let info = source.info().clone();
        let index = Arc::clone(source.index());
        let shared = Arc::new(Shared {
            want: Mutex::new(Want { target: 0, precision: Precision::Exact, generation: 1, stop: false }),
            wake: Condvar::new(),
            cache: Mutex::new(FrameCache::new(cache_bytes)),
            stats: Mutex::new(ServerStats::default()),
            latest: AtomicU64::new(1),
            working: AtomicU64::new(1),
        });
        let worker = Arc::clone(&shared);
        let watched = Arc::clone(&shared);
        let mut source = source;
        source.set_interrupt(move || {
            watched.latest.load(Ordering::Relaxed) != watched.working.load(Ordering::Relaxed)
        });
        std::thread::Builder::new()
            .name("vidence-decode".into())
            .spawn(move || decode_loop(source, &worker, &notify))?;
        Ok(Self { shared, info, index })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    pub fn index(&self) -> &Arc<FrameIndex> {
        &self.index
    }

    /// Ask for frame `index`; the latest request wins. Never blocks on decoding.
    pub fn request(&self, index: u64, precision: Precision) {
        let index = index.min(self.index.len().saturating_sub(1));
        let mut want = lock(&self.shared.want);
        if want.target != index || want.precision != precision {
            want.target = index;
            want.precision = precision;
            want.generation += 1;
            self.shared.latest.store(want.generation, Ordering::Relaxed);
            self.shared.wake.notify_one();
        }
    }

    /// The frame if it is decoded already.
    pub fn cached(&self, index: u64) -> Option<Arc<VideoFrame>> {
        lock(&self.shared.cache).get(index)
    }

    /// The decoded frame nearest to `index`, if any.
    pub fn nearest_cached(&self, index: u64) -> Option<Arc<VideoFrame>> {
        lock(&self.shared.cache).nearest(index)
    }

    /// (bytes used, byte budget) of the frame cache.
    pub fn cache_usage(&self) -> (usize, usize) {
        let cache = lock(&self.shared.cache);
        (cache.bytes(), cache.budget())
    }

    pub fn stats(&self) -> ServerStats {
        lock(&self.shared.stats).clone()
    }
}

impl Drop for FrameServer {
    fn drop(&mut self) {
        lock(&self.shared.want).stop = true;
        self.shared.latest.store(u64::MAX, Ordering::Relaxed);
        self.shared.wake.notify_one();
    }
}

/// Frames to decode ahead of the play head, bounded by a third of the cache.
fn prefetch_span(info: &VideoInfo, cache_bytes: usize) -> u64 {
    let frame_bytes = (u64::from(info.width) * u64::from(info.height) * 3 / 2).max(1);
    (cache_bytes as u64 / 3 / frame_bytes).clamp(2, 120)
}

/// Frames kept when stepping backwards (at most; also bounded like the prefetch): the
/// decode from the keyframe passes them anyway.
const BACKWARD_KEEP: u64 = 60;

fn decode_loop(mut source: VideoSource, shared: &Shared, notify: &dyn Fn()) {
    let frame_count = source.index().len();
    let span = prefetch_span(source.info(), lock(&shared.cache).budget());
    let mut handled = 0;
    let mut previous_target = 0;
    let mut prefetch: Option<(u64, u64)> = None; // next frame to prefetch, last one
    loop {
        let want = {
            let mut want = lock(&shared.want);
            while !want.stop && want.generation == handled && prefetch.is_none() {
                want = shared.wake.wait(want).unwrap_or_else(PoisonError::into_inner);
            }
            *want
        };
        if want.stop {
            return;
        }
        if want.generation != handled {
            handled = want.generation;
            shared.working.store(handled, Ordering::Relaxed);
            // A step or two back (not a jump): more steps back are likely.
            let stepping_back = want.target < previous_target && previous_target - want.target <= 2;
            previous_target = want.target;
            let needed = match want.precision {
                Precision::Exact => want.target,
                Precision::Nearest => source.index().keyframe_at_or_before(want.target),
            };
            if !lock(&shared.cache).contains(needed) {
                let started = Instant::now();
                let result = if stepping_back && want.precision == Precision::Exact {
                    decode_back(&mut source, needed, BACKWARD_KEEP.min(span), shared)
                } else {
                    source.frame(needed)
                };
                if record(shared, result, started) {
                    notify();
                }
            }
            prefetch = (want.precision == Precision::Exact)
                .then(|| (want.target + 1, (want.target + span).min(frame_count.saturating_sub(1))));
            continue;
        }
        if let Some((next, last)) = prefetch {
            prefetch = (next < last).then_some((next + 1, last));
            if next <= last && !lock(&shared.cache).contains(next) {
                // No repaint for prefetched frames: the GUI asks when it needs them.
                match source.frame(next) {
                    Ok(frame) => lock(&shared.cache).insert(Arc::new(frame)),
                    Err(VideoError::Cancelled) => {}
                    Err(_) => prefetch = None,
                }
            }
        }
    }
}

/// Decode `target` and keep the frames just before it, so that further steps back
/// come from the cache.
fn decode_back(
    source: &mut VideoSource,
    target: u64,
    keep: u64,
    shared: &Shared,
) -> Result<VideoFrame, VideoError> {
    let start = source.index().keyframe_at_or_before(target).max(target.saturating_sub(keep));
    for i in start..target {
        if !lock(&shared.cache).contains(i) {
            match source.frame(i) {
                Ok(frame) => lock(&shared.cache).insert(Arc::new(frame)),
                Err(VideoError::Cancelled) => return Err(VideoError::Cancelled),
                // A bad frame on the way must not cost the target.
                Err(_) => {}
            }
        }
    }
    source.frame(target)
}

/// Put a requested frame in the cache, or note why it failed. True if a frame landed.
fn record(shared: &Shared, result: Result<VideoFrame, VideoError>, started: Instant) -> bool {
    let mut stats = lock(&shared.stats);
    match result {
        Ok(frame) => {
            stats.last_decode_ms = started.elapsed().as_secs_f64() * 1e3;
            stats.frames_decoded += 1;
            stats.last_error = None;
            drop(stats);
            lock(&shared.cache).insert(Arc::new(frame));
            true
        }
        // A newer request took over; nothing went wrong.
        Err(VideoError::Cancelled) => false,
        Err(e) => {
            stats.last_error = Some(e.to_string());
            false
        }
    }
}
