//! `vidence eval`: a model's runs on a dataset scored by `annotate::eval` (or compared
//! with a second model's), printed as
//! the sections that apply (answers, when, where over time, tracking) and the weakest
//! items first, or as JSON.

use std::path::Path;

use annotate::eval::{Comparison, ItemKind, Pair, Scores, Verdict};

/// How many of the weakest items the text lists.
const WORST: usize = 10;

pub fn command(
    dataset: &Path,
    run: &str,
    against: Option<&str>,
    report: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    let data = annotate::load(dataset)?;
    let scores = annotate::eval::score(&data, run)?;
    let name = dataset.display().to_string();
    // One model's scores, or two compared: as JSON, as lines, as a page.
    let (json_text, text, page) = match against {
        Some(other) => {
            let c = annotate::eval::compare(&scores, &annotate::eval::score(&data, other)?);
            (serde_json::to_string_pretty(&c)?, compared(&c), crate::report::comparison_page(&c, &name))
        }
        None => (
            serde_json::to_string_pretty(&scores)?,
            lines(&scores),
            crate::report::scores_page(&scores, &name),
        ),
    };
    if let Some(path) = report {
        crate::report::write(path, &page)?;
        eprintln!("report: {}", path.display());
    }
    if json {
        println!("{json_text}");
    } else {
        text.iter().for_each(|l| println!("{l}"));
    }
    Ok(())
}

/// The scores in lines for people: each section, then the weakest items.
pub fn lines(scores: &Scores) -> Vec<String> {
    let mut out = vec![format!("{}: {} items", scores.run, scores.items.len())];
    if let Some(qa) = &scores.questions.qa {
        let part = |name: &str, p: &Option<annotate::eval::Part>| {
            p.as_ref().map(|p| format!("  {name} {:.4} ({})", p.mean, p.items)).unwrap_or_default()
        };
        out.push(format!(
            "answers ({} items): accuracy {:.4}{}{}{}{}",
            qa.items,
            qa.accuracy,
            part("choice", &qa.choice),
            part("number", &qa.number),
            part("exact", &qa.exact),
            part("judge", &qa.judge)
        ));
    }
    if let Some(t) = &scores.questions.temporal {
        out.push(format!(
            "when ({} items): m_tIoU {:.4}  R1@0.3 {:.4}  R1@0.5 {:.4}  R1@0.7 {:.4}",
            t.items, t.recall.m_tiou, t.recall.r1_03, t.recall.r1_05, t.recall.r1_07
        ));
    }
    if let Some(s) = &scores.questions.spatial {
        out.push(format!(
            "where over time ({} items): m_vIoU {:.4}  vIoU@0.3 {:.4}  vIoU@0.5 {:.4}",
            s.items, s.m_viou, s.viou_03, s.viou_05
        ));
    }
    if let Some(v) = &scores.vstar {
        out.extend(vstar_lines(v));
    }
    if let Some(t) = &scores.tracking {
        out.push(format!(
            "tracking ({} videos): HOTA {:.4}  DetA {:.4}  AssA {:.4}  LocA {:.4}  MOTA {:.4}  MOTP {:.4}  IDF1 {:.4}  IDSW {}  FP {}  FN {}",
            t.sequences, t.HOTA, t.DetA, t.AssA, t.LocA, t.MOTA, t.MOTP, t.IDF1, t.IDSW, t.FP, t.FN
        ));
    }
    if let Some(d) = &scores.detection {
        out.push(format!(
            "boxes ({} frames): AP {:.4}  AP50 {:.4}  AP75 {:.4}  AR {:.4}",
            d.images, d.AP, d.AP50, d.AP75, d.AR
        ));
    }
    if let Some(d) = &scores.by_duration {
        for (name, part) in [("short", &d.short), ("medium", &d.medium), ("long", &d.long)] {
            let Some(p) = part else { continue };
            let mut line = format!("  {name} videos:");
            if let Some(qa) = &p.qa {
                line += &format!("  accuracy {:.4} ({})", qa.accuracy, qa.items);
            }
            if let Some(t) = &p.temporal {
                line += &format!("  m_tIoU {:.4} ({})", t.recall.m_tiou, t.items);
            }
            if let Some(s) = &p.spatial {
                line += &format!("  m_vIoU {:.4} ({})", s.m_viou, s.items);
            }
            out.push(line);
        }
    }
    let without_run = |tracks: bool| {
        scores
            .items
            .iter()
            .filter(|i| i.run.is_none() && !matches!(i.kind, ItemKind::Question(_)) == tracks)
            .count()
    };
    if without_run(false) > 0 {
        out.push(format!("{} questions have no answer from {} and score 0", without_run(false), scores.run));
    }
    if without_run(true) > 0 {
        out.push(format!("videos with no boxes from {}, scored 0: {}", scores.run, without_run(true)));
    }
    out.push("weakest:".into());
    for i in annotate::eval::worst_first(&scores.items).into_iter().take(WORST) {
        let score = |name: &str, v: Option<f64>| v.map(|v| format!("  {name} {v:.4}")).unwrap_or_default();
        let idsw = i.scores.idsw.map(|n| format!("  IDSW {n}")).unwrap_or_default();
        let chain = i.chain.map(|c| format!(", chain {c}")).unwrap_or_default();
        out.push(format!(
            "  {} ({}, {}{chain}){}{}{}{}{}{}{idsw}{}",
            i.id,
            i.video,
            i.run_or_missing(),
            score("answer", i.scores.answer),
            score("tIoU", i.scores.tiou),
            score("vIoU", i.scores.viou),
            score("HOTA", i.scores.hota),
            score("MOTA", i.scores.mota),
            score("IDF1", i.scores.idf1),
            score("AP", i.scores.ap)
        ));
    }
    out
}

/// V-STaR's scores as its `eval.py` prints them: overall, then by length and domain.
fn vstar_lines(v: &annotate::eval::Vstar) -> Vec<String> {
    let lgm = |l: Option<f64>| l.map_or("infinite (a term is 1)".to_owned(), |l| format!("{l:.4}"));
    let headline = |c: &annotate::eval::Chains| {
        format!("accuracy {:.4}  mAM {:.4}  mLGM {}", c.accuracy, c.m_am, lgm(c.m_lgm))
    };
    let a = &v.all;
    let mut out = vec![format!(
        "V-STaR ({} items, {} answered, {} judged): {}",
        a.items,
        a.answered,
        a.judged,
        headline(a)
    )];
    for (n, c) in [(1, &a.chain1), (2, &a.chain2)] {
        let [a1, a3, a5, a7, a9] = c.m_ap;
        out.push(format!(
            "  chain {n}: m_tIoU {:.4}  R1@0.3 {:.4}  R1@0.5 {:.4}  R1@0.7 {:.4}  m_vIoU {:.4}  \
             mAP@0.1 {a1:.4}  @0.3 {a3:.4}  @0.5 {a5:.4}  @0.7 {a7:.4}  @0.9 {a9:.4}  AM {:.4}  LGM {}",
            c.when.m_tiou,
            c.when.r1_03,
            c.when.r1_05,
            c.when.r1_07,
            c.m_viou,
            c.am,
            lgm(c.lgm)
        ));
    }
    for (name, c) in &v.by_duration {
        out.push(format!("  {name} videos ({} answered): {}", c.items, headline(c)));
    }
    for (name, c) in &v.by_domain {
        out.push(format!("  domain {name} ({} answered): {}", c.items, headline(c)));
    }
    out
}

/// Two models compared, for people: each metric's change, the counts of who got what
/// right, then the items where they disagree, those the first got right first.
pub fn compared(c: &Comparison) -> Vec<String> {
    let mut out = vec![format!("{} against {}:", c.run, c.against)];
    for d in &c.metrics {
        out.push(format!("  {:<22} {:>10.4} {:>10.4} {:>+10.4}", d.metric, d.run, d.against, d.delta));
    }
    let n = &c.disagreements;
    out.push(format!(
        "{} right, {} wrong: {}; {} right, {} wrong: {}; both wrong: {}; both right: {}",
        c.run,
        c.against,
        n.run_right_against_wrong,
        c.against,
        c.run,
        n.against_right_run_wrong,
        n.both_wrong,
        n.both_right
    ));
    for (verdict, title) in [
        (Verdict::RunRightAgainstWrong, format!("right in {} only:", c.run)),
        (Verdict::AgainstRightRunWrong, format!("right in {} only:", c.against)),
    ] {
        let items: Vec<&Pair> = c.items.iter().filter(|p| p.verdict == Some(verdict)).collect();
        if !items.is_empty() {
            out.push(title);
            out.extend(items.iter().take(WORST).map(|p| format!("  {} ({})", p.id, p.video)));
        }
    }
    out
}
