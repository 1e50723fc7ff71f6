//! The measured code of P9 (handle lookup) and P11 (interposed calls),
//! shared by `benches/handles.rs`, `benches/relink.rs` (timed) and
//! `src/bin/regcount.rs` (instructions counted with callgrind), so both
//! measure the same source. The loops are `#[no_mangle]` (`reg_p9_*`) so
//! `objdump -d` finds them by name.
//!
//! P9: every loop looks up `n` objects of a registry of [`OBJECTS`] live
//! ones, cycling through them from `start`, reads a field of each and drops
//! what the lookup gave (what a callback does with its user data): the
//! borrowing lookups (`get`, a `Ref` guard: no reference count touched) and
//! the `Arc`-returning ones (`lookup`). The peers hold the same objects: a
//! `Vec<Arc<Obj>>` indexed and cloned (the floor of an `Arc` lookup: one
//! reference-count increment and decrement), a
//! `Mutex<HashMap<u64, Arc<Obj>>>` keyed by handle value (what a user would
//! otherwise write) and a `RwLock<Vec<Option<Arc<Obj>>>>` (a locked slab);
//! `ref` (the `Vec` indexed and borrowed, no count touched) is the floor of
//! a borrowing lookup.

#![allow(dead_code)]

use alien::handles::{Handle, HandleRegistry, Handles, RefKind};
use std::collections::HashMap;
use std::ffi::c_int;
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};

/// Live objects in each registry.
pub const OBJECTS: usize = 1_000;

/// What the P9 registries hold.
#[derive(Debug)]
pub struct Obj {
    /// Read by every lookup loop.
    pub value: u64,
}

/// One registry of each kind, with the same [`OBJECTS`] objects.
pub struct P9 {
    /// `HandleRegistry<Obj>` and its handles.
    pub typed: HandleRegistry<Obj>,
    pub typed_handles: Vec<Handle>,
    /// `Handles` (any type, checked at lookup) and its handles.
    pub any: Handles,
    pub any_handles: Vec<Handle>,
    /// The floor: the objects themselves.
    pub arcs: Vec<Arc<Obj>>,
    /// Weak references to them (the floor of a lookup that must not
    /// resurrect a dead object: `Weak::upgrade`).
    pub weaks: Vec<Weak<Obj>>,
    /// A user's registry: a locked map from handle values.
    pub map: Mutex<HashMap<u64, Arc<Obj>>>,
    pub keys: Vec<u64>,
    /// A locked slab and its indices.
    pub slab: RwLock<Vec<Option<Arc<Obj>>>>,
    pub indices: Vec<usize>,
}

impl P9 {
    /// The registries, with the objects registered strongly (the registries
    /// own them; `arcs` keeps one more reference).
    pub fn new() -> P9 {
        let arcs: Vec<Arc<Obj>> = (0..OBJECTS as u64)
            .map(|value| Arc::new(Obj { value }))
            .collect();
        let typed = HandleRegistry::new();
        let any = Handles::new();
        let typed_handles = arcs
            .iter()
            .map(|a| typed.register(Arc::clone(a), RefKind::Strong))
            .collect();
        let any_handles: Vec<Handle> = arcs
            .iter()
            .map(|a| any.register(Arc::clone(a), RefKind::Strong))
            .collect();
        let keys: Vec<u64> = any_handles.iter().map(|h| h.to_u64()).collect();
        let map = keys.iter().copied().zip(arcs.iter().cloned()).collect();
        let slab = arcs.iter().cloned().map(Some).collect();
        P9 {
            weaks: arcs.iter().map(Arc::downgrade).collect(),
            typed,
            typed_handles,
            any,
            any_handles,
            arcs,
            map: Mutex::new(map),
            keys,
            slab: RwLock::new(slab),
            indices: (0..OBJECTS).collect(),
        }
    }
}

impl Default for P9 {
    fn default() -> Self {
        P9::new()
    }
}

/// The loops' shared shape: `n` lookups of the items of `items` in turn,
/// from `start`, summing the objects' values (a missing object counts
/// `u64::MAX`, so a broken lookup shows in the result).
macro_rules! lookup_loop {
    ($(#[$doc:meta])* $name:ident, |$p:ident, $item:ident: &$t:ty| $items:expr => $lookup:expr) => {
        $(#[$doc])*
        #[no_mangle]
        #[inline(never)]
        pub fn $name($p: &P9, start: usize, n: u64) -> u64 {
            let items: &[$t] = $items;
            let mut j = start % items.len();
            let mut acc = 0u64;
            for _ in 0..n {
                let $item = &items[j];
                acc = acc.wrapping_add($lookup.map_or(u64::MAX, |o| o.value));
                j += 1;
                if j == items.len() {
                    j = 0;
                }
            }
            acc
        }
    };
}

lookup_loop!(
    /// `HandleRegistry<Obj>::get` (a borrowing `Ref`).
    reg_p9_get_typed, |p, h: &Handle| &p.typed_handles => p.typed.get(*h)
);
lookup_loop!(
    /// `Handles::get::<Obj>` (a borrowing `Ref`).
    reg_p9_get_any, |p, h: &Handle| &p.any_handles => p.any.get::<Obj>(*h)
);
lookup_loop!(
    /// `&Vec<Arc<Obj>>[i]`: the floor of a borrowing lookup.
    reg_p9_ref, |p, a: &Arc<Obj>| &p.arcs => Some(a)
);
lookup_loop!(
    /// `HandleRegistry<Obj>::lookup` (an `Arc`).
    reg_p9_typed, |p, h: &Handle| &p.typed_handles => p.typed.lookup(*h)
);
lookup_loop!(
    /// `Handles::lookup::<Obj>` (an `Arc`).
    reg_p9_any, |p, h: &Handle| &p.any_handles => p.any.lookup::<Obj>(*h)
);
lookup_loop!(
    /// `Arc::clone` from a `Vec<Arc<Obj>>` (the floor).
    reg_p9_arc, |p, a: &Arc<Obj>| &p.arcs => Some(Arc::clone(a))
);
lookup_loop!(
    /// `Weak::upgrade` from a `Vec<Weak<Obj>>`.
    reg_p9_weak, |p, w: &Weak<Obj>| &p.weaks => w.upgrade()
);
lookup_loop!(
    /// `Mutex<HashMap<u64, Arc<Obj>>>`: lock, find, clone.
    reg_p9_mutex, |p, k: &u64| &p.keys => p
        .map
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(k)
        .cloned()
);
lookup_loop!(
    /// `RwLock<Vec<Option<Arc<Obj>>>>`: read-lock, index, clone.
    reg_p9_rwlock, |p, i: &usize| &p.indices => p
        .slab
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(*i)
        .and_then(Option::clone)
);

/// The P9 loop named `name` (`get_typed`, `get_any`, `ref`, `typed`, `any`,
/// `arc`, `weak`, `mutex`, `rwlock`).
pub fn p9_loop(name: &str) -> Option<fn(&P9, usize, u64) -> u64> {
    Some(match name {
        "get_typed" => reg_p9_get_typed,
        "get_any" => reg_p9_get_any,
        "ref" => reg_p9_ref,
        "typed" => reg_p9_typed,
        "any" => reg_p9_any,
        "arc" => reg_p9_arc,
        "weak" => reg_p9_weak,
        "mutex" => reg_p9_mutex,
        "rwlock" => reg_p9_rwlock,
        _ => return None,
    })
}

/// P11's replacement for `int add2(int, int)`: the same sum, in Rust.
pub extern "C" fn add2_rust(a: c_int, b: c_int) -> c_int {
    a.wrapping_add(b)
}

/// P11's closure replacement (through a callback thunk).
pub fn add2_closure() -> impl Fn(c_int, c_int) -> c_int + Send + Sync + 'static {
    |a: c_int, b: c_int| a.wrapping_add(b)
}
