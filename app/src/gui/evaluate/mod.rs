//! The Evaluate tab: a model's runs scored as the benchmarks score them (`annotate::eval`,
//! on a thread), the sections, and every item in a table that sorts by any score,
//! filters (`tIoU < 0.3`, `wrong`, `no answer`, `IDSW > 0`, words of the id or video)
//! and scrolls through any number of rows (only those in view are laid out). A row
//! opens its item on the video with the run on show and, for a tube, a plot of its IoU
//! over time that seeks where clicked; J and K go to the next and
//! previous wrong item in the table's order. Compared with a second model, each metric
//! is shown with its change, and each item with who got it right (`better`: this
//! model right, the other wrong; `worse`; `both wrong`; `both right`, to filter by).

mod filter;

use std::sync::Arc;

use std::collections::HashMap;

use annotate::eval::{Item, ItemKind, SCORES, Score, Scores, Verdict};

/// A model's scores, the dataset's change count they were made at, and what the tab
/// shows of them that does not change (worked out with them, off the GUI thread).
pub struct Scored {
    pub model: String,
    pub changes: u64,
    pub scores: Arc<Scores>,
    /// The sections in lines, as `vidence eval` prints them.
    summary: Vec<String>,
    /// The score columns some item has.
    columns: Vec<&'static str>,
    /// The model compared with, each metric's change in lines, and each item's verdict
    /// (as `vidence eval --against` gives them).
    pub against: Option<String>,
    compared: Vec<String>,
    verdicts: Vec<Option<Verdict>>,
    /// Each item's run of the model compared with, drawn beside this one's.
    their_runs: Vec<Option<String>>,
    /// The answers' mean score by question kind, and the items' tIoU by tenths.
    pub by_kind: Vec<KindMean>,
    pub tiou_tenths: Option<[usize; 10]>,
}

impl Scored {
    /// `scores` of `model`, compared with `against`'s where given.
    pub fn new(model: String, changes: u64, scores: Scores, against: Option<(String, Scores)>) -> Self {
        let summary =
            crate::evaluate::lines(&scores).into_iter().skip(1).take_while(|l| l != "weakest:").collect();
        let columns = SCORES
            .iter()
            .filter(|(_, f)| scores.items.iter().any(|i| f(&i.scores).is_some()))
            .map(|(n, _)| *n)
            .collect();
        let (mut compared, mut verdicts, mut their_runs) = (Vec::new(), Vec::new(), Vec::new());
        let other = against.map(|(name, theirs)| {
            let c = annotate::eval::compare(&scores, &theirs);
            compared = crate::evaluate::compared(&c)
                .into_iter()
                .take_while(|l| !l.starts_with("right in "))
                .collect();
            let by_item: HashMap<(&str, ItemKind, Option<u8>), Option<Verdict>> =
                c.items.iter().map(|p| ((p.id.as_str(), p.kind, p.chain), p.verdict)).collect();
            verdicts = scores
                .items
                .iter()
                .map(|i| by_item.get(&(i.id.as_str(), i.kind, i.chain)).copied().flatten())
                .collect();
            let runs: HashMap<(&str, ItemKind, Option<u8>), &Option<String>> =
                theirs.items.iter().map(|i| ((i.id.as_str(), i.kind, i.chain), &i.run)).collect();
            their_runs = scores
                .items
                .iter()
                .map(|i| runs.get(&(i.id.as_str(), i.kind, i.chain)).and_then(|r| (*r).clone()))
                .collect();
            name
        });
        let by_kind = annotate::eval::spread::answers_by_kind(&scores.items)
            .into_iter()
            .map(|(k, mean, n)| (format!("{k:?}").to_lowercase(), mean, n))
            .collect();
        let tiou: Vec<f64> = scores.items.iter().filter_map(|i| i.scores.tiou).collect();
        let tiou_tenths = annotate::eval::spread::tenths(&tiou).filter(|_| !tiou.is_empty());
        Scored {
            model,
            changes,
            scores: Arc::new(scores),
            summary,
            columns,
            against: other,
            compared,
            verdicts,
            their_runs,
            by_kind,
            tiou_tenths,
        }
    }

    /// Item `n`'s run of the model compared with, where it has one.
    pub fn their_run(&self, n: usize) -> Option<&str> {
        self.their_runs.get(n)?.as_deref()
    }

    fn verdict(&self, n: usize) -> Option<Verdict> {
        self.verdicts.get(n).copied().flatten()
    }
}

/// A verdict in the words the table and its filter use.
fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::RunRightAgainstWrong => "better",
        Verdict::AgainstRightRunWrong => "worse",
        Verdict::BothWrong => "both wrong",
        Verdict::BothRight => "both right",
    }
}

pub enum EvalAction {
    /// Score this model's runs (again), compared with another's where given.
    Score { model: String, against: Option<String> },
    /// Open the item at this index of the scores' items.
    Open(usize),
    /// The next (or previous) wrong item in the table's order.
    Step { forward: bool },
    /// Put the play head here (a click on the IoU plot), in seconds.
    Seek(f64),
}

/// The column sorted by, and whether the largest come first.
type Sort = Option<(&'static str, bool)>;

/// The table's settings and the rows they give, worked out again only when one changes.
#[derive(Default)]
pub struct EvalTable {
    /// The model picked to score, and the one to compare it with.
    pub model: String,
    pub against: Option<String>,
    /// The score column sorted by, and whether the largest come first.
    pub sort: Sort,
    pub filter: String,
    /// The item opened last (an index into the scores' items).
    pub open: Option<usize>,
    /// The open item's IoU frame by frame over its tube, `[seconds, IoU]` (empty for
    /// an item without one).
    pub iou_over_time: Vec<[f64; 2]>,
    /// The items shown, in order, and what they were worked out from.
    rows: Vec<usize>,
    rows_for: Option<(usize, Sort, String)>,
    /// The models that have runs, and the dataset (its serial, its change count) they were read from.
    models: Vec<String>,
    models_for: Option<(u64, u64)>,
}

impl EvalTable {
    /// The models that have runs in `data` (the dataset opened as `serial`, at change
    /// count `changes`), by name.
    pub fn models(&mut self, data: &annotate::Dataset, serial: u64, changes: u64) -> Vec<String> {
        if self.models_for != Some((serial, changes)) {
            let mut models: Vec<String> = data.runs.iter().map(|r| r.model.name.clone()).collect();
            models.sort_unstable();
            models.dedup();
            self.models = models;
            self.models_for = Some((serial, changes));
        }
        self.models.clone()
    }

    /// The items shown, in the table's order.
    pub fn rows(&mut self, scored: &Scored) -> &[usize] {
        let scores = &scored.scores;
        let key = (Arc::as_ptr(scores) as usize, self.sort, self.filter.clone());
        if self.rows_for.as_ref() != Some(&key) {
            let filter = filter::Filter::parse(&self.filter);
            let mut rows: Vec<usize> = scores
                .items
                .iter()
                .enumerate()
                .filter(|(n, i)| filter.keeps(i, scored.verdict(*n)))
                .map(|(n, _)| n)
                .collect();
            if let Some((name, descending)) = self.sort {
                let value = score_of(name);
                // Each item's score read once; items without it go last either way, and
                // equal ones keep the dataset's order.
                let mut keyed: Vec<(Option<f64>, usize)> =
                    rows.iter().map(|n| (value(&scores.items[*n].scores), *n)).collect();
                keyed.sort_by(|(a, _), (b, _)| match (a, b) {
                    (Some(x), Some(y)) if descending => y.total_cmp(x),
                    (Some(x), Some(y)) => x.total_cmp(y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                });
                rows = keyed.into_iter().map(|(_, n)| n).collect();
            }
            self.rows = rows;
            self.rows_for = Some(key);
        }
        &self.rows
    }
}

fn score_of(name: &str) -> Score {
    SCORES.iter().find(|(n, _)| *n == name).map_or(|_| None, |(_, f)| *f)
}

/// The answers' mean score by question kind, and how the items' tIoU spread, as bars.
fn plots(ui: &mut egui::Ui, scored: &Scored) {
    let chart =
        |ui: &mut egui::Ui, name: &str, bars: Vec<egui_plot::Bar>, top: f64, names: Option<Vec<String>>| {
            let mut plot = egui_plot::Plot::new(name)
                .height(80.0)
                .allow_drag(false)
                .allow_zoom(false)
                .allow_scroll(false)
                .include_y(0.0)
                .include_y(top)
                .show_grid(false);
            if let Some(names) = names {
                // Bars in a row, each under its name.
                plot = plot.x_axis_formatter(move |mark, _| {
                    let i = mark.value.round();
                    let whole = (mark.value - i).abs() < 1e-6 && i >= 0.0;
                    whole.then(|| names.get(i as usize).cloned()).flatten().unwrap_or_default()
                });
            }
            let bars = egui_plot::BarChart::new(name, bars).color(egui::Color32::from_rgb(90, 150, 230));
            let shown = plot.show(ui, |p| p.bar_chart(bars));
            shown.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, name));
        };
    if !scored.by_kind.is_empty() {
        ui.label("Answers: mean score by question kind");
        let bars = scored
            .by_kind
            .iter()
            .enumerate()
            .map(|(i, (k, mean, n))| {
                egui_plot::Bar::new(i as f64, *mean).width(0.7).name(format!("{k}: {mean:.3} over {n}"))
            })
            .collect();
        let names = scored.by_kind.iter().map(|(k, _, _)| k.clone()).collect();
        chart(ui, "Answers by question kind", bars, 1.0, Some(names));
    }
    if let Some(counts) = scored.tiou_tenths {
        ui.label("tIoU: items by tenths");
        // Each tenth's bar over its own stretch of 0..1.
        let bars = counts
            .iter()
            .enumerate()
            .map(|(b, &c)| {
                let from = b as f64 / 10.0;
                egui_plot::Bar::new(from + 0.05, c as f64).width(0.08).name(format!("{c} from {from:.1}"))
            })
            .collect();
        let top = counts.iter().max().copied().unwrap_or(1) as f64;
        chart(ui, "tIoU histogram", bars, top, None);
    }
}

/// A question kind, its answers' mean score, and how many answers.
pub type KindMean = (String, f64, usize);

/// An item's kind in words, with V-STaR's chain.
pub fn kind(item: &Item) -> String {
    let name = match item.kind {
        ItemKind::Tracks => "tracks".to_owned(),
        ItemKind::Boxes => "boxes".to_owned(),
        ItemKind::Question(k) => format!("{k:?}").to_lowercase(),
    };
    item.chain.map_or(name.clone(), |c| format!("{name} {c}"))
}

/// Everything the tab shows besides the dataset: the scores, whether they are being
/// made, and the IoU of the open item on the frame on screen.
pub struct View<'a> {
    pub models: Vec<String>,
    pub scored: Option<&'a Scored>,
    pub scoring: bool,
    pub stale: bool,
    pub iou_here: Option<f32>,
}

const ROW_HEIGHT: f32 = 20.0;
const ITEM: f32 = 110.0;
const KIND: f32 = 60.0;
const CELL: f32 = 52.0;

pub fn show(ui: &mut egui::Ui, view: &View, table: &mut EvalTable) -> Option<EvalAction> {
    let mut out = None;
    if view.models.is_empty() {
        ui.label("No model runs in this dataset: import a model's results (Import…) or ask the model.");
        return None;
    }
    if table.model.is_empty() || !view.models.contains(&table.model) {
        table.model = view.scored.map_or(view.models[0].as_str(), |s| s.model.as_str()).to_owned();
    }
    let shown: String = match table.model.chars().count() > 26 {
        true => table.model.chars().take(25).chain(['…']).collect(),
        false => table.model.clone(),
    };
    let combo = egui::ComboBox::from_label("Model to score").width(190.0).selected_text(shown);
    combo.show_ui(ui, |ui| {
        for m in &view.models {
            if ui.selectable_label(table.model == *m, m).clicked() && table.model != *m {
                table.model = m.clone();
                out = Some(EvalAction::Score { model: table.model.clone(), against: table.against.clone() });
            }
        }
    });
    let against = table.against.clone().unwrap_or_else(|| "no other model".into());
    egui::ComboBox::from_label("Compare with").width(190.0).selected_text(against).show_ui(ui, |ui| {
        let mut pick = |ui: &mut egui::Ui, choice: Option<&String>, text: &str| {
            if ui.selectable_label(table.against.as_ref() == choice, text).clicked()
                && table.against.as_ref() != choice
            {
                table.against = choice.cloned();
                out = Some(EvalAction::Score { model: table.model.clone(), against: table.against.clone() });
            }
        };
        pick(ui, None, "no other model");
        for m in view.models.iter().filter(|m| **m != table.model) {
            pick(ui, Some(m), m);
        }
    });
    ui.horizontal(|ui| {
        if ui.add_enabled(!view.scoring, egui::Button::new("Score")).clicked() {
            out = Some(EvalAction::Score { model: table.model.clone(), against: table.against.clone() });
        }
        if view.scoring {
            ui.spinner();
            ui.label("scoring…");
        } else if view.stale {
            ui.label("the data changed since: scoring again");
        }
    });
    let Some(scored) = view.scored else {
        return out;
    };
    let scores = &scored.scores;
    ui.label(egui::RichText::new(format!("{} on {} items", scored.model, scores.items.len())).strong());
    for line in scored.summary.iter().chain(&scored.compared) {
        ui.label(egui::RichText::new(line).monospace().small());
    }
    plots(ui, scored);
    if let Some(iou) = view.iou_here {
        ui.label(format!("IoU on this frame: {iou:.3}"));
    }
    if !table.iou_over_time.is_empty() {
        let plot = egui_plot::Plot::new("eval-iou-over-time")
            .height(100.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .include_y(0.0)
            .include_y(1.0)
            .y_axis_label("IoU");
        let points = table.iou_over_time.clone();
        let shown = plot.show(ui, |p| p.line(egui_plot::Line::new("IoU", points)));
        let response = &shown.response;
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "IoU over time"));
        if response.clicked()
            && let Some(at) = response.interact_pointer_pos()
        {
            out = Some(EvalAction::Seek(shown.transform.value_from_position(at).x.max(0.0)));
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut table.filter)
                .hint_text("tIoU < 0.3, wrong, no answer, IDSW > 0")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
    });
    let columns = scored.columns.as_slice();
    let open = table.open;
    let count = table.rows(scored).len();
    ui.label(format!("{count} of {} items (J, K: next and previous wrong one)", scores.items.len()));
    ui.horizontal(|ui| {
        let sorted = table.sort.map_or("the dataset's order", |(name, _)| name);
        egui::ComboBox::from_label("Sort by").selected_text(sorted).show_ui(ui, |ui| {
            let descending = table.sort.is_some_and(|(_, d)| d);
            ui.selectable_value(&mut table.sort, None, "the dataset's order");
            for name in columns {
                ui.selectable_value(&mut table.sort, Some((*name, descending)), *name);
            }
        });
        if let Some((_, descending)) = &mut table.sort {
            ui.checkbox(descending, "Best first");
        }
    });
    ui.horizontal(|ui| {
        ui.add_sized([ITEM, ROW_HEIGHT], egui::Label::new("item"));
        ui.add_sized([KIND, ROW_HEIGHT], egui::Label::new("kind"));
        for name in columns {
            ui.add_sized([CELL, ROW_HEIGHT], egui::Label::new(*name));
        }
        if scored.against.is_some() {
            ui.add_sized([CELL + 20.0, ROW_HEIGHT], egui::Label::new("compared"));
        }
        ui.label("video");
    });
    let rows = table.rows(scored);
    egui::ScrollArea::vertical().id_salt("eval-items").auto_shrink([false, false]).show_rows(
        ui,
        ROW_HEIGHT,
        rows.len(),
        |ui, range| {
            for &n in &rows[range] {
                let item = &scores.items[n];
                ui.horizontal(|ui| {
                    let label = egui::Button::selectable(open == Some(n), &item.id);
                    let response = ui.add_sized([ITEM, ROW_HEIGHT], label);
                    let name = format!("Open {}", item.id);
                    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                    if response.clicked() {
                        out = Some(EvalAction::Open(n));
                    }
                    ui.add_sized([KIND, ROW_HEIGHT], egui::Label::new(kind(item)));
                    for name in columns {
                        let text = score_of(name)(&item.scores).map_or(String::new(), |v| {
                            if *name == "IDSW" { format!("{v}") } else { format!("{v:.3}") }
                        });
                        let wrong = annotate::eval::right(&item.scores) == Some(false);
                        let color =
                            if wrong { ui.visuals().warn_fg_color } else { ui.visuals().text_color() };
                        ui.add_sized(
                            [CELL, ROW_HEIGHT],
                            egui::Label::new(egui::RichText::new(text).color(color)),
                        );
                    }
                    if scored.against.is_some() {
                        let words = scored.verdict(n).map_or("", verdict_words);
                        ui.add_sized([CELL + 20.0, ROW_HEIGHT], egui::Label::new(words));
                    }
                    ui.label(&item.video);
                    if item.run.is_none() {
                        ui.label("(no answer)");
                    }
                });
            }
        },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use annotate::eval::ItemScores;

    fn item(id: &str, tiou: Option<f64>, run: bool) -> Item {
        Item {
            id: id.into(),
            video: "v".into(),
            kind: ItemKind::Question(annotate::QuestionKind::When),
            chain: None,
            run: run.then(|| format!("run-{id}")),
            scores: ItemScores { tiou, ..ItemScores::default() },
        }
    }

    #[test]
    fn the_filter_keeps_what_it_says_and_sorting_puts_the_unscored_last() {
        let scores = |run: &str, items| Scores {
            run: run.into(),
            questions: annotate::eval::Sections { qa: None, temporal: None, spatial: None },
            vstar: None,
            tracking: None,
            detection: None,
            by_duration: None,
            items,
        };
        let mine = vec![
            item("a", Some(0.6), true),
            item("b", Some(0.2), true),
            item("c", None, false),
            item("d", Some(0.0), false),
        ];
        let theirs = vec![item("a", Some(0.1), true), item("b", Some(0.9), true), item("d", Some(0.0), true)];
        let scores = Scored::new("m".into(), 0, scores("m", mine), Some(("o".into(), scores("o", theirs))));
        let mut table = EvalTable { sort: Some(("tIoU", false)), ..EvalTable::default() };
        assert_eq!(table.rows(&scores), [3, 1, 0, 2]);
        table.sort = Some(("tIoU", true));
        assert_eq!(table.rows(&scores), [0, 1, 3, 2]);
        for (filter, want) in [
            ("tIoU < 0.3", vec![1, 3]),
            ("tiou >= 0.2 and wrong", vec![1]),
            ("wrong, no answer", vec![3]),
            ("right", vec![0]),
            ("B", vec![1]),
            ("tIoU = 0", vec![3]),
            ("better", vec![0]),
            ("worse", vec![1]),
            ("both wrong", vec![3]),
        ] {
            table.filter = filter.into();
            table.sort = None;
            assert_eq!(table.rows(&scores), want, "{filter}");
        }
    }
}
