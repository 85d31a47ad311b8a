//! Two models' scores on one dataset side by side: each metric of each section both
//! have, with its change, and each item both scored, with who got it right. An item
//! is right as the benchmarks' headline shares count it: an answer scoring at least
//! 0.5 (a choice or exact words score 0 or 1), a tIoU of at least 0.5 (R1@0.5), a
//! vIoU above 0.5 (vIoU@0.5); a video's tracks are compared by their scores only.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::Scores;
use super::items::{Item, ItemKind, ItemScores};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub run: String,
    pub against: String,
    /// `section.metric` (as the JSON of [`Scores`] names them, by name) of each score both have.
    pub metrics: Vec<Delta>,
    pub disagreements: Disagreements,
    pub items: Vec<Pair>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delta {
    pub metric: String,
    pub run: f64,
    pub against: f64,
    /// `against - run`.
    pub delta: f64,
}

/// How many items each side got right, of those both scored with a rule of right.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Disagreements {
    pub run_right_against_wrong: usize,
    pub against_right_run_wrong: usize,
    pub both_wrong: usize,
    pub both_right: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    RunRightAgainstWrong,
    AgainstRightRunWrong,
    BothWrong,
    BothRight,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pair {
    pub id: String,
    pub video: String,
    pub kind: ItemKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<u8>,
    pub run: ItemScores,
    pub against: ItemScores,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

/// Whether an item is right, where one of its scores has a rule of right.
pub fn right(s: &ItemScores) -> Option<bool> {
    s.viou.map(|v| v > 0.5).or(s.tiou.map(|t| t >= 0.5)).or(s.answer.map(|a| a >= 0.5))
}

/// `run` against `against`: both scored on the same dataset.
pub fn compare(run: &Scores, against: &Scores) -> Comparison {
    let mut metrics = Vec::new();
    let (a, b) = (sections(run), sections(against));
    for (name, x) in &a {
        if let Some((_, y)) = b.iter().find(|(n, _)| n == name) {
            metrics.push(Delta { metric: name.clone(), run: *x, against: *y, delta: y - x });
        }
    }
    // Each item's first scoring on the other side (a question answered twice pairs its first run).
    let key = |i: &Item| (i.id.clone(), i.kind, i.chain);
    let mut theirs: HashMap<(String, ItemKind, Option<u8>), &Item> = HashMap::new();
    for i in &against.items {
        theirs.entry(key(i)).or_insert(i);
    }
    let mut disagreements = Disagreements::default();
    let mut items = Vec::new();
    let mut paired = std::collections::HashSet::new();
    for mine in &run.items {
        let Some(other) = theirs.get(&key(mine)) else { continue };
        if !paired.insert(key(mine)) {
            continue;
        }
        let verdict = match (right(&mine.scores), right(&other.scores)) {
            (Some(true), Some(false)) => Some(Verdict::RunRightAgainstWrong),
            (Some(false), Some(true)) => Some(Verdict::AgainstRightRunWrong),
            (Some(false), Some(false)) => Some(Verdict::BothWrong),
            (Some(true), Some(true)) => Some(Verdict::BothRight),
            _ => None,
        };
        match verdict {
            Some(Verdict::RunRightAgainstWrong) => disagreements.run_right_against_wrong += 1,
            Some(Verdict::AgainstRightRunWrong) => disagreements.against_right_run_wrong += 1,
            Some(Verdict::BothWrong) => disagreements.both_wrong += 1,
            Some(Verdict::BothRight) => disagreements.both_right += 1,
            None => {}
        }
        items.push(Pair {
            id: mine.id.clone(),
            video: mine.video.clone(),
            kind: mine.kind,
            chain: mine.chain,
            run: mine.scores.clone(),
            against: other.scores.clone(),
            verdict,
        });
    }
    Comparison { run: run.run.clone(), against: against.run.clone(), metrics, disagreements, items }
}

/// Every number of every section, as `section.metric`, by name.
fn sections(s: &Scores) -> Vec<(String, f64)> {
    let Ok(Value::Object(all)) = serde_json::to_value(s) else { return Vec::new() };
    let mut out = Vec::new();
    for (section, v) in all.iter().filter(|(k, _)| *k != "items" && *k != "run") {
        let Value::Object(fields) = v else { continue };
        for (name, v) in fields {
            match v {
                Value::Number(n) => out.extend(n.as_f64().map(|x| (format!("{section}.{name}"), x))),
                // A rule's part: its mean; V-STaR's chain: each of its numbers.
                Value::Object(part) => match part.get("mean").and_then(Value::as_f64) {
                    Some(x) => out.push((format!("{section}.{name}"), x)),
                    None => out.extend(part.iter().filter_map(|(field, v)| {
                        v.as_f64().map(|x| (format!("{section}.{name}.{field}"), x))
                    })),
                },
                _ => {}
            }
        }
    }
    out
}
