//! An open dataset file: the data, its undo history, its autosave journal, and what
//! the file on disk looked like when it was loaded, so an outside change is never
//! silently overwritten.

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::edit::{Edit, EditError, History};
use crate::journal::{self, Journal};
use crate::persist::{DatasetError, parse, save_atomic};

/// Saved versions kept beside the file: `.NAME.bak1` (newest) to `.NAME.bak{BACKUPS}`.
pub const BACKUPS: usize = 5;

pub struct Document {
    path: PathBuf,
    dataset: Dataset,
    history: History,
    /// Hash of the file's bytes as last loaded or saved.
    base: String,
    journal: Option<Journal>,
}

/// What opening found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// Edits replayed from the journal of a session that did not save (a crash).
    pub recovered_edits: usize,
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> DatasetError + '_ {
    move |source| DatasetError::Read { path: path.to_owned(), source }
}

impl Document {
    /// Open `path` with autosave on: replay any journal left by a crash.
    pub fn open(path: &Path) -> Result<(Self, Opened), DatasetError> {
        let bytes = std::fs::read(path).map_err(read_err(path))?;
        let text = String::from_utf8(bytes).map_err(|e| DatasetError::Read {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        let mut dataset = parse(&text, path)?;
        let base = journal::content_hash(text.as_bytes());
        let journal_path = journal::journal_path(path);
        let mut replayed = Vec::new();
        let found = journal::read(&journal_path, &base).map_err(read_err(&journal_path))?;
        if found.is_none() && journal_path.exists() {
            // A journal for another version of the file: keep it aside, never apply it.
            let mut stale = journal_path.clone().into_os_string();
            stale.push(".stale");
            let _ = std::fs::rename(&journal_path, stale);
        }
        if let Some(edits) = found {
            for edit in edits {
                // An edit that no longer applies ends the usable part of the journal.
                if edit.apply(&mut dataset).is_err() {
                    break;
                }
                replayed.push(edit);
            }
        }
        let journal = Journal::start(journal_path.clone(), &base, &replayed)
            .map_err(|source| DatasetError::Write { path: journal_path, source })?;
        let opened = Opened { recovered_edits: replayed.len() };
        let doc = Self {
            path: path.to_owned(),
            dataset,
            history: History::default(),
            base,
            journal: Some(journal),
        };
        Ok((doc, opened))
    }

    /// Write `dataset` as a new file at `path` and open it.
    pub fn create(path: &Path, dataset: &Dataset) -> Result<Self, DatasetError> {
        save_atomic(dataset, path)?;
        Ok(Self::open(path)?.0)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Apply an edit; it is journaled at once.
    pub fn apply(&mut self, edit: Edit) -> Result<(), EditError> {
        self.history.apply(&mut self.dataset, edit.clone())?;
        if let Some(j) = &self.journal {
            j.append(edit);
        }
        Ok(())
    }

    pub fn undo(&mut self) -> bool {
        self.record(History::undo)
    }

    pub fn redo(&mut self) -> bool {
        self.record(History::redo)
    }

    fn record(&mut self, step: impl FnOnce(&mut History, &mut Dataset) -> Option<Edit>) -> bool {
        match step(&mut self.history, &mut self.dataset) {
            Some(applied) => {
                if let Some(j) = &self.journal {
                    j.append(applied);
                }
                true
            }
            None => false,
        }
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
    /// then reload or save elsewhere.
    pub fn save(&mut self) -> Result<(), DatasetError> {
        if self.changed_on_disk() {
            return Err(DatasetError::ChangedOnDisk { path: self.path.clone() });
        }
        rotate_backups(&self.path);
        self.write(&self.path.clone())
    }

    /// Save to another file, which becomes this document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), DatasetError> {
        let old_journal = journal::journal_path(&self.path);
        self.write(path)?;
        // The old file keeps its own contents; its journal now lives on at the new path.
        let _ = std::fs::remove_file(old_journal);
        Ok(())
    }

    fn write(&mut self, path: &Path) -> Result<(), DatasetError> {
        save_atomic(&self.dataset, path)?;
        let bytes = std::fs::read(path).map_err(read_err(path))?;
        self.base = journal::content_hash(&bytes);
        if path != self.path {
            self.path = path.to_owned();
            self.journal = None;
            let journal_path = journal::journal_path(path);
            let journal = Journal::start(journal_path.clone(), &self.base, &[])
                .map_err(|source| DatasetError::Write { path: journal_path, source })?;
            self.journal = Some(journal);
        } else if let Some(j) = &self.journal {
            j.reset(self.base.clone());
        }
        Ok(())
    }

    /// Wait until every edit so far is in the journal on disk.
    pub fn flush_journal(&self) {
        if let Some(j) = &self.journal {
            j.flush();
        }
    }
}

/// `.NAME.bak{n}` beside `path`.
pub fn backup_path(path: &Path, n: usize) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.bak{n}"))
}

fn rotate_backups(path: &Path) {
    for n in (1..BACKUPS).rev() {
        let _ = std::fs::rename(backup_path(path, n), backup_path(path, n + 1));
    }
    let _ = std::fs::copy(path, backup_path(path, 1));
}
