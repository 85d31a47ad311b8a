//! The grounding benchmarks' ground truth: VidSTG's sentence records with VidOR's
//! per-video files (real samples), and HC-STVG's layouts as its README and the
//! benchmark's loaders read them.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;

use annotate::formats::{self, Format, FormatError, Input};
use annotate::{Evidence, QuestionKind};
use serde_json::{Value, json};

use support::*;

const RECORDS: &str = "vidstg/test_annotations_11566930393.json";
const VIDOR: &str = "vidstg/vidor_11566930393.json";

/// Each run of one tracker on a track: (first frame, tracker).
fn trackers(t: &annotate::Track) -> Vec<(u64, &str)> {
    t.attributes
        .iter()
        .filter(|a| a.name == "tracker")
        .map(|a| (a.frame.unwrap(), a.value.as_str()))
        .collect()
}

#[test]
fn vidstg_records_with_their_vidor_file_become_questions_on_the_objects_tracks() {
    let got = import(Format::Vidstg, &[RECORDS, VIDOR]);
    let d = &got.dataset;
    assert_eq!(d.videos.len(), 1);
    let v = &d.videos[0];
    assert_eq!(
        (v.id.as_str(), v.path.as_str(), v.width, v.height, v.frame_count, v.fps),
        ("11566930393", "0009/11566930393.mp4", 640, 480, 872, 29.97)
    );

    // VidOR's objects: a box on every frame it has one, an outside keyframe after each run.
    let child = track(d, "track-0");
    assert_eq!(category_name(d, child), "child");
    assert_eq!(child.keyframes.len(), 872);
    assert_eq!(keyframes(child)[0], (0, [98.0, 0.0, 423.0, 369.0], false, false));
    assert!(child.keyframes.iter().all(|k| !k.outside));
    let toy = track(d, "track-1");
    assert_eq!(category_name(d, toy), "toy");
    let outside: Vec<u64> = toy.keyframes.iter().filter(|k| k.outside).map(|k| k.frame).collect();
    assert_eq!(outside, [454, 563, 802], "after frames 453, 562 and the last box, 801");
    assert_eq!(toy.keyframes.len() - outside.len(), 505);
    assert!(toy.box_at(500).is_none() && toy.box_at(548).is_some() && toy.box_at(801).is_some());
    assert!(toy.box_at(802).is_none() && toy.box_at(871).is_none());
    let other_toy = track(d, "track-2");
    assert_eq!(other_toy.category, toy.category, "one category per name");
    assert_eq!(keyframes(other_toy)[0], (0, [286.0, 105.0, 639.0, 378.0], false, false));
    assert_eq!(other_toy.keyframes.len(), 872);

    // Which tracker made each box is kept, run by run, on a category attribute.
    let runs: Vec<usize> =
        ["track-0", "track-1", "track-2"].iter().map(|t| trackers(track(d, t)).len()).collect();
    assert_eq!(runs, [119, 101, 69]);
    assert_eq!(trackers(child)[0], (0, "none"));
    assert!(trackers(child).iter().any(|(_, t)| *t == "kcf"));
    let spec = d.category(&child.category).unwrap().attributes.iter().find(|s| s.name == "tracker").unwrap();
    assert!(spec.mutable);

    // Each record's clip, once per distinct span of frames, with an inclusive last frame.
    let clips: Vec<(f64, f64)> = d.segments.iter().map(|s| (s.start_s * 29.97, s.end_s * 29.97)).collect();
    assert_eq!(d.segments.iter().filter(|s| s.label == "clip").count(), 3);
    for (got, want) in clips.iter().zip([(0.0, 121.0), (179.0, 872.0), (0.0, 872.0)]) {
        assert!((got.0 - want.0).abs() < 1e-6 && (got.1 - want.1).abs() < 1e-6, "{got:?} != {want:?}");
    }

    // Each sentence: a where question answered by its target, with span, tube and clip.
    let ids: Vec<&str> = d.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    assert_eq!(&ids[..2], ["vidstg-1-caption", "vidstg-1-question-1"]);
    assert!(d.questions.iter().all(|q| q.kind == QuestionKind::Where));
    let first = d.question("vidstg-1-caption").unwrap();
    assert_eq!(first.text, "a child  in green is holding the  toy.", "the text as written");
    assert_eq!(first.answer, "child");
    let Evidence::Span { start_s, end_s } = first.evidence[0] else { panic!("{:?}", first.evidence) };
    assert!(
        (start_s * 29.97 - 79.0).abs() < 1e-6 && (end_s * 29.97 - 99.0).abs() < 1e-6,
        "end_fid is exclusive"
    );
    assert_eq!(first.evidence[1], Evidence::Track { id: "track-0".into() });
    assert_eq!(first.evidence[2], Evidence::Segment { id: d.segments[0].id.clone() });
    let behind = d.questions.iter().find(|q| q.text == "who is behind the green toy?").unwrap();
    assert_eq!(behind.answer, "child", "the question's own target, not the record's caption's");
    let toy_caption = d.questions.iter().find(|q| q.text.starts_with("there is a green toy")).unwrap();
    assert_eq!(
        (toy_caption.answer.as_str(), &toy_caption.evidence[1]),
        ("toy", &Evidence::Track { id: "track-1".into() })
    );

    // What Vidence keeps no place for is counted.
    assert_eq!(got.report.count("relations"), 4 + 15, "each record's used_relation and VidOR's relations");
    assert_eq!(got.report.count("sentence types"), 8);
    assert_eq!(got.report.count("tubes"), 0);
    assert_eq!(got.report.count("fields"), 0, "the sample has VidSTG's and VidOR's fields only");
}

#[test]
fn vidstg_records_without_their_vidor_file_keep_spans_and_say_the_tubes_are_missing() {
    let got = import(Format::Vidstg, &["vidstg/test_annotations_first2.json"]);
    let d = &got.dataset;
    assert_eq!(d.questions.len(), 4);
    assert!(d.tracks.is_empty());
    assert_eq!(got.report.count("tubes"), 4);
    let v = &d.videos[0];
    assert_eq!((v.id.as_str(), v.frame_count, v.width, v.height), ("7771650716", 1805, 640, 360));
    assert!((v.fps - 29.97002997002997).abs() < 1e-12);
    for q in &d.questions {
        assert!(
            matches!(q.evidence[..], [Evidence::Span { .. }, Evidence::Segment { .. }]),
            "{:?}",
            q.evidence
        );
    }
}

#[test]
fn a_vidor_file_alone_gives_its_video_and_its_objects() {
    let got = import(Format::Vidstg, &["vidstg/vidor_3598080384.json"]);
    let d = &got.dataset;
    let v = &d.videos[0];
    assert_eq!((v.path.as_str(), v.fps, v.frame_count), ("0001/3598080384.mp4", 25.0, 368));
    assert_eq!(d.tracks.len(), 2);
    let adult = track(d, "track-0");
    assert_eq!(category_name(d, adult), "adult");
    assert!(adult.box_at(204).is_some() && adult.box_at(205).is_none(), "its last box is on frame 204");
    assert!(d.questions.is_empty());
    assert_eq!(got.report.count("relations"), 4);
}

fn records_input(records: &Value) -> Input {
    Input { name: "records.json".into(), bytes: serde_json::to_vec_pretty(records).unwrap() }
}

#[test]
fn bad_vidstg_records_are_an_error_with_their_place_or_a_report_never_a_guess() {
    let mut records: Value = serde_json::from_slice(&sample(RECORDS).bytes).unwrap();
    records[2]["fps"] = json!("x");
    let err = formats::import(Format::Vidstg, &[records_input(&records)], &[]).unwrap_err();
    let FormatError::Syntax { line, at, .. } = &err else { panic!("{err:?}") };
    assert!(*line > 1 && at.contains("[2].fps"), "{err}");

    let mut records: Value = serde_json::from_slice(&sample(RECORDS).bytes).unwrap();
    records[1]["temporal_gt"] = json!({"begin_fid": 300, "end_fid": 900});
    records[3]["used_segment"] = json!({"begin_fid": 10, "end_fid": 5});
    records[0]["questions"][0]["target_id"] = json!(7);
    records[0]["extra"] = json!(1);
    let got = formats::import(Format::Vidstg, &[records_input(&records), sample(VIDOR)], &[]).unwrap();
    assert_eq!(got.report.count("records"), 2, "{:?}", got.report);
    assert_eq!(got.report.count("sentences"), 1);
    assert_eq!(got.report.count("fields"), 1);
    assert_eq!(got.dataset.questions.len(), 3, "record 0's caption and record 2's two sentences");

    // A record that contradicts the VidOR file's video is an error, not a second video.
    let mut records: Value = serde_json::from_slice(&sample(RECORDS).bytes).unwrap();
    records[0]["frame_count"] = json!(873);
    let err = formats::import(Format::Vidstg, &[records_input(&records), sample(VIDOR)], &[]).unwrap_err();
    assert!(err.to_string().contains("873 frames"), "{err}");
}

#[test]
fn vidstg_files_are_told_apart_from_the_split_lists_beside_them() {
    let inputs = [sample(RECORDS), sample(VIDOR), sample("vidstg/test_files.json")];
    assert_eq!(formats::detect(&inputs[..2]).unwrap(), Format::Vidstg);
    let got = formats::import(Format::Vidstg, &inputs, &[]).unwrap();
    assert_eq!(got.report.count("files"), 1, "the split list is named, not read");
    assert_eq!(got.dataset.questions.len(), 8);
    let err = formats::import(Format::Vidstg, &inputs[2..], &[]).unwrap_err();
    assert!(matches!(err, FormatError::Detect(_)), "{err}");
    let err = formats::export(Format::Vidstg, &got.dataset, &Default::default()).unwrap_err();
    assert!(err.to_string().contains("does not write"), "{err}");
}

/// Two HC-STVG videos: one in v1's layout (README), one in v2's (`img_size`, `English`),
/// as TubeDETR's preprocessing reads them.
fn hcstvg_items() -> Value {
    json!({
        "55_vfjywN5CN0Y.mp4": {
            "bbox": [[10, 20, 30, 40], [12, 20, 30, 40], null, [16.5, 21, 30, 40]],
            "st_time": 0.5, "ed_time": 1.0, "img_num": 400, "st_frame": 11,
            "caption": "The man in a white shirt turns and walks to the door.",
            "width": 640, "height": 360
        },
        "1_aMYcLyh9OhU.mkv": {
            "bbox": [[1, 2, 3, 4], [1, 2, -3, 4], [5, 6, 7, 8]],
            "st_time": 19.5, "ed_time": 19.9, "img_num": 500, "st_frame": 499,
            "English": "The woman sits down.", "img_size": [720, 1280, 3], "Chinese": "女人坐下。"
        }
    })
}

#[test]
fn hcstvg_sentences_become_where_questions_on_the_persons_track_from_its_1_based_first_frame() {
    let inputs = [Input { name: "test_v2.json".into(), bytes: serde_json::to_vec(&hcstvg_items()).unwrap() }];
    assert_eq!(formats::detect(&inputs).unwrap(), Format::Hcstvg);
    let got = formats::import(Format::Hcstvg, &inputs, &[]).unwrap();
    let d = &got.dataset;
    // In name order: "1_…" before "55_…".
    let videos: Vec<(&str, &str, u32, u32, f64, u64)> = d
        .videos
        .iter()
        .map(|v| (v.id.as_str(), v.path.as_str(), v.width, v.height, v.fps, v.frame_count))
        .collect();
    assert_eq!(
        videos,
        [
            ("1_aMYcLyh9OhU", "1_aMYcLyh9OhU.mkv", 1280, 720, 25.0, 500),
            ("55_vfjywN5CN0Y", "55_vfjywN5CN0Y.mp4", 640, 360, 20.0, 400),
        ],
        "img_size is [h, w]; a clip is 20 s"
    );
    assert_eq!(got.report.assumed.len(), 2, "the frame rate of each is derived, and said so");

    let man = track(d, "hcstvg-2-person");
    assert_eq!(category_name(d, man), "person");
    assert_eq!(
        keyframes(man),
        [
            (10, [10.0, 20.0, 40.0, 60.0], false, false),
            (11, [12.0, 20.0, 42.0, 60.0], false, false),
            (12, [12.0, 20.0, 42.0, 60.0], true, false),
            (13, [16.5, 21.0, 46.5, 61.0], false, false),
            (14, [16.5, 21.0, 46.5, 61.0], true, false),
        ],
        "st_frame 11 is frame 10; xywh becomes corners; the null box is a gap"
    );
    let q = d.question("hcstvg-2").unwrap();
    assert_eq!((q.kind, q.answer.as_str()), (QuestionKind::Where, "person"));
    assert_eq!(q.text, "The man in a white shirt turns and walks to the door.");
    assert_eq!(
        q.evidence,
        [Evidence::Span { start_s: 0.5, end_s: 1.0 }, Evidence::Track { id: "hcstvg-2-person".into() }]
    );
    let woman = track(d, "hcstvg-1-person");
    assert_eq!(
        keyframes(woman),
        [(498, [1.0, 2.0, 4.0, 6.0], false, false), (499, [1.0, 2.0, 4.0, 6.0], true, false)]
    );
    assert_eq!(d.question("hcstvg-1").unwrap().text, "The woman sits down.");

    assert_eq!(
        got.report.count("boxes"),
        3,
        "a null box, a negative width, one past the last frame: {:?}",
        got.report
    );
    assert_eq!(got.report.count("fields"), 1, "Chinese");
}

#[test]
fn bad_hcstvg_items_are_an_error_or_a_report() {
    let read = |items: Value| {
        formats::import(
            Format::Hcstvg,
            &[Input { name: "a.json".into(), bytes: serde_json::to_vec(&items).unwrap() }],
            &[],
        )
    };
    let mut items = hcstvg_items();
    items["55_vfjywN5CN0Y.mp4"]["img_num"] = json!(0);
    assert!(read(items).unwrap_err().to_string().contains("img_num 0"));
    let mut items = hcstvg_items();
    items["1_aMYcLyh9OhU.mkv"].as_object_mut().unwrap().remove("img_size");
    assert!(read(items).unwrap_err().to_string().contains("width and height"));
    let mut items = hcstvg_items();
    items["55_vfjywN5CN0Y.mp4"]["st_frame"] = json!(0);
    items["55_vfjywN5CN0Y.mp4"]["ed_time"] = json!(0.1);
    let got = read(items).unwrap();
    assert_eq!((got.report.count("tubes"), got.report.count("spans")), (1, 1));
    assert!(got.dataset.question("hcstvg-2").unwrap().evidence.is_empty());
    let mut items = hcstvg_items();
    items["55_vfjywN5CN0Y.mp4"]["bbox"] = json!("none");
    let err = read(items).unwrap_err();
    assert!(matches!(err, FormatError::Syntax { .. }) && err.to_string().contains("bbox"), "{err}");
}
