//! Finding a checkpoint: a local folder, or a Hugging Face hub id (`Qwen/Qwen3-VL-2B-
//! Instruct`) in the hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
//! `~/.cache/huggingface/hub`) at the revision `refs/main` names. A hub id whose files
//! are not all in the cache is downloaded into it first (from `$HF_ENDPOINT`, else
//! the Hugging Face hub, with `$HF_TOKEN` or else the token a hub login saved), in
//! the layout Python's `huggingface_hub` reads too.

use std::path::{Path, PathBuf};

use hf_hub::Cache;
use hf_hub::api::Progress;
use hf_hub::api::sync::ApiBuilder;

use crate::error::{ModelError, Result};

const INDEX: &str = "model.safetensors.index.json";
const SINGLE: &str = "model.safetensors";

/// Where checkpoints come from.
pub struct Hub {
    endpoint: String,
    cache: Option<PathBuf>,
    token: Option<String>,
}

/// How much of a file has been downloaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    pub file: String,
    pub done: u64,
    pub total: u64,
}

impl Download {
    /// How much is in, of how much: `0.3/0.9 MB`, `1.20/4.41 GB`.
    pub fn sizes(&self) -> String {
        let (done, total) = (self.done as f64, self.total as f64);
        if total >= 1e9 {
            format!("{:.2}/{:.2} GB", done / 1e9, total / 1e9)
        } else {
            format!("{:.1}/{:.1} MB", done / 1e6, total / 1e6)
        }
    }
}

impl std::fmt::Display for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.file, self.sizes())
    }
}

impl Hub {
    /// The hub and cache the environment names, as `huggingface_hub` reads them.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let path = |name: &str| var(name).map(PathBuf::from);
        Self {
            endpoint: var("HF_ENDPOINT").unwrap_or_else(|| "https://huggingface.co".into()),
            cache: path("HF_HUB_CACHE")
                .or_else(|| path("HF_HOME").map(|h| h.join("hub")))
                .or_else(|| path("HOME").map(|h| h.join(".cache/huggingface/hub"))),
            token: var("HF_TOKEN"),
        }
    }

    /// A hub at `endpoint` with its cache in `cache`.
    pub fn new(endpoint: impl Into<String>, cache: impl Into<PathBuf>) -> Self {
        Self { endpoint: endpoint.into(), cache: Some(cache.into()), token: None }
    }

    /// The checkpoint folder `spec` names: a folder as it is, else a hub id's files,
    /// downloaded into the cache if any is missing; `progress` hears of each download.
    pub fn fetch(&self, spec: &str, progress: &mut dyn FnMut(&Download)) -> Result<PathBuf> {
        let local = Path::new(spec);
        if local.is_dir() {
            return Ok(local.to_owned());
        }
        let missing = |why: String| ModelError::Read {
            path: local.to_owned(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, why),
        };
        if local.is_file() {
            return Err(missing(
                "this is a file, not a folder: give the checkpoint's folder (config.json, tokenizer.json and the .safetensors weights)"
                    .into(),
            ));
        }
        if !is_hub_id(spec) {
            return Err(missing("no such folder".into()));
        }
        let cache = self
            .cache
            .clone()
            .ok_or_else(|| missing("no folder, and no hub cache to keep a download in".into()))?;
        let cached = Cache::new(cache.clone()).model(spec.to_owned());
        let mut builder = ApiBuilder::from_cache(Cache::new(cache))
            .with_endpoint(self.endpoint.clone())
            .with_progress(false);
        // Without `$HF_TOKEN`, the token a hub login saved beside the cache (if any) stays.
        if let Some(token) = &self.token {
            builder = builder.with_token(Some(token.clone()));
        }
        let api = builder
            .build()
            .map_err(|e| missing(format!("cannot reach the hub: {e}")))?
            .model(spec.to_owned());
        // A file the repository does not have is `None`; any other failure an error.
        let mut optional = |file: &str| -> Result<Option<PathBuf>> {
            if let Some(path) = cached.get(file) {
                return Ok(Some(path));
            }
            let reporter = Reporter {
                download: Download { file: file.into(), done: 0, total: 0 },
                shown: 0,
                progress: &mut *progress,
            };
            match api.download_with_progress(file, reporter) {
                Ok(path) => Ok(Some(path)),
                Err(hf_hub::api::sync::ApiError::RequestError(e))
                    if matches!(*e, ureq::Error::Status(404, _)) =>
                {
                    Ok(None)
                }
                Err(e) => Err(missing(format!("downloading {file} from {}: {e}", self.endpoint))),
            }
        };
        let endpoint = &self.endpoint;
        let need = |found: Option<PathBuf>, file: &str| {
            found.ok_or_else(|| missing(format!("{endpoint} has no {file} for it (404)")))
        };
        let first_fetch = cached.get("config.json").is_none();
        let config = need(optional("config.json")?, "config.json")?;
        need(optional("tokenizer.json")?, "tokenizer.json")?;
        // The processors' settings, where the repository has them (else the published
        // ones); asked for once, so that a cached checkpoint needs no network.
        if first_fetch {
            optional("preprocessor_config.json")?;
            optional("video_preprocessor_config.json")?;
        }
        // Weights in one file, or shards listed in an index (which a single file lacks).
        if cached.get(SINGLE).is_none() {
            match optional(INDEX)? {
                Some(index) => {
                    for shard in crate::qwen3_vl::shards(&index)? {
                        need(optional(&shard)?, &shard)?;
                    }
                }
                None => {
                    need(optional(SINGLE)?, SINGLE)?;
                }
            }
        }
        config.parent().map(Path::to_owned).ok_or_else(|| missing("the cache has no folder for it".into()))
    }
}

/// `org/name`: not a path that exists, but the shape of a hub id.
fn is_hub_id(spec: &str) -> bool {
    spec.split_once('/').is_some_and(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
}

/// Passes a download's progress on at its start, about every 1%, and at its end.
struct Reporter<'a> {
    download: Download,
    shown: u64,
    progress: &'a mut dyn FnMut(&Download),
}

impl Progress for Reporter<'_> {
    fn init(&mut self, size: usize, _file: &str) {
        self.download.total = size as u64;
        self.download.done = 0;
        (self.progress)(&self.download);
    }

    fn update(&mut self, size: usize) {
        self.download.done += size as u64;
        let step = (self.download.total / 100).max(1);
        // The end is for `finish` to tell.
        if self.download.done - self.shown >= step && self.download.done < self.download.total {
            self.shown = self.download.done;
            (self.progress)(&self.download);
        }
    }

    fn finish(&mut self) {
        self.download.done = self.download.total;
        (self.progress)(&self.download);
    }
}

/// The hub revision a checkpoint folder holds: the commit of a hub cache snapshot
/// (`.../snapshots/COMMIT`); `None` for a folder of one's own.
pub fn revision_of(folder: &Path) -> Option<String> {
    let parent = folder.parent()?;
    (parent.file_name()? == "snapshots").then(|| folder.file_name()?.to_str().map(str::to_owned)).flatten()
}
