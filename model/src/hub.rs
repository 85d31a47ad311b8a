//! Finding a checkpoint: a local folder, or a Hugging Face hub id (`Qwen/Qwen3-VL-2B-
//! Instruct`) already in the hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
//! `~/.cache/huggingface/hub`), at the revision `refs/main` names. Nothing is downloaded.

use std::path::{Path, PathBuf};

use crate::error::{ModelError, Result};

pub fn resolve(spec: &str) -> Result<PathBuf> {
    resolve_in(spec, hub_cache().as_deref())
}

fn resolve_in(spec: &str, cache: Option<&Path>) -> Result<PathBuf> {
    let local = Path::new(spec);
    if local.is_dir() {
        return Ok(local.to_owned());
    }
    let missing = |why: String| ModelError::Read {
        path: local.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, why),
    };
    let Some((org, name)) =
        spec.split_once('/').filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
    else {
        return Err(missing("no such folder".into()));
    };
    let cache = cache.ok_or_else(|| missing("no folder, and no Hugging Face cache to look in".into()))?;
    let repo = cache.join(format!("models--{org}--{name}"));
    let revision = std::fs::read_to_string(repo.join("refs").join("main")).map_err(|_| {
        missing(format!("no such folder, and {spec} is not in the hub cache {}", cache.display()))
    })?;
    let snapshot = repo.join("snapshots").join(revision.trim());
    if snapshot.is_dir() {
        Ok(snapshot)
    } else {
        Err(missing(format!("the hub cache names snapshot {} but it is missing", snapshot.display())))
    }
}

fn hub_cache() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("HF_HUB_CACHE")
        .or_else(|| var("HF_HOME").map(|h| h.join("hub")))
        .or_else(|| var("HOME").map(|h| h.join(".cache/huggingface/hub")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_id_resolves_to_its_cached_snapshot() {
        let cache = std::env::temp_dir().join(format!("vidence-hub-{}", std::process::id()));
        let repo = cache.join("models--Org--Tiny");
        std::fs::create_dir_all(repo.join("snapshots/abc123")).unwrap();
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::write(repo.join("refs/main"), "abc123\n").unwrap();
        assert_eq!(resolve_in("Org/Tiny", Some(&cache)).unwrap(), repo.join("snapshots/abc123"));
        let err = resolve_in("Org/Other", Some(&cache)).unwrap_err();
        assert!(err.to_string().contains("not in the hub cache"), "{err}");
        assert!(resolve_in("Org/Tiny", None).is_err());
        assert!(resolve_in("no-such-folder", Some(&cache)).is_err());
        assert_eq!(resolve_in(cache.to_str().unwrap(), None).unwrap(), cache, "a folder is taken as it is");
        std::fs::remove_dir_all(&cache).unwrap();
    }
}
