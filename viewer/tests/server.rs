//! The decode thread, cache and thumbnail strip, driven the way the GUI drives them.

mod support;

use std::time::{Duration, Instant};

use support::clips::{Clip, frame_hash, scratch};
use viewer::{FrameServer, Precision, ThumbnailStrip, VideoSource, decode_sequential};

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn served_frames_match_a_straight_decode_and_stepping_back_is_cached() {
    let path = Clip::Mp4H264BFrames.make(&scratch("server"));
    let mut straight = Vec::new();
    decode_sequential(&path, |f| straight.push(frame_hash(&f))).unwrap();
    let server = FrameServer::start(VideoSource::open(&path).unwrap(), 64 << 20, || {}).unwrap();

    for target in [40u64, 3, 74, 20] {
        server.request(target, Precision::Exact);
        wait_until("the requested frame", || server.cached(target).is_some());
        assert_eq!(frame_hash(&server.cached(target).unwrap()), straight[target as usize], "frame {target}");
    }
    // Prefetch runs ahead of the last request.
    wait_until("prefetched frames", || server.cached(21).is_some() && server.cached(25).is_some());

    // One step back from 60 decodes its keyframe interval once and keeps it.
    server.request(60, Precision::Exact);
    wait_until("frame 60", || server.cached(60).is_some());
    server.request(59, Precision::Exact);
    wait_until("frame 59", || server.cached(59).is_some());
    let decoded_before = server.stats().frames_decoded;
    for back in (50..59).rev() {
        server.request(back, Precision::Exact);
        let frame = server.cached(back).expect("stepping back comes from the cache");
        assert_eq!(frame_hash(&frame), straight[back as usize]);
    }
    assert_eq!(server.stats().frames_decoded, decoded_before, "no decoding while stepping back");
    let (used, budget) = server.cache_usage();
    assert!(used > 0 && used <= budget);
}

#[test]
fn scrubbing_shows_the_keyframe_at_once() {
    let path = Clip::Mp4Hevc.make(&scratch("server_scrub"));
    let source = VideoSource::open(&path).unwrap();
    let keyframe = source.index().keyframe_at_or_before(50);
    assert!(keyframe < 50);
    let server = FrameServer::start(source, 64 << 20, || {}).unwrap();
    server.request(50, Precision::Nearest);
    wait_until("the nearest keyframe", || server.cached(keyframe).is_some());
    assert!(server.cached(50).is_none(), "nothing exact is decoded while scrubbing");
    assert_eq!(server.nearest_cached(50).map(|f| f.index), Some(keyframe));
}

#[test]
fn thumbnails_arrive_in_the_background() {
    let path = Clip::Mp4Rotated90.make(&scratch("server_thumbs"));
    let source = VideoSource::open(&path).unwrap();
    let strip = ThumbnailStrip::start(&source, 6, 32, || {}).unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while got.len() < 6 {
        assert!(Instant::now() < deadline, "only {} thumbnails", got.len());
        got.extend(strip.poll());
        std::thread::sleep(Duration::from_millis(2));
    }
    for t in &got {
        // Upright: the rotated clip is taller than wide.
        assert_eq!((t.width, t.height), (19, 32));
        assert_eq!(t.rgba.len(), 19 * 32 * 4);
        assert!(source.index().keyframes().contains(&t.index));
    }
    let slots: Vec<usize> = got.iter().map(|t| t.slot).collect();
    assert_eq!(slots, vec![0, 1, 2, 3, 4, 5]);
}
