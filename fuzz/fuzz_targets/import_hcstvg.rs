//! The HC-STVG reader on arbitrary bytes: never panics, and what it reads refers
//! only to itself and saves as a dataset (the format is read, not written).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::read(annotate::formats::Format::Hcstvg, "test_v2.json", data, &[]);
});
