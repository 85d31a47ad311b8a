//! The aggregates beside the items: each section's mean and shares over the items it
//! scored, as the benchmarks' code averages them.

use serde::Serialize;

use super::answers::Rule;
use super::items::{Item, ItemKind};

/// Answers: the mean score (right or wrong; a number's mean relative accuracy), and
/// each rule's part of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answers {
    pub items: usize,
    pub accuracy: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<Part>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Part>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<Part>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge: Option<Part>,
}

/// The items one rule scored and their mean.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Part {
    pub items: usize,
    pub mean: f64,
}

/// When: the answers' spans over their items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Temporal {
    pub items: usize,
    #[serde(flatten)]
    pub recall: Recall,
}

/// Mean tIoU and the share at or above each threshold (V-STaR's R1@IoU).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recall {
    #[serde(rename = "m_tIoU")]
    pub m_tiou: f64,
    #[serde(rename = "R1@0.3")]
    pub r1_03: f64,
    #[serde(rename = "R1@0.5")]
    pub r1_05: f64,
    #[serde(rename = "R1@0.7")]
    pub r1_07: f64,
}

impl Recall {
    pub(super) fn of(tious: &[f64]) -> Self {
        Recall {
            m_tiou: mean(tious),
            r1_03: share(tious, |s| s >= 0.3),
            r1_05: share(tious, |s| s >= 0.5),
            r1_07: share(tious, |s| s >= 0.7),
        }
    }
}

/// Where over time: mean vIoU and the share strictly above each threshold (TubeDETR's vIoU@R).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spatial {
    pub items: usize,
    #[serde(rename = "m_vIoU")]
    pub m_viou: f64,
    #[serde(rename = "vIoU@0.3")]
    pub viou_03: f64,
    #[serde(rename = "vIoU@0.5")]
    pub viou_05: f64,
}

/// The question sections of the items on videos of each length, as V-STaR splits
/// them: short under 60 s, medium under 180 s, long from there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ByDuration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short: Option<Sections>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<Sections>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long: Option<Sections>,
}

/// The sections of question items: answers, when, where over time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sections {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qa: Option<Answers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal: Option<Temporal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spatial: Option<Spatial>,
}

/// `items` split by their video's length in seconds (`length_of`, V-STaR's
/// `round(frame_count / fps, 2)`); none where no question item has a length.
pub(super) fn by_duration(items: &[Item], length_of: impl Fn(&str) -> Option<f64>) -> Option<ByDuration> {
    let questions: Vec<(&Item, f64)> = items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Question(_)))
        .filter_map(|i| length_of(&i.video).map(|l| (i, l)))
        .collect();
    let part = |keep: &dyn Fn(f64) -> bool| {
        let these: Vec<Item> =
            questions.iter().filter(|(_, l)| keep(*l)).map(|(i, _)| (*i).clone()).collect();
        (!these.is_empty()).then(|| Sections {
            qa: answers(&these),
            temporal: temporal(&these),
            spatial: spatial(&these),
        })
    };
    (!questions.is_empty()).then(|| ByDuration {
        short: part(&|l| length_class(l) == "short"),
        medium: part(&|l| length_class(l) == "medium"),
        long: part(&|l| length_class(l) == "long"),
    })
}

/// A video's length as V-STaR takes it, `round(frame_count / fps, 2)` seconds; none
/// without a frame rate.
pub(super) fn length_s(v: &crate::dataset::Video) -> Option<f64> {
    (v.fps > 0.0).then(|| (v.frame_count as f64 / v.fps * 100.0).round() / 100.0)
}

/// V-STaR's split of videos by length: short under 60 s, medium under 180 s, long.
pub(super) fn length_class(length_s: f64) -> &'static str {
    match length_s {
        l if l < 60.0 => "short",
        l if l < 180.0 => "medium",
        _ => "long",
    }
}

pub(super) fn sections(items: &[Item]) -> Sections {
    Sections { qa: answers(items), temporal: temporal(items), spatial: spatial(items) }
}

fn answers(items: &[Item]) -> Option<Answers> {
    let scored = |rule: Option<Rule>| -> Vec<f64> {
        items
            .iter()
            .filter(|i| rule.is_none() || i.scores.rule == rule)
            .filter_map(|i| i.scores.answer)
            .collect()
    };
    let part = |rule| {
        let scores = scored(Some(rule));
        (!scores.is_empty()).then(|| Part { items: scores.len(), mean: mean(&scores) })
    };
    let all = scored(None);
    (!all.is_empty()).then(|| Answers {
        items: all.len(),
        accuracy: mean(&all),
        choice: part(Rule::Choice),
        number: part(Rule::Number),
        exact: part(Rule::Exact),
        judge: part(Rule::Judge),
    })
}

fn temporal(items: &[Item]) -> Option<Temporal> {
    let tious: Vec<f64> = items.iter().filter_map(|i| i.scores.tiou).collect();
    (!tious.is_empty()).then(|| Temporal { items: tious.len(), recall: Recall::of(&tious) })
}

fn spatial(items: &[Item]) -> Option<Spatial> {
    let vious: Vec<f64> = items.iter().filter_map(|i| i.scores.viou).collect();
    (!vious.is_empty()).then(|| Spatial {
        items: vious.len(),
        m_viou: mean(&vious),
        viou_03: share(&vious, |s| s > 0.3),
        viou_05: share(&vious, |s| s > 0.5),
    })
}

pub(super) fn mean(scores: &[f64]) -> f64 {
    if scores.is_empty() { 0.0 } else { scores.iter().sum::<f64>() / scores.len() as f64 }
}

/// The share of `scores` that `keep` keeps (V-STaR's R1 keeps `>=`, TubeDETR's vIoU@R `>`).
fn share(scores: &[f64], keep: impl Fn(f64) -> bool) -> f64 {
    if scores.is_empty() {
        0.0
    } else {
        scores.iter().filter(|s| keep(**s)).count() as f64 / scores.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_keep_the_thresholds_on_their_side() {
        assert_eq!((share(&[0.3, 0.29], |s| s >= 0.3), share(&[0.3, 0.31], |s| s > 0.3)), (0.5, 0.5));
        assert_eq!((mean(&[]), share(&[], |_| true)), (0.0, 0.0));
    }
}
