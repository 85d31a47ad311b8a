//! Other tools' files: real samples from the formats' own projects (listed with their
//! sources in `fixtures/formats/SOURCES.md`) read exactly, round trips that give the
//! same data back, what a format cannot hold reported, and bad input told with its
//! place.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use annotate::formats::{self, ExportOptions, Format, FormatError, Imported, Input};
use annotate::{
    AttributeInput, AttributeSpec, AttributeValue, BBox, Category, Dataset, Interpolation, Keyframe,
    Provenance, Question, QuestionKind, Review, Segment, Track, Video,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats");

fn sample(path: &str) -> Input {
    Input { name: path.to_owned(), bytes: std::fs::read(format!("{FIXTURES}/{path}")).unwrap() }
}

fn import(format: Format, paths: &[&str]) -> Imported {
    let inputs: Vec<Input> = paths.iter().map(|p| sample(p)).collect();
    assert_eq!(formats::detect(&inputs).unwrap(), format, "{paths:?} is detected as {}", format.name());
    formats::import(format, &inputs, &[]).unwrap()
}

fn track<'a>(data: &'a Dataset, id: &str) -> &'a Track {
    data.track(id).unwrap_or_else(|| {
        panic!("no track {id}: {:?}", data.tracks.iter().map(|t| &t.id).collect::<Vec<_>>())
    })
}

fn keyframes(t: &Track) -> Vec<(u64, [f32; 4], bool, bool)> {
    t.keyframes.iter().map(|k| (k.frame, k.bbox.0, k.outside, k.occluded)).collect()
}

fn category_name<'a>(data: &'a Dataset, t: &Track) -> &'a str {
    &data.category(&t.category).unwrap().name
}

#[test]
fn cvat_video_keeps_frame_numbers_flags_and_attributes_and_names_what_it_skips() {
    let got = import(Format::Cvat, &["cvat/datumaro_for_video_annotations.xml"]);
    let d = &got.dataset;
    // start_frame 10, step 3: the boxes' frames are the video's own.
    let v = &d.videos[0];
    assert_eq!(
        (v.id.as_str(), v.path.as_str(), v.width, v.height, v.frame_count),
        ("v1", "t.mp4", 25, 20, 20)
    );
    let names: Vec<&str> = d.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["klhg", "z U k", "II"]);
    assert_eq!(
        d.categories[0].attributes,
        [AttributeSpec {
            name: "hgl".into(),
            input: AttributeInput::Select,
            mutable: true,
            values: vec!["jk".into(), "hgkf".into()],
            default: "jk".into(),
        }]
    );
    assert_eq!(d.tracks.len(), 1);
    let t = track(d, "track-0");
    assert_eq!(category_name(d, t), "II");
    assert_eq!(
        keyframes(t),
        [
            (10, [3.0, 4.0, 10.0, 5.0], false, true),
            (13, [7.0, 6.0, 14.0, 8.0], true, false),
            (16, [8.0, 7.0, 14.0, 17.0], true, false)
        ]
    );
    assert_eq!(t.source, Provenance::Import { source: "cvat:datumaro_for_video_annotations.xml".into() });
    assert_eq!(got.report.count("<points> shapes"), 2);
    assert_eq!(got.report.count("<polyline> shapes"), 2);
    assert_eq!(got.report.count("tracks"), 2, "the tracks of points and polylines: {:?}", got.report);
    assert_eq!(
        got.report.skipped[0].at,
        ["annotations/track[1]/points[0]", "annotations/track[1]/points[1]"]
    );
    assert!(got.report.assumed.iter().any(|a| a.contains("frames a second")), "{:?}", got.report.assumed);
}

#[test]
fn cvat_interpolated_boxes_that_linear_interpolation_gives_back_are_not_keyframes() {
    let got = import(Format::Cvat, &["cvat/dagshub_sample_video.xml"]);
    let d = &got.dataset;
    assert_eq!((d.videos[0].id.as_str(), d.videos[0].width, d.videos[0].height), ("test_video", 1920, 1080));
    let person = track(d, "track-0");
    // Frame 1 lies on the line from 0 to 2; 2 is occluded, 4 moves on past the last keyframe.
    assert_eq!(person.keyframes.iter().map(|k| k.frame).collect::<Vec<_>>(), [0, 2, 3, 4]);
    let car = track(d, "track-1");
    assert_eq!(
        car.keyframes.iter().map(|k| (k.frame, k.outside)).collect::<Vec<_>>(),
        [(0, false), (1, false), (2, false), (3, true), (4, false)]
    );
    // Every box the file dumped is the track's box on that frame.
    let text = std::fs::read_to_string(format!("{FIXTURES}/cvat/dagshub_sample_video.xml")).unwrap();
    let number = |b: &str, key: &str| -> f32 {
        let at = b.find(&format!(" {key}=\"")).unwrap() + key.len() + 3;
        b[at..at + b[at..].find('"').unwrap()].parse().unwrap()
    };
    let mut checked = 0;
    for (i, part) in text.split("<track ").skip(1).enumerate() {
        let t = track(d, &format!("track-{i}"));
        for b in part.split("<box").skip(1) {
            let frame = number(b, "frame") as u64;
            let on = t.box_at(frame);
            if number(b, "outside") == 1.0 {
                assert_eq!(on, None);
            } else {
                let on = on.unwrap();
                assert_eq!(
                    on.bbox.0,
                    [number(b, "xtl"), number(b, "ytl"), number(b, "xbr"), number(b, "ybr")]
                );
                assert_eq!(on.occluded, number(b, "occluded") == 1.0, "track {i} frame {frame}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

#[test]
fn cvat_images_boxes_become_one_frame_tracks_with_their_attributes() {
    let got = import(Format::Cvat, &["cvat/datumaro_for_images_train.xml"]);
    let d = &got.dataset;
    assert_eq!(d.tracks.len(), 1);
    let t = &d.tracks[0];
    assert_eq!(category_name(d, t), "label1");
    assert_eq!(t.z_order, 1);
    assert_eq!(keyframes(t)[0], (0, [0.0, 2.0, 4.0, 4.0], false, true));
    assert_eq!(t.box_at(1), None, "a shape of one image is on that frame only");
    let attrs: Vec<(&str, &str)> = t.attributes.iter().map(|a| (a.name.as_str(), a.value.as_str())).collect();
    assert_eq!(attrs, [("a1", "true"), ("a2", "v3"), ("a3", "0003"), ("a4", "2.4")]);
    let specs: Vec<(&str, AttributeInput)> =
        d.categories[0].attributes.iter().map(|a| (a.name.as_str(), a.input)).collect();
    assert_eq!(
        specs,
        [
            ("a1", AttributeInput::Checkbox),
            ("a2", AttributeInput::Radio),
            ("a3", AttributeInput::Text),
            ("a4", AttributeInput::Number)
        ]
    );
    for shape in ["<polyline> shapes", "<polygon> shapes", "<points> shapes"] {
        assert_eq!(got.report.count(shape), 1, "{shape}: {:?}", got.report);
    }
}

/// The MOT file's rows, as (id, frame from 1, box).
fn mot_rows(path: &str) -> Vec<(u64, u64, [f32; 4])> {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<f32> = l.split(',').map(|x| x.trim().parse().unwrap()).collect();
            (c[1] as u64, c[0] as u64, [c[2], c[3], c[2] + c[4], c[3] + c[5]])
        })
        .collect()
}

#[test]
fn mot_ground_truth_puts_each_line_on_its_frame_less_one_and_nowhere_else() {
    for (path, tracks, frames) in
        [("mot/py-motmetrics/TUD-Campus/gt.txt", 8, 71), ("mot/py-motmetrics/TUD-Stadtmitte/gt.txt", 10, 179)]
    {
        let got = import(Format::Mot, &[path]);
        let d = &got.dataset;
        let sequence = path.split('/').nth(2).unwrap();
        assert_eq!(d.videos[0].id, sequence);
        assert_eq!(d.videos[0].frame_count, frames);
        assert_eq!(d.tracks.len(), tracks);
        let rows = mot_rows(path);
        for (id, frame, bbox) in &rows {
            let t = track(d, &format!("track-{id}"));
            assert_eq!(t.box_at(frame - 1).map(|b| b.bbox.0), Some(*bbox), "track {id} frame {frame}");
            assert_eq!(t.attributes_at(frame - 1)[0].value, "1", "confidence 1");
        }
        let seen: usize =
            d.tracks.iter().map(|t| (0..frames).filter(|&f| t.box_at(f).is_some()).count()).sum();
        assert_eq!(seen, rows.len(), "no box on a frame the file has none");
    }
}

#[test]
fn mot_nine_columns_read_seqinfo_and_skip_boxes_without_a_track() {
    let got = import(
        Format::Mot,
        &[
            "mot/datumaro_mot_seq_with_seqinfo/gt/gt.txt",
            "mot/datumaro_mot_seq_with_seqinfo/gt/labels.txt",
            "mot/datumaro_mot_seq_with_seqinfo/seqinfo.ini",
        ],
    );
    let v = &got.dataset.videos[0];
    assert_eq!(
        (v.id.as_str(), v.path.as_str(), v.fps, v.width, v.height, v.frame_count),
        ("datumaro_mot_seq_with_seqinfo", "datumaro_mot_seq_with_seqinfo/img1", 10.0, 16, 16, 1)
    );
    assert!(got.report.assumed.is_empty(), "seqinfo.ini says it all: {:?}", got.report.assumed);
    assert_eq!(got.report.count("boxes"), 1, "the one line's id is -1: {:?}", got.report);
    assert!(got.report.skipped[0].why.contains("without a track"));
}

#[test]
fn mot_results_beside_ground_truth_are_not_labels() {
    let got = formats::import(
        Format::Mot,
        &[sample("mot/py-motmetrics/TUD-Campus/gt.txt"), sample("mot/py-motmetrics/TUD-Campus/test.txt")],
        &[],
    )
    .unwrap();
    assert_eq!(got.dataset.tracks.len(), 8);
    assert_eq!(got.report.count("files"), 1);
}

#[test]
fn coco_boxes_become_tracks_of_their_frames_and_masks_are_reported() {
    let got = import(Format::Coco, &["coco/datumaro_instances_val.json"]);
    let d = &got.dataset;
    assert_eq!((d.videos[0].width, d.videos[0].height, d.videos[0].frame_count), (5, 10, 1));
    let names: Vec<&str> = d.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let boxes: Vec<(&str, [f32; 4])> =
        d.tracks.iter().map(|t| (category_name(d, t), t.keyframes[0].bbox.0)).collect();
    assert_eq!(boxes, [("a", [0.0, 0.0, 1.0, 2.0]), ("b", [0.0, 0.0, 1.0, 9.0])]);
    assert_eq!(
        d.tracks[1].attributes,
        [AttributeValue { name: "iscrowd".into(), value: "1".into(), frame: None }]
    );
    assert_eq!(got.report.count("segmentations"), 2);

    let got = import(Format::Coco, &["coco/labelformat_object_detection_train.json"]);
    assert_eq!(got.dataset.videos[0].frame_count, 2, "two images without frame numbers: frames in order");
    let kept = got.dataset.tracks.len();
    assert_eq!(kept + got.report.count("annotations"), 16, "every annotation kept or told: {:?}", got.report);
}

#[test]
fn youtube_vis_and_ovis_read_every_listed_frame() {
    let got = import(Format::YoutubeVis, &["youtube-vis/labelformat_youtubevis_sample.json"]);
    let d = &got.dataset;
    assert_eq!((d.videos[0].id.as_str(), d.videos[0].width, d.videos[0].height), ("video_1", 640, 480));
    let t = track(d, "track-99");
    assert_eq!(
        keyframes(t),
        [(0, [10.0, 20.0, 40.0, 60.0], false, false), (1, [15.0, 25.0, 50.0, 70.0], false, false)]
    );
    assert_eq!(got.report.count("segmentations"), 2);

    let got = import(Format::YoutubeVis, &["youtube-vis/labelformat_ovis_annotations_train.json"]);
    let d = &got.dataset;
    assert_eq!((d.videos[0].id.as_str(), d.videos[0].frame_count), ("85aa3b0e", 3), "img_0000001 is frame 0");
    assert_eq!(d.tracks.len(), 10);
    let first = track(d, "track-1");
    assert_eq!(first.keyframes[0].bbox.0, [267.0, 73.0, 333.0, 245.0]);
    assert_eq!(first.attributes_at(2)[0].value, "no_occlusion");
    let json: serde_json::Value =
        serde_json::from_slice(&sample("youtube-vis/labelformat_ovis_annotations_train.json").bytes).unwrap();
    for (i, a) in json["annotations"].as_array().unwrap().iter().enumerate() {
        let t = track(d, &format!("track-{}", a["id"]));
        for (f, b) in a["bboxes"].as_array().unwrap().iter().enumerate() {
            let b: Vec<f32> = b.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
            assert_eq!(
                t.box_at(f as u64).unwrap().bbox.0,
                [b[0], b[1], b[0] + b[2], b[1] + b[3]],
                "annotation {i} frame {f}"
            );
            let level = a["occlusion"][f].as_str().unwrap();
            assert_eq!(t.box_at(f as u64).unwrap().occluded, level != "no_occlusion");
        }
    }
}

#[test]
fn label_studio_lifespans_percentages_and_frames_from_one() {
    let inputs = [sample("label-studio/lsf_video_bboxes/annotations_1.json")];
    assert_eq!(formats::detect(&inputs).unwrap(), Format::LabelStudio);
    let e = formats::import(Format::LabelStudio, &inputs, &[]).unwrap_err().to_string();
    assert!(e.contains("percent of the frame") && e.contains("--video"), "{e}");
    let video = Video {
        id: "opossum".into(),
        path: "opossum_snow.mp4".into(),
        width: 1000,
        height: 500,
        fps: 24.0,
        frame_count: 1009,
        duration_s: 1009.0 / 24.0,
    };
    let got = formats::import(Format::LabelStudio, &inputs, std::slice::from_ref(&video)).unwrap();
    let d = &got.dataset;
    assert_eq!(
        (d.videos[0].width, d.videos[0].height, d.videos[0].frame_count, d.videos[0].fps),
        (1000, 500, 1009, 24.0)
    );
    let json: serde_json::Value = serde_json::from_slice(&inputs[0].bytes).unwrap();
    let results = json["annotations"][0]["result"].as_array().unwrap();
    assert_eq!(d.tracks.len(), results.len());
    for (t, r) in d.tracks.iter().zip(results) {
        assert_eq!(category_name(d, t), r["value"]["labels"][0].as_str().unwrap());
        let steps = r["value"]["sequence"].as_array().unwrap();
        for (i, s) in steps.iter().enumerate() {
            let frame = s["frame"].as_u64().unwrap() - 1;
            let (x, y) = (s["x"].as_f64().unwrap(), s["y"].as_f64().unwrap());
            let (w, h) = (s["width"].as_f64().unwrap(), s["height"].as_f64().unwrap());
            let (x1, x2) = (x.min(x + w) * 10.0, x.max(x + w) * 10.0);
            let (y1, y2) = (y.min(y + h) * 5.0, y.max(y + h) * 5.0);
            let on = t.box_at(frame).unwrap_or_else(|| panic!("{} frame {frame}", t.id)).bbox.0;
            assert_eq!(on, [x1 as f32, y1 as f32, x2 as f32, y2 as f32], "{} frame {frame}", t.id);
            // A disabled keyframe is shown on its frame, not after it.
            let next = steps.get(i + 1).map(|n| n["frame"].as_u64().unwrap() - 1);
            if !s["enabled"].as_bool().unwrap() && next != Some(frame + 1) {
                assert_eq!(t.box_at(frame + 1), None, "{} after frame {frame}", t.id);
            }
        }
    }
    // The airplane was drawn upward (a negative height) and comes back at frame 76.
    let airplane = &d.tracks[1];
    assert_eq!(
        airplane.keyframes.iter().map(|k| (k.frame, k.outside)).collect::<Vec<_>>()[..4],
        [(32, false), (56, false), (57, true), (75, false)]
    );
    assert!(got.report.count("rotated boxes") > 0, "the possum's box is turned: {:?}", got.report);

    let got = import(Format::LabelStudio, &["label-studio/dagshub_sample_task.json"]);
    let d = &got.dataset;
    assert_eq!((d.videos[0].id.as_str(), d.videos[0].width, d.videos[0].height), ("test_video", 1920, 1080));
    assert_eq!(d.tracks.len(), 2);
    let first = &d.tracks[0].keyframes[0];
    assert_eq!(first.frame, 0);
    assert_eq!(
        first.bbox.0,
        [
            (5.208333f64 * 19.2) as f32,
            (13.888889f64 * 10.8) as f32,
            ((5.208333f64 + 2.604167) * 19.2) as f32,
            ((13.888889f64 + 11.111111) * 10.8) as f32
        ]
    );
}

/// A dataset with what every format can hold, and some that some cannot.
fn made() -> Dataset {
    let video = Video {
        id: "clip".into(),
        path: "clip.mp4".into(),
        width: 64,
        height: 48,
        fps: 25.0,
        frame_count: 30,
        duration_s: 1.2,
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
fn every_frame(d: &Dataset, occluded: bool, attributes: bool) -> Vec<String> {
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
fn same(got: &[String], want: &[String], what: &str) {
    if let Some((g, w)) = got.iter().zip(want).find(|(g, w)| g != w) {
        panic!("{what}: got {g}, want {w}");
    }
    assert_eq!(got.len(), want.len(), "{what}");
}

fn round_trip(format: Format, data: &Dataset) -> (Dataset, formats::Report) {
    let exported = formats::export(format, data, &ExportOptions::default()).unwrap();
    let again = formats::import(format, &exported.files, &[]).unwrap();
    (again.dataset, exported.report)
}

#[test]
fn every_format_gives_back_the_boxes_it_holds_and_says_what_it_cannot() {
    let data = made();
    for (format, occluded, attributes) in [
        (Format::Cvat, true, true),
        (Format::Mot, true, false),
        (Format::YoutubeVis, false, false),
        (Format::Coco, false, false),
    ] {
        let (again, report) = round_trip(format, &data);
        same(
            &every_frame(&again, occluded, attributes),
            &every_frame(&data, occluded, attributes),
            format.name(),
        );
        let v = &again.videos[0];
        assert_eq!((v.width, v.height, v.frame_count), (64, 48, 30), "{}", format.name());
        let spans = usize::from(format != Format::LabelStudio);
        assert_eq!(report.count("segments"), spans, "{}: {report:?}", format.name());
        assert_eq!(report.count("questions"), spans, "{}", format.name());
        if !attributes {
            assert_eq!(report.count("attributes"), 2, "{}: colour and moving: {report:?}", format.name());
        }
        if !occluded {
            assert_eq!(report.count("occluded flags"), 1, "{}: {report:?}", format.name());
        }
    }
    // CVAT holds it all: the same keyframes, categories with their attributes and colours.
    let (again, _) = round_trip(Format::Cvat, &data);
    assert_eq!(
        again.tracks.iter().map(keyframes).collect::<Vec<_>>(),
        data.tracks.iter().map(keyframes).collect::<Vec<_>>()
    );
    assert_eq!(again.tracks[0].attributes, data.tracks[0].attributes);
    let categories: Vec<_> = again.categories.iter().map(|c| (&c.name, c.color, &c.attributes)).collect();
    let expected: Vec<_> = data.categories.iter().map(|c| (&c.name, c.color, &c.attributes)).collect();
    assert_eq!(categories, expected);
}

#[test]
fn samples_come_back_the_same_through_their_own_format() {
    for (format, paths) in [
        (Format::Cvat, &["cvat/datumaro_for_video_annotations.xml"][..]),
        (Format::Cvat, &["cvat/dagshub_sample_video.xml"]),
        (Format::Mot, &["mot/py-motmetrics/TUD-Stadtmitte/gt.txt"]),
        (Format::Coco, &["coco/datumaro_instances_val.json"]),
        (Format::YoutubeVis, &["youtube-vis/labelformat_ovis_annotations_train.json"]),
        (Format::LabelStudio, &["label-studio/dagshub_sample_task.json"]),
    ] {
        let first = import(format, paths).dataset;
        let (again, _) = round_trip(format, &first);
        let occluded = !matches!(format, Format::Coco | Format::LabelStudio);
        let attributes = !matches!(format, Format::Mot);
        same(
            &every_frame(&again, occluded, attributes),
            &every_frame(&first, occluded, attributes),
            paths[0],
        );
        if format == Format::Cvat {
            let kf = |d: &Dataset| d.tracks.iter().map(keyframes).collect::<Vec<_>>();
            assert_eq!(kf(&again), kf(&first), "{paths:?}");
        }
    }
}

#[test]
fn label_studio_keeps_spans_and_answers_and_writes_every_frame_when_asked() {
    let data = made();
    let (again, report) = round_trip(Format::LabelStudio, &data);
    let spans: Vec<(f64, f64, &str)> =
        again.segments.iter().map(|s| (s.start_s, s.end_s, s.label.as_str())).collect();
    assert_eq!(spans, [(0.2, 0.6, "turn")]);
    let answers: Vec<(&str, &str)> =
        again.questions.iter().map(|q| (q.text.as_str(), q.answer.as_str())).collect();
    assert_eq!(answers, [("What turns?", "the car")]);
    assert_eq!(report.count("question details"), 1, "the kind is not kept: {report:?}");
    let every = ExportOptions { every_frame: true, ..Default::default() };
    let exported = formats::export(Format::LabelStudio, &data, &every).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&exported.files[0].bytes).unwrap();
    let car = &json[0]["annotations"][0]["result"][0]["value"]["sequence"];
    // Frames 1 to 10 shown (the last disabled), then 16 to 30.
    let frames: Vec<(u64, bool)> = car
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["frame"].as_u64().unwrap(), s["enabled"].as_bool().unwrap()))
        .collect();
    let want: Vec<(u64, bool)> = (1..=10).map(|f| (f, f != 10)).chain((16..=30).map(|f| (f, true))).collect();
    assert_eq!(frames, want);
    let again = formats::import(Format::LabelStudio, &exported.files, &[]).unwrap().dataset;
    same(&every_frame(&again, false, false), &every_frame(&data, false, false), "every frame");
    // Answers alone need no size of the video to read back.
    let answers = Dataset { tracks: Vec::new(), ..made() };
    let exported = formats::export(Format::LabelStudio, &answers, &ExportOptions::default()).unwrap();
    assert_eq!(
        formats::import(Format::LabelStudio, &exported.files, &[]).unwrap().dataset.questions.len(),
        1
    );
}

#[test]
fn exports_take_the_reviewed_labels_or_one_video_when_asked() {
    let mut data = made();
    data.tracks[1].review = Review::Unreviewed;
    let options = ExportOptions { review: formats::ReviewFilter::Accepted, ..Default::default() };
    let exported = formats::export(Format::Mot, &data, &options).unwrap();
    let gt = exported.files.iter().find(|f| f.name == "clip/gt/gt.txt").unwrap();
    let ids: std::collections::BTreeSet<&str> =
        std::str::from_utf8(&gt.bytes).unwrap().lines().map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["1"]);
    let none = ExportOptions { video: Some("other".into()), ..Default::default() };
    assert!(
        formats::export(Format::Cvat, &data, &none).unwrap_err().to_string().contains("no video \"other\"")
    );
}

#[test]
fn bad_files_are_told_with_their_place() {
    let bad = |name: &str, text: &str| Input { name: name.into(), bytes: text.as_bytes().to_vec() };
    let xml =
        bad("a.xml", "<annotations>\n  <track id=\"0\" label=\"x\">\n    <box frame=\"x1\" xtl=\"0\"/>\n");
    match formats::import(Format::Cvat, &[xml], &[]).unwrap_err() {
        FormatError::Syntax { file, line, at, message, .. } => {
            assert_eq!((file.as_str(), line, at.as_str()), ("a.xml", 3, "annotations/track[0]/box[0]"));
            assert!(message.contains("frame=\"x1\" is not a number"), "{message}");
        }
        e => panic!("{e}"),
    }
    let unclosed = bad("b.xml", "<annotations>\n<track id=\"0\">\n</annotations>\n");
    let e = formats::import(Format::Cvat, &[unclosed], &[]).unwrap_err().to_string();
    assert!(e.starts_with("b.xml:3:") && e.contains("not well-formed"), "{e}");
    let inverted = bad(
        "c.xml",
        "<annotations><track id=\"0\" label=\"x\"><box frame=\"0\" xtl=\"5\" ytl=\"0\" xbr=\"1\" ybr=\"1\"/></track></annotations>",
    );
    let got = formats::import(Format::Cvat, &[inverted], &[]).unwrap();
    assert_eq!(got.report.skipped[0].at, ["annotations/track[0]/box[0]"]);
    assert!(got.report.skipped[0].why.contains("inverted"));

    let json = bad("d.json", "{\"images\": [], \"annotations\": [{\"image_id\": \"one\"}]}");
    match formats::import(Format::Coco, &[json], &[]).unwrap_err() {
        FormatError::Syntax { line, at, .. } => {
            assert_eq!((line, at.as_str()), (1, "$.annotations[0].image_id"));
        }
        e => panic!("{e}"),
    }
    let mot = bad("s/gt/gt.txt", "1,1,0,0,5,5,1,1,1\n2,1,0,0,5\n");
    let e = formats::import(Format::Mot, &[mot], &[]).unwrap_err().to_string();
    assert_eq!(e, "s/gt/gt.txt:2:1: column 1: 5 columns: a MOT line has 9 or 10");
    // Ids past a 32-bit float's whole numbers stay apart.
    let big = bad("s/gt/gt.txt", "1,16777216,0,0,5,5,1,-1,-1,-1\n1,16777217,9,9,5,5,1,-1,-1,-1\n");
    assert_eq!(formats::import(Format::Mot, &[big], &[]).unwrap().dataset.tracks.len(), 2);
    let negative = bad("s.txt", "1,1,0,0,-5,5,1,-1,-1,-1\n0,1,0,0,5,5,1,-1,-1,-1\n");
    let got = formats::import(Format::Mot, &[negative], &[]).unwrap();
    assert_eq!(got.report.count("boxes"), 2);
    assert_eq!(
        got.report.skipped.iter().flat_map(|s| s.at.clone()).collect::<Vec<_>>(),
        ["line 1", "line 2"]
    );
}

#[test]
fn the_format_is_found_from_the_content_or_the_candidates_are_named() {
    let text = |name: &str, t: &str| Input { name: name.into(), bytes: t.as_bytes().to_vec() };
    assert_eq!(formats::detect(&[text("x.txt", "1,2,3,4,5,6,1,1,1\n")]).unwrap(), Format::Mot);
    let none = formats::detect(&[text("x.txt", "hello")]).unwrap_err().to_string();
    assert!(none.contains("no known format"), "{none}");
    let both = [text("a.xml", "<annotations/>"), text("b.txt", "1,2,3,4,5,6,1,1,1")];
    assert_eq!(
        formats::detect(&both).unwrap_err().to_string(),
        "the input could be cvat or mot: name the format"
    );
}

#[test]
fn given_video_files_set_the_size_and_rate_and_a_wrong_one_is_refused() {
    let inputs = [sample("mot/py-motmetrics/TUD-Campus/gt.txt")];
    let file = Video {
        id: "TUD-Campus".into(),
        path: "videos/TUD-Campus.mp4".into(),
        width: 640,
        height: 480,
        fps: 25.0,
        frame_count: 71,
        duration_s: 2.84,
    };
    let got = formats::import(Format::Mot, &inputs, std::slice::from_ref(&file)).unwrap();
    assert_eq!(got.dataset.videos, std::slice::from_ref(&file));
    assert!(got.report.assumed.is_empty(), "{:?}", got.report.assumed);
    let short = Video { frame_count: 50, ..file };
    let e = formats::import(Format::Mot, &inputs, &[short]).unwrap_err().to_string();
    assert!(e.contains("has 50 frames, but the labels of video \"TUD-Campus\" reach frame 71"), "{e}");
}

#[test]
fn an_import_joins_a_dataset_as_one_edit_that_one_undo_takes_back() {
    let mut data = made();
    let before = data.clone();
    let imported = import(Format::Cvat, &["cvat/dagshub_sample_video.xml"]).dataset;
    let mut history = annotate::History::default();
    let edit = formats::merge(&data, imported);
    history.apply(&mut data, edit).unwrap();
    assert_eq!(data.videos.len(), 2);
    assert_eq!(data.tracks.len(), 4);
    // The imported track-1 meets the dataset's own: it gets a fresh id.
    let ids: Vec<&str> = data.tracks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["track-1", "track-4", "track-0", "track-5"]);
    assert!(data.categories.iter().any(|c| c.name == "person"));
    assert!(history.undo(&mut data).is_some());
    assert_eq!(data, before);
}
