#![no_main]
//! Any text a model might write: reading it never panics, and what it gives back is
//! inside the video (boxes in the frame, times not before the clip).

use libfuzzer_sys::fuzz_target;
use annotate::dialect::{Context, Coordinates, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for coordinates in [Coordinates::Relative1000, Coordinates::Pixels { width: 640, height: 360 }] {
        let cx = Context { video_width: 1280, video_height: 720, coordinates, clip_start_s: 5.0 };
        let p = parse(text, &cx);
        for b in &p.boxes {
            let [x1, y1, x2, y2] = b.bbox.0;
            assert!(0.0 <= x1 && x1 < x2 && x2 <= 1280.0 && 0.0 <= y1 && y1 < y2 && y2 <= 720.0, "{b:?}");
            assert!(b.time_s.is_none_or(|t| t >= 5.0 && t.is_finite()));
        }
        for s in &p.spans {
            assert!(s.start_s >= 5.0 && s.start_s <= s.end_s && s.end_s.is_finite(), "{s:?}");
        }
        for pt in &p.points {
            assert!((0.0..=1280.0).contains(&pt.x) && (0.0..=720.0).contains(&pt.y), "{pt:?}");
        }
    }
});
