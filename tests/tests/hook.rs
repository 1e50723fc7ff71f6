//! The failure hook: asked before *undefined alien function* is raised, it
//! may supply a substitute address, which is bound and called with the
//! original arguments (integer and vector registers, and the stack,
//! preserved through the lazy stub). One hook serves the whole binary and
//! decides by symbol, so the tests can run in any order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp,
    clippy::too_many_arguments
)]

#[macro_use]
mod rerun;

use alien::{
    define_alien_variable, define_c_function, BindState, CallError, SymbolKind, UndefinedSymbol,
};
use std::ffi::c_int;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn call_int_fn(f: Option<unsafe extern "C" fn(c_int, c_int) -> c_int>, a: c_int, b: c_int) -> c_int;
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn missing_mix(a: c_int, b: f64, c: c_int, d: f64) -> f64;
    pub fn missing_wide(
        a: i64, b: f64, c: i64, d: f64, e: i64, f: f64, g: i64, h: f64,
        i: i64, j: f64, k: i64, l: f64, m: i64, n: f64, o: i64, p: f64,
        q: i64, r: f64, s: i64, t: f64,
    ) -> f64;
    pub fn missing_refused(x: c_int) -> c_int;
    pub fn missing_zero(x: c_int) -> c_int;
    pub fn missing_for_try(x: c_int) -> c_int;
    pub fn missing_from_c(a: c_int, b: c_int) -> c_int;
    pub unsafe fn missing_var_doubles(count: c_int, ...) -> f64;
    pub fn missing_nested(x: c_int) -> c_int;
    /// Called only from inside the hook (in lazy mode: resolved there).
    pub fn hook_helper(a: c_int, b: c_int) -> c_int = "add2";
}

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub static missing_hooked_variable: i64;
}

lazy_mode_tests!();

extern "C" fn substitute_mix(a: c_int, b: f64, c: c_int, d: f64) -> f64 {
    f64::from(a) * 1000.0 + b * 100.0 + f64::from(c) * 10.0 + d
}

extern "C" fn substitute_wide(
    a: i64,
    b: f64,
    c: i64,
    d: f64,
    e: i64,
    f: f64,
    g: i64,
    h: f64,
    i: i64,
    j: f64,
    k: i64,
    l: f64,
    m: i64,
    n: f64,
    o: i64,
    p: f64,
    q: i64,
    r: f64,
    s: i64,
    t: f64,
) -> f64 {
    wide_formula(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t)
}

fn wide_formula(
    a: i64,
    b: f64,
    c: i64,
    d: f64,
    e: i64,
    f: f64,
    g: i64,
    h: f64,
    i: i64,
    j: f64,
    k: i64,
    l: f64,
    m: i64,
    n: f64,
    o: i64,
    p: f64,
    q: i64,
    r: f64,
    s: i64,
    t: f64,
) -> f64 {
    let ints = [a, c, e, g, i, k, m, o, q, s];
    let floats = [b, d, f, h, j, l, n, p, r, t];
    let mut acc = 0.0;
    for (idx, (x, y)) in ints.iter().zip(floats).enumerate() {
        let w = (idx + 1) as f64;
        acc += w * (*x as f64) + w * 0.5 * y;
    }
    acc
}

extern "C" fn substitute_add(a: c_int, b: c_int) -> c_int {
    a * 100 + b
}

extern "C" fn substitute_negate(x: c_int) -> c_int {
    -x
}

static HOOKED_VARIABLE: AtomicI64 = AtomicI64::new(1234);

static CALLS: Mutex<Vec<UndefinedSymbol>> = Mutex::new(Vec::new());
static HOOK_FLOAT_NOISE: AtomicUsize = AtomicUsize::new(0);

fn calls_for(symbol: &str) -> usize {
    CALLS
        .lock()
        .unwrap()
        .iter()
        .filter(|u| u.symbol == symbol)
        .count()
}

/// Does some floating-point work, so the vector registers hold other values
/// when the hook returns.
fn clobber_vector_registers() {
    let mut v = [0.0f64; 16];
    for (i, x) in v.iter_mut().enumerate() {
        *x = (i as f64).sqrt() * std::hint::black_box(3.7);
    }
    let s: f64 = v.iter().sum();
    HOOK_FLOAT_NOISE.fetch_add(s as usize, Ordering::Relaxed);
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = alien::set_failure_hook(|u: &UndefinedSymbol| {
            clobber_vector_registers();
            CALLS.lock().unwrap().push(u.clone());
            match u.symbol.as_str() {
                "missing_mix" => Some(substitute_mix as *const () as usize),
                "missing_wide" => Some(substitute_wide as *const () as usize),
                "missing_for_try" => Some(substitute_negate as *const () as usize),
                "missing_from_c" => Some(substitute_add as *const () as usize),
                "missing_hooked_variable" => Some(HOOKED_VARIABLE.as_ptr() as usize),
                "missing_zero" => Some(0),
                // A C variadic function as the substitute: `%al` (the number
                // of vector registers used) must survive the stub.
                "missing_var_doubles" => alien::probe("sum_var_doubles").map(|p| p.address),
                // The hook may call into alien, even resolve other symbols.
                "missing_nested" => {
                    (hook_helper(2, 3) == 5).then_some(substitute_negate as *const () as usize)
                }
                _ => None,
            }
        });
        assert!(previous.is_none());
    });
}

#[test]
fn substitute_gets_the_arguments_intact() {
    install();
    assert!(!missing_mix::is_resolved());
    assert_eq!(missing_mix(1, 2.5, 3, 4.25), 1000.0 + 250.0 + 30.0 + 4.25);
    assert!(missing_mix::is_resolved());
    let info = missing_mix::info();
    assert_eq!(info.state, BindState::Bound);
    assert_eq!(info.supplier.as_deref(), Some("<failure hook>"));
    assert_eq!(info.address, Some(substitute_mix as *const () as usize));
    // Later calls go straight to the substitute: the hook is not asked again.
    assert_eq!(
        missing_mix(-7, 0.125, 9, -1e10),
        substitute_mix(-7, 0.125, 9, -1e10)
    );
    assert_eq!(calls_for("missing_mix"), 1);
    let u = CALLS
        .lock()
        .unwrap()
        .iter()
        .find(|u| u.symbol == "missing_mix")
        .cloned()
        .unwrap();
    assert_eq!(u.library.as_deref(), Some("alien_fixture"));
    assert_eq!(u.kind, SymbolKind::Code);
    assert!(!u.attempts.is_empty());
}

#[test]
fn stack_arguments_reach_the_substitute() {
    install();
    let args = (
        1i64,
        0.5,
        -2i64,
        1.25,
        3i64,
        -2.5,
        i64::MAX,
        1e-300,
        -5i64,
        7.75,
        6i64,
        8.5,
        7i64,
        -9.25,
        8i64,
        10.125,
        -9i64,
        1e300,
        10i64,
        -0.0,
    );
    let want = wide_formula(
        args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8, args.9, args.10,
        args.11, args.12, args.13, args.14, args.15, args.16, args.17, args.18, args.19,
    );
    let got = missing_wide(
        args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8, args.9, args.10,
        args.11, args.12, args.13, args.14, args.15, args.16, args.17, args.18, args.19,
    );
    assert_eq!(got.to_bits(), want.to_bits());
    assert_eq!(
        missing_wide::info().supplier.as_deref(),
        Some("<failure hook>")
    );
}

#[test]
fn a_refusing_hook_means_a_panic() {
    install();
    let text = rerun::expect_panic(|| missing_refused(1));
    assert!(text.contains("missing_refused"), "{text}");
    assert!(text.contains("failure hook"), "{text}");
    assert!(!missing_refused::is_resolved());
    // Zero is not an address: also a refusal.
    let text = rerun::expect_panic(|| missing_zero(1));
    assert!(text.contains("missing_zero"), "{text}");
    assert!(!missing_zero::is_resolved());
    match missing_refused::try_call(2) {
        Err(CallError::Undefined(u)) => {
            assert!(u.attempts.iter().any(|a| a.contains("failure hook")), "{u}");
        }
        other => panic!("expected Undefined, got {other:?}"),
    }
    assert_eq!(add2(1, 2), 3);
}

#[test]
fn try_call_and_c_callers_use_the_hook_too() {
    install();
    assert_eq!(missing_for_try::try_call(3), Ok(-3));
    assert_eq!(
        missing_for_try::info().supplier.as_deref(),
        Some("<failure hook>")
    );
    // A C caller of the entry: resolved through the stub that serves C.
    assert_eq!(call_int_fn(Some(missing_from_c::entry()), 4, 5), 405);
    assert!(missing_from_c::is_resolved());
    assert_eq!(missing_from_c(6, 7), 607);
    assert_eq!(calls_for("missing_from_c"), 1);
}

#[test]
fn variadic_substitute_gets_al() {
    install();
    let got = unsafe { missing_var_doubles(4, (0.5f64, 1.25f64, -2.0f64, 1e10f64)) };
    assert_eq!(got, 0.5 + 1.25 - 2.0 + 1e10);
    let got = unsafe {
        missing_var_doubles(
            9,
            (
                1.0f64, 2.0f64, 3.0f64, 4.0f64, 5.0f64, 6.0f64, 7.0f64, 8.0f64, 9.0f64,
            ),
        )
    };
    assert_eq!(got, 45.0);
}

#[test]
fn the_hook_may_call_into_alien() {
    install();
    assert_eq!(missing_nested(8), -8);
    assert!(hook_helper::is_resolved());
}

#[test]
fn a_variable_from_the_hook() {
    install();
    assert_eq!(missing_hooked_variable.get(), 1234);
    missing_hooked_variable.set(-1);
    assert_eq!(HOOKED_VARIABLE.load(Ordering::Relaxed), -1);
    assert_eq!(
        missing_hooked_variable.as_ptr() as usize,
        HOOKED_VARIABLE.as_ptr() as usize
    );
    assert!(missing_hooked_variable.is_resolved());
    let row = alien::linkage()
        .into_iter()
        .find(|r| r.symbol == "missing_hooked_variable")
        .unwrap();
    assert_eq!(row.supplier.as_deref(), Some("<failure hook>"));
    assert_eq!(row.kind, SymbolKind::Data);
}

const TAKE_CHILD: &str = "ALIEN_TESTS_HOOK_TAKE";

/// Installing and removing hooks (in a child process, where no other test
/// has installed the shared one).
#[test]
fn set_and_take_failure_hook() {
    if std::env::var_os(TAKE_CHILD).is_none() {
        let bind = if rerun::lazy_requested() {
            "lazy"
        } else {
            "eager"
        };
        let out = rerun::run_self(
            &["--exact", "set_and_take_failure_hook"],
            &[(TAKE_CHILD, "1"), ("ALIEN_BIND", bind)],
        );
        assert!(
            out.status.success() && rerun::passed(&out) == 1,
            "{}",
            rerun::describe(&out)
        );
        return;
    }
    assert!(alien::take_failure_hook().is_none());
    assert!(alien::set_failure_hook(|_| None).is_none());
    let previous = alien::set_failure_hook(|u| {
        (u.symbol == "missing_refused").then_some(substitute_negate as *const () as usize)
    });
    assert!(previous.is_some());
    let hook = alien::take_failure_hook().expect("the second hook");
    assert!(alien::take_failure_hook().is_none());
    // Without a hook: a panic that mentions no hook.
    let text = rerun::expect_panic(|| missing_refused(5));
    assert!(
        text.contains("missing_refused") && !text.contains("failure hook"),
        "{text}"
    );
    // The taken hook can be put back and then substitutes.
    assert!(alien::restore_failure_hook(Some(hook)).is_none());
    assert_eq!(missing_refused(5), -5);
    assert_eq!(
        missing_refused::info().supplier.as_deref(),
        Some("<failure hook>")
    );
}
