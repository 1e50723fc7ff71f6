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
python3 - "$WORK" "$BENCH_DIR" "$ROOT" "$CG_N" "$CG_LAZY" "$CALLS" "$SYMBOLS" "$CALLCOUNT" <<'PY'
# Writes RESULTS.md, results.csv and instructions.csv from the raw files run.sh left in WORK.
import collections, csv, glob, json, os, re, statistics, subprocess, sys

work, bench_dir, root, cg_n, cg_lazy, calls_exe, symbols_exe, callcount_exe = sys.argv[1:9]
cg_n, cg_lazy = int(cg_n), int(cg_lazy)
rel = lambda p: os.path.relpath(p, root)
env = {}
for line in open(os.path.join(work, "env.txt")):
    k, _, v = line.rstrip("\n").partition("=")
    env[k] = v
target = rel(env["target_dir"])
tdir = (f"CARGO_TARGET_DIR={target} " if target != "target" else "") + "RUSTFLAGS='-C llvm-args=-align-loops=64' "


def median(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


# ---- timed pairs ----------------------------------------------------------
pairs = collections.OrderedDict()  # (id, case, peer) -> [(alien, peer)]
for name in (["p1.csv", "p6.csv"] + sorted(os.path.basename(p) for p in glob.glob(os.path.join(work, "p7_*.csv")))
             + sorted(os.path.basename(p) for p in glob.glob(os.path.join(work, "timed_*.csv")))):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        continue
    for row in csv.reader(open(path)):
        if len(row) < 6:
            continue
        key = (row[0], row[1], row[2])
        pairs.setdefault(key, []).append((float(row[4]), float(row[5])))

timed = []  # dicts
for (id_, case, peer), rows in pairs.items():
    ratios = [a / p for a, p in rows]
    lo, hi = quartiles(ratios)
    timed.append(dict(id=id_, case=case, peer=peer, alien=median([a for a, _ in rows]),
                      peer_ns=median([p for _, p in rows]), ratio=median(ratios), n=len(rows),
                      lo=lo, hi=hi, ratios=ratios))

# ---- instructions ---------------------------------------------------------
ir = {}
for row in csv.DictReader(open(os.path.join(work, "ir.csv"))):
    ir[(row["id"], row["case"], row["variant"], int(row["n"]))] = int(row["ir"]) if row["ir"] else None


def per_unit(id_, case, variant, n, units):
    a, b = ir.get((id_, case, variant, n)), ir.get((id_, case, variant, 2 * n))
    if a is None or b is None:
        return float("nan")
    return (b - a) / units


decls = 10000
try:
    m = re.search(r"declarations: (\d+)", open(os.path.join(work, "callgrind", "rebind_1.stdout")).read())
    decls = int(m.group(1))
except (OSError, AttributeError):
    pass

instr = []  # id, case, alien, peer, peer_ir
for f in ["add2", "mix8", "sum12"]:
    t = per_unit("P1", f, "table", cg_n, cg_n)
    for peer in ["direct", "libloading"]:
        instr.append(dict(id="P1", case=f, alien=t, peer=peer, peer_ir=per_unit("P1", f, peer, cg_n, cg_n)))
instr.append(dict(id="P6", case="eager bind (rebind_all) per symbol", alien=per_unit("P6", "bind", "alien", 1, decls),
                  peer="dlsym", peer_ir=per_unit("P6", "bind", "dlsym", 1, 10000)))
instr.append(dict(id="P7", case="first (lazy) call per symbol", alien=per_unit("P7", "first call", "alien", cg_lazy, cg_lazy),
                  peer="dlsym+call", peer_ir=per_unit("P7", "first call", "dlsym+call", cg_lazy, cg_lazy)))
for path in sorted(glob.glob(os.path.join(work, "ir_*.csv"))):
    for row in csv.reader(open(path)):
        if len(row) >= 5:
            try:
                instr.append(dict(id=row[0], case=row[1], alien=float(row[2]), peer=row[3], peer_ir=float(row[4])))
            except ValueError:
                pass
for r in instr:
    r["ratio"] = r["alien"] / r["peer_ir"] if r["peer_ir"] else float("nan")


# ---- the same loops timed in the callcount binary ---------------------------
cc_rows = []
for f in ["add2", "mix8", "sum12"]:
    try:
        rows = [l.strip().split(",") for l in open(os.path.join(work, f"p1_callcount_{f}.csv")) if l.strip()]
    except OSError:
        continue
    by = collections.defaultdict(dict)
    for rnd, v, ns in rows:
        by[int(rnd)][v] = float(ns)
    for peer in ["direct", "libloading"]:
        rs = [d["table"] / d[peer] for d in by.values() if "table" in d and peer in d]
        if rs:
            lo, hi = quartiles(rs)
            cc_rows.append((f, peer, median([d["table"] for d in by.values()]), median([d[peer] for d in by.values()]),
                            median(rs), lo, hi, len(rs)))

# ---- callgrind breakdowns (per unit: the 2N run minus the N run) ------------
def cg_table(path):
    out = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", path],
                         capture_output=True, text=True).stdout
    d = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$", line)
        if not m or "PROGRAM TOTALS" in line or m.group(2).startswith("=>"):
            continue
        name = re.sub(r"\s*\[.*\]$", "", m.group(2))
        name = re.sub(r"/rustc/[0-9a-f]+/library/", "<std>/", name)
        name = name.replace(root + "/", "")
        d[name] += int(m.group(1).replace(",", ""))
    return d


def breakdown(a, b, units, top=12):
    try:
        ta, tb = cg_table(os.path.join(work, "callgrind", a)), cg_table(os.path.join(work, "callgrind", b))
    except OSError:
        return "(no callgrind data)"
    diff = {k: (tb[k] - ta[k]) / units for k in set(ta) | set(tb)}
    total = sum(diff.values())
    lines = [f"{total:10.1f}  total per unit (self cost by file:function, inlined code under its source file)"]
    for k, v in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:top]:
        lines.append(f"{v:10.1f}  {k[:160]}")
    return "\n".join(lines)


def extra(a1, a2, ua, b1, b2, ub, top=12):
    """Per unit, what alien (a) spends beyond the peer (b), by function."""
    try:
        t = [cg_table(os.path.join(work, "callgrind", x)) for x in (a1, a2, b1, b2)]
    except OSError:
        return "(no callgrind data)"
    keys = set().union(*t)
    d = {k: (t[1][k] - t[0][k]) / ua - (t[3][k] - t[2][k]) / ub for k in keys}
    d = {k: v for k, v in d.items() if abs(v) >= 0.5}
    lines = [f"{sum(d.values()):10.1f}  alien minus peer, per unit"]
    for k, v in sorted(d.items(), key=lambda kv: -abs(kv[1]))[:top]:
        lines.append(f"{v:10.1f}  {k[:160]}")
    return "\n".join(lines)


# ---- disassembly ------------------------------------------------------------
loop_spans = {}


def loop_body(variant, f, binary="callcount"):
    try:
        text = open(os.path.join(work, "disasm", f"{binary}_{variant}_{f}.txt")).read()
    except OSError:
        return [], ""
    ins = []
    for line in text.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+(.*)$", line)
        if m:
            txt = re.sub(r"\s*#.*$", "", m.group(2).strip())
            ins.append((int(m.group(1), 16), re.sub(r"\s+", " ", txt)))
    body = []
    span = None
    for k in range(len(ins) - 1, -1, -1):
        addr, txt = ins[k]
        m = re.match(r"j\w+ ([0-9a-f]+) <", txt)
        if m and int(m.group(1), 16) < addr and not txt.startswith("jmp"):
            start = int(m.group(1), 16)
            body = [(a, t) for a, t in ins if start <= a <= addr]
            end = ins[k + 1][0] if k + 1 < len(ins) else addr + 2
            span = (start, end)
            break
    loop_spans[(binary, variant, f)] = span
    return body, text


# ---- build time -------------------------------------------------------------
builds = []
for line in open(os.path.join(work, "build_time.txt")) if os.path.exists(os.path.join(work, "build_time.txt")) else []:
    m = re.match(r"build_\d+=([\d.]+) load=([\d.]+)", line)
    if m:
        builds.append((float(m.group(1)), m.group(2)))
build_cmd = ""
for line in open(os.path.join(work, "build_time.txt")) if os.path.exists(os.path.join(work, "build_time.txt")) else []:
    if line.startswith("build_command="):
        build_cmd = line.split("=", 1)[1].strip()


def units(html):
    s = open(html).read()
    i = s.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
    j = s.index("\n];", i) + 2
    return json.loads(s[i:j])


def crate_table(path):
    try:
        u = units(path)
    except (OSError, ValueError):
        return [], []
    u.sort(key=lambda x: -x["duration"])
    versions = collections.defaultdict(set)
    for x in u:
        versions[x["name"]].add(x["version"])
    dup = {n: sorted(v) for n, v in versions.items() if len(v) > 1}
    return u, dup


gen_cost = {}
if os.path.exists(os.path.join(work, "gen_cost.txt")):
    for line in open(os.path.join(work, "gen_cost.txt")):
        k, _, v = line.strip().partition("=")
        gen_cost[k] = float(v)

# ---- results.csv / instructions.csv ---------------------------------------
with open(os.path.join(bench_dir, "results.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "case", "alien_ns", "peer", "peer_ns", "ratio"])
    for r in timed:
        w.writerow([r["id"], r["case"], f"{r['alien']:.3f}", r["peer"], f"{r['peer_ns']:.3f}", f"{r['ratio']:.3f}"])
with open(os.path.join(bench_dir, "instructions.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "case", "alien_ir", "peer", "peer_ir", "ratio"])
    for r in instr:
        w.writerow([r["id"], r["case"], f"{r['alien']:.2f}", r["peer"], f"{r['peer_ir']:.2f}", f"{r['ratio']:.3f}"])

# ---- RESULTS.md -------------------------------------------------------------
B = f"{tdir}cargo bench -p alien-bench --features gen"
exe_calls, exe_sym, exe_cc = rel(calls_exe), rel(symbols_exe), rel(callcount_exe)
cg = "valgrind --tool=callgrind --callgrind-out-file=cg.out"
time_cmd = {
    "P1": lambda case: f"`{B} --bench calls -- P1/{case}`",
    "P6": lambda case: f"`{B} --bench symbols -- P6`",
    "P7": lambda case: f"`ALIEN_BIND=lazy {B} --bench symbols -- P7` (run {len(glob.glob(os.path.join(work, 'p7_*.csv')))} times)",
}
ir_cmd = {
    "P1": lambda case, peer: f"`{cg} {exe_cc} table_{case} N`, same with `{peer}_{case}`; N = {cg_n:,} and {2 * cg_n:,}",
    "P6": lambda case, peer: f"`{cg} {exe_sym} --count rebind N`, same with `--count dlsym N`; N = 1 and 2 passes over {decls:,} symbols",
    "P7": lambda case, peer: f"`ALIEN_BIND=lazy {cg} {exe_sym} --count lazy N`, and `--count dlsymcall N`; N = {cg_lazy:,} and {2 * cg_lazy:,} fresh symbols",
}
goal = {"P1": 1.02, "P6": 1.10, "P7": 1.5}
# Goals of the sections' rows: (id, substring of the peer or None, "ratio" | "ns") -> bound.
peer_goal = {
    ("P2", None, "ratio"): 0.1,
    ("P3", None, "ratio"): 1.5,
    ("P4", "extern", "ratio"): 1.15, ("P4", "plain", "ratio"): 1.15,
    ("P4", "libffi", "ratio"): 1.0, ("P4", "closure", "ratio"): 1.0,
    ("P5", "libffi", "ratio"): 0.5, ("P5", "closure", "ratio"): 1.0,
    ("P8", None, "ratio"): 1.2,
    ("P9", None, "ns"): 10.0,
    ("P12", None, "ratio"): 1.5,
}


def fmt_ns(x):
    return f"{x:,.1f}" if x >= 100 else f"{x:.2f}"


def fmt_time(x):
    """A time given in ns, in the unit that suits it."""
    if x >= 1e9:
        return f"{x / 1e9:.2f} s"
    if x >= 1e6:
        return f"{x / 1e6:,.1f} ms"
    if x >= 1e4:
        return f"{x / 1e3:,.1f} µs"
    return f"{fmt_ns(x)} ns"


def verdict_time(r):
    if r["id"] == "P1":
        return ("no measurable difference" if r["lo"] <= 1.0 <= r["hi"] else
                ("alien slower" if r["lo"] > 1.0 else "alien faster")) + f" (IQR {r['lo']:.3f}–{r['hi']:.3f})"
    return ("met" if r["ratio"] <= goal[r["id"]] else "**not met**") + f" (goal ≤ {goal[r['id']]:.2f}x)"


md = []
A = md.append
A("# alien benchmarks")
A("")
A("Written by `bench/run.sh` (the only command needed: it builds, runs every comparison and writes this file, "
  "`bench/results.csv` and `bench/instructions.csv`). Do not edit by hand.")
A("")
A(f"- **Machine:** {env.get('cpu')}, {env.get('cores')} cores ({env.get('hypervisor') or 'bare metal'} VM); "
  f"load average {env.get('load_start')} at the start, {env.get('load_end')} at the end (other work shares these cores)")
A(f"- **Toolchain:** {env.get('rustc')}; {env.get('cargo')}; {env.get('cc')}; {env.get('glibc')}; {env.get('valgrind')}")
A(f"- **Source:** commit {env.get('commit')}; run {env.get('date')}, {env.get('run_seconds')} s in all "
  f"(of which {env.get('bench_build_seconds')} s building the benchmarks)")
A(f"- **Target directory:** `{target}` (kept apart from the workspace's `target/`). The benchmarks are built once "
  f"(`{tdir}cargo bench -p alien-bench --features gen --no-run`) and the executables run directly, so every figure "
  "comes from that one build even if the sources change during the run; each row's command below is the "
  "equivalent `cargo bench` / `valgrind` invocation.")
A("")
A("## Summary")
A("")
A("Time: median over rounds of the paired ratio alien/peer (both sides measured back to back in one process). "
  "Instructions: callgrind, (Ir(2N) − Ir(N)) / N, deterministic.")
A("")
A("| id | case | alien | peer | peer | time ratio | time ratio, 2nd binary | instr. ratio | goal | verdict |")
A("|---|---|---:|---|---:|---:|---:|---:|---|---|")
for r in timed:
    i = next((x for x in instr if x["id"] == r["id"] and (x["case"] == r["case"] or x["id"] in ("P6", "P7")) and x["peer"] == r["peer"]), None)
    ir_ratio = f"{i['ratio']:.3f}" if i else "–"
    second = "–"
    if r["id"] == "P1":
        g = "instr. ≤ 1.02x, no measurable time difference"
        ok_ir = i and i["ratio"] <= 1.02
        v = ("instr. met" if ok_ir else "**instr. not met**") + "; time: " + verdict_time(r)
        cc = next((c for c in cc_rows if c[0] == r["case"] and c[1] == r["peer"]), None)
        if cc:
            second = f"{cc[4]:.3f}"
            if (r["lo"] > 1.0 or r["hi"] < 1.0) and (cc[5] <= 1.0 <= cc[6] or (cc[6] < 1.0) != (r["hi"] < 1.0)):
                v += "; not in the 2nd binary: placement, see P1"
    elif r["id"] in goal:
        g = f"≤ {goal[r['id']]:.2f}x"
        v = verdict_time(r).split(" (")[0]
    elif "Value" in r["case"]:
        g, v = "–", "extra row (the checked `Value` path; the goal is for the raw path)"
    else:
        g, v = "–", "reported"
        for (gid, gpeer, gkind), gval in peer_goal.items():
            if gid == r["id"] and (gpeer is None or gpeer in r["peer"]):
                if gkind == "ns":
                    g, met = f"≤ {gval:g} ns", r["alien"] <= gval
                else:
                    g, met = f"≤ {gval:.2f}x", r["ratio"] <= gval
                v = "met" if met else "**not met**"
                break
    A(f"| {r['id']} | {r['case']} | {fmt_time(r['alien'])} | {r['peer']} | {fmt_time(r['peer_ns'])} | "
      f"**{r['ratio']:.3f}** | {second} | {ir_ratio} | {g} | {v} |")
if builds:
    med = statistics.median(b for b, _ in builds)
    A(f"| build | clean debug build of a crate declaring `cos` | {med:.1f} s | – | – | – | – | – | ≤ 20 s | "
      f"{'met' if med <= 20 else '**not met**'} |")
A("")
A("## Method")
A("")
A("This VM measures identical code up to 2x apart between runs, so no figure here compares two separate runs. "
  "Each comparison runs inside one process: a round measures alien and its peer(s) back to back with criterion "
  "(warm-up, samples; the figure per side is the median of criterion's per-iteration sample times, criterion's "
  "`median`), the order alternates between rounds, and the reported ratio is the median over rounds of "
  "alien/peer. The `alien` and `peer` columns are the medians of each side over the rounds. For P1, \"no measurable "
  "difference\" means the interquartile range of the per-round ratios contains 1.0. "
  "Instruction counts come from callgrind: the same binary is run for N and 2N units, and "
  "(Ir(2N) − Ir(N)) / N cancels startup exactly.")
A("")
A("## P1: the cost of a call")
A("")
A("`int add2(int,int)`, `double mix8(int,double,int,double,int,double,int,double)` and `long sum12(int × 12)` "
  "(six arguments on the stack) from `bench/c/calls.c`, built into `libalien_bench.so`. Three ways to call them:")
A("")
A("- **alien**: `define_c_function!` declarations with `#[alien(no_callbacks)]` (`bench/src/lib.rs`, module `table`): "
  "wrapper → relaxed load of the slot → indirect call.")
A("- **direct**: `extern \"C\"` declarations; the bench targets link the library (`-l alien_bench`, rpath), so rustc "
  "calls through the GOT.")
A("- **libloading**: a function pointer copied out of a `libloading::Symbol`.")
A("")
A("Every variant is the same `#[inline(never)]` loop (`alien_bench::loops::bench_loop_<variant>_<function>`: "
  "first argument from the loop counter, results summed); criterion times it and callgrind counts it. The benchmarks "
  "are built with `RUSTFLAGS='-C llvm-args=-align-loops=64'`, so every loop body starts a 64-byte line in every "
  "variant alike: before that, where the linker happened to put each loop decided `add2` by 20 % (the same machine "
  "code measured 1.20 in one binary and 1.00 in another, and after an unrelated change 1.20 in both).")
A("")
A("### Time per call (ns)")
A("")
A("| case | alien | peer | peer | ratio | per-round ratios | command |")
A("|---|---:|---|---:|---:|---|---|")
for r in timed:
    if r["id"] == "P1":
        A(f"| {r['case']} | {r['alien']:.3f} | {r['peer']} | {r['peer_ns']:.3f} | **{r['ratio']:.3f}** | "
          f"{' '.join(f'{x:.3f}' for x in r['ratios'])} | {time_cmd['P1'](r['case'])} |")
A("")
for f in ["add2", "mix8", "sum12"]:
    for v in ["table", "direct", "libloading"]:
        for b in ["calls", "callcount"]:
            loop_body(v, f, b)
if cc_rows:
    A("The same loops timed a second way, in the `callcount` binary, where the linker put them at other addresses "
      f"(`{exe_cc} --time <function> 100000000 9`: 10^8 calls per variant, 9 rounds alternating the order, "
      "`Instant` around each loop):")
    A("")
    A("| case | alien ns | peer | peer ns | ratio | IQR of per-round ratios |")
    A("|---|---:|---|---:|---:|---|")
    for f, peer, a, b, r, lo, hi, n in cc_rows:
        A(f"| {f} | {a:.3f} | {peer} | {b:.3f} | **{r:.3f}** | {lo:.3f}–{hi:.3f} ({n} rounds) |")
    A("")
    A("Where each loop sits (start of the loop body; bytes; offset of the start in its 64-byte line; whether the body "
      "crosses a 32-byte window or a 64-byte line). The two binaries run the same machine code; where their ratios "
      "disagree, placement (uop-cache windows, fetch lines) and not the call path is the cause.")
    A("")
    A("| function | variant | `calls` (criterion) | `callcount` |")
    A("|---|---|---|---|")
    def place(sp):
        if not sp:
            return "?"
        a, e = sp
        return (f"{a:#x}, {e - a} B, +{a % 64}; " + ("crosses 32B" if a // 32 != (e - 1) // 32 else "one 32B window")
                + (", crosses 64B line" if a // 64 != (e - 1) // 64 else ""))
    for f in ["add2", "mix8", "sum12"]:
        for v in ["table", "direct", "libloading"]:
            A(f"| {f} | {'alien' if v == 'table' else v} | {place(loop_spans.get(('calls', v, f)))} | "
              f"{place(loop_spans.get(('callcount', v, f)))} |")
    A("")
A("### Instructions per call (callgrind)")
A("")
A("| case | alien | peer | peer | ratio | command |")
A("|---|---:|---|---:|---:|---|")
for r in instr:
    if r["id"] == "P1":
        A(f"| {r['case']} | {r['alien']:.2f} | {r['peer']} | {r['peer_ir']:.2f} | **{r['ratio']:.3f}** | {ir_cmd['P1'](r['case'], r['peer'])} |")
A("")
A("The counts include the loop's own work (counter, argument set-up, summing) and the C function's body, the same "
  "for every variant; the difference between variants is the call path alone.")
A("")
A("### Why the instruction counts differ: the loops (`objdump -d`)")
A("")
for f in ["add2", "mix8", "sum12"]:
    bt, _ = loop_body("table", f)
    bd, _ = loop_body("direct", f)
    bl, _ = loop_body("libloading", f)
    A(f"**{f}**: loop body {len(bt)} instructions through alien's table, {len(bd)} direct, {len(bl)} through libloading.")
    A("")
    A("```")
    A(f"alien (bench_loop_table_{f})".ljust(60) + f"direct (bench_loop_direct_{f})")
    for k in range(max(len(bt), len(bd))):
        left = bt[k][1] if k < len(bt) else ""
        right = bd[k][1] if k < len(bd) else ""
        A(left.ljust(60) + right)
    A("```")
    A("")
bt, _ = loop_body("table", "add2")
slot = [t for _, t in bt if re.match(r"mov \(%\w+\),%r\w+", t)]
A("In the direct loop LLVM loads the GOT entry once, before the loop (it is read-only after relocation), and calls "
  "through a register (`call *%r..`). In alien's loop the address of the declaration's `Decl` is hoisted the same way, "
  f"but the slot itself is re-read on every iteration (`{slot[0] if slot else 'mov (%reg),%rax'}` before `call *%rax`): "
  "the slot is an `AtomicPtr` read with a relaxed atomic load, which LLVM neither hoists out of the loop (another "
  "thread may rebind it, and the call may change it) nor folds into the call as a memory operand (`call *(%reg)`). "
  "That one `mov` per call is the whole instruction difference; the C function, argument set-up and loop are "
  "identical. "
  "`#[alien(no_callbacks)]` does not change the generated call (it is recorded as a flag only; the call is "
  "`extern \"C-unwind\"` either way), so the default declaration would measure the same.")
A("")
def crosses64(sp):
    return bool(sp) and sp[0] // 64 != (sp[1] - 1) // 64


crit = next((r for r in timed if r["id"] == "P1" and r["case"] == "add2" and r["peer"] == "direct"), None)
cc = next((c for c in cc_rows if c[0] == "add2" and c[1] == "direct"), None)
if crit and cc:
    consistent = True
    for binary, ratio in (("calls", crit["ratio"]), ("callcount", cc[4])):
        t, d = crosses64(loop_spans.get((binary, "table", "add2"))), crosses64(loop_spans.get((binary, "direct", "add2")))
        if t != d:
            consistent &= (ratio > 1.05) == t and (ratio < 0.95) == d
        else:
            consistent &= 0.95 <= ratio <= 1.05
    if consistent:
        A("In time the extra `mov` (an L1 hit; the call target is predicted, so the load is off the critical path) "
          "does not decide the result. For add2 the two binaries disagree: in each, the slower of alien and direct is "
          "the one whose 27-byte loop crosses a 64-byte line (placement table above): "
          f"alien/direct = {crit['ratio']:.3f} in the criterion binary, {cc[4]:.3f} in `callcount`. That difference "
          "is code placement of a tiny loop, not the call path. For the longer loops, alien/direct: "
          + "; ".join(f"{f} {next(r['ratio'] for r in timed if r['id'] == 'P1' and r['case'] == f and r['peer'] == 'direct'):.3f} "
                      f"(criterion), {next(c[4] for c in cc_rows if c[0] == f and c[1] == 'direct'):.3f} (callcount)"
                      for f in ("mix8", "sum12"))
          + " (spread in the tables above).")
    else:
        A("In time, compare the criterion ratios with the second binary's: a difference that changes sign or size "
          "between two placements of the same machine code is placement, not the call path.")
    A("")
A("## P6: eager startup binding of 10,000 symbols")
A("")
A("`bench/build.rs` generates `libalien_gen.so` (10,000 functions `int gen_fNNNNN(int)`) and their "
  "`define_c_function!` declarations (100 blocks of 100, one module per block), included by the `symbols` bench. "
  "alien: `alien::rebind_all()` (what startup does: look every declaration up, write its slots) divided by the "
  "number of declarations; peer: `dlsym` of the same names (pre-made `CString`s) on the same library handle, per name.")
A("")
A("| case | alien ns/symbol | peer | peer ns/symbol | ratio | per-round ratios | instructions alien / peer | command |")
A("|---|---:|---|---:|---:|---|---|---|")
for r in timed:
    if r["id"] == "P6":
        i = next(x for x in instr if x["id"] == "P6")
        A(f"| {r['case']} | {r['alien']:.1f} | {r['peer']} | {r['peer_ns']:.1f} | **{r['ratio']:.3f}** | "
          f"{' '.join(f'{x:.3f}' for x in r['ratios'])} | {i['alien']:.0f} / {i['peer_ir']:.0f} = {i['ratio']:.3f} | "
          f"{time_cmd['P6']('')}; instructions: {ir_cmd['P6']('', '')} |")
A("")
A("What `rebind_all` spends per symbol beyond bare `dlsym` (callgrind self cost per function, 2 passes minus 1 "
  "pass, divided by the symbols, alien minus dlsym; inlined code is listed under its source file):")
A("")
A("```")
A(extra("rebind_1", "rebind_2", decls, "dlsym_1", "dlsym_2", 10000))
A("```")
A("")
A("The time ratio is larger than the instruction ratio: the per-symbol work alien adds touches each declaration's "
  "record (`Decl` and its name) for the first time in the pass, about 10,000 × 100+ bytes spread "
  "over the binary's data, where the `dlsym` loop reads one contiguous vector of names.")
A("")
A("### Isolating the 10,000 declarations")
A("")
if gen_cost:
    A(f"`cargo clippy --no-deps -p alien-bench --features gen --bench symbols` (the target with the 10,000 "
      f"declarations) takes **{gen_cost.get('clippy_symbols', float('nan')):.1f} s** after touching it, against "
      f"{gen_cost.get('clippy_calls', float('nan')):.1f} s for the `calls` bench target without them (this run). "
      "That is far over the +30 s budget for the workspace's `cargo clippy --workspace --all-targets` / "
      "`cargo test --workspace`, so:")
else:
    A("(Not measured in this run: `ALIEN_BENCH_SKIP_GEN_COST=1`.)")
A("")
A("- they are generated only when the bench crate's `gen` feature is on (`bench/build.rs` skips the 10,000-function C "
  "library and the declarations otherwise), and the only target that includes them (`benches/symbols.rs`) has "
  "`required-features = [\"gen\"]`. The workspace's `cargo test --workspace` and `cargo clippy --workspace "
  "--all-targets` do not enable it and never compile them; `bench/run.sh` does (`--features gen`), in its own target "
  "directory. (`--all-features` would include them.)")
A("- they are split into one block (and module) per 100 declarations, as generated code would be. Each "
  "declaration's companion module names the items it re-exports from the declaring scope; it no longer "
  "glob-imports its parent (`use super::*`), which made N declarations in one scope cost O(N²) in name resolution "
  "(measured before the change with `cargo check`: 1,000 declarations in one module 15 s / 0.9 GB, 2,000: 36 s / "
  "3.1 GB, 10,000 did not fit in 24 GB; after it, 2,000 in one module check in about 10 s / 0.8 GB and 10,000 in "
  "about 90 s / 3.4 GB on this machine under load).")
A("")
A("## P7: the first (lazy) call")
A("")
A("In a process started with `ALIEN_BIND=lazy` every declaration starts on its lazy stub. Each measured alien call is "
  "the first call of a symbol (stub → resolver → lookup → bind → call); the peer is `dlsym` of a name never looked up "
  "before plus a call through the result. alien uses the first half of the 10,000 functions, the peer the second "
  "half; each sample is a batch of 20 fresh calls (criterion `iter_custom`, one warm-up batch, flat sampling), and "
  "the process is started several times for more rounds. alien's calls are made as a program makes them: each "
  "batch is a generated function of 20 direct calls of declared functions (`GEN_BATCHES` in the generated "
  "`gen_decls.rs`). Until session 4 they went through a table of 10,000 wrapper pointers, which added an indirect "
  "call to a never-seen target per first call; that change alone moved the ratio from about 1.84 to about 1.8. "
  "What moved it to the figure below is the layout of the records: a `define_c_function!` block is now one array of "
  "`Decl`s in declaration order (each declaration had a static of its own before, and codegen units scattered them "
  "about 100 KB apart), and a `Decl` is 64-byte aligned with everything a first call reads in its first cache line.")
A("")
A("| case | alien ns/call | peer | peer ns/call | ratio | rounds | per-round ratios | instructions alien / peer | command |")
A("|---|---:|---|---:|---:|---:|---|---|---|")
for r in timed:
    if r["id"] == "P7":
        i = next(x for x in instr if x["id"] == "P7")
        A(f"| {r['case']} | {r['alien']:,.0f} | {r['peer']} | {r['peer_ns']:,.0f} | **{r['ratio']:.2f}** | {r['n']} | "
          f"{' '.join(f'{x:.1f}' for x in r['ratios'])} | {i['alien']:,.0f} / {i['peer_ir']:,.0f} = {i['ratio']:.1f} | "
          f"{time_cmd['P7']('')}; instructions: {ir_cmd['P7']('', '')} |")
A("")
A(f"What a first call spends beyond `dlsym` + call (callgrind self cost per function, {2 * cg_lazy:,} first calls "
  f"minus {cg_lazy:,}, per call, alien minus peer; the stubs and the resolver routine are generated machine code "
  "without symbols and show as `???` or not at all):")
A("")
lazy_breakdown = extra(f"lazy_{cg_lazy}", f"lazy_{2 * cg_lazy}", cg_lazy,
                       f"dlsymcall_{cg_lazy}", f"dlsymcall_{2 * cg_lazy}", cg_lazy, 16)
A("```")
A(lazy_breakdown)
A("```")
A("")
def cache_per_call(kind):
    def summ(n):
        ev = None
        try:
            for line in open(os.path.join(work, "callgrind", f"cache_{kind}_{n}")):
                if line.startswith("events:"):
                    ev = line.split()[1:]
                if line.startswith("summary:") and ev:
                    return dict(zip(ev, map(int, line.split()[1:])))
        except OSError:
            return None
        return None
    a, b = summ(cg_lazy), summ(2 * cg_lazy)
    if not a or not b:
        return None
    return {k: (b[k] - a[k]) / cg_lazy for k in a}


ca, cp = cache_per_call("lazy"), cache_per_call("dlsymcall")
A("Beyond the `dlsym` work both sides share, a first call goes through the declaration's wrapper, its lazy stub, "
  "the resolver routine (which saves the argument registers, `xmm0`–`xmm7` included), `catch_unwind`, the table "
  "lock, the lookup and the binding. The time ratio is larger than the instruction ratio because of where those "
  "instructions are: each first call runs code nothing ran before (its lazy stub) and reads a declaration record "
  "nothing read before, where the peer calls from one hot loop through a pointer.")
if ca and cp:
    A("")
    A(f"Cache misses per first call, simulated by cachegrind (`--cache-sim=yes`, {2 * cg_lazy:,} calls minus "
      f"{cg_lazy:,}):")
    A("")
    A("| | instructions | L1 instruction misses | last-level instruction misses | L1 data read misses | last-level data read misses |")
    A("|---|---:|---:|---:|---:|---:|")
    for label, c in (("alien (first call)", ca), ("dlsym + call", cp)):
        A(f"| {label} | {c.get('Ir', 0):,.0f} | {c.get('I1mr', 0):.2f} | {c.get('ILmr', 0):.2f} | "
          f"{c.get('D1mr', 0):.2f} | {c.get('DLmr', 0):.2f} |")
A("")
A("## Build time")
A("")
if builds:
    A("A crate with `alien = { path = \"<repo>/runtime\" }`, one `define_c_function!` of `cos` from `\"m\"` and a "
      "`main` that calls it, created in a temporary directory by `bench/run.sh`, with the workspace's `Cargo.lock`; "
      f"`{build_cmd}`, three times, each with an empty target directory.")
    A("")
    A("| run | wall seconds | load average before |")
    A("|---:|---:|---:|")
    for k, (b, load) in enumerate(builds, 1):
        A(f"| {k} | {b:.1f} | {load} |")
    A(f"| **median** | **{statistics.median(b for b, _ in builds):.1f}** | |")
    A("")
    u, dup = crate_table(os.path.join(work, f"build_time_{len(builds)}.html"))
    if u:
        A(f"Which crates dominate (`cargo build --timings`, run {len(builds)}; seconds of that unit's compilation; "
          "2 cores, so units overlap):")
        A("")
        A("| unit | seconds | started at |")
        A("|---|---:|---:|")
        for x in u[:10]:
            A(f"| {x['name']} {x['version']}{x['target']} | {x['duration']:.2f} | {x['start']:.2f} |")
        A("")
        if dup:
            A("Compiled in more than one version: " + ", ".join(f"`{n}` {' and '.join(v)}" for n, v in dup.items()) + ".")
            users = collections.defaultdict(list)
            try:
                lock = open(os.path.join(work, "build_time.lock")).read()
                for block in lock.split("[[package]]")[1:]:
                    pname = re.search(r'name = "([^"]+)"', block).group(1)
                    for dep in re.findall(r'"([^" ]+) ([^" ]+)"', block.split("dependencies", 1)[-1]):
                        users[dep].append(pname)
            except OSError:
                pass
            for n, vs in dup.items():
                who = [f"{n} {v} by " + ", ".join(f"`{u}`" for u in users.get((n, v), ["?"])) for v in vs]
                A("(" + "; ".join(who) + ".)")
            A("")
        twice = [n for (n, _), c in collections.Counter((x["name"], x["version"]) for x in u
                                                       if "build-script" not in x["target"]).items() if c > 1]
        if twice:
            A("Compiled twice (host for the proc macro and target with other features): " + ", ".join(f"`{n}`" for n in twice) + ".")
            A("")
for path in sorted(glob.glob(os.path.join(work, "section_*.md"))):
    A(open(path).read().rstrip("\n"))
    A("")
open(os.path.join(bench_dir, "RESULTS.md"), "w").write("\n".join(md) + "\n")
print("\n".join(md[:40]))
PY
log "done in $(( $(date +%s) - START )) s"
