//! What the readers and writers share: a video's record from what a file says, track
//! ids and keyframes from the boxes seen, categories and their attributes, where an
//! import came from, positions in a file's text, numbers as short text, and the
//! report of what a format cannot hold.

use super::{Format, FormatError, Input, Report};
use crate::dataset::{Dataset, Provenance, Video};

/// Where an imported label came from.
pub(super) fn provenance(format: Format, file: &str) -> Provenance {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    Provenance::Import { source: format!("{}:{name}", format.name()) }
}

/// A video's record when only the labels' file speaks of it: what it does not say is
/// assumed, and the report says so.
pub(super) fn video_record(
    id: &str,
    path: &str,
    size: Option<(u32, u32)>,
    frames: u64,
    fps: Option<f64>,
    report: &mut Report,
) -> Video {
    let mut assumed = Vec::new();
    let (width, height) = size.unwrap_or_else(|| {
        assumed.push("its size (0x0 until a video file is given)".to_owned());
        (0, 0)
    });
    let fps = match fps {
        Some(f) if is_frame_rate(f) => f,
        Some(f) => {
            assumed.push(format!("{DEFAULT_FPS} frames a second ({f} is no video's)"));
            DEFAULT_FPS
        }
        None => {
            assumed.push(format!("{DEFAULT_FPS} frames a second"));
            DEFAULT_FPS
        }
    };
    if !assumed.is_empty() {
        report.assumed.push(format!(
            "video {id:?}: the file does not say {}; give the video with --video",
            assumed.join(" or ")
        ));
    }
    Video {
        id: id.to_owned(),
        path: path.to_owned(),
        width,
        height,
        fps,
        frame_count: frames,
        duration_s: frames as f64 / fps,
        tags: Default::default(),
    }
}

/// More frames than any video Vidence opens (over 46 hours at 60 frames a second):
/// a frame number past it in a file is a mistake, reported, never a video that long.
pub(super) const MAX_FRAMES: u64 = 10_000_000;

/// Whether `fps` can be a video's frame rate: positive, and within bounds that keep
/// every frame's time and a video's length finite.
pub(super) fn is_frame_rate(fps: f64) -> bool {
    (1e-3..=1e4).contains(&fps)
}

/// The frame rate taken when neither the labels nor a video file say.
const DEFAULT_FPS: f64 = 30.0;

/// `text` of `input`, or an error naming the file.
pub(super) fn text(input: &Input) -> Result<&str, FormatError> {
    std::str::from_utf8(&input.bytes).map_err(|e| FormatError::Syntax {
        file: input.name.clone(),
        line: line_of(&input.bytes, e.valid_up_to()).0,
        column: line_of(&input.bytes, e.valid_up_to()).1,
        at: "text".into(),
        message: "is not UTF-8".into(),
    })
}

/// Line and column (1-based) of byte `at`.
pub(super) fn line_of(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// The file's name without folders, as a video id.
pub(super) fn file_stem(name: &str) -> &str {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// A float as the shortest text that reads back as the same `f32` (`0` for -0).
pub(super) struct Num(pub(super) f32);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 == 0.0 { f.write_str("0") } else { write!(f, "{}", self.0) }
    }
}

pub(super) fn num(x: f32) -> String {
    Num(x).to_string()
}

/// Ids for imported tracks, with the ids given so far (a set, not a scan of the
/// dataset's tracks for each).
#[derive(Default)]
pub(super) struct TrackIds {
    ids: crate::labels::Ids,
    taken: std::collections::HashSet<String>,
}

impl TrackIds {
    /// The id of a track numbered `n` in the file: `track-N`, or, where another video
    /// has that one, `VIDEO-track-N`; either way its number is N again on export.
    pub(super) fn numbered(&mut self, video: &str, n: &str) -> String {
        let plain = format!("track-{n}");
        let wanted = if self.taken.contains(&plain) { format!("{video}-track-{n}") } else { plain };
        self.named(&wanted, "track")
    }

    /// `id` itself where it is free, else a fresh `PREFIX-N`.
    pub(super) fn named(&mut self, id: &str, prefix: &str) -> String {
        let id = if id.is_empty() || self.taken.contains(id) {
            loop {
                let id = self.ids.next(prefix);
                if !self.taken.contains(&id) {
                    break id;
                }
            }
        } else {
            id.to_owned()
        };
        self.taken.insert(id.clone());
        id
    }
}

/// The numbers formats give tracks: a track whose id ends in `-N` keeps N where no
/// other track of its video has it; the rest are numbered after the highest.
pub(super) struct TrackNumbers {
    given: std::collections::HashMap<String, u64>,
    next: u64,
}

impl TrackNumbers {
    pub(super) fn new<'a>(tracks: impl IntoIterator<Item = &'a crate::dataset::Track>, first: u64) -> Self {
        let mut given = std::collections::HashMap::new();
        let mut taken = std::collections::HashSet::new();
        for t in tracks {
            if let Some(n) = t.id.rsplit_once('-').and_then(|(_, n)| n.parse::<u64>().ok())
                && n >= first
                && taken.insert(n)
            {
                given.insert(t.id.clone(), n);
            }
        }
        let next = taken.iter().max().map_or(first, |m| m + 1);
        Self { given, next }
    }

    pub(super) fn of(&mut self, id: &str) -> u64 {
        if let Some(n) = self.given.get(id) {
            return *n;
        }
        self.next += 1;
        self.next - 1
    }
}

/// A mutable text attribute `name` on `category`'s tracks, added once: where a format
/// keeps something per box that Vidence has no field for (VidOR's tracker, V-STaR's
/// timestamp as written).
pub(super) fn add_text_spec(data: &mut Dataset, category: &str, name: &str, default: &str) {
    let Some(c) = data.categories.iter_mut().find(|c| c.id == category) else { return };
    if !c.attributes.iter().any(|s| s.name == name) {
        c.attributes.push(crate::dataset::AttributeSpec {
            name: name.into(),
            input: crate::dataset::AttributeInput::Text,
            mutable: true,
            values: Vec::new(),
            default: default.into(),
        });
    }
}

/// The category for a name, added to `data` when new (the one rule for new categories).
pub(super) fn category_for(data: &mut Dataset, name: &str) -> String {
    let (id, edit) = crate::labels::category_named(data, name, None);
    if let Some(crate::edit::Edit::InsertCategory { category, .. }) = edit {
        data.categories.push(category);
    }
    id
}

/// An imported track's keyframes from its boxes on the frames it was seen: a gap, and
/// the end of the track before the video's, are an outside keyframe (the formats that
/// list a box per frame say nothing of the frames between).
pub(super) fn seen_keyframes(
    mut seen: Vec<crate::dataset::Keyframe>,
    frame_count: u64,
) -> Vec<crate::dataset::Keyframe> {
    seen.sort_by_key(|k| k.frame);
    let mut out = Vec::with_capacity(seen.len() + 1);
    for k in seen {
        if let Some(prev) = out.last().cloned()
            && let crate::dataset::Keyframe { frame, outside: false, .. } = prev
            && k.frame > frame + 1
        {
            out.push(crate::dataset::Keyframe { frame: frame + 1, outside: true, ..prev });
        }
        out.push(k);
    }
    if let Some(last) = out.last().cloned()
        && !last.outside
        && last.frame + 1 < frame_count
    {
        out.push(crate::dataset::Keyframe { frame: last.frame + 1, outside: true, ..last });
    }
    out
}

/// Each attribute of a track a format cannot hold, reported once per track.
pub(super) fn report_attributes(t: &crate::dataset::Track, holds: &[&str], why: &str, report: &mut Report) {
    let mut names: Vec<&str> =
        t.attributes.iter().map(|a| a.name.as_str()).filter(|n| !holds.contains(n)).collect();
    names.dedup();
    names.sort_unstable();
    names.dedup();
    for name in names {
        report.skip("attributes", why, format!("track {} {name}", t.id));
    }
}

/// The segments, questions and model runs a format that holds only tracks leaves out.
pub(super) fn report_beyond_tracks(data: &Dataset, format: &str, report: &mut Report) {
    for s in &data.segments {
        report.skip("segments", &format!("{format} holds no time spans"), format!("segment {}", s.id));
    }
    for q in &data.questions {
        report.skip("questions", &format!("{format} holds no questions"), format!("question {}", q.id));
    }
    for r in &data.runs {
        report.skip("model runs", &format!("{format} holds no model runs"), format!("run {}", r.id));
    }
}
