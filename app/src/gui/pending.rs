//! One-shot background work: a named thread that computes one value, looked at once a
//! frame without waiting.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

pub struct Pending<T> {
    result: Receiver<T>,
    what: &'static str,
}

impl<T: Send + 'static> Pending<T> {
    /// Run `work` on a thread named `name`; `what` names the work in an error.
    /// `wake` is asked to repaint when the value is ready.
    pub fn spawn(
        name: &str,
        what: &'static str,
        wake: Option<egui::Context>,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Self, String> {
        let (send, result) = channel();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = send.send(work());
                if let Some(ctx) = wake {
                    ctx.request_repaint();
                }
            })
            .map_err(|e| format!("cannot start {what}: {e}"))?;
        Ok(Self { result, what })
    }

    /// The value once it is ready (the slot is emptied), or an error when the thread
    /// ended without one; `None` while it works.
    pub fn take(slot: &mut Option<Self>) -> Option<Result<T, String>> {
        let pending = slot.as_ref()?;
        let got = match pending.result.try_recv() {
            Ok(value) => Ok(value),
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err(format!("{} stopped without an answer", pending.what)),
        };
        *slot = None;
        Some(got)
    }
}
