//! Dataset parsing and validation on arbitrary bytes: never panics, and a dataset
//! that parses and validates survives a save/load round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(dataset) = annotate::parse(text, std::path::Path::new("fuzz.json")) else { return };
    if annotate::validate(&dataset).is_empty() {
        let json = serde_json::to_string(&dataset).expect("a valid dataset serializes");
        let back = annotate::parse(&json, std::path::Path::new("fuzz.json")).expect("a saved dataset loads");
        assert_eq!(back, dataset);
    }
});
