//! Qwen3-VL against Hugging Face transformers on the same tiny random-weight
//! checkpoints (tied and untied output head, both config layouts), for text, image,
//! two-image, video and image-plus-video prompts fed the same pixel values:
//! last-position logits within 1e-4 relative error in f32, and the same greedy
//! continuation; and from picture files through the image and video processors,
//! logits within 1e-3. `model/reference/qwen3_vl_fixture.py` made the checkpoints and values.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use candle_core::{DType, Device, Tensor};
use model::generate::{Finish, GenerationConfig, generate};
use model::qwen3_vl::processor::{ImageSettings, Resample, Rgb, VideoSettings};
use model::qwen3_vl::{Grid, Pixels, Precision, Qwen3Vl};
use serde::Deserialize;
use support::published::pixels;

mod support;

#[derive(Deserialize)]
struct Reference {
    models: std::collections::BTreeMap<String, Vec<Case>>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    input_ids: Vec<u32>,
    position_ids: Option<[Vec<i64>; 3]>,
    image_grid_thw: Option<Vec<Grid>>,
    /// A picture file for the image processor, instead of formula pixels.
    image_file: Option<String>,
    /// Video frames as picture files, for the video path of the processor.
    video_frames: Option<Vec<String>>,
    video_grid_thw: Option<Vec<Grid>>,
    logits: Vec<f32>,
    greedy: Option<Vec<u32>>,
}

fn read_png(path: &Path) -> Rgb {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).expect("the picture")));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut data = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut data).expect("its pixels");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    data.truncate(info.buffer_size());
    Rgb { width: info.width as usize, height: info.height as usize, data }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn reference() -> Reference {
    let text = std::fs::read_to_string(fixtures().join("qwen3_vl_reference.json")).expect("the fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// Largest difference relative to the largest reference logit.
fn relative_error(got: &[f32], want: &[f32]) -> f32 {
    let scale = want.iter().fold(0f32, |m, x| m.max(x.abs()));
    got.iter().zip(want).fold(0f32, |m, (a, b)| m.max((a - b).abs())) / scale
}

fn argmax(row: &[f32]) -> u32 {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &x)| if x > best.1 { (i, x) } else { best })
        .0 as u32
}

#[test]
fn logits_and_greedy_continuations_match_transformers() {
    let reference = reference();
    assert_eq!(reference.models.len(), 2);
    for (name, cases) in &reference.models {
        let mut model = Qwen3Vl::load(&fixtures().join(name), Precision::uniform(DType::F32), &Device::Cpu)
            .expect("load");
        assert_eq!(model.config.tie_word_embeddings, name.ends_with("_tied"));
        for case in cases {
            let logits = match (&case.position_ids, &case.image_file) {
                _ if case.video_frames.is_some() => {
                    // End to end: picture files as video frames through the processor,
                    // resized as torchvision does.
                    let frames: Vec<Rgb> =
                        case.video_frames.iter().flatten().map(|f| read_png(&fixtures().join(f))).collect();
                    let pixels =
                        ImageSettings { min_pixels: 8 * 4096, max_pixels: 8 * 16384, ..Default::default() };
                    let video = VideoSettings { pixels, ..Default::default() };
                    let (values, grid) = video.video(&frames).unwrap();
                    assert_eq!(Some(vec![grid]), case.video_grid_thw, "{name} {}", case.name);
                    let values =
                        Tensor::from_vec(values, (grid[0] * grid[1] * grid[2], 1536), &Device::Cpu).unwrap();
                    let grids = [grid];
                    model
                        .prefill(&case.input_ids, None, Some(Pixels { values: &values, grids: &grids }))
                        .unwrap()
                }
                (_, Some(file)) => {
                    // End to end: the picture file through PIL's image processor.
                    let settings = ImageSettings {
                        min_pixels: 4096,
                        max_pixels: 16384,
                        resample: Resample::Pil,
                        ..Default::default()
                    };
                    let (values, grid) = settings.image(&read_png(&fixtures().join(file))).unwrap();
                    assert_eq!(Some(vec![grid]), case.image_grid_thw, "{name} {}", case.name);
                    let values =
                        Tensor::from_vec(values, (grid[0] * grid[1] * grid[2], 1536), &Device::Cpu).unwrap();
                    let grids = [grid];
                    model
                        .prefill(&case.input_ids, Some(Pixels { values: &values, grids: &grids }), None)
                        .unwrap()
                }
                (Some(positions), None) => {
                    model.text.clear_cache();
                    let embeds = model.text.embed(&case.input_ids).unwrap();
                    model.text.forward(&embeds, positions, &[]).unwrap()
                }
                (None, None) => {
                    let (images, videos) = (case.image_grid_thw.as_deref(), case.video_grid_thw.as_deref());
                    let image_pixels = images.map(|g| pixels(g, 0.0));
                    let video_pixels = videos.map(|g| pixels(g, 1.0));
                    fn media<'a>(
                        values: &'a Option<Tensor>,
                        grids: Option<&'a [Grid]>,
                    ) -> Option<Pixels<'a>> {
                        values.as_ref().zip(grids).map(|(values, grids)| Pixels { values, grids })
                    }
                    model
                        .prefill(&case.input_ids, media(&image_pixels, images), media(&video_pixels, videos))
                        .unwrap()
                }
            };
            assert_eq!(logits.len(), case.logits.len());
            let err = relative_error(&logits, &case.logits);
            eprintln!("{name} {}: relative error {err:e}", case.name);
            assert!(err < 1e-4, "{name} {}: relative error {err:e}", case.name);
            assert_eq!(argmax(&logits), argmax(&case.logits), "{name} {}", case.name);

            // Greedy generation, one token at a time through the cache.
            let Some(want) = &case.greedy else { continue };
            let config = GenerationConfig { max_tokens: want.len(), ..GenerationConfig::default() };
            let cancel = Arc::new(AtomicBool::new(false));
            let generated = generate(&mut model, &case.input_ids, logits, &config, &cancel, |_| {}).unwrap();
            assert_eq!(generated.finish, Finish::MaxTokens);
            let got: Vec<u32> = generated.tokens.iter().map(|t| t.id).collect();
            assert_eq!(&got, want, "{name} {}: greedy continuation", case.name);
            assert_eq!(model.text.cached_tokens(), case.input_ids.len() + want.len() - 1);
        }
    }
}

#[test]
fn a_new_prompt_starts_over() {
    let mut model =
        Qwen3Vl::load(&fixtures().join("qwen3_vl_tied"), Precision::uniform(DType::F32), &Device::Cpu)
            .unwrap();
    let ids = [1, 17, 42, 99, 7];
    let first = model.prefill(&ids, None, None).unwrap();
    model.step(3).unwrap();
    assert_eq!(model.text.cached_tokens(), ids.len() + 1);
    assert_eq!(model.prefill(&ids, None, None).unwrap(), first, "prefill clears the cache");
    assert_eq!(model.text.cached_tokens(), ids.len());
}

#[test]
fn image_tokens_and_pixels_must_agree() {
    let mut model =
        Qwen3Vl::load(&fixtures().join("qwen3_vl_tied"), Precision::uniform(DType::F32), &Device::Cpu)
            .unwrap();
    let grid = [[1, 4, 6]];
    let values = pixels(&grid, 0.0);
    let image = || Some(Pixels { values: &values, grids: &grid });
    let err = model.prefill(&[5, 249, 251, 251, 250], image(), None).unwrap_err();
    assert!(err.to_string().contains("2 image tokens for 6 image features"), "{err}");
    let err = model.prefill(&[5, 249, 251, 250], None, None).unwrap_err();
    assert!(err.to_string().contains("no image pixels"), "{err}");
    let odd = [[1, 3, 6]];
    let err =
        model.prefill(&[5], Some(Pixels { values: &pixels(&odd, 0.0), grids: &odd }), None).unwrap_err();
    assert!(err.to_string().contains("not whole"), "{err}");
    assert!(model.prefill(&[], None, None).is_err());
}

#[test]
fn a_missing_or_broken_checkpoint_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("vidence-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = Qwen3Vl::load(&dir, Precision::uniform(DType::F32), &Device::Cpu).err().expect("no config");
    assert!(err.to_string().contains("config.json"), "{err}");
    std::fs::copy(fixtures().join("qwen3_vl_tied/config.json"), dir.join("config.json")).unwrap();
    let err = Qwen3Vl::load(&dir, Precision::uniform(DType::F32), &Device::Cpu).err().expect("no weights");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    std::fs::write(dir.join("model.safetensors"), b"not safetensors").unwrap();
    assert!(Qwen3Vl::load(&dir, Precision::uniform(DType::F32), &Device::Cpu).is_err());
    std::fs::write(dir.join("config.json"), r#"{"text_config": {}}"#).unwrap();
    let err = Qwen3Vl::load(&dir, Precision::uniform(DType::F32), &Device::Cpu).err().expect("bad config");
    assert!(err.to_string().contains("config.json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The largest relative error from the f32 reference over the prompts fed formula
/// pixels, loading the tied model at `precision`.
fn worst_error(precision: Precision) -> f32 {
    let reference = reference();
    let cases = &reference.models["qwen3_vl_tied"];
    let mut model = Qwen3Vl::load(&fixtures().join("qwen3_vl_tied"), precision, &Device::Cpu).expect("load");
    let mut worst = 0f32;
    for case in cases
        .iter()
        .filter(|c| c.position_ids.is_none() && c.image_file.is_none() && c.video_frames.is_none())
    {
        let (images, videos) = (case.image_grid_thw.as_deref(), case.video_grid_thw.as_deref());
        let image_pixels = images.map(|g| pixels(g, 0.0));
        let video_pixels = videos.map(|g| pixels(g, 1.0));
        let image = image_pixels.as_ref().zip(images).map(|(values, grids)| Pixels { values, grids });
        let video = video_pixels.as_ref().zip(videos).map(|(values, grids)| Pixels { values, grids });
        let logits = model.prefill(&case.input_ids, image, video).expect("prefill");
        worst = worst.max(relative_error(&logits, &case.logits));
        // A decode step runs the one-token path (16-bit arithmetic for 16-bit weights).
        let next = model.step(argmax(&logits)).expect("step");
        assert!(next.iter().all(|x| x.is_finite()), "{}: a decode step gave non-finite logits", case.name);
    }
    worst
}

#[test]
fn bf16_weights_run_every_kind_of_prompt_close_to_f32() {
    let err = worst_error(Precision::uniform(DType::BF16));
    assert!(err < 0.05, "bf16 relative error {err}");
}

#[test]
fn f16_text_weights_under_f32_arithmetic_stay_close_to_f32() {
    // What the CPU runs by default: prompts widen the f16 weights to f32, so only the
    // weights' rounding remains.
    let precision = Precision::for_device(&Device::Cpu);
    assert_eq!((precision.compute, precision.text_weights), (DType::F32, DType::F16));
    let err = worst_error(precision);
    assert!(err < 5e-3, "f16 weights: relative error {err}");
    assert!(err > 0.0, "the weights were not rounded to f16");
}
