//! An imported dataset added to an open one as one edit (one undo takes it all back):
//! a video the dataset has already (the same id and record) is joined, others added;
//! categories joined by name (the one category rule); labels that share an id with one
//! there get a fresh one, and the evidence citing them follows.

use std::collections::{HashMap, HashSet};

use crate::dataset::{Category, Dataset, Evidence, Video};
use crate::edit::Edit;
use crate::labels::{Ids, category_named};

pub fn merge(into: &Dataset, imported: Dataset) -> Edit {
    let mut edits = Vec::new();
    // Videos and categories go into a copy first, so each later one sees them.
    let mut scratch = Dataset {
        tracks: Vec::new(),
        segments: Vec::new(),
        questions: Vec::new(),
        runs: Vec::new(),
        ..into.clone()
    };
    let mut videos: HashMap<String, String> = HashMap::new();
    for video in imported.videos {
        let original = video.id.clone();
        let same =
            scratch.video(&video.id).filter(|v| v.mismatches(&video).is_empty() || v.path == video.path);
        let id = match same {
            Some(v) => v.id.clone(),
            None => {
                let mut id = video.id.clone();
                let mut n = 2;
                while scratch.video(&id).is_some() {
                    id = format!("{original}-{n}");
                    n += 1;
                }
                let edit = Edit::InsertVideo {
                    index: scratch.videos.len(),
                    video: Video { id: id.clone(), ..video },
                };
                push(&mut scratch, &mut edits, edit);
                id
            }
        };
        videos.insert(original, id);
    }
    let mut categories: HashMap<String, String> = HashMap::new();
    for c in imported.categories {
        let (id, edit) = category_named(&scratch, &c.name, c.color);
        if let Some(Edit::InsertCategory { index, category }) = edit {
            let category = Category { attributes: c.attributes.clone(), ..category };
            push(&mut scratch, &mut edits, Edit::InsertCategory { index, category });
        }
        categories.insert(c.id, id);
    }
    let mut ids = Ids::of(into);
    let mut taken: HashSet<String> = into.tracks.iter().map(|t| t.id.clone()).collect();
    taken.extend(into.segments.iter().map(|s| s.id.clone()));
    taken.extend(into.questions.iter().map(|q| q.id.clone()));
    let mut fresh = |id: &str, prefix: &str| {
        let id = if taken.contains(id) { ids.next(prefix) } else { id.to_owned() };
        taken.insert(id.clone());
        id
    };
    let video_of = |v: &str| videos.get(v).cloned().unwrap_or_else(|| v.to_owned());
    let mut renamed: HashMap<String, String> = HashMap::new();
    for mut t in imported.tracks {
        let id = fresh(&t.id, "track");
        renamed.insert(std::mem::replace(&mut t.id, id.clone()), id);
        t.video = video_of(&t.video);
        t.category = categories.get(&t.category).cloned().unwrap_or(t.category);
        edits.push(Edit::InsertTrack { index: usize::MAX, track: t });
    }
    for mut s in imported.segments {
        let id = fresh(&s.id, "segment");
        renamed.insert(std::mem::replace(&mut s.id, id.clone()), id);
        s.video = video_of(&s.video);
        edits.push(Edit::InsertSegment { index: usize::MAX, segment: s });
    }
    for mut q in imported.questions {
        q.id = fresh(&q.id, "question");
        q.video = video_of(&q.video);
        for e in &mut q.evidence {
            if let Evidence::Track { id } | Evidence::Segment { id } = e
                && let Some(new) = renamed.get(id)
            {
                id.clone_from(new);
            }
        }
        edits.push(Edit::InsertQuestion { index: usize::MAX, question: q });
    }
    Edit::Batch { edits }
}

fn push(scratch: &mut Dataset, edits: &mut Vec<Edit>, edit: Edit) {
    if edit.apply(scratch).is_ok() {
        edits.push(edit);
    }
}
