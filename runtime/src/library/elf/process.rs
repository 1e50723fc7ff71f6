//! What the process's loader setup allows the index to do, read once:
//! `ALIEN_LOOKUP=dlsym`, auditing (`LD_AUDIT`, `DT_AUDIT`, `DT_DEPAUDIT`)
//! and `LD_DYNAMIC_WEAK`.

use super::tables::{Dyn, Layout, LinkMapHead, DT_AUDIT, DT_DEPAUDIT, DT_NULL};
use std::sync::OnceLock;

/// What the process's loader setup allows, read once.
pub(super) struct Process {
    /// The fast path is on: not turned off, and no auditing.
    pub(super) enabled: bool,
    /// Weak definitions are final (no `LD_DYNAMIC_WEAK`).
    pub(super) weak_final: bool,
}

/// The environment switch that turns the index off.
const SWITCH: &str = "ALIEN_LOOKUP";

/// The process's loader setup, read on first use.
pub(super) fn process() -> &'static Process {
    static PROCESS: OnceLock<Process> = OnceLock::new();
    PROCESS.get_or_init(|| {
        let off = std::env::var_os(SWITCH).is_some_and(|v| v.eq_ignore_ascii_case("dlsym"));
        let env = LoaderEnv::read();
        Process {
            enabled: !off && !env.audit && !program_is_audited(),
            weak_final: !env.dynamic_weak,
        }
    })
}

/// The loader variables this module cares about, as the loader saw them.
struct LoaderEnv {
    audit: bool,
    dynamic_weak: bool,
}

impl LoaderEnv {
    /// From the environment the process started with (`/proc/self/environ`:
    /// what the loader read, even if the program changed its environment
    /// since). Without it, the current environment, unless the process is
    /// secure-execution (the loader then removes these variables after
    /// reading them): then assume the worst.
    fn read() -> LoaderEnv {
        let has = |env: &[u8], name: &str| {
            env.split(|&b| b == 0).any(|e| {
                e.strip_prefix(name.as_bytes())
                    .is_some_and(|r| r.first() == Some(&b'='))
            })
        };
        if let Ok(env) = std::fs::read("/proc/self/environ") {
            return LoaderEnv {
                audit: has(&env, "LD_AUDIT"),
                dynamic_weak: has(&env, "LD_DYNAMIC_WEAK"),
            };
        }
        // SAFETY: getauxval has no preconditions.
        if unsafe { libc::getauxval(libc::AT_SECURE) } != 0 {
            return LoaderEnv {
                audit: true,
                dynamic_weak: true,
            };
        }
        LoaderEnv {
            audit: std::env::var_os("LD_AUDIT").is_some(),
            dynamic_weak: std::env::var_os("LD_DYNAMIC_WEAK").is_some(),
        }
    }
}

/// Whether the program's dynamic section names audit modules (`DT_AUDIT`,
/// `DT_DEPAUDIT`, honoured by glibc since 2.32). Unreadable counts as audited.
fn program_is_audited() -> bool {
    let Some(map) = crate::library::handle::link_map(crate::library::Library::global().handle())
    else {
        return true;
    };
    // SAFETY: the program's link_map, which lives as long as the process.
    let head = unsafe { &*map.as_ptr().cast::<LinkMapHead>() };
    let Some(layout) = Layout::of(head.l_addr, head.l_ld as usize) else {
        return true;
    };
    let Some(entries) = layout.words::<Dyn>(layout.dynamic, layout.dynamic_len) else {
        return true;
    };
    for i in 0..layout.dynamic_len {
        // SAFETY: `words` checked `dynamic_len` entries.
        match unsafe { (*entries.add(i)).d_tag } {
            DT_NULL => return false,
            DT_AUDIT | DT_DEPAUDIT => return true,
            _ => {}
        }
    }
    false
}
