//! VidSTG (spatio-temporal video grounding on VidOR): a JSON list of sentence records,
//! each naming a VidOR video (`vid`, `fps`, `frame_count`, `width`, `height`), the clip
//! it is asked in (`used_segment`), the span of the answer (`temporal_gt`) and its
//! sentences (`captions`, `questions`), each with the `target_id` of the object whose
//! tube answers it. The boxes are in VidOR's per-video files (`video_id`,
//! `trajectories`: one list per frame of `{tid, bbox: {xmin, ymin, xmax, ymax}}`),
//! given with the records.
//!
//! Frames count from 0; `used_segment.end_fid` is the clip's last frame and
//! `temporal_gt.end_fid` the first frame after the answer (VidOR's relations end so
//! too). Each sentence becomes a where question `vidstg-N-caption`/`-question-K`
//! answered by its target's category, with the answer's span, the target's track
//! and the clip (a segment labelled `clip`) as evidence. Each VidOR object becomes a
//! track with a box on every frame it has one; which tracker made a box is kept as the
//! mutable attribute `tracker` (`none` for a person's box). Relations are reported.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    FormatError, FormatInfo, Input, Report, TrackIds, add_text_spec, category_for, json, provenance,
    seen_keyframes, video_record,
};
use crate::dataset::{
    AttributeValue, Dataset, Evidence, Interpolation, Keyframe, Question, QuestionKind, Review, Segment,
    Track,
};
use crate::geometry::BBox;
use crate::labels::Ids;

pub const INFO: FormatInfo = FormatInfo {
    name: "vidstg",
    title: "VidSTG sentence records with VidOR's per-video annotations",
    imports: true,
    exports: false,
    holds: "videos, each sentence (caption or question) as a where question with its span and target, the clip it \
            is asked in as a segment, VidOR's objects as tracks with the tracker of each box",
    cannot: "relations between objects, a sentence's person/object type (reported on import)",
};

/// A VidOR or VidSTG video id: digits, written as a string (or, in some copies, a number).
#[derive(Deserialize)]
#[serde(untagged)]
enum Name {
    Text(String),
    Number(u64),
}

impl Name {
    fn text(&self) -> String {
        match self {
            Name::Text(s) => s.clone(),
            Name::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct Frames {
    begin_fid: u64,
    end_fid: u64,
}

#[derive(Deserialize)]
struct Object {
    tid: u64,
    category: String,
}

#[derive(Deserialize)]
struct Sentence {
    description: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    target_id: u64,
}

#[derive(Deserialize)]
struct Record {
    vid: Name,
    fps: f64,
    frame_count: u64,
    width: u32,
    height: u32,
    used_segment: Frames,
    temporal_gt: Frames,
    #[serde(rename = "subject/objects", default)]
    objects: Vec<Object>,
    #[serde(default)]
    captions: Vec<Sentence>,
    #[serde(default)]
    questions: Vec<Sentence>,
}

/// The fields of a record this module reads or reports; any other is reported too.
const RECORD_FIELDS: [&str; 11] = [
    "vid",
    "fps",
    "frame_count",
    "width",
    "height",
    "used_segment",
    "temporal_gt",
    "subject/objects",
    "used_relation",
    "captions",
    "questions",
];

#[derive(Deserialize)]
struct Vidor {
    video_id: Name,
    #[serde(default)]
    video_path: Option<String>,
    frame_count: u64,
    fps: f64,
    width: u32,
    height: u32,
    #[serde(rename = "subject/objects")]
    objects: Vec<Object>,
    trajectories: Vec<Vec<Roi>>,
    #[serde(default)]
    relation_instances: Vec<IgnoredAny>,
}

const VIDOR_FIELDS: [&str; 11] = [
    "version",
    "video_id",
    "video_hash",
    "video_path",
    "frame_count",
    "fps",
    "width",
    "height",
    "subject/objects",
    "trajectories",
    "relation_instances",
];

#[derive(Deserialize)]
struct Roi {
    tid: u64,
    bbox: Corners,
    #[serde(default)]
    generated: Option<u8>,
    #[serde(default)]
    tracker: Option<String>,
}

#[derive(Deserialize)]
struct Corners {
    xmin: f64,
    ymin: f64,
    xmax: f64,
    ymax: f64,
}

pub fn looks_like(input: &Input) -> bool {
    are_records(input) || is_vidor(input)
}

fn are_records(input: &Input) -> bool {
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(1 << 16)]);
    head.trim_start().starts_with('[')
        && head.contains("\"used_segment\"")
        && head.contains("\"temporal_gt\"")
}

fn is_vidor(input: &Input) -> bool {
    json::object_with(input, &["video_id", "trajectories", "subject/objects"])
}

pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut track_ids = TrackIds::default();
    // The tracks of each VidOR object, by video and tid.
    let mut tubes: HashMap<(String, u64), String> = HashMap::new();
    let (vidor, rest): (Vec<&Input>, Vec<&Input>) = inputs.iter().partition(|i| is_vidor(i));
    let (records, others): (Vec<&Input>, Vec<&Input>) = rest.into_iter().partition(|i| are_records(i));
    if vidor.is_empty() && records.is_empty() {
        return Err(FormatError::Detect(
            "no VidSTG records (a list with used_segment and temporal_gt) or VidOR annotation (trajectories) given"
                .into(),
        ));
    }
    for input in others {
        report.skip("files", "neither VidSTG records nor a VidOR annotation", input.name.clone());
    }
    for input in vidor {
        read_vidor(input, &mut data, &mut track_ids, &mut tubes, report)?;
    }
    let mut ids = Ids::default();
    let mut clips: HashMap<(String, u64, u64), String> = HashMap::new();
    for input in records {
        let list: Vec<Record> = json::read(input)?;
        let keys: Vec<BTreeMap<String, IgnoredAny>> = json::read(input)?;
        for (i, (record, keys)) in list.iter().zip(&keys).enumerate() {
            let at = format!("$[{i}]");
            for key in keys.keys().filter(|k| !RECORD_FIELDS.contains(&k.as_str())) {
                report.skip("fields", "not part of VidSTG's records", format!("{at}.{key}"));
            }
            if keys.contains_key("used_relation") {
                report.skip(
                    "relations",
                    "Vidence keeps no relations between objects (the span is kept)",
                    format!("{at}.used_relation"),
                );
            }
            let mut context =
                Context { input, at: &at, data: &mut data, report, tubes: &tubes, clips: &mut clips };
            read_record(record, &mut context, &mut ids)?;
        }
    }
    Ok(data)
}

/// One VidOR file: its video (when no other file gave it) and a track per object.
fn read_vidor(
    input: &Input,
    data: &mut Dataset,
    ids: &mut TrackIds,
    tubes: &mut HashMap<(String, u64), String>,
    report: &mut Report,
) -> Result<(), FormatError> {
    let file: Vidor = json::read(input)?;
    let keys: BTreeMap<String, IgnoredAny> = json::read(input)?;
    for key in keys.keys().filter(|k| !VIDOR_FIELDS.contains(&k.as_str())) {
        report.skip("fields", "not part of VidOR's annotations", format!("{}: $.{key}", input.name));
    }
    let vid = file.video_id.text();
    let invalid = |message: String| FormatError::Invalid { file: input.name.clone(), message };
    if file.frame_count >= super::MAX_FRAMES {
        return Err(invalid(format!("$.frame_count: {} is not a number of frames", file.frame_count)));
    }
    let size = (file.width > 0 && file.height > 0).then_some((file.width, file.height));
    let path = file.video_path.clone().unwrap_or_else(|| format!("{vid}.mp4"));
    let video = video_record(&vid, &path, size, file.frame_count, Some(file.fps), report);
    if data.video(&vid).is_some() {
        return Err(invalid(format!("video {vid:?} is in two of the VidOR files given")));
    }
    data.videos.push(video);
    for i in 0..file.relation_instances.len() {
        let at = format!("{}: $.relation_instances[{i}]", input.name);
        report.skip("relations", "Vidence keeps no relations between objects", at);
    }
    let source = provenance(super::Format::Vidstg, &input.name);
    // Each object's boxes and the tracker of each, in frame order.
    let mut seen: BTreeMap<u64, (Vec<Keyframe>, Vec<AttributeValue>)> = BTreeMap::new();
    for (frame, rois) in file.trajectories.iter().enumerate() {
        let frame = frame as u64;
        for (j, roi) in rois.iter().enumerate() {
            let at = || format!("{}: $.trajectories[{frame}][{j}]", input.name);
            if frame >= file.frame_count {
                report.skip("boxes", "on a frame past the video's last", at());
                continue;
            }
            if !file.objects.iter().any(|o| o.tid == roi.tid) {
                report.skip("boxes", "of a tid that subject/objects does not name", at());
                continue;
            }
            let Corners { xmin, ymin, xmax, ymax } = roi.bbox;
            let bbox = BBox::new(xmin as f32, ymin as f32, xmax as f32, ymax as f32);
            if !bbox.0.iter().all(|v| v.is_finite()) || xmax < xmin || ymax < ymin {
                report.skip("boxes", "inverted or past any frame's size", at());
                continue;
            }
            let (keyframes, trackers) = seen.entry(roi.tid).or_default();
            if keyframes.last().is_some_and(|k| k.frame == frame) {
                report.skip("boxes", "a second box of one object on one frame", at());
                continue;
            }
            keyframes.push(Keyframe { frame, bbox, outside: false, occluded: false });
            let tracker = roi.tracker.clone().unwrap_or_else(|| "none".into());
            if roi.generated.is_some_and(|g| (g == 0) != (tracker == "none")) {
                report.skip("generated flags", "they disagree with the box's tracker, which is kept", at());
            }
            if trackers.last().is_none_or(|t: &AttributeValue| t.value != tracker) {
                trackers.push(AttributeValue { name: "tracker".into(), value: tracker, frame: Some(frame) });
            }
        }
    }
    for object in &file.objects {
        let Some((keyframes, attributes)) = seen.remove(&object.tid) else {
            report.skip("objects", "they have no box", format!("{}: tid {}", input.name, object.tid));
            continue;
        };
        let category = category_for(data, &object.category);
        add_text_spec(data, &category, "tracker", "none");
        let id = ids.numbered(&vid, &object.tid.to_string());
        tubes.insert((vid.clone(), object.tid), id.clone());
        data.tracks.push(Track {
            id,
            video: vid.clone(),
            category,
            keyframes: seen_keyframes(keyframes, file.frame_count).into(),
            interpolation: Interpolation::Linear,
            attributes,
            z_order: 0,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    Ok(())
}

/// Where a record is read and what it adds to.
struct Context<'a> {
    input: &'a Input,
    at: &'a str,
    data: &'a mut Dataset,
    report: &'a mut Report,
    tubes: &'a HashMap<(String, u64), String>,
    /// The clip segments made so far, by video, first and last frame.
    clips: &'a mut HashMap<(String, u64, u64), String>,
}

fn read_record(record: &Record, cx: &mut Context, ids: &mut Ids) -> Result<(), FormatError> {
    let vid = record.vid.text();
    let (at, file) = (cx.at, &cx.input.name);
    let invalid =
        |message: String| FormatError::Invalid { file: file.clone(), message: format!("{at}: {message}") };
    if !super::is_frame_rate(record.fps) || record.frame_count >= super::MAX_FRAMES {
        cx.report.skip("records", "their fps or frame_count is not a video's", at);
        return Ok(());
    }
    let (clip, gt) = (&record.used_segment, &record.temporal_gt);
    if clip.begin_fid > clip.end_fid || clip.end_fid >= record.frame_count {
        cx.report.skip("records", "used_segment is not frames of the video", format!("{at}.used_segment"));
        return Ok(());
    }
    if gt.begin_fid >= gt.end_fid || gt.end_fid > record.frame_count {
        cx.report.skip("records", "temporal_gt is not a span of the video", format!("{at}.temporal_gt"));
        return Ok(());
    }
    match cx.data.video(&vid) {
        Some(v) => {
            let same = v.frame_count == record.frame_count
                && (v.width, v.height) == (record.width, record.height)
                && (v.fps - record.fps).abs() < 0.01;
            if !same {
                return Err(invalid(format!(
                    "video {vid:?} is {}x{}, {} frames at {} fps here, but {}x{}, {} frames at {} fps before",
                    record.width,
                    record.height,
                    record.frame_count,
                    record.fps,
                    v.width,
                    v.height,
                    v.frame_count,
                    v.fps
                )));
            }
        }
        None => {
            let size = (record.width > 0 && record.height > 0).then_some((record.width, record.height));
            let video = video_record(
                &vid,
                &format!("{vid}.mp4"),
                size,
                record.frame_count,
                Some(record.fps),
                cx.report,
            );
            cx.data.videos.push(video);
        }
    }
    let fps = cx.data.video(&vid).map_or(record.fps, |v| v.fps);
    let source = provenance(super::Format::Vidstg, file);
    let key = (vid.clone(), clip.begin_fid, clip.end_fid);
    let clip_id = match cx.clips.get(&key) {
        Some(id) => id.clone(),
        None => {
            let id = ids.next("clip");
            cx.data.segments.push(Segment {
                id: id.clone(),
                video: vid.clone(),
                label: "clip".into(),
                start_s: clip.begin_fid as f64 / fps,
                end_s: (clip.end_fid + 1) as f64 / fps,
                source: source.clone(),
                review: Review::Unreviewed,
            });
            cx.clips.insert(key, id.clone());
            id
        }
    };
    let base = ids.next("vidstg");
    let sentences = record
        .captions
        .iter()
        .map(|s| (s, "captions"))
        .chain(record.questions.iter().map(|s| (s, "questions")));
    let (mut captions, mut questions) = (0, 0);
    for (s, list) in sentences {
        let (id, place) = if list == "captions" {
            captions += 1;
            let id =
                if captions == 1 { format!("{base}-caption") } else { format!("{base}-caption-{captions}") };
            (id, format!("{at}.captions[{}]", captions - 1))
        } else {
            questions += 1;
            (format!("{base}-question-{questions}"), format!("{at}.questions[{}]", questions - 1))
        };
        if s.kind.is_some() {
            cx.report.skip(
                "sentence types",
                "Vidence keeps the target's category, not person/object",
                format!("{place}.type"),
            );
        }
        let Some(target) = record.objects.iter().find(|o| o.tid == s.target_id) else {
            cx.report.skip(
                "sentences",
                "their target_id is none of subject/objects",
                format!("{place}.target_id"),
            );
            continue;
        };
        let mut evidence =
            vec![Evidence::Span { start_s: gt.begin_fid as f64 / fps, end_s: gt.end_fid as f64 / fps }];
        match cx.tubes.get(&(vid.clone(), s.target_id)) {
            Some(track) => evidence.push(Evidence::Track { id: track.clone() }),
            None => cx.report.skip(
                "tubes",
                "the VidOR annotation of the target was not given (give VID.json with the records)",
                format!("{place}.target_id"),
            ),
        }
        evidence.push(Evidence::Segment { id: clip_id.clone() });
        cx.data.questions.push(Question {
            id,
            video: vid.clone(),
            kind: QuestionKind::Where,
            text: s.description.clone(),
            options: Vec::new(),
            answer: target.category.clone(),
            evidence,
            rationale: Vec::new(),
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    Ok(())
}
