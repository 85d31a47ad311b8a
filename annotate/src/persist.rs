//! Reading and writing dataset files. Saving is atomic: a temporary file beside the
//! target, fsynced, then renamed over it, so a crash leaves the old or the new file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::dataset::{Dataset, SCHEMA};

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Parse { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{path}: schema is {found:?}, this version of Vidence reads {SCHEMA:?}")]
    Schema { path: PathBuf, found: String },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

pub fn load(path: &Path) -> Result<Dataset, DatasetError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| DatasetError::Read { path: path.to_owned(), source })?;
    let dataset: Dataset = serde_json::from_str(&text).map_err(|e| DatasetError::Parse {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if dataset.schema != SCHEMA {
        return Err(DatasetError::Schema { path: path.to_owned(), found: dataset.schema });
    }
    Ok(dataset)
}

pub fn save_atomic(dataset: &Dataset, path: &Path) -> Result<(), DatasetError> {
    let err = |source| DatasetError::Write { path: path.to_owned(), source };
    let mut json = serde_json::to_vec_pretty(dataset).map_err(|e| err(std::io::Error::other(e)))?;
    json.push(b'\n');
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(err)?;
    file.write_all(&json).and_then(|()| file.sync_all()).map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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

        std::fs::write(&path, "{\n  \"schema\": \"vidence/1\",\n  \"videos\": [1,\n").unwrap();
        let e = load(&path).unwrap_err();
        assert!(matches!(e, DatasetError::Parse { line: 3, .. }), "{e}");
        std::fs::write(&path, r#"{"schema": "other/9"}"#).unwrap();
        assert!(matches!(load(&path).unwrap_err(), DatasetError::Schema { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
