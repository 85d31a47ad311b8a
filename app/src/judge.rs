//! `vidence judge`: a judge model on an OpenAI-compatible server scores a model's open
//! answers as V-STaR's `eval.py` has Qwen2.5-72B score them (0-3, right at 2 or more);
//! each score is kept with its run (one undoable edit a run, journaled as it comes) and
//! `vidence eval` counts it. Requests go out on several threads; a run the server
//! failed on is left unjudged, told, and judged at the next call.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use annotate::eval::judge::{self, Ask};
use annotate::{Document, Edit, Judgement};
use model::server::{Message, Server, ServerError};
use serde::Serialize;

/// Where the judge runs and how hard to push it.
pub struct Options<'a> {
    pub server: &'a str,
    /// The judge model, as the server names it.
    pub judge: &'a str,
    pub api_key: Option<String>,
    pub parallel: usize,
    pub timeout: Duration,
}

/// The judge's replies are one number; a few tokens leave room for a stray space.
const MAX_TOKENS: u32 = 8;
/// A run of failures this long before any success means the server will not answer.
const GIVE_UP_AFTER: usize = 8;
/// Scores are saved to the dataset file this often (the journal holds each one meanwhile).
const SAVE_EVERY: usize = 200;

#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    pub asked: usize,
    pub judged: usize,
    pub failed: usize,
    /// Replies that were no number (scored as wrong, as `eval.py`'s -1).
    pub unreadable: usize,
    /// Judged 2 or more.
    pub right: usize,
    /// The first kinds of failure, in words, each with the first run it happened to.
    pub errors: Vec<String>,
}

pub fn command(dataset: &Path, model: &str, options: &Options, json: bool) -> anyhow::Result<()> {
    let (mut doc, _) = Document::open(dataset)?;
    if !doc.dataset().runs.iter().any(|r| r.model.name == model) {
        // The same refusal as `vidence eval`'s.
        annotate::eval::score(doc.dataset(), model)?;
    }
    let server = Server::new(options.server, options.api_key.clone(), options.timeout)?;
    let asks = judge::to_ask(doc.dataset(), model, options.judge);
    let outcome = run(&mut doc, &server, asks, options)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
    } else {
        println!(
            "{}: judged {} of {} answers of {model} ({} right, {} replies no number), {} failed",
            options.judge, outcome.judged, outcome.asked, outcome.right, outcome.unreadable, outcome.failed
        );
        outcome.errors.iter().for_each(|e| println!("  {e}"));
    }
    if outcome.failed > 0 && outcome.judged == 0 {
        anyhow::bail!("no answer was judged: {}", outcome.errors.first().map_or("", String::as_str));
    }
    Ok(())
}

/// Asks the judge about each of `asks` on `options.parallel` threads, keeping each
/// score in `doc` as it comes; saves at the end.
fn run(doc: &mut Document, server: &Server, asks: Vec<Ask>, options: &Options) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome { asked: asks.len(), ..Outcome::default() };
    let queue = Arc::new(Mutex::new(VecDeque::from(asks)));
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<(Ask, Result<String, ServerError>)>();
    let workers: Vec<_> = (0..options.parallel.max(1))
        .map(|n| {
            let (queue, stop, tx, server) = (queue.clone(), stop.clone(), tx.clone(), server.clone());
            let judge_model = options.judge.to_owned();
            std::thread::Builder::new().name(format!("vidence-judge-{n}")).spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some(ask) = queue.lock().ok().and_then(|mut q| q.pop_front()) else { break };
                    let user = judge::user_message(&ask.question, &ask.truth, &ask.candidate);
                    let messages = [
                        Message { role: "system", content: judge::SYSTEM },
                        Message { role: "user", content: &user },
                    ];
                    let reply = server.chat(&judge_model, &messages, MAX_TOKENS);
                    if tx.send((ask, reply)).is_err() {
                        break;
                    }
                }
            })
        })
        .collect::<Result<_, _>>()?;
    drop(tx);
    for (ask, reply) in rx {
        match reply {
            Ok(reply) => {
                let score = judge::read_score(&reply);
                let run = doc.dataset().runs.iter().find(|r| r.id == ask.run);
                let mut judgements = run.map(|r| r.judgements.clone()).unwrap_or_default();
                judgements.push(Judgement { judge: options.judge.to_owned(), score, reply });
                doc.apply(Edit::SetJudgements { run: ask.run.clone(), judgements })
                    .map_err(|e| anyhow::anyhow!("cannot keep the score of run {}: {e}", ask.run))?;
                outcome.judged += 1;
                outcome.right += usize::from(score.is_some_and(|s| s >= 2));
                outcome.unreadable += usize::from(score.is_none());
                if outcome.judged.is_multiple_of(SAVE_EVERY) {
                    doc.save()?;
                    eprintln!("judged {} of {}", outcome.judged, outcome.asked);
                }
            }
            Err(e) => {
                outcome.failed += 1;
                let words = e.to_string();
                if outcome.errors.len() < 5 && !outcome.errors.iter().any(|seen| seen.starts_with(&words)) {
                    outcome.errors.push(format!("{words} (run {})", ask.run));
                }
                if outcome.judged == 0 && outcome.failed >= GIVE_UP_AFTER {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        }
    }
    for w in workers {
        let _ = w.join();
    }
    // Those never sent once the server was given up on.
    outcome.failed += queue.lock().map(|q| q.len()).unwrap_or(0);
    if outcome.judged > 0 {
        doc.save()?;
    }
    Ok(outcome)
}
