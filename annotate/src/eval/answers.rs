//! Answers: a model's words against a question's answer. Multiple choice by the option
//! letter VSI-Bench reads (the first word, its trailing dots dropped, any case), else
//! by the option's text; a number by VSI-Bench's mean relative accuracy over the ten
//! thresholds 0.50..0.95; any other answer by exact match after SQuAD's normalisation
//! (case, punctuation, articles, spaces).

use serde::Serialize;

/// How an answer was scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Choice,
    Number,
    Exact,
    /// A judge model's score: right at 2 or more of 3.
    Judge,
}

/// The rule for a question with these options and answer: a choice where it has
/// options, a number where its answer is one, else exact match.
pub fn rule(options: &[String], answer: &str) -> Rule {
    if !options.is_empty() {
        Rule::Choice
    } else if number(answer.trim()).is_some() {
        Rule::Number
    } else {
        Rule::Exact
    }
}

/// The score of `predicted` (0..1) against `answer` under `rule`.
pub fn score(rule: Rule, options: &[String], answer: &str, predicted: &str) -> f64 {
    match rule {
        Rule::Choice => {
            let truth = chosen(options, answer);
            f64::from(u8::from(truth.is_some() && chosen(options, predicted) == truth))
        }
        Rule::Number => match (number(first_word(predicted)), number(answer.trim())) {
            (Some(p), Some(t)) => mean_relative_accuracy(p, t),
            _ => 0.0,
        },
        // A judge's verdict is the run's own; its words alone are matched exactly.
        Rule::Exact | Rule::Judge => f64::from(u8::from(normalize(predicted) == normalize(answer))),
    }
}

/// VSI-Bench's `fuzzy_matching`: the text before the first space, trailing dots and
/// then surrounding spaces removed.
fn first_word(text: &str) -> &str {
    text.split(' ').next().unwrap_or("").trim_end_matches('.').trim()
}

/// The option `text` names: by its letter (A for the first), else by the option's own
/// words (with or without its "A." label).
fn chosen(options: &[String], text: &str) -> Option<usize> {
    let word = first_word(text);
    let mut letters = word.chars();
    if let (Some(c), None) = (letters.next(), letters.next())
        && c.is_ascii_alphabetic()
    {
        let i = (c.to_ascii_uppercase() as u8 - b'A') as usize;
        return (i < options.len()).then_some(i);
    }
    let text = normalize(text);
    options.iter().position(|o| normalize(o) == text || normalize(unlabelled(o)) == text)
}

/// An option without its leading "A." or "A)" label.
fn unlabelled(option: &str) -> &str {
    let mut chars = option.char_indices();
    match (chars.next(), chars.next()) {
        (Some((_, c)), Some((i, '.' | ')'))) if c.is_ascii_alphabetic() => option[i + 1..].trim_start(),
        _ => option,
    }
}

/// Python's `float` of a word, as far as answers go: finite decimal numbers.
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// VSI-Bench's `mean_relative_accuracy(pred, target, .5, .95, .05)`: the share of the
/// thresholds `c` (numpy's `linspace(.5, .95, 10)`) with `|pred - target| / target <= 1 - c`.
/// A target of 0 (a division by zero there) counts only an exact 0.
pub fn mean_relative_accuracy(predicted: f64, target: f64) -> f64 {
    if target == 0.0 {
        return f64::from(u8::from(predicted == 0.0));
    }
    let error = (predicted - target).abs() / target;
    let step = (0.95 - 0.5) / 9.0;
    let hits = (0..10).filter(|&i| {
        let c = if i == 9 { 0.95 } else { f64::from(i) * step + 0.5 };
        error <= 1.0 - c
    });
    hits.count() as f64 / 10.0
}

/// SQuAD's `normalize_answer`: lower case, ASCII punctuation removed, the words a, an
/// and the removed, spaces collapsed.
pub fn normalize(text: &str) -> String {
    let lower: String = text.to_lowercase().chars().filter(|c| !c.is_ascii_punctuation()).collect();
    let mut out = String::with_capacity(lower.len());
    let mut word = String::new();
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    // Articles go where they are whole words (`\b(a|an|the)\b`), whatever is beside them.
    for c in lower.chars().chain(std::iter::once(' ')) {
        if word_char(c) {
            word.push(c);
            continue;
        }
        if !matches!(word.as_str(), "a" | "an" | "the") {
            out.push_str(&word);
        } else {
            out.push(' ');
        }
        word.clear();
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_read_by_letter_then_by_text() {
        let options: Vec<String> = ["A. the chair", "B. a table", "C. sofa"].map(String::from).into();
        assert_eq!(chosen(&options, "B."), Some(1));
        assert_eq!(chosen(&options, "b) because"), None, "b) is not a letter word");
        assert_eq!(chosen(&options, "Table"), Some(1), "by its words, articles aside");
        assert_eq!(chosen(&options, "D"), None, "no fourth option");
        assert_eq!(score(Rule::Choice, &options, "C", "C. sofa"), 1.0);
    }

    #[test]
    fn normalisation_drops_articles_only_as_whole_words() {
        assert_eq!(normalize("The  Cat's hat!"), "cats hat");
        assert_eq!(normalize("anthem at the–end"), "anthem at –end");
    }
}
