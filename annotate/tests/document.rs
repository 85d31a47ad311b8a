//! Persistence that never loses work: the journal after a crash (in-process and a
//! SIGKILLed child), saving, backups and changes made by someone else.
#![allow(clippy::unwrap_used)] // a test that cannot set up should fail loudly

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use annotate::{
    BBox, Category, Dataset, DatasetError, Document, Edit, Interpolation, Keyframe, Provenance, Review,
    Track, Video, backup_path, journal_path,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("annotate-doc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn base() -> Dataset {
    let mut d = Dataset::default();
    d.videos.push(Video {
        id: "v".into(),
        path: "v.mp4".into(),
        width: 640,
        height: 480,
        fps: 30.0,
        frame_count: 1_000_000,
        duration_s: 33_333.0,
        tags: Default::default(),
    });
    d.categories.push(Category { attributes: Vec::new(), id: "c".into(), name: "c".into(), color: None });
    d.tracks.push(Track {
        attributes: Vec::new(),
        z_order: 0,
        id: "t".into(),
        video: "v".into(),
        category: "c".into(),
        keyframes: Default::default(),
        interpolation: Interpolation::Linear,
        source: Provenance::Human,
        review: Review::Unreviewed,
    });
    d
}

/// The `n`-th edit of a scripted editing session.
fn edit(n: u64) -> Edit {
    let x = (n % 500) as f32;
    Edit::SetKeyframe {
        track: "t".into(),
        keyframe: Keyframe {
            frame: n,
            bbox: BBox::new(x, 1.0, x + 10.0, 20.0),
            outside: false,
            occluded: false,
        },
    }
}

fn expected_after(n: u64) -> Dataset {
    let mut d = base();
    for i in 0..n {
        edit(i).apply(&mut d).unwrap();
    }
    d
}

#[test]
fn unsaved_edits_come_back_from_the_journal() {
    let dir = scratch("journal");
    let path = dir.join("d.json");
    let mut doc = Document::create(&path, &base()).unwrap();
    for n in 0..50 {
        doc.apply(edit(n)).unwrap();
    }
    assert!(doc.undo());
    assert!(doc.undo());
    assert!(doc.redo());
    let live = doc.dataset().clone();
    doc.flush_journal();
    std::mem::forget(doc); // as if the process died: no save, no clean shutdown

    let (reopened, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.recovered_edits, 53, "50 edits, 2 undos and a redo");
    assert_eq!(reopened.dataset(), &live);

    // A torn last line (a crash mid-write) is dropped, the rest recovered.
    reopened.flush_journal();
    drop(reopened);
    let mut journal = std::fs::OpenOptions::new().append(true).open(journal_path(&path)).unwrap();
    journal.write_all(b"{\"seq\": 53, \"edit\": {\"edit\": \"set_keyfr").unwrap();
    drop(journal);
    let (mut again, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.recovered_edits, 53);
    assert_eq!(again.dataset(), &live);

    // The history comes back as it was: 50 edits, 2 undone, 1 redone; the one still
    // undone can be redone, and undoing the 49 others gives back the saved file.
    assert!(again.redo());
    assert_eq!(again.dataset(), &expected_after(50));
    let mut undone = 0;
    while again.undo() {
        undone += 1;
    }
    assert_eq!(undone, 50);
    assert_eq!(again.dataset(), &base());
}

#[test]
fn saving_clears_the_journal_and_keeps_backups() {
    let dir = scratch("save");
    let path = dir.join("d.json");
    let mut doc = Document::create(&path, &base()).unwrap();
    for n in 0..7u64 {
        doc.apply(edit(n)).unwrap();
        doc.save().unwrap();
    }
    assert_eq!(annotate::load(&path).unwrap(), expected_after(7));
    for k in 1..=annotate::BACKUPS {
        let backup = annotate::load(&backup_path(&path, k)).unwrap();
        assert_eq!(backup, expected_after(7 - k as u64), "backup {k}");
    }
    assert!(!backup_path(&path, annotate::BACKUPS + 1).exists());
    doc.flush_journal();
    drop(doc);
    let (_, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.recovered_edits, 0, "nothing unsaved");
}

#[test]
fn a_file_changed_by_someone_else_is_never_silently_overwritten() {
    let dir = scratch("external");
    let path = dir.join("d.json");
    let mut doc = Document::create(&path, &base()).unwrap();
    doc.apply(edit(1)).unwrap();
    assert!(!doc.changed_on_disk());
    let mut theirs = base();
    theirs.categories[0].name = "renamed elsewhere".into();
    annotate::save_atomic(&theirs, &path).unwrap();
    assert!(doc.changed_on_disk());
    assert!(matches!(doc.save(), Err(DatasetError::ChangedOnDisk { .. })));
    assert_eq!(annotate::load(&path).unwrap(), theirs, "their version is intact");
    // Save elsewhere instead: ours lands there, theirs stays.
    let mine = dir.join("mine.json");
    doc.save_as(&mine).unwrap();
    let mut ours = base();
    edit(1).apply(&mut ours).unwrap();
    assert_eq!(annotate::load(&mine).unwrap(), ours);
    assert_eq!(annotate::load(&path).unwrap(), theirs);
    // Their file's stale journal is not applied to their version.
    let (reloaded, opened) = Document::open(&path).unwrap();
    assert_eq!((reloaded.dataset(), opened.recovered_edits), (&theirs, 0));
    drop(reloaded);

    // Journals set aside for other versions of the file never overwrite each other.
    let journal = journal_path(&path);
    let mut stale = Vec::new();
    for round in 0..2 {
        let mut doc = Document::open(&path).unwrap().0;
        doc.apply(edit(10 + round)).unwrap();
        doc.flush_journal();
        drop(doc);
        let mut changed = theirs.clone();
        changed.categories[0].name = format!("renamed again {round}");
        annotate::save_atomic(&changed, &path).unwrap();
        let (reopened, opened) = Document::open(&path).unwrap();
        assert_eq!((reopened.dataset(), opened.recovered_edits), (&changed, 0));
        stale.push(std::fs::read(annotate::stale_path(&journal, round as usize + 1)).unwrap());
    }
    assert_ne!(stale[0], stale[1]);
    assert_eq!(std::fs::read(annotate::stale_path(&journal, 1)).unwrap(), stale[0], "the first is kept");
}

#[test]
fn a_dataset_of_another_schema_version_is_refused_not_opened() {
    let dir = scratch("schema");
    let path = dir.join("d.json");
    let mut future = serde_json::to_value(base()).unwrap();
    future["schema"] = serde_json::json!("vidence/99");
    std::fs::write(&path, serde_json::to_vec(&future).unwrap()).unwrap();
    let err = Document::open(&path).err().expect("refused");
    assert!(matches!(err, DatasetError::Schema { .. }), "{err}");
    assert!(err.to_string().contains("vidence/99"), "{err}");
}

/// Runs only as the child of `a_killed_editor_loses_at_most_its_last_second`.
#[test]
fn child_editing_session() {
    let Ok(path) = std::env::var("ANNOTATE_CHILD_DATASET") else { return };
    let (mut doc, _) = Document::open(Path::new(&path)).unwrap();
    let mut out = std::io::stdout().lock();
    for n in 0.. {
        doc.apply(edit(n)).unwrap();
        writeln!(out, "applied {}", n + 1).unwrap();
        out.flush().unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_killed_editor_loses_at_most_its_last_second() {
    let dir = scratch("kill");
    let path = dir.join("d.json");
    drop(Document::create(&path, &base()).unwrap());
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_editing_session", "--nocapture", "--test-threads", "1"])
        .env("ANNOTATE_CHILD_DATASET", &path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    // (count, when it was reported)
    let mut reports: Vec<(u64, Instant)> = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(n) = line.strip_prefix("applied ") {
            reports.push((n.parse().unwrap(), Instant::now()));
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush
    let killed_at = Instant::now();
    child.wait().unwrap();
    assert!(reports.len() > 100, "the child made only {} edits", reports.len());
    let last = reports.last().unwrap().0;
    let a_second_before =
        reports.iter().rev().find(|(_, at)| killed_at - *at >= Duration::from_secs(1)).map_or(0, |r| r.0);

    let (doc, opened) = Document::open(&path).unwrap();
    let recovered = opened.recovered_edits as u64;
    assert!(
        recovered >= a_second_before,
        "recovered {recovered} edits, but {a_second_before} were made over a second before the kill"
    );
    assert!(recovered >= last.saturating_sub(5), "recovered {recovered} of {last} reported edits");
    assert_eq!(
        doc.dataset(),
        &expected_after(recovered),
        "recovered edits are exactly the first {recovered}"
    );
    println!("killed after {last} reported edits; recovered {recovered}");
}

#[test]
fn a_background_save_keeps_the_edits_made_while_it_runs() {
    let dir = scratch("background");
    let path = dir.join("d.json");
    let mut doc = Document::create(&path, &base()).unwrap();
    for n in 0..20 {
        doc.apply(edit(n)).unwrap();
    }
    let job = doc.begin_save();
    let saving = std::thread::Builder::new().name("save".into()).spawn(move || job.run()).unwrap();
    for n in 20..30 {
        doc.apply(edit(n)).unwrap();
    }
    let saved = saving.join().unwrap().unwrap();
    doc.finish_save(saved).unwrap();
    assert_eq!(annotate::load(&path).unwrap(), expected_after(20), "the file holds the snapshot");
    assert_eq!(doc.unsaved_edits(), 10);
    assert!(!doc.changed_on_disk());
    doc.flush_journal();
    std::mem::forget(doc); // crash before the next save
    let (reopened, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.recovered_edits, 10, "only the edits after the snapshot are replayed");
    assert_eq!(reopened.dataset(), &expected_after(30));
}

#[test]
fn a_journal_with_a_hole_replays_only_up_to_it_and_is_kept_whole() {
    let dir = scratch("hole");
    let path = dir.join("d.json");
    let mut doc = Document::create(&path, &base()).unwrap();
    for n in 0..5 {
        doc.apply(edit(n)).unwrap();
    }
    doc.flush_journal();
    std::mem::forget(doc); // as if the process died
    // The line of edit 2 goes missing (a write that failed, a damaged disk).
    let journal = journal_path(&path);
    let text = std::fs::read_to_string(&journal).unwrap();
    let holed: Vec<&str> = text.lines().filter(|l| !l.starts_with(r#"{"seq":2,"#)).collect();
    assert_eq!(holed.len(), 5, "the header and four of five edits");
    std::fs::write(&journal, holed.join("\n") + "\n").unwrap();

    let (doc, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.recovered_edits, 2, "edits 3 and 4 would land on a state without edit 2");
    assert_eq!(doc.dataset(), &expected_after(2));
    let why = opened.journal_stopped.expect("the stop is told");
    assert!(why.contains("line 4") && why.contains("edit 3 where edit 2 was due"), "{why}");
    let kept = annotate::stale_path(&journal, 1);
    assert!(why.contains(&kept.display().to_string()), "{why}");
    assert_eq!(std::fs::read_to_string(kept).unwrap(), holed.join("\n") + "\n", "the whole journal is kept");
}

#[test]
fn a_failing_journal_says_why_retries_and_loses_no_edit() {
    let dir = scratch("flaky");
    let path = dir.join("data.json");
    annotate::save_atomic(&base(), &path).unwrap();
    let disk = std::sync::Arc::new(annotate::FlakyDisk::default());
    let (mut doc, _) = Document::open_on(&path, disk.clone()).unwrap();
    for n in 0..3 {
        doc.apply(edit(n)).unwrap();
    }
    doc.flush_journal();
    assert_eq!(doc.autosave(), annotate::Health::default());
    disk.fail(true);
    for n in 3..6 {
        doc.apply(edit(n)).unwrap();
    }
    doc.flush_journal();
    let health = doc.autosave();
    let why = health.failing.expect("the failure is reported");
    assert!(why.contains("data.json.journal") && why.contains("no storage space"), "{why}");
    assert_eq!(health.behind, 6);
    // Back to a working disk: the next retry (within a sync interval) writes every edit.
    disk.fail(false);
    doc.apply(edit(6)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while doc.autosave().failing.is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    doc.flush_journal();
    assert_eq!(doc.autosave(), annotate::Health { failing: None, behind: 0, recoveries: 1 });
    // A crash now loses nothing: the journal holds all seven edits in sequence.
    drop(doc);
    let (recovered, opened) = Document::open(&path).unwrap();
    assert_eq!(opened.recovered_edits, 7);
    assert_eq!(opened.journal_stopped, None);
    assert_eq!(recovered.dataset(), &expected_after(7));
}

#[test]
fn edits_set_aside_are_counted_and_can_be_applied_to_the_file_as_it_is() {
    let dir = scratch("set_aside");
    let path = dir.join("d.json");
    let mut doc = Document::create(&path, &base()).unwrap();
    let category = Category { attributes: Vec::new(), id: "new".into(), name: "new".into(), color: None };
    doc.apply(edit(1)).unwrap();
    doc.apply(Edit::InsertCategory { index: 1, category: category.clone() }).unwrap();
    doc.apply(edit(2)).unwrap();
    doc.flush_journal();
    drop(doc); // a crash after "keep editing": the file changed under the edits
    let mut theirs = base();
    theirs.categories.push(category);
    annotate::save_atomic(&theirs, &path).unwrap();

    let (mut doc, opened) = Document::open(&path).unwrap();
    assert_eq!(doc.dataset(), &theirs, "nothing is applied unasked");
    let aside = opened.set_aside.expect("the edits are told of");
    assert_eq!((aside.edits, aside.path.clone()), (3, annotate::stale_path(&journal_path(&path), 1)));
    let edits = annotate::read_any(&aside.path).unwrap().edits;
    let report = doc.apply_set_aside(edits);
    assert_eq!(report.applied, 2);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].0, 1);
    assert!(report.skipped[0].1.contains("already exists"), "{:?}", report.skipped);
    let mut expected = theirs.clone();
    edit(1).apply(&mut expected).unwrap();
    edit(2).apply(&mut expected).unwrap();
    assert_eq!(doc.dataset(), &expected);
    assert_eq!(doc.unsaved_edits(), 2, "applied edits are journaled like any other");
}

#[test]
fn save_as_leaves_the_journal_to_its_thread() {
    let dir = scratch("save_as");
    let path = dir.join("d.json");
    annotate::save_atomic(&base(), &path).unwrap();
    let disk = std::sync::Arc::new(annotate::FlakyDisk::default());
    let (mut doc, _) = Document::open_on(&path, disk.clone()).unwrap();
    doc.apply(edit(0)).unwrap();
    doc.flush_journal();
    // The journal's disk fails: saving elsewhere still finishes at once, and the
    // journal's trouble is told, not returned from the save.
    disk.fail(true);
    let mine = dir.join("mine.json");
    let saved = doc.begin_save_as(&mine).run().unwrap();
    doc.finish_save(saved).unwrap();
    doc.apply(edit(1)).unwrap();
    doc.flush_journal();
    assert!(doc.autosave().failing.is_some_and(|why| why.contains("mine.json.journal")));
    disk.fail(false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while doc.autosave().failing.is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    doc.flush_journal();
    assert!(!journal_path(&path).exists(), "the old file's journal is gone");
    drop(doc);
    let (recovered, opened) = Document::open(&mine).unwrap();
    assert_eq!(opened.recovered_edits, 1, "the edit after the save comes back from the new journal");
    assert_eq!(recovered.dataset(), &expected_after(2));
}

#[test]
fn save_as_never_writes_over_another_file_and_as_itself_is_a_save() {
    let dir = scratch("save_as_over");
    let path = dir.join("d.json");
    annotate::save_atomic(&base(), &path).unwrap();
    let other = dir.join("other.json");
    std::fs::write(&other, "someone else's").unwrap();
    let (mut doc, _) = Document::open(&path).unwrap();
    doc.apply(edit(0)).unwrap();
    let refused = doc.begin_save_as(&other).run();
    assert!(matches!(refused, Err(DatasetError::Exists { .. })), "{:?}", refused.err());
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "someone else's");
    // Its own name: a save, with the check that nobody else changed the file.
    let mut theirs = base();
    theirs.categories.clear();
    annotate::save_atomic(&theirs, &path).unwrap();
    let own = doc.begin_save_as(&path).run();
    assert!(matches!(own, Err(DatasetError::ChangedOnDisk { .. })), "{:?}", own.err());
    assert_eq!(annotate::load(&path).unwrap(), theirs);
}
