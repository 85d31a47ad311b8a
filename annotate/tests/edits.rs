//! Property tests over random edit sequences: undo is exact, a replayed journal equals
//! the live dataset, edits survive JSON, and failed edits change nothing.

use annotate::{
    BBox, Category, Dataset, Edit, Evidence, History, Interpolation, Keyframe, LabelRef, Provenance,
    Question, QuestionKind, Review, Segment, Track, Video,
};

/// splitmix64: small, stable, seedable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len() as u64) as usize])
    }
}

fn keyframe(rng: &mut Rng, frame: u64) -> Keyframe {
    let (x, y) = (rng.below(600) as f32, rng.below(400) as f32);
    let (w, h) = (1.0 + rng.below(100) as f32, 1.0 + rng.below(100) as f32);
    Keyframe {
        frame,
        bbox: BBox::new(x, y, x + w, y + h),
        outside: rng.below(8) == 0,
        occluded: rng.below(5) == 0,
    }
}

fn track(rng: &mut Rng, id: String) -> Track {
    let mut frames: Vec<u64> = (0..1 + rng.below(8)).map(|_| rng.below(100)).collect();
    frames.sort_unstable();
    frames.dedup();
    Track {
        attributes: Vec::new(),
        z_order: 0,
        id,
        video: "v".into(),
        category: if rng.coin() { "a".into() } else { "b".into() },
        keyframes: frames.into_iter().map(|f| keyframe(rng, f)).collect(),
        interpolation: [Interpolation::Linear, Interpolation::Hold, Interpolation::Smooth]
            [rng.below(3) as usize],
        source: Provenance::Human,
        review: Review::Unreviewed,
    }
}

fn segment(rng: &mut Rng, id: String) -> Segment {
    let start = rng.below(50) as f64 / 10.0;
    Segment {
        id,
        video: "v".into(),
        label: format!("label {}", rng.below(5)),
        start_s: start,
        end_s: start + rng.below(30) as f64 / 10.0,
        source: Provenance::Model { model_id: "m".into() },
        review: Review::Unreviewed,
    }
}

fn question(rng: &mut Rng, id: String) -> Question {
    Question {
        id,
        video: "v".into(),
        kind: QuestionKind::What,
        text: format!("question {}", rng.below(100)),
        options: vec![],
        answer: format!("answer {}", rng.below(100)),
        evidence: vec![Evidence::Time { time_s: rng.below(10) as f64 }],
        rationale: vec![],
        source: Provenance::Human,
        review: Review::Unreviewed,
    }
}

fn dataset(rng: &mut Rng) -> Dataset {
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
    d.categories.push(Category { attributes: Vec::new(), id: "a".into(), name: "A".into(), color: None });
    d.categories.push(Category {
        attributes: Vec::new(),
        id: "b".into(),
        name: "B".into(),
        color: Some([1, 2, 3]),
    });
    d.tracks = (0..3).map(|i| track(rng, format!("t{i}"))).collect();
    d.segments = (0..2).map(|i| segment(rng, format!("s{i}"))).collect();
    d.questions = vec![question(rng, "q0".into())];
    d
}

/// An edit that may or may not apply to `d` (about one in five names something absent).
fn random_edit(rng: &mut Rng, d: &Dataset, n: usize) -> Edit {
    let mut track_ids: Vec<String> = d.tracks.iter().map(|t| t.id.clone()).collect();
    track_ids.push("missing".into());
    let mut segment_ids: Vec<String> = d.segments.iter().map(|s| s.id.clone()).collect();
    segment_ids.push("missing".into());
    let any_track = rng.pick(&track_ids).cloned().unwrap_or_default();
    let any_segment = rng.pick(&segment_ids).cloned().unwrap_or_default();
    let frame = rng.below(100);
    match rng.below(17) {
        0 => Edit::InsertTrack { index: rng.below(5) as usize, track: track(rng, format!("new{n}")) },
        1 => Edit::RemoveTrack { id: any_track },
        2 | 3 => Edit::SetKeyframe { track: any_track, keyframe: keyframe(rng, frame) },
        4 => {
            let existing = d
                .tracks
                .iter()
                .find(|t| t.id == any_track)
                .and_then(|t| rng.pick(&t.keyframes))
                .map(|k| k.frame);
            Edit::DeleteKeyframe { track: any_track, frame: existing.unwrap_or(frame) }
        }
        5 => Edit::SplitTrack { track: any_track, frame, new_id: format!("split{n}") },
        6 => Edit::MergeTracks { into: any_track, from: rng.pick(&track_ids).cloned().unwrap_or_default() },
        7 => Edit::DeleteTrackFrom { track: any_track, frame },
        8 => Edit::SetInterpolation { track: any_track, interpolation: Interpolation::Hold },
        9 => Edit::SetTrackCategory {
            track: any_track,
            category: if rng.coin() { "a".into() } else { "zzz".into() },
        },
        10 => Edit::InsertSegment { index: 0, segment: segment(rng, format!("seg{n}")) },
        11 => Edit::RemoveSegment { id: any_segment },
        12 => {
            let start = rng.below(80) as f64 / 10.0;
            Edit::SetSegmentSpan {
                id: any_segment,
                start_s: start,
                end_s: start + rng.below(20) as f64 / 10.0 - 0.5,
            }
        }
        13 => {
            let id = if rng.coin() { "q0" } else { "qx" };
            Edit::SetQuestion { question: question(rng, id.into()) }
        }
        14 => Edit::SetReview {
            label: if rng.coin() { LabelRef::Track(any_track) } else { LabelRef::Segment(any_segment) },
            review: Review::Accepted,
        },
        15 => Edit::SetSegmentLabel { id: any_segment, label: format!("renamed {n}") },
        _ => Edit::Batch {
            edits: (0..1 + rng.below(3)).map(|k| random_edit(rng, d, n * 10 + k as usize + 1000)).collect(),
        },
    }
}

#[test]
fn random_edit_sequences_undo_replay_and_serialize_exactly() {
    let mut applied_total = 0;
    let mut failed_total = 0;
    for seed in 0..300u64 {
        let mut rng = Rng(seed);
        let original = dataset(&mut rng);
        let mut live = original.clone();
        let mut history = History::default();
        // What a journal would hold: every edit as applied, undo and redo included.
        let mut journal: Vec<String> = Vec::new();
        for n in 0..40 {
            let action = rng.below(10);
            if action == 0 {
                if let Some(e) = history.undo(&mut live) {
                    journal.push(serde_json::to_string(&e).unwrap());
                }
                continue;
            }
            if action == 1 {
                if let Some(e) = history.redo(&mut live) {
                    journal.push(serde_json::to_string(&e).unwrap());
                }
                continue;
            }
            let edit = random_edit(&mut rng, &live, n);
            let before = live.clone();
            match history.apply(&mut live, edit.clone()) {
                Ok(()) => {
                    applied_total += 1;
                    journal.push(serde_json::to_string(&edit).unwrap());
                }
                Err(_) => {
                    failed_total += 1;
                    assert_eq!(live, before, "seed {seed}: a failed edit changed the dataset: {edit:?}");
                }
            }
            assert!(
                live.tracks.iter().all(|t| t.keyframes.windows(2).all(|w| w[0].frame < w[1].frame)),
                "seed {seed}: keyframes out of order after {edit:?}"
            );
        }
        // Replaying the journal on the original gives the live state.
        let mut replayed = original.clone();
        for line in &journal {
            let edit: Edit = serde_json::from_str(line).unwrap();
            edit.apply(&mut replayed).unwrap_or_else(|e| panic!("seed {seed}: replay failed: {e}"));
        }
        assert_eq!(replayed, live, "seed {seed}: journal replay differs");
        // Undoing everything restores the original exactly; redoing as many steps gets
        // back (edits undone during the session stay redoable beyond that).
        let end = live.clone();
        let mut undone = 0;
        while history.undo(&mut live).is_some() {
            undone += 1;
        }
        assert!(!history.can_undo(), "seed {seed}: an undo failed");
        assert_eq!(live, original, "seed {seed}: undo all did not restore the original");
        for _ in 0..undone {
            assert!(history.redo(&mut live).is_some(), "seed {seed}: a redo failed");
        }
        assert_eq!(live, end, "seed {seed}: redo did not come back");
        // Save then load is identical.
        let json = serde_json::to_string(&live).unwrap();
        assert_eq!(serde_json::from_str::<Dataset>(&json).unwrap(), live);
    }
    assert!(applied_total > 3000 && failed_total > 500, "applied {applied_total}, failed {failed_total}");
}

#[test]
fn interpolation_passes_through_every_keyframe_and_respects_outside() {
    for seed in 0..500u64 {
        let mut rng = Rng(seed);
        let t = track(&mut rng, "t".into());
        for k in &t.keyframes {
            let at = t.box_at(k.frame);
            if k.outside {
                assert_eq!(at, None, "seed {seed}: shown on an outside keyframe");
            } else {
                assert_eq!(at.map(|b| b.bbox), Some(k.bbox), "seed {seed}: frame {}", k.frame);
            }
        }
        for w in t.keyframes.windows(2) {
            for f in w[0].frame + 1..w[1].frame {
                let at = t.box_at(f);
                if w[0].outside {
                    assert_eq!(at, None, "seed {seed}: shown between outside and the next keyframe");
                } else {
                    let b = at.expect("a box between keyframes").bbox;
                    for i in 0..4 {
                        let (lo, hi) =
                            (w[0].bbox.0[i].min(w[1].bbox.0[i]), w[0].bbox.0[i].max(w[1].bbox.0[i]));
                        assert!(
                            b.0[i] >= lo - 1e-3 && b.0[i] <= hi + 1e-3,
                            "seed {seed}: frame {f} leaves its keyframes' range"
                        );
                    }
                }
            }
        }
    }
}
