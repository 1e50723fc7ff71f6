//! P2 and P3: calls whose signature is known only at run time.
//!
//! `add2`, `mix8` and `sum12` (`c/calls.c`, the functions of P1) called
//! through an `alien::ffi::Procedure` built from their address and a
//! run-time `Signature`, in two ways: the raw slot array
//! (`Procedure::call_raw`, the main row) and checked `Value`s
//! (`Procedure::call`). Compared with libffi's `Cif::call` on a CIF prepared
//! once (P2) and with a direct dynamic-linked `extern "C"` call, P1's loop
//! (P3). Each round measures the four back to back, the order alternating.
//! The loops are in `src/bin/rtcount/loops.rs`, the code `rtcount` runs under
//! callgrind.
//!
//! `cargo bench -p alien-bench --bench runtime_calls [-- P2-P3/add2]`

mod common;
#[path = "../src/bin/rtcount/loops.rs"]
mod loops;

use common::{measure, rounds, Pairs};
use criterion::Criterion;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Samples per benchmark.
const SAMPLES: usize = 20;
/// Rounds (the four variants back to back) per function.
const ROUNDS: usize = 8;
/// The variants, in the order of odd rounds (even rounds reverse it).
const VARIANTS: [&str; 4] = ["raw", "value", "libffi", "direct"];

fn main() {
    let mut c = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(250))
        .nresamples(10_000)
        .configure_from_args();
    let rt = match loops::Rt::new() {
        Ok(rt) => rt,
        Err(e) => panic!("{e}"),
    };
    // The four variants compute the same thing.
    for f in ["add2", "mix8", "sum12"] {
        let want = loops::run_call(&rt, "direct", f, 1000);
        for v in VARIANTS {
            assert_eq!(loops::run_call(&rt, v, f, 1000), want, "{v} {f}");
        }
    }
    let mut pairs = Pairs::default();
    for f in ["add2", "mix8", "sum12"] {
        let mut g = c.benchmark_group(format!("P2-P3/{f}"));
        for round in 1..=rounds(ROUNDS) {
            let mut order = VARIANTS;
            if round % 2 == 0 {
                order.reverse();
            }
            let mut ns = [None; 4];
            for v in order {
                let at = VARIANTS.iter().position(|&x| x == v).unwrap_or(0);
                ns[at] = measure(&mut g, &format!("r{round}/{v}"), SAMPLES, 1.0, |iters| {
                    let start = Instant::now();
                    black_box(loops::run_call(&rt, v, f, black_box(iters)));
                    start.elapsed()
                });
            }
            let [raw, value, libffi, direct] = ns;
            let (raw_case, value_case) = (format!("{f} raw slots"), format!("{f} Value"));
            pairs.push("P2", &raw_case, "libffi Cif::call", round, raw, libffi);
            pairs.push("P2", &value_case, "libffi Cif::call", round, value, libffi);
            pairs.push("P3", &raw_case, "direct", round, raw, direct);
            pairs.push("P3", &value_case, "direct", round, value, direct);
        }
        g.finish();
    }
    c.final_summary();
    pairs.report();
}
