//! Calls one benchmark loop `N` times, for counting instructions with
//! callgrind: `callcount <variant>_<function> <N>`, e.g. `callcount table_add2
//! 1000000`. `bench/run.sh` runs it under `valgrind --tool=callgrind` for `N`
//! and `2N`; `(Ir(2N) - Ir(N)) / N` is the instructions per call, startup
//! cancelled.

use alien_bench::{loops, Loaded};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(case), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!("usage: callcount <table|direct|libloading>_<add2|mix8|sum12> <N>");
        return ExitCode::FAILURE;
    };
    let loaded = match Loaded::open() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("callcount: cannot open {}: {e}", alien_bench::BENCH_LIB);
            return ExitCode::FAILURE;
        }
    };
    let result = match case.as_str() {
        "table_add2" => loops::bench_loop_table_add2(n) as f64,
        "direct_add2" => loops::bench_loop_direct_add2(n) as f64,
        "libloading_add2" => loops::bench_loop_libloading_add2(loaded.add2, n) as f64,
        "table_mix8" => loops::bench_loop_table_mix8(n),
        "direct_mix8" => loops::bench_loop_direct_mix8(n),
        "libloading_mix8" => loops::bench_loop_libloading_mix8(loaded.mix8, n),
        "table_sum12" => loops::bench_loop_table_sum12(n) as f64,
        "direct_sum12" => loops::bench_loop_direct_sum12(n) as f64,
        "libloading_sum12" => loops::bench_loop_libloading_sum12(loaded.sum12, n) as f64,
        other => {
            eprintln!("callcount: unknown case `{other}`");
            return ExitCode::FAILURE;
        }
    };
    println!("{case} x {n}: {result}");
    ExitCode::SUCCESS
}
