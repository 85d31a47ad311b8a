//! `vidence runs`: a dataset's runs, each with its backend, model, and answered and
//! failed jobs (from the dataset and the batch stores beside it); `vidence runs merge`
//! joins the stores of a run's shards into the dataset, naming each job two stores
//! answered differently instead of dropping either answer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use annotate::batch::{self, Line};
use annotate::{Document, ModelRun};
use anyhow::Context as _;
use serde::Serialize;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Runs {
    #[command(subcommand)]
    pub what: Option<RunsCommand>,
    /// The dataset whose runs are listed.
    pub dataset: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Subcommand)]
pub enum RunsCommand {
    /// Join batch stores (`vidence predict --shard`) into the dataset.
    Merge {
        dataset: PathBuf,
        /// Store files (`DATASET.runs/*.jsonl`); none: every store beside the dataset.
        stores: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

/// A run as listed.
#[derive(Debug, Serialize)]
pub struct Listed {
    pub run: String,
    pub backend: String,
    /// The checkpoint or served model (where the run is named otherwise), else the name.
    pub model: String,
    /// Jobs answered in the dataset.
    pub answered: usize,
    /// Answered in a store, not yet joined into the dataset (`vidence runs merge`).
    pub in_stores: usize,
    /// Jobs whose last try failed and that no answer has come for since.
    pub failed: usize,
}

/// What a merge did.
#[derive(Debug, Serialize)]
pub struct Merged {
    pub added: usize,
    pub already: usize,
    pub conflicts: Vec<String>,
}

pub fn command(runs: &Runs) -> anyhow::Result<()> {
    match (&runs.what, &runs.dataset) {
        (Some(RunsCommand::Merge { dataset, stores, json }), _) => {
            let merged = merge(dataset, stores)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&merged)?);
            } else {
                println!(
                    "{} answers added, {} already there, {} conflicts",
                    merged.added,
                    merged.already,
                    merged.conflicts.len()
                );
                merged.conflicts.iter().for_each(|c| println!("  {c}"));
            }
            Ok(())
        }
        (None, Some(dataset)) => {
            let listed = list(dataset)?;
            if runs.json {
                println!("{}", serde_json::to_string_pretty(&listed)?);
            } else {
                for r in &listed {
                    println!(
                        "{}: {} ({}), {} answered, {} in stores, {} failed",
                        r.run, r.backend, r.model, r.answered, r.in_stores, r.failed
                    );
                }
            }
            Ok(())
        }
        (None, None) => anyhow::bail!("give a dataset: vidence runs DATASET.json"),
    }
}

/// Every store file beside `dataset`, in name order.
fn stores_of(dataset: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let folder = batch::folder(dataset);
    let Ok(entries) = std::fs::read_dir(&folder) else { return Ok(Vec::new()) };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list {}", folder.display()))?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    paths.sort();
    Ok(paths)
}

fn read_stores(paths: &[PathBuf]) -> anyhow::Result<Vec<(String, Vec<Line>)>> {
    paths
        .iter()
        .map(|p| {
            let read = batch::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            for (n, why) in &read.bad {
                eprintln!("{}:{n}: a line that does not read is left out ({why})", p.display());
            }
            Ok((p.display().to_string(), read.lines))
        })
        .collect()
}

pub fn list(dataset: &Path) -> anyhow::Result<Vec<Listed>> {
    let data = annotate::load(dataset)?;
    let stores = read_stores(&stores_of(dataset)?)?;
    let lines: Vec<Line> = stores.iter().flat_map(|(_, l)| l.iter().cloned()).collect();
    let mut runs: BTreeMap<String, Vec<&ModelRun>> = BTreeMap::new();
    for r in &data.runs {
        runs.entry(r.model.name.clone()).or_default().push(r);
    }
    for line in &lines {
        runs.entry(line.run.clone()).or_default();
    }
    let pending = batch::merge(&data, &stores).new;
    Ok(runs
        .into_iter()
        .map(|(name, made)| {
            let standing = batch::standing(&data, &name, &lines);
            let first = made.first();
            let from_store = || pending.iter().find(|r| r.model.name == name);
            let sample = first.copied().or_else(from_store);
            Listed {
                backend: sample.map_or("server", |r| backend_name(&r.model.backend)).to_owned(),
                model: sample
                    .and_then(|r| r.call.as_ref().map(|c| c.model.clone()))
                    .unwrap_or_else(|| name.clone()),
                answered: made.len(),
                in_stores: pending.iter().filter(|r| r.model.name == name).count(),
                failed: standing.failed.len(),
                run: name,
            }
        })
        .collect())
}

fn backend_name(b: &annotate::Backend) -> &'static str {
    match b {
        annotate::Backend::Local => "local",
        annotate::Backend::Given => "given",
        annotate::Backend::Server => "server",
    }
}

pub fn merge(dataset: &Path, stores: &[PathBuf]) -> anyhow::Result<Merged> {
    let paths = if stores.is_empty() { stores_of(dataset)? } else { stores.to_vec() };
    anyhow::ensure!(!paths.is_empty(), "no store to merge: {} holds none", batch::folder(dataset).display());
    let stores = read_stores(&paths)?;
    let (mut doc, _) = Document::open(dataset)?;
    let merge = batch::merge(doc.dataset(), &stores);
    let merged = Merged { added: merge.new.len(), already: merge.already, conflicts: merge.conflicts };
    crate::predict::add_runs(&mut doc, merge.new)?;
    Ok(merged)
}
