//! P1b: the cost of a call to a function of a bare block
//! (`#![alien(bare)]`, what `alien-build` emits for functions that need no
//! marshalling): a direct call to the block's trampoline, which jumps through
//! the linkage-table slot. The same three functions as P1 (`int add2(int,
//! int)`, an 8-argument int/double mix, 12 ints with six on the stack),
//! against the direct dynamic-linked call (through the GOT), the libloading
//! function pointer and P1's table wrapper. The loops are
//! `alien_bench::loops` (`bench_loop_bare_*`), which `callcount` also runs.
//!
//! `cargo bench -p alien-bench --bench bare_calls [-- P1b/add2]`

mod common;

use alien_bench::{loops, Loaded};
use common::{measure, rounds, timed, Pairs};
use criterion::Criterion;
use std::time::Duration;

/// Samples per benchmark.
const SAMPLES: usize = 20;
/// Rounds (all four sides back to back) per function.
const ROUNDS: usize = 9;

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
    for f in [
        alien_bench::bare::add2 as *const (),
        alien_bench::bare::mix8 as *const (),
        alien_bench::bare::sum12 as *const (),
    ] {
        match alien::BareFunction::of(f) {
            Ok(b) => assert!(b.is_resolved(), "{} not bound", b.info().symbol),
            Err(e) => panic!("not a bare function: {e}"),
        }
    }
    let mut pairs = Pairs::default();
    type Loop<'a> = Box<dyn Fn(u64) -> f64 + 'a>;
    type Peers<'a> = Vec<(&'a str, Loop<'a>)>;
    // (case, bare, [(peer, loop)])
    let cases: Vec<(&str, Loop<'_>, Peers<'_>)> = vec![
        (
            "add2",
            Box::new(|n| loops::bench_loop_bare_add2(n) as f64),
            vec![
                (
                    "direct",
                    Box::new(|n| loops::bench_loop_direct_add2(n) as f64),
                ),
                (
                    "libloading",
                    Box::new(|n| loops::bench_loop_libloading_add2(loaded.add2, n) as f64),
                ),
                (
                    "table wrapper",
                    Box::new(|n| loops::bench_loop_table_add2(n) as f64),
                ),
            ],
        ),
        (
            "mix8",
            Box::new(loops::bench_loop_bare_mix8),
            vec![
                ("direct", Box::new(loops::bench_loop_direct_mix8)),
                (
                    "libloading",
                    Box::new(|n| loops::bench_loop_libloading_mix8(loaded.mix8, n)),
                ),
                ("table wrapper", Box::new(loops::bench_loop_table_mix8)),
            ],
        ),
        (
            "sum12",
            Box::new(|n| loops::bench_loop_bare_sum12(n) as f64),
            vec![
                (
                    "direct",
                    Box::new(|n| loops::bench_loop_direct_sum12(n) as f64),
                ),
                (
                    "libloading",
                    Box::new(|n| loops::bench_loop_libloading_sum12(loaded.sum12, n) as f64),
                ),
                (
                    "table wrapper",
                    Box::new(|n| loops::bench_loop_table_sum12(n) as f64),
                ),
            ],
        ),
    ];
    for (case, bare, peers) in &cases {
        let mut g = c.benchmark_group(format!("P1b/{case}"));
        for round in 1..=rounds(ROUNDS) {
            // Alternate the order so drift during a round favours no side.
            let mut order: Vec<usize> = (0..=peers.len()).collect();
            if round % 2 == 0 {
                order.reverse();
            }
            let mut times = vec![None; peers.len() + 1];
            for &k in &order {
                times[k] = if k == 0 {
                    measure(&mut g, &format!("r{round}/bare"), SAMPLES, 1.0, |i| {
                        timed(i, bare)
                    })
                } else {
                    let (name, f) = &peers[k - 1];
                    measure(&mut g, &format!("r{round}/{name}"), SAMPLES, 1.0, |i| {
                        timed(i, f)
                    })
                };
            }
            for (k, (name, _)) in peers.iter().enumerate() {
                pairs.push("P1b", case, name, round, times[0], times[k + 1]);
            }
        }
        g.finish();
    }
    c.final_summary();
    pairs.report();
}
