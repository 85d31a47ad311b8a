//! MOTChallenge text: a line a box, `frame,id,left,top,width,height,...` with frames
//! from 1. Nine columns are ground truth (`consider, class, visibility`, MOT16 on);
//! ten are a tracker's results or MOT15's ground truth (`conf, x, y, z`, the world
//! position -1 when unknown). `seqinfo.ini` gives the frame rate, size and length.
//! Coordinates are taken as written (no pixel-origin shift), as TrackEval and
//! py-motmetrics read them. A box is seen on its line's frame only: a track is outside
//! on the frames it has no line.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{
    FormatError, FormatInfo, Input, MAX_FRAMES, Num, Report, TrackIds, TrackNumbers, category_for, num,
    provenance, report_attributes, seen_keyframes, text, video_record,
};
use crate::dataset::{
    AttributeInput, AttributeSpec, AttributeValue, Dataset, Interpolation, Keyframe, Review, Track,
};
use crate::geometry::BBox;

pub const INFO: FormatInfo = FormatInfo {
    name: "mot",
    title: "MOTChallenge ground truth and tracker results, with seqinfo.ini",
    imports: true,
    exports: true,
    holds: "videos (sequences, with frame rate, size and length), tracks of boxes on the frames they are seen, \
            the consider flag, class, visibility (occluded below 0.5) and confidence",
    cannot: "segments, questions, model runs, attributes other than these; boxes between a track's keyframes \
             are written as interpolated",
};

/// MOT16's classes, by number.
pub(crate) const CLASSES: [&str; 13] = [
    "pedestrian",
    "person on vehicle",
    "car",
    "bicycle",
    "motorbike",
    "non motorized vehicle",
    "static person",
    "distractor",
    "occluder",
    "occluder on the ground",
    "occluder full",
    "reflection",
    "crowd",
];

/// Below this visibility a box is occluded.
const OCCLUDED_BELOW: f32 = 0.5;

pub fn looks_like(input: &Input) -> bool {
    if input.name.ends_with("seqinfo.ini") {
        return true;
    }
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(2048)]);
    let Some(line) = head.lines().find(|l| !l.trim().is_empty()) else { return false };
    let cells: Vec<&str> = line.split(',').map(str::trim).collect();
    (cells.len() == 9 || cells.len() == 10) && cells.iter().all(|c| c.parse::<f64>().is_ok())
}

/// One sequence: its `seqinfo.ini` and its boxes.
#[derive(Default)]
struct Sequence {
    fps: Option<f64>,
    size: Option<(u32, u32)>,
    length: Option<u64>,
    image_dir: Option<String>,
    /// Class names by number from 1 (datumaro's `gt/labels.txt`), else MOT16's.
    classes: Vec<String>,
    files: Vec<usize>,
}

/// The sequence a file belongs to: `SEQ/seqinfo.ini`, `SEQ/gt/gt.txt`, `SEQ/det/det.txt`,
/// or a results file `SEQ.txt`.
fn sequence_of(name: &str) -> String {
    let parts: Vec<&str> = name.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let file = parts.last().copied().unwrap_or("");
    let folder = |up: usize| parts.len().checked_sub(up + 1).map(|i| parts[i]);
    match file {
        "seqinfo.ini" => folder(1).unwrap_or("sequence").to_owned(),
        // `SEQ/gt/gt.txt`, or a `gt.txt` straight in the sequence's folder.
        "gt.txt" | "det.txt" | "labels.txt" => match folder(1) {
            Some("gt" | "det") => folder(2),
            other => other,
        }
        .unwrap_or("sequence")
        .to_owned(),
        _ => super::file_stem(file).to_owned(),
    }
}

pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let mut sequences: BTreeMap<String, Sequence> = BTreeMap::new();
    let folder = |name: &str| name.rsplit_once(['/', '\\']).map_or("", |(f, _)| f).to_owned();
    let truth_folders: Vec<(String, String)> = inputs
        .iter()
        .filter(|i| i.name.ends_with("gt.txt"))
        .map(|i| (folder(&i.name), sequence_of(&i.name)))
        .collect();
    for (i, input) in inputs.iter().enumerate() {
        // A results file beside a gt.txt is of that sequence (py-motmetrics' test.txt).
        let beside = truth_folders.iter().find(|(f, _)| *f == folder(&input.name)).map(|(_, s)| s.clone());
        let seq = sequences.entry(beside.unwrap_or_else(|| sequence_of(&input.name))).or_default();
        if input.name.ends_with("seqinfo.ini") {
            read_seqinfo(input, seq)?;
        } else if input.name.ends_with("labels.txt") {
            seq.classes =
                text(input)?.lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
        } else {
            seq.files.push(i);
        }
    }
    let mut data = Dataset::default();
    let mut ids = TrackIds::default();
    for (name, seq) in &sequences {
        if seq.files.is_empty() {
            report.skip("sequences", "a seqinfo.ini without a gt.txt or results file", name.clone());
            continue;
        }
        // Ground truth wins: a tracker's results beside it are another run, not more labels.
        let truth: Vec<usize> =
            seq.files.iter().copied().filter(|&i| inputs[i].name.ends_with("gt.txt")).collect();
        for &i in &seq.files {
            if truth.is_empty() || truth.contains(&i) {
                read_boxes(&inputs[i], name, seq, &mut data, &mut ids, report)?;
            } else {
                report.skip(
                    "files",
                    "results or detections beside the sequence's gt.txt",
                    inputs[i].name.clone(),
                );
            }
        }
    }
    Ok(data)
}

fn read_seqinfo(input: &Input, seq: &mut Sequence) -> Result<(), FormatError> {
    for (n, line) in text(input)?.lines().enumerate() {
        let Some((key, value)) = line.split_once('=') else { continue };
        let (key, value) = (key.trim(), value.trim());
        let bad = || FormatError::Syntax {
            file: input.name.clone(),
            line: n + 1,
            column: 1,
            at: key.to_owned(),
            message: format!("{value:?} is not a number"),
        };
        match key {
            "frameRate" => seq.fps = Some(value.parse().map_err(|_| bad())?),
            "seqLength" => {
                let length: u64 = value.parse().map_err(|_| bad())?;
                if length > MAX_FRAMES {
                    return Err(FormatError::Syntax {
                        file: input.name.clone(),
                        line: n + 1,
                        column: 1,
                        at: key.to_owned(),
                        message: format!("{length} frames: past any video ({MAX_FRAMES} frames)"),
                    });
                }
                seq.length = Some(length);
            }
            "imWidth" => seq.size = Some((value.parse().map_err(|_| bad())?, seq.size.map_or(0, |s| s.1))),
            "imHeight" => seq.size = Some((seq.size.map_or(0, |s| s.0), value.parse().map_err(|_| bad())?)),
            "imDir" => seq.image_dir = Some(value.to_owned()),
            _ => {}
        }
    }
    Ok(())
}

struct Row {
    frame: u64,
    bbox: BBox,
    consider: bool,
    class: Option<u32>,
    visibility: Option<f32>,
    confidence: Option<f32>,
}

fn read_boxes(
    input: &Input,
    name: &str,
    seq: &Sequence,
    data: &mut Dataset,
    ids: &mut TrackIds,
    report: &mut Report,
) -> Result<(), FormatError> {
    let mut tracks: BTreeMap<u64, Vec<Row>> = BTreeMap::new();
    let mut width = None;
    for (n, line) in text(input)?.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = || format!("line {}", n + 1);
        let bad = |column: usize, message: String| FormatError::Syntax {
            file: input.name.clone(),
            line: n + 1,
            column,
            at: format!("column {column}"),
            message,
        };
        let mut cells = [""; 10];
        let mut columns = 0;
        for cell in line.split(',') {
            if columns < cells.len() {
                cells[columns] = cell.trim();
            }
            columns += 1;
        }
        let cells = &cells[..columns.min(10)];
        if !(6..=10).contains(&columns) {
            return Err(bad(1, format!("{columns} columns: a MOT line has 9 or 10")));
        }
        if *width.get_or_insert(cells.len()) != cells.len() {
            return Err(bad(
                1,
                format!("{} columns where the file's first line has {}", cells.len(), width.unwrap_or(0)),
            ));
        }
        let float = |i: usize| -> Result<f32, FormatError> {
            cells[i].parse::<f32>().map_err(|_| bad(i + 1, format!("{:?} is not a number", cells[i])))
        };
        // Frames and ids as whole numbers (in 64 bits: a 32-bit float would merge
        // ids above 16,777,216).
        let whole = |i: usize| -> Result<f64, FormatError> {
            cells[i].parse::<f64>().map_err(|_| bad(i + 1, format!("{:?} is not a number", cells[i])))
        };
        let frame = whole(0)?;
        let id = whole(1)?;
        if !(1.0..9.0e15).contains(&frame) || frame.fract() != 0.0 {
            report.skip("boxes", "their frame is not a whole number from 1", at());
            continue;
        }
        if !(0.0..9.0e15).contains(&id) || id.fract() != 0.0 {
            report.skip("boxes", "their id is not a whole number (detections without a track)", at());
            continue;
        }
        let (x, y, w, h) = (float(2)?, float(3)?, float(4)?, float(5)?);
        if ![x, y, w, h, x + w, y + h].iter().all(|v| v.is_finite()) || w < 0.0 || h < 0.0 {
            report.skip("boxes", "negative size or not finite", at());
            continue;
        }
        let frame = frame as u64 - 1;
        if frame >= MAX_FRAMES {
            report.skip("boxes", "their frame is past any video's length", at());
            continue;
        }
        if seq.length.is_some_and(|len| frame >= len) {
            report.skip("boxes", "their frame is past the sequence's length", at());
            continue;
        }
        let mut row = Row {
            frame,
            bbox: BBox::new(x, y, x + w, y + h),
            consider: true,
            class: None,
            visibility: None,
            confidence: None,
        };
        if cells.len() == 9 {
            row.consider = float(6)? != 0.0;
            row.class = Some(float(7)? as u32);
            row.visibility = Some(float(8)?);
        } else if cells.len() >= 7 {
            row.confidence = Some(float(6)?);
            if cells.len() >= 10 && (7..10).any(|i| float(i).is_ok_and(|v| v != -1.0)) {
                report.skip("world positions", "Vidence keeps boxes in the image only", at());
            }
        }
        tracks.entry(id as u64).or_default().push(row);
    }
    let last_frame = tracks.values().flatten().map(|r| r.frame).max().unwrap_or(0);
    let frames = seq.length.unwrap_or(last_frame + 1);
    if data.video(name).is_none() {
        let path = seq.image_dir.as_ref().map_or(name.to_owned(), |dir| format!("{name}/{dir}"));
        data.videos.push(video_record(name, &path, seq.size, frames, seq.fps, report));
        if seq.length.is_none() {
            report
                .assumed
                .push(format!("video {name:?}: {frames} frames (up to its last box; no seqinfo.ini)"));
        }
    }
    let source = provenance(super::Format::Mot, &input.name);
    for (id, mut rows) in tracks {
        rows.sort_by_key(|r| r.frame);
        rows.dedup_by(|b, a| {
            let same = a.frame == b.frame;
            if same {
                report.skip(
                    "boxes",
                    "a second box of the track on the same frame",
                    format!("track {id} frame {}", b.frame + 1),
                );
            }
            same
        });
        let class = rows[0].class;
        if rows.iter().any(|r| r.class != class) {
            report.skip("class changes", "a track keeps its first line's class", format!("track {id}"));
        }
        let category = match class {
            Some(c) => {
                let i = (c as usize).wrapping_sub(1);
                let name = match seq.classes.get(i) {
                    Some(name) => name.clone(),
                    None if seq.classes.is_empty() => {
                        CLASSES.get(i).map_or_else(|| format!("class {c}"), |n| (*n).to_owned())
                    }
                    None => format!("class {c}"),
                };
                category_for(data, &name)
            }
            None => category_for(data, "object"),
        };
        add_specs(data, &category, &rows);
        let attributes = attributes_of(&rows);
        let seen = rows
            .iter()
            .map(|r| Keyframe {
                frame: r.frame,
                bbox: r.bbox,
                outside: false,
                occluded: r.visibility.is_some_and(|v| v < OCCLUDED_BELOW),
            })
            .collect();
        data.tracks.push(Track {
            id: ids.numbered(name, &id.to_string()),
            video: name.to_owned(),
            category,
            keyframes: seen_keyframes(seen, frames).into(),
            interpolation: Interpolation::Linear,
            attributes,
            z_order: 0,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    Ok(())
}

/// The attributes MOT gives a category's tracks.
fn add_specs(data: &mut Dataset, category: &str, rows: &[Row]) {
    let Some(c) = data.categories.iter_mut().find(|c| c.id == category) else { return };
    let mut want = Vec::new();
    if rows[0].visibility.is_some() {
        want.push(("consider", AttributeInput::Checkbox, "1"));
        want.push(("visibility", AttributeInput::Number, "1"));
    }
    if rows[0].confidence.is_some() {
        want.push(("confidence", AttributeInput::Number, "1"));
    }
    for (name, input, default) in want {
        if !c.attributes.iter().any(|a| a.name == name) {
            c.attributes.push(AttributeSpec {
                name: name.into(),
                input,
                mutable: true,
                values: Vec::new(),
                default: default.into(),
            });
        }
    }
}

/// Consider, visibility and confidence as attribute values: for the whole track where
/// they never change, else from each line where they do.
fn attributes_of(rows: &[Row]) -> Vec<AttributeValue> {
    type Column = fn(&Row) -> Option<f32>;
    let columns: [(&str, Column); 3] = [
        ("consider", |r| r.visibility.map(|_| f32::from(u8::from(r.consider)))),
        ("visibility", |r| r.visibility),
        ("confidence", |r| r.confidence),
    ];
    let mut whole = Vec::new();
    let mut changes = Vec::new();
    for (name, value) in &columns {
        let Some(first) = rows.iter().find_map(value) else { continue };
        // Numbers are written only where they change: a million lines cost no text each.
        if rows.iter().filter_map(value).all(|v| v.to_bits() == first.to_bits()) {
            whole.push(AttributeValue { name: (*name).into(), value: num(first), frame: None });
            continue;
        }
        let mut last: Option<f32> = None;
        for r in rows {
            if let Some(v) = value(r)
                && last.is_none_or(|l| l.to_bits() != v.to_bits())
            {
                changes.push(AttributeValue { name: (*name).into(), value: num(v), frame: Some(r.frame) });
                last = Some(v);
            }
        }
    }
    changes.sort_by_key(|a| a.frame);
    whole.extend(changes);
    whole
}

/// Each video as a sequence folder, `SEQ/seqinfo.ini` and `SEQ/gt/gt.txt` (nine
/// columns), and as a tracker's results, `results/SEQ.txt` (ten columns).
pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    super::report_beyond_tracks(data, "MOT", report);
    let mut files = Vec::new();
    for video in &data.videos {
        let seqinfo = format!(
            "[Sequence]\nname={}\nimDir=img1\nframeRate={}\nseqLength={}\nimWidth={}\nimHeight={}\nimExt=.jpg\n",
            video.id, video.fps, video.frame_count, video.width, video.height
        );
        let (mut gt, mut results) = (String::new(), String::new());
        let tracks: Vec<&Track> = data.tracks_of(&video.id).collect();
        let mut numbers = TrackNumbers::new(tracks.iter().copied(), 1);
        // MOT16's class numbers where every category is one of its classes; else the
        // categories in order, named in `gt/labels.txt` as datumaro writes it.
        let mot_classes = tracks.iter().all(|t| {
            let name = data.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
            CLASSES.iter().any(|k| k.eq_ignore_ascii_case(name))
        });
        let classes: Vec<String> = if mot_classes {
            CLASSES
                .iter()
                .map(|k| {
                    let c = data.categories.iter().find(|c| c.name.eq_ignore_ascii_case(k));
                    c.map_or_else(String::new, |c| c.id.clone())
                })
                .collect()
        } else {
            data.categories.iter().map(|c| c.id.clone()).collect()
        };
        if !mot_classes {
            let names: Vec<&str> = data.categories.iter().map(|c| c.name.as_str()).collect();
            files.push(Input {
                name: format!("{}/gt/labels.txt", video.id),
                bytes: format!("{}\n", names.join("\n")).into_bytes(),
            });
        }
        let mut lines: Vec<(u64, u64, &Track)> = Vec::new();
        for t in &tracks {
            let n = numbers.of(&t.id);
            let (Some(first), Some(last)) = (t.keyframes.first(), t.keyframes.last()) else { continue };
            let end =
                if last.outside { last.frame } else { video.frame_count.saturating_sub(1).max(last.frame) };
            lines.extend((first.frame..=end).map(|f| (f, n, *t)));
            let holds = ["consider", "visibility", "confidence"];
            report_attributes(t, &holds, "MOT holds consider, visibility and confidence only", report);
        }
        lines.sort_by_key(|(f, n, _)| (*f, *n));
        for (frame, n, t) in lines {
            let Some(b) = t.box_at(frame) else { continue };
            let [x1, y1, x2, y2] = b.bbox.0;
            let (x, y, w, h) = (Num(x1), Num(y1), Num(x2 - x1), Num(y2 - y1));
            let attrs = t.attributes_at(frame);
            let value = |name: &str| attrs.iter().find(|a| a.name == name).map(|a| a.value.as_str());
            let class = classes.iter().position(|c| *c == t.category).map_or(1, |i| i + 1);
            let visibility = value("visibility")
                .map_or_else(|| if b.occluded { "0.25".into() } else { "1".into() }, str::to_owned);
            let f = frame + 1;
            let _ = writeln!(
                gt,
                "{f},{n},{x},{y},{w},{h},{},{class},{visibility}",
                value("consider").unwrap_or("1")
            );
            let _ =
                writeln!(results, "{f},{n},{x},{y},{w},{h},{},-1,-1,-1", value("confidence").unwrap_or("1"));
        }
        files.push(Input { name: format!("{}/seqinfo.ini", video.id), bytes: seqinfo.into_bytes() });
        files.push(Input { name: format!("{}/gt/gt.txt", video.id), bytes: gt.into_bytes() });
        files.push(Input { name: format!("results/{}.txt", video.id), bytes: results.into_bytes() });
    }
    files
}
