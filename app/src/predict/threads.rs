//! How a call's jobs run: frames sampled and decoded in order on
//! `vidence-predict-frames` (a few jobs ahead of the answering threads, no more),
//! answered on `vidence-predict-N` (a few a server, one for this machine's model),
//! a server that stops answering taken out with its jobs handed to the others, and
//! each outcome back to the calling thread, which writes it to the store.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use annotate::batch::{self, Job, Line, Outcome};
use annotate::{Backend as Made, Call, Dataset, LabelRef, ModelRef};
use anyhow::Context as _;
use model::backend::Failure;
use viewer::VideoSource;

use super::{Lane, Progress, Summary};
use crate::ask::{AskRequest, Prepared};
use crate::control::Control;

/// A server out of rotation after this many jobs in a row it did not answer at all.
const DOWN_AFTER: usize = 3;

/// What every job of the call shares.
pub(super) struct Context<'a> {
    pub(super) data: &'a Dataset,
    pub(super) dataset: &'a Path,
    pub(super) name: &'a str,
    pub(super) model: &'a str,
    pub(super) request: AskRequest,
}

/// A job with its frames, ready for a backend.
struct Ready {
    job: Job,
    request: AskRequest,
    prepared: Prepared,
}

/// What comes back of a job.
enum Done {
    Answered { ready: Box<Ready>, answer: Box<model::backend::Answer>, endpoint: Option<String> },
    Failed { job: Job, failure: Failure },
}

/// Ask every job of `todo`, writing each outcome to `store` as it comes.
pub(super) fn work(
    cx: &Context,
    todo: Vec<Job>,
    lanes: Vec<Lane>,
    store: &mut batch::Store,
    summary: &mut Summary,
    control: &Control,
    watch: &mut dyn FnMut(Progress),
) -> anyhow::Result<()> {
    let total = todo.len();
    let threads: usize = lanes.iter().map(|l| l.threads).sum();
    // Outcomes wait for the store a few a thread, no more: when syncing lines is slower
    // than the servers answer, the threads wait instead of memory growing.
    let (done_tx, done_rx) = sync_channel::<Done>(threads * 2);
    // Frames for a few jobs ahead of each thread, no more: memory stays flat.
    let (ready_tx, ready_rx) = sync_channel::<Ready>(threads * 2);
    let shared = Shared {
        ready: Mutex::new(ready_rx),
        requeued: Mutex::new(VecDeque::new()),
        in_flight: AtomicUsize::new(0),
        lanes_up: AtomicUsize::new(lanes.len()),
    };
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (data, dataset) = (cx.data, cx.dataset);
        let request = &cx.request;
        let frames_done = done_tx.clone();
        std::thread::Builder::new().name("vidence-predict-frames".into()).spawn_scoped(scope, move || {
            prepare_all(data, dataset, request, todo, &ready_tx, &frames_done, control);
        })?;
        let mut n = 0;
        for lane in &lanes {
            let down = Arc::new(AtomicUsize::new(0));
            for _ in 0..lane.threads {
                let (shared, done, down) = (&shared, done_tx.clone(), down.clone());
                std::thread::Builder::new()
                    .name(format!("vidence-predict-{n}"))
                    .spawn_scoped(scope, move || answer_all(lane, shared, &done, &down, control))?;
                n += 1;
            }
        }
        drop(done_tx);
        for done in done_rx {
            let line = match done {
                Done::Answered { ready, answer, endpoint } => {
                    summary.answered += 1;
                    answered_line(cx, *ready, *answer, endpoint)
                }
                Done::Failed { job, failure } => {
                    summary.failed += 1;
                    if summary.errors.len() < 5
                        && !summary.errors.iter().any(|e| e.starts_with(&failure.reason))
                    {
                        summary.errors.push(format!("{} (job {})", failure.reason, job.key));
                    }
                    Line {
                        run: cx.name.to_owned(),
                        job: job.key,
                        outcome: Outcome::Failed { reason: failure.reason, attempts: failure.attempts },
                    }
                }
            };
            store.append(&line).with_context(|| format!("cannot write to {}", store.path.display()))?;
            watch(Progress::Ended { summary, line: &line });
        }
        Ok(())
    })?;
    summary.stopped = total - summary.answered - summary.failed;
    Ok(())
}

/// What the answering threads share.
struct Shared {
    ready: Mutex<Receiver<Ready>>,
    /// Jobs a server that stopped answering gave back, for the others.
    requeued: Mutex<VecDeque<Ready>>,
    /// Jobs taken and not yet done or given back: none is left behind while one may
    /// still come back.
    in_flight: AtomicUsize,
    lanes_up: AtomicUsize,
}

impl Shared {
    /// The next job, once there is one and the run is not paused; `None` when every
    /// job is done (or the run stopped).
    fn next(&self, control: &Control) -> Option<Ready> {
        loop {
            while control.paused() && !control.stopped() {
                std::thread::sleep(Duration::from_millis(20));
            }
            if let Some(r) = self.requeued.lock().ok()?.pop_front() {
                self.in_flight.fetch_add(1, Ordering::SeqCst);
                return Some(r);
            }
            let got = self.ready.lock().ok()?.recv_timeout(Duration::from_millis(20));
            match got {
                Ok(r) => {
                    self.in_flight.fetch_add(1, Ordering::SeqCst);
                    return Some(r);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    let empty = self.requeued.lock().ok()?.is_empty();
                    if empty && self.in_flight.load(Ordering::SeqCst) == 0 {
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            if control.stopped() {
                return None;
            }
        }
    }

    fn finished(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Sample and decode each job's frames in order, one video open at a time.
fn prepare_all(
    data: &Dataset,
    dataset: &Path,
    request: &AskRequest,
    todo: Vec<Job>,
    ready: &SyncSender<Ready>,
    done: &SyncSender<Done>,
    control: &Control,
) {
    let folder = dataset.parent().unwrap_or(Path::new("."));
    let mut open: Option<(String, Result<VideoSource, String>)> = None;
    for job in todo {
        if control.stopped() {
            return;
        }
        let request = AskRequest {
            task: job.task,
            prompt: job.prompt.clone(),
            answers: job.question.clone().map(LabelRef::Question),
            ..request.clone()
        };
        let prepared = (|| -> anyhow::Result<Prepared> {
            let video =
                data.videos.iter().find(|v| v.id == job.video).context("the video is not in the dataset")?;
            let path = folder.join(&video.path);
            if crate::ask::read_picture(&path).ok().flatten().is_some() {
                return request.prepare(&path);
            }
            if open.as_ref().is_none_or(|(id, _)| *id != job.video) {
                let source =
                    VideoSource::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()));
                open = Some((job.video.clone(), source));
            }
            match open.as_mut().map(|(_, s)| s) {
                Some(Ok(source)) => request.prepare_on(source),
                Some(Err(e)) => anyhow::bail!("{e}"),
                None => unreachable!("opened above"),
            }
        })();
        let sent = match prepared {
            Ok(prepared) => send_unless_stopped(ready, Ready { job, request, prepared }, control),
            Err(e) => {
                let failure = Failure { reason: format!("{e:#}"), attempts: 0, unreachable: false };
                done.send(Done::Failed { job, failure }).is_ok()
            }
        };
        if !sent {
            return;
        }
    }
}

/// Wait for room to send `r`, unless the run is stopped first.
fn send_unless_stopped(ready: &SyncSender<Ready>, mut r: Ready, control: &Control) -> bool {
    loop {
        match ready.try_send(r) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) if !control.stopped() => {
                r = back;
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(TrySendError::Full(_)) => return false,
        }
    }
}

/// Answer jobs on `lane` until there are none, the run is stopped, or the lane's
/// server stops answering (its job handed to the other servers, if any is up).
fn answer_all(lane: &Lane, shared: &Shared, done: &SyncSender<Done>, down: &AtomicUsize, control: &Control) {
    while !control.stopped() && down.load(Ordering::Relaxed) < DOWN_AFTER {
        let Some(mut ready) = shared.next(control) else { return };
        let outcome = lane.backend.answer(&ready.prepared.job);
        let done_now = match outcome {
            Ok(answer) => {
                down.store(0, Ordering::Relaxed);
                ready.prepared.job.media = model::worker::Media::None;
                Done::Answered {
                    ready: Box::new(ready),
                    answer: Box::new(answer),
                    endpoint: lane.endpoint.clone(),
                }
            }
            Err(failure) if failure.unreachable => {
                let misses = down.fetch_add(1, Ordering::Relaxed) + 1;
                if misses == DOWN_AFTER {
                    eprintln!("{} stopped answering ({}): taken out of rotation", lane.name, failure.reason);
                    shared.lanes_up.fetch_sub(1, Ordering::SeqCst);
                }
                if shared.lanes_up.load(Ordering::SeqCst) > 0
                    && let Ok(mut q) = shared.requeued.lock()
                {
                    q.push_back(ready);
                    drop(q);
                    shared.finished();
                    continue;
                }
                Done::Failed { job: ready.job, failure }
            }
            Err(failure) => Done::Failed { job: ready.job, failure },
        };
        let sent = done.send(done_now);
        shared.finished();
        if sent.is_err() {
            return;
        }
    }
    // The last server to go fails what is left rather than leave it waiting.
    if !control.stopped() && shared.lanes_up.load(Ordering::SeqCst) == 0 {
        while let Some(ready) = shared.next(control) {
            let failure =
                Failure { reason: "every server stopped answering".into(), attempts: 0, unreachable: true };
            let _ = done.send(Done::Failed { job: ready.job, failure });
            shared.finished();
        }
    }
}

/// The store line of an answered job: the run as the dataset will hold it.
fn answered_line(
    cx: &Context,
    ready: Ready,
    answer: model::backend::Answer,
    endpoint: Option<String>,
) -> Line {
    let Ready { job, request, prepared } = ready;
    let mut asked = prepared.asked(&request);
    asked.reading.context.coordinates = answer.coordinates;
    let made = ModelRef {
        backend: if endpoint.is_some() { Made::Server } else { Made::Local },
        name: cx.name.to_owned(),
        revision: None,
        endpoint,
    };
    let id = batch::run_id(cx.name, &job.key);
    let mut run = asked.run(id, job.video.clone(), made, answer.text, answer.prediction);
    run.call = Some(Call {
        job: job.key.clone(),
        model: cx.model.to_owned(),
        latency_s: answer.latency_s,
        attempts: answer.attempts,
        prompt_tokens: answer.prompt_tokens,
        completion_tokens: answer.completion_tokens,
    });
    Line {
        run: cx.name.to_owned(),
        job: job.key,
        outcome: Outcome::Answered { answer: Box::new(run), tokens: answer.tokens },
    }
}
