//! The window's panels as tiles the user can drag, split and dock anywhere
//! (egui_tiles, as Rerun does): the label tabs, the video and the selection. The
//! timeline stays along the bottom, the commands along the top.

use egui_tiles::{Behavior, SimplificationOptions, Tile, TileId, Tree, UiResponse};

use super::VidenceApp;
use super::action::Action;
use super::session::Session;
use super::ui_state::LeftTab;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pane {
    Tab(LeftTab),
    Video,
    Selection,
}

impl Pane {
    fn title(self) -> &'static str {
        match self {
            Pane::Tab(LeftTab::Dataset) => "Dataset",
            Pane::Tab(LeftTab::Objects) => "Objects",
            Pane::Tab(LeftTab::Questions) => "Questions",
            Pane::Tab(LeftTab::Model) => "Model",
            Pane::Tab(LeftTab::Evaluate) => "Evaluate",
            Pane::Video => "Video",
            Pane::Selection => "Selection",
        }
    }
}

const TABS: [LeftTab; 5] =
    [LeftTab::Dataset, LeftTab::Objects, LeftTab::Questions, LeftTab::Model, LeftTab::Evaluate];

/// Where the layout is kept between runs.
const KEY: &str = "vidence-panels";

/// The layout the user left last time, or the first one (also when the one kept
/// lacks a pane, as one from another version might).
pub fn restore(storage: Option<&dyn eframe::Storage>) -> Tree<Pane> {
    let kept = storage.and_then(|s| eframe::get_value::<Tree<Pane>>(s, KEY));
    let every = |tree: &Tree<Pane>| {
        let panes = TABS.map(Pane::Tab).into_iter().chain([Pane::Video, Pane::Selection]);
        panes.into_iter().all(|p| tile_of(tree, p).is_some())
    };
    kept.filter(every).unwrap_or_else(first_layout)
}

pub fn remember(tree: &Tree<Pane>, storage: &mut dyn eframe::Storage) {
    eframe::set_value(storage, KEY, tree);
}

/// The first layout: the tabs on the left, the video, the selection on the right.
pub fn first_layout() -> Tree<Pane> {
    let mut tiles = egui_tiles::Tiles::default();
    let tabs: Vec<TileId> = TABS.iter().map(|&t| tiles.insert_pane(Pane::Tab(t))).collect();
    let left = tiles.insert_tab_tile(tabs);
    let video = tiles.insert_pane(Pane::Video);
    let selection = tiles.insert_pane(Pane::Selection);
    let root = tiles.insert_horizontal_tile(vec![left, video, selection]);
    if let Some(Tile::Container(egui_tiles::Container::Linear(row))) = tiles.get_mut(root) {
        for (tile, share) in [(left, 340.0), (video, 700.0), (selection, 240.0)] {
            row.shares.set_share(tile, share);
        }
    }
    Tree::new(egui::Id::unique("vidence-panels"), root, tiles)
}

fn tile_of(tree: &Tree<Pane>, pane: Pane) -> Option<TileId> {
    tree.tiles.iter().find_map(|(id, tile)| matches!(tile, Tile::Pane(p) if *p == pane).then_some(*id))
}

/// Before drawing: which panes there are (the label tabs need a dataset's video, the
/// selection a dataset), and the tab the app asked for in front.
pub fn before(tree: &mut Tree<Pane>, session: &Session, wanted: LeftTab) {
    let labels = session.video_id().is_some();
    for tab in TABS {
        if let Some(id) = tile_of(tree, Pane::Tab(tab)) {
            let shown = match tab {
                LeftTab::Dataset => true,
                LeftTab::Evaluate => session.dataset.is_some(),
                _ => labels,
            };
            tree.set_visible(id, shown);
        }
    }
    if let Some(id) = tile_of(tree, Pane::Selection) {
        tree.set_visible(id, session.dataset.is_some());
    }
    let wanted = if labels || wanted == LeftTab::Evaluate && session.dataset.is_some() {
        wanted
    } else {
        LeftTab::Dataset
    };
    if let Some(id) = tile_of(tree, Pane::Tab(wanted))
        && !tree.active_tiles().contains(&id)
    {
        tree.make_active(|tile_id, _| tile_id == id);
    }
}

/// After drawing: the tab in front, when the user brought another one there.
pub fn after(tree: &Tree<Pane>, shown: LeftTab) -> LeftTab {
    let active = tree.active_tiles();
    let in_front = |tab| tile_of(tree, Pane::Tab(tab)).is_some_and(|id| active.contains(&id));
    if in_front(shown) { shown } else { TABS.into_iter().find(|&t| in_front(t)).unwrap_or(shown) }
}

/// What the tiles draw: each pane is one of the window's panels.
pub struct Panes<'a> {
    pub app: &'a mut VidenceApp,
    pub out: &'a mut Vec<Action>,
}

impl Behavior<Pane> for Panes<'_> {
    fn tab_title_for_pane(&mut self, pane: &Pane) -> egui::WidgetText {
        pane.title().into()
    }

    fn pane_ui(&mut self, ui: &mut egui::Ui, _tile_id: TileId, pane: &mut Pane) -> UiResponse {
        match *pane {
            Pane::Video => self.app.central(ui, self.out),
            Pane::Selection => {
                egui::Frame::new().inner_margin(6).show(ui, |ui| self.app.right_panel(ui, self.out));
            }
            Pane::Tab(tab) => {
                egui::Frame::new().inner_margin(6).show(ui, |ui| self.app.left_panel(ui, tab, self.out));
            }
        }
        UiResponse::None
    }

    fn simplification_options(&self) -> SimplificationOptions {
        // Every pane keeps a tab: the handle to drag it elsewhere by.
        SimplificationOptions { all_panes_must_have_tabs: true, ..SimplificationOptions::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A storage in memory, as eframe keeps one on disk.
    #[derive(Default)]
    struct Memory(std::collections::HashMap<String, String>);

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    /// The tree as JSON values, which compare whatever order its maps keep.
    fn text(tree: &Tree<Pane>) -> serde_json::Value {
        serde_json::to_value(tree).unwrap_or_default()
    }

    #[test]
    fn the_layout_is_kept_between_runs_and_a_kept_one_lacking_a_pane_is_not_used() {
        let mut tree = first_layout();
        // The user docks the selection with the video.
        let selection = tile_of(&tree, Pane::Selection).expect("a selection pane");
        tree.set_visible(selection, false);
        let mut storage = Memory::default();
        remember(&tree, &mut storage);
        assert_eq!(text(&restore(Some(&storage))), text(&tree));
        assert_eq!(text(&restore(None)), text(&first_layout()));

        let mut lacking = first_layout();
        lacking.remove_recursively(selection);
        remember(&lacking, &mut storage);
        assert_eq!(text(&restore(Some(&storage))), text(&first_layout()));
    }
}
