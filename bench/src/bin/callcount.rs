//! Calls one benchmark loop `N` times, for counting instructions with
//! callgrind: `callcount <variant>_<function> <N>`, e.g. `callcount table_add2
//! 1000000`. `bench/run.sh` runs it under `valgrind --tool=callgrind` for `N`
//! and `2N`; `(Ir(2N) - Ir(N)) / N` is the instructions per call, startup
//! cancelled.
//!
//! `callcount --time <add2|mix8|sum12> <N> <rounds>` times the three loops of
//! one function instead (N calls each, `rounds` rounds alternating the
//! order) and prints `round,variant,ns_per_call` lines: the same comparison as
//! the criterion benchmark, with the loops at this binary's addresses.

use alien_bench::{loops, Loaded};
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

fn run(case: &str, n: u64, loaded: &Loaded) -> Option<f64> {
    Some(match case {
        "table_add2" => loops::bench_loop_table_add2(n) as f64,
        "direct_add2" => loops::bench_loop_direct_add2(n) as f64,
        "libloading_add2" => loops::bench_loop_libloading_add2(loaded.add2, n) as f64,
        "table_mix8" => loops::bench_loop_table_mix8(n),
        "direct_mix8" => loops::bench_loop_direct_mix8(n),
        "libloading_mix8" => loops::bench_loop_libloading_mix8(loaded.mix8, n),
        "table_sum12" => loops::bench_loop_table_sum12(n) as f64,
        "bare_add2" => loops::bench_loop_bare_add2(n) as f64,
        "bare_mix8" => loops::bench_loop_bare_mix8(n),
        "bare_sum12" => loops::bench_loop_bare_sum12(n) as f64,
        "direct_sum12" => loops::bench_loop_direct_sum12(n) as f64,
        "libloading_sum12" => loops::bench_loop_libloading_sum12(loaded.sum12, n) as f64,
        _ => return None,
    })
}

fn time(function: &str, n: u64, rounds: usize, loaded: &Loaded) -> ExitCode {
    let mut variants = ["table", "direct", "libloading"];
    for round in 1..=rounds {
        for v in variants {
            let case = format!("{v}_{function}");
            let start = Instant::now();
            let Some(r) = run(&case, black_box(n), loaded) else {
                eprintln!("callcount: unknown function `{function}`");
                return ExitCode::FAILURE;
            };
            let ns = start.elapsed().as_nanos() as f64 / n as f64;
            black_box(r);
            println!("{round},{v},{ns:.4}");
        }
        variants.reverse();
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let loaded = match Loaded::open() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("callcount: cannot open {}: {e}", alien_bench::BENCH_LIB);
            return ExitCode::FAILURE;
        }
    };
    let number = |i: usize| args.get(i).and_then(|n| n.parse::<u64>().ok());
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("--time"), Some(function)) => {
            let (Some(n), Some(rounds)) = (number(3), number(4)) else {
                eprintln!("usage: callcount --time <add2|mix8|sum12> <N> <rounds>");
                return ExitCode::FAILURE;
            };
            time(function, n, rounds as usize, &loaded)
        }
        (Some(case), Some(_)) => {
            let Some(n) = number(2) else {
                eprintln!("usage: callcount <table|direct|libloading>_<add2|mix8|sum12> <N>");
                return ExitCode::FAILURE;
            };
            let Some(result) = run(case, n, &loaded) else {
                eprintln!("callcount: unknown case `{case}`");
                return ExitCode::FAILURE;
            };
            println!("{case} x {n}: {result}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: callcount <table|direct|libloading>_<add2|mix8|sum12> <N>");
            eprintln!("       callcount --time <add2|mix8|sum12> <N> <rounds>");
            ExitCode::FAILURE
        }
    }
}
