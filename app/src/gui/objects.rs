//! The object list: a video's tracks and segments, filtered by category, source and
//! review state. Only the visible rows are laid out, so ten thousand labels scroll
//! as fast as ten.

use annotate::{Dataset, LabelRef, Provenance, Review, Segment, Track};

use super::timeline::timecode;

/// Where a label came from, in a word or two.
pub fn source_text(source: &Provenance) -> String {
    match source {
        Provenance::Human => "human".to_owned(),
        Provenance::Model { model_id } => format!("model {model_id}"),
        Provenance::Import { source } => format!("import ({source})"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFilter {
    Human,
    Model,
    Import,
}

impl SourceFilter {
    fn matches(self, p: &Provenance) -> bool {
        matches!(
            (self, p),
            (Self::Human, Provenance::Human)
                | (Self::Model, Provenance::Model { .. })
                | (Self::Import, Provenance::Import { .. })
        )
    }
}

/// `None` in a field lets everything through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub category: Option<String>,
    pub source: Option<SourceFilter>,
    pub review: Option<Review>,
}

/// One row of the list. Its text is made only when it is in view.
#[derive(Clone, Copy)]
enum Row<'a> {
    Track(&'a Track),
    Segment(&'a Segment),
}

#[derive(Clone, Copy)]
pub enum Jump {
    Frame(u64),
    Time(f64),
}

impl Row<'_> {
    fn label(self) -> LabelRef {
        match self {
            Row::Track(t) => LabelRef::Track(t.id.clone()),
            Row::Segment(s) => LabelRef::Segment(s.id.clone()),
        }
    }

    fn text(self, d: &Dataset) -> String {
        match self {
            Row::Track(t) => {
                let category = d.category(&t.category).map_or(t.category.as_str(), |c| c.name.as_str());
                format!("{} · {category} · {} kf · {:?}", t.id, t.keyframes.len(), t.review)
            }
            Row::Segment(s) => format!("{} {} · {:?}", timecode(s.start_s), s.label, s.review),
        }
    }

    /// Where to go when it is picked: a track's first keyframe, a segment's start.
    fn at(self) -> Jump {
        match self {
            Row::Track(t) => Jump::Frame(t.keyframes.first().map_or(0, |k| k.frame)),
            Row::Segment(s) => Jump::Time(s.start_s),
        }
    }

    fn is(self, label: Option<&LabelRef>) -> bool {
        match (self, label) {
            (Row::Track(t), Some(LabelRef::Track(id))) => t.id == *id,
            (Row::Segment(s), Some(LabelRef::Segment(id))) => s.id == *id,
            _ => false,
        }
    }
}

fn rows<'a>(d: &'a Dataset, video: &'a str, filter: &Filter) -> Vec<Row<'a>> {
    let pass = |source: &Provenance, review: Review| {
        filter.source.is_none_or(|f| f.matches(source)) && filter.review.is_none_or(|r| r == review)
    };
    let tracks = d
        .tracks_of(video)
        .filter(|t| pass(&t.source, t.review) && filter.category.as_ref().is_none_or(|c| *c == t.category))
        .map(Row::Track);
    // Segments have no category: a category filter shows tracks only.
    let segments = d
        .segments_of(video)
        .filter(|s| filter.category.is_none() && pass(&s.source, s.review))
        .map(Row::Segment);
    tracks.chain(segments).collect()
}

/// Draw the filters and the list; a click gives the label and where to go.
pub fn show(
    ui: &mut egui::Ui,
    d: &Dataset,
    video: &str,
    filter: &mut Filter,
    selected: Option<&LabelRef>,
) -> Option<(LabelRef, Jump)> {
    let name = |id: &Option<String>| {
        id.as_ref().map_or("any", |id| d.category(id).map_or(id.as_str(), |c| c.name.as_str())).to_owned()
    };
    egui::ComboBox::from_label("Category").selected_text(name(&filter.category)).show_ui(ui, |ui| {
        ui.selectable_value(&mut filter.category, None, "any");
        for c in &d.categories {
            ui.selectable_value(&mut filter.category, Some(c.id.clone()), &c.name);
        }
    });
    let source_name = filter.source.map_or_else(|| "any".to_owned(), |s| format!("{s:?}").to_lowercase());
    egui::ComboBox::from_label("Source").selected_text(source_name).show_ui(ui, |ui| {
        ui.selectable_value(&mut filter.source, None, "any");
        for s in [SourceFilter::Human, SourceFilter::Model, SourceFilter::Import] {
            ui.selectable_value(&mut filter.source, Some(s), format!("{s:?}").to_lowercase());
        }
    });
    let review_name = filter.review.map_or_else(|| "any".to_owned(), |r| format!("{r:?}").to_lowercase());
    egui::ComboBox::from_label("Review").selected_text(review_name).show_ui(ui, |ui| {
        ui.selectable_value(&mut filter.review, None, "any");
        for r in [Review::Unreviewed, Review::Accepted, Review::Rejected, Review::Edited] {
            ui.selectable_value(&mut filter.review, Some(r), format!("{r:?}").to_lowercase());
        }
    });
    let rows = rows(d, video, filter);
    ui.label(format!("{} shown", rows.len()));
    let mut picked = None;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical().id_salt("object-list").show_rows(ui, row_height, rows.len(), |ui, range| {
        // One line a row: `show_rows` lays out only the rows in view, by their height.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
        for &row in &rows[range] {
            if ui.selectable_label(row.is(selected), row.text(d)).clicked() {
                picked = Some((row.label(), row.at()));
            }
        }
    });
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use annotate::{BBox, Keyframe, Segment, Track};

    fn dataset() -> Dataset {
        let track = |id: &str, category: &str, source: Provenance| Track {
            attributes: Vec::new(),
            z_order: 0,
            id: id.into(),
            video: "v".into(),
            category: category.into(),
            keyframes: vec![Keyframe {
                frame: 3,
                bbox: BBox::new(0.0, 0.0, 1.0, 1.0),
                outside: false,
                occluded: false,
            }]
            .into(),
            interpolation: Default::default(),
            source,
            review: Review::Unreviewed,
        };
        let mut d = Dataset::default();
        d.tracks.push(track("a", "cat", Provenance::Human));
        d.tracks.push(track("b", "dog", Provenance::Model { model_id: "m".into() }));
        d.segments.push(Segment {
            id: "s".into(),
            video: "v".into(),
            label: "runs".into(),
            start_s: 1.0,
            end_s: 2.0,
            source: Provenance::Human,
            review: Review::Accepted,
        });
        d
    }

    fn ids(rows: &[Row]) -> Vec<LabelRef> {
        rows.iter().map(|r| r.label()).collect()
    }

    #[test]
    fn filters_narrow_the_list() {
        let d = dataset();
        let t = |id: &str| LabelRef::Track(id.into());
        let s = LabelRef::Segment("s".into());
        assert_eq!(ids(&rows(&d, "v", &Filter::default())), [t("a"), t("b"), s.clone()]);
        let cats = Filter { category: Some("cat".into()), ..Filter::default() };
        assert_eq!(ids(&rows(&d, "v", &cats)), [t("a")], "a category shows tracks only");
        let human = Filter { source: Some(SourceFilter::Human), ..Filter::default() };
        assert_eq!(ids(&rows(&d, "v", &human)), [t("a"), s.clone()]);
        let model = Filter { source: Some(SourceFilter::Model), ..Filter::default() };
        assert_eq!(ids(&rows(&d, "v", &model)), [t("b")]);
        let accepted = Filter { review: Some(Review::Accepted), ..Filter::default() };
        assert_eq!(ids(&rows(&d, "v", &accepted)), [s]);
        assert!(rows(&d, "other", &Filter::default()).is_empty());
    }
}
