//! Startup binding (SBCL's `foreign-reinit`): walk the registry once and
//! write every slot.

use super::{lock, Table};
use crate::decl::{Decl, SymbolKind};
use std::sync::Once;

/// How slots are filled at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BindMode {
    /// Every symbol is looked up at startup (the default; like `LD_BIND_NOW`).
    Eager,
    /// Code slots start on their lazy stubs and are resolved at first call;
    /// variables at first access. Selected with `ALIEN_BIND=lazy`.
    Lazy,
}

pub(crate) fn mode_from_env() -> BindMode {
    match std::env::var_os("ALIEN_BIND") {
        Some(v) if v.eq_ignore_ascii_case("lazy") => BindMode::Lazy,
        _ => BindMode::Eager,
    }
}

/// The binding mode in force (from `ALIEN_BIND` at startup).
pub fn bind_mode() -> BindMode {
    init();
    lock().mode
}

static INIT: Once = Once::new();

/// Binds the table if startup has not done it yet. Startup runs it from an
/// `.init_array` constructor before `main` (and before constructors of lower
/// priority); calling it again does nothing.
pub fn init() {
    INIT.call_once(|| {
        let mut t = lock();
        let decls: Vec<&'static Decl> = crate::__private::registered().collect();
        bind_decls(&mut t, &decls);
    });
}

/// What a binding pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BindReport {
    /// Declarations whose slot now holds the symbol's address.
    pub bound: usize,
    /// Declarations left on lazy stubs (missing, or lazy mode).
    pub waiting: usize,
}

fn bind_decls(t: &mut Table, decls: &[&'static Decl]) -> BindReport {
    let mut report = BindReport::default();
    let lazy = t.mode == BindMode::Lazy;
    if lazy {
        // Every code declaration waits on its stubs: make them in two
        // contiguous runs. A failure is left to `wait`, which records it.
        let _ = t.make_stubs(decls);
    }
    for &decl in decls {
        // The fast path: a declaration of the block whose library was opened
        // last (the same `LibrarySpec`, by address, as `lookup` records it)
        // goes straight to `dlsym` on that library. A miss takes the full
        // lookup below.
        if let (false, Some(spec), Some((key, index))) = (lazy, decl.library(), t.last_spec) {
            if std::ptr::from_ref(spec) as usize == key {
                let found = t.suppliers[index as usize]
                    .source
                    .library()
                    .symbol(decl.symbol());
                if let Some(p) = found {
                    t.bind(decl, p.as_ptr() as usize, index);
                    report.bound += 1;
                    continue;
                }
            }
        }
        let found = if lazy {
            Err(Vec::new())
        } else {
            t.lookup(decl, false)
        };
        match found {
            Ok((addr, supplier)) => {
                t.bind(decl, addr, supplier);
                report.bound += 1;
            }
            Err(_) => {
                if lazy && decl.kind() == SymbolKind::Data {
                    // Variables resolve on first access; their slot stays null.
                    report.waiting += 1;
                    continue;
                }
                if let Err(e) = t.wait(decl) {
                    // The slot keeps its pre-startup target, which reports this.
                    t.init_error.get_or_insert_with(|| e.to_string());
                }
                report.waiting += 1;
            }
        }
    }
    report
}

/// Looks every declared symbol up again and rewrites its slot (SBCL's
/// `foreign-reinit`): what startup does, on demand. Symbols still missing
/// stay on (or go back to) their lazy stubs.
pub fn rebind_all() -> BindReport {
    init();
    let mut t = lock();
    let decls: Vec<&'static Decl> = t.all_decls().collect();
    let mode = t.mode;
    t.mode = BindMode::Eager;
    let report = bind_decls(&mut t, &decls);
    t.mode = mode;
    report
}

extern "C" fn startup() {
    // A constructor must not unwind; `init` does not panic on any
    // user-causable failure, and an internal bug is reported, not propagated.
    if std::panic::catch_unwind(init).is_err() {
        eprintln!("alien: internal error during startup binding");
    }
}

/// Runs `startup` before `main` (priority 101: the first user priority, so
/// constructors of other crates find the table bound).
#[used]
#[link_section = ".init_array.00101"]
static STARTUP: extern "C" fn() = startup;
