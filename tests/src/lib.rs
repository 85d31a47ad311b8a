//! Helpers shared by the integration tests: small test videos made with FFmpeg's
//! encoders through `viewer::encode`, so no binary media lives in git.

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

/// A random-weight Qwen3-VL checkpoint for `config` (written once per folder) with the
/// test tokenizer and a small video budget, whose answers never end early: the end-of-turn token's embedding,
/// which is also its output row, is zero, so its logit is 0 while the largest of the
/// others is above 0. Runs then always reach their token limit.
pub fn endless_qwen3_vl(name: &str, config: &str) -> PathBuf {
    let dir = scratch(name);
    model::qwen3_vl::write_random_checkpoint(&dir, config).expect("checkpoint");
    let weights = dir.join("model.safetensors");
    let device = candle_core::Device::Cpu;
    let mut tensors = candle_core::safetensors::load(&weights, &device).expect("weights");
    let key = "model.language_model.embed_tokens.weight";
    let vocab = tensors[key].dim(0).expect("a vocabulary");
    let mask: Vec<f32> = (0..vocab).map(|i| if i == 2 { 0.0 } else { 1.0 }).collect();
    let mask = candle_core::Tensor::from_vec(mask, (vocab, 1), &device).expect("mask");
    let zeroed = tensors[key].broadcast_mul(&mask).expect("zeroed row");
    tensors.insert(key.to_owned(), zeroed);
    candle_core::safetensors::save(&tensors, &weights).expect("saved");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/fixtures");
    std::fs::copy(fixtures.join("qwen3_vl_tokenizer/tokenizer.json"), dir.join("tokenizer.json"))
        .expect("tokenizer");
    // The video processor class's own budget (768 merged blocks for all frames), not the
    // published one, so that runs over whole clips stay quick.
    let small = r#"{"size": {"shortest_edge": 131072, "longest_edge": 786432}}"#;
    std::fs::write(dir.join("video_preprocessor_config.json"), small).expect("video config");
    dir
}

/// Step the UI (as frames pass) until `done` holds, or fail after two minutes.
pub fn step_until(
    h: &mut egui_kittest::Harness<'static, vidence::gui::VidenceApp>,
    what: &str,
    done: impl Fn(&vidence::gui::VidenceApp) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !done(h.state()) {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
