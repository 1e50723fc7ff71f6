//! Reloading and replacing libraries (the module loader's "sensitive
//! imports"): every slot bound to a library is re-pointed at a new version,
//! atomically per slot, and entry addresses already handed to C follow.
//!
//! Order: the new version is opened (from a private copy of the file, so a
//! file rewritten in place is really loaded again — `dlopen` caches by path
//! and by inode; the copy is unlinked as soon as it is loaded, so nothing is
//! left on disk whatever happens to the process) and every symbol bound to the old version is resolved in
//! it; only if all are found are the slots swapped. A failed reload leaves
//! every binding as it was and says which symbols were missing.
//!
//! **Contract for old code.** A replaced version stays mapped: a thread may
//! still be executing it, or hold a bind-once snapshot (`f::snapshot()`).
//! [`retire_old_versions`] unmaps replaced versions; call it only when no thread can be running their code and no snapshot of
//! them will be called again.

use super::addr_hash::AddrMap;
use super::{lock, Source, Supplier};
use crate::decl::Decl;
use crate::library::{Library, LibraryError, OpenFlags};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// One opened version of a library file: a private copy, loaded.
pub struct Version {
    library: Library,
    copy: Option<PathBuf>,
    origin: String,
    /// Addresses already looked up in this version, by declaration.
    cache: Mutex<AddrMap<usize>>,
}

impl Version {
    pub(crate) fn library(&self) -> &Library {
        &self.library
    }

    fn lookup(&self, decl: &Decl) -> Option<usize> {
        let key = std::ptr::from_ref(decl) as usize;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(a) = cache.get(&key) {
            return Some(*a);
        }
        let a = self.library.symbol(decl.symbol())?.as_ptr() as usize;
        cache.insert(key, a);
        Some(a)
    }
}

impl Drop for Version {
    fn drop(&mut self) {
        if let Some(p) = &self.copy {
            // Only when the unlink right after loading failed. The library
            // is closed when `library` drops after this.
            let _ = std::fs::remove_file(p);
        }
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Version")
            .field("origin", &self.origin)
            .field("copy", &self.copy)
            .finish()
    }
}

/// Why a reload did not happen (every old binding is still in place).
#[derive(Debug)]
#[non_exhaustive]
pub enum ReloadError {
    /// No library of that name has been opened by the table.
    NotLoaded {
        /// The name asked for.
        name: String,
    },
    /// The new file could not be copied for loading.
    Copy {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The new file could not be loaded (not a library, a missing
    /// dependency, a failing constructor...).
    Open(LibraryError),
    /// The new version lacks symbols the program is bound to.
    MissingSymbols {
        /// The library's name.
        library: String,
        /// The new file.
        path: String,
        /// The symbols it lacks.
        missing: Vec<String>,
    },
}

impl fmt::Display for ReloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReloadError::NotLoaded { name } => write!(f, "cannot reload library \"{name}\": it is not loaded"),
            ReloadError::Copy { path, source } => write!(f, "cannot copy {path} for loading: {source}"),
            ReloadError::Open(e) => write!(f, "cannot load the new version: {e}"),
            ReloadError::MissingSymbols { library, path, missing } => write!(
                f,
                "the new version of library \"{library}\" ({path}) lacks {}: {}; nothing was rebound",
                if missing.len() == 1 { "a bound symbol" } else { "bound symbols" },
                missing.join(", ")
            ),
        }
    }
}

impl std::error::Error for ReloadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReloadError::Copy { source, .. } => Some(source),
            ReloadError::Open(e) => Some(e),
            _ => None,
        }
    }
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReloadReport {
    /// The library's name.
    pub library: String,
    /// The file the new version came from.
    pub path: String,
    /// How many slots now point into the new version.
    pub rebound: usize,
    /// The reload epoch after this reload.
    pub epoch: u64,
}

/// Before or after the slots are swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReloadPhase {
    /// The new version is loaded and resolved; nothing swapped yet.
    Before,
    /// Every slot points into the new version.
    After,
}

/// What observers are told.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReloadEvent {
    /// Before or after.
    pub phase: ReloadPhase,
    /// The library's name.
    pub library: String,
    /// The new file.
    pub path: String,
    /// The epoch (after the swap for `After`, before it for `Before`).
    pub epoch: u64,
}

/// Identifies an observer for [`remove_reload_observer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObserverId(u64);

type Observer = Arc<dyn Fn(&ReloadEvent) + Send + Sync>;
static OBSERVERS: RwLock<Vec<(u64, Observer)>> = RwLock::new(Vec::new());
static NEXT_OBSERVER: AtomicU64 = AtomicU64::new(1);
static EPOCH: AtomicU64 = AtomicU64::new(0);
static COPIES: AtomicU64 = AtomicU64::new(0);

/// Calls `f` before and after every reload (e.g. to migrate state).
pub fn add_reload_observer(f: impl Fn(&ReloadEvent) + Send + Sync + 'static) -> ObserverId {
    let id = NEXT_OBSERVER.fetch_add(1, Ordering::Relaxed);
    OBSERVERS
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .push((id, Arc::new(f)));
    ObserverId(id)
}

/// Removes an observer; returns whether it was there.
pub fn remove_reload_observer(id: ObserverId) -> bool {
    let mut g = OBSERVERS.write().unwrap_or_else(|p| p.into_inner());
    let before = g.len();
    g.retain(|(i, _)| *i != id.0);
    g.len() != before
}

fn notify(event: &ReloadEvent) {
    let observers: Vec<Observer> = OBSERVERS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(_, f)| Arc::clone(f))
        .collect();
    for f in observers {
        f(event);
    }
}

/// How many reloads have happened.
pub fn reload_epoch() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// A loaded version of a library, ready to be made current (and made
/// current again later: switching between loaded versions costs only the
/// slot stores).
#[derive(Debug, Clone)]
pub struct LibraryVersion {
    name: String,
    version: Arc<Version>,
    /// The last plan and the table generation it was made for.
    plan: Arc<Mutex<Option<Plan>>>,
}

/// Declarations and the addresses they get in a version.
type Binds = Vec<(&'static Decl, usize)>;

#[derive(Debug)]
struct Plan {
    generation: u64,
    index: u32,
    binds: Binds,
}

impl LibraryVersion {
    /// Loads `path` as a new version of the library the table knows as
    /// `name` (from a private copy of the file).
    pub fn open(name: &str, path: &str) -> Result<LibraryVersion, ReloadError> {
        super::init();
        let n = COPIES.fetch_add(1, Ordering::Relaxed);
        let file = std::path::Path::new(path)
            .file_name()
            .map_or_else(|| "lib.so".into(), |f| f.to_string_lossy().into_owned());
        let copy =
            std::env::temp_dir().join(format!("alien-reload-{}-{n}-{file}", std::process::id()));
        std::fs::copy(path, &copy).map_err(|source| ReloadError::Copy {
            path: path.to_owned(),
            source,
        })?;
        let copy_str = copy.to_string_lossy().into_owned();
        let opened = Library::open_path(&copy_str, OpenFlags::NOW | OpenFlags::LOCAL);
        // Loaded or not, the copy goes now: the loader's mapping survives the
        // unlink, and nothing is left on disk even if the process is killed.
        let removed = std::fs::remove_file(&copy).is_ok();
        let library = opened.map_err(ReloadError::Open)?;
        let version = Version {
            library,
            copy: (!removed).then_some(copy),
            origin: path.to_owned(),
            cache: Mutex::new(AddrMap::default()),
        };
        Ok(LibraryVersion {
            name: name.to_owned(),
            version: Arc::new(version),
            plan: Arc::new(Mutex::new(None)),
        })
    }

    /// The file this version was loaded from.
    pub fn path(&self) -> &str {
        &self.version.origin
    }

    /// Makes this version current: resolves every declaration bound to the
    /// library in it, then swaps their slots. On failure nothing changes.
    pub fn activate(&self) -> Result<ReloadReport, ReloadError> {
        let event = |phase, epoch| ReloadEvent {
            phase,
            library: self.name.clone(),
            path: self.version.origin.clone(),
            epoch,
        };
        // Observers hear `Before` only once the new version is known to
        // resolve everything; then the slots are swapped.
        let observed = !OBSERVERS
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        if observed {
            self.plan()?;
            notify(&event(ReloadPhase::Before, reload_epoch()));
        }
        let report = {
            let mut t = lock();
            let mut cached = self.plan.lock().unwrap_or_else(|p| p.into_inner());
            if cached.as_ref().is_none_or(|p| p.generation != t.generation) {
                let (index, binds) = self.plan_locked(&mut t)?;
                *cached = Some(Plan {
                    generation: t.generation,
                    index,
                    binds,
                });
            }
            let Some(plan) = cached.as_ref() else {
                return Err(ReloadError::NotLoaded {
                    name: self.name.clone(),
                });
            };
            let (index, plan) = (plan.index, &plan.binds);
            for (decl, addr) in plan {
                t.bind(decl, *addr, index);
            }
            let old = std::mem::replace(
                &mut t.suppliers[index as usize].source,
                Source::Version(Arc::clone(&self.version)),
            );
            if let Source::Version(v) = old {
                if !Arc::ptr_eq(&v, &self.version) {
                    t.retired.push(v);
                }
            } else if let Source::Owned(l) = old {
                // The first version was opened without a copy; keep it loaded too.
                let origin = l.path().to_owned();
                t.retired.push(Arc::new(Version {
                    library: l,
                    copy: None,
                    origin,
                    cache: Mutex::new(AddrMap::default()),
                }));
            }
            t.retired.retain(|v| !Arc::ptr_eq(v, &self.version));
            let epoch = EPOCH.fetch_add(1, Ordering::AcqRel) + 1;
            let rebound = plan.len();
            drop(cached);
            ReloadReport {
                library: self.name.clone(),
                path: self.version.origin.clone(),
                rebound,
                epoch,
            }
        };
        notify(&event(ReloadPhase::After, report.epoch));
        Ok(report)
    }

    fn plan(&self) -> Result<(), ReloadError> {
        let mut t = lock();
        self.plan_locked(&mut t).map(|_| ())
    }

    fn plan_locked(&self, t: &mut super::Table) -> Result<(u32, Binds), ReloadError> {
        let index = t
            .suppliers
            .iter()
            .enumerate()
            .skip(2)
            .rev()
            .find(|(_, s)| s.name == self.name)
            .map(|(i, _)| i as u32)
            .ok_or_else(|| ReloadError::NotLoaded {
                name: self.name.clone(),
            })?;
        let mut plan = Vec::new();
        let mut missing = Vec::new();
        for decl in t.all_decls() {
            if decl.supplier.load(Ordering::Relaxed) != index {
                continue;
            }
            match self.version.lookup(decl) {
                Some(a) => plan.push((decl, a)),
                None => missing.push(decl.symbol_str().into_owned()),
            }
        }
        if !missing.is_empty() {
            return Err(ReloadError::MissingSymbols {
                library: self.name.clone(),
                path: self.version.origin.clone(),
                missing,
            });
        }
        Ok((index, plan))
    }
}

fn current_origin(name: &str) -> Result<String, ReloadError> {
    let t = lock();
    let s: Option<&Supplier> = t.suppliers.iter().skip(2).rev().find(|s| s.name == name);
    match s.map(|s| &s.source) {
        Some(Source::Version(v)) => Ok(v.origin.clone()),
        Some(src) => Ok(src.library().path().to_owned()),
        None => Err(ReloadError::NotLoaded {
            name: name.to_owned(),
        }),
    }
}

/// Reloads library `name` from its file on disk (e.g. a plugin rebuilt
/// while the program runs).
pub fn reload_library(name: &str) -> Result<ReloadReport, ReloadError> {
    super::init();
    let path = current_origin(name)?;
    LibraryVersion::open(name, &path)?.activate()
}

/// Replaces library `name` with the library at `path`.
pub fn replace_library(name: &str, path: &str) -> Result<ReloadReport, ReloadError> {
    current_origin(name)?;
    LibraryVersion::open(name, path)?.activate()
}

/// Unloads every replaced version the table still keeps (and deletes its
/// private copy). Returns how many were released. See the module docs for
/// when this is safe.
pub fn retire_old_versions() -> usize {
    let retired = std::mem::take(&mut lock().retired);
    retired.len()
}
