//! CVAT for video 1.1 XML (and CVAT for images 1.1, whose boxes become one-frame
//! tracks). CVAT writes a box's `frame` as the video's own frame number
//! (`start_frame + i * step` for the task's `i`-th frame), so it is a keyframe index
//! as it stands; `start_frame`, `stop_frame` and `frame_filter` only say which frames
//! the task has. CVAT dumps a box on every frame of a track (`keyframe="0"` where it
//! interpolated): those equal to Vidence's linear interpolation are not kept as
//! keyframes, any other is.

use std::fmt::Write;

use super::xml::{Attrs, Node, Reader, attr, escape};
use super::{
    FormatError, FormatInfo, Input, MAX_FRAMES, Num, Report, TrackIds, TrackNumbers, provenance, video_record,
};
use crate::dataset::{
    AttributeInput, AttributeSpec, AttributeValue, Category, Dataset, Interpolation, Keyframe, Review, Track,
    Video,
};
use crate::geometry::BBox;
use crate::labels::category_named;

pub const INFO: FormatInfo = FormatInfo {
    name: "cvat",
    title: "CVAT for video 1.1 XML (CVAT for images 1.1 read too)",
    imports: true,
    exports: true,
    holds: "videos (one task each), categories with attributes, tracks of boxes with keyframes, outside, \
            occluded, z_order and attribute values",
    cannot: "segments, questions, model runs; interpolation other than linear (written as every frame's box)",
};

/// CVAT writes coordinates with two decimals: a dumped box within this of the
/// interpolated one is the interpolation.
const SAME_BOX: f32 = 0.011;

pub fn looks_like(input: &Input) -> bool {
    let head = String::from_utf8_lossy(&input.bytes[..input.bytes.len().min(4096)]);
    head.contains("<annotations")
}

/// One task of the file: a video.
#[derive(Default)]
struct Task {
    id: String,
    name: String,
    size: Option<u64>,
    start: u64,
    stop: Option<u64>,
    step: u64,
    width: Option<u32>,
    height: Option<u32>,
    source: Option<String>,
}

struct Label {
    name: String,
    color: Option<[u8; 3]>,
    attributes: Vec<AttributeSpec>,
}

struct CvatBox {
    frame: u64,
    bbox: BBox,
    outside: bool,
    occluded: bool,
    keyframe: bool,
    z_order: i32,
    attributes: Vec<(String, String)>,
    /// Its index among the boxes of its track or image, for messages.
    index: usize,
}

struct CvatTrack {
    /// Empty for a shape of one image.
    id: String,
    label: String,
    task: Option<String>,
    boxes: Vec<CvatBox>,
    at: String,
}

pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut ids = TrackIds::default();
    for input in inputs {
        read_one(input, &mut data, &mut ids, report)?;
    }
    Ok(data)
}

/// What the reader has gathered of one file so far.
#[derive(Default)]
struct State {
    tasks: Vec<Task>,
    labels: Vec<Label>,
    tracks: Vec<CvatTrack>,
    track: Option<CvatTrack>,
    shape: Option<CvatBox>,
    /// The name of the box attribute being read.
    attribute: Option<String>,
    label: Option<Label>,
    spec: Option<AttributeSpec>,
    /// The frame of the `<image>` being read, and its task.
    image: Option<(u64, Option<String>)>,
    /// The last frame of any `<image>`, for a file without a task's meta.
    last_image: Option<u64>,
}

fn read_one(
    input: &Input,
    data: &mut Dataset,
    ids: &mut TrackIds,
    report: &mut Report,
) -> Result<(), FormatError> {
    let mut r = Reader::new(input);
    let mut s = State::default();
    match r.next()? {
        Node::Open { start } if start.name().as_ref() == b"annotations" => {}
        Node::Open { start } => {
            let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
            return Err(r.error(format!("a CVAT file starts with <annotations>, not <{name}>")));
        }
        _ => {
            return Err(FormatError::Invalid {
                file: input.name.clone(),
                message: "holds no XML element".into(),
            });
        }
    }
    loop {
        match r.next()? {
            Node::End => break,
            Node::Open { start } => {
                let name = start.name();
                let name = std::str::from_utf8(name.as_ref())
                    .map_err(|_| r.error("an element name is not UTF-8"))?;
                let attrs = r.attrs(&start)?;
                s.open(&r, name, &attrs, report)?;
            }
            Node::Close { name, text } => s.close(&r, r.name(name), text.trim(), report)?,
        }
    }
    // Without a task's frames, the frames are those the file names.
    let frames = s.tracks.iter().flat_map(|t| t.boxes.iter().map(|b| b.frame));
    let last = frames.filter(|&f| f < MAX_FRAMES).max().max(s.last_image.filter(|&f| f < MAX_FRAMES));
    if s.tasks.is_empty() {
        s.tasks.push(Task { step: 1, ..Task::default() });
    }
    for t in s.tasks.iter_mut().filter(|t| t.stop.is_none() && t.size.is_none()) {
        t.stop = last;
    }
    build(input, s.tasks, s.labels, s.tracks, data, ids, report)
}

impl State {
    fn open(
        &mut self,
        r: &Reader<'_>,
        name: &str,
        attrs: &Attrs,
        report: &mut Report,
    ) -> Result<(), FormatError> {
        let parent = r.parent();
        let in_shapes = self.track.is_some() || self.image.is_some();
        match name {
            "task" if parent == "meta" || parent == "tasks" => {
                self.tasks.push(Task { step: 1, ..Task::default() });
            }
            "label" if parent == "labels" => {
                self.label = Some(Label { name: String::new(), color: None, attributes: Vec::new() });
            }
            "attribute" if self.shape.is_some() => self.attribute = attr(attrs, "name").map(str::to_owned),
            "attribute" if self.label.is_some() => {
                self.spec = Some(AttributeSpec {
                    name: String::new(),
                    input: AttributeInput::Text,
                    mutable: false,
                    values: Vec::new(),
                    default: String::new(),
                });
            }
            "track" => {
                self.track = Some(CvatTrack {
                    id: attr(attrs, "id").unwrap_or("").to_owned(),
                    label: attr(attrs, "label").unwrap_or("").to_owned(),
                    task: attr(attrs, "task_id").map(str::to_owned),
                    boxes: Vec::new(),
                    at: r.path(),
                });
                if attr(attrs, "group_id").is_some_and(|g| g != "0") {
                    report.skip("track groups", "Vidence has no groups of tracks", r.path());
                }
            }
            "image" => {
                let id = attr(attrs, "id").and_then(|v| v.parse::<u64>().ok());
                let Some(id) = id else { return Err(r.error("an <image> without a numeric id")) };
                // A video task's frame is named by the video's frame number.
                let frame = attr(attrs, "name")
                    .and_then(|n| n.strip_prefix("frame_"))
                    .and_then(|n| n.split('.').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(id);
                self.image = Some((frame, attr(attrs, "task_id").map(str::to_owned)));
                self.last_image = self.last_image.max(Some(frame));
            }
            "box" if in_shapes => {
                let b = BoxAttrs::of(attrs);
                let frame = match &self.image {
                    Some((frame, _)) if self.track.is_none() => *frame,
                    _ => number::<u64>(r, b.frame, "frame")?,
                };
                let [x1, y1, x2, y2] = b.corners;
                let corner = |value, key| number::<f32>(r, value, key);
                let bbox =
                    BBox::new(corner(x1, "xtl")?, corner(y1, "ytl")?, corner(x2, "xbr")?, corner(y2, "ybr")?);
                if b.rotation.and_then(|v| v.parse::<f32>().ok()).is_some_and(|a| a != 0.0) {
                    report.skip("rotated boxes", "kept unrotated: Vidence's boxes are upright", r.path());
                }
                let in_image = self.track.is_none();
                self.shape = Some(CvatBox {
                    frame,
                    bbox,
                    outside: flag(b.outside),
                    occluded: flag(b.occluded),
                    keyframe: in_image || b.keyframe.is_none_or(|k| flag(Some(k))),
                    z_order: b.z_order.and_then(|v| v.parse().ok()).unwrap_or(0),
                    attributes: Vec::new(),
                    index: r.index(),
                });
                if in_image {
                    let path = r.path();
                    let image = path.rsplit_once('/').map_or(path.as_str(), |(image, _)| image).to_owned();
                    self.track = Some(CvatTrack {
                        id: String::new(),
                        label: attr(attrs, "label").unwrap_or("").to_owned(),
                        task: self.image.as_ref().and_then(|(_, t)| t.clone()),
                        boxes: Vec::new(),
                        at: image,
                    });
                }
            }
            "polygon" | "polyline" | "points" | "mask" | "cuboid" | "skeleton" | "ellipse" | "tag"
                if in_shapes =>
            {
                report.skip(&format!("<{name}> shapes"), "only boxes are kept", r.path());
            }
            _ => {}
        }
        Ok(())
    }

    fn close(
        &mut self,
        r: &Reader<'_>,
        name: &str,
        text: &str,
        report: &mut Report,
    ) -> Result<(), FormatError> {
        let parent = r.parent();
        match (parent, name) {
            (_, "attribute") if self.shape.is_some() => {
                if let (Some(b), Some(n)) = (self.shape.as_mut(), self.attribute.take()) {
                    b.attributes.push((n, text.to_owned()));
                }
            }
            (_, "box") if self.shape.is_some() => {
                if let (Some(t), Some(b)) = (self.track.as_mut(), self.shape.take()) {
                    t.boxes.push(b);
                }
                if self.image.is_some() {
                    self.tracks.extend(self.track.take());
                }
            }
            (_, "track") => self.tracks.extend(self.track.take()),
            (_, "image") => self.image = None,
            (_, "attribute") if self.spec.is_some() => {
                if let (Some(l), Some(s)) = (self.label.as_mut(), self.spec.take()) {
                    l.attributes.push(s);
                }
            }
            ("attribute", field) if self.spec.is_some() => {
                let Some(s) = self.spec.as_mut() else { return Ok(()) };
                match field {
                    "name" => s.name = text.to_owned(),
                    "mutable" => s.mutable = text.eq_ignore_ascii_case("true"),
                    "input_type" => {
                        s.input = match text {
                            "select" => AttributeInput::Select,
                            "radio" => AttributeInput::Radio,
                            "checkbox" => AttributeInput::Checkbox,
                            "number" => AttributeInput::Number,
                            _ => AttributeInput::Text,
                        };
                    }
                    "default_value" => s.default = text.to_owned(),
                    "values" => s.values = text.lines().map(str::to_owned).collect(),
                    _ => {}
                }
            }
            ("label", field) if self.label.is_some() => {
                let Some(l) = self.label.as_mut() else { return Ok(()) };
                match field {
                    "name" => l.name = text.to_owned(),
                    "color" => l.color = hex_color(text),
                    "type" if !matches!(text, "rectangle" | "any" | "") => {
                        report.skip(
                            "label types",
                            &format!("{text} labels are kept as box categories"),
                            r.path(),
                        );
                    }
                    _ => {}
                }
            }
            (_, "label") if self.label.is_some() => {
                if let Some(l) = self.label.take()
                    && !self.labels.iter().any(|x| x.name == l.name)
                {
                    self.labels.push(l);
                }
            }
            ("meta", "source") => {
                if let Some(t) = self.tasks.last_mut() {
                    t.source = Some(text.to_owned());
                }
            }
            ("task" | "original_size", field) => {
                let Some(t) = self.tasks.last_mut() else { return Ok(()) };
                let n = || {
                    text.parse::<u64>()
                        .map_err(|_| r.error(format!("<{field}> {text:?} is not a whole number")))
                };
                match (parent, field) {
                    ("task", "id") => t.id = text.to_owned(),
                    ("task", "name") => t.name = text.to_owned(),
                    ("task", "size") => t.size = Some(n()?),
                    ("task", "start_frame") => t.start = n()?,
                    ("task", "stop_frame") => t.stop = Some(n()?),
                    ("task", "frame_filter") => {
                        let step = text.strip_prefix("step=").map_or(Ok(1), |s| {
                            s.trim()
                                .parse::<u64>()
                                .map_err(|_| r.error(format!("frame_filter {text:?} is not step=N")))
                        })?;
                        t.step = step.max(1);
                    }
                    ("original_size", "width") => t.width = Some(n()? as u32),
                    ("original_size", "height") => t.height = Some(n()? as u32),
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A `<box>`'s own attributes, found in one pass (a million boxes read each once).
#[derive(Default)]
struct BoxAttrs<'s> {
    frame: Option<&'s str>,
    corners: [Option<&'s str>; 4],
    outside: Option<&'s str>,
    occluded: Option<&'s str>,
    keyframe: Option<&'s str>,
    z_order: Option<&'s str>,
    rotation: Option<&'s str>,
}

impl<'s> BoxAttrs<'s> {
    fn of(attrs: &'s Attrs<'_>) -> Self {
        let mut b = Self::default();
        for (key, value) in attrs {
            let slot = match *key {
                "frame" => &mut b.frame,
                "xtl" => &mut b.corners[0],
                "ytl" => &mut b.corners[1],
                "xbr" => &mut b.corners[2],
                "ybr" => &mut b.corners[3],
                "outside" => &mut b.outside,
                "occluded" => &mut b.occluded,
                "keyframe" => &mut b.keyframe,
                "z_order" => &mut b.z_order,
                "rotation" => &mut b.rotation,
                _ => continue,
            };
            slot.get_or_insert(value.as_ref());
        }
        b
    }
}

fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn number<T: std::str::FromStr>(r: &Reader<'_>, value: Option<&str>, key: &str) -> Result<T, FormatError> {
    let value = value.ok_or_else(|| r.error(format!("attribute {key} is missing")))?;
    value.trim().parse().map_err(|_| r.error(format!("{key}={value:?} is not a number")))
}

fn hex_color(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    let v = u32::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 6)?;
    Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

/// The dataset of one file: its tasks as videos, labels as categories, tracks.
fn build(
    input: &Input,
    tasks: Vec<Task>,
    labels: Vec<Label>,
    tracks: Vec<CvatTrack>,
    data: &mut Dataset,
    ids: &mut TrackIds,
    report: &mut Report,
) -> Result<(), FormatError> {
    let source = provenance(super::Format::Cvat, &input.name);
    let mut videos: Vec<(String, Video, u64, u64, u64)> = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        let base = if t.name.is_empty() { super::file_stem(&input.name).to_owned() } else { t.name.clone() };
        let mut id = base.clone();
        let mut n = 2;
        while data.video(&id).is_some() || videos.iter().any(|(_, v, ..)| v.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let stop =
            t.stop.or(t.size.map(|s| t.start.saturating_add(s.saturating_sub(1).saturating_mul(t.step))));
        let stop = stop.unwrap_or(t.start);
        if stop >= MAX_FRAMES {
            return Err(FormatError::Invalid {
                file: input.name.clone(),
                message: format!(
                    "task {:?} ends on frame {stop}, past any video ({MAX_FRAMES} frames)",
                    t.name
                ),
            });
        }
        let size = t.width.zip(t.height);
        let path = t.source.clone().unwrap_or_else(|| id.clone());
        let video = video_record(&id, &path, size, stop + 1, None, report);
        let key = if t.id.is_empty() { i.to_string() } else { t.id.clone() };
        videos.push((key, video, t.start, stop, t.step));
    }
    for l in &labels {
        let (id, edit) = category_named(data, &l.name, l.color);
        if let Some(crate::edit::Edit::InsertCategory { mut category, .. }) = edit {
            category.attributes.clone_from(&l.attributes);
            data.categories.push(category);
        } else if let Some(c) = data.categories.iter_mut().find(|c| c.id == id)
            && c.attributes.is_empty()
        {
            c.attributes.clone_from(&l.attributes);
        }
    }
    for t in tracks {
        let video = match &t.task {
            Some(task) => videos.iter().find(|(key, ..)| key == task),
            None => videos.first(),
        };
        let Some((_, video, start, stop, step)) = video else {
            report.skip("tracks", "their task_id is none of the file's tasks", t.at.clone());
            continue;
        };
        let (category, edit) = category_named(data, &t.label, None);
        if let Some(crate::edit::Edit::InsertCategory { category, .. }) = edit {
            data.categories.push(category);
        }
        let boxes = checked_boxes(t.boxes, &t.at, *start, *stop, *step, report);
        if boxes.is_empty() {
            report.skip("tracks", "no box of theirs could be kept", t.at.clone());
            continue;
        }
        let attributes = attribute_values(&boxes);
        let z_order = boxes[0].z_order;
        if boxes.iter().any(|b| b.z_order != z_order) {
            report.skip("z_order changes", "a track keeps its first box's z_order", t.at.clone());
        }
        let mut keyframes = keyframes_of(&boxes);
        // A shape of one image is on that frame only.
        if t.id.is_empty()
            && let Some(last) = keyframes.last().cloned()
            && !last.outside
            && last.frame < *stop
        {
            keyframes.push(Keyframe { frame: last.frame + 1, outside: true, ..last });
        }
        let id = if t.id.is_empty() { ids.fresh() } else { ids.numbered(&video.id, &t.id) };
        data.tracks.push(Track {
            id,
            video: video.id.clone(),
            category,
            keyframes: keyframes.into(),
            interpolation: Interpolation::Linear,
            attributes,
            z_order,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    data.videos.extend(videos.into_iter().map(|(_, v, ..)| v));
    Ok(())
}

/// The boxes in frame order that can be kept: on the task's frames, not inverted,
/// one per frame.
fn checked_boxes(
    mut boxes: Vec<CvatBox>,
    track: &str,
    start: u64,
    stop: u64,
    step: u64,
    report: &mut Report,
) -> Vec<CvatBox> {
    let at = |b: &CvatBox| format!("{track}/box[{}]", b.index);
    boxes.sort_by_key(|b| b.frame);
    let mut out: Vec<CvatBox> = Vec::with_capacity(boxes.len());
    for b in boxes {
        let [x1, y1, x2, y2] = b.bbox.0;
        if b.frame < start || b.frame > stop || !(b.frame - start).is_multiple_of(step) {
            report.skip(
                "boxes",
                &format!("their frame is not one of the task's ({start} to {stop}, step {step})"),
                at(&b),
            );
        } else if !b.bbox.0.iter().all(|v| v.is_finite()) || x2 < x1 || y2 < y1 {
            report.skip("boxes", "inverted or not finite", at(&b));
        } else if out.last().is_some_and(|p| p.frame == b.frame) {
            report.skip("boxes", "a second box of the track on the same frame", at(&b));
        } else {
            out.push(b);
        }
    }
    out
}

/// Keyframes: CVAT's own, where the track goes outside, and every dumped box that
/// Vidence's interpolation would not give back.
fn keyframes_of(boxes: &[CvatBox]) -> Vec<Keyframe> {
    let mut keep: Vec<bool> =
        boxes.iter().enumerate().map(|(i, b)| i == 0 || b.keyframe || b.outside).collect();
    loop {
        let track: Vec<Keyframe> = kept(boxes, &keep);
        let probe = Track {
            id: String::new(),
            video: String::new(),
            category: String::new(),
            keyframes: track.into(),
            interpolation: Interpolation::Linear,
            attributes: Vec::new(),
            z_order: 0,
            source: crate::dataset::Provenance::Human,
            review: Review::Unreviewed,
        };
        let mut changed = false;
        for (i, b) in boxes.iter().enumerate() {
            if keep[i] {
                continue;
            }
            let same = probe.box_at(b.frame).is_some_and(|got| {
                got.occluded == b.occluded
                    && got.bbox.0.iter().zip(b.bbox.0).all(|(a, c)| (a - c).abs() <= SAME_BOX)
            });
            if !same {
                keep[i] = true;
                changed = true;
            }
        }
        if !changed {
            return probe.keyframes.to_vec();
        }
    }
}

fn kept(boxes: &[CvatBox], keep: &[bool]) -> Vec<Keyframe> {
    boxes
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(b, _)| Keyframe { frame: b.frame, bbox: b.bbox, outside: b.outside, occluded: b.occluded })
        .collect()
}

/// A track's attribute values: one that never changes for the whole track, any other
/// from each frame where it changes (an immutable one that changes stays exact).
fn attribute_values(boxes: &[CvatBox]) -> Vec<AttributeValue> {
    let mut names: Vec<&str> = Vec::new();
    for b in boxes {
        for (n, _) in &b.attributes {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let mut whole = Vec::new();
    let mut changes = Vec::new();
    for name in names {
        let values: Vec<(u64, &str)> = boxes
            .iter()
            .filter_map(|b| b.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| (b.frame, v.as_str())))
            .collect();
        let constant = values.iter().all(|(_, v)| *v == values[0].1);
        if constant {
            whole.push(AttributeValue { name: name.to_owned(), value: values[0].1.to_owned(), frame: None });
            continue;
        }
        let mut last: Option<&str> = None;
        for (frame, v) in values {
            if last != Some(v) {
                changes.push(AttributeValue {
                    name: name.to_owned(),
                    value: v.to_owned(),
                    frame: Some(frame),
                });
                last = Some(v);
            }
        }
    }
    changes.sort_by_key(|a| a.frame);
    whole.extend(changes);
    whole
}

pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    super::report_beyond_tracks(data, "CVAT", report);
    data.videos
        .iter()
        .enumerate()
        .map(|(i, video)| {
            let name = if data.videos.len() == 1 {
                "annotations.xml".to_owned()
            } else {
                format!("{}.xml", video.id)
            };
            Input { name, bytes: write_task(data, video, i, report).into_bytes() }
        })
        .collect()
}

fn write_task(data: &Dataset, video: &Video, index: usize, report: &mut Report) -> String {
    let tracks: Vec<&Track> = data.tracks_of(&video.id).collect();
    let mut used: Vec<&str> = tracks.iter().map(|t| t.category.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    let mut out = String::with_capacity(256 + tracks.iter().map(|t| t.keyframes.len() * 160).sum::<usize>());
    let last = video.frame_count.saturating_sub(1);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n    <task>\n      \
         <id>{}</id>\n      <name>{}</name>\n      <size>{}</size>\n      <mode>interpolation</mode>\n      \
         <overlap>0</overlap>\n      <start_frame>0</start_frame>\n      <stop_frame>{last}</stop_frame>\n      \
         <frame_filter></frame_filter>\n      <labels>\n",
        index + 1,
        escape(&video.id),
        video.frame_count
    );
    for c in data.categories.iter().filter(|c| used.contains(&c.id.as_str()) || !c.attributes.is_empty()) {
        write_label(&mut out, c);
    }
    let source = video.path.rsplit(['/', '\\']).next().unwrap_or(&video.path);
    let _ = write!(
        out,
        "      </labels>\n      <original_size>\n        <width>{}</width>\n        <height>{}</height>\n      \
         </original_size>\n    </task>\n    <source>{}</source>\n  </meta>\n",
        video.width,
        video.height,
        escape(source)
    );
    let mut numbers = TrackNumbers::new(tracks.iter().copied(), 0);
    for t in tracks {
        let label = data.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
        let _ = writeln!(
            out,
            "  <track id=\"{}\" label=\"{}\" source=\"manual\">",
            numbers.of(&t.id),
            escape(label)
        );
        write_boxes(&mut out, t, last);
        out.push_str("  </track>\n");
        if t.interpolation != Interpolation::Linear {
            report.skip(
                "interpolation",
                "CVAT interpolates linearly: the track's box on every frame is written",
                format!("track {}", t.id),
            );
        }
    }
    out.push_str("</annotations>\n");
    out
}

fn write_label(out: &mut String, c: &Category) {
    let _ = write!(out, "        <label>\n          <name>{}</name>\n", escape(&c.name));
    if let Some([r, g, b]) = c.color {
        let _ = writeln!(out, "          <color>#{r:02x}{g:02x}{b:02x}</color>");
    }
    out.push_str("          <type>rectangle</type>\n          <attributes>\n");
    for a in &c.attributes {
        let input = match a.input {
            AttributeInput::Select => "select",
            AttributeInput::Radio => "radio",
            AttributeInput::Checkbox => "checkbox",
            AttributeInput::Number => "number",
            AttributeInput::Text => "text",
        };
        let _ = write!(
            out,
            "            <attribute>\n              <name>{}</name>\n              <mutable>{}</mutable>\n              \
             <input_type>{input}</input_type>\n              <default_value>{}</default_value>\n              \
             <values>{}</values>\n            </attribute>\n",
            escape(&a.name),
            if a.mutable { "True" } else { "False" },
            escape(&a.default),
            escape(&a.values.join("\n"))
        );
    }
    out.push_str("          </attributes>\n        </label>\n");
}

/// Every frame's box from the first keyframe on, as CVAT dumps a track: keyframes
/// flagged, an outside box where it leaves, nothing while it is outside.
fn write_boxes(out: &mut String, t: &Track, last: u64) {
    let (Some(first), Some(end)) = (t.keyframes.first(), t.keyframes.last()) else { return };
    let end = if end.outside { end.frame } else { last.max(end.frame) };
    let mut k = 0;
    let mut frame = first.frame;
    while frame <= end {
        while k + 1 < t.keyframes.len() && t.keyframes[k + 1].frame <= frame {
            k += 1;
        }
        let key = &t.keyframes[k];
        if key.frame == frame && key.outside {
            write_box(out, t, frame, &key.bbox, true, key.occluded, true);
        } else if let Some(b) = t.box_at(frame) {
            write_box(out, t, frame, &b.bbox, false, b.occluded, b.keyframe);
        } else if let Some(next) = t.keyframes.get(k + 1) {
            // Outside until the next keyframe.
            frame = next.frame;
            continue;
        }
        frame += 1;
    }
}

fn write_box(
    out: &mut String,
    t: &Track,
    frame: u64,
    b: &BBox,
    outside: bool,
    occluded: bool,
    keyframe: bool,
) {
    let [x1, y1, x2, y2] = b.0;
    let _ = write!(
        out,
        "    <box frame=\"{frame}\" keyframe=\"{}\" outside=\"{}\" occluded=\"{}\" xtl=\"{}\" ytl=\"{}\" xbr=\"{}\" \
         ybr=\"{}\" z_order=\"{}\"",
        u8::from(keyframe),
        u8::from(outside),
        u8::from(occluded),
        Num(x1),
        Num(y1),
        Num(x2),
        Num(y2),
        t.z_order
    );
    if t.attributes.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    for a in t.attributes_at(frame) {
        let _ =
            writeln!(out, "      <attribute name=\"{}\">{}</attribute>", escape(&a.name), escape(&a.value));
    }
    out.push_str("    </box>\n");
}
