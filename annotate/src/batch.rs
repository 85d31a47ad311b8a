//! A model run over a whole dataset (`vidence predict`): its jobs (one a question, or
//! one a video for dense captions), shards of them for several machines, and its
//! store: a file beside the dataset with one line a finished job, appended and synced
//! as each finishes, so that a killed run loses only the jobs in flight and the next
//! call takes up where it stopped. Stores are joined into the dataset by `merge`,
//! which reports what two stores answered differently instead of dropping either.

use std::collections::{HashMap, HashSet};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dataset::{Dataset, Question, QuestionKind};
use crate::edit::{Edit, LabelRef};
use crate::run::{ModelRun, RunToken, TaskKind};

/// One thing to ask the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// The question's id, or `captions:VIDEO`.
    pub key: String,
    pub video: String,
    pub question: Option<String>,
    pub task: TaskKind,
    /// The question with its options, the object or the event.
    pub prompt: String,
}

/// Which questions to ask.
#[derive(Clone, Debug, PartialEq)]
pub enum Questions {
    All,
    /// Those no run of any model answers yet.
    Unanswered,
    Ids(Vec<String>),
}

impl std::str::FromStr for Questions {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "all" => Self::All,
            "unanswered" => Self::Unanswered,
            ids => {
                Self::Ids(ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
            }
        })
    }
}

/// What to ask about which videos: `task` `None` lets each question's kind choose.
pub struct Selection<'a> {
    pub task: Option<TaskKind>,
    pub questions: &'a Questions,
    /// Empty for every video.
    pub videos: &'a [String],
}

/// The jobs `selection` makes of `data`, in the dataset's order; an id or a video the
/// dataset lacks, or a task no question can be asked as, is refused in words.
pub fn jobs(data: &Dataset, selection: &Selection) -> Result<Vec<Job>, String> {
    for v in selection.videos {
        if !data.videos.iter().any(|d| &d.id == v) {
            return Err(format!("the dataset has no video {v:?}"));
        }
    }
    let in_videos = |video: &str| selection.videos.is_empty() || selection.videos.iter().any(|v| v == video);
    if selection.task == Some(TaskKind::Captions) {
        return Ok(data
            .videos
            .iter()
            .filter(|v| in_videos(&v.id))
            .map(|v| Job {
                key: format!("captions:{}", v.id),
                video: v.id.clone(),
                question: None,
                task: TaskKind::Captions,
                prompt: String::new(),
            })
            .collect());
    }
    if selection.task == Some(TaskKind::Region) {
        return Err(
            "no question of a dataset asks about a drawn region: --task region is for `vidence ask`".into()
        );
    }
    if let Questions::Ids(ids) = selection.questions
        && let Some(missing) = ids.iter().find(|id| !data.questions.iter().any(|q| &q.id == *id))
    {
        return Err(format!("the dataset has no question {missing:?}"));
    }
    let answered: HashSet<&str> = data
        .runs
        .iter()
        .filter_map(|r| match &r.answers {
            Some(LabelRef::Question(id)) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let chosen = |q: &Question| match selection.questions {
        Questions::All => true,
        Questions::Unanswered => !answered.contains(q.id.as_str()),
        Questions::Ids(ids) => ids.contains(&q.id),
    };
    Ok(data
        .questions
        .iter()
        .filter(|q| in_videos(&q.video) && chosen(q))
        .map(|q| {
            let task = selection.task.unwrap_or(match q.kind {
                QuestionKind::When => TaskKind::When,
                QuestionKind::Where => TaskKind::Track,
                _ => TaskKind::Answer,
            });
            Job {
                key: q.id.clone(),
                video: q.video.clone(),
                question: Some(q.id.clone()),
                task,
                prompt: prompt(q, task),
            }
        })
        .collect())
}

/// What the model is told: a question with its options lettered (answered by letter,
/// as the benchmarks score them); for track and when, the question names the object
/// or the event.
fn prompt(q: &Question, task: TaskKind) -> String {
    if task != TaskKind::Answer || q.options.is_empty() {
        return q.text.clone();
    }
    let options: Vec<String> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| format!("{}. {o}", char::from(b'A' + (i % 26) as u8)))
        .collect();
    format!("{}\nOptions:\n{}\nAnswer with the option's letter.", q.text, options.join("\n"))
}

/// Shard `index` of `count` (1-based, as `--shard I/N`): every `count`-th job, so
/// shards are the same size and the same on every machine given the same dataset.
pub fn shard(jobs: Vec<Job>, index: usize, count: usize) -> Vec<Job> {
    jobs.into_iter().enumerate().filter(|(i, _)| i % count == index - 1).map(|(_, j)| j).collect()
}

/// `I/N` as `(I, N)`, refusing a shard that does not exist.
pub fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard takes I/N with 1 <= I <= N, such as 1/4 (got {text:?})");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The id of the run a batch `run` makes for `job`: the same on every machine, so a
/// job is answered once and two answers to it are seen as such.
pub fn run_id(run: &str, job: &str) -> String {
    format!("{run}:{job}")
}

/// A finished job, as a store line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub run: String,
    pub job: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The run with its tokens (kept here inline; the dataset keeps them in files).
    Answered { answer: Box<ModelRun>, tokens: Vec<RunToken> },
    /// Why the job failed, after how many tries; the next call asks it again.
    Failed { reason: String, attempts: u32 },
}

impl Line {
    /// The run, its tokens set.
    pub fn answered(&self) -> Option<ModelRun> {
        let Outcome::Answered { answer, tokens } = &self.outcome else { return None };
        let mut run = (**answer).clone();
        if !tokens.is_empty() {
            run.set_tokens(tokens.clone());
        }
        Some(run)
    }
}

/// `data.json` -> `data.json.runs/`, where the stores of its batch runs live.
pub fn folder(dataset: &Path) -> PathBuf {
    let mut name = dataset.file_name().unwrap_or_default().to_os_string();
    name.push(".runs");
    dataset.with_file_name(name)
}

/// The store of `run` (shard `I/N`, if one) of the dataset at `dataset`; a run name
/// with characters a file name should not hold has them as `_`.
pub fn store_path(dataset: &Path, run: &str, shard: Option<(usize, usize)>) -> PathBuf {
    let safe: String =
        run.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    let name = match shard {
        Some((i, n)) => format!("{safe}.shard-{i}-of-{n}.jsonl"),
        None => format!("{safe}.jsonl"),
    };
    folder(dataset).join(name)
}

/// A store's lines as read back.
#[derive(Debug, Default)]
pub struct Read {
    pub lines: Vec<Line>,
    /// Line numbers (1-based) that did not read, each with why; a last line cut short
    /// by a kill is not among them (see `torn`).
    pub bad: Vec<(usize, String)>,
    /// The last line was cut short (the run was killed while writing it).
    pub torn: bool,
    /// Where the whole lines end: a store opened to append is cut back to here.
    end: u64,
}

/// The lines of the store at `path` (none where there is no file yet).
pub fn read(path: &Path) -> std::io::Result<Read> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Read::default()),
        Err(e) => return Err(e),
    };
    let mut read = Read::default();
    let mut start = 0;
    for (n, piece) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let whole = piece.ends_with(b"\n");
        match serde_json::from_slice::<Line>(piece) {
            Ok(line) if whole => read.lines.push(line),
            _ if !whole => read.torn = true,
            Ok(_) => unreachable!("a whole line is handled above"),
            Err(e) => read.bad.push((n + 1, e.to_string())),
        }
        start += piece.len();
        if whole {
            read.end = start as u64;
        }
    }
    Ok(read)
}

/// A store open to append to, each line synced to the disk before `append` returns.
pub struct Store {
    file: std::fs::File,
    pub path: PathBuf,
}

impl Store {
    /// Open (or make) the store at `path` to append after `read`'s whole lines, cutting
    /// off a torn last line first.
    pub fn append_to(path: &Path, read: &Read) -> std::io::Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file =
            std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).open(path)?;
        file.set_len(read.end)?;
        file.seek(SeekFrom::End(0))?;
        Ok(Self { file, path: path.to_owned() })
    }

    pub fn append(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_vec(line).map_err(std::io::Error::other)?;
        text.push(b'\n');
        self.file.write_all(&text)?;
        self.file.sync_data()
    }
}

/// Where each job of a run stands after the dataset and its stores are read.
#[derive(Debug, Default)]
pub struct Standing {
    pub answered: HashSet<String>,
    /// The last failure of each job not answered since.
    pub failed: HashMap<String, String>,
}

/// Which of `run`'s jobs are answered (in the dataset or in `lines`) and which failed.
pub fn standing(data: &Dataset, run: &str, lines: &[Line]) -> Standing {
    let mut s = Standing::default();
    let prefix = format!("{run}:");
    s.answered.extend(data.runs.iter().filter_map(|r| r.id.strip_prefix(&prefix)).map(String::from));
    for line in lines.iter().filter(|l| l.run == run) {
        match &line.outcome {
            Outcome::Answered { .. } => {
                s.failed.remove(&line.job);
                s.answered.insert(line.job.clone());
            }
            Outcome::Failed { reason, .. } if !s.answered.contains(&line.job) => {
                s.failed.insert(line.job.clone(), reason.clone());
            }
            Outcome::Failed { .. } => {}
        }
    }
    s
}

/// What joining stores into a dataset comes to.
#[derive(Debug, Default)]
pub struct Merge {
    /// Runs the dataset does not hold yet, each once.
    pub new: Vec<ModelRun>,
    /// Answers the dataset (or an earlier store) already holds as they are.
    pub already: usize,
    /// A job answered differently in two places: the first kept, each named here.
    pub conflicts: Vec<String>,
}

/// The answered lines of `stores` (each named by its path, for the report) that are
/// new to `data`.
pub fn merge(data: &Dataset, stores: &[(String, Vec<Line>)]) -> Merge {
    let mut merge = Merge::default();
    // The dataset's runs are borrowed, not copied: a window merges as answers arrive.
    let held: HashMap<&str, &ModelRun> = data.runs.iter().map(|r| (r.id.as_str(), r)).collect();
    // A run new to the dataset: the store it came from and its place in `merge.new`.
    let mut added: HashMap<String, (&str, usize)> = HashMap::new();
    for (name, lines) in stores {
        for run in lines.iter().filter_map(Line::answered) {
            let (held_in, first) = match (held.get(run.id.as_str()), added.get(&run.id)) {
                (Some(r), _) => ("the dataset", *r),
                (None, Some(&(store, i))) => (store, &merge.new[i]),
                (None, None) => {
                    added.insert(run.id.clone(), (name, merge.new.len()));
                    merge.new.push(run);
                    continue;
                }
            };
            if same_answer(first, &run) {
                merge.already += 1;
            } else {
                merge.conflicts.push(format!(
                    "{} is answered differently in {held_in} and in {name}: the first is kept",
                    run.id
                ));
            }
        }
    }
    merge
}

/// `runs` added after the dataset's own, as one edit (`None`: there are none).
pub fn insert(data: &Dataset, runs: Vec<ModelRun>) -> Option<Edit> {
    let first = data.runs.len();
    let edits: Vec<Edit> = runs
        .into_iter()
        .enumerate()
        .map(|(i, run)| Edit::InsertRun { index: first + i, run: Box::new(run) })
        .collect();
    (!edits.is_empty()).then_some(Edit::Batch { edits })
}

/// Two runs say the same, however long each took.
pub fn same_answer(a: &ModelRun, b: &ModelRun) -> bool {
    let timeless = |r: &ModelRun| {
        let mut r = r.clone();
        r.call = None;
        r
    };
    timeless(a) == timeless(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_every_job_once_and_refuse_a_shard_that_is_not() {
        let jobs: Vec<Job> = (0..10)
            .map(|i| Job {
                key: format!("q{i}"),
                video: "v".into(),
                question: None,
                task: TaskKind::Answer,
                prompt: String::new(),
            })
            .collect();
        let mut keys: Vec<String> = (1..=3).flat_map(|i| shard(jobs.clone(), i, 3)).map(|j| j.key).collect();
        keys.sort();
        let mut all: Vec<String> = jobs.iter().map(|j| j.key.clone()).collect();
        all.sort();
        assert_eq!(keys, all);
        assert_eq!(shard(jobs, 1, 3).len(), 4);
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
        assert!(parse_shard("0/3").is_err() && parse_shard("4/3").is_err() && parse_shard("x").is_err());
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_a_bad_one_reported() {
        let dir = std::env::temp_dir().join(format!("annotate-batch-{}", std::process::id()));
        let path = dir.join("s.jsonl");
        let _ = std::fs::remove_dir_all(&dir);
        let line = |job: &str| Line {
            run: "m".into(),
            job: job.into(),
            outcome: Outcome::Failed { reason: "HTTP 500".into(), attempts: 3 },
        };
        let mut store = Store::append_to(&path, &Read::default()).expect("store");
        store.append(&line("a")).expect("append");
        drop(store);
        let mut text = std::fs::read_to_string(&path).expect("read");
        text.push_str("not json\n{\"run\": \"m\", \"job\": \"b\", \"fai");
        std::fs::write(&path, text).expect("write");
        let read = read(&path).expect("read");
        assert_eq!(read.lines, vec![line("a")]);
        assert_eq!(read.bad.len(), 1);
        assert_eq!(read.bad[0].0, 2);
        assert!(read.torn);
        let mut store = Store::append_to(&path, &read).expect("store");
        store.append(&line("c")).expect("append");
        let again = super::read(&path).expect("read");
        assert_eq!(again.lines, vec![line("a"), line("c")]);
        assert!(!again.torn);
    }
}
