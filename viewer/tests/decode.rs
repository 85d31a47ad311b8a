//! Frame-exact decoding: any order of seeks and steps gives the frames of one
//! straight decode, for every container and codec kind the viewer promises.

mod support;

use annotate::time::FrameTimes;
use rand::{Rng, SeedableRng, rngs::StdRng};
use support::clips::{Clip, frame_hash, scratch};
use viewer::{VideoError, VideoSource, decode_sequential};

fn straight_hashes(path: &std::path::Path) -> Vec<u64> {
    let mut hashes = Vec::new();
    decode_sequential(path, |f| hashes.push(frame_hash(&f))).expect("straight decode");
    hashes
}

fn check_random_access(clip: Clip, seed: u64) {
    let dir = scratch(&format!("decode_{clip:?}"));
    let path = clip.make(&dir);
    let straight = straight_hashes(&path);
    assert_eq!(straight.len() as u64, Clip::FRAMES, "{clip:?}: straight decode count");

    let mut source = VideoSource::open(&path).expect("open");
    let info = source.info().clone();
    assert_eq!(info.frame_count, straight.len() as u64, "{clip:?}: index count vs full decode");
    let n = info.frame_count;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut at = 0u64;
    for step in 0..120 {
        at = match rng.random_range(0..6) {
            0 => rng.random_range(0..n),
            1 => (at + 1).min(n - 1),
            2 => at.saturating_sub(1),
            3 => source.index().frame_at_time(rng.random_range(0.0..info.duration_s)),
            4 => n - 1,
            _ => source.index().keyframe_at_or_before(rng.random_range(0..n)),
        };
        let frame = source.frame(at).unwrap_or_else(|e| panic!("{clip:?} step {step}: frame {at}: {e}"));
        assert_eq!(frame.index, at);
        assert_eq!(frame_hash(&frame), straight[at as usize], "{clip:?} step {step}: frame {at} differs");
    }
}

#[test]
fn mp4_h264_with_b_frames_is_frame_exact() {
    check_random_access(Clip::Mp4H264BFrames, 1);
}

#[test]
fn mkv_h264_with_b_frames_is_frame_exact() {
    check_random_access(Clip::MkvH264BFrames, 2);
}

#[test]
fn hevc_is_frame_exact() {
    check_random_access(Clip::Mp4Hevc, 3);
}

#[test]
fn vp9_is_frame_exact() {
    check_random_access(Clip::WebmVp9, 4);
}

#[test]
fn variable_frame_rate_is_frame_exact_and_timed() {
    for (clip, seed) in [(Clip::MkvVariableRate, 5), (Clip::Mp4VariableRate, 6)] {
        check_random_access(clip, seed);
        let path = clip.make(&scratch(&format!("decode_{clip:?}")));
        let source = VideoSource::open(&path).expect("open");
        assert!(source.info().variable_frame_rate, "{clip:?} should be detected as VFR");
        for i in 0..Clip::FRAMES {
            let expected_s = clip.pts(i) as f64 / 1000.0;
            let got = source.index().time_of(i);
            assert!((got - expected_s).abs() < 1e-6, "{clip:?} frame {i}: {got} s, want {expected_s} s");
            assert_eq!(source.index().frame_at_time(expected_s + 0.001), i);
        }
    }
}

#[test]
fn rotated_video_is_shown_upright() {
    check_random_access(Clip::Mp4Rotated90, 7);
    let path = Clip::Mp4Rotated90.make(&scratch("decode_Mp4Rotated90"));
    let mut source = VideoSource::open(&path).expect("open");
    let info = source.info().clone();
    assert_eq!((info.rotation, info.width, info.height), (90, Clip::HEIGHT, Clip::WIDTH));
    let frame = source.frame(0).expect("frame");
    assert_eq!((frame.width, frame.height), (Clip::HEIGHT, Clip::WIDTH));
    // The barcode along the source's bottom edge is now down the left side, upright.
    let rgb = frame.to_rgb().expect("rgb");
    let left_column_dark = (0..20).all(|y| rgb[(y * frame.width as usize) * 3] < 60);
    assert!(left_column_dark, "frame 0's barcode (all zero bits) should be black on the left");
}

#[test]
fn ten_bit_video_is_frame_exact() {
    check_random_access(Clip::Mp4Hevc10Bit, 8);
    let path = Clip::Mp4Hevc10Bit.make(&scratch("decode_Mp4Hevc10Bit"));
    let info = VideoSource::open(&path).expect("open").info().clone();
    assert_eq!(info.bit_depth, 10);
}

#[test]
fn frame_at_time_and_png_export_use_the_displayed_frame() {
    let path = Clip::Mp4H264BFrames.make(&scratch("png_export"));
    let mut source = VideoSource::open(&path).expect("open");
    let by_time = source.frame_at_time(1.0).expect("frame at 1 s");
    assert_eq!(by_time.index, 25);
    let out = path.with_extension("png");
    by_time.write_png(&out).expect("png");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).expect("open png")));
    let reader = decoder.read_info().expect("png header");
    assert_eq!((reader.info().width, reader.info().height), (Clip::WIDTH, Clip::HEIGHT));
    assert_eq!(reader.info().color_type, png::ColorType::Rgb);
    assert!(matches!(source.frame_at_time(99.0), Err(VideoError::TimeOutOfRange { .. })));
    assert!(matches!(source.frame(Clip::FRAMES), Err(VideoError::FrameOutOfRange { .. })));
}
