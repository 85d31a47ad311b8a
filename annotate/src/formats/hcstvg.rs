//! HC-STVG (human-centric spatio-temporal video grounding) JSON: an object from a
//! video's file name to its one sentence (`caption`, or v2's `English`) and the tube
//! of the person it describes: `bbox`, a list of `[x, y, w, h]`, one per frame from
//! `st_frame` (counted from 1), and the span `st_time`-`ed_time` in seconds. A video
//! is `img_num` frames of `width` x `height` (v2's original: `img_size`, `[h, w]`);
//! its clips are 20 s long, so its frame rate is `img_num / 20`, as the benchmark's
//! loaders take it.
//!
//! Each video becomes a where question `hcstvg-N` (N its place in the file's order)
//! answered by `person`, with the span and the person's track `hcstvg-N-person` as
//! evidence.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    FormatError, FormatInfo, Input, Report, category_for, file_stem, json, provenance, seen_keyframes,
};
use crate::dataset::{
    Dataset, Evidence, Interpolation, Keyframe, Question, QuestionKind, Review, Track, Video,
};
use crate::geometry::BBox;

pub const INFO: FormatInfo = FormatInfo {
    name: "hcstvg",
    title: "HC-STVG v1 and v2 sentence annotations",
    imports: true,
    exports: false,
    holds: "videos, each video's sentence as a where question with its span, the person's boxes as a track",
    cannot: "fields other than HC-STVG's (reported on import)",
};

/// How long each HC-STVG clip is, which gives its frame rate.
const CLIP_S: f64 = 20.0;

#[derive(Deserialize)]
struct Item {
    bbox: Vec<Option<[f64; 4]>>,
    #[serde(default)]
    st_time: Option<f64>,
    #[serde(default)]
    ed_time: Option<f64>,
    img_num: u64,
    st_frame: u64,
    #[serde(default)]
    caption: Option<String>,
    #[serde(rename = "English", default)]
    english: Option<String>,
    #[serde(default)]
    width: Option<u32>,
    #[serde(default)]
    height: Option<u32>,
    #[serde(default)]
    img_size: Option<Vec<u32>>,
}

const FIELDS: [&str; 10] = [
    "bbox", "st_time", "ed_time", "img_num", "st_frame", "caption", "English", "width", "height", "img_size",
];

pub fn looks_like(input: &Input) -> bool {
    json::object_with(input, &["st_frame", "img_num", "bbox"])
}

pub fn read(inputs: &[Input], report: &mut Report) -> Result<Dataset, FormatError> {
    let mut data = Dataset::default();
    let mut n = 0;
    for input in inputs {
        let items: BTreeMap<String, Item> = json::read(input)?;
        let keys: BTreeMap<String, BTreeMap<String, IgnoredAny>> = json::read(input)?;
        for ((name, item), fields) in items.iter().zip(keys.values()) {
            n += 1;
            let at = format!("$.{name}");
            for key in fields.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
                report.skip("fields", "not part of HC-STVG's annotations", format!("{at}.{key}"));
            }
            read_item(input, &at, name, item, &format!("hcstvg-{n}"), &mut data, report)?;
        }
    }
    Ok(data)
}

fn read_item(
    input: &Input,
    at: &str,
    name: &str,
    item: &Item,
    id: &str,
    data: &mut Dataset,
    report: &mut Report,
) -> Result<(), FormatError> {
    let invalid = |message: String| FormatError::Invalid {
        file: input.name.clone(),
        message: format!("{at}: {message}"),
    };
    let vid = file_stem(name).to_owned();
    if data.video(&vid).is_some() {
        return Err(invalid(format!("video {vid:?} is in the files twice")));
    }
    if item.img_num == 0 || item.img_num >= super::MAX_FRAMES {
        return Err(invalid(format!("img_num {} is not a number of frames", item.img_num)));
    }
    let size = match (item.width, item.height, item.img_size.as_deref()) {
        (Some(w), Some(h), _) => (w, h),
        (_, _, Some([h, w, ..])) => (*w, *h),
        _ => return Err(invalid("gives neither width and height nor img_size".into())),
    };
    let fps = item.img_num as f64 / CLIP_S;
    report.assumed.push(format!(
        "video {vid:?}: {fps} frames a second, its {} frames over HC-STVG's 20 s; give the video with --video",
        item.img_num
    ));
    data.videos.push(Video {
        id: vid.clone(),
        path: name.to_owned(),
        width: size.0,
        height: size.1,
        fps,
        frame_count: item.img_num,
        duration_s: item.img_num as f64 / fps,
        tags: Default::default(),
    });
    let source = provenance(super::Format::Hcstvg, &input.name);
    let mut evidence = Vec::new();
    let span = match (item.st_time, item.ed_time) {
        (Some(start_s), Some(end_s))
            if start_s.is_finite() && end_s.is_finite() && 0.0 <= start_s && start_s <= end_s =>
        {
            Some((start_s, end_s))
        }
        (None, None) => None,
        _ => {
            report.skip("spans", "st_time and ed_time are not a span in seconds", format!("{at}.st_time"));
            None
        }
    };
    let first = item.st_frame.checked_sub(1);
    if first.is_none() {
        report.skip("tubes", "st_frame counts from 1", format!("{at}.st_frame"));
    }
    let mut seen = Vec::new();
    for (i, b) in item.bbox.iter().enumerate().filter(|_| first.is_some()) {
        let frame = first.unwrap_or_default() + i as u64;
        let place = || format!("{at}.bbox[{i}]");
        if frame >= item.img_num {
            report.skip("boxes", "on a frame past the video's last", place());
            continue;
        }
        let Some([x, y, w, h]) = *b else {
            report.skip("boxes", "null, not [x, y, w, h]", place());
            continue;
        };
        let bbox = BBox::new(x as f32, y as f32, (x + w) as f32, (y + h) as f32);
        if !bbox.0.iter().all(|v| v.is_finite()) || w < 0.0 || h < 0.0 {
            report.skip("boxes", "negative size or past any frame's size", place());
            continue;
        }
        seen.push(Keyframe { frame, bbox, outside: false, occluded: false });
    }
    if let Some((start_s, end_s)) = span {
        evidence.push(Evidence::Span { start_s, end_s });
    }
    if !seen.is_empty() {
        let track = format!("{id}-person");
        let category = category_for(data, "person");
        data.tracks.push(Track {
            id: track.clone(),
            video: vid.clone(),
            category,
            keyframes: seen_keyframes(seen, item.img_num).into(),
            interpolation: Interpolation::Linear,
            attributes: Vec::new(),
            z_order: 0,
            source: source.clone(),
            review: Review::Unreviewed,
        });
        evidence.push(Evidence::Track { id: track });
    }
    let text = item.caption.clone().or_else(|| item.english.clone());
    if text.is_none() {
        report.skip("sentences", "neither caption nor English is given", at);
    }
    data.questions.push(Question {
        id: id.to_owned(),
        video: vid,
        kind: QuestionKind::Where,
        text: text.unwrap_or_default(),
        options: Vec::new(),
        answer: "person".into(),
        evidence,
        rationale: Vec::new(),
        source,
        review: Review::Unreviewed,
    });
    Ok(())
}
