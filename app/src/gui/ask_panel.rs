//! The Model tab: which model, what to ask about which part of the clip and how to
//! sample it (with the prompt's token count before it runs), run and cancel, the
//! answer streaming in token by token, tinted by probability, and the video's earlier
//! runs. A model's output from elsewhere can be pasted and read as a run.

use annotate::overlay::{printable, short};
use annotate::{ModelRun, RunToken};
use egui::{Color32, RichText};

use super::asker::{Asker, LoadStep, ModelForm, ModelState};
use super::batch_panel::BatchAction;
use super::dataset_run::DatasetRun;
use super::session::ShownRun;
use crate::ask::estimate_tokens;
use annotate::{Sampling, TaskKind};

pub enum AskAction {
    Load,
    Run,
    Cancel,
    ReadPasted,
    /// Show this run's evidence (or none).
    Show(Option<String>),
    DeleteRun(String),
    /// Run on dataset…: start, pause or stop.
    Dataset(BatchAction),
}

/// What the panel needs to know of the video on screen.
pub struct Clip {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub duration_s: f64,
    /// The I and O marks, in seconds.
    pub marks: (Option<f64>, Option<f64>),
}

pub fn show(
    ui: &mut egui::Ui,
    form: &mut ModelForm,
    asker: &Asker,
    clip: &Clip,
    runs: &[&ModelRun],
    shown_run: Option<&ShownRun>,
    dataset_run: Option<&DatasetRun>,
) -> Option<AskAction> {
    let shown = shown_run.map(|s| s.id.as_str());
    let mut action = None;
    // A run over the dataset on this machine's model has it until it ends.
    let lent = dataset_run.is_some_and(|r| r.local);
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        model_row(ui, form, asker, lent, &mut action);
        ui.separator();
        request_form(ui, form, asker, clip);
        let busy = asker.live.is_some() || lent;
        let ready = matches!(asker.state, ModelState::Ready(_));
        ui.horizontal(|ui| {
            if ui.add_enabled(ready && !busy, egui::Button::new("Run")).clicked() {
                action = Some(AskAction::Run);
            }
            if ui.add_enabled(asker.live.is_some(), egui::Button::new("Cancel")).clicked() {
                action = Some(AskAction::Cancel);
            }
        });
        if let Some(live) = &asker.live {
            let status = if live.cancelling {
                "Cancelling…".to_owned()
            } else if live.is_preparing() {
                "Sampling frames…".to_owned()
            } else {
                format!("Generating: {} tokens", live.tokens.len())
            };
            ui.label(status);
            tokens(ui, &live.tokens);
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        }
        ui.separator();
        let dataset = super::batch_panel::show(ui, &mut form.dataset, asker, dataset_run);
        if let Some(a) = dataset {
            action = Some(AskAction::Dataset(a));
        }
        ui.separator();
        ui.strong("Runs on this video");
        if runs.is_empty() {
            ui.label("None yet.");
        }
        // Only the rows in view are laid out: a benchmark's runs can number thousands.
        let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
        let list =
            egui::ScrollArea::vertical().id_salt("runs").max_height(row * 8.0).auto_shrink([false, true]);
        list.show_rows(ui, row, runs.len(), |ui, rows| {
            for run in &runs[rows] {
                ui.horizontal(|ui| {
                    let text = format!(
                        "{} · {} · {}",
                        run.id,
                        run.settings.task.name(),
                        short(&run.settings.prompt, 24)
                    );
                    if ui
                        .selectable_label(shown == Some(run.id.as_str()), text)
                        .on_hover_text(&run.model.name)
                        .clicked()
                    {
                        let same = shown == Some(run.id.as_str());
                        action = Some(AskAction::Show((!same).then(|| run.id.clone())));
                    }
                    if ui
                        .small_button("Delete")
                        .on_hover_text("Delete this run (undo brings it back)")
                        .clicked()
                    {
                        action = Some(AskAction::DeleteRun(run.id.clone()));
                    }
                });
            }
        });
        if let Some(run) = shown.and_then(|id| runs.iter().find(|r| r.id == id))
            && !run.tokens.is_empty()
        {
            ui.label(format!("{}: the answer, tinted by probability", run.id));
            match shown_run.and_then(|s| s.tokens.as_ref()) {
                Some(Ok(list)) => tokens(ui, list),
                Some(Err(e)) => {
                    ui.colored_label(Color32::LIGHT_RED, format!("Cannot read its tokens: {e}"));
                }
                None => {
                    ui.label("Reading its tokens…");
                }
            }
        }
        ui.separator();
        egui::CollapsingHeader::new("Paste a model's output").show(ui, |ui| {
            let label = ui.label("Model output");
            ui.add(
                egui::TextEdit::multiline(&mut form.pasted)
                    .desired_rows(4)
                    .hint_text("Qwen JSON, Open-o3 tags or plain text with times"),
            )
            .labelled_by(label.id);
            if ui
                .add_enabled(!form.pasted.trim().is_empty(), egui::Button::new("Read output"))
                .on_hover_text("Read it as a run with the settings above (boxes on the 0-1000 grid)")
                .clicked()
            {
                action = Some(AskAction::ReadPasted);
            }
        });
    });
    action
}

fn model_row(
    ui: &mut egui::Ui,
    form: &mut ModelForm,
    asker: &Asker,
    lent: bool,
    action: &mut Option<AskAction>,
) {
    let label = ui.label("Checkpoint");
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut form.spec)
                .desired_width(ui.available_width() - 60.0)
                .hint_text("folder or hub id"),
        )
        .labelled_by(label.id)
        .on_hover_text("A Qwen3-VL checkpoint folder, or a hub id (downloaded into the Hugging Face cache if it is not there)");
        if ui.add_enabled(!asker.is_busy() && !lent, egui::Button::new("Load")).clicked() {
            *action = Some(AskAction::Load);
        }
    });
    egui::ComboBox::from_label("Device").selected_text(device_title(form.device)).show_ui(ui, |ui| {
        for d in model::device::DeviceChoice::MENU {
            ui.selectable_value(&mut form.device, d, device_title(d));
        }
    });
    match &asker.state {
        ModelState::None => ui.label("No model loaded."),
        ModelState::Loading(_, LoadStep::Downloading(d)) => {
            ui.label(format!("Downloading {}", short(&d.file, 30)));
            ui.add(egui::ProgressBar::new(d.done as f32 / d.total.max(1) as f32).text(d.sizes()))
        }
        ModelState::Loading(spec, LoadStep::Reading(fraction)) => ui.add(
            egui::ProgressBar::new(*fraction).text(format!("Loading {}", short(spec, 24))).show_percentage(),
        ),
        ModelState::Ready(spec) => {
            let on = asker.running_on.as_deref().unwrap_or("cpu");
            ui.label(format!("Ready: {} on {on}", short(spec, 30)))
        }
        // An old failure goes once another model is named.
        ModelState::Failed(spec, e) if spec.trim() == form.spec.trim() => {
            ui.colored_label(Color32::LIGHT_RED, e)
        }
        ModelState::Failed(..) => ui.label("No model loaded."),
    };
    if !asker.recent.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label("Recent:");
            for spec in asker.recent.clone() {
                if ui.small_button(short(&spec, 20)).on_hover_text(&spec).clicked() {
                    form.spec = spec;
                }
            }
        });
    }
}

fn device_title(device: model::device::DeviceChoice) -> &'static str {
    use model::device::DeviceChoice;
    match device {
        DeviceChoice::Auto => "Auto (a GPU if there is one)",
        DeviceChoice::Cpu => "CPU",
        DeviceChoice::Cuda(_) => "CUDA",
        DeviceChoice::Metal => "Metal",
    }
}

fn request_form(ui: &mut egui::Ui, form: &mut ModelForm, asker: &Asker, clip: &Clip) {
    let r = &mut form.request;
    egui::ComboBox::from_label("Task").selected_text(task_title(r.task)).show_ui(ui, |ui| {
        for t in TaskKind::ALL {
            ui.selectable_value(&mut r.task, t, task_title(t));
        }
    });
    let hint = match r.task {
        TaskKind::Answer => "the question",
        TaskKind::Track => "the object to follow",
        TaskKind::When => "the event",
        TaskKind::Region => "(the selected box is asked about)",
        TaskKind::Captions => "(no prompt needed)",
    };
    let label = ui.label("Prompt");
    ui.add(egui::TextEdit::multiline(&mut r.prompt).desired_rows(2).hint_text(hint)).labelled_by(label.id);
    // Unset, the clip is the timeline selection (the I-O marks), else the whole video.
    let selection = match clip.marks {
        (Some(i), Some(o)) => (i.min(o), i.max(o)),
        _ => (0.0, clip.duration_s),
    };
    let mut from = r.from_s.unwrap_or(selection.0);
    let mut to = r.to_s.unwrap_or(selection.1);
    ui.horizontal(|ui| {
        ui.label("From");
        let a = ui.add(egui::DragValue::new(&mut from).range(0.0..=clip.duration_s).speed(0.1).suffix(" s"));
        ui.label("to");
        let b = ui.add(egui::DragValue::new(&mut to).range(0.0..=clip.duration_s).speed(0.1).suffix(" s"));
        if a.changed() || b.changed() {
            (r.from_s, r.to_s) = (Some(from.min(to)), Some(to.max(from)));
        }
    });
    ui.horizontal(|ui| {
        if ui
            .small_button("Selection")
            .on_hover_text("Follow the I-O marks (the whole video without them)")
            .clicked()
        {
            (r.from_s, r.to_s) = (None, None);
        }
        if ui.small_button("Whole video").clicked() {
            (r.from_s, r.to_s) = (Some(0.0), Some(clip.duration_s));
        }
        if r.from_s.is_none() && r.to_s.is_none() {
            ui.label("(selection)");
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Frames/s");
        ui.add(egui::DragValue::new(&mut r.fps).range(0.1..=30.0).speed(0.1)).labelled_by(label.id);
        let label = ui.label("at most");
        ui.add(egui::DragValue::new(&mut r.max_frames).range(2..=768)).labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("Sampling").selected_text(sampling_title(r.sampling)).show_ui(ui, |ui| {
            for s in Sampling::ALL {
                ui.selectable_value(&mut r.sampling, s, sampling_title(s));
            }
        });
    });
    ui.horizontal(|ui| {
        let label = ui.label("Max tokens");
        ui.add(egui::DragValue::new(&mut r.max_tokens).range(1..=8192)).labelled_by(label.id);
    });
    let span_s = (to - from).max(0.0);
    let frames = r.frame_count(((span_s * clip.fps).round() as u64).max(1), clip.fps);
    let text = r.task(clip.width, clip.height, from).map(|t| t.prompt()).unwrap_or_default();
    // A grid is one picture.
    let pictures = if r.sampling == Sampling::Grid { 1 } else { frames };
    let cost = estimate_tokens(&asker.processor, &text, pictures, clip.width, clip.height);
    ui.label(format!("{frames} frames, about {cost} prompt tokens"))
        .on_hover_text("Exact for the frames, estimated for the text");
}

/// The answer's tokens, tinted from red (unlikely) to plain (likely); hovering one
/// shows the likeliest tokens at its place.
fn tokens(ui: &mut egui::Ui, tokens: &[RunToken]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for t in tokens {
            let p = t.logprob.exp();
            let color = tint(p);
            for (i, piece) in t.text.split('\n').enumerate() {
                if i > 0 {
                    ui.end_row();
                }
                if piece.is_empty() {
                    continue;
                }
                let response = ui.label(RichText::new(printable(piece)).monospace().color(color));
                response.on_hover_ui(|ui| {
                    ui.label(format!("p = {p:.3}"));
                    for alt in &t.top {
                        ui.monospace(format!("{:>6.3}  {:?}", alt.logprob.exp(), printable(&alt.text)));
                    }
                });
            }
        }
    });
}

/// Red at probability 0, the text colour at 1.
pub fn tint(p: f32) -> Color32 {
    let p = p.clamp(0.0, 1.0);
    let lerp = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * p) as u8;
    Color32::from_rgb(lerp(255, 220), lerp(70, 220), lerp(70, 220))
}

fn task_title(t: TaskKind) -> &'static str {
    match t {
        TaskKind::Answer => "Answer a question",
        TaskKind::Track => "Locate an object over time",
        TaskKind::When => "When does it happen",
        TaskKind::Region => "Describe the selected box",
        TaskKind::Captions => "Dense captions",
    }
}

fn sampling_title(s: Sampling) -> &'static str {
    match s {
        Sampling::Uniform => "uniform",
        Sampling::Scene => "scene changes",
        Sampling::Grid => "image grid",
    }
}
