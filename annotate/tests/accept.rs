//! Accepting a model's evidence into labels: the labels it makes, where boxes land in
//! time, and the categories they go under.

use annotate::accept::{Decision, decide};
use annotate::dialect::{Context, Coordinates};
use annotate::time::FrameTimes;
use annotate::{
    BBox, Backend, Category, Dataset, Dialect, EvidenceItem, Generation, LabelRef, ModelRef, ModelRun,
    PredictedBox, Prediction, Reading, Review, RunSettings, Sampling, TaskKind, Tokens, Video, validate,
};

/// A video at 10 frames a second.
struct TenFps;

impl FrameTimes for TenFps {
    fn frame_count(&self) -> u64 {
        100
    }
    fn time_of(&self, index: u64) -> f64 {
        index as f64 / 10.0
    }
    fn frame_at_time(&self, time_s: f64) -> u64 {
        ((time_s * 10.0 + 1e-9).floor() as u64).min(99)
    }
    fn duration_s(&self) -> f64 {
        10.0
    }
}

fn dataset() -> Dataset {
    let mut d = Dataset::default();
    d.videos.push(Video {
        id: "v".into(),
        path: "v.mp4".into(),
        width: 640,
        height: 480,
        fps: 10.0,
        frame_count: 100,
        duration_s: 10.0,
        tags: Default::default(),
    });
    // A category whose id is the name the model uses for something else.
    d.categories.push(Category {
        attributes: Vec::new(),
        id: "person".into(),
        name: "Pedestrian".into(),
        color: None,
    });
    let b = |label: &str, t: Option<f64>| PredictedBox {
        label: Some(label.into()),
        time_s: t,
        bbox: BBox::new(10.0, 10.0, 50.0, 50.0),
        time_text: None,
    };
    d.runs.push(ModelRun {
        id: "run-1".into(),
        video: "v".into(),
        answers: None,
        model: ModelRef { backend: Backend::Local, name: "m".into(), revision: None, endpoint: None },
        settings: RunSettings {
            task: TaskKind::Answer,
            prompt: "who walks?".into(),
            from_s: 0.0,
            to_s: 10.0,
            fps: 2.0,
            max_frames: 8,
            sampling: Sampling::Uniform,
            region: None,
            frames_s: Vec::new(),
            given: Vec::new(),
        },
        generation: Some(Generation::default()),
        reading: Reading {
            dialect: Dialect::Qwen3Vl,
            context: Context {
                video_width: 640,
                video_height: 480,
                coordinates: Coordinates::Relative1000,
                clip_start_s: 0.0,
            },
            grid: None,
        },
        raw: String::new(),
        tokens: Tokens::default(),
        box_confidence: Vec::new(),
        prediction: Prediction {
            boxes: vec![b("person", Some(2.05)), b("person", Some(3.0)), b("pedestrian", None)],
            ..Default::default()
        },
        verdicts: Vec::new(),
        judgements: Vec::new(),
        call: None,
    });
    d
}

#[test]
fn a_model_s_name_finds_its_category_by_name_else_goes_under_model_labels() {
    let mut d = dataset();
    // "person" is a category's id but not its name: the model's word is not taken as one.
    let decided = decide(&d, "run-1", EvidenceItem::Box { index: 0 }, Decision::Accept, &TenFps, 0).unwrap();
    assert_eq!(decided.unmatched.as_deref(), Some("person"));
    decided.edit.apply(&mut d).expect("no id collides");
    let Some(LabelRef::Track(id)) = decided.label else { panic!("a track") };
    let track = d.track(&id).unwrap();
    assert_eq!(track.category, "model-labels");
    assert_eq!(d.category("model-labels").unwrap().name, annotate::accept::MODEL_LABELS);
    assert_eq!(track.keyframes[0].frame, 20, "the frame showing at 2.05 s");
    assert_eq!(track.review, Review::Accepted);
    // Another unmatched name joins the same category: the list does not grow.
    let again =
        decide(&d, "run-1", EvidenceItem::Track { label: "person".into() }, Decision::Edit, &TenFps, 0);
    let again = again.unwrap();
    again.edit.apply(&mut d).unwrap();
    assert_eq!(d.categories.len(), 2);
    // A name finds its category, whatever its id and case.
    let by_name = decide(&d, "run-1", EvidenceItem::Box { index: 2 }, Decision::Accept, &TenFps, 42).unwrap();
    assert_eq!(by_name.unmatched, None);
    by_name.edit.apply(&mut d).unwrap();
    let Some(LabelRef::Track(id)) = by_name.label else { panic!("a track") };
    let track = d.track(&id).unwrap();
    assert_eq!(
        (track.category.as_str(), track.keyframes[0].frame),
        ("person", 42),
        "untimed: the frame shown"
    );
    assert_eq!(d.categories.len(), 2);
    assert!(validate(&d).is_empty(), "{:?}", validate(&d));
    assert_eq!(d.runs[0].verdicts.len(), 3);
    // The model's own name stays in the run, linked from the verdict.
    let verdict = &d.runs[0].verdicts[0];
    let EvidenceItem::Box { index } = verdict.item else { panic!("a box verdict") };
    assert_eq!(d.runs[0].prediction.boxes[index].label.as_deref(), Some("person"));
}

#[test]
fn rejecting_records_the_verdict_and_one_undo_takes_it_back() {
    let mut d = dataset();
    let before = d.clone();
    let decided = decide(&d, "run-1", EvidenceItem::Box { index: 1 }, Decision::Reject, &TenFps, 0).unwrap();
    assert_eq!(decided.label, None);
    let undo = decided.edit.apply(&mut d).unwrap();
    assert_eq!(d.runs[0].verdicts[0].review, Review::Rejected);
    assert_eq!(d.tracks.len(), 0);
    undo.apply(&mut d).unwrap();
    assert_eq!(d, before);
    let missing = decide(&d, "run-1", EvidenceItem::Span { index: 0 }, Decision::Accept, &TenFps, 0);
    assert!(missing.unwrap_err().to_string().contains("Span"), "a span the run does not have");
    assert!(decide(&d, "run-9", EvidenceItem::Answer, Decision::Accept, &TenFps, 0).is_err());
}
