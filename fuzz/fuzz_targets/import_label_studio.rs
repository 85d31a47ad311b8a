//! The label-studio reader on arbitrary bytes (with a video given, as its percentages
//! need): never panics, and what it reads exports and reads back.
#![no_main]

use annotate::Video;
use annotate::formats::{self, ExportOptions, Format, Input};
use libfuzzer_sys::fuzz_target;

const FORMAT: Format = Format::LabelStudio;

fuzz_target!(|data: &[u8]| {
    let input = Input { name: "tasks.json".into(), bytes: data.to_vec() };
    let video = Video {
        id: "video".into(),
        path: "video.mp4".into(),
        width: 640,
        height: 360,
        fps: 24.0,
        frame_count: 2_000,
        duration_s: 2_000.0 / 24.0,
    };
    let Ok(imported) = formats::import(FORMAT, &[input], &[video]) else { return };
    // Exports write every frame a track spans only with --every-frame; keyframes here.
    let exported = formats::export(FORMAT, &imported.dataset, &ExportOptions::default()).expect("what was read exports");
    let again = formats::import(FORMAT, &exported.files, &[]).expect("an export reads back");
    assert_eq!(again.dataset.tracks.len(), imported.dataset.tracks.len(), "every track comes back");
});
