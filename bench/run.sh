#!/usr/bin/env bash
# Runs alien's benchmarks and writes bench/RESULTS.md, bench/results.csv
# (id,case,alien_ns,peer,peer_ns,ratio: one row per timed comparison) and
# bench/instructions.csv (the same rows counted in instructions with callgrind).
#
#   bench/run.sh                # everything (about 10-15 minutes on 2 cores, builds included)
#   bench/run.sh --report-only  # rewrite the reports from the last run's raw data
#
# Environment:
#   ALIEN_BENCH_TARGET_DIR  cargo target directory (default: <repo>/target/bench,
#                           kept apart from the workspace's target/ so the runs
#                           never wait for, or invalidate, other builds)
#   ALIEN_BENCH_ROUNDS      rounds per comparison (default: P1 15, P6 5, P7 5 per process)
#   ALIEN_BENCH_P7_PROCS    processes for P7 (default 5; each has 5,000 fresh symbols per side)
#   ALIEN_BENCH_SKIP_GEN_COST=1  skip measuring what the 10,000 declarations cost clippy
#
# Method: this VM measures identical code up to 2x apart between runs, so every
# comparison runs both sides in the same process, several rounds alternating
# the order, and reports the median of the per-round ratios (benches/common).
# The call-path rows are also counted in instructions with callgrind, which is
# deterministic: (Ir(2N) - Ir(N)) / N, so startup cancels.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
cd "$ROOT"
export CARGO_TARGET_DIR=${ALIEN_BENCH_TARGET_DIR:-$ROOT/target/bench}
BENCH_RUSTFLAGS="-C llvm-args=-align-loops=64"
WORK=$CARGO_TARGET_DIR/alien-bench-run
P7_PROCS=${ALIEN_BENCH_P7_PROCS:-5}
CG_N=1000000          # P1: calls per callgrind run (and 2N)
CG_LAZY=1000          # P7: first calls per callgrind run (and 2N)
REPORT_ONLY=
if [ "${1:-}" = "--report-only" ]; then
    REPORT_ONLY=1   # rewrite the reports from the last run's raw data (in $WORK)
    [ -f "$WORK/env.txt" ] || { echo "run.sh: no previous run in $WORK" >&2; exit 1; }
else
    rm -rf "$WORK"
fi
mkdir -p "$WORK/callgrind" "$WORK/disasm"
START=$(date +%s)

log() { printf '[run.sh %4ds] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }
need() { command -v "$1" >/dev/null || { echo "run.sh: needs $1" >&2; exit 1; }; }
need cargo; need valgrind; need callgrind_annotate; need objdump; need python3
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

if [ -z "$REPORT_ONLY" ]; then
# --- the machine ---------------------------------------------------------
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "cores=$(nproc)"
    echo "hypervisor=$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -1)"
    echo "rustc=$(rustc -V)"
    echo "cargo=$(cargo -V)"
    echo "glibc=$(ldd --version | head -1)"
    echo "valgrind=$(valgrind --version)"
    echo "cc=$(cc --version | head -1)"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "target_dir=$CARGO_TARGET_DIR"
} > "$WORK/env.txt"

# --- build ---------------------------------------------------------------
FEAT=(-p alien-bench --features gen)
log "building the benchmarks (first run: criterion and 10,000 generated declarations take minutes)"
build_start=$(date +%s)
# Every loop header starts a 64-byte line, in every variant alike: otherwise
# where the linker happens to put a 10-instruction loop (across a 32-byte
# uop-cache window or a fetch line, or not) decides a P1 row by 20 %.
RUSTFLAGS="${RUSTFLAGS:-} $BENCH_RUSTFLAGS" cargo bench "${FEAT[@]}" --no-run --message-format=json-render-diagnostics > "$WORK/build.json"
echo "bench_build_seconds=$(( $(date +%s) - build_start ))" >> "$WORK/env.txt"
fi
exe() {
    python3 - "$WORK/build.json" "$1" <<'EOF'
import json, sys
path = None
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[2] and m.get("executable"):
        # benches: the bench harness; the callcount binary: the plain binary
        if m["profile"]["test"] == ("bench" in m["target"]["kind"]):
            path = m["executable"]
print(path or "")
EOF
}
CALLS=$(exe calls); SYMBOLS=$(exe symbols); CALLCOUNT=$(exe callcount)
if [ -z "$REPORT_ONLY" ]; then
for e in "$CALLS" "$SYMBOLS" "$CALLCOUNT"; do [ -x "$e" ] || { echo "run.sh: missing executable ($e)" >&2; exit 1; }; done

# What `cargo bench -p alien-bench --features gen --bench <name>` runs: the
# bench executable with `--bench`, from the package directory. The executables
# built above are run directly so that every figure comes from this one build,
# even if the sources change while the benchmarks run.
run_bench() { # executable, args...
    local e=$1; shift
    (cd "$BENCH_DIR" && "$e" --bench "$@")
}

# --- P1: call path, timed ------------------------------------------------
log "P1: timing add2 / mix8 / sum12 (alien table vs direct vs libloading)"
ALIEN_BENCH_RAW=$WORK/p1.csv run_bench "$CALLS" > "$WORK/p1.log" 2>&1
grep -A8 '^Paired results' "$WORK/p1.log" >&2 || true

# --- P1: call path, instructions -----------------------------------------
ir() { # name, command... -> prints the total Ir
    local out=$WORK/callgrind/$1; shift
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" > "$out.stdout" 2> "$out.log"
    awk '/^summary:/ {print $2; exit}' "$out"
}
log "P1: counting instructions with callgrind (N=$CG_N and 2N)"
echo "id,case,variant,n,ir" > "$WORK/ir.csv"
for f in add2 mix8 sum12; do
    for v in table direct libloading; do
        for n in $CG_N $((2 * CG_N)); do
            echo "P1,$f,$v,$n,$(ir "${v}_${f}_$n" "$CALLCOUNT" "${v}_$f" "$n")" >> "$WORK/ir.csv"
        done
        for e in "$CALLCOUNT" "$CALLS"; do
            objdump -d --no-show-raw-insn "$e" \
                | awk -v fn="<bench_loop_${v}_$f>:" '$2 == fn {p = 1} p && /^$/ {p = 0} p' \
                | grep -v 'int3$' > "$WORK/disasm/$(basename "$e" | cut -d- -f1)_${v}_$f.txt"
        done
    done
done
log "P1: the same loops timed in the callcount binary (other code addresses), 9 rounds"
for f in add2 mix8 sum12; do
    "$CALLCOUNT" --time "$f" 100000000 9 > "$WORK/p1_callcount_$f.csv"
done

# --- P6: eager binding ---------------------------------------------------
log "P6: rebind_all vs dlsym over 10,000 symbols"
ALIEN_BENCH_RAW=$WORK/p6.csv run_bench "$SYMBOLS" > "$WORK/p6.log" 2>&1
grep -A3 '^Paired results' "$WORK/p6.log" >&2 || true
for n in 1 2; do
    echo "P6,bind,alien,$n,$(ir "rebind_$n" "$SYMBOLS" --count rebind $n)" >> "$WORK/ir.csv"
    echo "P6,bind,dlsym,$n,$(ir "dlsym_$n" "$SYMBOLS" --count dlsym $n)" >> "$WORK/ir.csv"
done

# --- P7: lazy first call -------------------------------------------------
log "P7: first (lazy) call vs dlsym + call, $P7_PROCS processes"
for p in $(seq 1 "$P7_PROCS"); do
    ALIEN_BIND=lazy ALIEN_BENCH_RAW=$WORK/p7_$p.csv run_bench "$SYMBOLS" > "$WORK/p7_$p.log" 2>&1
done
grep -A3 '^Paired results' "$WORK/p7_1.log" >&2 || true
for n in $CG_LAZY $((2 * CG_LAZY)); do
    echo "P7,first call,alien,$n,$(ALIEN_BIND=lazy ir "lazy_$n" "$SYMBOLS" --count lazy $n)" >> "$WORK/ir.csv"
    echo "P7,first call,dlsym+call,$n,$(ir "dlsymcall_$n" "$SYMBOLS" --count dlsymcall $n)" >> "$WORK/ir.csv"
done
# Simulated cache misses per first call (cachegrind: 2N runs minus N runs).
for n in $CG_LAZY $((2 * CG_LAZY)); do
    ALIEN_BIND=lazy valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$WORK/callgrind/cache_lazy_$n" \
        "$SYMBOLS" --count lazy $n > /dev/null 2>&1 || true
    valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$WORK/callgrind/cache_dlsymcall_$n" \
        "$SYMBOLS" --count dlsymcall $n > /dev/null 2>&1 || true
done

# --- further sections: bench/sections/*.sh ------------------------------
# Each section file is sourced here with WORK, BENCH_DIR, ROOT,
# CARGO_TARGET_DIR and the functions exe, run_bench, ir and log. A section
# <name>.sh writes $WORK/timed_<name>.csv (the raw rounds Pairs::report
# appends: id,case,peer,round,alien_ns,peer_ns), optionally
# $WORK/ir_<name>.csv (id,case,alien_ir,peer,peer_ir per operation) and
# $WORK/section_<name>.md (included in RESULTS.md as it is).
for section in "$BENCH_DIR"/sections/*.sh; do
    [ -e "$section" ] || continue
    log "section $(basename "$section" .sh)"
    # shellcheck source=/dev/null
    source "$section"
done

# --- what the 10,000 declarations cost the workspace's checks ------------
if [ "${ALIEN_BENCH_SKIP_GEN_COST:-}" != 1 ]; then
    log "P6 isolation: clippy of the bench target with / without the 10,000 declarations"
    cargo clippy --no-deps "${FEAT[@]}" --benches > "$WORK/clippy_warm.log" 2>&1 || true
    for t in calls symbols; do
        touch "$BENCH_DIR/benches/$t.rs"
        s=$(date +%s.%N)
        if cargo clippy --no-deps "${FEAT[@]}" --bench "$t" > "$WORK/clippy_$t.log" 2>&1; then
            echo "clippy_$t=$(since "$s")" >> "$WORK/gen_cost.txt"
        else
            log "clippy of $t failed; see $WORK/clippy_$t.log"
        fi
    done
fi

# --- build time of a minimal crate ---------------------------------------
log "build time: a minimal crate declaring cos from libm, clean debug build x3"
MINI=$(mktemp -d /tmp/alien-build-time.XXXXXX)
mkdir -p "$MINI/src"
cat > "$MINI/Cargo.toml" <<EOF
[package]
name = "alien-build-time"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
alien = { path = "$ROOT/runtime" }

[workspace]
EOF
cat > "$MINI/src/main.rs" <<'EOF'
alien::define_c_function! {
    #![library("m")]
    pub fn cos(x: f64) -> f64;
}

fn main() {
    println!("cos(0) = {}", cos(0.0));
}
EOF
cp "$ROOT/Cargo.lock" "$MINI/Cargo.lock"   # the workspace's versions
OFFLINE=--offline
(cd "$MINI" && CARGO_TARGET_DIR=$MINI/target cargo fetch --offline > /dev/null 2>&1) || OFFLINE=
for i in 1 2 3; do
    rm -rf "$MINI/target"
    load=$(cut -d' ' -f1 /proc/loadavg)
    s=$(date +%s.%N)
    (cd "$MINI" && CARGO_TARGET_DIR=$MINI/target cargo build $OFFLINE --timings > "$WORK/build_time_$i.log" 2>&1)
    echo "build_$i=$(since "$s") load=$load" >> "$WORK/build_time.txt"
    cp "$MINI/target/cargo-timings/cargo-timing.html" "$WORK/build_time_$i.html"
done
"$MINI/target/debug/alien-build-time" > "$WORK/build_time_run.txt"
cp "$MINI/Cargo.lock" "$WORK/build_time.lock"
echo "build_command=cd <tmp> && CARGO_TARGET_DIR=<fresh> cargo build $OFFLINE --timings" >> "$WORK/build_time.txt"
rm -rf "$MINI"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/env.txt"
echo "run_seconds=$(( $(date +%s) - START ))" >> "$WORK/env.txt"

fi

# --- report --------------------------------------------------------------
log "writing bench/RESULTS.md, bench/results.csv, bench/instructions.csv"
python3 "$BENCH_DIR/report/results_md.py" "$WORK" "$BENCH_DIR" "$ROOT" "$CG_N" "$CG_LAZY" "$CALLS" "$SYMBOLS" "$CALLCOUNT"
log "done in $(( $(date +%s) - START )) s"
