//! Panics inside callbacks: caught in the handler, never unwound through C,
//! and resumed in the Rust code that made the enclosing foreign call.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU8, Ordering};

thread_local! {
    static PENDING: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Whether `PENDING` holds a panic: a plain flag (no destructor, so no
    /// registration check on access) for the wrappers' hot path.
    static HAS_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// What happens to a panic in a callback that no Rust caller will receive:
/// one raised on a thread C created, or while no declared function (other
/// than a `no_callbacks` one) is being called on this thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrphanPanicPolicy {
    /// Print the panic's message and abort the process (the default: a
    /// failure that cannot be reported is not silently ignored).
    Abort,
    /// Print the message and return the callback's panic value to C.
    LogAndReturn,
}

static POLICY: AtomicU8 = AtomicU8::new(0);

/// Sets the policy for orphan callback panics, returning the previous one.
pub fn set_orphan_panic_policy(policy: OrphanPanicPolicy) -> OrphanPanicPolicy {
    let v = match policy {
        OrphanPanicPolicy::Abort => 0,
        OrphanPanicPolicy::LogAndReturn => 1,
    };
    match POLICY.swap(v, Ordering::AcqRel) {
        1 => OrphanPanicPolicy::LogAndReturn,
        _ => OrphanPanicPolicy::Abort,
    }
}

fn message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        return (*s).to_owned();
    }
    if let Some(s) = p.downcast_ref::<String>() {
        return s.clone();
    }
    "a panic with a non-string payload".to_owned()
}

/// Records a panic caught in a callback: kept for the enclosing foreign call
/// to resume (the first one wins), or handled by the orphan policy.
pub(crate) fn caught(p: Box<dyn Any + Send>) {
    if DEPTH.with(Cell::get) == 0 {
        let text = message(&*p);
        match POLICY.load(Ordering::Acquire) {
            1 => eprintln!("alien: a callback panicked with no Rust caller to receive it ({text}); returning its panic value to C"),
            _ => {
                eprintln!(
                    "alien: a callback panicked with no Rust caller to receive it ({text}); aborting \
                     (see alien::set_orphan_panic_policy)"
                );
                std::process::abort()
            }
        }
        return;
    }
    PENDING.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Some(p);
        }
    });
    HAS_PENDING.with(|f| f.set(true));
}

/// Resumes the panic a callback left for this thread's outermost foreign
/// call (out of line: the wrappers' hot path only tests the flag).
#[cold]
#[inline(never)]
fn resume_pending() {
    HAS_PENDING.with(|f| f.set(false));
    if let Some(p) = PENDING.with(|s| s.borrow_mut().take()) {
        std::panic::resume_unwind(p);
    }
}

/// A foreign call in progress on this thread (made by every declared wrapper
/// not marked `no_callbacks`).
#[derive(Debug)]
pub struct ForeignCall {
    _private: (),
}

impl ForeignCall {
    /// Marks the start of a foreign call.
    #[inline]
    pub fn enter() -> ForeignCall {
        DEPTH.with(|d| d.set(d.get() + 1));
        ForeignCall { _private: () }
    }

    /// Marks its end, resuming a panic a callback raised during it.
    #[inline]
    pub fn leave(self) {
        drop(self);
        if HAS_PENDING.with(Cell::get) && DEPTH.with(Cell::get) == 0 {
            resume_pending();
        }
    }
}

impl Drop for ForeignCall {
    #[inline]
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Runs `f` as one foreign call: a panic raised by a callback while `f`
/// runs is resumed here when `f` returns, as a declared function's wrapper
/// resumes it after its call. For calls that have no wrapper: functions of
/// a bare block (`#![alien(bare)]`) and C function pointers called
/// directly, which otherwise leave such a panic to the
/// [orphan policy](set_orphan_panic_policy).
///
/// ```no_run
/// use alien::Callback;
/// use std::ffi::c_int;
///
/// alien::define_c_function! {
///     #![library("fixture")]
///     #![alien(bare)]
///     pub unsafe fn call_int_fn(f: unsafe extern "C" fn(c_int, c_int) -> c_int, a: c_int, b: c_int) -> c_int;
/// }
///
/// let cb = Callback::new(|a: c_int, b: c_int| -> c_int { if b == 0 { panic!("no") } a / b });
/// let r = std::panic::catch_unwind(|| alien::forwarding_panics(|| unsafe { call_int_fn(cb.as_fn(), 1, 0) }));
/// assert!(r.is_err());
/// ```
pub fn forwarding_panics<R>(f: impl FnOnce() -> R) -> R {
    let call = ForeignCall::enter();
    let r = f();
    call.leave();
    r
}
