//! The autosave journal: every applied edit is appended, as a JSON line, to a file
//! beside the dataset, and fsynced within a second, on a writer thread of its own so
//! that editing never waits for the disk. After a crash, replaying the journal on the
//! saved file gives back the work.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::edit::Edit;

/// Unsynced journal lines reach the disk within this long.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(1);

const FORMAT: &str = "vidence-journal/1";

/// First line of a journal: which saved file its edits apply to.
#[derive(Serialize, Deserialize)]
struct Header {
    journal: String,
    /// FNV-1a hash of the dataset file's bytes the edits start from.
    base: String,
}

#[derive(Serialize, Deserialize)]
struct Line {
    seq: u64,
    edit: Edit,
}

/// `data.json.journal` -> `data.json`
fn dataset_of(journal: &Path) -> PathBuf {
    let name = journal.file_name().unwrap_or_default().to_string_lossy();
    journal.with_file_name(name.strip_suffix(".journal").unwrap_or(&name))
}

/// `data.json` -> `data.json.journal`
pub fn journal_path(dataset: &Path) -> PathBuf {
    let mut name = dataset.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    dataset.with_file_name(name)
}

/// A stable 64-bit hash of file contents (FNV-1a), as hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What a journal holds for the saved file it was written for.
#[derive(Debug, Default, PartialEq)]
pub struct Replay {
    pub edits: Vec<Edit>,
    /// Why reading stopped before the end: a line missing from the sequence, or one
    /// that cannot be read before the last (a torn last line is a crash mid-write).
    pub stopped: Option<String>,
}

/// The edits a journal holds for the file with hash `base`, up to the first gap in
/// their sequence. A journal for another version of the file gives `None`.
pub fn read(path: &Path, base: &str) -> std::io::Result<Option<Replay>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut lines = std::io::BufReader::new(file).lines().peekable();
    let Some(Ok(first)) = lines.next() else { return Ok(None) };
    match serde_json::from_str::<Header>(&first) {
        Ok(h) if h.journal == FORMAT && h.base == base => {}
        _ => return Ok(None),
    }
    let mut replay = Replay::default();
    let mut number = 1;
    while let Some(line) = lines.next() {
        number += 1;
        let last = lines.peek().is_none();
        match line.ok().and_then(|l| serde_json::from_str::<Line>(&l).ok()) {
            Some(l) if l.seq == replay.edits.len() as u64 => replay.edits.push(l.edit),
            Some(l) => {
                let want = replay.edits.len();
                replay.stopped =
                    Some(format!("line {number} holds edit {} where edit {want} was due", l.seq));
                break;
            }
            None if last => break,
            None => {
                replay.stopped = Some(format!("line {number} cannot be read"));
                break;
            }
        }
    }
    Ok(Some(replay))
}

/// Every edit a journal holds, whatever file it was written for (a journal set aside
/// because the file changed), up to the first gap in its sequence.
pub fn read_any(path: &Path) -> std::io::Result<Replay> {
    let mut first = String::new();
    std::io::BufReader::new(std::fs::File::open(path)?).read_line(&mut first)?;
    let base = serde_json::from_str::<Header>(&first)
        .ok()
        .filter(|h| h.journal == FORMAT)
        .map(|h| h.base)
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a journal", path.display()),
            )
        })?;
    Ok(read(path, &base)?.unwrap_or_default())
}

enum Message {
    Edit(Edit),
    /// Start over for a newly saved file with this hash, with these edits after it;
    /// for a file saved elsewhere, at this journal path (the old journal then goes).
    Reset {
        base: String,
        pending: Vec<Edit>,
        path: Option<PathBuf>,
    },
    /// Sync now and report back.
    Flush(Sender<()>),
}

/// Where a journal's bytes go: files, or in a test, a disk that fails on demand.
pub trait Disk: Send + Sync {
    /// A new, empty file at `path` (replacing any) to write to.
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn DiskFile>>;
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()>;
}

pub trait DiskFile: Send {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    fn sync(&mut self) -> std::io::Result<()>;
}

/// The file system.
pub struct Files;

impl Disk for Files {
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn DiskFile>> {
        Ok(Box::new(std::fs::File::create(path)?))
    }

    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::rename(from, to)
    }
}

impl DiskFile for std::fs::File {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        Write::write_all(self, bytes)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }
}

/// The file system, failing every write, sync and rename as a full disk does while
/// told to: how tests see what autosave does when the disk fails.
#[derive(Default)]
pub struct FlakyDisk {
    failing: Arc<AtomicBool>,
}

impl FlakyDisk {
    pub fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

fn full(failing: &AtomicBool) -> std::io::Result<()> {
    if failing.load(Ordering::SeqCst) {
        return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
    }
    Ok(())
}

struct FlakyFile {
    file: std::fs::File,
    failing: Arc<AtomicBool>,
}

impl Disk for FlakyDisk {
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn DiskFile>> {
        let file = std::fs::File::create(path)?;
        Ok(Box::new(FlakyFile { file, failing: Arc::clone(&self.failing) }))
    }

    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        full(&self.failing)?;
        std::fs::rename(from, to)
    }
}

impl DiskFile for FlakyFile {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        full(&self.failing)?;
        Write::write_all(&mut self.file, bytes)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        full(&self.failing)?;
        self.file.sync_data()
    }
}

/// Whether autosave is keeping up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Why the last write failed, while writes fail; `None` once they work again.
    pub failing: Option<String>,
    /// Edits waiting to be written while it fails.
    pub behind: usize,
    /// How many times writing failed and then worked again.
    pub recoveries: u64,
}

/// Appends edits on a background thread. Dropping it does not wait: the thread
/// writes and syncs what is queued, then ends.
pub struct Journal {
    sender: Sender<Message>,
    health: Arc<Mutex<Health>>,
}

impl Journal {
    /// Start the journal at `path` for the file with hash `base`, holding `existing`
    /// edits (already replayed) and appending after them. The file is written on the
    /// journal's thread; a failure shows in [`Self::health`].
    pub fn start(path: PathBuf, base: &str, existing: &[Edit], disk: Arc<dyn Disk>) -> std::io::Result<Self> {
        let (sender, receiver) = channel();
        let health = Arc::new(Mutex::new(Health::default()));
        let mut writer = Writer {
            disk,
            path,
            base: base.to_owned(),
            file: None,
            edits: existing.to_vec(),
            written: 0,
            unsynced_since: None,
            health: Arc::clone(&health),
            moved_from: None,
        };
        std::thread::Builder::new().name("vidence-journal".into()).spawn(move || writer.run(&receiver))?;
        Ok(Self { sender, health })
    }

    pub fn append(&self, edit: Edit) {
        let _ = self.sender.send(Message::Edit(edit));
    }

    /// The dataset was saved as the file with hash `base`: the journal starts over
    /// for it, keeping `pending`, the edits made after the saved snapshot.
    pub fn reset(&self, base: String, pending: Vec<Edit>) {
        let _ = self.sender.send(Message::Reset { base, pending, path: None });
    }

    /// The dataset was saved elsewhere, as the file with hash `base`: the journal
    /// moves to `path`, keeping `pending`.
    pub fn moved(&self, path: PathBuf, base: String, pending: Vec<Edit>) {
        let _ = self.sender.send(Message::Reset { base, pending, path: Some(path) });
    }

    /// Wait until everything appended so far is on disk (or has failed to get there).
    pub fn flush(&self) {
        let (done, wait) = channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    pub fn health(&self) -> Health {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

/// Replace the journal at `path` with a header for `base` and `edits`, through a
/// temporary file: a crash midway leaves the old journal or the new one.
fn rewrite(disk: &dyn Disk, path: &Path, base: &str, edits: &[Edit]) -> std::io::Result<Box<dyn DiskFile>> {
    let tmp = crate::persist::temp_beside(path);
    let mut file = disk.create(&tmp)?;
    let header = Header { journal: FORMAT.into(), base: base.into() };
    let mut text = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
    text.push(b'\n');
    file.write_all(&text)?;
    for (seq, edit) in edits.iter().enumerate() {
        write_line(file.as_mut(), seq as u64, edit)?;
    }
    file.sync()?;
    disk.rename(&tmp, path)?;
    Ok(file)
}

fn write_line(file: &mut dyn DiskFile, seq: u64, edit: &Edit) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&Line { seq, edit: edit.clone() }).map_err(std::io::Error::other)?;
    line.push(b'\n');
    // One write per line: a crash leaves whole lines, at worst a torn last one.
    file.write_all(&line)
}

/// The journal thread's state. Every edit since the last save is kept, so after a
/// failed write (which may have left part of a line) the whole journal is written
/// anew, through a temporary file, until that works.
struct Writer {
    disk: Arc<dyn Disk>,
    path: PathBuf,
    base: String,
    /// `None` after a failure: the next write rewrites the journal.
    file: Option<Box<dyn DiskFile>>,
    edits: Vec<Edit>,
    /// How many of `edits` are in the file.
    written: usize,
    unsynced_since: Option<Instant>,
    health: Arc<Mutex<Health>>,
    /// The journal this one replaces, removed once this one is written.
    moved_from: Option<PathBuf>,
}

impl Writer {
    fn run(&mut self, receiver: &Receiver<Message>) {
        self.catch_up();
        loop {
            // While behind or unsynced, wake up within a sync interval to retry or sync.
            let wait = if self.file.is_none() || self.written < self.edits.len() {
                Some(SYNC_INTERVAL)
            } else {
                self.unsynced_since.map(|since| SYNC_INTERVAL.saturating_sub(since.elapsed()))
            };
            let message = match wait {
                Some(wait) => match receiver.recv_timeout(wait) {
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => {
                        self.catch_up();
                        self.sync();
                        return;
                    }
                },
                None => match receiver.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                },
            };
            match message {
                Some(Message::Edit(edit)) => self.edits.push(edit),
                Some(Message::Reset { base, pending, path }) => {
                    self.base = base;
                    self.edits = pending;
                    self.written = 0;
                    self.file = None;
                    if let Some(path) = path {
                        self.moved_from = Some(std::mem::replace(&mut self.path, path));
                    }
                }
                Some(Message::Flush(done)) => {
                    self.catch_up();
                    self.sync();
                    let _ = done.send(());
                    continue;
                }
                None => {}
            }
            self.catch_up();
            if self.unsynced_since.is_some_and(|since| since.elapsed() >= SYNC_INTERVAL) {
                self.sync();
            }
        }
    }

    /// Write what is not in the file yet (the tokens of new runs first, beside the
    /// dataset, so a replayed run never names a missing file).
    fn catch_up(&mut self) {
        let dataset = dataset_of(&self.path);
        let from = if self.file.is_some() { self.written } else { 0 };
        let tokens = self.edits[from..]
            .iter()
            .flat_map(Edit::runs)
            .try_for_each(|run| run.tokens.keep(&dataset, &dataset));
        if let Err(e) = tokens {
            return self.fail(&e);
        }
        let result = match &mut self.file {
            Some(file) => self.edits[self.written..]
                .iter()
                .enumerate()
                .try_for_each(|(k, edit)| write_line(file.as_mut(), (self.written + k) as u64, edit)),
            None => rewrite(self.disk.as_ref(), &self.path, &self.base, &self.edits).map(|f| {
                self.file = Some(f);
            }),
        };
        match result {
            Ok(()) => {
                // The journal of a file saved elsewhere goes once the new one is written.
                if let Some(old) = self.moved_from.take() {
                    let _ = std::fs::remove_file(old);
                }
                if self.written < self.edits.len() {
                    self.unsynced_since.get_or_insert_with(Instant::now);
                }
                self.written = self.edits.len();
                self.report(None);
            }
            Err(e) => self.fail(&e),
        }
    }

    fn sync(&mut self) {
        let Some(file) = &mut self.file else { return };
        match file.sync() {
            Ok(()) => self.unsynced_since = None,
            Err(e) => self.fail(&e),
        }
    }

    fn fail(&mut self, e: &std::io::Error) {
        self.file = None;
        self.written = 0;
        self.unsynced_since = None;
        self.report(Some(format!("cannot write the autosave journal {}: {e}", self.path.display())));
    }

    fn report(&self, failing: Option<String>) {
        let behind = if failing.is_some() { self.edits.len() } else { 0 };
        if let Ok(mut h) = self.health.lock() {
            if h.failing.is_some() && failing.is_none() {
                h.recoveries += 1;
            }
            h.failing = failing;
            h.behind = behind;
        }
    }
}
