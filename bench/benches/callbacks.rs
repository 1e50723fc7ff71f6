//! P4 and P5: Rust closures as C function pointers.
//!
//! * P4: glibc's `qsort` of 100,000 shuffled ints (the same input copied in
//!   before every sort) with four comparators doing the same work (read a
//!   direction flag, compare two ints): an `alien::Callback`, a plain
//!   `extern "C" fn` (the flag in a static, since it cannot capture), a
//!   libffi closure (`libffi::high::Closure2`) and a closure-ffi `BareFn`.
//!   The three closures capture a reference to the flag. Reported per
//!   comparison (time of one sort, copy included, divided by the number of
//!   comparisons it makes).
//! * P5: creating and dropping one callback: `alien::Callback::new` vs
//!   `libffi::high::Closure2::new` and `closure_ffi::BareFn::new_c`.
//!
//! The measured loops are in `src/bin/rtcount/loops.rs`, the code `rtcount`
//! runs under callgrind.
//!
//! `cargo bench -p alien-bench --bench callbacks [-- P4|P5]`

mod common;
#[path = "../src/bin/rtcount/loops.rs"]
mod loops;

use common::{measure, rounds, Pairs};
use criterion::{Criterion, SamplingMode};
use loops::Cmp;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Rounds per comparison.
const ROUNDS: usize = 8;
/// Samples per P4 benchmark (one sort takes milliseconds: flat sampling).
const P4_SAMPLES: usize = 10;
/// Samples per P5 benchmark.
const P5_SAMPLES: usize = 20;

fn p4(c: &mut Criterion, pairs: &mut Pairs) {
    let input = loops::shuffled(loops::SORT_LEN);
    let per_sort = loops::comparisons(&input);
    println!(
        "P4: one sort of {} ints makes {per_sort} comparisons",
        input.len()
    );
    let mut buf = vec![0i32; input.len()];
    let flag = black_box(false);
    loops::PLAIN_DESCENDING.store(flag, std::sync::atomic::Ordering::Relaxed);
    // Made as `loops::with_comparator` makes them (rtcount counts that).
    let alien_cb = alien::Callback::new(loops::closure(&flag));
    let f = loops::closure(&flag);
    let ffi = libffi::high::Closure2::new(&f);
    let cf = closure_ffi::BareFn::new_c(loops::closure(&flag));
    let cmps: [(&str, Cmp); 4] = [
        ("alien", alien_cb.as_fn()),
        ("plain", loops::plain_cmp),
        ("libffi", loops::libffi_fn(&ffi)),
        ("closure_ffi", cf.bare()),
    ];
    let mut want = input.clone();
    want.sort_unstable();
    for (name, cmp) in cmps {
        loops::sort_with(&input, &mut buf, cmp);
        assert!(buf == want, "{name} did not sort");
    }
    let mut g = c.benchmark_group("P4/qsort");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(P4_SAMPLES)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(300));
    for round in 1..=rounds(ROUNDS) {
        let mut order = cmps;
        if round % 2 == 0 {
            order.reverse();
        }
        let mut ns = [None; 4];
        for (name, cmp) in order {
            let at = cmps.iter().position(|(n, _)| *n == name).unwrap_or(0);
            ns[at] = measure(
                &mut g,
                &format!("r{round}/{name}"),
                P4_SAMPLES,
                per_sort as f64,
                |iters| {
                    let start = Instant::now();
                    loops::sorts(&input, &mut buf, cmp, black_box(iters));
                    start.elapsed()
                },
            );
        }
        let [alien, plain, libffi, closure_ffi] = ns;
        let case = "qsort of 100000 ints (per comparison)";
        pairs.push("P4", case, "plain extern C fn", round, alien, plain);
        pairs.push("P4", case, "libffi closure", round, alien, libffi);
        pairs.push("P4", case, "closure-ffi BareFn", round, alien, closure_ffi);
    }
    g.finish();
}

fn p5(c: &mut Criterion, pairs: &mut Pairs) {
    let variants = ["alien", "libffi", "closure_ffi"];
    let flag = black_box(false);
    let mut g = c.benchmark_group("P5/create");
    g.sample_size(P5_SAMPLES)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(250));
    for round in 1..=rounds(ROUNDS) {
        let mut order = variants;
        if round % 2 == 0 {
            order.reverse();
        }
        let mut ns = [None; 3];
        for name in order {
            let at = variants.iter().position(|n| *n == name).unwrap_or(0);
            ns[at] = measure(
                &mut g,
                &format!("r{round}/{name}"),
                P5_SAMPLES,
                1.0,
                |iters| {
                    let start = Instant::now();
                    black_box(loops::run_create(name, &flag, black_box(iters)));
                    start.elapsed()
                },
            );
        }
        let [alien, libffi, closure_ffi] = ns;
        let case = "create + drop one callback";
        pairs.push("P5", case, "libffi closure", round, alien, libffi);
        pairs.push("P5", case, "closure-ffi BareFn", round, alien, closure_ffi);
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default()
        .nresamples(10_000)
        .configure_from_args();
    let mut pairs = Pairs::default();
    p4(&mut c, &mut pairs);
    p5(&mut c, &mut pairs);
    c.final_summary();
    pairs.report();
}
