//! An imported dataset added to an open one as one edit (one undo takes it all back):
//! a video the dataset has already (the same id and record) is joined, others added;
//! categories joined by name (the one category rule); a label the dataset has already
//! (the same id and contents, from wherever it came) is joined, so a file imported
//! twice adds nothing and a result file's runs answer the questions already there;
//! other labels that share an id with one there get a fresh one, and the evidence and
//! runs citing them follow.

use std::collections::{HashMap, HashSet};

use crate::dataset::{Category, Dataset, Evidence, Provenance, Question, Review, Segment, Track, Video};
use crate::edit::{Edit, LabelRef};
use crate::labels::{Ids, category_named};

pub fn merge(into: &Dataset, imported: Dataset) -> Edit {
    // A fresh id is past those of both sides, so none given later can take it again.
    let mut ids = Ids::of(into);
    ids.extend(&imported);
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
    let mut taken: HashSet<String> = into.tracks.iter().map(|t| t.id.clone()).collect();
    taken.extend(into.segments.iter().map(|s| s.id.clone()));
    taken.extend(into.questions.iter().map(|q| q.id.clone()));
    taken.extend(into.runs.iter().map(|r| r.id.clone()));
    let mut fresh = |id: &str, prefix: &str| {
        let id = if taken.contains(id) { ids.next(prefix) } else { id.to_owned() };
        taken.insert(id.clone());
        id
    };
    let video_of = |v: &str| videos.get(v).cloned().unwrap_or_else(|| v.to_owned());
    let mut renamed: HashMap<String, String> = HashMap::new();
    for mut t in imported.tracks {
        t.video = video_of(&t.video);
        t.category = categories.get(&t.category).cloned().unwrap_or(t.category);
        if let Some(there) = into.track(&t.id)
            && same(there, &t)
        {
            continue;
        }
        let id = fresh(&t.id, "track");
        renamed.insert(std::mem::replace(&mut t.id, id.clone()), id);
        edits.push(Edit::InsertTrack { index: usize::MAX, track: t });
    }
    for mut s in imported.segments {
        s.video = video_of(&s.video);
        if let Some(there) = into.segment(&s.id)
            && same(there, &s)
        {
            continue;
        }
        let id = fresh(&s.id, "segment");
        renamed.insert(std::mem::replace(&mut s.id, id.clone()), id);
        edits.push(Edit::InsertSegment { index: usize::MAX, segment: s });
    }
    for mut q in imported.questions {
        q.video = video_of(&q.video);
        for e in &mut q.evidence {
            if let Evidence::Track { id } | Evidence::Segment { id } = e
                && let Some(new) = renamed.get(id)
            {
                id.clone_from(new);
            }
        }
        if let Some(there) = into.question(&q.id)
            && same(there, &q)
        {
            continue;
        }
        let id = fresh(&q.id, "question");
        renamed.insert(std::mem::replace(&mut q.id, id.clone()), id);
        edits.push(Edit::InsertQuestion { index: usize::MAX, question: q });
    }
    for mut r in imported.runs {
        r.id = fresh(&r.id, "run");
        r.video = video_of(&r.video);
        if let Some(LabelRef::Track(id) | LabelRef::Segment(id) | LabelRef::Question(id)) = &mut r.answers
            && let Some(new) = renamed.get(id)
        {
            id.clone_from(new);
        }
        edits.push(Edit::InsertRun { index: usize::MAX, run: Box::new(r) });
    }
    Edit::Batch { edits }
}

/// A label whose source and review are not what it says.
trait Label: Clone + PartialEq {
    fn marks(&mut self) -> (&mut Provenance, &mut Review);
}

macro_rules! label {
    ($($t:ty),*) => {$(
        impl Label for $t {
            fn marks(&mut self) -> (&mut Provenance, &mut Review) {
                (&mut self.source, &mut self.review)
            }
        }
    )*};
}
label!(Track, Segment, Question);

/// Whether two labels are the same but for where they came from and their review.
fn same<T: Label>(a: &T, b: &T) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    for x in [&mut a, &mut b] {
        let (source, review) = x.marks();
        *source = Provenance::Human;
        *review = Review::Unreviewed;
    }
    a == b
}

fn push(scratch: &mut Dataset, edits: &mut Vec<Edit>, edit: Edit) {
    if edit.apply(scratch).is_ok() {
        edits.push(edit);
    }
}
