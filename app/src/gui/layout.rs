//! Where each panel goes in the window and what it is given: the session to read,
//! its own widget state to change, and the list its actions go to.

use annotate::LabelRef;
use annotate::overlay;
use annotate::time::FrameTimes;

use super::action::Action;
use super::dialogs::Purpose;
use super::evaluate::EvalTable;
use super::lanes::LaneInput;
use super::session::{ReviewMode, Session};
use super::ui_state::LeftTab;
use super::{
    VidenceApp, ask_panel, canvas, dataset_panel, evaluate, objects, questions, review, selection, shapes,
    timeline, trace,
};

/// The shown run's evidence as the canvas draws it, then the compared run's.
pub(super) fn evidence(session: &Session, tolerance_s: f64) -> Vec<overlay::Layer<'_>> {
    let shown = session.shown_run().map(|run| overlay::Layer {
        run,
        tolerance_s,
        highlight: session.highlight,
        hovered: None,
        color: overlay::MODEL,
    });
    let compared = session.compared_run().map(|run| overlay::Layer {
        run,
        tolerance_s,
        highlight: None,
        hovered: None,
        color: overlay::COMPARED,
    });
    shown.into_iter().chain(compared).collect()
}

/// What the timeline shows of the shown run, then of the compared one.
fn all_marks(session: &Session) -> Vec<timeline::ModelMarks> {
    let shown = session.shown_run().map(|r| model_marks(r, shapes::COLOR));
    shown.into_iter().chain(session.compared_run().map(|r| model_marks(r, shapes::COMPARED))).collect()
}

/// What the timeline shows of a model run, in `color`.
fn model_marks(run: &annotate::ModelRun, color: egui::Color32) -> timeline::ModelMarks {
    let p = &run.prediction;
    let mut cited: Vec<f64> =
        p.steps.iter().filter_map(|s| s.time_s).chain(p.boxes.iter().filter_map(|b| b.time_s)).collect();
    cited.sort_by(f64::total_cmp);
    cited.dedup();
    timeline::ModelMarks {
        spans: p
            .spans
            .iter()
            .enumerate()
            .filter(|(i, _)| run.is_open(&annotate::EvidenceItem::Span { index: *i }))
            .map(|(_, s)| (s.start_s, s.end_s, s.label.clone().unwrap_or_default()))
            .collect(),
        cited,
        steps: p.steps.iter().enumerate().filter_map(|(i, s)| Some((i + 1, s.time_s?))).collect(),
        sampled: run.settings.frames_s.clone(),
        model: run.model.name.clone(),
        color,
    }
}

impl VidenceApp {
    pub(super) fn central(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        if let Some((id, why)) = self.session.dataset.as_ref().and_then(|d| d.missing.as_ref()) {
            let path = self.session.data().and_then(|d| d.video(id)).map_or("", |v| v.path.as_str());
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("The video {id:?} is not at {path}: {why}. Its labels are kept."),
                );
                if ui
                    .button("Locate…")
                    .on_hover_text("Find the moved video: its size, frames and fps are checked")
                    .clicked()
                {
                    out.push(Action::PickFile(Purpose::Locate(id.clone())));
                }
            });
        }
        let Some(video) = &self.session.video else {
            ui.centered_and_justified(|ui| {
                ui.label("Open a video or a dataset: Open…, drag and drop, or a path on the command line.");
            });
            return;
        };
        let dataset =
            self.session.dataset.as_ref().and_then(|d| Some((d.document.dataset(), d.video_id.as_deref()?)));
        let evidence = evidence(&self.session, self.ui.tolerance_s);
        let (action, hovered) = canvas::show(
            ui,
            &mut self.ui.canvas,
            video,
            dataset,
            self.session.tool,
            self.session.selected_track(),
            &evidence,
        );
        if hovered != self.session.hovered_prediction {
            out.push(Action::HoverPrediction(hovered));
        }
        out.extend(action.map(Action::Canvas));
    }

    pub(super) fn timeline(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        let session = &self.session;
        let Some(video) = &session.video else { return };
        let (segments, keyframes) = match (session.data(), session.video_id()) {
            (Some(d), Some(id)) => {
                // The selected track's keyframes show as ticks on the timeline.
                let keyframes = session
                    .selected_track()
                    .and_then(|t| d.track(t))
                    .map(|t| t.keyframes.iter().map(|k| k.frame).collect())
                    .unwrap_or_default();
                (d.segments_of(id).collect(), keyframes)
            }
            _ => (Vec::new(), Vec::new()),
        };
        let input = LaneInput {
            segments,
            selected: match &session.selected {
                Some(LabelRef::Segment(id)) => Some(id.as_str()),
                _ => None,
            },
            keyframes: &keyframes,
            editable: session.video_id().is_some(),
        };
        let marks = all_marks(session);
        let lanes = &mut self.ui.lanes;
        // Its own height, which the user can drag: nothing in it grows or shrinks
        // the video above.
        // At most 40% of the window's height, so the video keeps the most of it; at
        // least the transport (two rows when narrow), the thumbnails and two lanes.
        let least = 200.0;
        let most = (ui.available_height() * 0.4).max(least);
        egui::Panel::bottom("timeline")
            .resizable(true)
            .default_size(250.0)
            .size_range(least..=most)
            .show(ui, |ui| timeline::show(ui, video, lanes, input, &marks, out));
    }

    pub(super) fn left_panel(&mut self, ui: &mut egui::Ui, tab: LeftTab, out: &mut Vec<Action>) {
        // Content wider than the pane scrolls sideways: the pane keeps the width the
        // user gave it, and the video beside it stays put.
        egui::ScrollArea::horizontal().id_salt(("left-panel", tab)).auto_shrink([false, false]).show(
            ui,
            |ui| {
                self.left_panel_contents(ui, tab, out);
            },
        );
    }

    fn left_panel_contents(&mut self, ui: &mut egui::Ui, tab: LeftTab, out: &mut Vec<Action>) {
        let session = &self.session;
        let video_id = session.video_id();
        let current = match (&session.dataset, &session.video) {
            (Some(d), _) => Some(d.document.path().to_path_buf()),
            (None, Some(v)) => Some(std::path::PathBuf::from(&v.server.info().path)),
            (None, None) => None,
        };
        let files = |ui: &mut egui::Ui, data| {
            egui::ScrollArea::vertical()
                .id_salt("dataset-panel")
                .show(ui, |ui| dataset_panel::show(ui, &session.files, current.as_deref(), data))
                .inner
        };
        let Some(d) = &session.dataset else {
            out.extend(files(ui, None).map(Action::Dataset));
            return;
        };
        let data = d.document.dataset();
        if tab == LeftTab::Evaluate {
            let view = evaluate::View {
                models: self.ui.eval.models(data, d.serial, d.document.changes()),
                scored: session.scored.as_ref(),
                scoring: self.workers.is_scoring(),
                stale: session.scored.as_ref().is_some_and(|s| s.changes != d.document.changes()),
                iou_here: iou_here(session, &self.ui.eval),
            };
            out.extend(evaluate::show(ui, &view, &mut self.ui.eval).map(Action::Eval));
            return;
        }
        match (tab, video_id) {
            (LeftTab::Objects, Some(video)) => {
                let picked = objects::show(ui, data, video, &mut self.ui.filter, session.selected.as_ref());
                out.extend(picked.map(|(label, jump)| Action::Pick(label, jump)));
            }
            (LeftTab::Questions, Some(video)) => {
                let list: Vec<&annotate::Question> = data.questions_of(video).collect();
                let open = session.question.as_deref().and_then(|id| data.question(id));
                out.extend(questions::show(ui, &list, open, &mut self.ui.drafts).map(Action::Question));
            }
            (LeftTab::Model, Some(video)) => {
                let Some(v) = &session.video else { return };
                let index = v.server.index();
                let info = v.server.info();
                let clip = ask_panel::Clip {
                    width: info.width,
                    height: info.height,
                    fps: info.fps,
                    duration_s: index.duration_s(),
                    marks: (v.marks.0.map(|f| index.time_of(f)), v.marks.1.map(|f| index.time_of(f))),
                };
                let runs: Vec<&annotate::ModelRun> = data.runs_of(video).collect();
                let shown = session.shown_run.as_ref();
                let batch = self.workers.dataset_run.as_ref();
                let asker = &self.workers.asker;
                let action = ask_panel::show(ui, &mut self.ui.model, asker, &clip, &runs, shown, batch);
                out.extend(action.map(Action::Ask));
            }
            _ => out.extend(files(ui, Some((data, d.video_id.as_deref(), &d.problems))).map(Action::Dataset)),
        }
    }

    pub(super) fn right_panel(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        // Long fields (rationales, ids, answers) scroll instead of being cut off.
        egui::ScrollArea::vertical().id_salt("right-panel").auto_shrink([false, false]).show(ui, |ui| {
            self.right_panel_contents(ui, out);
        });
    }

    fn right_panel_contents(&mut self, ui: &mut egui::Ui, out: &mut Vec<Action>) {
        let session = &self.session;
        let Some(data) = session.data() else { return };
        if let (ReviewMode::On(current), Some(video)) = (&session.review, session.video_id())
            && let Some(action) = review::show(ui, data, video, current.as_ref())
        {
            out.push(Action::Review(action));
            return;
        }
        let frame = session.frame_seen().unwrap_or(0);
        match &session.selected {
            Some(LabelRef::Track(id)) if let Some(track) = data.track(id) => {
                let action = selection::show(ui, data, track, frame, &mut self.ui.new_category);
                out.extend(action.map(Action::Selection));
            }
            Some(LabelRef::Segment(id)) if let Some(segment) = data.segment(id) => {
                let time = session.time_seen().unwrap_or(0.0);
                let action = selection::show_segment(ui, segment, &mut self.ui.segment_label, time);
                out.extend(action.map(Action::Segment));
            }
            _ if let Some(run) = session.shown_run() => {
                let hovered = session.hovered_prediction;
                let action = trace::show(ui, run, hovered, &mut self.ui.tolerance_s);
                out.extend(action.map(Action::Trace));
                if let Some(other) = session.compared_run() {
                    // Its steps seek; its boxes are not the shown run's to pick or decide on.
                    ui.separator();
                    let action = ui.push_id("compared-trace", |ui| {
                        trace::show(ui, other, None, &mut self.ui.tolerance_s)
                    });
                    let seek = action.inner.filter(|a| matches!(a, trace::TraceAction::Seek(_)));
                    out.extend(seek.map(Action::Trace));
                }
            }
            _ => {
                ui.label(
                    "Click a box or a segment to select it, press N and drag to draw a box, or drag on \
                     a segment lane to mark a time span.",
                );
            }
        }
    }
}

/// The IoU on the frame seen of the open Evaluate item's true box (its question's
/// track) and its run's box there, where both are on the frame.
fn iou_here(session: &Session, table: &EvalTable) -> Option<f32> {
    let item = session.scored.as_ref()?.scores.items.get(table.open?)?;
    let data = session.data()?;
    if session.video_id()? != item.video {
        return None;
    }
    let track = data.track(data.question(&item.id)?.track()?)?;
    let frame = session.frame_seen()?;
    let truth = track.box_at(frame)?.bbox;
    let index = session.video.as_ref()?.server.index();
    let run = data.run(item.run.as_deref()?)?;
    let on_frame = |b: &&annotate::PredictedBox| b.time_s.is_some_and(|t| index.frame_at_time(t) == frame);
    Some(truth.iou(&run.prediction.boxes.iter().find(on_frame)?.bbox))
}
