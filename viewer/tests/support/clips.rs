//! Small test videos made with FFmpeg's encoders through `viewer::encode`, so no
//! binary media lives in git; shared by the viewer's tests and the cross-crate ones
//! (`vidence-tests` includes this file).

use std::path::{Path, PathBuf};

use viewer::encode::{Codec, EncodeSettings, VideoWriter};

/// One kind of test clip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clip {
    Mp4H264BFrames,
    MkvH264BFrames,
    Mp4Hevc,
    WebmVp9,
    MkvVariableRate,
    Mp4VariableRate,
    Mp4Rotated90,
    Mp4Hevc10Bit,
}

impl Clip {
    pub const ALL: [Clip; 8] = [
        Clip::Mp4H264BFrames,
        Clip::MkvH264BFrames,
        Clip::Mp4Hevc,
        Clip::WebmVp9,
        Clip::MkvVariableRate,
        Clip::Mp4VariableRate,
        Clip::Mp4Rotated90,
        Clip::Mp4Hevc10Bit,
    ];

    pub const FRAMES: u64 = 75;
    pub const WIDTH: u32 = 160;
    pub const HEIGHT: u32 = 96;

    fn file_name(self) -> &'static str {
        match self {
            Clip::Mp4H264BFrames => "h264_bframes.mp4",
            Clip::MkvH264BFrames => "h264_bframes.mkv",
            Clip::Mp4Hevc => "hevc.mp4",
            Clip::WebmVp9 => "vp9.webm",
            Clip::MkvVariableRate => "vfr.mkv",
            Clip::Mp4VariableRate => "vfr.mp4",
            Clip::Mp4Rotated90 => "rotated90.mp4",
            Clip::Mp4Hevc10Bit => "hevc10.mp4",
        }
    }

    pub fn settings(self) -> EncodeSettings {
        let mut s = EncodeSettings::h264(Self::WIDTH, Self::HEIGHT, 25);
        s.gop = 12;
        s.b_frames = 3;
        s.crf = 30;
        match self {
            Clip::Mp4H264BFrames | Clip::MkvH264BFrames => {}
            Clip::Mp4Hevc => s.codec = Codec::Hevc,
            Clip::WebmVp9 => s.codec = Codec::Vp9,
            Clip::MkvVariableRate | Clip::Mp4VariableRate => s.time_base = (1, 1000),
            Clip::Mp4Rotated90 => s.rotation = 90,
            Clip::Mp4Hevc10Bit => {
                s.codec = Codec::Hevc;
                s.ten_bit = true;
            }
        }
        s
    }

    /// Timestamp of frame `i` in the clip's time base: irregular gaps for VFR clips.
    pub fn pts(self, i: u64) -> i64 {
        match self {
            Clip::MkvVariableRate | Clip::Mp4VariableRate => {
                // 20 to 60 ms apart, a fixed pseudo-random pattern.
                (0..i).map(|k| 20 + ((k * 37 + 11) % 5) as i64 * 10).sum()
            }
            _ => i as i64,
        }
    }

    /// Encode the clip into `dir` (once per directory) and return its path.
    pub fn make(self, dir: &Path) -> PathBuf {
        let path = dir.join(self.file_name());
        if path.exists() {
            return path;
        }
        let settings = self.settings();
        let mut writer = VideoWriter::create(&path, &settings).expect("create test video");
        for i in 0..Self::FRAMES {
            writer.write_rgb(&pattern(Self::WIDTH, Self::HEIGHT, i), self.pts(i)).expect("encode frame");
        }
        assert_eq!(writer.finish().expect("finish test video"), Self::FRAMES);
        path
    }
}

/// A frame that differs from every other: a moving bar, a moving square and a
/// frame-number barcode, so a wrong frame cannot pass for the right one.
pub fn pattern(width: u32, height: u32, i: u64) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut rgb = vec![0u8; w * h * 3];
    let sq = (i as usize * 3) % (w - 16);
    for y in 0..h {
        for x in 0..w {
            let p = (y * w + x) * 3;
            let bar = ((x + i as usize * 5) / 8).is_multiple_of(2);
            rgb[p] = (x * 255 / w) as u8;
            rgb[p + 1] = if bar { 200 } else { 40 };
            rgb[p + 2] = (y * 255 / h) as u8;
            if (sq..sq + 16).contains(&x) && (20..36).contains(&y) {
                rgb[p..p + 3].copy_from_slice(&[255, 255, 0]);
            }
            // Barcode of the frame number along the bottom: 8 bits, 16 px each.
            if y >= h - 12 && x / 16 < 8 {
                let on = (i >> (x / 16)) & 1 == 1;
                let v = if on { 255 } else { 0 };
                rgb[p..p + 3].copy_from_slice(&[v, v, v]);
            }
        }
    }
    rgb
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("vidence-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// A cheap fingerprint of a decoded frame's planes.
pub fn frame_hash(frame: &viewer::VideoFrame) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (frame.width, frame.height, &frame.y, &frame.u, &frame.v).hash(&mut h);
    h.finish()
}
