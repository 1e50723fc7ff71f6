# Writes bench/RESULTS.md, bench/results.csv and bench/instructions.csv from
# the raw files bench/run.sh left in WORK. Run by bench/run.sh as
#   python3 bench/report/results_md.py WORK BENCH_DIR ROOT CG_N CG_LAZY CALLS SYMBOLS CALLCOUNT
# tables.py computes the rows (and writes the CSVs); this file lays them out.
import collections, csv, glob, json, os, re, statistics, subprocess, sys  # noqa: F401

from tables import *  # noqa: F401,F403  (the rows, the raw-file readers and the run's settings)

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
