//! Other tools' labels in and out of the window: a file dropped joins the open
//! dataset as one undoable edit, with a report of what was left out; a file dropped
//! on an empty window becomes a dataset of its own; Export… writes the dataset as
//! another format where the file browser says.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use vidence_tests::step_until;

use super::first_hour::dialog_field;
use super::{Dropped, demo_copy, harness, wait_for_first_frame};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../annotate/tests/fixtures/formats");

#[test]
fn a_dropped_cvat_file_joins_the_dataset_as_one_undoable_edit_with_its_report() {
    let dataset = demo_copy("gui_import_cvat");
    let cvat = dataset.with_file_name("sample_video.xml");
    std::fs::copy(format!("{FIXTURES}/cvat/dagshub_sample_video.xml"), &cvat).unwrap();
    let mut h = harness(vec![dataset]);
    wait_for_first_frame(&mut h);
    let before = h.state().dataset().unwrap().clone();
    h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(cvat)));
    step_until(&mut h, "the report", |app| app.report().is_some());
    h.run_steps(2);
    let (title, lines) = h.state().report().unwrap();
    assert_eq!(title, "Imported (Ctrl+Z takes it back)", "{lines:?}");
    assert!(lines[0].contains("1 videos, 2 tracks"), "{lines:?}");
    let data = h.state().dataset().unwrap();
    assert_eq!(data.tracks.len(), before.tracks.len() + 2);
    assert_eq!(data.videos.len(), before.videos.len() + 1);
    h.get_by_label_contains("Imported (Ctrl+Z");
    h.get_by_label("Close").click();
    h.run_steps(2);
    assert!(h.state().report().is_none());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().dataset().unwrap(), &before, "one undo takes the whole import back");
}

#[test]
fn labels_dropped_on_an_empty_window_become_a_dataset_beside_them() {
    let dir = vidence_tests::scratch("gui_import_new");
    let gt = dir.join("TUD-Campus.txt");
    std::fs::copy(format!("{FIXTURES}/mot/py-motmetrics/TUD-Campus/gt.txt"), &gt).unwrap();
    let mut h = harness(Vec::new());
    h.run_steps(2);
    h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(gt)));
    step_until(&mut h, "the new dataset open", |app| app.dataset().is_some() && app.report().is_some());
    let written = annotate::load(&dir.join("TUD-Campus.vidence.json")).expect("the dataset is on disk");
    assert_eq!(written.tracks.len(), 8);
    assert_eq!(h.state().dataset().unwrap().tracks.len(), 8);
    let (_, lines) = h.state().report().unwrap();
    assert!(lines.iter().any(|l| l.starts_with("assumed:")), "MOT says no rate or size: {lines:?}");
}

#[test]
fn export_writes_the_dataset_as_mot_where_the_file_browser_says() {
    let dataset = demo_copy("gui_export_mot");
    let mut h = harness(vec![dataset.clone()]);
    wait_for_first_frame(&mut h);
    h.get_by_label("Export…").click();
    h.run_steps(2);
    h.get_by_label("mot").click();
    h.run_steps(3);
    // The browser offers a name beside the dataset; Enter takes it.
    dialog_field(&h, "demo.vidence-mot").focus();
    h.step();
    h.key_press(Key::Enter);
    step_until(&mut h, "the export's report", |app| app.report().is_some());
    let (title, lines) = h.state().report().unwrap();
    assert_eq!(title, "Exported", "{lines:?}");
    let out = dataset.with_file_name("demo.vidence-mot");
    let inputs = vidence::convert::read_inputs(&[out]).unwrap();
    let again = annotate::formats::import(annotate::formats::Format::Mot, &inputs, &[]).unwrap();
    assert_eq!(again.dataset.tracks.len(), h.state().dataset().unwrap().tracks.len());
}
