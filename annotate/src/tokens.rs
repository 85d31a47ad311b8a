//! A run's tokens, kept out of the dataset file: in memory they are shared (a run in
//! the dataset, the undo history and the journal is one copy); on disk they live in a
//! file of their own beside the dataset, `NAME.tokens/HASH.json`, named by the hash of
//! its contents, written once (by the journal when the run is made, by a save when
//! the dataset moves). The dataset file holds the name and the count, so opening and
//! saving never touch them; they are read when a run's tokens are looked at.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::run::RunToken;

#[derive(Clone, Debug, Default)]
pub struct Tokens {
    /// `HASH.json`, or empty for no tokens.
    file: String,
    count: usize,
    /// The tokens, when this copy has them (made here, or read back).
    loaded: Option<Arc<[RunToken]>>,
}

/// Two token lists are the same if their files are.
impl PartialEq for Tokens {
    fn eq(&self, other: &Self) -> bool {
        self.file == other.file && self.count == other.count
    }
}

/// What the dataset file holds of them.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Tokens")]
struct Stored {
    file: String,
    count: usize,
}

impl Tokens {
    pub fn new(tokens: Vec<RunToken>) -> Self {
        if tokens.is_empty() {
            return Self::default();
        }
        let bytes = serde_json::to_vec(&tokens).unwrap_or_default();
        let file = format!("{}.json", crate::journal::content_hash(&bytes));
        Self { file, count: tokens.len(), loaded: Some(tokens.into()) }
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// The tokens, if this copy holds them (see [`read`] otherwise).
    pub fn loaded(&self) -> Option<&Arc<[RunToken]>> {
        self.loaded.as_ref()
    }

    /// The file they are kept in, beside the dataset at `dataset`.
    pub fn path(&self, dataset: &Path) -> PathBuf {
        folder(dataset).join(&self.file)
    }

    /// Make sure they are beside the dataset at `to`, unless they are there already:
    /// written from memory, or copied from beside the dataset at `from`. Blocking: the
    /// journal and save threads call it.
    pub fn keep(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        let path = self.path(to);
        if path.exists() {
            return Ok(());
        }
        let bytes = match &self.loaded {
            Some(list) => serde_json::to_vec(list.as_ref()).map_err(std::io::Error::other)?,
            None => std::fs::read(self.path(from))?,
        };
        std::fs::create_dir_all(folder(to))?;
        let tmp = crate::persist::temp_beside(&path);
        std::fs::write(&tmp, bytes)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)
    }

    /// Read them from beside the dataset at `dataset`. Blocking: call it off the GUI
    /// thread.
    pub fn read(&self, dataset: &Path) -> std::io::Result<Arc<[RunToken]>> {
        if let Some(list) = &self.loaded {
            return Ok(Arc::clone(list));
        }
        if self.is_empty() {
            return Ok(Arc::from([]));
        }
        let path = self.path(dataset);
        let bytes = std::fs::read(&path)?;
        let list: Vec<RunToken> = serde_json::from_slice(&bytes).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display()))
        })?;
        if list.len() != self.count {
            let message =
                format!("{} holds {} tokens, the run says {}", path.display(), list.len(), self.count);
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, message));
        }
        Ok(list.into())
    }
}

/// `data.json` -> `data.json.tokens/`
pub fn folder(dataset: &Path) -> PathBuf {
    let mut name = dataset.file_name().unwrap_or_default().to_os_string();
    name.push(".tokens");
    dataset.with_file_name(name)
}

impl Serialize for Tokens {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Stored { file: self.file.clone(), count: self.count }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tokens {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Stored { file, count } = Stored::deserialize(d)?;
        let plain =
            file.len() == 21 && file.ends_with(".json") && file[..16].bytes().all(|b| b.is_ascii_hexdigit());
        if !plain {
            return Err(serde::de::Error::custom(format!(
                "{file:?} is not a token file name (16 hex digits and .json)"
            )));
        }
        Ok(Self { file, count, loaded: None })
    }
}

impl JsonSchema for Tokens {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Tokens".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Stored::json_schema(generator)
    }
}
