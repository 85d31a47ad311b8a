//! Real samples from the formats' own projects (listed with their sources in
//! `fixtures/formats/SOURCES.md`) read exactly: frames, ids, boxes, flags and what
//! each file holds that is not kept.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;

use annotate::formats::{self, Format};
use annotate::{AttributeInput, AttributeSpec, AttributeValue, Provenance};

use support::*;

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
    let video = opossum_video();
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
