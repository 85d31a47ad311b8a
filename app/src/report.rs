//! `vidence eval --report FILE.html`: the scores as one self-contained page (no
//! script, no file beside it): each section's table, a histogram of each per-item
//! score and the answers' mean by question kind as inline SVG, and every item, the
//! weakest first; with a second model, each metric's change, who got what right, and
//! the items side by side.

use std::fmt::Write as _;
use std::path::Path;

use annotate::eval::{Comparison, Item, ItemKind, Scores, Verdict};
use serde_json::Value;

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}h2{margin-top:1.5em}\
.plots{display:flex;flex-wrap:wrap;gap:1.5em}.plot{font-size:12px}.worse{color:#b00}.better{color:#070}";

/// Writes `html` to `path` through a file beside it, so a reader never sees half a page.
pub fn write(path: &Path, html: &str) -> anyhow::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("report.html");
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, html).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// The page of one model's scores on `dataset`.
pub fn scores_page(scores: &Scores, dataset: &str) -> String {
    let mut body = format!("<h1>{} on {}</h1>", esc(&scores.run), esc(dataset));
    let value = serde_json::to_value(scores).unwrap_or_default();
    if let Value::Object(all) = &value {
        for (section, v) in all.iter().filter(|(k, _)| *k != "items" && *k != "run") {
            let _ = write!(body, "<h2>{}</h2>{}", esc(section), section_table(v));
        }
    }
    let mut plots = String::new();
    for key in score_keys(scores.items.iter().map(|i| &i.scores)) {
        let values: Vec<f64> = scores.items.iter().filter_map(|i| item_value(&i.scores, &key)).collect();
        plots += &histogram(&key, &values);
    }
    plots += &answers_by_kind(&scores.items);
    if !plots.is_empty() {
        let _ = write!(body, "<h2>Plots</h2><div class=plots>{plots}</div>");
    }
    let _ = write!(
        body,
        "<h2>Items ({}), the weakest first</h2>{}",
        scores.items.len(),
        items_table(&scores.items)
    );
    page(&format!("{} on {}", scores.run, dataset), &body)
}

/// The page of two models compared on `dataset`.
pub fn comparison_page(c: &Comparison, dataset: &str) -> String {
    let (a, b) = (esc(&c.run), esc(&c.against));
    let mut body = format!("<h1>{a} against {b} on {}</h1><h2>Metrics</h2>", esc(dataset));
    let _ = write!(body, "<table><tr><th>metric</th><th>{a}</th><th>{b}</th><th>change</th></tr>");
    for d in &c.metrics {
        let class = if d.delta > 0.0 {
            "better"
        } else if d.delta < 0.0 {
            "worse"
        } else {
            ""
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{:.4}</td><td>{:.4}</td><td class={class}>{:+.4}</td></tr>",
            esc(&d.metric),
            d.run,
            d.against,
            d.delta
        );
    }
    let n = &c.disagreements;
    let _ = write!(
        body,
        "</table><h2>Who got what right</h2><table><tr><th></th><th>items</th></tr>\
         <tr><td>{a} right, {b} wrong</td><td>{}</td></tr><tr><td>{b} right, {a} wrong</td><td>{}</td></tr>\
         <tr><td>both wrong</td><td>{}</td></tr><tr><td>both right</td><td>{}</td></tr></table>",
        n.run_right_against_wrong, n.against_right_run_wrong, n.both_wrong, n.both_right
    );
    let keys = score_keys(c.items.iter().flat_map(|p| [&p.run, &p.against]));
    let _ = write!(
        body,
        "<h2>Items ({})</h2><table><tr><th>item</th><th>video</th><th>kind</th><th>verdict</th>",
        c.items.len()
    );
    for k in &keys {
        let _ = write!(body, "<th>{a} {0}</th><th>{b} {0}</th>", esc(k));
    }
    body += "</tr>";
    for p in &c.items {
        let verdict = match p.verdict {
            Some(Verdict::RunRightAgainstWrong) => format!("{a} right"),
            Some(Verdict::AgainstRightRunWrong) => format!("{b} right"),
            Some(Verdict::BothWrong) => "both wrong".into(),
            Some(Verdict::BothRight) => "both right".into(),
            None => String::new(),
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{verdict}</td>",
            esc(&p.id),
            esc(&p.video),
            kind(p.kind, p.chain)
        );
        for k in &keys {
            let (x, y) = (item_json(&p.run, k), item_json(&p.against, k));
            let _ = write!(body, "<td>{}</td><td>{}</td>", cell(x.as_ref()), cell(y.as_ref()));
        }
        body += "</tr>";
    }
    body += "</table>";
    page(&format!("{} against {}", c.run, c.against), &body)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        esc(title)
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A number as its JSON has it: a count whole, a fraction to four places.
fn cell(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(Value::Number(n)) => n.as_f64().map(|v| format!("{v:.4}")).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A section's numbers in a table; a rule's part as its items and mean; a section
/// within (by duration) as its rows under its name.
fn section_table(v: &Value) -> String {
    let mut rows = String::new();
    section_rows(v, "", &mut rows);
    format!("<table><tr><th>metric</th><th>value</th></tr>{rows}</table>")
}

fn section_rows(v: &Value, prefix: &str, rows: &mut String) {
    let Value::Object(fields) = v else { return };
    for (name, v) in fields {
        let name = format!("{prefix}{name}");
        let shown = match v {
            Value::Number(_) => cell(Some(v)),
            Value::Object(part) if part.contains_key("mean") => format!(
                "{} ({} items)",
                cell(part.get("mean")),
                part.get("items").and_then(Value::as_u64).unwrap_or(0)
            ),
            Value::Object(_) => {
                section_rows(v, &format!("{name} "), rows);
                continue;
            }
            // V-STaR's mAP at each threshold.
            Value::Array(values) => values.iter().map(|v| cell(Some(v))).collect::<Vec<_>>().join(" "),
            // V-STaR's LGM where a term is 1.
            Value::Null => "infinite".into(),
            _ => continue,
        };
        let _ = write!(rows, "<tr><td>{}</td><td>{shown}</td></tr>", esc(&name));
    }
}

/// An item's kind as its JSON names it, with V-STaR's chain where it has one.
fn kind(k: ItemKind, chain: Option<u8>) -> String {
    let name = serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    chain.map_or(name.clone(), |c| format!("{name}, chain {c}"))
}

/// The per-item scores named in any of `scores`, as their JSON names them.
fn score_keys<'a>(scores: impl Iterator<Item = &'a annotate::eval::ItemScores>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for s in scores {
        if let Ok(Value::Object(m)) = serde_json::to_value(s) {
            for (k, v) in m {
                if v.is_number() && !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    keys
}

fn item_json(s: &annotate::eval::ItemScores, key: &str) -> Option<Value> {
    serde_json::to_value(s).ok()?.get(key).cloned()
}

fn item_value(s: &annotate::eval::ItemScores, key: &str) -> Option<f64> {
    item_json(s, key)?.as_f64()
}

/// The items, weakest first (by their first score), a column a score.
fn items_table(items: &[Item]) -> String {
    let keys = score_keys(items.iter().map(|i| &i.scores));
    let first = |i: &Item| keys.iter().find_map(|k| item_value(&i.scores, k)).unwrap_or(0.0);
    let mut sorted: Vec<&Item> = items.iter().collect();
    sorted.sort_by(|a, b| first(a).total_cmp(&first(b)));
    let mut t = String::from("<table><tr><th>item</th><th>video</th><th>kind</th><th>run</th>");
    for k in &keys {
        let _ = write!(t, "<th>{}</th>", esc(k));
    }
    t += "</tr>";
    for i in sorted {
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&i.id),
            esc(&i.video),
            kind(i.kind, i.chain),
            esc(i.run.as_deref().unwrap_or("none"))
        );
        for k in &keys {
            let _ = write!(t, "<td>{}</td>", cell(item_json(&i.scores, k).as_ref()));
        }
        t += "</tr>";
    }
    t + "</table>"
}

/// Bars of `heights` (each labelled below, `top` the full height) under `title`.
fn bars(title: &str, heights: &[(String, f64, String)], top: f64) -> String {
    const W: f64 = 320.0;
    const H: f64 = 140.0;
    let n = heights.len().max(1) as f64;
    let top = top.max(f64::MIN_POSITIVE);
    let mut svg = format!(
        "<figure class=plot><svg xmlns=\"http://www.w3.org/2000/svg\" width={W} height={} role=img aria-label=\"{}\">",
        H + 40.0,
        esc(title)
    );
    for (k, (label, h, note)) in heights.iter().enumerate() {
        let w = W / n;
        let bar = H * h / top;
        let x = k as f64 * w + w / 2.0;
        let _ = write!(
            svg,
            "<rect x={:.1} y={:.1} width={:.1} height={bar:.1} fill=#4a7fb5><title>{}</title></rect>\
             <text x={x:.1} y={} font-size=10 text-anchor=middle>{}</text>",
            k as f64 * w + 1.0,
            H - bar + 20.0,
            (w - 2.0).max(1.0),
            esc(note),
            H + 34.0,
            esc(label)
        );
        if *h > 0.0 {
            let value = if h.fract() == 0.0 { format!("{h}") } else { format!("{h:.2}") };
            let _ = write!(
                svg,
                "<text x={x:.1} y={:.1} font-size=10 text-anchor=middle>{value}</text>",
                H - bar + 16.0
            );
        }
    }
    let _ = write!(
        svg,
        "<line x1=0 y1={} x2={W} y2={} stroke=#888 /></svg><figcaption>{}</figcaption></figure>",
        H + 20.0,
        H + 20.0,
        esc(title)
    );
    svg
}

/// How many items score in each tenth of 0..1.
fn histogram(key: &str, values: &[f64]) -> String {
    let Some(counts) = annotate::eval::spread::tenths(values).filter(|_| !values.is_empty()) else {
        return String::new();
    };
    let heights: Vec<(String, f64, String)> = counts
        .iter()
        .enumerate()
        .map(|(b, c)| {
            (format!("{:.1}", b as f64 / 10.0), *c as f64, format!("{c} items from {:.1}", b as f64 / 10.0))
        })
        .collect();
    let tallest = counts.iter().max().copied().unwrap_or(1) as f64;
    bars(&format!("{key}: items by tenths ({} items)", values.len()), &heights, tallest)
}

/// The answers' mean score by question kind.
fn answers_by_kind(items: &[Item]) -> String {
    let kinds = annotate::eval::spread::answers_by_kind(items);
    if kinds.is_empty() {
        return String::new();
    }
    let heights: Vec<(String, f64, String)> = kinds
        .iter()
        .map(|&(k, mean, n)| {
            let k = kind(ItemKind::Question(k), None);
            (k.clone(), mean, format!("{k}: {mean:.4} over {n} items"))
        })
        .collect();
    bars("answers: mean score by question kind", &heights, 1.0)
}
