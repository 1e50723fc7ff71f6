//! Runs one P2-P5 operation `N` times, for counting instructions with
//! callgrind (`bench/sections/rt.sh` runs it for `N` and `2N`; `(Ir(2N) −
//! Ir(N)) / N` is the cost of one operation, startup cancelled):
//!
//! ```text
//! rtcount call <raw|value|libffi|direct> <add2|mix8|sum12> <N>   P2/P3: N calls
//! rtcount sort <alien|plain|libffi|closure_ffi> <N>              P4: N sorts of 100,000 ints
//! rtcount create <alien|libffi|closure_ffi> <N>                  P5: N callbacks made and dropped
//! rtcount comparisons                                           comparisons per P4 sort
//! ```
//!
//! The measured code is `rtcount/loops.rs`, which the criterion benchmarks
//! (`benches/runtime_calls.rs`, `benches/callbacks.rs`) time.

#[path = "rtcount/loops.rs"]
mod loops;

use std::hint::black_box;
use std::process::ExitCode;

const USAGE: &str = "usage: rtcount call <raw|value|libffi|direct> <add2|mix8|sum12> <N>\n       \
                     rtcount sort <alien|plain|libffi|closure_ffi> <N>\n       \
                     rtcount create <alien|libffi|closure_ffi> <N>\n       \
                     rtcount comparisons";

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    let number = |i: usize| arg(i).and_then(|n| n.parse::<u64>().ok());
    match arg(1) {
        Some("call") => {
            let (Some(variant), Some(f), Some(n)) = (arg(2), arg(3), number(4)) else {
                return usage();
            };
            let rt = match loops::Rt::new() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("rtcount: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let Some(r) = loops::run_call(&rt, variant, f, black_box(n)) else {
                return usage();
            };
            println!("{variant} {f} x {n}: {r}");
        }
        Some("sort") => {
            let (Some(variant), Some(n)) = (arg(2), number(3)) else {
                return usage();
            };
            let input = loops::shuffled(loops::SORT_LEN);
            let mut buf = vec![0; input.len()];
            let descending = black_box(false);
            let done = loops::with_comparator(variant, &descending, |cmp| {
                loops::sorts(&input, &mut buf, cmp, black_box(n));
            });
            if done.is_none() {
                return usage();
            }
            if !buf.windows(2).all(|w| w[0] <= w[1]) {
                eprintln!("rtcount: {variant} did not sort");
                return ExitCode::FAILURE;
            }
            println!("sort {variant} x {n}");
        }
        Some("create") => {
            let (Some(variant), Some(n)) = (arg(2), number(3)) else {
                return usage();
            };
            let descending = black_box(false);
            if loops::run_create(variant, &descending, black_box(n)).is_none() {
                return usage();
            }
            println!("create {variant} x {n}");
        }
        Some("comparisons") => {
            let input = loops::shuffled(loops::SORT_LEN);
            println!("{}", loops::comparisons(&input));
        }
        _ => return usage(),
    }
    ExitCode::SUCCESS
}
