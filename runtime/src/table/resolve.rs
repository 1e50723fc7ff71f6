//! Resolution at call time: the function the resolver routine calls, the
//! failure hook, and raising *undefined alien function* at the Rust caller.

use super::{lock, SUPPLIER_HOOK};
use crate::decl::{Decl, SymbolKind, STATE_BOUND};
use crate::error::UndefinedSymbol;
use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};

/// A hook asked before *undefined alien function* is raised. It receives what
/// was tried and may return a substitute address, which is bound in the
/// symbol's slot (so later calls go straight to it) and called.
pub type FailureHook = Arc<dyn Fn(&UndefinedSymbol) -> Option<usize> + Send + Sync>;

static HOOK: RwLock<Option<FailureHook>> = RwLock::new(None);

/// Installs the failure hook (Windows delay-load's `__pfnDliFailureHook2`),
/// returning the previous one. The hook runs on the calling thread, outside
/// the table's lock; it may call into alien.
pub fn set_failure_hook<F>(hook: F) -> Option<FailureHook>
where
    F: Fn(&UndefinedSymbol) -> Option<usize> + Send + Sync + 'static,
{
    let mut g = HOOK.write().unwrap_or_else(|p| p.into_inner());
    g.replace(Arc::new(hook))
}

/// Puts back a hook returned by [`set_failure_hook`] or
/// [`take_failure_hook`] (or removes it with `None`), returning the current one.
pub fn restore_failure_hook(hook: Option<FailureHook>) -> Option<FailureHook> {
    let mut g = HOOK.write().unwrap_or_else(|p| p.into_inner());
    std::mem::replace(&mut *g, hook)
}

/// Removes the failure hook, returning it.
pub fn take_failure_hook() -> Option<FailureHook> {
    HOOK.write().unwrap_or_else(|p| p.into_inner()).take()
}

fn hook() -> Option<FailureHook> {
    HOOK.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Resolves `decl` now: the table, then the failure hook. Binds on success.
pub(crate) fn resolve(decl: &'static Decl) -> Result<usize, UndefinedSymbol> {
    let attempts = {
        let mut t = lock();
        if decl.state.load(Ordering::Acquire) == STATE_BOUND {
            return Ok(decl.slot() as usize);
        }
        match t.lookup(decl, true) {
            Ok((addr, supplier)) => {
                t.bind(decl, addr, supplier);
                return Ok(addr);
            }
            Err(attempts) => attempts,
        }
    };
    let mut err = UndefinedSymbol {
        symbol: decl.symbol_str().into_owned(),
        library: decl.library().map(|l| l.name.to_owned()),
        kind: decl.kind(),
        attempts,
    };
    if let Some(h) = hook() {
        match h(&err) {
            Some(addr) if addr != 0 => {
                lock().bind(decl, addr, SUPPLIER_HOOK);
                return Ok(addr);
            }
            _ => err
                .attempts
                .push("the failure hook: no substitute".to_owned()),
        }
    }
    Err(err)
}

/// What the resolver hands to the Rust caller instead of a target.
enum Raise {
    Undefined(UndefinedSymbol),
    /// The failure hook (user code) panicked: its panic goes on at the caller.
    Hook(Box<dyn std::any::Any + Send>),
}

thread_local! {
    static PENDING: RefCell<Option<Raise>> = const { RefCell::new(None) };
}

/// Entered (by a tail jump from the resolver routine, with the caller's
/// frame intact) instead of an unresolved function: raises the error as a
/// panic at the Rust caller, which the declared wrapper lets unwind
/// (`extern "C-unwind"`).
extern "C-unwind" fn raise_undefined() -> ! {
    let err = PENDING.with(|p| p.borrow_mut().take());
    match err {
        Some(Raise::Undefined(e)) => panic!("{e}"),
        Some(Raise::Hook(p)) => std::panic::resume_unwind(p),
        None => panic!("undefined alien function (no details recorded)"),
    }
}

/// What the resolver routine calls: `tag` is the declaration's address, with
/// bit 0 set when the call came through the C-callable entry. Returns the
/// address to jump to. Never unwinds.
extern "C" fn resolve_from_stub(tag: usize) -> usize {
    let from_c = tag & 1 != 0;
    // SAFETY: tags are made by `Table::wait` from `&'static Decl` addresses.
    let decl: &'static Decl = unsafe { &*((tag & !1) as *const Decl) };
    // Resolution opens libraries, which sets errno; the function about to be
    // called must see the caller's errno (an `#[alien(errno)]` wrapper has
    // just cleared it).
    let saved_errno = crate::Errno::last();
    let outcome = std::panic::catch_unwind(|| resolve(decl));
    // SAFETY: this thread's errno slot.
    unsafe { *libc::__errno_location() = saved_errno.0 };
    match outcome {
        Ok(Ok(addr)) if from_c => {
            // The entry jumps through `entry_slot`, which may differ from `slot` (interposition).
            let e = decl.entry_slot.load(Ordering::Acquire) as usize;
            if e != 0 {
                e
            } else {
                addr
            }
        }
        Ok(Ok(addr)) => addr,
        Ok(Err(e)) if from_c => {
            eprintln!(
                "alien: {e}\nalien: the call came from C through the function's entry address, where no Rust \
                 frame can catch the error; aborting"
            );
            std::process::abort()
        }
        Ok(Err(e)) => {
            PENDING.with(|p| *p.borrow_mut() = Some(Raise::Undefined(e)));
            raise_undefined as *const () as usize
        }
        Err(p) if !from_c => {
            // The failure hook panicked: go on panicking at the Rust caller.
            PENDING.with(|slot| *slot.borrow_mut() = Some(Raise::Hook(p)));
            raise_undefined as *const () as usize
        }
        Err(_) => {
            eprintln!(
                "alien: the failure hook panicked while resolving `{}` for a call from C through its entry \
                 address, where no Rust frame can catch it; aborting",
                decl.symbol_str()
            );
            std::process::abort()
        }
    }
}

pub(crate) fn resolver_fn() -> usize {
    resolve_from_stub as *const () as usize
}

/// Resolves a variable's address for an access, or the error.
pub(crate) fn data_address(decl: &'static Decl) -> Result<usize, UndefinedSymbol> {
    debug_assert_eq!(decl.kind(), SymbolKind::Data);
    super::init();
    let p = decl.slot() as usize;
    if p != 0 {
        return Ok(p);
    }
    resolve(decl)
}
