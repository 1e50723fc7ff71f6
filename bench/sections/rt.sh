# P2-P5: run-time-signature calls and callbacks. Sourced by bench/run.sh
# (with WORK, BENCH_DIR, ROOT, CARGO_TARGET_DIR and the functions exe,
# run_bench, ir and log); writes $WORK/timed_rt.csv (the raw rounds),
# $WORK/ir_rt.csv (instructions per operation) and $WORK/section_rt.md.
#
# Everything runs inside one function so that no variable of run.sh is
# touched (this file is sourced into run.sh's shell, under set -euo pipefail).

rt_section() {
    local calls cbs rtcount e f v n cmp_count load_start load_end
    local cg_calls=50000 cg_sorts=1 cg_create=10000
    calls=$(exe runtime_calls)
    cbs=$(exe callbacks)
    rtcount=$(exe rtcount)
    for e in "$calls" "$cbs" "$rtcount"; do
        if [ ! -x "$e" ]; then
            log "rt: missing executable ($e); skipping P2-P5"
            return 0
        fi
    done
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    rm -f "$WORK/timed_rt.csv" "$WORK/ir_rt.csv" "$WORK/rt_ir_raw.csv" "$WORK/section_rt.md"

    # --- timed (criterion, paired rounds) --------------------------------
    log "P2/P3: add2 / mix8 / sum12 through alien::ffi::Procedure vs libffi Cif::call vs direct"
    ALIEN_BENCH_RAW=$WORK/timed_rt.csv run_bench "$calls" > "$WORK/rt_calls.log" 2>&1
    grep -A13 '^Paired results' "$WORK/rt_calls.log" >&2 || true
    log "P4/P5: qsort with a closure comparator; creating a callback"
    ALIEN_BENCH_RAW=$WORK/timed_rt.csv run_bench "$cbs" > "$WORK/rt_callbacks.log" 2>&1
    grep -A6 '^Paired results' "$WORK/rt_callbacks.log" >&2 || true

    # --- instructions (callgrind, N and 2N) --------------------------------
    log "P2-P5: counting instructions with callgrind"
    for f in add2 mix8 sum12; do
        for v in raw value libffi direct; do
            for n in $cg_calls $((2 * cg_calls)); do
                echo "call,$f,$v,$n,$(ir "rt_call_${v}_${f}_$n" "$rtcount" call "$v" "$f" "$n")" >> "$WORK/rt_ir_raw.csv"
            done
        done
    done
    cmp_count=$("$rtcount" comparisons)
    for v in alien plain libffi closure_ffi; do
        for n in $cg_sorts $((2 * cg_sorts)); do
            echo "sort,qsort,$v,$n,$(ir "rt_sort_${v}_$n" "$rtcount" sort "$v" "$n")" >> "$WORK/rt_ir_raw.csv"
        done
    done
    for v in alien libffi closure_ffi; do
        for n in $cg_create $((2 * cg_create)); do
            echo "create,create,$v,$n,$(ir "rt_create_${v}_$n" "$rtcount" create "$v" "$n")" >> "$WORK/rt_ir_raw.csv"
        done
    done
    load_end=$(cut -d' ' -f1-3 /proc/loadavg)

    # --- the report ---------------------------------------------------------
    python3 - "$WORK" "$ROOT" "$CARGO_TARGET_DIR" "$rtcount" "$cmp_count" \
        "$cg_calls" "$cg_sorts" "$cg_create" "$load_start" "$load_end" <<'PY'
import collections, csv, os, statistics, sys

(work, root, target, rtcount, cmp_count, cg_calls, cg_sorts, cg_create,
 load_start, load_end) = sys.argv[1:11]
cmp_count, cg_calls, cg_sorts, cg_create = int(cmp_count), int(cg_calls), int(cg_sorts), int(cg_create)
rel = lambda p: os.path.relpath(p, root)
tdir = ("" if os.path.realpath(target) == os.path.realpath(os.path.join(root, "target")) else f"CARGO_TARGET_DIR={rel(target)} ") + "RUSTFLAGS='-C llvm-args=-align-loops=64' "
rtc = rel(rtcount)

# The rows, as the benchmarks name them (benches/runtime_calls.rs, benches/callbacks.rs).
FUNCS = ["add2", "mix8", "sum12"]
LIBFFI, DIRECT = "libffi Cif::call", "direct"
SORT = "qsort of 100000 ints (per comparison)"
CREATE = "create + drop one callback"
PLAIN, FFI_CLOSURE, CF = "plain extern C fn", "libffi closure", "closure-ffi BareFn"

# ---- timed rounds -------------------------------------------------------------
rounds = collections.OrderedDict()
try:
    for row in csv.reader(open(os.path.join(work, "timed_rt.csv"))):
        if len(row) >= 6:
            rounds.setdefault((row[0], row[1], row[2]), []).append((float(row[4]), float(row[5])))
except OSError:
    pass


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def timed(id_, case, peer):
    rows = rounds.get((id_, case, peer))
    if not rows:
        return None
    ratios = [a / p for a, p in rows]
    lo, hi = quartiles(ratios)
    return dict(alien=statistics.median(a for a, _ in rows), peer=statistics.median(p for _, p in rows),
                ratio=statistics.median(ratios), lo=lo, hi=hi, n=len(rows))


# ---- instructions ---------------------------------------------------------------
raw = {}
for row in csv.reader(open(os.path.join(work, "rt_ir_raw.csv"))):
    if len(row) == 5 and row[4]:
        raw[(row[0], row[1], row[2], int(row[3]))] = int(row[4])


def per(kind, case, variant, n, units):
    a, b = raw.get((kind, case, variant, n)), raw.get((kind, case, variant, 2 * n))
    return float("nan") if a is None or b is None else (b - a) / units


ir = {}  # (id, case, peer) -> (alien, peer)
for f in FUNCS:
    c = {v: per("call", f, v, cg_calls, cg_calls) for v in ["raw", "value", "libffi", "direct"]}
    for kind, v in [("raw slots", "raw"), ("Value", "value")]:
        ir[("P2", f"{f} {kind}", LIBFFI)] = (c[v], c["libffi"])
        ir[("P3", f"{f} {kind}", DIRECT)] = (c[v], c["direct"])
s = {v: per("sort", "qsort", v, cg_sorts, cg_sorts * cmp_count) for v in ["alien", "plain", "libffi", "closure_ffi"]}
for peer, v in [(PLAIN, "plain"), (FFI_CLOSURE, "libffi"), (CF, "closure_ffi")]:
    ir[("P4", SORT, peer)] = (s["alien"], s[v])
m = {v: per("create", "create", v, cg_create, cg_create) for v in ["alien", "libffi", "closure_ffi"]}
for peer, v in [(FFI_CLOSURE, "libffi"), (CF, "closure_ffi")]:
    ir[("P5", CREATE, peer)] = (m["alien"], m[v])
with open(os.path.join(work, "ir_rt.csv"), "w") as out:
    for (id_, case, peer), (a, p) in ir.items():
        out.write(f"{id_},{case},{a:.2f},{peer},{p:.2f}\n")

# ---- markdown -----------------------------------------------------------------
GOALS = {("P2", LIBFFI): 0.1, ("P3", DIRECT): 1.5, ("P4", PLAIN): 1.15, ("P4", FFI_CLOSURE): 1.0,
         ("P4", CF): 1.0, ("P5", FFI_CLOSURE): 0.5, ("P5", CF): 1.0}
md = []
A = md.append


def fmt_ns(x):
    return f"{x:,.1f}" if x >= 100 else f"{x:.2f}"


def table(rows):
    A("| case | peer | alien ns | peer ns | time ratio (median) | IQR of the rounds | rounds | alien instr. | peer instr. | instr. ratio | goal | verdict |")
    A("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|")
    for id_, case, peer in rows:
        t = timed(id_, case, peer)
        a_ir, p_ir = ir.get((id_, case, peer), (float("nan"), float("nan")))
        extra = case.endswith("Value")  # P2/P3's goals are the raw path's
        g = GOALS.get((id_, peer))
        goal = "– (extra row)" if extra else f"≤ {g:.2f}x"
        if t is None:
            A(f"| {case} | {peer} | – | – | not measured | – | 0 | {a_ir:,.1f} | {p_ir:,.1f} | {a_ir / p_ir:.3f} | "
              f"{goal} | – |")
            continue
        verdict = "–" if extra else ("met" if t["ratio"] <= g else "**not met**")
        A(f"| {case} | {peer} | {fmt_ns(t['alien'])} | {fmt_ns(t['peer'])} | **{t['ratio']:.3f}** | "
          f"{t['lo']:.3f}–{t['hi']:.3f} | {t['n']} | {a_ir:,.1f} | {p_ir:,.1f} | {a_ir / p_ir:.3f} | "
          f"{goal} | {verdict} |")


A("## P2/P3: calls with a signature known only at run time")
A("")
A("`add2`, `mix8` and `sum12` (the C functions of P1, `bench/c/calls.c`) called through an "
  "`alien::ffi::Procedure` made with `Procedure::from_address` from the address `dlsym` returns and a run-time "
  "`Signature`. Two ways to call it: the **raw slot array** (`call_raw(&[u64], &mut [u64])`, arguments already "
  "in their 8-byte slots: the main rows) and checked **`Value`s** (`call(&[Value])`: each argument's type "
  "checked and copied into a slot array on the stack, the result converted back to a `Value`: extra rows, "
  "without goals). Peers: **libffi** (`libffi` crate, `system` feature: the "
  "distribution's libffi 3.4) `middle::Cif::call` on a CIF prepared once (P2), and a **direct** dynamic-linked "
  "`extern \"C\"` call, P1's loop (P3). Every loop takes its first argument from the loop counter and sums the "
  "results (`bench/src/bin/rtcount/loops.rs`, `rt_loop_*`); each round times the four variants back to back, "
  "alternating the order. Goals: raw path ≤ 0.1x libffi (P2) and ≤ 1.5x a direct call (P3).")
A("")
A("What the raw path runs: `call_raw` is inlined into the caller's loop (two length checks, then one `call`); a "
  "signature whose arguments all travel in registers and whose result is a scalar gets a *jump stub* that loads the "
  "registers from the slot array and jumps to the target, which returns straight to the caller (the result is "
  "extended into its slot in Rust); other signatures (`sum12`: six stack arguments) get a stub that pushes the "
  "stack arguments, calls, and stores the result registers. libffi's `ffi_call` walks the CIF's argument types "
  "on every call.")
A("")
rows = []
for f in FUNCS:
    for kind in ["raw slots", "Value"]:
        rows.append(("P2", f"{f} {kind}", LIBFFI))
for f in FUNCS:
    for kind in ["raw slots", "Value"]:
        rows.append(("P3", f"{f} {kind}", DIRECT))
A("### P2: vs libffi `Cif::call` (prepared CIF)")
A("")
table(rows[:6])
A("")
A("### P3: vs a direct `extern \"C\"` call")
A("")
table(rows[6:])
A("")
raw_a, dir_a = ir[("P3", "add2 raw slots", DIRECT)]
raw_s, dir_s = ir[("P3", "sum12 raw slots", DIRECT)]
A(f"Where the raw path's extra time goes: for `add2` a direct call is {dir_a:.0f} instructions per call, loop "
  f"included, and the raw path {raw_a:.0f}: the caller stores the first argument's slot and passes the target, the "
  "slot array and the result array, the jump stub (`endbr64`, `mov r11, rdi`, two loads, `jmp r11`) adds an "
  "indirect jump, and the result is extended into its slot (shift, shift, mask) and stored. A slot-array "
  "interface cannot get much below about 19 instructions here, so a C function of two instructions cannot be "
  "called within 1.5x of a direct call this way; the fixed cost weighs less as the callee does more (`mix8`). "
  f"`sum12` ({raw_s:.0f} vs {dir_s:.0f} instructions) takes the storing stub (six stack arguments): it pushes "
  "the stack arguments from the slots, calls the target and stores `rax`, one call level more than the direct "
  "call. A jump stub that pushes the stack arguments under the return address (the caller restoring `rsp` "
  "from a callee-saved register) was tried and measured no faster, so it is not used.")
A("")
A("Reproduce:")
A("")
A(f"- time: `{tdir}cargo bench -p alien-bench --bench runtime_calls -- P2-P3/add2` (or `P2-P3/mix8`, `P2-P3/sum12`; "
  "`P2-P3` for all three; both ids come from the same rounds)")
A(f"- instructions: `valgrind --tool=callgrind --callgrind-out-file=cg.out {rtc} call <raw|value|libffi|direct> "
  f"<add2|mix8|sum12> N` for N = {cg_calls:,} and {2 * cg_calls:,}; (Ir(2N) − Ir(N)) / N")
A("")
A("## P4: qsort with a closure comparator")
A("")
A(f"glibc's `qsort` (called directly) of 100,000 ints, shuffled with a fixed seed; the same input is copied in "
  f"before every sort (the copy is timed too, on every side). One sort makes {cmp_count:,} comparisons; the "
  "figures are per comparison (time of one sort / comparisons). Four comparators that do the same work, read a "
  "direction flag and compare two ints: an **alien** `Callback::new(closure)` (its shift thunk: the argument "
  "registers move up one, the closure's address goes first, jump to the typed handler), a **plain** "
  "`extern \"C\" fn` (the flag in a static, since it cannot capture), a **libffi** closure "
  "(`libffi::high::Closure2::new(&closure)`) and a **closure-ffi** `BareFn::new_c(closure)` (version 4.1.0). "
  "The three closures capture a reference to the flag (a non-capturing closure would let closure-ffi skip its "
  "thunk). Goals: ≤ 1.15x the plain function; faster than libffi and closure-ffi.")
A("")
table([("P4", SORT, PLAIN), ("P4", SORT, FFI_CLOSURE), ("P4", SORT, CF)])
A("")
A("Reproduce:")
A("")
A(f"- time: `{tdir}cargo bench -p alien-bench --bench callbacks -- P4`")
A(f"- instructions: `valgrind --tool=callgrind --callgrind-out-file=cg.out {rtc} sort <alien|plain|libffi|closure_ffi> N` "
  f"for N = {cg_sorts} and {2 * cg_sorts} sorts; (Ir(2N) − Ir(N)) / (N × {cmp_count:,}): per comparison, qsort's own "
  "work and the copy included")
A("")
A("## P5: creating a callback")
A("")
A("Making one callback from a closure that captures a reference, and dropping it: `alien::Callback::new` (a "
  "boxed context, a thunk copied from a per-signature template into a pooled block of W^X code memory, dropped "
  "again) vs `libffi::high::Closure2::new` (which also prepares its CIF, as that constructor does) and "
  "`closure_ffi::BareFn::new_c` (a boxed closure and a thunk from its JIT allocator). Loops "
  "`rt_loop_create_*`. Goals: ≤ 0.5x libffi, ≤ 1.0x closure-ffi.")
A("")
table([("P5", CREATE, FFI_CLOSURE), ("P5", CREATE, CF)])
A("")
A("Reproduce:")
A("")
A(f"- time: `{tdir}cargo bench -p alien-bench --bench callbacks -- P5`")
A(f"- instructions: `valgrind --tool=callgrind --callgrind-out-file=cg.out {rtc} create <alien|libffi|closure_ffi> N` "
  f"for N = {cg_create:,} and {2 * cg_create:,}; (Ir(2N) − Ir(N)) / N")
A("")
A(f"Load average during these sections: {load_start} at the start, {load_end} at the end. A goal is met when "
  "the median of the per-round ratios is at or below it; \"IQR of the rounds\" is the interquartile range of "
  "those ratios (how much the rounds disagree). The instruction counts are deterministic; the time ratios move "
  "with code placement (see P1) and with the load of the machine.")
open(os.path.join(work, "section_rt.md"), "w").write("\n".join(md) + "\n")
PY
}

rt_section
unset -f rt_section
