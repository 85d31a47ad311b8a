//! YouTube-VIS (2019, 2021, 2022) and OVIS JSON: videos as lists of frame files, an
//! annotation per object with a box `[x, y, w, h]` (or null) per listed frame. The
//! listed frames are every few of the video's (YouTube-VIS keeps every fifth): a
//! frame's number is the one in its file name when they all have one, else its place
//! in the list. Segmentations are reported, not kept; OVIS's `occlusion` per frame
//! (`no_occlusion`, `slight_occlusion`, `severe_occlusion`) is kept as an attribute,
//! and any but none marks the box occluded.

use serde::{Deserialize, Serialize};

use super::{
    FormatError, FormatInfo, Input, Report, TrackIds, TrackNumbers, category_for, json, provenance,
    report_attributes, video_record,
};
use crate::dataset::{
    AttributeInput, AttributeSpec, AttributeValue, Dataset, Interpolation, Keyframe, Review, Track,
};
use crate::geometry::BBox;

pub const INFO: FormatInfo = FormatInfo {
    name: "youtube-vis",
    title: "YouTube-VIS 2019/2021/2022 and OVIS JSON",
    imports: true,
    exports: true,
    holds: "videos as listed frames with their size, categories, a track per object with its box on each listed \
            frame, iscrowd, OVIS occlusion",
    cannot: "segmentations (reported on import), segments, questions, model runs, other attributes; \
             frames not listed (every step-th frame is written, the step the tracks' keyframes share)",
};

#[derive(Deserialize, Serialize)]
struct File {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    licenses: Option<serde_json::Value>,
    videos: Vec<VisVideo>,
    #[serde(default)]
    categories: Vec<VisCategory>,
    /// Absent from a test split's file.
    #[serde(default)]
    annotations: Vec<VisAnnotation>,
}

#[derive(Deserialize, Serialize)]
struct VisVideo {
    id: u64,
    width: u32,
    height: u32,
    #[serde(default)]
    length: Option<u64>,
    file_names: Vec<String>,
}

#[derive(Deserialize, Serialize)]
struct VisCategory {
    id: u64,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supercategory: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct VisAnnotation {
    #[serde(default)]
    id: Option<u64>,
    video_id: u64,
    category_id: u64,
    #[serde(default)]
    iscrowd: u8,
    bboxes: Vec<Option<[f32; 4]>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    segmentations: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    areas: Vec<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    occlusion: Option<Vec<Option<serde_json::Value>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    length: Option<u64>,
}

pub fn looks_like(input: &Input) -> bool {
    json::object_with(input, &["videos", "file_names"])
}

pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut ids = TrackIds::default();
    for input in inputs {
        let file: File = json::read(input)?;
        read_one(input, file, &mut data, &mut ids, report)?;
    }
    Ok(data)
}

/// The video's frame number of each listed file: the number in its name (YouTube-VIS
/// lists every fifth, `00000.jpg`, `00005.jpg`), less one where the numbers start at 1
/// (OVIS's `img_0000001.jpg` is the first frame).
fn frame_numbers(names: &[String]) -> Option<Vec<u64>> {
    let numbers = named_numbers(names)?;
    let first = *numbers.first()?;
    let numbers: Vec<u64> = if first == 1 { numbers.iter().map(|n| n - 1).collect() } else { numbers };
    numbers.last().is_some_and(|&l| l < super::MAX_FRAMES).then_some(numbers)
}

fn named_numbers(names: &[String]) -> Option<Vec<u64>> {
    let numbers: Option<Vec<u64>> = names
        .iter()
        .map(|n| {
            let stem = super::file_stem(n);
            let digits: String = stem.chars().rev().take_while(char::is_ascii_digit).collect();
            digits.chars().rev().collect::<String>().parse().ok()
        })
        .collect();
    numbers.filter(|n| n.windows(2).all(|w| w[0] < w[1]))
}

fn read_one(
    input: &Input,
    file: File,
    data: &mut Dataset,
    ids: &mut TrackIds,
    report: &mut Report,
) -> Result<(), FormatError> {
    let source = provenance(super::Format::YoutubeVis, &input.name);
    let mut videos = Vec::new();
    for (i, v) in file.videos.iter().enumerate() {
        let folder = v.file_names.first().and_then(|n| n.rsplit_once('/')).map_or("", |(d, _)| d);
        let base = if folder.is_empty() { format!("video-{}", v.id) } else { folder.to_owned() };
        let id = if data.video(&base).is_some() { format!("{base}-{}", v.id) } else { base };
        let frames = match frame_numbers(&v.file_names) {
            Some(frames) => {
                if frames.iter().enumerate().any(|(i, &f)| f != i as u64) {
                    let shown: Vec<String> = frames.iter().take(3).map(u64::to_string).collect();
                    report.assumed.push(format!(
                        "video {id:?}: its listed frames are the video's frames {}, ... (from the file names)",
                        shown.join(", ")
                    ));
                }
                frames
            }
            None => {
                report
                    .assumed
                    .push(format!("video {id:?}: its frame files are its frames in the order listed"));
                (0..v.file_names.len() as u64).collect()
            }
        };
        let count = frames.last().map_or(0, |l| l + 1);
        if v.length.is_some_and(|len| len != v.file_names.len() as u64) {
            report.skip(
                "video lengths",
                "length differs from the frames listed; the list is kept",
                format!("$.videos[{i}]"),
            );
        }
        data.videos.push(video_record(
            &id,
            if folder.is_empty() { &id } else { folder },
            Some((v.width, v.height)),
            count,
            None,
            report,
        ));
        videos.push((v.id, id, frames));
    }
    let categories: Vec<(u64, String)> =
        file.categories.iter().map(|c| (c.id, category_for(data, &c.name))).collect();
    for (i, a) in file.annotations.iter().enumerate() {
        let at = format!("$.annotations[{i}]");
        let Some((_, video, frames)) = videos.iter().find(|(id, ..)| *id == a.video_id) else {
            report.skip("annotations", "their video_id is none of the file's videos", at);
            continue;
        };
        let Some((_, category)) = categories.iter().find(|(id, _)| *id == a.category_id) else {
            report.skip("annotations", "their category_id is none of the file's categories", at);
            continue;
        };
        if a.bboxes.len() != frames.len() {
            report.skip("annotations", "they have not one box (or null) per listed frame", at);
            continue;
        }
        let masks = a.segmentations.iter().filter(|s| !s.is_null()).count();
        for _ in 0..masks {
            report.skip("segmentations", "Vidence keeps boxes, not masks", at.clone());
        }
        // OVIS writes a level's name (`slight_occlusion`); a number is read too.
        let levels: Vec<Option<String>> = match &a.occlusion {
            Some(levels) => levels
                .iter()
                .map(|l| match l {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            None => Vec::new(),
        };
        let mut keyframes: Vec<Keyframe> = Vec::new();
        let mut attributes = Vec::new();
        for (j, (b, &frame)) in a.bboxes.iter().zip(frames).enumerate() {
            let level = levels.get(j).cloned().flatten();
            match b {
                Some([x, y, w, h])
                    if [x, y, w, h, &(x + w), &(y + h)].iter().all(|v| v.is_finite())
                        && *w >= 0.0
                        && *h >= 0.0 =>
                {
                    keyframes.push(Keyframe {
                        frame,
                        bbox: BBox::new(*x, *y, x + w, y + h),
                        outside: false,
                        occluded: level.as_deref().is_some_and(|l| !matches!(l, "no_occlusion" | "0")),
                    });
                    if let Some(level) = level {
                        attributes.push(AttributeValue {
                            name: "occlusion".into(),
                            value: level,
                            frame: Some(frame),
                        });
                    }
                }
                Some(_) => report.skip("boxes", "negative size or not finite", format!("{at}.bboxes[{j}]")),
                None => {
                    if let Some(prev) = keyframes.last().filter(|k| !k.outside).cloned() {
                        keyframes.push(Keyframe { frame, outside: true, ..prev });
                    }
                }
            }
        }
        if keyframes.is_empty() {
            report.skip("annotations", "no frame has a box", at);
            continue;
        }
        attributes.dedup_by(|b, a| a.value == b.value);
        if a.iscrowd != 0 {
            attributes.insert(
                0,
                AttributeValue { name: "iscrowd".into(), value: a.iscrowd.to_string(), frame: None },
            );
        }
        if !attributes.is_empty() {
            add_specs(data, category, a);
        }
        let n = a.id.map_or_else(|| (i + 1).to_string(), |id| id.to_string());
        data.tracks.push(Track {
            id: ids.numbered(video, &n),
            video: video.clone(),
            category: category.clone(),
            keyframes: keyframes.into(),
            interpolation: Interpolation::Linear,
            attributes,
            z_order: 0,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    Ok(())
}

fn add_specs(data: &mut Dataset, category: &str, a: &VisAnnotation) {
    let Some(c) = data.categories.iter_mut().find(|c| c.id == category) else { return };
    let mut want = Vec::new();
    if a.iscrowd != 0 {
        want.push(("iscrowd", false));
    }
    if a.occlusion.is_some() {
        want.push(("occlusion", true));
    }
    for (name, mutable) in want {
        if !c.attributes.iter().any(|s| s.name == name) {
            c.attributes.push(AttributeSpec {
                name: name.into(),
                input: AttributeInput::Number,
                mutable,
                values: Vec::new(),
                default: "0".into(),
            });
        }
    }
}

/// The frames to list: every step-th, the step the video's keyframes all share.
fn listed_frames(data: &Dataset, video: &crate::dataset::Video) -> Vec<u64> {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let step =
        data.tracks_of(&video.id).flat_map(|t| t.keyframes.iter().map(|k| k.frame)).fold(0, gcd).max(1);
    (0..video.frame_count).step_by(step as usize).collect()
}

pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    super::report_beyond_tracks(data, "YouTube-VIS", report);
    let mut file = File {
        info: None,
        licenses: None,
        videos: Vec::new(),
        categories: Vec::new(),
        annotations: Vec::new(),
    };
    for (i, c) in data.categories.iter().enumerate() {
        file.categories.push(VisCategory { id: i as u64 + 1, name: c.name.clone(), supercategory: None });
    }
    let mut next_id = 1;
    for (vi, video) in data.videos.iter().enumerate() {
        let frames = listed_frames(data, video);
        let file_names = frames.iter().map(|f| format!("{}/{f:05}.jpg", video.id)).collect();
        file.videos.push(VisVideo {
            id: vi as u64 + 1,
            width: video.width,
            height: video.height,
            length: Some(frames.len() as u64),
            file_names,
        });
        let tracks: Vec<&Track> = data.tracks_of(&video.id).collect();
        let mut numbers = TrackNumbers::new(tracks.iter().copied(), next_id);
        for t in tracks {
            let category_id =
                data.categories.iter().position(|c| c.id == t.category).map_or(0, |p| p as u64 + 1);
            let occlusion_at = |f: u64| {
                let value =
                    t.attributes_at(f).into_iter().find(|a| a.name == "occlusion").map(|a| a.value.clone());
                value.map(|v| v.parse::<i64>().map_or(serde_json::Value::String(v), serde_json::Value::from))
            };
            let boxes: Vec<Option<[f32; 4]>> = frames
                .iter()
                .map(|&f| {
                    t.box_at(f).map(|b| {
                        let [x1, y1, x2, y2] = b.bbox.0;
                        [x1, y1, x2 - x1, y2 - y1]
                    })
                })
                .collect();
            let areas = boxes.iter().map(|b| b.map(|[_, _, w, h]| f64::from(w) * f64::from(h))).collect();
            let has_occlusion = t.attributes.iter().any(|a| a.name == "occlusion");
            let occlusion = has_occlusion
                .then(|| frames.iter().zip(&boxes).map(|(&f, b)| b.and_then(|_| occlusion_at(f))).collect());
            let iscrowd = t
                .attributes
                .iter()
                .find(|a| a.name == "iscrowd")
                .and_then(|a| a.value.parse().ok())
                .unwrap_or(0);
            if !has_occlusion && t.keyframes.iter().any(|k| k.occluded && !k.outside) {
                report.skip(
                    "occluded flags",
                    "YouTube-VIS has none (OVIS's occlusion comes from an attribute)",
                    format!("track {}", t.id),
                );
            }
            report_attributes(
                t,
                &["occlusion", "iscrowd"],
                "YouTube-VIS holds iscrowd and OVIS occlusion only",
                report,
            );
            let id = numbers.of(&t.id);
            next_id = next_id.max(id + 1);
            file.annotations.push(VisAnnotation {
                id: Some(id),
                video_id: vi as u64 + 1,
                category_id,
                iscrowd,
                segmentations: boxes.iter().map(|_| serde_json::Value::Null).collect(),
                bboxes: boxes,
                areas,
                occlusion,
                width: Some(video.width),
                height: Some(video.height),
                length: Some(1),
            });
        }
    }
    vec![Input { name: "annotations.json".into(), bytes: json::bytes(&file) }]
}
