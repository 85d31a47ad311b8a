//! The Evaluate tab as a researcher uses it: a model's runs on the demo's questions
//! scored, the table sorted by tIoU, the worst item opened on the video, a where
//! question's tube opened on a frame with both the true and the predicted box, J
//! going on to the next wrong item, and a second model compared item by item.

use annotate::{
    Evidence, LabelRef, ModelRun, PredictedBox, PredictedSpan, Prediction, Question, QuestionKind,
};
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use vidence::gui::VidenceApp;

use super::{Harness, demo_copy, harness_with, step_until, wait_for_first_frame};

fn type_into(h: &mut Harness<'static, VidenceApp>, field: &str, text: &str) {
    h.get_by_label(field).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label(field).type_text(text);
    h.run_steps(2);
}

/// A run of the model `tester` answering `question`, made from the demo's example run.
fn run(template: &ModelRun, id: &str, question: &str, prediction: Prediction) -> ModelRun {
    let mut r = template.clone();
    r.id = id.into();
    r.model.name = "tester".into();
    r.answers = Some(LabelRef::Question(question.into()));
    r.prediction = prediction;
    r.box_confidence.clear();
    r.tokens = Default::default();
    r.verdicts.clear();
    r
}

fn span(start_s: f64, end_s: f64) -> Prediction {
    Prediction { spans: vec![PredictedSpan { label: None, start_s, end_s }], ..Prediction::default() }
}

#[test]
fn the_worst_item_opens_on_the_video_and_a_tube_shows_both_boxes() {
    let path = demo_copy("gui_evaluate");
    let mut data = annotate::load(&path).unwrap();
    let template = data.runs[0].clone();
    // q1 is a when question on the red circle from 4.70 s to 5.33 s: the same span and
    // track make a where question with a tube.
    let q1 = data.question("q1").unwrap().clone();
    let track = q1.evidence.iter().find_map(|e| match e {
        Evidence::Track { id } => Some(id.clone()),
        _ => None,
    });
    let track = data.track(&track.unwrap()).unwrap().clone();
    let tube = Question {
        id: "q-tube".into(),
        kind: QuestionKind::Where,
        text: "Where is it while it passes?".into(),
        evidence: q1.evidence.iter().filter(|e| !matches!(e, Evidence::Segment { .. })).cloned().collect(),
        ..q1.clone()
    };
    data.questions.push(tube);
    // Its boxes shifted 8 pixels right, from frame 145 on (4.83 s): IoU under 1.
    let shifted = |dx: f32| -> Vec<PredictedBox> {
        (145..160)
            .filter_map(|f| track.box_at(f).map(|b| (f, b.bbox)))
            .map(|(f, b)| {
                let [x1, y1, x2, y2] = b.0;
                PredictedBox {
                    label: Some("red circle".into()),
                    time_s: Some(f as f64 / 30.0),
                    time_text: None,
                    bbox: annotate::BBox([x1 + dx, y1, x2 + dx, y2]),
                }
            })
            .collect()
    };
    let boxes = shifted(8.0);
    data.runs.extend([
        run(&template, "t-1", "q1", span(4.7, 5.33)),
        run(&template, "t-3", "q3", span(6.0, 6.6)),
        run(&template, "t-5", "q5", span(2.0, 3.0)),
        run(&template, "t-tube", "q-tube", Prediction { boxes, ..span(4.83, 5.33) }),
        // A second model, right where the first is wrong on q5.
        ModelRun {
            model: annotate::ModelRef { name: "other".into(), ..template.model.clone() },
            ..run(&template, "o-5", "q5", span(10.57, 10.87))
        },
        ModelRun {
            model: annotate::ModelRef { name: "other".into(), ..template.model.clone() },
            ..run(&template, "o-1", "q1", span(4.7, 5.33))
        },
        // Its tube far off the object: wrong where the first is right.
        ModelRun {
            model: annotate::ModelRef { name: "other".into(), ..template.model.clone() },
            ..run(&template, "o-tube", "q-tube", Prediction { boxes: shifted(300.0), ..span(4.83, 5.33) })
        },
    ]);
    annotate::save_atomic(&data, &path).unwrap();

    // Tall enough for the compared metrics above the table and its rows below them.
    let mut h = harness_with(vec![path], vidence::gui::Options::default(), [1280.0, 1100.0]);
    wait_for_first_frame(&mut h);
    h.get_by_label("Evaluate").click();
    h.run_steps(2);
    h.get_by_label("Model to score").click();
    h.run_steps(2);
    h.get_by_label("tester").click();
    step_until(&mut h, "the scores", |app| app.eval_scores().is_some_and(|(m, _)| m == "tester"));
    h.run_steps(2);

    // The plots: the answers by question kind, the tIoU by tenths, q1's near-exact span
    // in the last tenth and q5's miss in the first.
    h.get_by_label("Answers by question kind");
    h.get_by_label("tIoU histogram");
    let (_, scores) = h.state().eval_scores().unwrap();
    let tious: Vec<f64> = scores.items.iter().filter_map(|i| i.scores.tiou).collect();
    let score_of = |id: &str| scores.items.iter().find(|i| i.id == id).and_then(|i| i.scores.tiou);
    assert!(score_of("q1").is_some_and(|t| t > 0.9) && score_of("q5") == Some(0.0));
    let (by_kind, tenths) = h.state().eval_plots().unwrap();
    let tenths = tenths.expect("tIoU by tenths");
    assert_eq!(tenths.iter().sum::<usize>(), tious.len());
    assert!(tenths[9] >= 1 && tenths[0] >= 1, "{tenths:?}");
    let answered = scores.items.iter().filter(|i| i.scores.answer.is_some()).count();
    assert_eq!(by_kind.iter().map(|(_, _, n)| n).sum::<usize>(), answered);

    // Worst first by tIoU: q5 (its answer misses the span), then the unanswered ones.
    h.get_by_label("Sort by").click();
    h.run_steps(2);
    // The choice in the list that opened (the column's heading has the name too).
    h.get_by_role_and_label(egui::accesskit::Role::Button, "tIoU").click();
    h.run_steps(2);
    let first = h.get_all_by_label_contains("Open ").next().and_then(|n| n.accesskit_node().label());
    assert_eq!(first.as_deref(), Some("Open q5"));
    h.get_by_label("Open q5").click();
    let q5_start = 10.57;
    step_until(&mut h, "q5's span on screen", |app| {
        app.shown_frame().is_some_and(|f| app.time_of(f).is_some_and(|t| (t - q5_start).abs() < 1.0 / 30.0))
    });
    assert_eq!(h.state().shown_run().map(|r| r.id.as_str()), Some("t-5"));
    assert_eq!(h.state().open_question(), Some("q5"));

    // The tube: the first frame with both boxes, the IoU there told.
    type_into(&mut h, "Filter", "vIoU < 1");
    h.get_by_label("Open q-tube").click();
    step_until(&mut h, "the tube's first predicted frame", |app| app.shown_frame() == Some(145));
    h.run_steps(2);
    let app: &VidenceApp = h.state();
    assert_eq!(app.shown_run().map(|r| r.id.as_str()), Some("t-tube"));
    assert!(!app.predictions_on_screen().is_empty(), "the predicted box is drawn");
    assert!(track.box_at(145).is_some(), "the true box is on the frame");
    let b = track.box_at(145).unwrap().bbox;
    let shifted = annotate::BBox([b.0[0] + 8.0, b.0[1], b.0[2] + 8.0, b.0[3]]);
    let told = format!("IoU on this frame: {:.3}", b.iou(&shifted));
    h.get_by_label(&told);

    // A click on the IoU plot's middle seeks to the middle of the tube's span.
    let plot = h.get_by_label("IoU over time").rect();
    super::click(&mut h, plot.center());
    step_until(&mut h, "a frame inside the tube", |app| {
        app.shown_frame().is_some_and(|f| f != 145 && (141..160).contains(&f))
    });

    // J: the next wrong item in the table's order; none is left under this filter.
    type_into(&mut h, "Filter", "wrong");
    h.key_press(Key::Escape);
    h.run_steps(2);
    let before = h.state().eval_open();
    h.key_press(Key::J);
    h.run_steps(2);
    let (_, scores) = h.state().eval_scores().unwrap();
    let opened = h.state().eval_open().unwrap();
    assert_ne!(Some(opened), before);
    assert_eq!(annotate::eval::right(&scores.items[opened].scores), Some(false), "J opens a wrong item");

    // Against the other model: the items where it is right and this one wrong.
    h.get_by_label("Compare with").click();
    h.run_steps(2);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "other").click();
    step_until(&mut h, "the comparison", |app| app.eval_compared_with() == Some("other"));
    h.run_steps(2);
    type_into(&mut h, "Filter", "worse");
    let worse: Vec<String> =
        h.get_all_by_label_contains("Open ").filter_map(|n| n.accesskit_node().label()).collect();
    assert_eq!(worse, ["Open q5"]);
    h.get_by_label_contains("temporal.m_tIoU");
    type_into(&mut h, "Filter", "both right");
    let both: Vec<String> =
        h.get_all_by_label_contains("Open ").filter_map(|n| n.accesskit_node().label()).collect();
    assert_eq!(both, ["Open q1"]);

    // Compare mode on the video: both models' boxes on the frame, a lane each, each trace.
    type_into(&mut h, "Filter", "better");
    h.get_by_label("Open q-tube").click();
    step_until(&mut h, "the tube's first predicted frame", |app| app.shown_frame() == Some(145));
    h.run_steps(2);
    let app: &VidenceApp = h.state();
    assert_eq!(app.shown_run().map(|r| r.id.as_str()), Some("t-tube"));
    assert_eq!(app.compared_run().map(|r| r.id.as_str()), Some("o-tube"));
    assert!(!app.predictions_on_screen().is_empty() && !app.compared_on_screen().is_empty());
    h.get_by_label("Model lane");
    h.get_by_label("Compared model lane");
    h.get_by_label_contains("o-tube");
}
