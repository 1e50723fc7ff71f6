//! Runs one P9 or P11 loop `N` times, for counting instructions with
//! callgrind: `regcount <case> <N>`. `bench/sections/reg.sh` runs it under
//! `valgrind --tool=callgrind` for `N` and `2N`; `(Ir(2N) - Ir(N)) / N` is
//! the instructions per operation, the setup (registering the objects,
//! interposing) cancelled.
//!
//! Cases:
//! * P9, one lookup of a registry of 1,000 objects (and the drop of what it
//!   gave): the borrowing `p9_get_typed` (`HandleRegistry<T>::get`) and
//!   `p9_get_any` (`Handles::get::<T>`), the `Arc`-returning `p9_typed`
//!   (`HandleRegistry<T>::lookup`) and `p9_any` (`Handles::lookup::<T>`),
//!   and the peers `p9_ref` (a borrow out of a `Vec<Arc<T>>`), `p9_arc`
//!   (`Arc::clone` from the `Vec`), `p9_weak` (`Weak::upgrade` from a
//!   `Vec<Weak<T>>`), `p9_mutex` (`Mutex<HashMap>`), `p9_rwlock`
//!   (`RwLock<Vec>`);
//! * P11, one call of `add2`: `p11_<rust|entry>_<plain|interposed|closure>`
//!   — through the Rust wrapper or through the C entry address, with no
//!   interposition, with `add2::interpose(extern "C" fn)`, or with
//!   `add2::interpose_with(closure)`.
//!
//! `regcount --time <case>[,<case>...] <N> <rounds>` times the cases instead
//! (N operations each, `rounds` rounds, the order alternating) and prints
//! `round,case,ns_per_op` lines: a quick check outside criterion. It counts
//! the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time, so a
//! busy machine that preempts the process inflates it less.

#[path = "../../benches/reg/mod.rs"]
mod reg;

use alien_bench::{loops, table};
use std::hint::black_box;
use std::process::ExitCode;

fn p11(call: &str, mode: &str, n: u64) -> Option<i64> {
    let _guard = match mode {
        "plain" => None,
        "interposed" => Some(table::add2::interpose(reg::add2_rust)),
        "closure" => Some(table::add2::interpose_with(reg::add2_closure())),
        _ => return None,
    };
    Some(match call {
        "rust" => loops::bench_loop_table_add2(black_box(n)),
        "entry" => loops::bench_loop_libloading_add2(table::add2::entry(), black_box(n)),
        _ => return None,
    })
}

fn run(case: &str, n: u64, p: &reg::P9) -> Option<i64> {
    if let Some(name) = case.strip_prefix("p9_") {
        let f = reg::p9_loop(name)?;
        return Some(f(p, 0, black_box(n)) as i64);
    }
    let (call, mode) = case.strip_prefix("p11_")?.split_once('_')?;
    p11(call, mode, n)
}

/// The calling thread's CPU time in nanoseconds.
fn cpu_ns() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    if r != 0 {
        return f64::NAN;
    }
    t.tv_sec as f64 * 1e9 + t.tv_nsec as f64
}

fn time(cases: &str, n: u64, rounds: u64, p: &reg::P9) -> ExitCode {
    let mut cases: Vec<&str> = cases.split(',').collect();
    for round in 1..=rounds {
        for case in &cases {
            let start = cpu_ns();
            let Some(r) = run(case, black_box(n), p) else {
                eprintln!("regcount: unknown case `{case}`");
                return ExitCode::FAILURE;
            };
            let ns = (cpu_ns() - start) / n as f64;
            black_box(r);
            println!("{round},{case},{ns:.4}");
        }
        cases.reverse();
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize| args.get(i).and_then(|n| n.parse::<u64>().ok());
    assert!(table::add2::is_resolved(), "add2 not bound");
    // Made whatever the case (the same setup for N and 2N).
    let p = reg::P9::new();
    if args.get(1).map(String::as_str) == Some("--time") {
        let (Some(cases), Some(n), Some(rounds)) = (args.get(2), number(3), number(4)) else {
            eprintln!("usage: regcount --time <case>[,<case>...] <N> <rounds>");
            return ExitCode::FAILURE;
        };
        return time(cases, n, rounds, &p);
    }
    let (Some(case), Some(n)) = (args.get(1), number(2)) else {
        eprintln!("usage: regcount <p9_<get_typed|get_any|typed|any|ref|arc|weak|mutex|rwlock>|p11_<rust|entry>_<plain|interposed|closure>> <N>");
        return ExitCode::FAILURE;
    };
    let Some(result) = run(case, n, &p) else {
        eprintln!("regcount: unknown case `{case}`");
        return ExitCode::FAILURE;
    };
    println!(
        "{case} x {n}: {result} (membarrier: {})",
        alien::handles::uses_membarrier()
    );
    ExitCode::SUCCESS
}
