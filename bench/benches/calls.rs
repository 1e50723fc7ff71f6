//! P1: the cost of a call. `int add2(int,int)`, an 8-argument int/double mix
//! and a 12-int function (six arguments on the stack), each called through
//! alien's linkage table (`#[alien(no_callbacks)]` declarations), directly
//! (dynamic-linked `extern "C"`, through the GOT) and through a libloading
//! function pointer. The loops measured are `alien_bench::loops`, the same
//! code `callcount` runs under callgrind.
//!
//! `cargo bench -p alien-bench --bench calls [-- P1/add2]`

mod common;

use alien_bench::{loops, Loaded};
use common::{measure, rounds, timed, Pairs};
use criterion::Criterion;
use std::time::Duration;

/// Samples per benchmark.
const SAMPLES: usize = 20;
/// Rounds (alien, direct, libloading back to back) per function: many short
/// rounds pair the sides more closely in time than a few long ones.
const ROUNDS: usize = 15;

fn main() {
    let mut c = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(400))
        .nresamples(20_000)
        .configure_from_args();
    let loaded = match Loaded::open() {
        Ok(l) => l,
        Err(e) => panic!("cannot open {}: {e}", alien_bench::BENCH_LIB),
    };
    // Startup bound the table; a missing symbol would measure the lazy path.
    assert!(alien_bench::table::add2::is_resolved(), "add2 not bound");
    assert!(alien_bench::table::mix8::is_resolved(), "mix8 not bound");
    assert!(alien_bench::table::sum12::is_resolved(), "sum12 not bound");
    let mut pairs = Pairs::default();
    type Loop<'a> = Box<dyn Fn(u64) -> f64 + 'a>;
    let cases: Vec<(&str, Loop<'_>, Loop<'_>, Loop<'_>)> = vec![
        (
            "add2",
            Box::new(|n| loops::bench_loop_table_add2(n) as f64),
            Box::new(|n| loops::bench_loop_direct_add2(n) as f64),
            Box::new(|n| loops::bench_loop_libloading_add2(loaded.add2, n) as f64),
        ),
        (
            "mix8",
            Box::new(loops::bench_loop_table_mix8),
            Box::new(loops::bench_loop_direct_mix8),
            Box::new(|n| loops::bench_loop_libloading_mix8(loaded.mix8, n)),
        ),
        (
            "sum12",
            Box::new(|n| loops::bench_loop_table_sum12(n) as f64),
            Box::new(|n| loops::bench_loop_direct_sum12(n) as f64),
            Box::new(|n| loops::bench_loop_libloading_sum12(loaded.sum12, n) as f64),
        ),
    ];
    for (case, table, direct, libloading) in &cases {
        let mut g = c.benchmark_group(format!("P1/{case}"));
        for round in 1..=rounds(ROUNDS) {
            let (t, d, l);
            // Alternate the order so drift during a round favours neither side.
            if round % 2 == 1 {
                t = measure(&mut g, &format!("r{round}/alien"), SAMPLES, 1.0, |i| {
                    timed(i, table)
                });
                d = measure(&mut g, &format!("r{round}/direct"), SAMPLES, 1.0, |i| {
                    timed(i, direct)
                });
                l = measure(&mut g, &format!("r{round}/libloading"), SAMPLES, 1.0, |i| {
                    timed(i, libloading)
                });
            } else {
                l = measure(&mut g, &format!("r{round}/libloading"), SAMPLES, 1.0, |i| {
                    timed(i, libloading)
                });
                d = measure(&mut g, &format!("r{round}/direct"), SAMPLES, 1.0, |i| {
                    timed(i, direct)
                });
                t = measure(&mut g, &format!("r{round}/alien"), SAMPLES, 1.0, |i| {
                    timed(i, table)
                });
            }
            pairs.push("P1", case, "direct", round, t, d);
            pairs.push("P1", case, "libloading", round, t, l);
        }
        g.finish();
    }
    c.final_summary();
    pairs.report();
}
