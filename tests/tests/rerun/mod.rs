//! Re-running the current test binary as a child process: the same tests in
//! lazy binding mode (`ALIEN_BIND=lazy` is read once at startup, so it needs
//! a fresh process), and scenarios that end the process (an abort).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

/// Set in every child this module starts: guards against recursion.
pub const CHILD_ENV: &str = "ALIEN_TESTS_CHILD";

/// Whether this process was started by [`run_self`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Whether `ALIEN_BIND` asks for lazy binding in this process.
pub fn lazy_requested() -> bool {
    std::env::var_os("ALIEN_BIND").is_some_and(|v| v.eq_ignore_ascii_case("lazy"))
}

/// Runs this test binary again with `args` and `envs` (and `ALIEN_BIND`
/// removed unless `envs` sets it).
pub fn run_self(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args(args).env(CHILD_ENV, "1").env_remove("ALIEN_BIND");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("cannot start the test binary again")
}

/// The child's stdout and stderr, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The number of passed tests libtest reported.
pub fn passed(out: &Output) -> usize {
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum()
}

/// Runs every other test of this binary in a child with `ALIEN_BIND=lazy`
/// and asserts that they all pass and that the child really bound lazily
/// (its `bind_mode_follows_environment` test ran and passed).
pub fn same_in_lazy_mode() {
    if is_child() {
        return;
    }
    let out = run_self(&["--skip", "same_in_lazy_mode"], &[("ALIEN_BIND", "lazy")]);
    let text = describe(&out);
    assert!(out.status.success(), "lazy-mode run failed\n{text}");
    assert!(passed(&out) >= 2, "lazy-mode run ran too few tests\n{text}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("test bind_mode_follows_environment ... ok"),
        "lazy-mode run did not check its binding mode\n{text}"
    );
}

/// `alien::bind_mode()` is what `ALIEN_BIND` asked for.
pub fn bind_mode_follows_environment() {
    let expected = if lazy_requested() {
        alien::BindMode::Lazy
    } else {
        alien::BindMode::Eager
    };
    assert_eq!(alien::bind_mode(), expected);
}

/// The two tests every binary that supports lazy mode has (`#[macro_use] mod rerun;`).
#[allow(unused_macros)]
macro_rules! lazy_mode_tests {
    () => {
        #[test]
        fn same_in_lazy_mode() {
            rerun::same_in_lazy_mode();
        }

        #[test]
        fn bind_mode_follows_environment() {
            rerun::bind_mode_follows_environment();
        }
    };
}

/// The text of a caught panic.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// Runs `f`, expecting a panic; returns its text.
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic, but the call returned"),
        Err(p) => panic_text(&*p),
    }
}
