//! What every format's fuzz target checks: a reader never panics, and what it reads
//! exports and reads back with every track.

use annotate::Video;
use annotate::formats::{self, ExportOptions, Format, Input};

pub fn read_write_read(format: Format, name: &str, data: &[u8], videos: &[Video]) {
    let input = Input { name: name.into(), bytes: data.to_vec() };
    let Ok(imported) = formats::import(format, &[input], videos) else { return };
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
