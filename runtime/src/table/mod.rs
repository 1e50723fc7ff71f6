//! The linkage table: every declared symbol, its slot, and where its address
//! came from (SBCL's linkage table and `*LINKAGE-INFO*`).
//!
//! * **Startup** walks the link-time registry once and writes every slot
//!   (eager binding, like a loader with `BIND_NOW`); `ALIEN_BIND=lazy` in the
//!   environment leaves code slots on their lazy stubs until first call.
//! * A symbol that is not found is not an error at startup: its slot points to
//!   a lazy stub and it joins the waiting list.
//! * A call through a lazy stub enters the resolver, which tries again, then
//!   asks the failure hook, then raises *undefined alien function* at the Rust
//!   caller.
//! * [`load_library`] resolves the waiting entries the new library supplies.

mod addr_hash;
mod interpose;
mod lookup;
mod relink;
mod resolve;
mod startup;
mod stubs;

use crate::code::memory::CodeBlock;
use crate::decl::{Decl, STATE_BOUND, STATE_WAITING};
use crate::error::Error;
use crate::library::{Library, LibraryError};
use addr_hash::AddrMap;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, MutexGuard, OnceLock};

pub use interpose::{interpose, interpose_keeping, original, Interposition};
pub use lookup::{probe, ProbedSymbol};
pub use relink::{
    add_reload_observer, reload_epoch, reload_library, remove_reload_observer, replace_library,
    retire_old_versions, LibraryVersion, ObserverId, ReloadError, ReloadEvent, ReloadPhase,
    ReloadReport,
};
pub(crate) use resolve::{data_address, resolve};
pub use resolve::{restore_failure_hook, set_failure_hook, take_failure_hook, FailureHook};
pub use startup::{bind_mode, init, rebind_all, BindMode, BindReport};
pub(crate) use stubs::StubFactory;

/// Supplier index meaning "a substitute from the failure hook".
pub(crate) const SUPPLIER_HOOK: u32 = u32::MAX;

/// Where addresses come from: an opened library or the global scope.
pub(crate) enum Source {
    Global,
    Owned(Library),
    /// A version opened for a reload (a private copy of the file).
    Version(std::sync::Arc<relink::Version>),
}

impl Source {
    pub(crate) fn library(&self) -> &Library {
        match self {
            Source::Global => Library::global(),
            Source::Owned(l) => l,
            Source::Version(v) => v.library(),
        }
    }
}

/// One library the table has opened (or the global scope).
pub(crate) struct Supplier {
    /// The name declarations use for it (`"z"`).
    pub(crate) name: String,
    pub(crate) source: Source,
    /// Loaded with [`load_library`] after startup: searched for waiting
    /// declarations that name it or no library at all.
    pub(crate) late: bool,
}

/// Per-declaration code the table owns.
#[derive(Default)]
pub(crate) struct Record {
    /// The lazy stub Rust calls reach (reports by panicking at the caller).
    pub(crate) rust_stub: Option<CodeBlock>,
    /// The lazy stub C calls through the entry reach (reports and aborts).
    pub(crate) c_stub: Option<CodeBlock>,
    /// The C-callable entry.
    pub(crate) entry: Option<CodeBlock>,
}

pub(crate) struct Table {
    /// Index 0 is unused (0 means "no supplier"), index 1 is the global scope.
    pub(crate) suppliers: Vec<Supplier>,
    /// Library names declarations asked for: the supplier, or why it failed.
    pub(crate) opened: Vec<(&'static str, Result<u32, LibraryError>)>,
    /// The last library spec (by address) that `opened` maps to a supplier.
    pub(crate) last_spec: Option<(usize, u32)>,
    /// Declarations put on lazy stubs, oldest first. Binding does not touch
    /// this list (it is on the first-call path, where a map removal costs a
    /// cache miss): an entry whose declaration is no longer waiting is
    /// skipped and dropped by [`Table::waiting_decls`] or a compaction.
    pub(crate) waiting: Vec<&'static Decl>,
    /// `waiting.len()` at which `wait` compacts the list next.
    pub(crate) compact_at: usize,
    pub(crate) records: AddrMap<Record>,
    pub(crate) dynamic: HashMap<(String, Option<String>), &'static Decl>,
    pub(crate) stubs: Option<StubFactory>,
    pub(crate) mode: BindMode,
    /// Bumped whenever a declaration's supplier changes or a declaration is
    /// added (so a reload plan can be reused while it stays the same).
    pub(crate) generation: u64,
    /// Versions replaced by a reload, kept loaded until retired.
    pub(crate) retired: Vec<std::sync::Arc<relink::Version>>,
    /// Active interpositions per declaration (address → (id, replacement)), oldest first.
    pub(crate) interpositions: HashMap<usize, Vec<(u64, usize)>>,
    pub(crate) init_error: Option<String>,
}

static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();

/// The table, locked. Poisoning is ignored: every update leaves the table
/// consistent before anything that can panic runs.
pub(crate) fn lock() -> MutexGuard<'static, Table> {
    let m = TABLE.get_or_init(|| Mutex::new(Table::new()));
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Table {
    fn new() -> Table {
        Table {
            suppliers: vec![
                Supplier {
                    name: String::new(),
                    source: Source::Global,
                    late: false,
                },
                Supplier {
                    name: "<global scope>".to_owned(),
                    source: Source::Global,
                    late: false,
                },
            ],
            opened: Vec::new(),
            last_spec: None,
            waiting: Vec::new(),
            compact_at: 1024,
            records: AddrMap::default(),
            dynamic: HashMap::new(),
            stubs: None,
            mode: startup::mode_from_env(),
            generation: 0,
            retired: Vec::new(),
            interpositions: HashMap::new(),
            init_error: None,
        }
    }

    fn stub_factory(&mut self) -> Result<&StubFactory, Error> {
        if self.stubs.is_none() {
            self.stubs = Some(StubFactory::new(resolve::resolver_fn())?);
        }
        match &self.stubs {
            Some(s) => Ok(s),
            None => unreachable_stubs(),
        }
    }

    /// Writes the slots of `decl` with `addr` from `supplier`.
    pub(crate) fn bind(&mut self, decl: &'static Decl, addr: usize, supplier: u32) {
        if decl.interposed.load(Ordering::Acquire) > 0 {
            // The replacement stays in the slots; the binding goes underneath.
            decl.underlying.store(addr as *mut (), Ordering::Release);
        } else {
            decl.store_slots(addr as *const (), addr as *const ());
        }
        // Only the table (under its lock) writes `supplier` and `state`, so
        // plain loads and stores suffice: no locked read-modify-write on the
        // binding path.
        if decl.supplier.load(Ordering::Relaxed) != supplier {
            decl.supplier.store(supplier, Ordering::Relaxed);
            self.generation += 1;
        }
        let was = decl.state.load(Ordering::Relaxed);
        if was != STATE_BOUND {
            decl.state.store(STATE_BOUND, Ordering::Release);
        }
    }

    /// Makes the lazy stubs of the code declarations among `decls` that have
    /// none: every Rust-side stub first, then every C-side one, so each side
    /// is one contiguous run in declaration order. Rust calls only ever
    /// reach Rust-side stubs: first calls of neighbouring declarations then
    /// share cache lines and pages, where interleaved stubs would give each
    /// first call a line of its own.
    pub(crate) fn make_stubs(&mut self, decls: &[&'static Decl]) -> Result<(), Error> {
        let needed: Vec<&'static Decl> = decls
            .iter()
            .copied()
            .filter(|d| d.kind() == crate::decl::SymbolKind::Code)
            .filter(|d| {
                let key = std::ptr::from_ref(*d) as usize;
                self.records.get(&key).is_none_or(|r| r.rust_stub.is_none())
            })
            .collect();
        if needed.is_empty() {
            return Ok(());
        }
        let factory = self.stub_factory()?;
        let full = |d: &Decl| d.flags() & crate::decl::FLAG_UNKNOWN_SIGNATURE != 0;
        let mut rust = Vec::with_capacity(needed.len());
        for &d in &needed {
            rust.push(factory.stub(std::ptr::from_ref(d) as usize, full(d))?);
        }
        let mut c = Vec::with_capacity(needed.len());
        for &d in &needed {
            c.push(factory.stub(std::ptr::from_ref(d) as usize | 1, full(d))?);
        }
        for ((d, rust), c) in needed.into_iter().zip(rust).zip(c) {
            let rec = self
                .records
                .entry(std::ptr::from_ref(d) as usize)
                .or_default();
            rec.rust_stub = Some(rust);
            rec.c_stub = Some(c);
        }
        Ok(())
    }

    /// Points `decl`'s slots at its lazy stubs (code) or null (data) and puts
    /// it on the waiting list.
    pub(crate) fn wait(&mut self, decl: &'static Decl) -> Result<(), Error> {
        if decl.kind() == crate::decl::SymbolKind::Code {
            let key = std::ptr::from_ref(decl) as usize;
            let have = self
                .records
                .get(&key)
                .is_some_and(|r| r.rust_stub.is_some());
            if !have {
                let full = decl.flags() & crate::decl::FLAG_UNKNOWN_SIGNATURE != 0;
                let factory = self.stub_factory()?;
                let rust = factory.stub(key, full)?;
                let c = factory.stub(key | 1, full)?;
                let rec = self.records.entry(key).or_default();
                rec.rust_stub = Some(rust);
                rec.c_stub = Some(c);
            }
            let rec = self.records.get(&key);
            let rust = rec
                .and_then(|r| r.rust_stub.as_ref())
                .map_or(0, CodeBlock::addr);
            let c = rec
                .and_then(|r| r.c_stub.as_ref())
                .map_or(0, CodeBlock::addr);
            if decl.interposed.load(Ordering::Acquire) > 0 {
                // As in `bind`: the replacement stays in the slots and the
                // stub goes underneath (the guard's drop restores the C
                // entry's own stub for an unresolved declaration).
                decl.underlying.store(rust as *mut (), Ordering::Release);
            } else {
                decl.store_slots(rust as *const (), c as *const ());
            }
        } else {
            decl.store_slots(std::ptr::null(), std::ptr::null());
        }
        if decl.supplier.swap(0, Ordering::Relaxed) != 0 {
            self.generation += 1;
        }
        if decl.state.swap(STATE_WAITING, Ordering::AcqRel) != STATE_WAITING {
            if self.waiting.len() >= self.compact_at {
                self.compact_waiting();
                self.compact_at = (2 * self.waiting.len()).max(1024);
            }
            self.waiting.push(decl);
        }
        Ok(())
    }

    /// Drops the entries of declarations no longer waiting, and duplicates
    /// (a declaration that waited, was bound and waits again).
    fn compact_waiting(&mut self) {
        self.waiting
            .retain(|d| d.state.load(Ordering::Relaxed) == STATE_WAITING);
        let mut seen = AddrMap::<()>::default();
        self.waiting
            .retain(|d| seen.insert(std::ptr::from_ref(*d) as usize, ()).is_none());
    }

    /// The declarations waiting now (compacting the list).
    pub(crate) fn waiting_decls(&mut self) -> Vec<&'static Decl> {
        self.compact_waiting();
        self.waiting.clone()
    }

    /// The C-callable entry of `decl`, made on first request.
    pub(crate) fn entry(&mut self, decl: &'static Decl) -> Result<usize, Error> {
        let key = std::ptr::from_ref(decl) as usize;
        if let Some(e) = self.records.get(&key).and_then(|r| r.entry.as_ref()) {
            return Ok(e.addr());
        }
        let block = stubs::entry(decl.entry_slot_addr())?;
        let addr = block.addr();
        self.records.entry(key).or_default().entry = Some(block);
        Ok(addr)
    }

    /// Every declaration: the registry's, then those made at run time.
    pub(crate) fn all_decls(&self) -> impl Iterator<Item = &'static Decl> + '_ {
        crate::__private::registered().chain(self.dynamic.values().copied())
    }
}

#[cold]
fn unreachable_stubs() -> Result<&'static StubFactory, Error> {
    Err(Error::CodeMemory(std::io::Error::other(
        "lazy stub factory missing after creation",
    )))
}

/// The C-callable entry address of a declaration, made on first request (the
/// address never changes and follows every later rebinding).
pub fn try_entry(decl: &'static Decl) -> Result<usize, Error> {
    init();
    lock().entry(decl)
}

/// Loads a library after startup and resolves every waiting declaration it
/// supplies (those that name it, and those that name no library).
///
/// `name` is a library name (`"z"`, searched like a declaration's), a file
/// name (`"libfoo.so.2"`) or a path; the name declarations must use is the
/// file name without `lib` and `.so…` (`/tmp/libplugin.so` → `"plugin"`).
pub fn load_library(name: &str) -> Result<LoadedLibrary, Error> {
    init();
    let library = Library::open(name, &[])?;
    let decl_name = library_name_of(name);
    let mut t = lock();
    let index = t.suppliers.len() as u32;
    let path = library.path().to_owned();
    t.suppliers.push(Supplier {
        name: decl_name.clone(),
        source: Source::Owned(library),
        late: true,
    });
    // A declaration whose library failed to open under this name is now served by it.
    for (n, r) in t.opened.iter_mut() {
        if *n == decl_name && r.is_err() {
            *r = Ok(index);
        }
    }
    let waiting = t.waiting_decls();
    let mut resolved = 0;
    for decl in waiting {
        if !lookup::serves(&t.suppliers[index as usize], decl) {
            continue;
        }
        let Some(addr) = t.suppliers[index as usize]
            .source
            .library()
            .symbol(decl.symbol())
        else {
            continue;
        };
        // dlsym on a handle also searches the library's dependencies: bind
        // only what the library itself defines, so the table names the
        // right supplier (the rest is found where it lives on first call).
        let own = crate::library::object_containing(addr.as_ptr() as usize)
            .is_some_and(|o| o.path == path);
        if own {
            t.bind(decl, addr.as_ptr() as usize, index);
            resolved += 1;
        }
    }
    Ok(LoadedLibrary {
        name: decl_name,
        path,
        resolved,
    })
}

/// A library loaded with [`load_library`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadedLibrary {
    /// The name declarations use for it.
    pub name: String,
    /// The file the loader opened.
    pub path: String,
    /// How many waiting declarations it resolved.
    pub resolved: usize,
}

/// `"/x/libfoo.so.1"` → `"foo"`, `"z"` → `"z"`.
pub(crate) fn library_name_of(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    let file = file.strip_prefix("lib").unwrap_or(file);
    match file.find(".so") {
        Some(i) => file[..i].to_owned(),
        None => file.to_owned(),
    }
}
