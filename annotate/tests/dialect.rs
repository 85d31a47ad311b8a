//! Model outputs in the shapes the Qwen cookbooks and the Open-o3 Video prompt format
//! show, read into predictions in video pixels and video seconds.

use annotate::dialect::{Context, Coordinates, parse};
use annotate::{BBox, RationaleKind};

/// A 1280x720 video; the model's clip starts at 10 s.
fn qwen3() -> Context {
    Context {
        video_width: 1280,
        video_height: 720,
        coordinates: Coordinates::Relative1000,
        clip_start_s: 10.0,
    }
}

fn close(a: BBox, b: [f32; 4]) -> bool {
    a.0.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3)
}

#[test]
fn qwen3_boxes_in_a_fence_are_on_a_0_to_1000_grid() {
    let text = "Here are the objects:\n```json\n[\n\t{\"bbox_2d\": [135, 114, 864, 891], \"label\": \"person\"},\n\t{\"bbox_2d\": [500, 500, 1000, 1000], \"label\": \"dog\"}\n]\n```";
    let p = parse(text, &qwen3());
    assert_eq!(p.boxes.len(), 2, "{p:?}");
    assert_eq!(p.boxes[0].label.as_deref(), Some("person"));
    assert!(close(p.boxes[0].bbox, [172.8, 82.08, 1105.92, 641.52]), "{:?}", p.boxes[0].bbox);
    assert!(close(p.boxes[1].bbox, [640.0, 360.0, 1280.0, 720.0]));
    assert_eq!(p.answer, None, "only JSON: no answer in words");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn qwen3_points_and_a_trajectory_over_time() {
    let p = parse(r#"[{"point_2d": [500, 250], "label": "the red ball"}]"#, &qwen3());
    assert_eq!((p.points[0].x, p.points[0].y), (640.0, 180.0));
    let text = r#"```json
[{"time": 1.0, "bbox_2d": [0, 0, 100, 100]}, {"time": "2.5s", "bbox_2d": [100, 100, 200, 200]}]
```"#;
    let p = parse(text, &qwen3());
    let times: Vec<Option<f64>> = p.boxes.iter().map(|b| b.time_s).collect();
    assert_eq!(times, [Some(11.0), Some(12.5)], "clip times are moved to video times");
    assert!(close(p.boxes[1].bbox, [128.0, 72.0, 256.0, 144.0]));
}

#[test]
fn qwen25_boxes_are_pixels_of_the_resized_input() {
    let cx = Context { coordinates: Coordinates::Pixels { width: 640, height: 360 }, ..qwen3() };
    let p = parse(r#"[{"bbox_2d": [100, 50, 300, 250], "label": "car"}]"#, &cx);
    assert!(close(p.boxes[0].bbox, [200.0, 100.0, 600.0, 500.0]), "{:?}", p.boxes[0].bbox);
}

#[test]
fn open_o3_video_tags_give_grounded_steps_spans_and_the_answer() {
    let text = "<think>First I find <obj>the man</obj><box>[120,80,360,400]</box>at<t>12.5</t>s. \
                He walks to the door. From <t>12.5</t>s to <t>15.0</t>s he opens it.</think>\
                <answer>B</answer>";
    let cx = Context { coordinates: Coordinates::Pixels { width: 640, height: 360 }, ..qwen3() };
    let p = parse(text, &cx);
    assert_eq!(p.answer.as_deref(), Some("B"));
    assert_eq!(p.boxes.len(), 1);
    assert_eq!(p.boxes[0].label.as_deref(), Some("the man"));
    assert_eq!(p.boxes[0].time_s, Some(22.5));
    assert!(
        close(p.boxes[0].bbox, [240.0, 160.0, 720.0, 720.0]),
        "clamped to the frame: {:?}",
        p.boxes[0].bbox
    );
    assert_eq!(p.spans.len(), 1);
    assert_eq!((p.spans[0].start_s, p.spans[0].end_s), (22.5, 25.0));
    let kinds: Vec<RationaleKind> = p.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [RationaleKind::Perception, RationaleKind::Reasoning, RationaleKind::Perception]);
    assert_eq!(p.steps[0].text, "First I find the man at12.5s.", "the box is kept as the step's box");
    assert_eq!((p.steps[0].time_s, p.steps[0].bbox), (Some(22.5), Some(p.boxes[0].bbox)));
    assert_eq!((p.steps[2].time_s, p.steps[2].bbox), (Some(22.5), None));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn times_in_free_text() {
    let cases = [
        ("The person opens the door from 3.2 s to 5.0 s.", (3.2, 5.0)),
        ("It happens between 1 and 2.5 seconds.", (1.0, 2.5)),
        ("Answer: 4.0s - 6.5s", (4.0, 6.5)),
        ("The event spans 00:12-00:15.", (12.0, 15.0)),
        ("From 0:01:02.5 to 0:01:05 the car turns.", (62.5, 65.0)),
    ];
    for (text, (a, b)) in cases {
        let p = parse(text, &qwen3());
        assert_eq!(p.spans.len(), 1, "{text}: {p:?}");
        assert!(
            (p.spans[0].start_s - (10.0 + a)).abs() < 1e-9 && (p.spans[0].end_s - (10.0 + b)).abs() < 1e-9
        );
        assert_eq!(p.answer.as_deref(), Some(text), "free text is the answer");
    }
}

#[test]
fn dense_captions_with_start_and_end() {
    let text = r#"[{"start": "00:01", "end": "00:05", "description": "a man walks in"},
                   {"start_time": 6, "end_time": 9.5, "description": "he sits down"}]"#;
    let p = parse(text, &qwen3());
    let spans: Vec<(Option<&str>, f64, f64)> =
        p.spans.iter().map(|s| (s.label.as_deref(), s.start_s, s.end_s)).collect();
    assert_eq!(spans, [(Some("a man walks in"), 11.0, 15.0), (Some("he sits down"), 16.0, 19.5)]);
}

#[test]
fn cut_off_and_malformed_json_keeps_what_parses_and_says_what_did_not() {
    let cut = r#"```json
[{"bbox_2d": [10, 20, 30, 40], "label": "a"}, {"bbox_2d": [50, 60,"#;
    let p = parse(cut, &qwen3());
    assert_eq!(p.boxes.len(), 1);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    assert!(p.problems[0].contains("cut off"), "{:?}", p.problems);

    let bad = r#"[{"bbox_2d": [1, 2, 3], "label": "short"}, {"bbox_2d": [5, 5, 5, 9]}, {"time": "soon", "bbox_2d": [1, 1, 9, 9]}, {"start": 5, "end": 2}]"#;
    let p = parse(bad, &qwen3());
    assert!(p.boxes.is_empty() && p.spans.is_empty(), "{p:?}");
    assert_eq!(p.problems.len(), 4, "{:?}", p.problems);
    assert!(p.problems[0].contains("4 numbers"));
    assert!(p.problems[1].contains("empty"));
    assert!(p.problems[2].contains("unreadable time"));
    assert!(p.problems[3].contains("ends before it starts"));
}

#[test]
fn an_open_brace_before_the_json_does_not_hide_it() {
    let p = parse(r#"Sure { here: [{"bbox_2d": [0, 0, 500, 500], "label": "cat"}]"#, &qwen3());
    assert_eq!(p.boxes.len(), 1, "{p:?}");
    assert_eq!(p.problems.len(), 1, "the open brace is reported: {:?}", p.problems);
}

#[test]
fn text_without_evidence_is_just_an_answer() {
    let p = parse("  The ball is red.  ", &qwen3());
    assert_eq!(p.answer.as_deref(), Some("The ball is red."));
    assert!(p.boxes.is_empty() && p.spans.is_empty() && p.steps.is_empty() && p.problems.is_empty());
    let p = parse("I see [a cat] and {nothing else}.", &qwen3());
    assert!(p.problems.is_empty(), "prose brackets are not JSON: {:?}", p.problems);
    // Brackets nested deep and never closed are read in one pass per level (this once
    // took a pass per combination of them, and never finished).
    for deep in ["[x".repeat(4000), "[\"k\": ".repeat(4000)] {
        assert!(parse(&deep, &qwen3()).boxes.is_empty());
    }
}
