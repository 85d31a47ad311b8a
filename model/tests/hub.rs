//! Downloading a checkpoint by its hub id. A small HTTP server in the test plays the
//! Hugging Face hub: `/{org}/{name}/resolve/main/{file}`, answering byte ranges with
//! the commit and the file's etag as the hub does.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use candle_core::{DType, Device};
use model::hub::{Download, Hub};
use model::qwen3_vl::prompt::Tokenizer;
use model::qwen3_vl::{Precision, Qwen3Vl, TINY_CONFIG, write_random_checkpoint};

const COMMIT: &str = "5f3a2c1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b";

/// Serves `files` (`org/name/file` to its bytes) until the test ends; counts requests.
fn fake_hub(files: HashMap<String, Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let address = format!("http://{}", listener.local_addr().expect("its address"));
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    std::thread::Builder::new()
        .name("fake-hub".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::Relaxed);
                // A failed answer fails the download, which the test then reports.
                let _ = answer(stream, &files);
            }
        })
        .expect("the server thread");
    (address, requests)
}

fn answer(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut range = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            range = value.trim().strip_prefix("bytes=").map(str::to_owned);
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or_default();
    let body = files.get(path.trim_start_matches('/').replacen("/resolve/main/", "/", 1).as_str());
    let Some(body) = body else {
        return stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    };
    let (start, end) = match range.as_deref().and_then(|r| r.split_once('-')) {
        Some((s, e)) => (s.parse().unwrap_or(0), e.parse().unwrap_or(body.len() - 1)),
        None => (0, body.len() - 1),
    };
    let part = &body[start..=end.min(body.len() - 1)];
    // The etag names the file's blob in the cache; any string unique to the content will do.
    let etag = format!(
        "{:016x}{:08x}",
        body.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
        body.len()
    );
    write!(
        stream,
        "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{}\r\n\
         x-repo-commit: {COMMIT}\r\nETag: \"{etag}\"\r\nConnection: close\r\n\r\n",
        part.len(),
        start + part.len() - 1,
        body.len(),
    )?;
    stream.write_all(part)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vidence-hub-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read(folder: &Path, file: &str) -> Vec<u8> {
    std::fs::read(folder.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// A tiny random-weight checkpoint with a tokenizer, in `dir`.
fn checkpoint(dir: &Path) {
    write_random_checkpoint(dir, TINY_CONFIG).expect("a random checkpoint");
    let tokenizer =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qwen3_vl_tokenizer/tokenizer.json");
    std::fs::copy(tokenizer, dir.join("tokenizer.json")).expect("the tokenizer copied");
}

/// `files` of `dir` as the fake hub serves them for `repo`.
fn served(repo: &str, dir: &Path, files: &[&str]) -> HashMap<String, Vec<u8>> {
    files.iter().map(|f| (format!("{repo}/{f}"), read(dir, f))).collect()
}

#[test]
fn a_hub_id_is_downloaded_into_the_cache_once_and_then_read_offline() {
    let source = temp("source");
    checkpoint(&source);
    let files = served("Org/Tiny", &source, &["config.json", "tokenizer.json", "model.safetensors"]);
    let (endpoint, requests) = fake_hub(files.clone());
    let cache = temp("cache");
    let hub = Hub::new(endpoint, &cache);

    let mut heard: Vec<Download> = Vec::new();
    let folder = hub.fetch("Org/Tiny", &mut |d| heard.push(d.clone())).unwrap();
    assert_eq!(folder, cache.join("models--Org--Tiny/snapshots").join(COMMIT));
    assert_eq!(model::hub::revision_of(&folder).as_deref(), Some(COMMIT), "a run records the revision");
    assert_eq!(model::hub::revision_of(&cache), None);
    for (file, bytes) in &files {
        let file = file.trim_start_matches("Org/Tiny/");
        assert_eq!(&read(&folder, file), bytes, "{file} arrived whole");
    }
    assert_eq!(std::fs::read_to_string(cache.join("models--Org--Tiny/refs/main")).unwrap(), COMMIT);
    let weights = heard.iter().filter(|d| d.file == "model.safetensors").collect::<Vec<_>>();
    let size = files["Org/Tiny/model.safetensors"].len() as u64;
    assert!(weights.len() >= 3, "the weights' progress is reported as they arrive: {weights:?}");
    assert!(weights.windows(2).all(|w| w[0].done <= w[1].done && w[1].total == size));
    assert_eq!(weights.last().map(|d| d.done), Some(size));
    let whole = format!("model.safetensors {0:.1}/{0:.1} MB", size as f64 / 1e6);
    assert_eq!(weights.last().map(ToString::to_string), Some(whole));
    Qwen3Vl::load(&folder, Precision::uniform(DType::F32), &Device::Cpu).expect("the weights load");
    Tokenizer::load(&folder).expect("the tokenizer loads");

    // Everything is cached now: a second fetch asks the hub nothing.
    let asked = requests.load(Ordering::Relaxed);
    assert_eq!(hub.fetch("Org/Tiny", &mut |_| {}).unwrap(), folder);
    assert_eq!(requests.load(Ordering::Relaxed), asked, "no request for a cached checkpoint");

    // A repository the hub does not have is a clear error.
    let err = hub.fetch("Org/Missing", &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("Org/Missing") && err.contains("config.json") && err.contains("404"), "{err}");
    for dir in [source, cache] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn sharded_weights_come_with_their_index() {
    let source = temp("sharded-source");
    checkpoint(&source);
    // Split the weights over two files and index them, as large checkpoints come.
    let tensors = candle_core::safetensors::load(source.join("model.safetensors"), &Device::Cpu).unwrap();
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    let (first, second) = names.split_at(names.len() / 2);
    let mut weight_map = serde_json::Map::new();
    for (file, part) in
        [("model-00001-of-00002.safetensors", first), ("model-00002-of-00002.safetensors", second)]
    {
        let shard: HashMap<String, candle_core::Tensor> =
            part.iter().map(|&n| (n.clone(), tensors[n].clone())).collect();
        candle_core::safetensors::save(&shard, source.join(file)).unwrap();
        weight_map.extend(part.iter().map(|&n| (n.clone(), file.into())));
    }
    let index = serde_json::json!({ "metadata": {}, "weight_map": weight_map });
    std::fs::write(source.join("model.safetensors.index.json"), index.to_string()).unwrap();
    let files = served(
        "Org/Sharded",
        &source,
        &[
            "config.json",
            "tokenizer.json",
            "model.safetensors.index.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
        ],
    );
    let (endpoint, requests) = fake_hub(files);
    let cache = temp("sharded-cache");
    let hub = Hub::new(endpoint, &cache);
    let mut arrived = Vec::new();
    let folder = hub
        .fetch("Org/Sharded", &mut |d| {
            if d.done == d.total {
                arrived.push(d.file.clone());
            }
        })
        .unwrap();
    assert!(!folder.join("model.safetensors").exists());
    for shard in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"] {
        assert!(arrived.iter().any(|f| f == shard), "{shard} in {arrived:?}");
    }
    let load = |dir: &Path| Qwen3Vl::load(dir, Precision::uniform(DType::F32), &Device::Cpu).unwrap();
    let (mut sharded, mut whole) = (load(&folder), load(&source));
    let logits = |m: &mut Qwen3Vl| m.prefill(&[1, 2, 3], None, None).unwrap();
    assert_eq!(logits(&mut sharded), logits(&mut whole), "the shards hold the whole model");
    let asked = requests.load(Ordering::Relaxed);
    hub.fetch("Org/Sharded", &mut |_| {}).unwrap();
    assert_eq!(requests.load(Ordering::Relaxed), asked, "no request once the shards are cached");
    for dir in [source, cache] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_folder_is_taken_as_it_is_and_other_names_are_errors() {
    let hub = Hub::new("http://127.0.0.1:9", temp("unused"));
    let here = env!("CARGO_MANIFEST_DIR");
    assert_eq!(hub.fetch(here, &mut |_| {}).unwrap(), Path::new(here));
    let err = hub.fetch("no-such-folder", &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("no such folder"), "{err}");
    // A hub id with no hub to reach.
    let err = hub.fetch("Org/Tiny", &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("Org/Tiny") && err.contains("config.json"), "{err}");
}
