//! P9: the cost of a handle lookup (`alien::handles`), in a registry of
//! 1,000 live objects, on one thread and on two threads at once (both
//! looking up the same registry, starting 500 objects apart). The main rows
//! (id `P9`, goal ≤ 10 ns) are the borrowing lookups,
//! `HandleRegistry<T>::get` (one type) and `Handles::get::<T>` (any type,
//! checked at lookup), which give a `Ref` guard: read, then dropped. Extra
//! rows (id `P9a`, no goal): the `Arc`-returning `lookup`s, whose `Arc` is
//! read and dropped. Peers, holding the same objects: `Arc::clone` out of a
//! `Vec<Arc<T>>` (the floor of an `Arc` lookup), a
//! `Mutex<HashMap<u64, Arc<T>>>` (what a user would otherwise write) and a
//! `RwLock<Vec<Option<Arc<T>>>>`. (`regcount` also counts `p9_weak`,
//! `Weak::upgrade` out of a `Vec<Weak<T>>`, and `p9_ref`, a plain borrow out
//! of the `Vec`: the floor of a borrowing lookup.) The loops are
//! `benches/reg`, the same code `regcount` runs under callgrind.
//!
//! `cargo bench -p alien-bench --bench handles [-- P9]` (criterion's
//! options after `--`, e.g. `--measurement-time 2`; `ALIEN_BENCH_ROUNDS`
//! sets the number of rounds)

mod common;
mod reg;

use common::{measure, rounds, Pairs};
use criterion::Criterion;
use reg::{p9_loop, OBJECTS, P9};
use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Samples per benchmark.
const SAMPLES: usize = 20;
/// Rounds (every side back to back, the order alternating).
const ROUNDS: usize = 9;

type Loop = fn(&P9, usize, u64) -> u64;

/// `iters` lookups on this thread.
fn one_thread(p: &P9, f: Loop, iters: u64) -> Duration {
    let start = Instant::now();
    black_box(f(black_box(p), 0, black_box(iters)));
    start.elapsed()
}

/// `iters` lookups on each of two threads at once; the slower thread's time
/// (each thread times its own loop, after both are started, so thread
/// creation is not counted).
fn two_threads(p: &P9, f: Loop, iters: u64) -> Duration {
    let ready = Barrier::new(2);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|t| {
                let ready = &ready;
                s.spawn(move || {
                    ready.wait();
                    let start = Instant::now();
                    black_box(f(black_box(p), t * OBJECTS / 2, black_box(iters)));
                    start.elapsed()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| match w.join() {
                Ok(d) => d,
                Err(_) => panic!("a lookup thread panicked"),
            })
            .max()
            .unwrap_or_default()
    })
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(300))
        .nresamples(20_000)
        .configure_from_args();
    let p = P9::new();
    // Every loop sees every object (a broken lookup would add u64::MAX).
    let expected: u64 = (0..OBJECTS as u64).sum();
    let all = [
        "get_typed",
        "get_any",
        "ref",
        "typed",
        "any",
        "arc",
        "weak",
        "mutex",
        "rwlock",
    ];
    for name in all {
        let f = p9_loop(name).unwrap_or_else(|| panic!("no loop {name}"));
        assert_eq!(f(&p, 0, OBJECTS as u64), expected, "loop {name}");
    }
    println!(
        "P9: {OBJECTS} objects per registry; grace periods use membarrier: {}",
        alien::handles::uses_membarrier()
    );
    // The measured sides: the cases (the borrowing `get`s first, then the
    // `Arc` lookups), then the peers.
    let sides = [
        "get_typed",
        "get_any",
        "typed",
        "any",
        "arc",
        "mutex",
        "rwlock",
    ];
    // (id, side, case name). No `<`, `>` or `,` in the names: they go into
    // CSV and markdown tables.
    let cases = [
        ("P9", "HandleRegistry::get"),
        ("P9", "Handles::get"),
        ("P9a", "HandleRegistry::lookup returning Arc"),
        ("P9a", "Handles::lookup returning Arc"),
    ];
    let peers = ["Arc::clone from a Vec", "Mutex HashMap", "RwLock Vec"];
    let mut pairs = Pairs::default();
    for threads in [1usize, 2] {
        let label = if threads == 1 {
            "1 thread"
        } else {
            "2 threads"
        };
        let mut g = c.benchmark_group(format!("P9/{label}"));
        for round in 1..=rounds(ROUNDS) {
            let mut order: Vec<usize> = (0..sides.len()).collect();
            // Alternate the order so drift during a round favours no side.
            if round % 2 == 0 {
                order.reverse();
            }
            let mut ns = [None; 7];
            for k in order {
                let f = p9_loop(sides[k]).unwrap_or_else(|| panic!("no loop"));
                let id = format!("r{round}/{}", sides[k]);
                ns[k] = measure(&mut g, &id, SAMPLES, 1.0, |iters| {
                    if threads == 1 {
                        one_thread(&p, f, iters)
                    } else {
                        two_threads(&p, f, iters)
                    }
                });
            }
            for (ci, (id, case)) in cases.iter().enumerate() {
                for (pi, peer) in peers.iter().enumerate() {
                    let case = format!("{case} ({label})");
                    let peer_ns = ns[cases.len() + pi];
                    pairs.push(id, &case, peer, round, ns[ci], peer_ns);
                }
            }
        }
        g.finish();
    }
    c.final_summary();
    pairs.report();
}
