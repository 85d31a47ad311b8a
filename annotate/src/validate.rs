//! Checking a dataset for everything serde cannot: numbers that make no sense, boxes
//! that are inverted, keyframes past the end, duplicate ids and dangling references.
//! Every problem is reported with its JSON path, all at once.

use std::collections::HashSet;

use serde::Serialize;

use crate::dataset::{Dataset, Evidence, SCHEMA, Video};
use crate::geometry::BBox;
use crate::run::EvidenceItem;

/// One thing wrong with a dataset, at a JSON path such as `$.tracks[2].keyframes[0].bbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

struct Checker<'a> {
    dataset: &'a Dataset,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { path: path.into(), message: message.into() });
    }

    fn unique_ids<'b>(&mut self, list: &str, ids: impl Iterator<Item = &'b str>) {
        let mut seen = HashSet::new();
        for (i, id) in ids.enumerate() {
            if id.is_empty() {
                self.report(format!("$.{list}[{i}].id"), "id is empty");
            } else if !seen.insert(id) {
                self.report(format!("$.{list}[{i}].id"), format!("duplicate id {id:?}"));
            }
        }
    }

    fn video(&mut self, path: &str, id: &str) -> Option<&Video> {
        let video = self.dataset.video(id);
        if video.is_none() {
            self.report(format!("{path}.video"), format!("no video with id {id:?}"));
        }
        video
    }

    fn bbox(&mut self, path: &str, bbox: &BBox) {
        let [x1, y1, x2, y2] = bbox.0;
        if bbox.0.iter().any(|v| !v.is_finite()) {
            self.report(path, "box has a coordinate that is not a finite number");
        } else if x2 <= x1 || y2 <= y1 {
            self.report(
                path,
                format!("box [{x1}, {y1}, {x2}, {y2}] is inverted or empty (needs x1 < x2 and y1 < y2)"),
            );
        }
    }

    fn time(&mut self, path: &str, t: f64, video: Option<&Video>) {
        if !t.is_finite() || t < 0.0 {
            self.report(path, format!("time {t} is not a non-negative number of seconds"));
        } else if let Some(v) = video
            && t > v.duration_s + 1e-6
        {
            self.report(path, format!("time {t} s is past the end of video {:?} ({} s)", v.id, v.duration_s));
        }
    }
}

/// The problems that can be repaired without guessing, each as an edit with what it
/// does in words: keyframes out of frame order (which draw wrong) are put in order; of
/// two on one frame, the later in the file stays.
pub fn repairs(dataset: &Dataset) -> Vec<(String, crate::Edit)> {
    let mut out = Vec::new();
    for t in &dataset.tracks {
        if t.keyframes.windows(2).all(|w| w[0].frame < w[1].frame) {
            continue;
        }
        let mut sorted: Vec<crate::Keyframe> = t.keyframes.to_vec();
        // Stable: keyframes on one frame keep their file order, and the last one stays.
        sorted.sort_by_key(|k| k.frame);
        let mut kept: Vec<crate::Keyframe> = Vec::with_capacity(sorted.len());
        for k in sorted {
            match kept.last_mut() {
                Some(last) if last.frame == k.frame => *last = k,
                _ => kept.push(k),
            }
        }
        let dropped = t.keyframes.len() - kept.len();
        let what = if dropped == 0 {
            format!("track {:?}: keyframes put in frame order", t.id)
        } else {
            format!("track {:?}: keyframes put in frame order, {dropped} on a frame twice dropped", t.id)
        };
        out.push((what, crate::Edit::RepairKeyframes { track: t.id.clone(), keyframes: kept.into() }));
    }
    out
}

/// Every problem in `dataset`; empty when it is valid.
pub fn validate(dataset: &Dataset) -> Vec<Problem> {
    let mut c = Checker { dataset, problems: Vec::new() };
    if dataset.schema != SCHEMA {
        c.report("$.schema", format!("schema is {:?}, expected {SCHEMA:?}", dataset.schema));
    }
    c.unique_ids("videos", dataset.videos.iter().map(|v| v.id.as_str()));
    c.unique_ids("categories", dataset.categories.iter().map(|x| x.id.as_str()));
    c.unique_ids("tracks", dataset.tracks.iter().map(|x| x.id.as_str()));
    c.unique_ids("segments", dataset.segments.iter().map(|x| x.id.as_str()));
    c.unique_ids("questions", dataset.questions.iter().map(|x| x.id.as_str()));
    c.unique_ids("runs", dataset.runs.iter().map(|x| x.id.as_str()));

    for (i, v) in dataset.videos.iter().enumerate() {
        let path = format!("$.videos[{i}]");
        if v.width == 0 || v.height == 0 {
            c.report(&path, format!("size {}x{} is empty", v.width, v.height));
        }
        if !(v.fps.is_finite() && v.fps > 0.0) {
            c.report(format!("{path}.fps"), format!("fps {} is not a positive number", v.fps));
        }
        if !(v.duration_s.is_finite() && v.duration_s >= 0.0) {
            c.report(
                format!("{path}.duration_s"),
                format!("duration {} is not a non-negative number", v.duration_s),
            );
        }
    }

    for (i, t) in dataset.tracks.iter().enumerate() {
        let path = format!("$.tracks[{i}]");
        let frame_count = c.video(&path, &t.video).map(|v| v.frame_count);
        if dataset.category(&t.category).is_none() {
            c.report(format!("{path}.category"), format!("no category with id {:?}", t.category));
        }
        let mut previous: Option<u64> = None;
        for (k, key) in t.keyframes.iter().enumerate() {
            let kpath = format!("{path}.keyframes[{k}]");
            if let Some(p) = previous
                && key.frame <= p
            {
                c.report(
                    format!("{kpath}.frame"),
                    format!("frame {} does not come after frame {p}", key.frame),
                );
            }
            if let Some(n) = frame_count
                && key.frame >= n
            {
                c.report(
                    format!("{kpath}.frame"),
                    format!("frame {} is past the last frame ({})", key.frame, n.saturating_sub(1)),
                );
            }
            c.bbox(&format!("{kpath}.bbox"), &key.bbox);
            previous = Some(key.frame);
        }
    }

    for (i, s) in dataset.segments.iter().enumerate() {
        let path = format!("$.segments[{i}]");
        let video = c.video(&path, &s.video).cloned();
        c.time(&format!("{path}.start_s"), s.start_s, video.as_ref());
        c.time(&format!("{path}.end_s"), s.end_s, video.as_ref());
        if s.end_s < s.start_s {
            c.report(&path, format!("span ends ({} s) before it starts ({} s)", s.end_s, s.start_s));
        }
    }

    for (i, q) in dataset.questions.iter().enumerate() {
        let path = format!("$.questions[{i}]");
        let video = c.video(&path, &q.video).cloned();
        if !q.options.is_empty() && !q.options.contains(&q.answer) {
            c.report(format!("{path}.answer"), format!("answer {:?} is not one of the options", q.answer));
        }
        for (e, evidence) in q.evidence.iter().enumerate() {
            let epath = format!("{path}.evidence[{e}]");
            match evidence {
                Evidence::Segment { id } if !dataset.segments.iter().any(|s| &s.id == id) => {
                    c.report(format!("{epath}.id"), format!("no segment with id {id:?}"));
                }
                Evidence::Track { id } if !dataset.tracks.iter().any(|t| &t.id == id) => {
                    c.report(format!("{epath}.id"), format!("no track with id {id:?}"));
                }
                Evidence::Time { time_s } => c.time(&format!("{epath}.time_s"), *time_s, video.as_ref()),
                Evidence::Span { start_s, end_s } => {
                    c.time(&format!("{epath}.start_s"), *start_s, video.as_ref());
                    c.time(&format!("{epath}.end_s"), *end_s, video.as_ref());
                    if end_s < start_s {
                        c.report(&epath, "span ends before it starts");
                    }
                }
                Evidence::Box { time_s, bbox } => {
                    c.time(&format!("{epath}.time_s"), *time_s, video.as_ref());
                    c.bbox(&format!("{epath}.bbox"), bbox);
                }
                Evidence::Segment { .. } | Evidence::Track { .. } => {}
            }
        }
        for (r, step) in q.rationale.iter().enumerate() {
            let rpath = format!("{path}.rationale[{r}]");
            if let Some(t) = step.time_s {
                c.time(&format!("{rpath}.time_s"), t, video.as_ref());
            }
            if let Some(b) = &step.bbox {
                c.bbox(&format!("{rpath}.bbox"), b);
            }
        }
    }
    // What a model said is kept as it said it (a time past the end is its mistake, to
    // be seen); only the run's links and verdicts must hold.
    for (i, run) in dataset.runs.iter().enumerate() {
        let path = format!("$.runs[{i}]");
        c.video(&path, &run.video);
        for (v, verdict) in run.verdicts.iter().enumerate() {
            let (list, index, len) = match verdict.item {
                EvidenceItem::Box { index } => ("boxes", index, run.prediction.boxes.len()),
                EvidenceItem::Span { index } => ("spans", index, run.prediction.spans.len()),
                EvidenceItem::Track { .. } | EvidenceItem::Answer => continue,
            };
            if index >= len {
                c.report(
                    format!("{path}.verdicts[{v}].item.index"),
                    format!("the prediction has {len} {list}, not {}", index + 1),
                );
            }
        }
    }
    c.problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{
        Category, Interpolation, Keyframe, Provenance, Question, QuestionKind, Review, Segment, Track,
    };

    fn valid() -> Dataset {
        let mut d = Dataset::default();
        d.videos.push(Video {
            id: "v".into(),
            path: "v.mp4".into(),
            width: 64,
            height: 48,
            fps: 10.0,
            frame_count: 20,
            duration_s: 2.0,
            tags: Default::default(),
        });
        d.categories.push(Category {
            attributes: Vec::new(),
            id: "c".into(),
            name: "cat".into(),
            color: None,
        });
        let key =
            |frame| Keyframe { frame, bbox: BBox::new(1.0, 1.0, 5.0, 5.0), outside: false, occluded: false };
        d.tracks.push(Track {
            attributes: Vec::new(),
            z_order: 0,
            id: "t".into(),
            video: "v".into(),
            category: "c".into(),
            keyframes: vec![key(0), key(19)].into(),
            interpolation: Interpolation::Linear,
            source: Provenance::Human,
            review: Review::Unreviewed,
        });
        d.segments.push(Segment {
            id: "s".into(),
            video: "v".into(),
            label: "x".into(),
            start_s: 0.5,
            end_s: 1.0,
            source: Provenance::Human,
            review: Review::Unreviewed,
        });
        d.questions.push(Question {
            id: "q".into(),
            video: "v".into(),
            kind: QuestionKind::When,
            text: "when?".into(),
            options: vec!["a".into(), "b".into()],
            answer: "a".into(),
            evidence: vec![Evidence::Segment { id: "s".into() }, Evidence::Track { id: "t".into() }],
            rationale: vec![],
            source: Provenance::Human,
            review: Review::Unreviewed,
        });
        d
    }

    fn paths(d: &Dataset) -> Vec<String> {
        validate(d).into_iter().map(|p| p.path).collect()
    }

    #[test]
    fn a_valid_dataset_has_no_problems() {
        assert_eq!(validate(&valid()), vec![]);
        assert!(repairs(&valid()).is_empty());
    }

    #[test]
    fn keyframes_out_of_order_are_repaired_by_an_edit_that_undoes() {
        let mut d = valid();
        let original = d.clone();
        let mut keys = d.tracks[0].keyframes.to_vec();
        keys.reverse();
        let mut twice = keys[0].clone();
        twice.bbox.0[0] += 1.0;
        keys.push(twice.clone());
        d.tracks[0].keyframes = keys.into();
        assert!(paths(&d).iter().any(|p| p.ends_with(".frame")), "out of order is a problem");
        let fixes = repairs(&d);
        assert_eq!(fixes.len(), 1);
        assert!(fixes[0].0.contains("1 on a frame twice dropped"), "{}", fixes[0].0);
        let broken = d.clone();
        let undo = fixes[0].1.apply(&mut d).expect("the repair applies");
        assert!(validate(&d).is_empty(), "{:?}", validate(&d));
        let frames: Vec<u64> = d.tracks[0].keyframes.iter().map(|k| k.frame).collect();
        let want: Vec<u64> = original.tracks[0].keyframes.iter().map(|k| k.frame).collect();
        assert_eq!(frames, want);
        assert!(d.tracks[0].keyframes.contains(&twice), "the later of two on one frame stays");
        undo.apply(&mut d).unwrap();
        assert_eq!(d, broken);
    }

    #[test]
    fn bad_boxes_frames_and_times_are_reported_by_path() {
        let mut d = valid();
        d.tracks[0].keyframes[0].bbox = BBox::new(5.0, 1.0, 1.0, 5.0);
        d.tracks[0].keyframes[1].bbox.0[3] = f32::NAN;
        d.tracks[0].keyframes[1].frame = 20;
        d.segments[0].end_s = 0.1;
        d.questions[0].evidence.push(Evidence::Time { time_s: 9.0 });
        let problems = validate(&d);
        let at: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            at,
            [
                "$.tracks[0].keyframes[0].bbox",
                "$.tracks[0].keyframes[1].frame",
                "$.tracks[0].keyframes[1].bbox",
                "$.segments[0]",
                "$.questions[0].evidence[2].time_s",
            ]
        );
        assert!(problems[0].message.contains("inverted"));
        assert!(problems[1].message.contains("past the last frame (19)"));
        assert!(problems[2].message.contains("not a finite number"));
    }

    #[test]
    fn duplicates_and_dangling_references_are_reported() {
        let mut d = valid();
        d.tracks.push(d.tracks[0].clone());
        d.tracks[1].video = "nope".into();
        d.tracks[1].category = "gone".into();
        d.questions[0].evidence.push(Evidence::Segment { id: "missing".into() });
        d.questions[0].answer = "c".into();
        d.tracks[0].keyframes.swap(0, 1);
        assert_eq!(
            paths(&d),
            [
                "$.tracks[1].id",
                "$.tracks[0].keyframes[1].frame",
                "$.tracks[1].video",
                "$.tracks[1].category",
                "$.questions[0].answer",
                "$.questions[0].evidence[2].id",
            ]
        );
    }
}
