//! V-STaR: each item's what, when and where, answered along two chains (what, when,
//! where; and what, where, then when given the object's boxes), scored as V-STaR's
//! `eval.py` scores a result file. The what answer is right where a judge model scored
//! it 2 or more on its 0-3 scale (the run's latest judgement), else by exact words.
//! When: the tIoU of the run's span with the item's. Where: the IoU of the model's box
//! on each second the object's boxes are keyed by (`str(timestamp)` against the
//! model's keys as written; the best of several boxes; a second the model did not
//! give scores 0, the model's other seconds count for nothing), averaged over the
//! object's boxes. As `eval.py`, an item whose what question has no answer is left out
//! of every mean, yet counts in the overall accuracy's denominator; within a length
//! or a domain only answered items count. AM and LGM combine accuracy, mean tIoU and
//! mean IoU per chain; LGM is infinite, and given as none, where a term is 1.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::answers::{self, Rule};
use super::items::{Item, ItemKind, ItemScores};
use super::summary::{Recall, length_class, length_s, mean};
use super::temporal::tiou;
use crate::dataset::QuestionKind;
use crate::formats::vstar::{self as format, answer_key, truth_key};
use crate::run::ModelRun;
use crate::time::ConstantRate;

/// The IoU thresholds of V-STaR's spatial mAP.
const THRESHOLDS: [f64; 5] = [0.1, 0.3, 0.5, 0.7, 0.9];

/// The V-STaR scores: over all items, by the length of their videos and by domain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Vstar {
    #[serde(flatten)]
    pub all: Chains,
    /// `short` under 60 s, `medium` under 180 s, `long`: each with answered items.
    pub by_duration: BTreeMap<String, Chains>,
    /// By the videos' tag `domain` (`unknown` where none): each with answered items.
    pub by_domain: BTreeMap<String, Chains>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chains {
    /// Accuracy's denominator: every item overall, the answered ones in a split.
    pub items: usize,
    /// Items whose what question has an answer: the means are over these.
    pub answered: usize,
    /// Right what answers over `items`.
    pub accuracy: f64,
    /// Answers scored by a judge model (the rest by exact words).
    pub judged: usize,
    pub chain1: Chain,
    pub chain2: Chain,
    #[serde(rename = "mAM")]
    pub m_am: f64,
    #[serde(rename = "mLGM")]
    pub m_lgm: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Chain {
    /// The when answers' mean tIoU and R1@0.3/0.5/0.7.
    #[serde(flatten)]
    pub when: Recall,
    #[serde(rename = "m_vIoU")]
    pub m_viou: f64,
    /// The share of the object's boxes matched at IoU 0.1, 0.3, 0.5, 0.7, 0.9, per item, averaged.
    #[serde(rename = "mAP@0.1:0.9")]
    pub m_ap: [f64; 5],
    #[serde(rename = "AM")]
    pub am: f64,
    #[serde(rename = "LGM")]
    pub lgm: Option<f64>,
}

/// One item's scores, as `eval.py` keeps them.
struct Scored {
    /// `short`, `medium` or `long`; none for a video without a frame rate.
    length: Option<&'static str>,
    domain: String,
    /// None where the what question has no answer (the item is left out).
    right: Option<bool>,
    judged: bool,
    tiou: [f64; 2],
    iou: [f64; 2],
    ap: [[f64; 5]; 2],
}

/// The V-STaR items of `model`'s runs, as items (their questions' ids, in `ids`) and
/// the section; none where the dataset has no V-STaR item.
pub(super) fn score<'a>(
    data: &'a crate::dataset::Dataset,
    by_question: &HashMap<&str, Vec<&'a ModelRun>>,
) -> (Option<Vstar>, Vec<Item>, HashSet<&'a str>) {
    let found = format::items(data);
    let mut items = Vec::new();
    let mut scored = Vec::new();
    let mut ids = HashSet::new();
    for it in &found {
        ids.extend(it.questions().map(|q| q.id.as_str()));
        let runs = |q: Option<&crate::dataset::Question>| -> &[&ModelRun] {
            q.and_then(|q| by_question.get(q.id.as_str())).map_or(&[], Vec::as_slice)
        };
        let times = ConstantRate { fps: it.video.fps, frames: it.video.frame_count };
        let item = |id: &str, kind, chain, run: Option<&ModelRun>, scores| Item {
            id: id.to_owned(),
            video: it.video.id.clone(),
            kind: ItemKind::Question(kind),
            chain,
            run: run.map(|r| r.id.clone()),
            scores,
        };

        // What: the judge's verdict, else exact words; the first run is the item's.
        let what_runs = runs(Some(it.what));
        let rule = answers::rule(&it.what.options, &it.what.answer);
        let what_score = |r: &ModelRun| -> (f64, bool) {
            match r.judgements.last() {
                Some(j) => (f64::from(u8::from(j.score.is_some_and(|s| s >= 2))), true),
                None => {
                    let said = r.prediction.answer.as_deref().unwrap_or(&r.raw);
                    (answers::score(rule, &it.what.options, &it.what.answer, said), false)
                }
            }
        };
        for r in what_runs {
            let (answer, judged) = what_score(r);
            let rule = if judged { Rule::Judge } else { rule };
            let scores = ItemScores { answer: Some(answer), rule: Some(rule), ..ItemScores::default() };
            items.push(item(&it.what.id, QuestionKind::What, None, Some(r), scores));
        }
        if what_runs.is_empty() {
            let scores = ItemScores { answer: Some(0.0), rule: Some(rule), ..ItemScores::default() };
            items.push(item(&it.what.id, QuestionKind::What, None, None, scores));
        }
        let first =
            what_runs.first().filter(|r| !r.prediction.answer.as_deref().unwrap_or(&r.raw).is_empty());
        let verdict = first.map(|r| what_score(r));

        // When, along each chain: chain 2 was given the object's boxes.
        let span = it.span();
        let mut chain_tiou = [0.0; 2];
        if let Some(when) = it.when {
            for (c, chain2) in [false, true].into_iter().enumerate() {
                let these: Vec<&ModelRun> = runs(Some(when))
                    .iter()
                    .copied()
                    .filter(|r| r.settings.given.is_empty() != chain2)
                    .collect();
                let of = |r: &ModelRun| match (span, r.prediction.spans.first()) {
                    (Some(t), Some(p)) => tiou(t, (p.start_s, p.end_s)),
                    _ => 0.0,
                };
                chain_tiou[c] = these.first().map_or(0.0, |r| of(r));
                let chain = Some(c as u8 + 1);
                for r in &these {
                    let scores = ItemScores { tiou: Some(of(r)), ..ItemScores::default() };
                    items.push(item(&when.id, QuestionKind::When, chain, Some(r), scores));
                }
                if these.is_empty() {
                    let scores = ItemScores { tiou: Some(0.0), ..ItemScores::default() };
                    items.push(item(&when.id, QuestionKind::When, chain, None, scores));
                }
            }
        }

        // Where, along each chain: its own question.
        let truth: Vec<(String, [f64; 4])> = it
            .track
            .iter()
            .flat_map(|t| t.keyframes.iter().filter(|k| !k.outside).map(move |k| (t, k)))
            .map(|(t, k)| (truth_key(t, k.frame, &times), k.bbox.0.map(f64::from)))
            .collect();
        let mut chain_iou = [(0.0, [0.0; 5]); 2];
        for (c, q) in [it.where1, it.where2].into_iter().enumerate() {
            let Some(q) = q else { continue };
            let chain = Some(c as u8 + 1);
            let these = runs(Some(q));
            for (n, r) in these.iter().enumerate() {
                let (mean_iou, shares) = where_scores(&truth, r);
                if n == 0 {
                    chain_iou[c] = (mean_iou, shares);
                }
                let scores = ItemScores { viou: Some(mean_iou), ..ItemScores::default() };
                items.push(item(&q.id, QuestionKind::Where, chain, Some(r), scores));
            }
            if these.is_empty() {
                let scores = ItemScores { viou: Some(0.0), ..ItemScores::default() };
                items.push(item(&q.id, QuestionKind::Where, chain, None, scores));
            }
        }
        scored.push(Scored {
            length: length_s(it.video).map(length_class),
            domain: it.video.tags.get("domain").cloned().unwrap_or_else(|| "unknown".into()),
            right: verdict.map(|(a, _)| a >= 1.0),
            judged: verdict.is_some_and(|(_, judged)| judged),
            tiou: chain_tiou,
            iou: [chain_iou[0].0, chain_iou[1].0],
            ap: [chain_iou[0].1, chain_iou[1].1],
        });
    }
    if found.is_empty() {
        return (None, items, ids);
    }
    let all = chains(&scored.iter().collect::<Vec<_>>(), scored.len());
    let split = |key: &dyn Fn(&Scored) -> Option<String>| {
        let mut groups: BTreeMap<String, Vec<&Scored>> = BTreeMap::new();
        for s in scored.iter().filter(|s| s.right.is_some()) {
            if let Some(k) = key(s) {
                groups.entry(k).or_default().push(s);
            }
        }
        groups.into_iter().map(|(k, these)| (k, chains(&these, these.len()))).collect()
    };
    let by_duration = split(&|s: &Scored| s.length.map(str::to_owned));
    let vstar = Vstar { all, by_duration, by_domain: split(&|s: &Scored| Some(s.domain.clone())) };
    (Some(vstar), items, ids)
}

/// A where run's mean IoU over the object's boxes, and the share matched at each threshold.
fn where_scores(truth: &[(String, [f64; 4])], run: &ModelRun) -> (f64, [f64; 5]) {
    let mut by_key: HashMap<String, Vec<[f64; 4]>> = HashMap::new();
    for b in &run.prediction.boxes {
        if let Some(key) = answer_key(b) {
            by_key.entry(key).or_default().push(b.bbox.0.map(f64::from));
        }
    }
    if by_key.is_empty() || truth.is_empty() {
        return (0.0, [0.0; 5]);
    }
    let ious: Vec<f64> = truth
        .iter()
        .map(|(key, t)| by_key.get(key).map_or(0.0, |ps| ps.iter().map(|p| iou(t, p)).fold(0.0, f64::max)))
        .collect();
    let share = |threshold: f64| ious.iter().filter(|i| **i >= threshold).count() as f64 / ious.len() as f64;
    (mean(&ious), THRESHOLDS.map(share))
}

/// `eval.py`'s `compute_iou`, on the corners as they are.
fn iou(t: &[f64; 4], p: &[f64; 4]) -> f64 {
    let w = (t[2].min(p[2]) - t[0].max(p[0])).max(0.0);
    let h = (t[3].min(p[3]) - t[1].max(p[1])).max(0.0);
    let inter = w * h;
    let union = (t[2] - t[0]) * (t[3] - t[1]) + (p[2] - p[0]) * (p[3] - p[1]) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}

/// `eval.py`'s `print_stats` over `these`, accuracy over `total`.
fn chains(these: &[&Scored], total: usize) -> Chains {
    let answered: Vec<&&Scored> = these.iter().filter(|s| s.right.is_some()).collect();
    let right = answered.iter().filter(|s| s.right == Some(true)).count();
    let accuracy = if total == 0 { 0.0 } else { right as f64 / total as f64 };
    let chain = |c: usize| {
        let tious: Vec<f64> = answered.iter().map(|s| s.tiou[c]).collect();
        let ious: Vec<f64> = answered.iter().map(|s| s.iou[c]).collect();
        let m_ap = std::array::from_fn(|k| mean(&answered.iter().map(|s| s.ap[c][k]).collect::<Vec<_>>()));
        let (when, m_viou) = (Recall::of(&tious), mean(&ious));
        let terms = [accuracy, when.m_tiou, m_viou];
        let lgm =
            terms.iter().all(|t| *t < 1.0).then(|| -terms.iter().map(|t| (1.0 - t).ln()).sum::<f64>() / 3.0);
        Chain { when, m_viou, m_ap, am: terms.iter().sum::<f64>() / 3.0, lgm }
    };
    let (chain1, chain2) = (chain(0), chain(1));
    Chains {
        items: total,
        answered: answered.len(),
        accuracy,
        judged: answered.iter().filter(|s| s.judged).count(),
        m_am: (chain1.am + chain2.am) / 2.0,
        m_lgm: chain1.lgm.zip(chain2.lgm).map(|(a, b)| (a + b) / 2.0),
        chain1,
        chain2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_that_touch_or_miss_have_no_overlap() {
        assert_eq!(iou(&[0.0, 0.0, 10.0, 10.0], &[10.0, 0.0, 20.0, 10.0]), 0.0);
        assert_eq!(iou(&[0.0, 0.0, 10.0, 10.0], &[5.0, 0.0, 15.0, 10.0]), 50.0 / 150.0);
    }
}
