//! Paired measurement on top of criterion.
//!
//! This VM measures identical code up to 2x apart between runs, so a
//! comparison is never "alien's run vs the peer's run": every benchmark
//! runs both sides back to back in the same process, several rounds with the
//! order alternating, and reports the median of the per-round ratios.
//!
//! Criterion does the measuring (warm-up, sampling, its usual report); the
//! routines here record the samples criterion takes, so the per-round figure
//! is the median of criterion's per-iteration sample times, the same number
//! criterion prints as `median` in its estimates.

#![allow(dead_code)]

use criterion::measurement::WallTime;
use criterion::BenchmarkGroup;
use std::cell::RefCell;
use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

/// The time of one call of a measured loop, `f(iters)`, its result kept.
pub fn timed(iters: u64, f: impl Fn(u64) -> f64) -> Duration {
    let start = Instant::now();
    black_box(f(black_box(iters)));
    start.elapsed()
}

/// How many rounds: `ALIEN_BENCH_ROUNDS`, or `default`.
pub fn rounds(default: usize) -> usize {
    std::env::var("ALIEN_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs `routine` as criterion benchmark `id` of `group` and returns the
/// median of its samples in nanoseconds per iteration divided by `per_iter`
/// (how many operations one iteration does), or `None` when criterion did not
/// measure it (filtered out, `--test`, `--list`). `routine(iters)` runs
/// `iters` iterations and returns the time they took (criterion's
/// `iter_custom`). `sample_size` must be the group's sample size: the last
/// `sample_size` calls criterion makes are its samples (before them come the
/// warm-up calls).
pub fn measure(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    sample_size: usize,
    per_iter: f64,
    mut routine: impl FnMut(u64) -> Duration,
) -> Option<f64> {
    let log: RefCell<Vec<(u64, Duration)>> = RefCell::new(Vec::new());
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let d = routine(iters);
            log.borrow_mut().push((iters, d));
            d
        })
    });
    let log = log.into_inner();
    if log.len() <= sample_size {
        return None;
    }
    let samples: Vec<f64> = log[log.len() - sample_size..]
        .iter()
        .map(|&(iters, d)| d.as_nanos() as f64 / iters as f64 / per_iter)
        .collect();
    Some(median(&samples))
}

/// One round of one comparison.
#[derive(Debug, Clone)]
pub struct Pair {
    pub id: String,
    pub case: String,
    pub peer: String,
    pub round: usize,
    pub alien_ns: f64,
    pub peer_ns: f64,
}

/// Every pair measured by this process.
#[derive(Debug, Default)]
pub struct Pairs {
    pairs: Vec<Pair>,
}

impl Pairs {
    /// Records one round (nothing when either side was not measured).
    pub fn push(
        &mut self,
        id: &str,
        case: &str,
        peer: &str,
        round: usize,
        alien_ns: Option<f64>,
        peer_ns: Option<f64>,
    ) {
        if let (Some(alien_ns), Some(peer_ns)) = (alien_ns, peer_ns) {
            self.pairs.push(Pair {
                id: id.to_owned(),
                case: case.to_owned(),
                peer: peer.to_owned(),
                round,
                alien_ns,
                peer_ns,
            });
        }
    }

    /// Prints the summary (median of the paired ratios per comparison) and,
    /// when `ALIEN_BENCH_RAW` names a file, appends every round to it as
    /// `id,case,peer,round,alien_ns,peer_ns` for bench/run.sh to aggregate.
    pub fn report(&self) {
        let mut keys: Vec<(&str, &str, &str)> = Vec::new();
        for p in &self.pairs {
            let k = (p.id.as_str(), p.case.as_str(), p.peer.as_str());
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        if !keys.is_empty() {
            println!("\nPaired results (median over rounds of alien/peer):");
            println!(
                "{:<4} {:<28} {:>12} {:<14} {:>12} {:>7}  per-round ratios",
                "id", "case", "alien ns", "peer", "peer ns", "ratio"
            );
        }
        for (id, case, peer) in keys {
            let rows: Vec<&Pair> = self
                .pairs
                .iter()
                .filter(|p| p.id == id && p.case == case && p.peer == peer)
                .collect();
            let ratios: Vec<f64> = rows.iter().map(|p| p.alien_ns / p.peer_ns).collect();
            let a: Vec<f64> = rows.iter().map(|p| p.alien_ns).collect();
            let b: Vec<f64> = rows.iter().map(|p| p.peer_ns).collect();
            let each: Vec<String> = ratios.iter().map(|r| format!("{r:.3}")).collect();
            println!(
                "{id:<4} {case:<28} {:>12.2} {peer:<14} {:>12.2} {:>7.3}  {}",
                median(&a),
                median(&b),
                median(&ratios),
                each.join(" ")
            );
        }
        if let Some(path) = std::env::var_os("ALIEN_BENCH_RAW") {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path);
            match file {
                Ok(mut f) => {
                    let field = |s: &str| s.replace(',', ";");
                    for p in &self.pairs {
                        let _ = writeln!(
                            f,
                            "{},{},{},{},{:.4},{:.4}",
                            field(&p.id),
                            field(&p.case),
                            field(&p.peer),
                            p.round,
                            p.alien_ns,
                            p.peer_ns
                        );
                    }
                }
                Err(e) => eprintln!("cannot append to {}: {e}", path.to_string_lossy()),
            }
        }
    }
}
