//! The XML of a CVAT file read into its tasks, labels and tracks, element by element.

use super::super::xml::{Attrs, Node, Reader, attr};
use super::super::{FormatError, Input, MAX_FRAMES, Report};
use crate::dataset::{AttributeInput, AttributeSpec};
use crate::geometry::BBox;

/// What a CVAT file holds that Vidence reads.
pub(super) struct Elements {
    pub(super) tasks: Vec<Task>,
    pub(super) labels: Vec<Label>,
    pub(super) tracks: Vec<CvatTrack>,
}

#[derive(Default)]
pub(super) struct Task {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) size: Option<u64>,
    pub(super) start: u64,
    pub(super) stop: Option<u64>,
    pub(super) step: u64,
    pub(super) width: Option<u32>,
    pub(super) height: Option<u32>,
    pub(super) source: Option<String>,
}

pub(super) struct Label {
    pub(super) name: String,
    pub(super) color: Option<[u8; 3]>,
    pub(super) attributes: Vec<AttributeSpec>,
}

pub(super) struct CvatBox {
    pub(super) frame: u64,
    pub(super) bbox: BBox,
    pub(super) outside: bool,
    pub(super) occluded: bool,
    pub(super) keyframe: bool,
    pub(super) z_order: i32,
    pub(super) attributes: Vec<(String, String)>,
    /// Its index among the boxes of its track or image, for messages.
    pub(super) index: usize,
}

pub(super) struct CvatTrack {
    /// Empty for a shape of one image.
    pub(super) id: String,
    pub(super) label: String,
    pub(super) task: Option<String>,
    pub(super) boxes: Vec<CvatBox>,
    pub(super) at: String,
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

/// A CVAT file's tasks, labels and tracks (an `<image>`'s boxes as tracks of one
/// box), as the XML has them; what it holds that is not kept is reported.
pub(super) fn read(input: &Input, report: &mut Report) -> Result<Elements, FormatError> {
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
    Ok(Elements { tasks: s.tasks, labels: s.labels, tracks: s.tracks })
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
