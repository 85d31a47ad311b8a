//! The label-studio reader on arbitrary bytes (with a video given, as its percentages
//! need): never panics, and what it reads exports and reads back.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let video = annotate::Video {
        id: "video".into(),
        path: "video.mp4".into(),
        width: 640,
        height: 360,
        fps: 24.0,
        frame_count: 2_000,
        duration_s: 2_000.0 / 24.0,
    };
    common::read_write_read(annotate::formats::Format::LabelStudio, "tasks.json", data, &[video]);
});
