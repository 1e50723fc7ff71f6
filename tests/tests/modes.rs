//! Binding modes: eager by default (every declaration bound before `main`),
//! lazy with `ALIEN_BIND=lazy` (declarations wait on their stubs and bind at
//! first call or access). The lazy checks run in a child process started
//! with the variable set; each other test binary also re-runs itself lazily
//! (`same_in_lazy_mode`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

mod rerun;

use alien::{define_alien_variable, define_c_function, BindMode, BindState};
use std::ffi::c_int;

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn add2(a: c_int, b: c_int) -> c_int;
    pub fn echo_f64(v: f64) -> f64;
    pub fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
    pub fn call_int_fn(f: Option<unsafe extern "C" fn(c_int, c_int) -> c_int>, a: c_int, b: c_int) -> c_int;
    pub fn multi(a: c_int, b: c_int, out product: c_int, out difference: c_int, inout count: c_int) -> c_int;
    pub unsafe fn sum_var_doubles(count: c_int, ...) -> f64;
    pub fn modes_missing(x: c_int) -> c_int;
    /// First called by many threads at once (lazy mode).
    pub fn concurrent_first(a: c_int, b: c_int) -> c_int = "add2";
}

define_c_function! {
    #![library("m")]
    pub fn ldexp(x: f64, exp: c_int) -> f64;
}

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub static fixture_counter: c_int;
}

fn state(symbol: &str) -> BindState {
    alien::linkage()
        .into_iter()
        .find(|r| r.symbol == symbol)
        .unwrap()
        .state
}

fn run_lazy_child(value: &str) -> std::process::Output {
    rerun::run_self(
        &["--exact", "lazy_child", "--test-threads=1"],
        &[("ALIEN_BIND", value)],
    )
}

/// The checks of a lazy process (this test does nothing in an eager one).
#[test]
fn lazy_child() {
    if !rerun::lazy_requested() {
        return;
    }
    assert_eq!(alien::bind_mode(), BindMode::Lazy);
    // Nothing is bound before its first use.
    for f in [
        add2::info(),
        echo_f64::info(),
        mix8::info(),
        call_int_fn::info(),
        ldexp::info(),
    ] {
        assert_eq!(f.state, BindState::Waiting, "{f:?}");
        assert_eq!(f.address, None);
    }
    assert!(!fixture_counter.is_resolved());
    assert_ne!(state("fixture_counter"), BindState::Bound);

    // First call: resolves, then runs with the arguments intact.
    assert_eq!(add2(2, 40), 42);
    assert_eq!(add2::info().state, BindState::Bound);
    assert_eq!(add2::info().supplier.as_deref(), Some("alien_fixture"));
    assert_eq!(echo_f64(-0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(mix8(1, 2.0, 3, 4.0, 5, 6.0, 7, 8.0), 204.0);
    assert_eq!(multi(6, 4, 10), (10, 24, 2, 11));
    assert_eq!(
        unsafe { sum_var_doubles(3, (0.5f64, 0.25f64, 2.0f64)) },
        2.75
    );
    assert_eq!(ldexp(1.5, 4), 24.0);
    assert_eq!(ldexp::info().supplier.as_deref(), Some("m"));
    // A C caller's first call goes through the stub that serves C.
    assert_eq!(call_int_fn(Some(add2::entry()), 1, 2), 3);
    // Variables bind at first access.
    assert_eq!(fixture_counter.get(), 41);
    assert!(fixture_counter.is_resolved());
    assert_eq!(state("fixture_counter"), BindState::Bound);
    // Missing ones still panic.
    let text = rerun::expect_panic(|| modes_missing(1));
    assert!(text.contains("modes_missing"), "{text}");

    // Many threads making the first call at once all get the right answer.
    assert!(!concurrent_first::is_resolved());
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                (0..100).all(|j| concurrent_first(i, j) == i + j)
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap());
    }
    assert!(concurrent_first::is_resolved());

    // rebind_all binds everything that can be bound, eagerly.
    assert_eq!(state("echo_f64"), BindState::Bound);
    let report = alien::rebind_all();
    assert!(report.bound >= 8, "{report:?}");
    assert!(report.waiting >= 1, "{report:?}");
    assert_eq!(
        alien::bind_mode(),
        BindMode::Lazy,
        "rebind_all keeps the mode"
    );
    assert!(add2::is_resolved());
    assert!(!modes_missing::is_resolved());
    assert_eq!(add2(3, 4), 7);
}

#[test]
fn eager_by_default_lazy_on_request() {
    if rerun::is_child() {
        return;
    }
    if !rerun::lazy_requested() {
        // This process: eager, everything found is bound before main.
        assert_eq!(alien::bind_mode(), BindMode::Eager);
        assert_eq!(mix8::info().state, BindState::Bound);
        assert_eq!(ldexp::info().state, BindState::Bound);
        assert!(fixture_counter.is_resolved());
        assert_eq!(modes_missing::info().state, BindState::Waiting);
    }
    for value in ["lazy", "LAZY", "Lazy"] {
        let out = run_lazy_child(value);
        assert!(
            out.status.success() && rerun::passed(&out) == 1,
            "ALIEN_BIND={value}:\n{}",
            rerun::describe(&out)
        );
    }
    // Anything else is eager: the child's lazy checks do not run, and its
    // mode is Eager.
    let out = rerun::run_self(
        &["--exact", "mode_of_this_process", "--test-threads=1"],
        &[("ALIEN_BIND", "now")],
    );
    assert!(
        out.status.success() && rerun::passed(&out) == 1,
        "{}",
        rerun::describe(&out)
    );
}

#[test]
fn mode_of_this_process() {
    rerun::bind_mode_follows_environment();
}

#[test]
fn rebind_all_in_eager_mode() {
    if rerun::lazy_requested() {
        return;
    }
    let report = alien::rebind_all();
    assert!(report.bound >= 8, "{report:?}");
    assert_eq!(report.waiting, 1, "only modes_missing: {report:?}");
    assert_eq!(concurrent_first(2, 2), 4);
    assert_eq!(add2(1, 1), 2);
    assert!(!modes_missing::is_resolved());
}
