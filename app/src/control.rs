//! A long piece of work stopped or paused from outside (Ctrl+C, the window's buttons):
//! it looks at the flags between its steps, keeps what it finished and takes no new
//! step.

use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Default)]
pub struct Control {
    pub stop: AtomicBool,
    pub pause: AtomicBool,
}

impl Control {
    pub const fn new() -> Self {
        Self { stop: AtomicBool::new(false), pause: AtomicBool::new(false) }
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn paused(&self) -> bool {
        self.pause.load(Ordering::Relaxed)
    }
}

static CONTROL: Control = Control::new();

extern "C" fn on_interrupt(_: libc::c_int) {
    CONTROL.stop.store(true, Ordering::Relaxed);
}

/// From now on Ctrl+C sets the returned control's `stop` instead of killing the
/// process: a command stops at its next step and keeps (or cleans up) what it did.
#[allow(unsafe_code)]
pub fn stop_on_ctrl_c() -> &'static Control {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe { libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t) };
    &CONTROL
}
