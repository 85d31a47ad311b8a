//! Round trips that give the same data back, what a format cannot hold reported,
//! bad input told with its place, and imports joining a dataset.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

mod support;

use annotate::formats::{self, ExportOptions, Format, FormatError, Input};
use annotate::{Dataset, Review, Video};

use support::*;

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
        tags: Default::default(),
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
