//! Files that are not good videos give a clear error, never a panic or a hang.

mod support;

use std::io::Write;

use support::clips::{Clip, scratch};
use viewer::{VideoError, VideoSource};

#[test]
fn zero_byte_file_is_rejected_clearly() {
    let dir = scratch("bad_zero");
    let path = dir.join("empty.mp4");
    std::fs::File::create(&path).unwrap();
    let err = VideoSource::open(&path).err().expect("must fail");
    assert!(matches!(err, VideoError::Open { .. }), "{err}");
    assert!(err.to_string().contains("empty.mp4"));
}

#[test]
fn missing_and_non_video_files_are_rejected_clearly() {
    let dir = scratch("bad_text");
    let err = VideoSource::open(dir.join("nope.mp4")).err().expect("must fail");
    assert!(err.to_string().contains("no such file"), "{err}");
    let text = dir.join("notes.mp4");
    std::fs::write(&text, "these are not the frames you are looking for\n".repeat(100)).unwrap();
    let err = VideoSource::open(&text).err().expect("must fail");
    assert!(matches!(err, VideoError::Open { .. } | VideoError::NoVideoStream { .. }), "{err}");
}

#[test]
fn audio_only_file_says_it_has_no_video() {
    // A WAV file written by hand: one second of silence.
    let dir = scratch("bad_audio");
    let path = dir.join("silence.wav");
    let rate = 8000u32;
    let data = vec![0u8; rate as usize * 2];
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"RIFF").unwrap();
    f.write_all(&(36 + data.len() as u32).to_le_bytes()).unwrap();
    f.write_all(b"WAVEfmt ").unwrap();
    f.write_all(&16u32.to_le_bytes()).unwrap();
    f.write_all(&1u16.to_le_bytes()).unwrap(); // PCM
    f.write_all(&1u16.to_le_bytes()).unwrap(); // mono
    f.write_all(&rate.to_le_bytes()).unwrap();
    f.write_all(&(rate * 2).to_le_bytes()).unwrap();
    f.write_all(&2u16.to_le_bytes()).unwrap();
    f.write_all(&16u16.to_le_bytes()).unwrap();
    f.write_all(b"data").unwrap();
    f.write_all(&(data.len() as u32).to_le_bytes()).unwrap();
    f.write_all(&data).unwrap();
    drop(f);
    let err = VideoSource::open(&path).err().expect("must fail");
    assert!(matches!(err, VideoError::NoVideoStream { .. }), "{err}");
    assert!(err.to_string().contains("no video stream"));
}

#[test]
fn truncated_files_fail_clearly_or_decode_what_is_there() {
    let dir = scratch("bad_truncated");
    for clip in [Clip::Mp4H264BFrames, Clip::MkvH264BFrames] {
        let good = clip.make(&dir);
        let bytes = std::fs::read(&good).unwrap();
        for keep in [bytes.len() / 10, bytes.len() / 2, bytes.len() - 100] {
            let cut = dir.join(format!("cut_{keep}_{}", good.file_name().unwrap().to_string_lossy()));
            std::fs::write(&cut, &bytes[..keep]).unwrap();
            match VideoSource::open(&cut) {
                Err(e) => assert!(!e.to_string().is_empty()),
                Ok(mut source) => {
                    // Every indexed frame either decodes or says why it cannot.
                    let n = source.info().frame_count;
                    assert!(n <= Clip::FRAMES);
                    for i in 0..n {
                        if let Err(e) = source.frame(i) {
                            assert!(matches!(e, VideoError::Decode { .. }), "{e}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn corrupted_middle_still_opens_or_fails_clearly() {
    let dir = scratch("bad_corrupt");
    let good = Clip::MkvH264BFrames.make(&dir);
    let mut bytes = std::fs::read(&good).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 2000] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    let bad = dir.join("corrupt.mkv");
    std::fs::write(&bad, &bytes).unwrap();
    if let Ok(mut source) = VideoSource::open(&bad) {
        for i in (0..source.info().frame_count).rev() {
            let _ = source.frame(i);
        }
    }
}
