//! The V-STaR reader on arbitrary bytes: never panics, and what it reads exports and
//! reads back.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::read_write_read(annotate::formats::Format::Vstar, "V_STaR_test.json", data, &[]));
