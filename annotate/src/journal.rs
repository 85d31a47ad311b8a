//! The autosave journal: every applied edit is appended, as a JSON line, to a file
//! beside the dataset, and fsynced within a second, on a writer thread of its own so
//! that editing never waits for the disk. After a crash, replaying the journal on the
//! saved file gives back the work.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
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

enum Message {
    Edit(Edit),
    /// Start over for a newly saved file with this hash, with these edits after it.
    Reset(String, Vec<Edit>),
    /// Sync now and report back.
    Flush(Sender<()>),
}

/// Appends edits on a background thread. Dropping it does not wait: the thread
/// writes and syncs what is queued, then ends.
pub struct Journal {
    sender: Sender<Message>,
}

impl Journal {
    /// Open the journal at `path` for the file with hash `base`, keeping `existing`
    /// edits (already replayed) and appending after them.
    pub fn start(path: PathBuf, base: &str, existing: &[Edit]) -> std::io::Result<Self> {
        let file = rewrite(&path, base, existing)?;
        let (sender, receiver) = channel();
        let next_seq = existing.len() as u64;
        std::thread::Builder::new()
            .name("vidence-journal".into())
            .spawn(move || writer(&path, file, &receiver, next_seq))?;
        Ok(Self { sender })
    }

    pub fn append(&self, edit: Edit) {
        let _ = self.sender.send(Message::Edit(edit));
    }

    /// The dataset was saved as the file with hash `base`: the journal starts over
    /// for it, keeping `pending`, the edits made after the saved snapshot.
    pub fn reset(&self, base: String, pending: Vec<Edit>) {
        let _ = self.sender.send(Message::Reset(base, pending));
    }

    /// Wait until everything appended so far is on disk.
    pub fn flush(&self) {
        let (done, wait) = channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

/// Replace the journal at `path` with a header for `base` and `edits`, through a
/// temporary file: a crash midway leaves the old journal or the new one.
fn rewrite(path: &Path, base: &str, edits: &[Edit]) -> std::io::Result<std::fs::File> {
    let tmp = crate::persist::temp_beside(path);
    let mut file = create(&tmp, base)?;
    for (seq, edit) in edits.iter().enumerate() {
        write_line(&mut file, seq as u64, edit)?;
    }
    file.sync_data()?;
    std::fs::rename(&tmp, path)?;
    Ok(file)
}

fn create(path: &Path, base: &str) -> std::io::Result<std::fs::File> {
    let mut file = std::fs::File::create(path)?;
    let header = Header { journal: FORMAT.into(), base: base.into() };
    writeln!(file, "{}", serde_json::to_string(&header).map_err(std::io::Error::other)?)?;
    Ok(file)
}

fn write_line(file: &mut std::fs::File, seq: u64, edit: &Edit) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&Line { seq, edit: edit.clone() }).map_err(std::io::Error::other)?;
    line.push(b'\n');
    // One write per line: a crash leaves whole lines, at worst a torn last one.
    file.write_all(&line)
}

fn writer(path: &Path, mut file: std::fs::File, receiver: &Receiver<Message>, mut seq: u64) {
    let mut unsynced_since: Option<Instant> = None;
    loop {
        let message = match unsynced_since {
            Some(since) => match receiver.recv_timeout(SYNC_INTERVAL.saturating_sub(since.elapsed())) {
                Ok(m) => Some(m),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = file.sync_data();
                    return;
                }
            },
            None => match receiver.recv() {
                Ok(m) => Some(m),
                Err(_) => return,
            },
        };
        match message {
            Some(Message::Edit(edit)) if write_line(&mut file, seq, &edit).is_ok() => {
                seq += 1;
                unsynced_since.get_or_insert_with(Instant::now);
            }
            // A failed write leaves the line out; the next one tries again.
            Some(Message::Edit(_)) => {}
            Some(Message::Reset(base, pending)) => {
                if let Ok(f) = rewrite(path, &base, &pending) {
                    file = f;
                    seq = pending.len() as u64;
                    unsynced_since = None;
                }
            }
            Some(Message::Flush(done)) => {
                let _ = file.sync_data();
                unsynced_since = None;
                let _ = done.send(());
            }
            None => {}
        }
        if unsynced_since.is_some_and(|since| since.elapsed() >= SYNC_INTERVAL) {
            let _ = file.sync_data();
            unsynced_since = None;
        }
    }
}
