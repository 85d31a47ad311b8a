//! The Evaluate tab's filter: conditions such as `tIoU < 0.3`, `wrong`, `no answer`,
//! `better` (against a second model) or words of an item's id or video, split by
//! commas or `and`, all of which an item must meet.

use annotate::eval::{Item, Verdict};

use super::{SCORES, Score};

/// What the filter box asks for: every condition must hold.
pub(super) struct Filter(Vec<Condition>);

enum Condition {
    Compare(Score, std::cmp::Ordering, bool, f64),
    Wrong,
    Right,
    Unanswered,
    Verdict(Verdict),
    Words(String),
}

impl Filter {
    /// `tIoU < 0.3, wrong` and the like: conditions split by commas or `and`.
    pub(super) fn parse(text: &str) -> Self {
        let lowered = text.to_lowercase().replace(" and ", ",");
        let conditions = lowered.split(',').map(str::trim).filter(|c| !c.is_empty()).map(|c| {
            let ops = [
                ("<=", std::cmp::Ordering::Less, true),
                (">=", std::cmp::Ordering::Greater, true),
                ("<", std::cmp::Ordering::Less, false),
                (">", std::cmp::Ordering::Greater, false),
                ("=", std::cmp::Ordering::Equal, true),
            ];
            for (op, ordering, or_equal) in ops {
                if let Some((name, number)) = c.split_once(op)
                    && let Ok(number) = number.trim().parse::<f64>()
                    && let Some((_, f)) = SCORES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
                {
                    return Condition::Compare(*f, ordering, or_equal, number);
                }
            }
            match c {
                "wrong" => Condition::Wrong,
                "right" => Condition::Right,
                "no answer" | "unanswered" => Condition::Unanswered,
                "better" => Condition::Verdict(Verdict::RunRightAgainstWrong),
                "worse" => Condition::Verdict(Verdict::AgainstRightRunWrong),
                "both wrong" => Condition::Verdict(Verdict::BothWrong),
                "both right" => Condition::Verdict(Verdict::BothRight),
                words => Condition::Words(words.to_owned()),
            }
        });
        Filter(conditions.collect())
    }

    pub(super) fn keeps(&self, item: &Item, verdict: Option<Verdict>) -> bool {
        self.0.iter().all(|c| match c {
            Condition::Compare(value, ordering, or_equal, number) => value(&item.scores)
                .is_some_and(|v| v.total_cmp(number) == *ordering || (*or_equal && v == *number)),
            Condition::Wrong => annotate::eval::right(&item.scores) == Some(false),
            Condition::Right => annotate::eval::right(&item.scores) == Some(true),
            Condition::Unanswered => item.run.is_none(),
            Condition::Verdict(v) => verdict == Some(*v),
            Condition::Words(w) => {
                item.id.to_lowercase().contains(w) || item.video.to_lowercase().contains(w)
            }
        })
    }
}
