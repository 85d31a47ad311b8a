//! A CVAT file's tasks as videos, labels as categories, and tracks' boxes as
//! keyframes and attribute values.

use super::super::{FormatError, Input, MAX_FRAMES, Report, TrackIds, provenance, video_record};
use super::elements::{CvatBox, Elements};
use crate::dataset::{AttributeValue, Dataset, Interpolation, Keyframe, Review, Track, Video};
use crate::labels::category_named;

/// CVAT writes coordinates with two decimals: a dumped box within this of the
/// interpolated one is the interpolation.
const SAME_BOX: f32 = 0.011;

/// The dataset of one file: its tasks as videos, labels as categories, tracks.
pub(super) fn build(
    input: &Input,
    Elements { tasks, labels, tracks }: Elements,
    data: &mut Dataset,
    ids: &mut TrackIds,
    report: &mut Report,
) -> Result<(), FormatError> {
    let source = provenance(super::super::Format::Cvat, &input.name);
    let mut videos: Vec<(String, Video, u64, u64, u64)> = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        let base =
            if t.name.is_empty() { super::super::file_stem(&input.name).to_owned() } else { t.name.clone() };
        let mut id = base.clone();
        let mut n = 2;
        while data.video(&id).is_some() || videos.iter().any(|(_, v, ..)| v.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let stop =
            t.stop.or(t.size.map(|s| t.start.saturating_add(s.saturating_sub(1).saturating_mul(t.step))));
        let stop = stop.unwrap_or(t.start);
        if stop >= MAX_FRAMES {
            return Err(FormatError::Invalid {
                file: input.name.clone(),
                message: format!(
                    "task {:?} ends on frame {stop}, past any video ({MAX_FRAMES} frames)",
                    t.name
                ),
            });
        }
        let size = t.width.zip(t.height);
        let path = t.source.clone().unwrap_or_else(|| id.clone());
        let video = video_record(&id, &path, size, stop + 1, None, report);
        let key = if t.id.is_empty() { i.to_string() } else { t.id.clone() };
        videos.push((key, video, t.start, stop, t.step));
    }
    for l in &labels {
        let (id, edit) = category_named(data, &l.name, l.color);
        if let Some(crate::edit::Edit::InsertCategory { mut category, .. }) = edit {
            category.attributes.clone_from(&l.attributes);
            data.categories.push(category);
        } else if let Some(c) = data.categories.iter_mut().find(|c| c.id == id)
            && c.attributes.is_empty()
        {
            c.attributes.clone_from(&l.attributes);
        }
    }
    for t in tracks {
        let video = match &t.task {
            Some(task) => videos.iter().find(|(key, ..)| key == task),
            None => videos.first(),
        };
        let Some((_, video, start, stop, step)) = video else {
            report.skip("tracks", "their task_id is none of the file's tasks", t.at.clone());
            continue;
        };
        let (category, edit) = category_named(data, &t.label, None);
        if let Some(crate::edit::Edit::InsertCategory { category, .. }) = edit {
            data.categories.push(category);
        }
        let boxes = checked_boxes(t.boxes, &t.at, *start, *stop, *step, report);
        if boxes.is_empty() {
            report.skip("tracks", "no box of theirs could be kept", t.at.clone());
            continue;
        }
        let attributes = attribute_values(&boxes);
        let z_order = boxes[0].z_order;
        if boxes.iter().any(|b| b.z_order != z_order) {
            report.skip("z_order changes", "a track keeps its first box's z_order", t.at.clone());
        }
        let mut keyframes = keyframes_of(&boxes);
        // A shape of one image is on that frame only.
        if t.id.is_empty()
            && let Some(last) = keyframes.last().cloned()
            && !last.outside
            && last.frame < *stop
        {
            keyframes.push(Keyframe { frame: last.frame + 1, outside: true, ..last });
        }
        let id = if t.id.is_empty() { ids.named("", "track") } else { ids.numbered(&video.id, &t.id) };
        data.tracks.push(Track {
            id,
            video: video.id.clone(),
            category,
            keyframes: keyframes.into(),
            interpolation: Interpolation::Linear,
            attributes,
            z_order,
            source: source.clone(),
            review: Review::Unreviewed,
        });
    }
    data.videos.extend(videos.into_iter().map(|(_, v, ..)| v));
    Ok(())
}

/// The boxes in frame order that can be kept: on the task's frames, not inverted,
/// one per frame.
fn checked_boxes(
    mut boxes: Vec<CvatBox>,
    track: &str,
    start: u64,
    stop: u64,
    step: u64,
    report: &mut Report,
) -> Vec<CvatBox> {
    let at = |b: &CvatBox| format!("{track}/box[{}]", b.index);
    boxes.sort_by_key(|b| b.frame);
    let mut out: Vec<CvatBox> = Vec::with_capacity(boxes.len());
    for b in boxes {
        let [x1, y1, x2, y2] = b.bbox.0;
        if b.frame < start || b.frame > stop || !(b.frame - start).is_multiple_of(step) {
            report.skip(
                "boxes",
                &format!("their frame is not one of the task's ({start} to {stop}, step {step})"),
                at(&b),
            );
        } else if !b.bbox.0.iter().all(|v| v.is_finite()) || x2 < x1 || y2 < y1 {
            report.skip("boxes", "inverted or not finite", at(&b));
        } else if out.last().is_some_and(|p| p.frame == b.frame) {
            report.skip("boxes", "a second box of the track on the same frame", at(&b));
        } else {
            out.push(b);
        }
    }
    out
}

/// Keyframes: CVAT's own, where the track goes outside, and every dumped box that
/// Vidence's interpolation would not give back.
fn keyframes_of(boxes: &[CvatBox]) -> Vec<Keyframe> {
    let mut keep: Vec<bool> =
        boxes.iter().enumerate().map(|(i, b)| i == 0 || b.keyframe || b.outside).collect();
    loop {
        let track: Vec<Keyframe> = kept(boxes, &keep);
        let probe = Track {
            id: String::new(),
            video: String::new(),
            category: String::new(),
            keyframes: track.into(),
            interpolation: Interpolation::Linear,
            attributes: Vec::new(),
            z_order: 0,
            source: crate::dataset::Provenance::Human,
            review: Review::Unreviewed,
        };
        let mut changed = false;
        for (i, b) in boxes.iter().enumerate() {
            if keep[i] {
                continue;
            }
            let same = probe.box_at(b.frame).is_some_and(|got| {
                got.occluded == b.occluded
                    && got.bbox.0.iter().zip(b.bbox.0).all(|(a, c)| (a - c).abs() <= SAME_BOX)
            });
            if !same {
                keep[i] = true;
                changed = true;
            }
        }
        if !changed {
            return probe.keyframes.to_vec();
        }
    }
}

fn kept(boxes: &[CvatBox], keep: &[bool]) -> Vec<Keyframe> {
    boxes
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(b, _)| Keyframe { frame: b.frame, bbox: b.bbox, outside: b.outside, occluded: b.occluded })
        .collect()
}

/// A track's attribute values: one that never changes for the whole track, any other
/// from each frame where it changes (an immutable one that changes stays exact).
fn attribute_values(boxes: &[CvatBox]) -> Vec<AttributeValue> {
    let mut names: Vec<&str> = Vec::new();
    for b in boxes {
        for (n, _) in &b.attributes {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let mut whole = Vec::new();
    let mut changes = Vec::new();
    for name in names {
        let values: Vec<(u64, &str)> = boxes
            .iter()
            .filter_map(|b| b.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| (b.frame, v.as_str())))
            .collect();
        let constant = values.iter().all(|(_, v)| *v == values[0].1);
        if constant {
            whole.push(AttributeValue { name: name.to_owned(), value: values[0].1.to_owned(), frame: None });
            continue;
        }
        let mut last: Option<&str> = None;
        for (frame, v) in values {
            if last != Some(v) {
                changes.push(AttributeValue {
                    name: name.to_owned(),
                    value: v.to_owned(),
                    frame: Some(frame),
                });
                last = Some(v);
            }
        }
    }
    changes.sort_by_key(|a| a.frame);
    whole.extend(changes);
    whole
}
