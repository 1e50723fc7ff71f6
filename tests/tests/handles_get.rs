//! Borrowing lookups (`Handles::get`, `HandleRegistry::get` -> `Ref`): what
//! they find and miss, objects kept alive for guards across unregistering
//! and switching to weak, writers that never hang on a guard (held on their
//! own thread, or leaked), finalizers at the grace period, and many threads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alien::handles::{Finalized, Handle, HandleError, HandleRegistry, Handles, Ref, RefKind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod handles_support;
mod rerun;
use handles_support::{reclaimed, within};

/// Written over a dropped object's value (a guard must never see it).
const POISON: u64 = 0xDEAD_DEAD_DEAD_DEAD;

/// What the tests register: knows its handle, says whether it was dropped,
/// and counts drops.
#[derive(Debug)]
struct Obj {
    value: AtomicU64,
    handle: AtomicUsize,
    alive: AtomicBool,
    drops: Arc<AtomicUsize>,
}

impl Drop for Obj {
    fn drop(&mut self) {
        self.alive.store(false, SeqCst);
        self.value.store(POISON, SeqCst);
        self.handle.store(0, SeqCst);
        self.drops.fetch_add(1, SeqCst);
    }
}

fn obj(value: u64, drops: &Arc<AtomicUsize>) -> Arc<Obj> {
    Arc::new(Obj {
        value: AtomicU64::new(value),
        handle: AtomicUsize::new(0),
        alive: AtomicBool::new(true),
        drops: drops.clone(),
    })
}

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

/// Checks that a guard for `raw` borrows the live object registered under
/// it.
fn check(o: &Obj, raw: usize) {
    assert!(o.alive.load(SeqCst), "a guard borrowed a dropped object");
    assert_ne!(
        o.value.load(SeqCst),
        POISON,
        "a guard read a dropped object"
    );
    assert_eq!(o.handle.load(SeqCst), raw, "another registration's object");
}

#[test]
fn a_guard_borrows_the_object_and_misses_give_none() {
    let (reg, drops) = (Handles::new(), counter());
    let o = obj(42, &drops);
    let h = reg.register(o.clone(), RefKind::Strong);
    o.handle.store(h.into_raw(), SeqCst);
    let r = reg.get::<Obj>(h).expect("registered");
    check(&r, h.into_raw());
    assert_eq!(r.value.load(SeqCst), 42);
    // Borrowed through the registry's reference: no count taken.
    assert!(Ref::is_borrowed(&r));
    assert_eq!(Arc::strong_count(&o), 2);
    // Guards nest, and give `Arc`s on request.
    let again = reg.get::<Obj>(h).expect("registered");
    let kept = Ref::to_arc(&again);
    assert!(Arc::ptr_eq(&kept, &o) && Arc::strong_count(&o) == 3);
    drop(again);
    assert!(format!("{r:?}").starts_with("Obj { value: 42"));
    // Wrong type, never issued, another registry's: nothing.
    assert!(reg.get::<String>(h).is_none());
    let e = reg.try_get::<String>(h).unwrap_err();
    assert!(matches!(e, HandleError::WrongType { found, .. } if found.contains("Obj")));
    let bogus = Handle::from_raw(h.into_raw() + 77).unwrap();
    assert!(reg.get::<Obj>(bogus).is_none());
    let invalid = Err(HandleError::Invalid { handle: bogus });
    assert_eq!(reg.try_get::<Obj>(bogus).map(|_| ()), invalid);
    assert!(Handles::new().get::<Obj>(h).is_none());
    drop(r);
    // Unregistered: stale at once, for `get` and `lookup`.
    reg.unregister(h).unwrap();
    assert!(reg.get::<Obj>(h).is_none() && reg.lookup::<Obj>(h).is_none());
    let stale = Err(HandleError::Stale { handle: h });
    assert_eq!(reg.try_get::<Obj>(h).map(|_| ()), stale);
    drop((o, kept));
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(drops.load(SeqCst), 1);

    // One type: the same, without the type check; a weak registration's
    // guard holds an `Arc` of its own.
    let typed = HandleRegistry::<String>::new();
    let s = typed.register_value("strong".to_owned());
    let text = Arc::new("weak".to_owned());
    let w = typed.register(text.clone(), RefKind::Weak);
    let (rs, rw) = (typed.get(s).unwrap(), typed.get(w).unwrap());
    assert_eq!((rs.as_str(), rw.as_str()), ("strong", "weak"));
    assert_eq!(format!("{rs} {rw}"), "strong weak");
    assert!(Ref::is_borrowed(&rs) && !Ref::is_borrowed(&rw));
    assert_eq!(Arc::strong_count(&text), 2, "the weak guard's own `Arc`");
    let back = Ref::into_arc(rw);
    assert!(Arc::ptr_eq(&back, &text) && Arc::strong_count(&text) == 2);
    drop((back, text));
    assert!(typed.get(w).is_none(), "a weak registration's object died");
    assert_eq!(
        typed.try_get(w).map(|_| ()),
        Err(HandleError::Dead { handle: w })
    );
    let never = Handle::from_raw(12345).unwrap();
    assert!(typed.get(never).is_none());
    drop(rs);
    typed.unregister(s).unwrap();
    assert!(typed.get(s).is_none());
}

#[test]
fn switching_to_weak_keeps_a_borrowed_object_until_the_guard_and_a_grace_period() {
    let (reg, drops) = (HandleRegistry::<Obj>::new(), counter());
    let o = obj(7, &drops);
    let h = reg.register(o.clone(), RefKind::Strong);
    o.handle.store(h.into_raw(), SeqCst);
    drop(o);
    let r = reg.get(h).expect("registered");
    assert_eq!(reg.set_kind(h, RefKind::Weak), Ok(RefKind::Strong));
    // Nothing but the retired reference keeps it: not while `r` is held.
    assert!(!reg.reclaim(), "this thread's guard holds the grace period");
    check(&r, h.into_raw());
    assert_eq!(drops.load(SeqCst), 0);
    drop(r);
    assert_eq!(drops.load(SeqCst), 0, "released at a grace period only");
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(drops.load(SeqCst), 1);
    // A weak registration whose object died: no guard, no lookup.
    assert!(reg.get(h).is_none() && reg.lookup(h).is_none());
    assert_eq!(
        reg.set_kind(h, RefKind::Strong),
        Err(HandleError::Dead { handle: h })
    );
    reg.unregister(h).unwrap();
}

#[test]
fn unregistering_and_growing_under_this_threads_guard_do_not_hang() {
    within(Duration::from_secs(60), || {
        let (reg, drops) = (HandleRegistry::<Obj>::new(), counter());
        let o = obj(1, &drops);
        let h = reg.register(o.clone(), RefKind::Strong);
        o.handle.store(h.into_raw(), SeqCst);
        drop(o);
        let r = reg.get(h).expect("registered");
        reg.unregister(h).unwrap();
        // Many more unregistrations (a grace period every 64) and growth
        // of the slot array (old arrays retired), all under the guard.
        let mut others = Vec::new();
        for i in 0..3000 {
            others.push(reg.register(obj(i, &drops), RefKind::Strong));
            if i % 2 == 0 {
                reg.unregister(others.swap_remove(0)).unwrap();
            }
        }
        assert!(!reg.reclaim());
        // The object is still there for the guard; the handle is stale.
        check(&r, h.into_raw());
        assert!(reg.get(h).is_none() && reg.lookup(h).is_none());
        // Guards taken now (nested in `r`) work as usual.
        let last = *others.last().unwrap();
        assert_eq!(reg.get(last).map(|x| x.value.load(SeqCst)), Some(2999));
        let before = drops.load(SeqCst);
        assert_eq!(before, 0, "everything unregistered under the guard waits");
        drop(r);
        assert!(reclaimed(|| reg.reclaim()));
        assert_eq!(drops.load(SeqCst), 1 + 1500);
        others.into_iter().for_each(|h| reg.unregister(h).unwrap());
        assert!(reclaimed(|| reg.reclaim()));
        assert_eq!(drops.load(SeqCst), 3001);
    });
}

#[test]
fn the_finalizer_runs_exactly_once_after_the_grace_period() {
    let (reg, ran) = (Handles::new(), counter());
    let r2 = ran.clone();
    let h = reg.register_with_finalizer(5u32, move |v: &u32| _ = r2.fetch_add(*v as usize, SeqCst));
    let g = reg.get::<Finalized<u32>>(h).expect("registered");
    assert_eq!(**g, 5);
    reg.unregister(h).unwrap();
    assert!(!reg.reclaim());
    assert_eq!(ran.load(SeqCst), 0, "a guard borrows it");
    drop(g);
    assert_eq!(
        ran.load(SeqCst),
        0,
        "the registry's reference waits for a grace period"
    );
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(ran.load(SeqCst), 5);
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(ran.load(SeqCst), 5, "once");
    // Without `reclaim`: the grace period every 64 unregistrations.
    let typed: HandleRegistry<Finalized<u32>> = HandleRegistry::new();
    let r3 = ran.clone();
    let h = typed.register_with_finalizer(100, move |v| _ = r3.fetch_add(*v as usize, SeqCst));
    typed.unregister(h).unwrap();
    let start = Instant::now();
    while ran.load(SeqCst) == 5 && start.elapsed() < Duration::from_secs(10) {
        let r4 = ran.clone();
        let x = typed.register_with_finalizer(1000, move |v| _ = r4.fetch_add(*v as usize, SeqCst));
        typed.unregister(x).unwrap();
    }
    let total = ran.load(SeqCst);
    assert!(total > 5 && (total - 5) % 1000 == 100, "{total}");
    assert!(reclaimed(|| typed.reclaim()));
}

/// A registry and published handles shared by the stress test's threads.
struct Shared {
    reg: HandleRegistry<Obj>,
    published: Vec<AtomicUsize>,
    stop: AtomicBool,
    drops: Arc<AtomicUsize>,
    made: AtomicUsize,
}

/// A stress reader: guards on published handles (some held across a yield,
/// some nested, some turned into `Arc`s), checking each object is alive and
/// the handle's own. Returns how many guards found an object.
fn guard_reader(k: usize, s: &Shared) -> u64 {
    let mut hits = 0u64;
    let mut i = k * 7;
    while !s.stop.load(SeqCst) {
        let raw = s.published[i % s.published.len()].load(SeqCst);
        if let Some(r) = Handle::from_raw(raw).and_then(|h| s.reg.get(h)) {
            check(&r, raw);
            hits += 1;
            if i.is_multiple_of(16) {
                // Held while others unregister, switch and grow.
                std::thread::yield_now();
                let other = s.published[(i + 1) % s.published.len()].load(SeqCst);
                if let Some(n) = Handle::from_raw(other).and_then(|h| s.reg.get(h)) {
                    check(&n, other);
                }
                check(&r, raw);
            }
            if i.is_multiple_of(64) {
                let kept = Ref::to_arc(&r);
                drop(r);
                std::thread::yield_now();
                assert!(kept.alive.load(SeqCst));
            }
        }
        i += 1;
    }
    hits
}

/// A stress writer: registers (strong or weak), publishes, switches kinds,
/// unregisters; every few hundred rounds registers a burst (the array
/// grows). Runs for `time` (and at least 4,000 rounds).
fn churn_writer(k: usize, s: &Shared, time: Duration) {
    let n = s.published.len();
    let mut keep: Vec<Option<Arc<Obj>>> = vec![None; n];
    let start = Instant::now();
    for round in 0usize.. {
        if round >= 4000 && round % 256 == 0 && start.elapsed() >= time {
            break;
        }
        let i = (round * 2 + k) % n;
        if let Some(h) = Handle::from_raw(s.published[i].swap(0, SeqCst)) {
            if round % 5 == 0 {
                // Strong -> weak (or back) while readers borrow it.
                let _ = s.reg.set_kind(h, RefKind::Weak);
            }
            s.reg.unregister(h).unwrap();
            keep[i] = None;
        }
        let weak = round % 3 == 0;
        let o = obj(round as u64, &s.drops);
        let h = s.reg.register(
            o.clone(),
            [RefKind::Strong, RefKind::Weak][usize::from(weak)],
        );
        s.made.fetch_add(1, SeqCst);
        o.handle.store(h.into_raw(), SeqCst);
        s.published[i].store(h.into_raw(), SeqCst);
        if round % 7 == 1 {
            let _ = s.reg.set_kind(h, RefKind::Weak);
        }
        // Weak ones sometimes die while published.
        keep[i] = (weak && round % 2 == 0).then_some(o);
        if round % 500 == 0 {
            let burst: Vec<Handle> = (0..200)
                .map(|_| {
                    s.made.fetch_add(1, SeqCst);
                    s.reg.register(obj(0, &s.drops), RefKind::Strong)
                })
                .collect();
            burst.into_iter().for_each(|h| s.reg.unregister(h).unwrap());
        }
    }
}

#[test]
fn guards_stay_valid_while_other_threads_unregister_switch_and_grow() {
    within(Duration::from_secs(120), || {
        let s = Arc::new(Shared {
            reg: HandleRegistry::new(),
            published: (0..16).map(|_| AtomicUsize::new(0)).collect(),
            stop: AtomicBool::new(false),
            drops: counter(),
            made: AtomicUsize::new(0),
        });
        let start = Instant::now();
        let readers: Vec<_> = (0..3)
            .map(|k| {
                let s = s.clone();
                std::thread::spawn(move || guard_reader(k, &s))
            })
            .collect();
        let writers: Vec<_> = (0..2)
            .map(|k| {
                let s = s.clone();
                std::thread::spawn(move || churn_writer(k, &s, Duration::from_millis(1500)))
            })
            .collect();
        writers.into_iter().for_each(|w| w.join().unwrap());
        s.stop.store(true, SeqCst);
        let hits: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
        eprintln!(
            "{} registrations, {hits} guards found an object, {:?} (membarrier: {})",
            s.made.load(SeqCst),
            start.elapsed(),
            alien::handles::uses_membarrier()
        );
        assert!(hits > 0);
        for a in &s.published {
            if let Some(h) = Handle::from_raw(a.swap(0, SeqCst)) {
                s.reg.unregister(h).unwrap();
            }
        }
        assert!(s.reg.is_empty());
        assert!(reclaimed(|| s.reg.reclaim()));
        assert_eq!(
            s.drops.load(SeqCst),
            s.made.load(SeqCst),
            "each dropped once"
        );
    });
}

/// The leaked-guard test's registry (a `static`, so a leaked guard can still
/// be read afterwards).
static LEAKY: HandleRegistry<Obj> = HandleRegistry::new();

/// Runs in a child process (a leaked guard holds every later grace period
/// of the process back, which would hold back the other tests' too).
#[test]
fn a_leaked_guard_hangs_nothing() {
    if !rerun::is_child() {
        let out = rerun::run_self(
            &["--exact", "--nocapture", "a_leaked_guard_hangs_nothing"],
            &[],
        );
        let text = rerun::describe(&out);
        assert!(out.status.success() && rerun::passed(&out) == 1, "{text}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("leaked guards: done"),
            "{text}"
        );
        return;
    }
    within(Duration::from_secs(60), || {
        let drops = counter();
        let o = obj(9, &drops);
        let h = LEAKY.register(o.clone(), RefKind::Strong);
        o.handle.store(h.into_raw(), SeqCst);
        drop(o);
        // One leaked on another thread (which then exits), one here, kept
        // readable.
        std::thread::spawn(move || std::mem::forget(LEAKY.get(h)))
            .join()
            .unwrap();
        let leaked: &Ref<'static, Obj> = Box::leak(Box::new(LEAKY.get(h).expect("registered")));
        LEAKY.unregister(h).unwrap();
        let start = Instant::now();
        for i in 0..2000 {
            let x = LEAKY.register(obj(i, &drops), RefKind::Strong);
            LEAKY.unregister(x).unwrap();
        }
        assert!(!LEAKY.reclaim() && !LEAKY.reclaim());
        // Nothing hung (`within` above fails the test if anything does:
        // each `reclaim` waits ~10 ms for the other thread's section),
        // nothing was released, and the leaked guard still reads its object.
        assert_eq!(drops.load(SeqCst), 0);
        check(leaked, h.into_raw());
        eprintln!("leaked guards: done in {:?}", start.elapsed());
    });
}

#[test]
fn the_stress_test_also_passes_with_portable_fences() {
    if std::env::var_os("ALIEN_MEMBARRIER").is_some() {
        return; // the child run
    }
    let out = rerun::run_self(
        &[
            "--exact",
            "--nocapture",
            "guards_stay_valid_while_other_threads_unregister_switch_and_grow",
        ],
        &[("ALIEN_MEMBARRIER", "off")],
    );
    let text = rerun::describe(&out);
    assert!(out.status.success() && rerun::passed(&out) == 1, "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(membarrier: false)"),
        "{text}"
    );
}
