//! Helpers shared by the handle registry's test files.
#![allow(dead_code)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs a registry's `reclaim` until everything is released: other tests of
/// the same binary may hold read sections, for a bounded time only. False
/// after 10 s.
pub fn reclaimed(reclaim: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while !reclaim() {
        if start.elapsed() > Duration::from_secs(10) {
            return false;
        }
    }
    true
}

/// Runs `f` on a thread; fails if it takes longer than `limit` (a hang
/// guard, not a speed check) and passes its panic on.
pub fn within(limit: Duration, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let t = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
        panic!("did not finish within {limit:?}");
    }
    if let Err(p) = t.join() {
        std::panic::resume_unwind(p)
    }
}
