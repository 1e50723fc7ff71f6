# P1b: calls to functions of a bare block (`#![alien(bare)]`, what
# alien-build emits for functions that need no marshalling). Sourced by
# bench/run.sh (with WORK, BENCH_DIR, ROOT, CARGO_TARGET_DIR and the
# functions exe, run_bench, ir and log); writes $WORK/timed_bare.csv (the raw
# rounds), $WORK/ir_bare.csv (instructions per call) and
# $WORK/section_bare.md.

bare_section() {
    local bench callcount f v n
    local cg_n=1000000
    bench=$(exe bare_calls)
    callcount=$(exe callcount)
    if [ ! -x "$bench" ] || [ ! -x "$callcount" ]; then
        log "bare: missing executable ($bench, $callcount); skipping P1b"
        return 0
    fi
    rm -f "$WORK/timed_bare.csv" "$WORK/ir_bare.csv" "$WORK/bare_ir_raw.csv" "$WORK/section_bare.md"
    log "P1b: add2 / mix8 / sum12 through a bare block's trampoline vs direct, libloading and the table wrapper"
    ALIEN_BENCH_RAW=$WORK/timed_bare.csv run_bench "$bench" > "$WORK/bare_calls.log" 2>&1
    grep -A10 '^Paired results' "$WORK/bare_calls.log" >&2 || true
    log "P1b: counting instructions with callgrind"
    for f in add2 mix8 sum12; do
        for v in bare direct libloading table; do
            for n in $cg_n $((2 * cg_n)); do
                echo "$f,$v,$n,$(ir "bare_${v}_${f}_$n" "$callcount" "${v}_$f" "$n")" >> "$WORK/bare_ir_raw.csv"
            done
        done
    done
    python3 - "$WORK" "$ROOT" "$CARGO_TARGET_DIR" "$callcount" "$cg_n" <<'PY'
import collections, csv, os, statistics, sys

work, root, target, callcount, cg_n = sys.argv[1:6]
cg_n = int(cg_n)
rel = lambda p: os.path.relpath(p, root)
tdir = ("" if os.path.realpath(target) == os.path.realpath(os.path.join(root, "target")) else f"CARGO_TARGET_DIR={rel(target)} ") + "RUSTFLAGS='-C llvm-args=-align-loops=64' "
PEERS = {"direct": "direct", "libloading": "libloading", "table wrapper": "table"}

rounds = collections.OrderedDict()
for row in csv.reader(open(os.path.join(work, "timed_bare.csv"))):
    if len(row) >= 6:
        rounds.setdefault((row[1], row[2]), []).append((float(row[4]), float(row[5])))
raw = {}
for row in csv.reader(open(os.path.join(work, "bare_ir_raw.csv"))):
    if len(row) == 4 and row[3]:
        raw[(row[0], row[1], int(row[2]))] = int(row[3])


def per_call(f, v):
    a, b = raw.get((f, v, cg_n)), raw.get((f, v, 2 * cg_n))
    return float("nan") if a is None or b is None else (b - a) / cg_n


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


md = []
A = md.append
A("## P1b: calls to a bare block's functions")
A("")
A("What `alien-build` emits for a function that needs no marshalling is a bare declaration "
  "(`#![alien(bare)]`): an `extern \"C-unwind\"` item linked to a 16-byte trampoline, `endbr64; jmp [slot]`. "
  "A call is a direct call to the trampoline and an indirect jump through the linkage-table slot: the "
  "instructions of a C call through a PLT entry (`endbr64; bnd jmp *GOT`). Rust's own dynamic-linked call is "
  "`call [GOT]` (no PLT), which P1's table wrapper matches (`mov rax, [slot]; call rax`, inlined). The same "
  "loops as P1, with the bare declarations (`bench_loop_bare_*`). Reported, no goal: the choice between the "
  "two is `alien_build::Builder::wrapped_function` (a wrapper, P1's path, for the functions it names).")
A("")
A("| function | peer | bare, ns | peer, ns | ratio bare/peer (median) | quartiles | rounds | instructions per call, bare / peer |")
A("|---|---|---:|---:|---:|---|---:|---|")
ir_rows = []
for (case, peer), rows in rounds.items():
    r = [a / p for a, p in rows]
    lo, hi = quartiles(r)
    b_ir, p_ir = per_call(case, "bare"), per_call(case, PEERS.get(peer, peer))
    ir_rows.append((case, peer, b_ir, p_ir))
    A(f"| {case} | {peer} | {statistics.median(a for a, _ in rows):.2f} | {statistics.median(p for _, p in rows):.2f} | "
      f"**{statistics.median(r):.3f}** | {lo:.3f}–{hi:.3f} | {len(rows)} | {b_ir:.2f} / {p_ir:.2f} |")
A("")
A(f"Commands: `{tdir}cargo bench -p alien-bench --features gen --bench bare_calls`; instructions: "
  f"`valgrind --tool=callgrind {rel(callcount)} bare_add2 N` (and `direct_`, `libloading_`, `table_`), "
  f"N = {cg_n:,} and {2 * cg_n:,}, per call = difference / N.")
A("")
with open(os.path.join(work, "ir_bare.csv"), "w") as out:
    for case, peer, b, p in ir_rows:
        out.write(f"P1b,{case},{b:.2f},{peer},{p:.2f}\n")
open(os.path.join(work, "section_bare.md"), "w").write("\n".join(md) + "\n")
PY
}

bare_section
