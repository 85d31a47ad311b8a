//! Reading and writing dataset files. Saving is atomic: a temporary file beside the
//! target, fsynced, then renamed over it, so a crash leaves the old or the new file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::dataset::{Dataset, SCHEMA};
use crate::migrate;

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    /// Not JSON at all (`syntax`), or JSON whose shape is not a dataset's.
    #[error("{path}:{line}:{column}: {json_path}: {message}")]
    Parse { path: PathBuf, json_path: String, line: usize, column: usize, message: String, syntax: bool },
    #[error("{path}: schema is {found:?}; this version of Vidence reads {} (older ones are migrated)", migrate::VERSIONS.join(", "))]
    Schema { path: PathBuf, found: String },
    #[error("{path}: cannot bring schema {from:?} up to this version: {message}")]
    Migrate { path: PathBuf, from: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} was changed by another program since it was opened: reload it or save elsewhere")]
    ChangedOnDisk { path: PathBuf },
    #[error("{path} exists already: save under a new name (a dataset is never saved over another file)")]
    Exists { path: PathBuf },
}

/// Read and parse a dataset file of any schema version (older ones migrated).
pub fn load(path: &Path) -> Result<Dataset, DatasetError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| DatasetError::Read { path: path.to_owned(), source })?;
    parse(&text, path)
}

/// [`parse_versioned`], without saying which version it was.
pub fn parse(text: &str, path: &Path) -> Result<Dataset, DatasetError> {
    parse_versioned(text, path).map(|(dataset, _)| dataset)
}

/// Parse dataset JSON of any schema version this build knows, bringing an older one
/// up to [`SCHEMA`] (and saying which it was); errors carry the line, column and JSON
/// path (`path` only names the source in messages). A field this version does not
/// know is refused, so saving never drops it.
pub fn parse_versioned(text: &str, path: &Path) -> Result<(Dataset, Option<String>), DatasetError> {
    #[derive(serde::Deserialize)]
    struct Version {
        schema: Option<String>,
    }
    // A file of this version is read in one pass; only when that fails, or the file
    // says another version, is its version looked at on its own.
    let found = match deserialize::<Dataset>(text, path) {
        Ok(dataset) if dataset.schema == SCHEMA => return Ok((dataset, None)),
        Ok(dataset) => dataset.schema,
        Err(e) => {
            let version: Version = deserialize(text, path)?;
            match version.schema {
                Some(found) if found != SCHEMA => found,
                _ => return Err(e),
            }
        }
    };
    if !migrate::VERSIONS.contains(&found.as_str()) {
        return Err(DatasetError::Schema { path: path.to_owned(), found });
    }
    let value: serde_json::Value = deserialize(text, path)?;
    let migration_error =
        |message: String| DatasetError::Migrate { path: path.to_owned(), from: found.clone(), message };
    let migrated = migrate::to_current(value, &found).map_err(migration_error)?;
    let mut dataset: Dataset = serde_path_to_error::deserialize(migrated.value).map_err(|e| {
        let json_path = json_path(&e.path().to_string());
        migration_error(format!("{json_path}: {}", e.into_inner()))
    })?;
    for (run, tokens) in dataset.runs.iter_mut().zip(migrated.tokens) {
        run.set_tokens(tokens);
    }
    Ok((dataset, Some(found)))
}

fn json_path(at: &str) -> String {
    if at == "." { "$".to_owned() } else { format!("$.{at}") }
}

fn deserialize<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T, DatasetError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let json_path = json_path(&e.path().to_string());
        let inner = e.into_inner();
        // serde_json appends the position, which the error carries on its own.
        let mut message = inner.to_string();
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        DatasetError::Parse {
            path: path.to_owned(),
            json_path,
            line: inner.line(),
            column: inner.column(),
            syntax: !inner.is_data(),
            message,
        }
    })
}

/// A temporary file name beside `path`, unique to this process and call, so that
/// concurrent writers never share one.
pub(crate) fn temp_beside(path: &Path) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

pub fn save_atomic(dataset: &Dataset, path: &Path) -> Result<(), DatasetError> {
    write_atomic(dataset, path, path).map(drop)
}

/// [`save_atomic`], giving back the bytes written.
/// The runs' tokens go beside the file first (written from memory, or copied from
/// beside `tokens_from`, the file the dataset was read from), so it never names one
/// missing.
pub(crate) fn write_atomic(
    dataset: &Dataset,
    path: &Path,
    tokens_from: &Path,
) -> Result<Vec<u8>, DatasetError> {
    for run in &dataset.runs {
        let err = |source| DatasetError::Write { path: run.tokens.path(path), source };
        run.tokens.keep(tokens_from, path).map_err(err)?;
    }
    let err = |source| DatasetError::Write { path: path.to_owned(), source };
    let mut json = serde_json::to_vec_pretty(dataset).map_err(|e| err(std::io::Error::other(e)))?;
    json.push(b'\n');
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = temp_beside(path);
    let mut file = std::fs::File::create(&tmp).map_err(err)?;
    file.write_all(&json).and_then(|()| file.sync_all()).map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_is_identical_and_errors_have_positions() {
        let dir = std::env::temp_dir().join(format!("annotate-persist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.json");
        let mut d = Dataset::default();
        d.segments.push(crate::Segment {
            id: "s".into(),
            video: "v".into(),
            label: "x".into(),
            start_s: 0.25,
            end_s: 1.0,
            source: crate::Provenance::Human,
            review: crate::Review::Unreviewed,
        });
        save_atomic(&d, &path).unwrap();
        assert_eq!(load(&path).unwrap(), d);

        std::fs::write(&path, "{\n  \"schema\": \"vidence/5\",\n  \"videos\": [,\n").unwrap();
        let e = load(&path).unwrap_err();
        assert!(matches!(e, DatasetError::Parse { line: 3, syntax: true, .. }), "{e}");
        std::fs::write(&path, "{\n  \"schema\": \"vidence/5\",\n  \"segments\": [{\"id\": 5}]\n}").unwrap();
        let e = load(&path).unwrap_err();
        assert!(
            matches!(&e, DatasetError::Parse { syntax: false, line: 3, json_path, .. } if json_path == "$.segments[0].id"),
            "{e}"
        );
        // An older version's errors name the place too.
        std::fs::write(&path, "{\n  \"schema\": \"vidence/1\",\n  \"segments\": [{\"id\": 5}]\n}").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("vidence/1") && e.contains("$.segments[0].id"), "{e}");
        // A field this version does not know is refused, never dropped by a save.
        std::fs::write(&path, "{\"schema\": \"vidence/5\", \"videos\": [], \"hologram\": 1}").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("unknown field `hologram`"), "{e}");
        std::fs::write(&path, r#"{"schema": "other/9"}"#).unwrap();
        assert!(matches!(load(&path).unwrap_err(), DatasetError::Schema { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
