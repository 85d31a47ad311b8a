//! An open dataset file: the data, its undo history, its autosave journal, and what
//! the file on disk looked like when it was loaded, so an outside change is never
//! silently overwritten.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dataset::Dataset;
use crate::edit::{Edit, EditError, History};
use crate::journal::{self, Disk, Files, Health, Journal};
use crate::persist::{DatasetError, parse_versioned, write_atomic};

/// Saved versions kept beside the file: `.NAME.bak1` (newest) to `.NAME.bak{BACKUPS}`.
pub const BACKUPS: usize = 5;

pub struct Document {
    path: PathBuf,
    /// Shared with a save in progress, so starting one copies nothing; an edit made
    /// while it runs copies the data once (copy on write).
    dataset: Arc<Dataset>,
    history: History,
    /// Hash of the file's bytes as last loaded or saved.
    base: String,
    journal: Journal,
    /// Edits applied since the last save (what the journal holds), undo and redo included.
    unsaved: Vec<Edit>,
    /// The file is of this older schema version until it is first saved.
    migrated_from: Option<String>,
    /// Edits applied since the file was opened, undo and redo included.
    changes: u64,
}

/// A save that runs off the editing thread: a snapshot of the data and where it goes.
/// Edits may go on meanwhile; [`Document::finish_save`] keeps them journaled.
pub struct SaveJob {
    dataset: Arc<Dataset>,
    path: PathBuf,
    /// Refuse if the file's bytes no longer hash to this (someone else changed it).
    expect_base: Option<String>,
    /// How many unsaved edits the snapshot includes.
    snapshot: usize,
    /// The dataset's file before this save, where its token files are.
    from: PathBuf,
    /// Keep the file as it is here before the first save over it (an older version).
    keep_original: Option<PathBuf>,
}

/// A finished save, to hand back to [`Document::finish_save`].
pub struct Saved {
    path: PathBuf,
    base: String,
    snapshot: usize,
}

impl SaveJob {
    /// Write the snapshot atomically, keeping the file's previous versions as backups.
    /// Blocking: run it on a worker thread.
    pub fn run(self) -> Result<Saved, DatasetError> {
        if let Some(expected) = &self.expect_base {
            let current = std::fs::read(&self.path).map(|b| journal::content_hash(&b)).ok();
            if current.as_ref() != Some(expected) {
                return Err(DatasetError::ChangedOnDisk { path: self.path });
            }
            if let Some(original) = &self.keep_original
                && !original.exists()
            {
                std::fs::copy(&self.path, original)
                    .map_err(|source| DatasetError::Write { path: original.clone(), source })?;
            }
            keep_backups(&self.path);
        } else if self.path.exists() {
            return Err(DatasetError::Exists { path: self.path });
        }
        let bytes = write_atomic(&self.dataset, &self.path, &self.from)?;
        Ok(Saved { base: journal::content_hash(&bytes), path: self.path, snapshot: self.snapshot })
    }
}

/// What opening found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// Edits replayed from the journal of a session that did not save (a crash).
    pub recovered_edits: usize,
    /// Why the journal's replay stopped before its end, and where it is kept.
    pub journal_stopped: Option<String>,
    /// The file was of this older schema version, now read as the current one; it is
    /// kept as [`original_path`] when it is first saved.
    pub migrated_from: Option<String>,
    /// A journal of edits made on another version of the file (it changed on disk
    /// after they were made), set aside there unapplied: see [`Document::apply_set_aside`].
    pub set_aside: Option<SetAside>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub path: PathBuf,
    /// How many edits it holds.
    pub edits: usize,
}

/// What applying set-aside edits did.
#[derive(Debug, Default, PartialEq)]
pub struct Reapplied {
    pub applied: usize,
    /// Those that no longer apply to the file as it is: their place in the journal and why.
    pub skipped: Vec<(usize, String)>,
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> DatasetError + '_ {
    move |source| DatasetError::Read { path: path.to_owned(), source }
}

impl Document {
    /// Open `path` with autosave on: replay any journal left by a crash.
    pub fn open(path: &Path) -> Result<(Self, Opened), DatasetError> {
        Self::open_on(path, Arc::new(Files))
    }

    /// [`Self::open`], writing the journal to `disk`.
    pub fn open_on(path: &Path, disk: Arc<dyn Disk>) -> Result<(Self, Opened), DatasetError> {
        let bytes = std::fs::read(path).map_err(read_err(path))?;
        let text = String::from_utf8(bytes).map_err(|e| DatasetError::Read {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        let (mut dataset, migrated_from) = parse_versioned(&text, path)?;
        let base = journal::content_hash(text.as_bytes());
        let journal_path = journal::journal_path(path);
        let mut replayed = Vec::new();
        // Recovered edits are undoable, as they were before the crash.
        let mut history = History::default();
        let found = journal::read(&journal_path, &base).map_err(read_err(&journal_path))?;
        let mut set_aside_journal = None;
        if found.is_none() && journal_path.exists() {
            // A journal for another version of the file: keep it aside, never apply it
            // unasked. Starting a new journal over it would lose its edits, so a failure
            // stops here.
            let edits = journal::read_any(&journal_path).map_or(0, |r| r.edits.len());
            let path = set_aside(&journal_path)
                .map_err(|source| DatasetError::Write { path: stale_path(&journal_path, 1), source })?;
            set_aside_journal = Some(SetAside { path, edits });
        }
        let mut journal_stopped = None;
        if let Some(replay) = found {
            let total = replay.edits.len();
            let mut stopped = replay.stopped;
            for (n, edit) in replay.edits.into_iter().enumerate() {
                // An edit that no longer applies ends the usable part of the journal.
                if let Err(e) = history.replay(&mut dataset, edit.clone()) {
                    stopped = Some(format!("edit {n} of {total} no longer applies: {e}"));
                    break;
                }
                replayed.push(edit);
            }
            if let Some(why) = stopped {
                // The new journal keeps only what was replayed: the whole one is kept aside.
                let kept = set_aside(&journal_path)
                    .map_err(|source| DatasetError::Write { path: stale_path(&journal_path, 1), source })?;
                journal_stopped = Some(format!(
                    "the autosave journal was replayed up to edit {}: {why}; it is kept whole as {}",
                    replayed.len(),
                    kept.display()
                ));
            }
        }
        let journal = Journal::start(journal_path.clone(), &base, &replayed, disk)
            .map_err(|source| DatasetError::Write { path: journal_path, source })?;
        let opened = Opened {
            recovered_edits: replayed.len(),
            journal_stopped,
            migrated_from: migrated_from.clone(),
            set_aside: set_aside_journal,
        };
        let doc = Self {
            path: path.to_owned(),
            dataset: Arc::new(dataset),
            history,
            base,
            journal,
            unsaved: replayed,
            migrated_from,
            changes: 0,
        };
        Ok((doc, opened))
    }

    /// Write `dataset` as a new file at `path` and open it.
    pub fn create(path: &Path, dataset: &Dataset) -> Result<Self, DatasetError> {
        write_atomic(dataset, path, path)?;
        Ok(Self::open(path)?.0)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The data as it is now, shared without a copy (for work on another thread; an
    /// edit made while it is held copies the data once).
    pub fn snapshot(&self) -> Arc<Dataset> {
        Arc::clone(&self.dataset)
    }

    /// Edits applied since the file was opened (undo and redo included): a view of the
    /// data made at one count is stale at another.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Apply an edit; it is journaled at once.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        self.history.apply(Arc::make_mut(&mut self.dataset), edit.clone())?;
        self.journal_edit(edit);
        Ok(())
    }

    pub fn undo(&mut self) -> bool {
        self.record(History::undo)
    }

    pub fn redo(&mut self) -> bool {
        self.record(History::redo)
    }

    fn record(&mut self, step: impl FnOnce(&mut History, &mut Dataset) -> Option<Edit>) -> bool {
        match step(&mut self.history, Arc::make_mut(&mut self.dataset)) {
            Some(applied) => {
                self.journal_edit(applied);
                true
            }
            None => false,
        }
    }

    fn journal_edit(&mut self, edit: Edit) {
        self.changes += 1;
        self.journal.append(edit.clone());
        self.unsaved.push(edit);
    }

    /// Apply `edits` (read from a journal set aside, [`crate::read_any`]) to the file
    /// as it is now, each one an edit of its own (journaled, undoable); those that no
    /// longer apply are skipped and told.
    pub fn apply_set_aside(&mut self, edits: Vec<Edit>) -> Reapplied {
        let mut report = Reapplied::default();
        for (n, edit) in edits.into_iter().enumerate() {
            match self.apply(edit) {
                Ok(()) => report.applied += 1,
                Err(e) => report.skipped.push((n, e.to_string())),
            }
        }
        report
    }

    /// Whether the autosave journal is keeping up.
    pub fn autosave(&self) -> Health {
        self.journal.health()
    }

    /// Edits not yet saved to the file.
    pub fn unsaved_edits(&self) -> usize {
        self.unsaved.len()
    }

    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Has the file on disk changed since it was loaded or last saved (by another
    /// program, or another Vidence)?
    pub fn changed_on_disk(&self) -> bool {
        std::fs::read(&self.path).map_or(true, |bytes| journal::content_hash(&bytes) != self.base)
    }

    /// Save over the file, keeping the previous versions as backups. Refuses with
    /// [`DatasetError::ChangedOnDisk`] if someone else changed the file meanwhile:
    /// then reload or save elsewhere. Blocking; see [`Self::begin_save`].
    pub fn save(&mut self) -> Result<(), DatasetError> {
        let saved = self.begin_save().run()?;
        self.finish_save(saved)
    }

    /// Save to another file, which becomes this document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), DatasetError> {
        let saved = self.begin_save_as(path).run()?;
        self.finish_save(saved)
    }

    /// Snapshot the data for saving over the file on another thread.
    pub fn begin_save(&self) -> SaveJob {
        SaveJob {
            dataset: Arc::clone(&self.dataset),
            path: self.path.clone(),
            expect_base: Some(self.base.clone()),
            snapshot: self.unsaved.len(),
            from: self.path.clone(),
            keep_original: self.migrated_from.as_deref().map(|v| original_path(&self.path, v)),
        }
    }

    /// Snapshot the data for saving to another file on another thread.
    /// Saving as the file's own name is a save; any other file that exists is refused
    /// when the job runs.
    pub fn begin_save_as(&self, path: &Path) -> SaveJob {
        if path == self.path {
            return self.begin_save();
        }
        SaveJob {
            dataset: Arc::clone(&self.dataset),
            path: path.to_owned(),
            expect_base: None,
            snapshot: self.unsaved.len(),
            from: self.path.clone(),
            keep_original: None,
        }
    }

    /// Take a finished save: the journal starts over for the saved file and keeps the
    /// edits made while it was being written.
    pub fn finish_save(&mut self, saved: Saved) -> Result<(), DatasetError> {
        self.base = saved.base;
        if saved.path == self.path {
            self.migrated_from = None;
        }
        self.unsaved.drain(..saved.snapshot.min(self.unsaved.len()));
        if saved.path == self.path {
            self.journal.reset(self.base.clone(), self.unsaved.clone());
            return Ok(());
        }
        // Saved elsewhere: the old file keeps its contents and loses its journal, which
        // now lives on at the new path (moved on the journal's thread).
        self.path = saved.path;
        self.journal.moved(journal::journal_path(&self.path), self.base.clone(), self.unsaved.clone());
        Ok(())
    }

    /// Wait until every edit so far is in the journal on disk.
    pub fn flush_journal(&self) {
        self.journal.flush();
    }
}

/// `NAME.journal.stale`, then `.stale2`, `.stale3`, ... for journals set aside later.
pub fn stale_path(journal: &Path, n: usize) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(if n <= 1 { ".stale".to_owned() } else { format!(".stale{n}") });
    PathBuf::from(name)
}

/// Move `journal` to the first stale name not taken, so that no journal set aside
/// before is overwritten.
fn set_aside(journal: &Path) -> std::io::Result<PathBuf> {
    let free = (1..).map(|n| stale_path(journal, n)).find(|p| !p.exists());
    let stale = free.ok_or_else(|| std::io::Error::other("no free name"))?;
    std::fs::rename(journal, &stale)?;
    Ok(stale)
}

/// Where a file of the older schema `version` is kept before it is first saved over:
/// `data.json` of `vidence/1` -> `data.vidence-1.json`.
pub fn original_path(path: &Path, version: &str) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    path.with_file_name(format!("{stem}.{}{ext}", version.replace('/', "-")))
}

/// `.NAME.bak{n}` beside `path`.
pub fn backup_path(path: &Path, n: usize) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.bak{n}"))
}

/// Keep the file at `path` as its newest backup (`.NAME.bak1`), shifting the older
/// ones along (at most [`BACKUPS`] kept), before something new is written there.
pub fn keep_backups(path: &Path) {
    for n in (1..BACKUPS).rev() {
        let _ = std::fs::rename(backup_path(path, n), backup_path(path, n + 1));
    }
    // A second name for the current file costs nothing; the save then renames a new
    // file over the first name. Copy where links are not supported.
    let newest = backup_path(path, 1);
    let _ = std::fs::remove_file(&newest);
    if std::fs::hard_link(path, &newest).is_err() {
        let _ = std::fs::copy(path, &newest);
    }
}
