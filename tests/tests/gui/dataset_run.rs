//! "Run on dataset…" in the Model tab: every question of the open dataset asked of
//! this machine's model or of servers, each answer added to the dataset as it arrives,
//! paused and resumed, stopped and run again to ask only the rest.

use std::time::{Duration, Instant};

use egui_kittest::kittest::{NodeT as _, Queryable};

use super::model::{endless_model, load_on_cpu, open, press, type_into};
use super::openai::{self, Reply};
use super::step_until;

/// Steps for `seconds`, returning the longest frame.
fn step_for(h: &mut super::Harness<'static, vidence::gui::VidenceApp>, seconds: f64) -> f64 {
    let (started, mut longest) = (Instant::now(), 0f64);
    while started.elapsed().as_secs_f64() < seconds {
        let frame = Instant::now();
        h.step();
        longest = longest.max(frame.elapsed().as_secs_f64());
        std::thread::sleep(Duration::from_millis(10));
    }
    longest
}

/// Two frames a job, as few as a question takes: the frames are not what is tested.
fn few_frames(h: &mut super::Harness<'static, vidence::gui::VidenceApp>) {
    h.get_by_label("Frames/s").set_value_accesskit(0.5);
    h.get_by_label("at most").set_value_accesskit(2.0);
    h.run_steps(2);
}

fn runs_named(app: &vidence::gui::VidenceApp, name: &str) -> Vec<annotate::ModelRun> {
    app.dataset().expect("a dataset is open").runs.iter().filter(|r| r.model.name == name).cloned().collect()
}

#[test]
fn this_machines_model_answers_every_question_each_added_as_it_comes_and_a_pause_holds() {
    let (mut h, path) = open("gui_dataset_run_local");
    let questions: Vec<String> =
        h.state().dataset().unwrap().questions.iter().map(|q| q.id.clone()).collect();
    let spec = endless_model().to_str().unwrap().to_owned();
    load_on_cpu(&mut h, &spec);
    assert!(h.state().model_state().starts_with("Ready"), "{}", h.state().model_state());
    h.get_by_label("Max tokens").set_value_accesskit(4.0);
    few_frames(&mut h);
    press(&mut h, "Run on dataset…");
    press(&mut h, "Run on dataset");
    assert!(h.state().dataset_run().is_some(), "{:?}", h.state().notices());
    // Paused at once: the job in flight ends, and no other starts.
    press(&mut h, "Pause");
    let at_pause = h.state().dataset_run().map_or(0, |(_, ended)| ended);
    step_for(&mut h, 3.0);
    let (todo, held) = h.state().dataset_run().unwrap();
    assert_eq!(todo, questions.len());
    assert!(held <= at_pause + 1 && held < todo, "{held} of {todo} ended while paused (from {at_pause})");
    h.get_by_label_contains("(paused)");
    assert!(h.get_by_label("Load").accesskit_node().is_disabled(), "the model stays while the run has it");

    press(&mut h, "Resume");
    let (mut counts, mut longest) = (Vec::new(), 0f64);
    while h.state().dataset_run().is_some() {
        longest = longest.max(step_for(&mut h, 0.05));
        counts.push(runs_named(h.state(), &spec).len());
        assert!(counts.len() < 4000, "the run never ended");
    }
    println!("{} UI frames during the run, the longest {:.1} ms", counts.len(), longest * 1e3);
    counts.dedup();
    assert!(counts.len() >= 3, "answers arrived one by one, not at the end: {counts:?}");
    let runs = runs_named(h.state(), &spec);
    let mut answered: Vec<String> = runs.iter().map(|r| r.call.as_ref().unwrap().job.clone()).collect();
    answered.sort();
    let mut expected = questions.clone();
    expected.sort();
    assert_eq!(answered, expected, "every question answered once");
    assert!(runs.iter().all(|r| r.model.backend == annotate::Backend::Local && r.tokens.len() <= 4));
    let notices = h.state().notices().join("\n");
    assert!(notices.contains(&format!("{} answered now", questions.len())), "{notices}");
    let store = annotate::batch::store_path(&path, &spec, None);
    assert_eq!(annotate::batch::read(&store).unwrap().lines.len(), questions.len());
}

#[test]
fn servers_answer_the_dataset_a_stopped_run_keeps_its_answers_and_the_next_asks_only_the_rest() {
    let serve = || {
        openai::serve(|body| {
            let problems = openai::vllm_problems(body);
            if !problems.is_empty() {
                return Reply::status(400, &format!("{problems:?}"));
            }
            let text = r#"{"answer": "A"}"#;
            Reply { delay: Duration::from_millis(300), ..Reply::ok(openai::completion(body, text)) }
        })
    };
    let (a, b) = (serve(), serve());
    let (mut h, path) = open("gui_dataset_run_servers");
    let total = h.state().dataset().unwrap().questions.len();
    few_frames(&mut h);
    press(&mut h, "Run on dataset…");
    press(&mut h, "Servers");
    type_into(&mut h, "Endpoints", &format!("{} {}", a.address, b.address));
    type_into(&mut h, "Served model", "served-m");
    type_into(&mut h, "Run name", "srv");
    h.get_by_label("Requests at once").set_value_accesskit(1.0);
    h.run_steps(2);
    press(&mut h, "Run on dataset");
    step_until(&mut h, "two answers", |app| app.dataset_run().is_some_and(|(_, ended)| ended >= 2));
    press(&mut h, "Stop run");
    step_until(&mut h, "the run to stop", |app| app.dataset_run().is_none());
    let kept = runs_named(h.state(), "srv").len();
    assert!((2..total).contains(&kept), "{kept} of {total} kept when stopped");
    let notices = h.state().notices().join("\n");
    assert!(notices.contains("not asked (stopped)"), "{notices}");

    // A line of the store that does not read is told, and left as it is.
    let store = annotate::batch::store_path(&path, "srv", None);
    let mut text = std::fs::read_to_string(&store).unwrap();
    text.push_str("{not a line of a store}\n");
    std::fs::write(&store, text).unwrap();
    press(&mut h, "Run on dataset");
    step_until(&mut h, "the second run", |app| app.dataset_run().is_none());
    let runs = runs_named(h.state(), "srv");
    assert_eq!(runs.len(), total, "each question answered once");
    assert!(runs.iter().all(|r| r.model.backend == annotate::Backend::Server));
    let notices = h.state().notices().join("\n");
    assert!(notices.contains(&format!("{} answered now, {kept} answered before", total - kept)), "{notices}");
    assert!(notices.contains("does not read is kept as it is"), "{notices}");
    assert!(std::fs::read_to_string(&store).unwrap().contains("{not a line of a store}"));
    let (on_a, on_b) = (a.requests(), b.requests());
    assert!(!on_a.is_empty() && !on_b.is_empty(), "both servers were asked");
    assert_eq!(on_a.len() + on_b.len(), total, "no question was asked twice");
    assert!(on_a.iter().chain(&on_b).all(|r| r["model"] == "served-m"));
}
