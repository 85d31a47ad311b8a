//! The Model tab's "Run on dataset…": which questions, this machine's model or
//! servers (with their concurrency), the run's name; while it goes, its progress with
//! pause, resume and stop.

use annotate::dialect::Grounding;

use super::asker::{Asker, ModelState};
use super::dataset_run::{DatasetForm, DatasetRun};

pub enum BatchAction {
    /// Start the form's run over the dataset.
    Start,
    Pause(bool),
    Stop,
}

pub fn show(
    ui: &mut egui::Ui,
    form: &mut DatasetForm,
    asker: &Asker,
    run: Option<&DatasetRun>,
) -> Option<BatchAction> {
    let mut action = None;
    egui::CollapsingHeader::new("Run on dataset…").show(ui, |ui| match run {
        Some(run) => progress(ui, run, &mut action),
        None => settings(ui, form, asker, &mut action),
    });
    action
}

fn progress(ui: &mut egui::Ui, run: &DatasetRun, action: &mut Option<BatchAction>) {
    let (todo, ended) = run.progress();
    let state = if run.is_stopping() {
        " (stopping after the jobs in flight)"
    } else if run.is_paused() {
        " (paused)"
    } else {
        ""
    };
    ui.label(format!("{}{state}", run.name));
    let text = format!("{ended}/{todo} jobs, {} failed", run.failed);
    ui.add(egui::ProgressBar::new(ended as f32 / todo.max(1) as f32).text(text));
    if run.skipped > 0 {
        ui.label(format!("{} answered before", run.skipped));
    }
    ui.horizontal(|ui| {
        let stopping = run.is_stopping();
        let (label, paused) = if run.is_paused() { ("Resume", false) } else { ("Pause", true) };
        if ui.add_enabled(!stopping, egui::Button::new(label)).clicked() {
            *action = Some(BatchAction::Pause(paused));
        }
        let stop = ui.add_enabled(!stopping, egui::Button::new("Stop run")).on_hover_text(
            "Take no new job; those in flight finish and are kept. Running it again asks the rest.",
        );
        if stop.clicked() {
            *action = Some(BatchAction::Stop);
        }
    });
}

fn settings(ui: &mut egui::Ui, form: &mut DatasetForm, asker: &Asker, action: &mut Option<BatchAction>) {
    ui.label("Every question of the dataset, each as its kind asks (frames as set above).");
    ui.checkbox(&mut form.unanswered_only, "Only questions no run answers yet");
    let ready = matches!(asker.state, ModelState::Ready(_));
    ui.horizontal(|ui| {
        ui.radio_value(&mut form.on_server, false, "This machine's model");
        ui.radio_value(&mut form.on_server, true, "Servers");
    });
    if form.on_server {
        let field = |ui: &mut egui::Ui, name: &str, text: &mut String, hint: &str| {
            let label = ui.label(name);
            ui.add(egui::TextEdit::singleline(text).hint_text(hint)).labelled_by(label.id);
        };
        field(ui, "Endpoints", &mut form.endpoints, "http://host:8000 (several: apart by spaces)");
        field(ui, "Served model", &mut form.served_model, "the model as the servers name it");
        field(
            ui,
            "API key variable",
            &mut form.api_key_env,
            "an environment variable (the key never leaves it)",
        );
        egui::ComboBox::from_label("Coordinates").selected_text(form.grounding.name()).show_ui(ui, |ui| {
            for g in Grounding::ALL {
                ui.selectable_value(&mut form.grounding, g, g.name());
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Requests at once");
            ui.add(egui::DragValue::new(&mut form.concurrency).range(1..=512)).labelled_by(label.id);
            ui.label("a server");
        });
    } else if !ready {
        ui.label("Load a model above, or choose servers.");
    }
    let label = ui.label("Run name");
    ui.add(egui::TextEdit::singleline(&mut form.run).hint_text("the model's name")).labelled_by(label.id);
    let can = if form.on_server {
        !form.endpoints.trim().is_empty() && !form.served_model.trim().is_empty()
    } else {
        ready && !asker.is_busy()
    };
    if ui.add_enabled(can, egui::Button::new("Run on dataset")).clicked() {
        *action = Some(BatchAction::Start);
    }
}
