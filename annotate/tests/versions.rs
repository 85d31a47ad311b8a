//! Every schema version ever written opens: the committed file of each version is
//! read, an older one is migrated (its original kept at the first save), and saving
//! the migrated file gives the committed file of the current version.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::path::{Path, PathBuf};

use annotate::{Document, migrate};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema");

fn fixture(version: &str) -> PathBuf {
    Path::new(FIXTURES).join(format!("{}.json", version.replace('/', "-")))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("annotate-versions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_fixture_of_every_version_is_committed() {
    for version in migrate::VERSIONS {
        assert!(fixture(version).exists(), "no fixture for {version}");
    }
}

#[test]
fn vidence_1_opens_migrated_and_its_first_save_keeps_the_original() {
    let dir = scratch("v1");
    let path = dir.join("data.json");
    let original = std::fs::read(fixture("vidence/1")).unwrap();
    std::fs::write(&path, &original).unwrap();
    let (mut doc, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.migrated_from.as_deref(), Some("vidence/1"));
    let run = &doc.dataset().runs[0];
    assert_eq!(run.model.backend, annotate::Backend::Given, "the demo's example text was not generated here");
    assert_eq!(run.generation, None, "given text has no generation settings");
    assert_eq!((run.reading.context.video_width, run.reading.context.video_height), (1280, 720));
    assert_eq!(run.settings.task, annotate::TaskKind::Answer);
    assert_eq!(run.tokens.len(), 4);
    // The first box's numbers were written by two tokens of log-probability -0.105 and -0.223.
    let sure = run.box_confidence[0].expect("a confidence for the first box");
    assert!((sure - (-0.164f32).exp()).abs() < 1e-5, "{sure}");
    assert_eq!(run.box_confidence[1], None, "the second box's numbers are in no token");
    assert!(annotate::validate(doc.dataset()).is_empty(), "{:?}", annotate::validate(doc.dataset()));

    doc.save().unwrap();
    let kept = annotate::original_path(&path, "vidence/1");
    assert_eq!(kept, dir.join("data.vidence-1.json"));
    assert_eq!(std::fs::read(&kept).unwrap(), original, "the original is kept byte for byte");
    let saved = std::fs::read_to_string(&path).unwrap();
    let current = fixture(migrate::VERSIONS[migrate::VERSIONS.len() - 1]);
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&current, &saved).unwrap();
    }
    assert_eq!(
        saved,
        std::fs::read_to_string(&current).unwrap(),
        "rerun with UPDATE_FIXTURES=1 if the schema changed"
    );
    assert!(!saved.contains("\"top\""), "tokens are not in the dataset file");

    // Reopened: the current version, tokens read from beside the file.
    let (again, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.migrated_from, None);
    let tokens = &again.dataset().runs[0].tokens;
    assert!(tokens.loaded().is_none(), "opening does not read tokens");
    let read = tokens.read(&path).unwrap();
    assert_eq!(read.len(), 4);
    assert_eq!(read[1].top.len(), 2);
    assert_eq!(again.dataset(), doc.dataset());
    // Saved elsewhere, tokens not read go along: copied beside the new file.
    let mut again = again;
    let elsewhere = scratch("v1-elsewhere").join("moved.json");
    again.save_as(&elsewhere).unwrap();
    assert_eq!(again.dataset().runs[0].tokens.read(&elsewhere).unwrap(), read);
    // A second save leaves the kept original alone.
    drop(again);
    doc.save().unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), original);
}

#[test]
fn the_current_version_opens_as_it_is() {
    let dir = scratch("current");
    let path = dir.join("data.json");
    std::fs::copy(fixture(migrate::VERSIONS[migrate::VERSIONS.len() - 1]), &path).unwrap();
    let (doc, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.migrated_from, None);
    assert_eq!(doc.dataset().runs.len(), 1);
    let missing = doc.dataset().runs[0].tokens.read(&path).unwrap_err();
    assert!(
        missing.to_string().contains("No such file"),
        "the token file is not beside this copy: {missing}"
    );
}

#[test]
fn vidence_2_3_and_4_read_as_the_current_version_unchanged() {
    // vidence/3, 4 and 5 only add optional fields: the older files are the same data.
    let current = fixture(migrate::VERSIONS[migrate::VERSIONS.len() - 1]);
    for version in ["vidence/2", "vidence/3", "vidence/4"] {
        let text = std::fs::read_to_string(fixture(version)).unwrap();
        let (old, from) = annotate::parse_versioned(&text, Path::new("old.json")).unwrap();
        assert_eq!(from.as_deref(), Some(version));
        assert_eq!(old, annotate::load(&current).unwrap());
        let named = text.replacen(&format!("\"{version}\""), "\"vidence/5\"", 1);
        assert_eq!(named, std::fs::read_to_string(&current).unwrap());
    }
}
