//! New labels: fresh ids and the one rule for new categories, used by drawing,
//! accepting model evidence and importing.

use std::collections::HashMap;

use crate::dataset::{Category, Dataset};
use crate::edit::Edit;

/// Hands out ids `PREFIX-N` that no label (track, segment, question, run) has, after
/// one pass over the dataset, so a batch of new labels costs no scan per id.
#[derive(Debug, Default)]
pub struct Ids {
    /// The highest N of each prefix in use.
    highest: HashMap<String, u64>,
}

impl Ids {
    pub fn of(data: &Dataset) -> Self {
        let mut ids = Self::default();
        ids.extend(data);
        ids
    }

    /// The ids of `data` taken too.
    pub fn extend(&mut self, data: &Dataset) {
        let all = data.tracks.iter().map(|t| &t.id).chain(data.segments.iter().map(|s| &s.id));
        for id in all.chain(data.questions.iter().map(|q| &q.id)).chain(data.runs.iter().map(|r| &r.id)) {
            self.taken(id);
        }
    }

    fn taken(&mut self, id: &str) {
        if let Some((prefix, n)) = id.rsplit_once('-')
            && let Ok(n) = n.parse::<u64>()
        {
            let highest = self.highest.entry(prefix.to_owned()).or_default();
            *highest = (*highest).max(n);
        }
    }

    /// `PREFIX-N` with N above every N in use with that prefix: as a string it differs
    /// from every id there is.
    pub fn next(&mut self, prefix: &str) -> String {
        let n = self.highest.entry(prefix.to_owned()).or_default();
        *n += 1;
        format!("{prefix}-{n}")
    }
}

/// The category named `name` (ignoring case), or a new one: its id is the name in
/// lower case with dashes, made unique (`-2`, `-3`, ...) when a category already has
/// that id under another name. `None` for `edits` when it exists already.
pub fn category_named(data: &Dataset, name: &str, color: Option<[u8; 3]>) -> (String, Option<Edit>) {
    let name = name.trim();
    let name = if name.is_empty() { "object" } else { name };
    if let Some(c) = data.categories.iter().find(|c| c.name.eq_ignore_ascii_case(name)) {
        return (c.id.clone(), None);
    }
    let base: String = name.to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
    let taken = |id: &str| data.categories.iter().any(|c| c.id == id);
    let id = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|id| !taken(id))
        .unwrap_or(base);
    let category = Category { attributes: Vec::new(), id: id.clone(), name: name.to_owned(), color };
    (id, Some(Edit::InsertCategory { index: data.categories.len(), category }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_pass_every_id_of_their_prefix_once() {
        let mut d = Dataset::default();
        for id in ["track-1", "track-7", "track-7-2", "seg-3"] {
            d.segments.push(crate::Segment {
                id: id.into(),
                video: "v".into(),
                label: "x".into(),
                start_s: 0.0,
                end_s: 1.0,
                source: crate::Provenance::Human,
                review: crate::Review::Unreviewed,
            });
        }
        let mut ids = Ids::of(&d);
        assert_eq!(
            [ids.next("track"), ids.next("track"), ids.next("seg"), ids.next("q")],
            ["track-8", "track-9", "seg-4", "q-1"]
        );
        assert_eq!(ids.next("track-7"), "track-7-3");
    }

    #[test]
    fn a_name_finds_its_category_and_a_taken_id_never_collides() {
        let mut d = Dataset::default();
        d.categories.push(Category {
            attributes: Vec::new(),
            id: "person".into(),
            name: "Pedestrian".into(),
            color: None,
        });
        assert_eq!(category_named(&d, "pedestrian", None), ("person".to_owned(), None));
        let (id, edit) = category_named(&d, "person", None);
        assert_eq!(id, "person-2");
        edit.expect("a new category").apply(&mut d).expect("its id is free");
        assert_eq!(category_named(&d, "Person", None).0, "person-2", "found by name now");
        let (id, edit) = category_named(&d, "  ", None);
        assert_eq!((id.as_str(), edit.is_some()), ("object", true));
        let (id, _) = category_named(&d, "red  car", None);
        assert_eq!(id, "red-car");
    }
}
