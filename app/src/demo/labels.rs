//! The demo's ground truth as a dataset: a track per shape, time spans for
//! occlusions and exits, and what/when/where questions with exact answers.

use annotate::{
    BBox, Category, Dataset, Evidence, Interpolation, Keyframe, Provenance, Question, QuestionKind,
    RationaleKind, RationaleStep, Review, Segment, Track, Video,
};

use super::scene::{FPS, FRAMES, HEIGHT, SECONDS, Shape, ShapeState, WIDTH};

/// Runs shorter than this many frames are not worth a label.
const MIN_RUN: u64 = 6;

pub const VIDEO_ID: &str = "demo";

fn time(frame: u64) -> f64 {
    frame as f64 / f64::from(FPS)
}

fn bbox(b: [u32; 4]) -> BBox {
    BBox::new(b[0] as f32, b[1] as f32, b[2] as f32, b[3] as f32)
}

/// `states[frame][shape]` -> the dataset.
pub fn dataset(shapes: &[Shape], states: &[Vec<ShapeState>], video_path: &str, seed: u64) -> Dataset {
    let source = Provenance::Import { source: format!("vidence demo, seed {seed}") };
    let mut d = Dataset::default();
    d.videos.push(Video {
        id: VIDEO_ID.into(),
        path: video_path.into(),
        width: WIDTH,
        height: HEIGHT,
        fps: f64::from(FPS),
        frame_count: FRAMES,
        duration_s: f64::from(SECONDS),
        tags: Default::default(),
    });
    for (n, shape) in shapes.iter().enumerate() {
        d.categories.push(Category {
            attributes: Vec::new(),
            id: shape.id.into(),
            name: shape.name.into(),
            color: Some(shape.color),
        });
        d.tracks.push(track(n, shape, states, &source));
    }
    let occlusions = runs(states, shapes.len(), |s| s.occluded().then_some(s.occluder).flatten());
    for (n, front, start, end) in &occlusions {
        d.segments.push(Segment {
            id: format!("seg-{}-behind-{}-{start}", shapes[*n].id, shapes[*front].id),
            video: VIDEO_ID.into(),
            label: format!("{} passes behind {}", shapes[*n].name, shapes[*front].name),
            start_s: time(*start),
            end_s: time(*end),
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    let exits = runs(states, shapes.len(), |s| s.outside().then_some(0));
    for (n, _, start, end) in &exits {
        d.segments.push(Segment {
            id: format!("seg-{}-out-{start}", shapes[*n].id),
            video: VIDEO_ID.into(),
            label: format!("{} is out of frame", shapes[*n].name),
            start_s: time(*start),
            end_s: time(*end),
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    d.questions = questions(shapes, states, &occlusions, &d.segments, &source);
    d
}

fn track(n: usize, shape: &Shape, states: &[Vec<ShapeState>], source: &Provenance) -> Track {
    let mut keyframes = Vec::new();
    for (frame, s) in states.iter().enumerate() {
        let s = &s[n];
        match s.bbox {
            Some(b) => keyframes.push(Keyframe {
                frame: frame as u64,
                bbox: bbox(b),
                outside: false,
                occluded: s.occluded(),
            }),
            // Mark the first frame of each absence, if the shape was seen before it.
            None if keyframes.last().is_some_and(|k: &Keyframe| !k.outside) => {
                let last = keyframes.last().map_or(BBox::new(0.0, 0.0, 0.0, 0.0), |k| k.bbox);
                keyframes.push(Keyframe { frame: frame as u64, bbox: last, outside: true, occluded: false });
            }
            None => {}
        }
    }
    Track {
        attributes: Vec::new(),
        z_order: 0,
        id: format!("track-{}", shape.id),
        video: VIDEO_ID.into(),
        category: shape.id.into(),
        keyframes: keyframes.into(),
        interpolation: Interpolation::Linear,
        source: source.clone(),
        review: Review::Unreviewed,
    }
}

/// Maximal runs of frames where `key` gives the same `Some` value, per shape:
/// `(shape, value, first frame, last frame)`.
fn runs(
    states: &[Vec<ShapeState>],
    shapes: usize,
    key: impl Fn(&ShapeState) -> Option<usize>,
) -> Vec<(usize, usize, u64, u64)> {
    let mut out = Vec::new();
    for n in 0..shapes {
        let mut open: Option<(usize, u64)> = None;
        for (frame, s) in states.iter().enumerate() {
            let k = key(&s[n]);
            if let Some((value, start)) = open
                && k != Some(value)
            {
                if frame as u64 - start >= MIN_RUN {
                    out.push((n, value, start, frame as u64 - 1));
                }
                open = None;
            }
            if open.is_none() {
                open = k.map(|v| (v, frame as u64));
            }
        }
        if let Some((value, start)) = open
            && states.len() as u64 - start >= MIN_RUN
        {
            out.push((n, value, start, states.len() as u64 - 1));
        }
    }
    out.sort_by_key(|r| (r.2, r.0));
    out
}

fn region(b: [u32; 4]) -> String {
    let (cx, cy) = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    let col = ["left", "centre", "right"][(cx * 3 / WIDTH).min(2) as usize];
    let row = ["top", "middle", "bottom"][(cy * 3 / HEIGHT).min(2) as usize];
    format!("{row} {col}")
}

fn questions(
    shapes: &[Shape],
    states: &[Vec<ShapeState>],
    occlusions: &[(usize, usize, u64, u64)],
    segments: &[Segment],
    source: &Provenance,
) -> Vec<Question> {
    let names: Vec<String> = shapes.iter().map(|s| s.name.to_owned()).collect();
    let mut qs = Vec::new();
    let mut push = |kind, text: String, options: Vec<String>, answer: String, evidence, rationale| {
        qs.push(Question {
            id: format!("q{}", qs.len() + 1),
            video: VIDEO_ID.into(),
            kind,
            text,
            options,
            answer,
            evidence,
            rationale,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    };
    for &(n, front, start, end) in occlusions.iter().take(3) {
        let (a, b) = (shapes[n].name, shapes[front].name);
        let seg = segments.iter().find(|s| s.label.starts_with(a) && s.start_s == time(start));
        let mid = (start + end) / 2;
        let step = |text: String, kind, frame: u64| RationaleStep {
            text,
            kind,
            time_s: Some(time(frame)),
            bbox: states[frame as usize][n].bbox.map(bbox),
        };
        let mut evidence = vec![
            Evidence::Span { start_s: time(start), end_s: time(end) },
            Evidence::Track { id: format!("track-{}", shapes[n].id) },
        ];
        if let Some(seg) = seg {
            evidence.insert(0, Evidence::Segment { id: seg.id.clone() });
        }
        push(
            QuestionKind::When,
            format!("When does the {a} pass behind the {b}?"),
            vec![],
            format!("from {:.2} s to {:.2} s", time(start), time(end)),
            evidence,
            vec![
                step(
                    format!("The {b} starts to hide the {a} at {:.2} s.", time(start)),
                    RationaleKind::Perception,
                    start,
                ),
                step(
                    format!("The {a} is mostly visible again after {:.2} s.", time(end)),
                    RationaleKind::Perception,
                    end,
                ),
                RationaleStep {
                    text: format!("So the {a} is behind the {b} between these two times."),
                    kind: RationaleKind::Reasoning,
                    time_s: None,
                    bbox: None,
                },
            ],
        );
        if let Some(b_box) = states[mid as usize][n].bbox {
            push(
                QuestionKind::What,
                format!("Which shape is behind the {b} at {:.2} s?", time(mid)),
                names.clone(),
                a.to_owned(),
                vec![
                    Evidence::Box { time_s: time(mid), bbox: bbox(b_box) },
                    Evidence::Track { id: format!("track-{}", shapes[n].id) },
                ],
                vec![],
            );
        }
    }
    for (n, frame) in [(0usize, 90u64), (3, 300), (1, 480)] {
        if let Some(b) = states[frame as usize].get(n).and_then(|s| s.bbox) {
            let name = shapes[n].name;
            push(
                QuestionKind::Where,
                format!("Where is the {name} at {:.2} s?", time(frame)),
                vec![],
                format!("{} of the frame, box [{}, {}, {}, {}]", region(b), b[0], b[1], b[2], b[3]),
                vec![
                    Evidence::Box { time_s: time(frame), bbox: bbox(b) },
                    Evidence::Track { id: format!("track-{}", shapes[n].id) },
                ],
                vec![],
            );
        }
    }
    for frame in [60u64, 360] {
        let count = states[frame as usize].iter().filter(|s| !s.outside()).count();
        push(
            QuestionKind::Counting,
            format!("How many shapes are at least partly in view at {:.2} s?", time(frame)),
            vec![],
            count.to_string(),
            vec![Evidence::Time { time_s: time(frame) }],
            vec![],
        );
    }
    // Direction of the red circle over its first visible second.
    if let Some(n) = shapes.iter().position(|s| s.id == "red-circle")
        && let Some(first) = states.iter().position(|s| !s[n].outside())
        && let (Some(a), Some(b)) =
            (states[first][n].bbox, states.get(first + FPS as usize).and_then(|s| s[n].bbox))
    {
        let dx = i64::from(b[0] + b[2]) - i64::from(a[0] + a[2]);
        let answer = if dx > 0 { "left to right" } else { "right to left" };
        push(
            QuestionKind::Direction,
            format!(
                "In which direction does the red circle move between {:.2} s and {:.2} s?",
                time(first as u64),
                time(first as u64 + FPS as u64)
            ),
            vec!["left to right".into(), "right to left".into()],
            answer.into(),
            vec![Evidence::Span { start_s: time(first as u64), end_s: time(first as u64 + FPS as u64) }],
            vec![],
        );
    }
    qs
}
