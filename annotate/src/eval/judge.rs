//! A judge model's 0-3 score of an open answer, asked as V-STaR's `eval.py` asks
//! Qwen2.5-72B-Instruct: its system prompt, its user template, its reading of the reply
//! (`int(reply)`, -1 where that fails).

use crate::dataset::Dataset;
use crate::edit::LabelRef;
use crate::run::ModelRun;

/// V-STaR's system prompt for the judge, word for word.
pub const SYSTEM: &str = "\nAs an AI assistant, your task is to evaluate a candidate answer in comparison to a given \
correct answer.\nThe question itself, the correct 'groundtruth' answer, and the candidate answer will be provided \
to you.\nYour assessment should range from 0 to 3, based solely on the semantic similarity between the groundtruth \
and the candidate answer, disregarding any grammatical differences.\nA rating of 0 suggests no similarity, implying \
the candidate answer is entirely incorrect.\nA rating of 1 suggests low similarity, meaning the candidate answer is \
largely incorrect.\nA rating of 2 suggests high similarity, meaning the candidate answer is largely correct.\n\
Lastly, a rating of 3 indicates complete similarity, which means the candidate answer is entirely correct.\nYour \
response should be a single integer from 0, 1, 2, or 3.\n";

/// V-STaR's user message: the question, the true answer and the candidate's.
pub fn user_message(question: &str, truth: &str, candidate: &str) -> String {
    format!(
        "Question: {question}\nGroundtruth answer: {truth}\nCandidate answer: {candidate}\nYour response: "
    )
}

/// The score in a reply as Python's `int` reads it (spaces around, an optional `+`,
/// digits); none where it reads no whole number from 0 up, as `eval.py`'s -1.
pub fn read_score(reply: &str) -> Option<u8> {
    let t = reply.trim();
    let digits = t.strip_prefix('+').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok().map(|n| u8::try_from(n).unwrap_or(u8::MAX))
}

/// What to ask the judge about one run: its question, the true answer and the run's.
#[derive(Clone, Debug, PartialEq)]
pub struct Ask {
    pub run: String,
    pub question: String,
    pub truth: String,
    pub candidate: String,
}

/// The runs of `model` a judge scores: those answering with words a question scored by
/// its words whose answer is open (no options, no number), not judged by `judge` yet.
pub fn to_ask(data: &Dataset, model: &str, judge: &str) -> Vec<Ask> {
    let questions: std::collections::HashMap<&str, &crate::dataset::Question> =
        data.questions.iter().map(|q| (q.id.as_str(), q)).collect();
    data.runs
        .iter()
        .filter(|r| r.model.name == model && !r.judgements.iter().any(|j| j.judge == judge))
        .filter_map(|r: &ModelRun| {
            let Some(LabelRef::Question(id)) = &r.answers else { return None };
            let q = questions.get(id.as_str())?;
            let open =
                super::by_words(q) && super::answers::rule(&q.options, &q.answer) == super::Rule::Exact;
            let candidate = r.prediction.answer.as_deref().unwrap_or(&r.raw);
            (open && !q.answer.trim().is_empty() && !candidate.is_empty()).then(|| Ask {
                run: r.id.clone(),
                question: q.text.clone(),
                truth: q.answer.clone(),
                candidate: candidate.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_as_pythons_int_reads_them() {
        let cases = [("3", Some(3)), (" 2\n", Some(2)), ("+1", Some(1)), ("03", Some(3)), ("7", Some(7))];
        for (reply, want) in cases {
            assert_eq!(read_score(reply), want, "{reply:?}");
        }
        for reply in ["", "-1", "2.", "Score: 3", "three", "+", "2 3"] {
            assert_eq!(read_score(reply), None, "{reply:?}");
        }
    }

    #[test]
    fn the_prompt_is_v_stars() {
        assert!(SYSTEM.starts_with("\nAs an AI assistant, your task is to evaluate a candidate answer"));
        assert!(SYSTEM.contains("disregarding any grammatical differences.\nA rating of 0"));
        assert_eq!(
            user_message("Q?", "a", "b"),
            "Question: Q?\nGroundtruth answer: a\nCandidate answer: b\nYour response: "
        );
    }
}
