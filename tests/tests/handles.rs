//! The handle registry (ILU's register-lisp-object): registration, lookup,
//! weak and strong references, finalizers, stale handles, many threads, and
//! a handle passed through sqlite as a user-data pointer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alien::handles::{self, Finalized, Handle, HandleError, HandleRegistry, Handles, RefKind};
use alien::{define_c_function, Callback};
use std::error::Error as _;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::Duration;

mod handles_support;
mod rerun;
use handles_support::{reclaimed, within};

/// What the tests register: knows its handle, counts its drops, and says
/// whether it was dropped (a lookup must never hand out a dropped object).
#[derive(Debug)]
struct Obj {
    value: i64,
    handle: AtomicUsize,
    alive: AtomicBool,
    drops: Arc<AtomicUsize>,
}

impl Drop for Obj {
    fn drop(&mut self) {
        self.alive.store(false, SeqCst);
        self.drops.fetch_add(1, SeqCst);
    }
}

fn obj(value: i64, drops: &Arc<AtomicUsize>) -> Arc<Obj> {
    let (handle, alive, drops) = (AtomicUsize::new(0), AtomicBool::new(true), drops.clone());
    Arc::new(Obj {
        value,
        handle,
        alive,
        drops,
    })
}

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

fn kind(weak: bool) -> RefKind {
    [RefKind::Strong, RefKind::Weak][usize::from(weak)]
}

/// Says which fences this process uses (checked by the rerun test).
fn show_mode() {
    let yes = handles::uses_membarrier();
    eprintln!("grace periods use membarrier: {yes}");
}

/// Checks that a lookup of `raw` gave the live object registered under it.
fn check(o: &Obj, raw: usize) {
    assert!(o.alive.load(SeqCst), "a dropped object came back");
    assert_eq!(o.handle.load(SeqCst), raw, "another registration's object");
}

#[test]
fn register_lookup_unregister() {
    let (reg, drops) = (Handles::new(), counter());
    let h = reg.register(obj(42, &drops), RefKind::Strong);
    assert_eq!((reg.len(), reg.kind(h)), (1, Ok(RefKind::Strong)));
    let got = reg.lookup::<Obj>(h).expect("registered");
    assert_eq!(got.value, 42);
    // Through C and back: as a pointer and as an integer.
    assert_eq!(Handle::from_ptr(h.as_ptr()), Some(h));
    assert_eq!(Handle::from_raw(h.into_raw()), Some(h));
    assert_eq!(Handle::from_u64(h.to_u64()), Some(h));
    assert_eq!(Handle::from_ptr(std::ptr::null()), None);
    // Another type is refused, with both names.
    let e = reg.try_lookup::<String>(h).unwrap_err();
    let names = |x: &str, y: &str| x.contains("String") && y.contains("Obj");
    assert!(matches!(e, HandleError::WrongType { expected, found, .. } if names(expected, found)));
    let any = reg.lookup_any(h).expect("registered");
    assert_eq!(any.downcast_ref::<Obj>().map(|t| t.value), Some(42));
    drop(any);
    reg.unregister(h).unwrap();
    assert_eq!(reg.len(), 0);
    // `got` still holds it; the registry no longer does.
    assert_eq!(drops.load(SeqCst), 0);
    let stale = Err(HandleError::Stale { handle: h });
    assert_eq!(reg.try_lookup::<Obj>(h).map(|_| ()), stale);
    assert_eq!(reg.unregister(h), stale);
    drop(got);
    // The registry gives its reference up at the grace period after
    // unregistering (a guard may still borrow through it until then).
    assert_eq!(drops.load(SeqCst), 0);
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(drops.load(SeqCst), 1);
    // When the registry's reference is the last, the grace period drops it.
    let h = reg.register(obj(1, &drops), RefKind::Strong);
    reg.unregister(h).unwrap();
    assert_eq!(drops.load(SeqCst), 1);
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(drops.load(SeqCst), 2);
}

#[test]
fn numbers_never_issued_are_invalid_and_errors_say_why() {
    let (reg, mine) = (HandleRegistry::<i32>::new(), Handles::new());
    let h = reg.register_value(5);
    // Small integers, a later generation of the same slot, a far slot.
    for raw in [1usize, 2, 3, 77, h.into_raw() + (1 << 32), usize::MAX] {
        let bogus = Handle::from_raw(raw).unwrap();
        let invalid = Err(HandleError::Invalid { handle: bogus });
        assert_eq!(reg.try_lookup(bogus).map(|_| ()), invalid);
        assert_eq!(reg.unregister(bogus), invalid);
        // The same numbers mean nothing to another registry either.
        assert!(mine.lookup::<i32>(bogus).is_none() && mine.lookup_any(h).is_none());
    }
    assert_eq!(*reg.lookup(h).unwrap(), 5);
    reg.unregister(h).unwrap();
    let e = reg.try_lookup(h).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("stale handle 0x"), "{text}");
    assert!(text.contains(&format!("slot {}", h.index())), "{text}");
    assert!(e.source().is_none());
    let small = mine.register_value(1u8);
    let text = mine.try_lookup::<u16>(small).unwrap_err().to_string();
    assert!(text.contains("names a `u8`, not a `u16`"), "{text}");
    let text = HandleError::Full { capacity: 3 }.to_string();
    assert_eq!(text, "the handle registry is full (3 slots in use)");
}

#[test]
fn weak_handles_die_with_their_object_and_kinds_switch() {
    let (reg, drops) = (Handles::new(), counter());
    let o = obj(7, &drops);
    let h = reg.register(o.clone(), RefKind::Weak);
    assert_eq!(reg.lookup::<Obj>(h).map(|o| o.value), Some(7));
    // Weak → strong: the registry keeps it alive on its own.
    assert_eq!(reg.set_kind(h, RefKind::Strong), Ok(RefKind::Weak));
    assert_eq!(reg.set_kind(h, RefKind::Strong), Ok(RefKind::Strong));
    drop(o);
    // Strong → weak while a lookup's `Arc` is out: alive until that goes
    // (and the registry's reference, until the next grace period).
    let out = reg.lookup::<Obj>(h).unwrap();
    assert_eq!(reg.set_kind(h, RefKind::Weak), Ok(RefKind::Strong));
    assert_eq!((reg.kind(h), drops.load(SeqCst)), (Ok(RefKind::Weak), 0));
    assert_eq!(reg.lookup::<Obj>(h).map(|o| o.value), Some(7));
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(drops.load(SeqCst), 0, "`out` holds it");
    drop(out);
    // No peer holds it any more: collected (ILU's transition).
    assert_eq!(drops.load(SeqCst), 1, "weak: nothing kept alive");
    assert!(reg.lookup::<Obj>(h).is_none() && reg.lookup_any(h).is_none());
    let dead = Err(HandleError::Dead { handle: h });
    assert_eq!(reg.try_lookup::<Obj>(h).map(|_| ()), dead);
    assert_eq!(reg.set_kind(h, RefKind::Strong).map(|_| ()), dead);
    // Still registered (ILU: the index stays until unregistered).
    assert_eq!(reg.len(), 1);
    reg.unregister(h).unwrap();
    let stale = Err(HandleError::Stale { handle: h });
    assert_eq!(reg.try_lookup::<Obj>(h).map(|_| ()), stale);
}

#[test]
fn the_finalizer_runs_exactly_once_when_the_last_strong_reference_goes() {
    let (reg, ran, seen) = (Handles::new(), counter(), counter());
    let (r, s) = (ran.clone(), seen.clone());
    let h = reg.register_with_finalizer(String::from("peer"), move |v: &String| {
        r.fetch_add(1, SeqCst);
        s.store(v.len(), SeqCst);
    });
    let held = reg.lookup::<Finalized<String>>(h).expect("registered");
    assert_eq!(held.as_str(), "peer");
    reg.unregister(h).unwrap();
    assert_eq!(ran.load(SeqCst), 0, "a lookup still holds it");
    drop(held);
    // The registry's reference goes at the grace period after unregistering.
    assert_eq!(ran.load(SeqCst), 0, "the registry still holds it");
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!((ran.load(SeqCst), seen.load(SeqCst)), (1, 4));
    assert!(reclaimed(|| reg.reclaim()));
    assert_eq!(ran.load(SeqCst), 1);
    // Weak registration of a finalized object: the user's Arc decides.
    let typed: HandleRegistry<Finalized<usize>> = HandleRegistry::new();
    let r = ran.clone();
    let add = move |v: &usize| _ = r.fetch_add(*v, SeqCst);
    let o = Arc::new(Finalized::new(9, add));
    let h = typed.register(o.clone(), RefKind::Weak);
    assert_eq!(typed.lookup(h).map(|f| **f), Some(9));
    drop(o);
    assert_eq!(ran.load(SeqCst), 10);
    assert!(typed.lookup(h).is_none());
    // Strong, then the registry dropped with it inside.
    let r = ran.clone();
    typed.register_with_finalizer(100, move |v| _ = r.fetch_add(*v, SeqCst));
    drop(typed);
    assert_eq!(ran.load(SeqCst), 110);
}

#[test]
fn a_stale_handle_never_names_the_object_that_reuses_its_slot() {
    let reg = HandleRegistry::<String>::new();
    let old = reg.register_value("old".to_owned());
    reg.unregister(old).unwrap();
    // Slots are reused after a grace period; force one.
    assert!(reclaimed(|| reg.reclaim()));
    let new = reg.register_value("new".to_owned());
    assert_eq!(new.index(), old.index(), "the slot was reused");
    assert!(new.generation() != old.generation() && new != old);
    let stale = Err(HandleError::Stale { handle: old });
    assert_eq!(reg.try_lookup(old).map(|_| ()), stale);
    // Unregistering the stale handle does not touch the new registration.
    assert!(reg.unregister(old).is_err() && reg.set_kind(old, RefKind::Weak).is_err());
    assert_eq!(reg.lookup(new).as_deref().map(String::as_str), Some("new"));
    // Many rounds in one slot: every old handle stays dead, none repeats.
    let mut olds = vec![old, new];
    reg.unregister(new).unwrap();
    for i in 0..200 {
        let h = reg.register_value(i.to_string());
        reg.unregister(h).unwrap();
        reg.reclaim();
        assert!(!olds.contains(&h) && olds.iter().all(|&o| reg.lookup(o).is_none()));
        olds.push(h);
    }
}

#[test]
fn lookups_work_in_thread_local_destructors() {
    struct AtExit(Handle, mpsc::Sender<Option<i32>>);
    impl Drop for AtExit {
        fn drop(&mut self) {
            let v = handles::global().lookup::<i32>(self.0).map(|v| *v);
            let _ = self.1.send(v);
        }
    }
    thread_local! {
        static AT_EXIT: std::cell::Cell<Option<AtExit>> = const { std::cell::Cell::new(None) };
    }
    let h = handles::global().register_value(31i32);
    let (tx, rx) = mpsc::channel();
    // A lookup first, so the thread's read record exists and is released
    // at exit, maybe before AT_EXIT's destructor runs.
    let first = move || {
        handles::global()
            .lookup::<i32>(h)
            .map(|_| AT_EXIT.set(Some(AtExit(h, tx))))
    };
    assert!(std::thread::spawn(first).join().unwrap().is_some());
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(Some(31)));
    handles::global().unregister(h).unwrap();
}

/// A registry, published handles, and a counter, shared by test threads.
#[derive(Clone)]
struct Shared {
    reg: Arc<HandleRegistry<Obj>>,
    slots: Arc<Vec<AtomicUsize>>,
    count: Arc<AtomicUsize>,
}

fn shared(slots: usize) -> Shared {
    let slots = Arc::new((0..slots).map(|_| AtomicUsize::new(0)).collect());
    let (reg, count) = (Arc::new(HandleRegistry::new()), counter());
    Shared { reg, slots, count }
}

/// One thread of the many-threads test: registers (strong, or weak and kept
/// alive), looks up its own and others' handles, switches kinds, unregisters,
/// checks that unregistered handles stay dead. Returns (made, hits, stale).
fn churn(t: usize, s: Shared) -> [usize; 3] {
    let (reg, published, drops) = (&s.reg, &s.slots, &s.count);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (t as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let (mut mine, mut dead) = (Vec::<(Handle, Option<Arc<Obj>>)>::new(), Vec::new());
    let mut totals = [0; 3];
    for _ in 0..10_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let (roll, pick) = (rng as usize, (rng >> 8) as usize);
        match roll % 10 {
            0..=2 => {
                totals[0] += 1;
                let (item, weak) = (obj(t as i64, drops), roll % 40 < 10);
                // One in four is weak, kept alive by us.
                let h = reg.register(item.clone(), kind(weak));
                item.handle.store(h.into_raw(), SeqCst);
                published[pick % published.len()].store(h.into_raw(), SeqCst);
                mine.push((h, weak.then_some(item)));
            }
            3 | 4 if !mine.is_empty() => {
                let h = mine[pick % mine.len()].0;
                let got = reg.lookup(h).expect("own live handle");
                check(&got, h.into_raw());
                assert_eq!(got.value, t as i64);
            }
            5 if !mine.is_empty() => {
                // A weak one may die first (others may still hold it).
                let (h, keep) = mine.swap_remove(pick % mine.len());
                drop(keep.filter(|_| roll % 3 != 0));
                reg.lookup(h).inspect(|o| check(o, h.into_raw()));
                reg.unregister(h).expect("own live handle");
                assert!(reg.lookup(h).is_none());
                dead.push(h);
            }
            6 if !mine.is_empty() => {
                // Strong ↔ weak while others look it up.
                let i = pick % mine.len();
                let (h, keep) = &mut mine[i];
                match keep.take() {
                    // Weak → strong before letting ours go.
                    Some(_ours) => assert_eq!(reg.set_kind(*h, RefKind::Strong), Ok(RefKind::Weak)),
                    None => {
                        *keep = reg.lookup(*h);
                        assert_eq!(reg.set_kind(*h, RefKind::Weak), Ok(RefKind::Strong));
                    }
                }
            }
            7 | 8 if !dead.is_empty() => {
                let h = dead[pick % dead.len()];
                assert!(reg.lookup(h).is_none(), "stale handle {h} found an object");
                assert!(reg.unregister(h).is_err());
                totals[2] += 1;
            }
            _ => {
                let raw = published[pick % published.len()].load(SeqCst);
                if let Some(o) = Handle::from_raw(raw).and_then(|h| reg.lookup(h)) {
                    check(&o, raw);
                    totals[1] += 1;
                }
            }
        }
    }
    for (h, _keep) in mine {
        reg.unregister(h).expect("own live handle");
        dead.push(h);
    }
    assert!(dead.iter().all(|&h| reg.lookup(h).is_none()));
    totals
}

#[test]
fn eight_threads_register_look_up_and_unregister_concurrently() {
    show_mode();
    let s = shared(64);
    within(Duration::from_secs(120), move || {
        let workers: Vec<_> = (0..8)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || churn(t, s))
            })
            .collect();
        let all = workers.into_iter().map(|w| w.join().unwrap());
        let totals = all.fold([0; 3], |t, r| [t[0] + r[0], t[1] + r[1], t[2] + r[2]]);
        eprintln!("made, cross-thread hits, stale checks: {totals:?}");
        assert!(totals[1] > 0 && totals[2] > 0);
        assert_eq!(s.reg.len(), 0);
        // Every thread is done: the last grace period can complete.
        assert!(reclaimed(|| s.reg.reclaim()));
        assert_eq!(s.count.load(SeqCst), totals[0], "each dropped once");
    });
}

/// A reader of the race test: looks the published handles up a fixed number
/// of times; returns how many lookups found an object.
fn race_reader(k: usize, s: Shared) -> u64 {
    let mut hits = 0;
    for i in k..k + 20_000 {
        let raw = s.slots[i % s.slots.len()].load(SeqCst);
        if let Some(o) = Handle::from_raw(raw).and_then(|h| s.reg.lookup(h)) {
            check(&o, raw);
            hits += 1;
        }
        if i % 512 == 0 {
            std::thread::yield_now();
        }
    }
    s.count.fetch_add(1, SeqCst);
    hits
}

#[test]
fn lookups_race_unregistration_and_slot_reuse() {
    // Readers look up four published handles (a fixed number of times) while
    // the writer unregisters them, forces grace periods and reuses the slots
    // (weak and strong): a lookup gives that handle's live object, or nothing.
    show_mode();
    let s = shared(4);
    within(Duration::from_secs(120), move || {
        let readers: Vec<_> = (0..4)
            .map(|k| {
                let s = s.clone();
                std::thread::spawn(move || race_reader(k, s))
            })
            .collect();
        let (reg, published) = (&s.reg, &s.slots);
        let (drops, mut keep) = (counter(), vec![None; published.len()]);
        let mut round = 0usize;
        while round < 500 || (s.count.load(SeqCst) < readers.len() && round < 200_000) {
            let i = round % published.len();
            if let Some(h) = Handle::from_raw(published[i].load(SeqCst)) {
                reg.unregister(h).unwrap();
                keep[i] = None;
                assert!(reg.lookup(h).is_none());
            }
            if round.is_multiple_of(7) {
                reg.reclaim();
            }
            let (o, weak) = (obj(0, &drops), round.is_multiple_of(2));
            let h = reg.register(o.clone(), kind(weak));
            o.handle.store(h.into_raw(), SeqCst);
            published[i].store(h.into_raw(), SeqCst);
            // Weak ones sometimes die while published.
            keep[i] = (weak && !round.is_multiple_of(3)).then_some(o);
            round += 1;
        }
        let hits: u64 = readers.into_iter().map(|t| t.join().unwrap()).sum();
        eprintln!("{round} writer rounds; lookups that found an object: {hits}");
        let left = published
            .iter()
            .filter_map(|a| Handle::from_raw(a.load(SeqCst)));
        left.for_each(|h| reg.unregister(h).unwrap());
        assert_eq!(reg.len(), 0);
    });
}

#[test]
fn the_concurrent_tests_also_pass_with_portable_fences() {
    if std::env::var_os("ALIEN_MEMBARRIER").is_some() {
        return; // the child run
    }
    let out = rerun::run_self(
        &[
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "eight_threads_register_look_up_and_unregister_concurrently",
            "lookups_race_unregistration_and_slot_reuse",
        ],
        &[("ALIEN_MEMBARRIER", "off")],
    );
    let text = rerun::describe(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && rerun::passed(&out) == 2, "{text}");
    let portable = stderr
        .matches("grace periods use membarrier: false")
        .count();
    assert_eq!(portable, 2, "{stderr}");
}

// ---- a handle as sqlite's `void *pApp` ----

/// sqlite's opaque types (only ever behind pointers), and its texts.
type Db = c_void;
type Ctx = c_void;
type Value = c_void;
type Texts = *mut *mut c_char;
type XFunc = unsafe extern "C" fn(*mut Ctx, c_int, *mut *mut Value);
type XDestroy = unsafe extern "C" fn(*mut c_void);

define_c_function! {
    #![library("sqlite3")]
    pub fn sqlite3_open(filename: &str, out db: *mut Db) -> c_int;
    pub unsafe fn sqlite3_close(db: *mut Db) -> c_int;
    pub unsafe fn sqlite3_exec(
        db: *mut Db,
        sql: &str,
        row: impl FnMut(*mut c_void, c_int, *mut *mut c_char, *mut *mut c_char) -> c_int,
        arg: *mut c_void,
        out errmsg: *mut c_char,
    ) -> c_int;
    pub unsafe fn sqlite3_free(p: *mut c_void);
    pub unsafe fn sqlite3_create_function_v2(
        db: *mut Db,
        name: &str,
        n_arg: c_int,
        text_rep: c_int,
        app: *mut c_void,
        x_func: Option<unsafe extern "C" fn(*mut Ctx, c_int, *mut *mut Value)>,
        x_step: Option<unsafe extern "C" fn(*mut Ctx, c_int, *mut *mut Value)>,
        x_final: Option<unsafe extern "C" fn(*mut Ctx)>,
        x_destroy: Option<unsafe extern "C" fn(*mut c_void)>,
    ) -> c_int;
    pub unsafe fn sqlite3_user_data(ctx: *mut Ctx) -> *mut c_void;
    pub unsafe fn sqlite3_value_int64(v: *mut Value) -> i64;
    pub unsafe fn sqlite3_result_int64(ctx: *mut Ctx, v: i64);
    pub unsafe fn sqlite3_result_error(ctx: *mut Ctx, msg: &str, n: c_int);
}

/// A one-argument UTF-8 SQL function `name` with user data `app`.
fn create(db: *mut Db, name: &str, app: Handle, f: XFunc, destroy: Option<XDestroy>) -> c_int {
    let (utf8, app) = (1, app.as_ptr());
    // SAFETY: `db` is open; callers keep the callbacks alive until it closes.
    unsafe { sqlite3_create_function_v2(db, name, 1, utf8, app, Some(f), None, None, destroy) }
}

/// The Rust object the SQL function finds through its handle.
#[derive(Debug)]
struct Multiplier {
    factor: i64,
    calls: AtomicU64,
}

fn multiplier(factor: i64) -> Multiplier {
    let calls = AtomicU64::new(0);
    Multiplier { factor, calls }
}

static MULTIPLIERS: HandleRegistry<Finalized<Multiplier>> = HandleRegistry::new();

/// Rows of `sql` (first column), or sqlite's error message.
fn column(db: *mut Db, sql: &str) -> Result<Vec<Option<String>>, String> {
    let text = |p: *mut c_char| {
        // SAFETY: sqlite passes NULL or NUL-terminated texts.
        let s = (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) });
        s.map(|s| s.to_string_lossy().into_owned())
    };
    let mut rows = Vec::new();
    let row = |_: *mut c_void, n: c_int, v: Texts, _: Texts| {
        // SAFETY: sqlite passes `n` values.
        rows.push((n > 0).then(|| text(unsafe { *v })).flatten());
        0
    };
    // SAFETY: `db` is open.
    let (rc, err) = unsafe { sqlite3_exec(db, sql, row, std::ptr::null_mut()) };
    let Some(msg) = text(err) else {
        return Ok(rows);
    };
    // SAFETY: sqlite's message, to be freed with sqlite3_free.
    unsafe { sqlite3_free(err.cast()) };
    Err(format!("{rc}: {msg}"))
}

#[test]
fn a_handle_is_sqlites_user_data_for_a_rust_sql_function() {
    let finalized = Arc::new(AtomicU64::new(0));
    let f = finalized.clone();
    // The finalizer records how many calls the function served, once.
    let fin = move |m: &Multiplier| f.store(1000 + m.calls.load(SeqCst), SeqCst);
    let h = MULTIPLIERS.register_with_finalizer(multiplier(7), fin);
    let x_func = Callback::new(|ctx: *mut Ctx, argc: c_int, argv: *mut *mut Value| {
        assert_eq!(argc, 1);
        // SAFETY: sqlite passes the function's context and `argc` values.
        unsafe {
            let app = Handle::from_ptr(sqlite3_user_data(ctx));
            match app.and_then(|h| MULTIPLIERS.lookup(h)) {
                Some(m) => {
                    m.calls.fetch_add(1, SeqCst);
                    let x = sqlite3_value_int64(*argv);
                    sqlite3_result_int64(ctx, x * m.factor);
                }
                None => sqlite3_result_error(ctx, "mul: stale handle", -1),
            }
        }
    });
    let destroyed = AtomicUsize::new(0);
    // sqlite calls xDestroy(pApp) when the function goes (here: at close):
    // the registry's reference goes with it.
    let x_destroy = Callback::new(|app: *mut c_void| {
        if let Some(h) = Handle::from_ptr(app) {
            MULTIPLIERS.unregister(h).expect("registered");
            destroyed.fetch_add(1, SeqCst);
        }
    });
    let (rc, db) = sqlite3_open(":memory:");
    assert_eq!(rc, 0);
    let destroy = Some(x_destroy.as_fn());
    assert_eq!(create(db, "mul", h, x_func.as_fn(), destroy), 0);
    let sql = |sql: &str| column(db, sql).unwrap();
    let texts = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
    sql("create table t(x integer); insert into t values (1), (2), (3), (-4), (10000000000);");
    let got = sql("select mul(x) from t order by rowid");
    assert_eq!(got, texts(&["7", "14", "21", "-28", "70000000000"]));
    assert_eq!(sql("select sum(mul(x)) from t"), texts(&["70000000014"]));
    let calls = MULTIPLIERS.lookup(h).map(|m| m.calls.load(SeqCst));
    assert_eq!(calls, Some(10));

    // A second function whose object is held only weakly: once it is
    // dropped, the SQL call reports the dead handle instead of crashing.
    let weak_obj = Arc::new(Finalized::new(multiplier(2), |_| {}));
    let w = MULTIPLIERS.register(weak_obj.clone(), RefKind::Weak);
    assert_eq!(create(db, "twice", w, x_func.as_fn(), None), 0);
    assert_eq!(sql("select twice(21)"), texts(&["42"]));
    drop(weak_obj);
    let err = column(db, "select twice(21)").unwrap_err();
    assert!(err.contains("mul: stale handle"), "{err}");
    MULTIPLIERS.unregister(w).unwrap();

    assert_eq!(finalized.load(SeqCst), 0);
    // SAFETY: `db` is open and not used afterwards.
    assert_eq!(unsafe { sqlite3_close(db) }, 0);
    assert_eq!(destroyed.load(SeqCst), 1);
    assert!(MULTIPLIERS.lookup(h).is_none());
    // The registry's reference goes at the grace period after unregistering.
    assert!(reclaimed(|| MULTIPLIERS.reclaim()));
    let after = finalized.load(SeqCst);
    assert_eq!(after, 1010, "finalizer ran once, after the last call");
}
