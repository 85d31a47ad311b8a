//! What every format's fuzz target checks: a reader never panics, what it reads
//! refers only to what it read and saves as a dataset, and (where the format is
//! written too) exports and reads back with every track.

use annotate::Video;
use annotate::formats::{self, ExportOptions, Format, Input};

pub fn read_write_read(format: Format, name: &str, data: &[u8], videos: &[Video]) {
    let Some(imported) = read(format, name, data, videos) else { return };
    // Exports write every frame a track spans: a file naming frame 9,999,999 is read
    // (and told), but not written out here, where each run has seconds.
    if spanned(&imported.dataset) > 100_000 {
        return;
    }
    let exported = formats::export(format, &imported.dataset, &ExportOptions::default()).expect("what was read exports");
    let again = formats::import(format, &exported.files, &[]).expect("an export reads back");
    assert_eq!(again.dataset.tracks.len(), imported.dataset.tracks.len(), "every track comes back");
}

/// The frames the tracks span, from their first keyframe to their end.
fn spanned(data: &annotate::Dataset) -> u64 {
    let span = |t: &annotate::Track| {
        let (Some(first), Some(last)) = (t.keyframes.first(), t.keyframes.last()) else { return 0 };
        let end = if last.outside { last.frame } else { data.video(&t.video).map_or(last.frame, |v| v.frame_count) };
        end.saturating_sub(first.frame) + 1
    };
    data.tracks.iter().map(span).sum()
}

/// The import of `data`, when it reads, checked to name no video, category, track or
/// segment it lacks and to come back unchanged through Vidence's own file.
pub fn read(format: Format, name: &str, data: &[u8], videos: &[Video]) -> Option<formats::Imported> {
    let input = Input { name: name.into(), bytes: data.to_vec() };
    let imported = formats::import(format, &[input], videos).ok()?;
    let dangling: Vec<_> =
        annotate::validate(&imported.dataset).into_iter().filter(|p| p.message.starts_with("no ")).collect();
    assert!(dangling.is_empty(), "{dangling:?}");
    let json = serde_json::to_string(&imported.dataset).expect("an import serializes");
    let back = annotate::parse(&json, std::path::Path::new("fuzz.json")).expect("an import saves and loads");
    assert_eq!(back, imported.dataset);
    Some(imported)
}
