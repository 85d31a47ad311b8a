//! COCO JSON for a video's frames: an image per frame, named `VIDEO/FRAME.jpg` (or
//! carrying `video_id` and `frame_id`, as COCO-style video sets do), boxes
//! `[x, y, w, h]`. An annotation with a `track_id` (or `instance_id`) joins that
//! track; one without is a one-frame track. Segmentations and keypoints are reported,
//! not kept.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{
    FormatError, FormatInfo, Input, Report, TrackIds, TrackNumbers, category_for, json, provenance,
    report_attributes, seen_keyframes, video_record,
};
use crate::dataset::{
    AttributeInput, AttributeSpec, AttributeValue, Dataset, Interpolation, Keyframe, Review, Track,
};
use crate::geometry::BBox;

pub const INFO: FormatInfo = FormatInfo {
    name: "coco",
    title: "COCO object detection JSON, an image per frame",
    imports: true,
    exports: true,
    holds: "videos (frames named VIDEO/FRAME.jpg, with video_id and frame_id), categories, boxes on the frames \
            that have them, joined into tracks by iscrowd",
    cannot: "segments, questions, model runs, attributes other than iscrowd; boxes on frames without a label are \
             not written (a track's interpolated boxes are written on every frame it is seen)",
};

#[derive(Deserialize, Serialize)]
struct File {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    info: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    licenses: Option<serde_json::Value>,
    images: Vec<Image>,
    #[serde(default)]
    annotations: Vec<Annotation>,
    #[serde(default)]
    categories: Vec<CocoCategory>,
}

#[derive(Deserialize, Serialize)]
struct Image {
    id: u64,
    file_name: String,
    #[serde(default)]
    width: u32,
    #[serde(default)]
    height: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    video_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "frame_index")]
    frame_id: Option<u64>,
}

#[derive(Deserialize, Serialize)]
struct Annotation {
    #[serde(default)]
    id: Option<u64>,
    image_id: u64,
    category_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bbox: Option<Vec<f32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    area: Option<f64>,
    #[serde(default)]
    iscrowd: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    segmentation: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keypoints: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "instance_id")]
    track_id: Option<u64>,
    /// A detection's confidence (results files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
}

#[derive(Deserialize, Serialize)]
struct CocoCategory {
    id: u64,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supercategory: Option<String>,
}

pub fn looks_like(input: &Input) -> bool {
    json::object_with(input, &["images", "annotations"]) && !json::object_with(input, &["file_names"])
}

/// A detector's box in a results file (pycocotools' `loadRes` shape).
#[derive(Deserialize)]
struct Detection {
    image_id: u64,
    category_id: u64,
    bbox: Vec<f32>,
    #[serde(default)]
    score: Option<f32>,
}

/// Reads instances files; a results file (a list of detections) among them is read
/// against the images and categories of the instances file given with it, whose own
/// boxes are then left out (they are the ground truth the results answer).
pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let is_results =
        |i: &Input| String::from_utf8_lossy(&i.bytes[..i.bytes.len().min(64)]).trim_start().starts_with('[');
    let (results, instances): (Vec<&Input>, Vec<&Input>) = inputs.iter().partition(|i| is_results(i));
    let mut data = Dataset::default();
    let mut ids = TrackIds::default();
    if results.is_empty() {
        for input in instances {
            let file: File = json::read(input)?;
            read_one(input, &file, &mut data, &mut ids, report);
        }
        return Ok(data);
    }
    let [instances] = instances.as_slice() else {
        return Err(FormatError::Invalid {
            file: results[0].name.clone(),
            message: "a COCO results file names images by id: give the one instances file (its images and \
                      categories) with it"
                .into(),
        });
    };
    let mut file: File = json::read(instances)?;
    for (i, _) in file.annotations.iter().enumerate() {
        report.skip(
            "ground-truth boxes",
            "read with a results file, the instances file gives images and categories only",
            format!("{}: $.annotations[{i}]", instances.name),
        );
    }
    file.annotations.clear();
    for input in &results {
        let detections: Vec<Detection> = json::read(input)?;
        for d in detections {
            file.annotations.push(Annotation {
                id: Some(file.annotations.len() as u64 + 1),
                image_id: d.image_id,
                category_id: d.category_id,
                bbox: Some(d.bbox),
                area: None,
                iscrowd: 0,
                segmentation: None,
                keypoints: None,
                track_id: None,
                score: d.score,
            });
        }
    }
    read_one(results[0], &file, &mut data, &mut ids, report);
    Ok(data)
}

/// An image's video and frame: its `video_id` and `frame_id`, else the folder of its
/// file and the number its name ends in, else the whole file as one video in the
/// images' order.
fn frames_of(file: &File, stem: &str, report: &mut Report) -> Vec<(String, u64)> {
    let named = |name: &str| {
        let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
        let digits: String = super::file_stem(file).chars().rev().take_while(char::is_ascii_digit).collect();
        let frame = digits.chars().rev().collect::<String>().parse::<u64>().ok()?;
        Some((folder.to_owned(), frame))
    };
    let all_named: Option<Vec<(String, u64)>> = file.images.iter().map(|i| named(&i.file_name)).collect();
    let all_named = all_named.filter(|frames| frames.iter().all(|(_, f)| *f < super::MAX_FRAMES));
    let by_ids =
        file.images.iter().all(|i| i.video_id.is_some() && i.frame_id.is_some_and(|f| f < super::MAX_FRAMES));
    if by_ids {
        return file
            .images
            .iter()
            .map(|i| {
                let folder = named(&i.file_name).map(|(f, _)| f).filter(|f| !f.is_empty());
                (
                    folder.unwrap_or_else(|| format!("video-{}", i.video_id.unwrap_or(0))),
                    i.frame_id.unwrap_or(0),
                )
            })
            .collect();
    }
    match all_named {
        Some(frames) => {
            frames.into_iter().map(|(f, n)| (if f.is_empty() { stem.to_owned() } else { f }, n)).collect()
        }
        None => {
            report.assumed.push(format!(
                "video {stem:?}: the image names carry no frame number: the images are its frames in order"
            ));
            (0..file.images.len() as u64).map(|n| (stem.to_owned(), n)).collect()
        }
    }
}

/// A track's boxes as they are read, with its crowd flag and each frame's score.
struct Seen {
    category: String,
    keyframes: Vec<Keyframe>,
    iscrowd: u8,
    scores: Vec<(u64, f32)>,
}

fn read_one(input: &Input, file: &File, data: &mut Dataset, ids: &mut TrackIds, report: &mut Report) {
    let source = provenance(super::Format::Coco, &input.name);
    let frames = frames_of(file, super::file_stem(&input.name), report);
    // A video's size and length from its images.
    let mut videos: BTreeMap<String, (u32, u32, u64)> = BTreeMap::new();
    for (image, (video, frame)) in file.images.iter().zip(&frames) {
        let entry = videos.entry(video.clone()).or_insert((image.width, image.height, 0));
        entry.2 = entry.2.max(frame + 1);
    }
    for (video, (w, h, count)) in &videos {
        if data.video(video).is_none() {
            let size = (*w > 0 && *h > 0).then_some((*w, *h));
            data.videos.push(video_record(video, video, size, *count, None, report));
        }
    }
    let images: HashMap<u64, usize> =
        file.images.iter().enumerate().map(|(i, image)| (image.id, i)).collect();
    let categories: Vec<(u64, String)> =
        file.categories.iter().map(|c| (c.id, category_for(data, &c.name))).collect();
    // Boxes by (video, track or one-frame annotation), in the file's order: a
    // results file's order breaks pycocotools' ties between equal scores.
    let mut tracks: Vec<((String, String), Seen)> = Vec::new();
    let mut track_at: HashMap<(String, String), usize> = HashMap::new();
    for (i, a) in file.annotations.iter().enumerate() {
        let at = format!("$.annotations[{i}]");
        let Some(&image) = images.get(&a.image_id) else {
            report.skip("annotations", "their image_id is none of the file's images", at);
            continue;
        };
        let Some((_, category)) = categories.iter().find(|(id, _)| *id == a.category_id) else {
            report.skip("annotations", "their category_id is none of the file's categories", at);
            continue;
        };
        if a.segmentation.as_ref().is_some_and(|s| s.as_array().is_none_or(|l| !l.is_empty())) {
            report.skip("segmentations", "Vidence keeps boxes, not masks or polygons", at.clone());
        }
        if a.keypoints.is_some() {
            report.skip("keypoints", "Vidence keeps boxes, not keypoints", at.clone());
        }
        let Some(&[x, y, w, h]) = a.bbox.as_deref() else {
            report.skip("annotations", "they have no box [x, y, w, h]", at);
            continue;
        };
        if ![x, y, w, h, x + w, y + h].iter().all(|v| v.is_finite()) || w < 0.0 || h < 0.0 {
            report.skip("boxes", "negative size or not finite", at);
            continue;
        }
        let (video, frame) = &frames[image];
        let key = a.track_id.map_or_else(|| format!("a{}", a.id.unwrap_or(i as u64)), |t| t.to_string());
        let k = (video.clone(), key);
        let at_index = *track_at.entry(k.clone()).or_insert_with(|| {
            tracks.push((
                k,
                Seen {
                    category: category.clone(),
                    keyframes: Vec::new(),
                    iscrowd: a.iscrowd,
                    scores: Vec::new(),
                },
            ));
            tracks.len() - 1
        });
        let entry = &mut tracks[at_index].1;
        if entry.keyframes.iter().any(|k| k.frame == *frame) {
            report.skip("boxes", "a second box of the track on the same frame", at);
            continue;
        }
        entry.scores.extend(a.score.map(|s| (*frame, s)));
        entry.keyframes.push(Keyframe {
            frame: *frame,
            bbox: BBox::new(x, y, x + w, y + h),
            outside: false,
            occluded: false,
        });
    }
    for ((video, key), Seen { category, keyframes: seen, iscrowd, scores }) in tracks {
        let count = data.video(&video).map_or(0, |v| v.frame_count);
        let mut attributes: Vec<AttributeValue> = scores
            .into_iter()
            .map(|(frame, s)| AttributeValue {
                name: "score".into(),
                value: s.to_string(),
                frame: Some(frame),
            })
            .collect();
        if iscrowd != 0 {
            attributes.push(AttributeValue {
                name: "iscrowd".into(),
                value: iscrowd.to_string(),
                frame: None,
            });
            if let Some(c) = data.categories.iter_mut().find(|c| c.id == category)
                && !c.attributes.iter().any(|a| a.name == "iscrowd")
            {
                c.attributes.push(AttributeSpec {
                    name: "iscrowd".into(),
                    input: AttributeInput::Checkbox,
                    mutable: false,
                    values: Vec::new(),
                    default: "0".into(),
                });
            }
        }
        let n = key.trim_start_matches('a');
        data.tracks.push(Track {
            id: ids.numbered(&video, n),
            video,
            category,
            keyframes: seen_keyframes(seen, count).into(),
            interpolation: Interpolation::Linear,
            attributes,
            z_order: 0,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
}

pub fn write(data: &Dataset, report: &mut Report) -> Vec<Input> {
    super::report_beyond_tracks(data, "COCO", report);
    let mut file = File {
        info: None,
        licenses: None,
        images: Vec::new(),
        annotations: Vec::new(),
        categories: Vec::new(),
    };
    for (i, c) in data.categories.iter().enumerate() {
        file.categories.push(CocoCategory { id: i as u64 + 1, name: c.name.clone(), supercategory: None });
    }
    for (vi, video) in data.videos.iter().enumerate() {
        let tracks: Vec<&Track> = data.tracks_of(&video.id).collect();
        let mut numbers = TrackNumbers::new(tracks.iter().copied(), 1);
        // The frames any track is seen on, each an image.
        let mut boxes: BTreeMap<u64, Vec<(u64, &Track, BBox)>> = BTreeMap::new();
        for t in tracks {
            let n = numbers.of(&t.id);
            let (Some(first), Some(last)) = (t.keyframes.first(), t.keyframes.last()) else { continue };
            let end =
                if last.outside { last.frame } else { video.frame_count.saturating_sub(1).max(last.frame) };
            for f in first.frame..=end {
                if let Some(b) = t.box_at(f) {
                    boxes.entry(f).or_default().push((n, t, b.bbox));
                }
            }
            if t.keyframes.iter().any(|k| k.occluded && !k.outside) {
                report.skip("occluded flags", "COCO has none", format!("track {}", t.id));
            }
            report_attributes(t, &["iscrowd"], "COCO holds iscrowd only", report);
        }
        for (frame, on) in boxes {
            let image_id = file.images.len() as u64 + 1;
            file.images.push(Image {
                id: image_id,
                file_name: format!("{}/{frame:06}.jpg", video.id),
                width: video.width,
                height: video.height,
                video_id: Some(vi as u64 + 1),
                frame_id: Some(frame),
            });
            for (n, t, b) in on {
                let [x1, y1, x2, y2] = b.0;
                let category_id =
                    data.categories.iter().position(|c| c.id == t.category).map_or(0, |p| p as u64 + 1);
                let iscrowd = t
                    .attributes
                    .iter()
                    .find(|a| a.name == "iscrowd")
                    .and_then(|a| a.value.parse().ok())
                    .unwrap_or(0);
                file.annotations.push(Annotation {
                    id: Some(file.annotations.len() as u64 + 1),
                    image_id,
                    category_id,
                    bbox: Some(vec![x1, y1, x2 - x1, y2 - y1]),
                    area: Some(f64::from(x2 - x1) * f64::from(y2 - y1)),
                    iscrowd,
                    segmentation: None,
                    keypoints: None,
                    track_id: Some(n),
                    score: None,
                });
            }
        }
    }
    vec![Input { name: "annotations.json".into(), bytes: json::bytes(&file) }]
}
