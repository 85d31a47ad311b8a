//! V-STaR's scores against a port of its `eval.py` on the same files
//! (`scripts/eval-reference.sh` writes the items, a result file, a judge's scores and
//! the port's output): the items imported as labels, the results as a run, the judge's
//! scores as the runs' judgements, `eval::score` compared.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use annotate::eval::{self, ItemKind, Rule};
use annotate::formats::{self, Format, Input};
use annotate::{Dataset, Judgement, LabelRef, QuestionKind};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval/vstar");

fn input(name: &str) -> Input {
    Input { name: name.into(), bytes: std::fs::read(format!("{FIXTURES}/{name}")).unwrap() }
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&input(name).bytes).unwrap()
}

/// The items with the model's answers, and the judge's scores where `judged`.
fn dataset(judged: bool) -> Dataset {
    let mut data = formats::import(Format::Vstar, &[input("V_STaR.json")], &[]).unwrap().dataset;
    let run = formats::import_run(Format::Vstar, &[input("results.json")], &data.videos, "model").unwrap();
    data.runs.extend(run.dataset.runs);
    if judged {
        let judge = json("judge.json");
        for r in &mut data.runs {
            let Some(LabelRef::Question(id)) = &r.answers else { continue };
            let Some(n) = id.strip_prefix("vstar-").and_then(|s| s.strip_suffix("-what")) else { continue };
            let index = (n.parse::<usize>().unwrap() - 1).to_string();
            let score = judge[&index].as_i64().unwrap();
            r.judgements.push(Judgement {
                judge: "Qwen/Qwen2.5-72B-Instruct".into(),
                score: u8::try_from(score).ok(),
                reply: if score < 0 { "It is largely right.".into() } else { score.to_string() },
            });
        }
    }
    data
}

/// Every number of `want` (nulls too) is in `got` within 1e-6.
fn same(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, w) in w {
                same(
                    g.get(k).unwrap_or_else(|| panic!("{at}.{k} is missing: {got}")),
                    w,
                    &format!("{at}.{k}"),
                );
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                same(g, w, &format!("{at}[{i}]"));
            }
        }
        (g, Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap_or_else(|| panic!("{at}: {g}")), w.as_f64().unwrap());
            assert!((g - w).abs() <= 1e-6, "{at}: {g} here, {w} in eval.py");
        }
        (g, w) => assert_eq!(g, w, "{at}"),
    }
}

#[test]
fn a_result_file_scores_as_v_stars_eval_py_scores_it() {
    let reference = json("eval_py.json");
    let scores = eval::score(&dataset(true), "model").unwrap();
    let vstar = serde_json::to_value(scores.vstar.as_ref().unwrap()).unwrap();
    same(&vstar, &reference["overall"], "overall");
    same(&vstar["by_duration"], &reference["by_duration"], "by_duration");
    same(&vstar["by_domain"], &reference["by_domain"], "by_domain");
    assert_eq!(vstar["by_domain"]["Sports"]["chain1"]["LGM"], Value::Null, "accuracy 1: log(0)");
    assert_eq!(vstar["judged"], 43);

    // Item by item.
    let find = |id: &str, kind: QuestionKind, chain: Option<u8>| {
        let found = scores
            .items
            .iter()
            .find(|i| i.id == id && i.kind == ItemKind::Question(kind) && i.chain == chain);
        found.unwrap_or_else(|| panic!("no item {id} {kind:?} {chain:?}")).scores.clone()
    };
    let items = reference["items"].as_array().unwrap();
    for row in items {
        let base = format!("vstar-{}", row["index"].as_u64().unwrap() + 1);
        let close = |got: Option<f64>, field: &str| {
            let want = row[field].as_f64().unwrap();
            assert!((got.unwrap() - want).abs() <= 1e-6, "{base} {field}: {got:?} here, {want} in eval.py");
        };
        let what = find(&format!("{base}-what"), QuestionKind::What, None);
        assert_eq!(what.rule, Some(Rule::Judge));
        assert_eq!(what.answer, Some(f64::from(u8::from(row["VQA_score"].as_i64().unwrap() >= 2))), "{base}");
        close(find(&format!("{base}-when"), QuestionKind::When, Some(1)).tiou, "temporal_IoU");
        close(find(&format!("{base}-when"), QuestionKind::When, Some(2)).tiou, "temporal_IoU_2");
        close(find(&format!("{base}-where"), QuestionKind::Where, Some(1)).viou, "spatial_mIoU");
        close(find(&format!("{base}-where-2"), QuestionKind::Where, Some(2)).viou, "spatial_mIoU_2");
    }
    // The traps are there: a key that missed a box written 2.0, unanswered items.
    assert!(items.iter().any(|r| r["spatial_mIoU"] == 0.0 && r["temporal_IoU"].as_f64().unwrap() > 0.3));
    assert_eq!(reference["overall"]["items"].as_u64().unwrap() - items.len() as u64, 5);
}

#[test]
fn without_a_judge_the_what_answers_are_matched_word_for_word() {
    let mut data = dataset(false);
    // Two items answered in the truth's own words (SQuAD's normalisation: case, articles, dots).
    for (n, said) in [(1, "Event 0."), (3, "the event 2")] {
        let id = LabelRef::Question(format!("vstar-{n}-what"));
        let r = data.runs.iter_mut().find(|r| r.answers.as_ref() == Some(&id)).unwrap();
        r.prediction.answer = Some(said.into());
    }
    let scores = eval::score(&data, "model").unwrap();
    let vstar = scores.vstar.unwrap();
    assert_eq!((vstar.all.judged, vstar.all.answered, vstar.all.items), (0, 43, 48));
    assert_eq!(vstar.all.accuracy, 2.0 / 48.0);
    let exact = scores.questions.qa.unwrap().exact.unwrap();
    assert_eq!((exact.items, exact.mean), (48, 2.0 / 48.0), "the unanswered ones score 0");
}
