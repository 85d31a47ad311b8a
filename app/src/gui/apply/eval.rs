//! The Evaluate tab's actions: scoring on a thread, and an item opened on the video
//! (its video shown, its run on show, the play head where truth and answer meet).

use annotate::eval::ItemKind;
use annotate::time::{ConstantRate, FrameTimes};
use viewer::PlaybackCommand;

use crate::gui::VidenceApp;
use crate::gui::dataset_panel::DatasetAction;
use crate::gui::evaluate::{EvalAction, Scored};
use crate::gui::session::{Notice, OpenItem};

impl VidenceApp {
    pub(super) fn eval_action(&mut self, action: EvalAction) {
        match action {
            EvalAction::Score { model, against } => {
                let Some(d) = &self.session.dataset else { return };
                let (changes, data) = (d.document.changes(), d.document.snapshot());
                self.session.scored_at = self.session.now;
                if let Err(e) = self.workers.score(model, against, changes, data) {
                    self.session.notify(Notice::error(e));
                }
            }
            EvalAction::Open(n) => self.open_item(n),
            EvalAction::Seek(t) => self.session.commands.push(PlaybackCommand::SeekTime(t)),
            EvalAction::Step { forward } => {
                let Some(scored) = &self.session.scored else { return };
                let scores = std::sync::Arc::clone(&scored.scores);
                let rows = self.ui.eval.rows(scored).to_vec();
                let at = self.ui.eval.open.and_then(|n| rows.iter().position(|r| *r == n));
                let wrong = |n: &usize| annotate::eval::right(&scores.items[*n].scores) == Some(false);
                let next = match (forward, at) {
                    (true, Some(at)) => rows[at + 1..].iter().find(|n| wrong(n)),
                    (true, None) => rows.iter().find(|n| wrong(n)),
                    (false, Some(at)) => rows[..at].iter().rev().find(|n| wrong(n)),
                    (false, None) => rows.iter().rev().find(|n| wrong(n)),
                };
                match next {
                    Some(&n) => self.open_item(n),
                    None => self.session.notify(Notice::info("No more wrong items that way.")),
                }
            }
        }
    }

    pub(super) fn scored(&mut self, result: Result<Box<Scored>, String>) {
        match result {
            Ok(scored) => {
                // Another model's scores leave the table's place with them.
                if self.session.scored.as_ref().is_some_and(|s| s.model != scored.model) {
                    self.ui.eval.open = None;
                }
                self.session.scored = Some(*scored);
            }
            Err(e) => self.session.notify(Notice::error(e)),
        }
    }

    /// Show item `n` of the scores: its video, its run, its question, at its time.
    fn open_item(&mut self, n: usize) {
        let Some(scored) = &self.session.scored else { return };
        let Some(item) = scored.scores.items.get(n) else { return };
        let Some(data) = self.session.data() else { return };
        let Some(video) = data.video(&item.video) else { return };
        let question = matches!(item.kind, ItemKind::Question(_)).then(|| item.id.clone());
        let time_s = item.seen_at(data);
        let compared = scored.their_run(n).map(str::to_owned);
        let open = OpenItem { run: item.run.clone(), compared, question, time_s };
        let other_video = self.session.video_id() != Some(video.id.as_str());
        let id = video.id.clone();
        self.ui.eval.iou_over_time = iou_over_time(data, &item.id, item.run.as_deref(), video);
        self.ui.eval.open = Some(n);
        if other_video {
            self.session.opening_item = Some(open);
            self.dataset_action(DatasetAction::ShowVideo(id));
        } else {
            self.show_item(open);
        }
    }

    /// An item on the video on screen: its run on show, its question open, the play head at its time.
    pub(super) fn show_item(&mut self, item: OpenItem) {
        self.show_run(item.run);
        self.session.compared_run = item.compared;
        self.session.question = item.question;
        self.session.commands.push(PlaybackCommand::SeekTime(item.time_s));
    }
}

/// A where question's IoU frame by frame over its span, `[seconds, IoU]`: the run's
/// box there (its first) against the tube's, 0 where either has none.
fn iou_over_time(
    data: &annotate::Dataset,
    id: &str,
    run: Option<&str>,
    video: &annotate::Video,
) -> Vec<[f64; 2]> {
    let (Some(q), Some(run)) = (data.question(id), run.and_then(|r| data.run(r))) else { return Vec::new() };
    let track = q.track().and_then(|id| data.track(id));
    let (Some(track), Some((start, end)), annotate::QuestionKind::Where) = (track, q.span(), q.kind) else {
        return Vec::new();
    };
    let times = ConstantRate { fps: video.fps, frames: video.frame_count };
    let mut predicted = std::collections::HashMap::new();
    for b in &run.prediction.boxes {
        if let Some(t) = b.time_s {
            predicted.entry(times.frame_at_time(t)).or_insert(b.bbox);
        }
    }
    (times.frame_at_time(start)..times.frame_count())
        .map(|f| (f, times.time_of(f)))
        .skip_while(|(_, t)| *t < start)
        .take_while(|(_, t)| *t < end)
        .map(|(f, t)| {
            let iou = track.box_at(f).zip(predicted.get(&f)).map_or(0.0, |(b, p)| b.bbox.iou(p));
            [t, f64::from(iou)]
        })
        .collect()
}
