//! What the format tests share: the samples, a dataset made to hold a bit of
//! everything, and a track's boxes on every frame to compare.
#![allow(clippy::unwrap_used, dead_code)] // each test file uses some of these

use annotate::formats::{self, ExportOptions, Format, Imported, Input};
use annotate::{
    AttributeInput, AttributeSpec, AttributeValue, BBox, Category, Dataset, Interpolation, Keyframe,
    Provenance, Question, QuestionKind, Review, Segment, Track, Video,
};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats");

pub fn sample(path: &str) -> Input {
    Input { name: path.to_owned(), bytes: std::fs::read(format!("{FIXTURES}/{path}")).unwrap() }
}

pub fn import(format: Format, paths: &[&str]) -> Imported {
    let inputs: Vec<Input> = paths.iter().map(|p| sample(p)).collect();
    assert_eq!(formats::detect(&inputs).unwrap(), format, "{paths:?} is detected as {}", format.name());
    formats::import(format, &inputs, &[]).unwrap()
}

/// The video of Label Studio's `video_bboxes` example as a file would describe it.
pub fn opossum_video() -> Video {
    Video {
        id: "opossum".into(),
        path: "opossum_snow.mp4".into(),
        width: 1000,
        height: 500,
        fps: 24.0,
        frame_count: 1009,
        duration_s: 1009.0 / 24.0,
        tags: Default::default(),
    }
}

pub fn track<'a>(data: &'a Dataset, id: &str) -> &'a Track {
    data.track(id).unwrap_or_else(|| {
        panic!("no track {id}: {:?}", data.tracks.iter().map(|t| &t.id).collect::<Vec<_>>())
    })
}

pub fn keyframes(t: &Track) -> Vec<(u64, [f32; 4], bool, bool)> {
    t.keyframes.iter().map(|k| (k.frame, k.bbox.0, k.outside, k.occluded)).collect()
}

pub fn category_name<'a>(data: &'a Dataset, t: &Track) -> &'a str {
    &data.category(&t.category).unwrap().name
}

/// A dataset with what every format can hold, and some that some cannot.
pub fn made() -> Dataset {
    let video = Video {
        id: "clip".into(),
        path: "clip.mp4".into(),
        width: 64,
        height: 48,
        fps: 25.0,
        frame_count: 30,
        duration_s: 1.2,
        tags: Default::default(),
    };
    let spec = |name: &str, input, mutable| AttributeSpec {
        name: name.into(),
        input,
        mutable,
        values: Vec::new(),
        default: String::new(),
    };
    let kf = |frame, x: f32, outside, occluded| Keyframe {
        frame,
        bbox: BBox::new(x, 4.0, x + 10.5, 20.25),
        outside,
        occluded,
    };
    let value =
        |name: &str, value: &str, frame| AttributeValue { name: name.into(), value: value.into(), frame };
    let new_track = |id: &str, category: &str, keyframes: Vec<Keyframe>, attributes| Track {
        id: id.into(),
        video: "clip".into(),
        category: category.into(),
        keyframes: keyframes.into(),
        interpolation: Interpolation::Linear,
        attributes,
        z_order: 0,
        source: Provenance::Human,
        review: Review::Accepted,
    };
    Dataset {
        videos: vec![video],
        categories: vec![
            Category {
                id: "car".into(),
                name: "car".into(),
                color: Some([200, 30, 30]),
                attributes: vec![
                    spec("colour", AttributeInput::Text, false),
                    spec("moving", AttributeInput::Checkbox, true),
                ],
            },
            Category { id: "person".into(), name: "pedestrian".into(), color: None, attributes: Vec::new() },
        ],
        tracks: vec![
            new_track(
                "track-1",
                "car",
                vec![
                    kf(0, 1.0, false, false),
                    kf(6, 13.0, false, true),
                    kf(10, 13.0, true, false),
                    kf(15, 30.0, false, false),
                ],
                vec![
                    value("colour", "red", None),
                    value("moving", "true", Some(0)),
                    value("moving", "false", Some(6)),
                ],
            ),
            new_track(
                "track-4",
                "person",
                (3..9)
                    .map(|f| kf(f, f as f32 * 2.0, false, false))
                    .chain([kf(9, 16.0, true, false)])
                    .collect(),
                Vec::new(),
            ),
        ],
        segments: vec![Segment {
            id: "segment-1".into(),
            video: "clip".into(),
            label: "turn".into(),
            start_s: 0.2,
            end_s: 0.6,
            source: Provenance::Human,
            review: Review::Accepted,
        }],
        questions: vec![Question {
            id: "question-1".into(),
            video: "clip".into(),
            kind: QuestionKind::What,
            text: "What turns?".into(),
            options: Vec::new(),
            answer: "the car".into(),
            evidence: Vec::new(),
            rationale: Vec::new(),
            source: Provenance::Human,
            review: Review::Accepted,
        }],
        ..Dataset::default()
    }
}

/// Each track's box (and, where the format holds them, flags and attributes) on
/// every frame, by track id and category name.
pub fn every_frame(d: &Dataset, occluded: bool, attributes: bool) -> Vec<String> {
    let mut out = Vec::new();
    for t in &d.tracks {
        let frames = d.video(&t.video).unwrap().frame_count;
        for f in 0..frames {
            let b = t.box_at(f);
            let b = b.map(|b| (b.bbox.0, occluded && b.occluded));
            let attrs: Vec<String> = if attributes && b.is_some() {
                t.attributes_at(f).iter().map(|a| format!("{}={}", a.name, a.value)).collect()
            } else {
                Vec::new()
            };
            out.push(format!("{} {} {f}: {b:?} {attrs:?}", t.id, category_name(d, t)));
        }
    }
    out.sort();
    out
}

/// Equal lists, or a panic naming the first line that differs.
pub fn same(got: &[String], want: &[String], what: &str) {
    if let Some((g, w)) = got.iter().zip(want).find(|(g, w)| g != w) {
        panic!("{what}: got {g}, want {w}");
    }
    assert_eq!(got.len(), want.len(), "{what}");
}

pub fn round_trip(format: Format, data: &Dataset) -> (Dataset, formats::Report) {
    let exported = formats::export(format, data, &ExportOptions::default()).unwrap();
    let again = formats::import(format, &exported.files, &[]).unwrap();
    (again.dataset, exported.report)
}
