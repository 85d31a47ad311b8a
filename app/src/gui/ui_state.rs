//! How the window looks and the widgets' own state: tabs, filters, view settings,
//! drafts being typed. Panels may change it as they draw (it is not the session);
//! what is worth keeping across runs is remembered in eframe's storage.

use serde::{Deserialize, Serialize};

use super::asker::ModelForm;
use super::canvas::CanvasView;
use super::evaluate::EvalTable;
use super::lanes::Lanes;
use super::objects::Filter;
use super::questions::Drafts;
use super::status::UiFrameTimes;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeftTab {
    Dataset,
    Objects,
    Questions,
    Model,
    Evaluate,
}

pub struct UiState {
    pub left_tab: LeftTab,
    pub filter: Filter,
    /// A predicted box shows within this many seconds of its time.
    pub tolerance_s: f64,
    pub show_debug: bool,
    pub show_help: bool,
    pub canvas: CanvasView,
    pub lanes: Lanes,
    pub drafts: Drafts,
    /// The selected segment's label as it is being typed.
    pub segment_label: String,
    pub model: ModelForm,
    pub frame_times: UiFrameTimes,
    /// The window title last sent.
    pub title: String,
    /// A category name being typed in the category menu.
    pub new_category: String,
    /// Which labels Export… takes (`None`: the format's own default).
    pub export_review: Option<annotate::formats::ReviewFilter>,
    /// Export…'s grounding for fine-tuning data.
    pub export_grounding: annotate::dialect::Grounding,
    /// The Evaluate tab's model, sorting and filter.
    pub eval: EvalTable,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            left_tab: LeftTab::Dataset,
            filter: Filter::default(),
            tolerance_s: annotate::overlay::TOLERANCE_S,
            show_debug: false,
            show_help: false,
            canvas: CanvasView::default(),
            lanes: Lanes::default(),
            drafts: Drafts::default(),
            segment_label: String::new(),
            model: ModelForm::default(),
            frame_times: UiFrameTimes::default(),
            title: String::new(),
            new_category: String::new(),
            export_review: None,
            export_grounding: Default::default(),
            eval: EvalTable::default(),
        }
    }
}

/// What is kept across runs.
#[derive(Serialize, Deserialize)]
struct Remembered {
    left_tab: LeftTab,
    tolerance_s: f64,
    show_debug: bool,
    model: String,
}

impl UiState {
    pub const KEY: &'static str = "vidence-ui";

    pub fn restore(storage: Option<&dyn eframe::Storage>) -> Self {
        let mut ui = Self::default();
        if let Some(r) = storage.and_then(|s| eframe::get_value::<Remembered>(s, Self::KEY)) {
            ui.left_tab = r.left_tab;
            ui.tolerance_s = r.tolerance_s.clamp(0.0, 10.0);
            ui.show_debug = r.show_debug;
            ui.model.spec = r.model;
        }
        ui
    }

    pub fn remember(&self, storage: &mut dyn eframe::Storage) {
        let r = Remembered {
            left_tab: self.left_tab,
            tolerance_s: self.tolerance_s,
            show_debug: self.show_debug,
            model: self.model.spec.clone(),
        };
        eframe::set_value(storage, Self::KEY, &r);
    }
}
