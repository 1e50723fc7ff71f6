# P9 (handle lookup), P10 (relink of 1,000 entries), P11 (calls through an
# interposed declaration). Sourced by bench/run.sh, which provides WORK,
# BENCH_DIR, ROOT, CARGO_TARGET_DIR and the functions exe, run_bench, ir and
# log. Writes:
#   $WORK/timed_reg.csv    the raw rounds (Pairs::report: id,case,peer,round,alien_ns,peer_ns)
#   $WORK/ir_reg.csv       id,case,alien_ir,peer,peer_ir per operation (callgrind)
#   $WORK/section_reg.md   the P9-P11 sections of RESULTS.md, generated from the two CSVs
# With REPORT_ONLY set (run.sh --report-only), only section_reg.md is rewritten.
# Everything is in functions with local variables: run.sh's own are left alone.

REG_CG_N=1000000   # P9 lookups / P11 calls per callgrind run (and 2N)
REG_CG_RELINK=2    # P10 relinks per callgrind run (and 2N)

reg_run() {
    local handles relink regcount e n c
    handles=$(exe handles)
    relink=$(exe relink)
    regcount=$(exe regcount)
    for e in "$handles" "$relink" "$regcount"; do
        if [ ! -x "$e" ]; then
            log "reg: missing executable ($e); P9-P11 skipped"
            return 1
        fi
    done
    rm -f "$WORK/timed_reg.csv" "$WORK/ir_reg_raw.csv"
    log "P9: handle lookup (get, and lookup returning Arc) vs Vec<Arc> / Mutex<HashMap> / RwLock<Vec>, 1 and 2 threads"
    ALIEN_BENCH_RAW=$WORK/timed_reg.csv run_bench "$handles" > "$WORK/reg_p9.log" 2>&1 ||
        log "reg: the handles bench failed; see $WORK/reg_p9.log"
    grep -A25 '^Paired results' "$WORK/reg_p9.log" >&2 || true
    log "P10/P11: relink of 1,000 entries; interposed calls"
    ALIEN_BENCH_RAW=$WORK/timed_reg.csv run_bench "$relink" > "$WORK/reg_p10_p11.log" 2>&1 ||
        log "reg: the relink bench failed; see $WORK/reg_p10_p11.log"
    grep -A7 '^Paired results' "$WORK/reg_p10_p11.log" >&2 || true

    log "P9/P11: counting instructions with callgrind (N=$REG_CG_N and 2N)"
    for c in p9_get_typed p9_get_any p9_typed p9_any p9_ref p9_arc p9_weak p9_mutex p9_rwlock \
        p11_rust_plain p11_rust_interposed p11_rust_closure \
        p11_entry_plain p11_entry_interposed p11_entry_closure; do
        for n in $REG_CG_N $((2 * REG_CG_N)); do
            echo "$c,$n,$(ir "reg_${c}_$n" "$regcount" "$c" "$n")" >> "$WORK/ir_reg_raw.csv"
        done
    done
    log "P10: counting instructions with callgrind ($REG_CG_RELINK and 2x relinks)"
    for c in replace load activate dlsym; do
        for n in $REG_CG_RELINK $((2 * REG_CG_RELINK)); do
            echo "p10_$c,$n,$(ir "reg_p10_${c}_$n" "$relink" --count "$c" "$n")" >> "$WORK/ir_reg_raw.csv"
        done
    done
}

reg_report() {
    python3 - "$WORK" "$ROOT" "$CARGO_TARGET_DIR" "$(exe regcount)" "$(exe relink)" \
        "$REG_CG_N" "$REG_CG_RELINK" <<'PY'
# Writes ir_reg.csv and section_reg.md from timed_reg.csv and ir_reg_raw.csv.
import collections, csv, os, re, statistics, subprocess, sys

work, root, target_dir, regcount, relink, cg_n, cg_relink = sys.argv[1:8]
cg_n, cg_relink = int(cg_n), int(cg_relink)
rel = lambda p: os.path.relpath(p, root) if p else "?"
target = rel(target_dir)
tdir = (f"CARGO_TARGET_DIR={target} " if target != "target" else "") + "RUSTFLAGS='-C llvm-args=-align-loops=64' "
B = f"{tdir}cargo bench -p alien-bench --features gen"
cg = "valgrind --tool=callgrind --callgrind-out-file=cg.out"


def median(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def quartiles(xs):
    xs = sorted(xs)
    if not xs:
        return float("nan"), float("nan")
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


# ---- timed rounds -----------------------------------------------------------
pairs = collections.OrderedDict()
path = os.path.join(work, "timed_reg.csv")
if os.path.exists(path):
    for row in csv.reader(open(path)):
        if len(row) >= 6:
            pairs.setdefault((row[0], row[1], row[2]), []).append((float(row[4]), float(row[5])))
timed = {}
for (id_, case, peer), rows in pairs.items():
    ratios = [a / p for a, p in rows]
    lo, hi = quartiles(ratios)
    timed[(id_, case, peer)] = dict(alien=median([a for a, _ in rows]), peer=median([p for _, p in rows]),
                                    ratio=median(ratios), lo=lo, hi=hi, n=len(rows))

# ---- instructions -------------------------------------------------------------
raw = {}
path = os.path.join(work, "ir_reg_raw.csv")
if os.path.exists(path):
    for row in csv.reader(open(path)):
        if len(row) == 3 and row[2]:
            raw[(row[0], int(row[1]))] = int(row[2])


def per_op(case, n):
    a, b = raw.get((case, n)), raw.get((case, 2 * n))
    return (b - a) / n if a is not None and b is not None else float("nan")


# P9: the borrowing lookups (the goal's rows); P9a: the Arc-returning ones (extra rows).
P9_CASES = [("get_typed", "HandleRegistry::get"), ("get_any", "Handles::get")]
P9A_CASES = [("typed", "HandleRegistry::lookup returning Arc"), ("any", "Handles::lookup returning Arc")]
P9_PEERS = [("arc", "Arc::clone from a Vec"), ("mutex", "Mutex HashMap"), ("rwlock", "RwLock Vec")]
P10_ROWS = [("replace", "replace_library + retire (1000 decls)", "load", "dlopen+1000 dlsym+dlclose"),
            ("activate", "activate a loaded version (1000 decls)", "dlsym", "1000 dlsym (open library)")]
P11_ROWS = [("rust", "interposed", "Rust call; interpose(extern fn)", "Rust call (table)"),
            ("rust", "closure", "Rust call; interpose_with(closure)", "Rust call (table)"),
            ("entry", "interposed", "C entry call; interpose(extern fn)", "C entry call"),
            ("entry", "closure", "C entry call; interpose_with(closure)", "C entry call")]

ir_rows = []
p9_ir = {k: per_op(f"p9_{k}", cg_n)
         for k in ["get_typed", "get_any", "typed", "any", "ref", "arc", "weak", "mutex", "rwlock"]}
for id_, cases in [("P9", P9_CASES), ("P9a", P9A_CASES)]:
    for k, case in cases:
        for pk, peer in P9_PEERS:
            ir_rows.append((id_, f"{case} (1 thread)", p9_ir[k], peer, p9_ir[pk]))
p10_ir = {k: per_op(f"p10_{k}", cg_relink) for k in ["replace", "load", "activate", "dlsym"]}
for a, case, p, peer in P10_ROWS:
    ir_rows.append(("P10", case, p10_ir[a], peer, p10_ir[p]))
p11_ir = {(c, m): per_op(f"p11_{c}_{m}", cg_n) for c in ["rust", "entry"] for m in ["plain", "interposed", "closure"]}
for c, m, case, peer in P11_ROWS:
    ir_rows.append(("P11", case, p11_ir[(c, m)], peer, p11_ir[(c, "plain")]))
with open(os.path.join(work, "ir_reg.csv"), "w") as f:
    for r in ir_rows:
        if r[2] == r[2] and r[4] == r[4]:
            f.write(f"{r[0]},{r[1]},{r[2]:.2f},{r[3]},{r[4]:.2f}\n")


# ---- callgrind: what alien does beyond the peer, by function ---------------------
def cg_table(name):
    out = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", os.path.join(work, "callgrind", name)],
                         capture_output=True, text=True).stdout
    d = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$", line)
        if not m or "PROGRAM TOTALS" in line or m.group(2).startswith("=>"):
            continue
        name = re.sub(r"\s*\[.*\]$", "", m.group(2))
        name = re.sub(r"/rustc/[0-9a-f]+/library/", "<std>/", name)
        d[name.replace(root + "/", "")] += int(m.group(1).replace(",", ""))
    return d


def extra(a, b, n, units, top=8):
    try:
        t = [cg_table(f"reg_{x}_{k}") for x in (a, b) for k in (n, 2 * n)]
    except OSError:
        return None
    if not all(t):
        return None
    d = collections.Counter()
    for k in set().union(*t):
        d[k] = (t[1][k] - t[0][k]) / units - (t[3][k] - t[2][k]) / units
    d = {k: v for k, v in d.items() if abs(v) >= 0.5}
    lines = [f"{sum(d.values()):12.1f}  alien minus peer, per operation (self cost by file:function)"]
    for k, v in sorted(d.items(), key=lambda kv: -abs(kv[1]))[:top]:
        lines.append(f"{v:12.1f}  {k[:150]}")
    return "\n".join(lines)


def log_line(name, pattern):
    try:
        m = re.search(pattern, open(os.path.join(work, name)).read())
        return m.group(1) if m else None
    except OSError:
        return None


def f2(x):
    return "–" if x != x else (f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.2f}" if abs(x) < 100 else f"{x:.1f}")


md = []
A = md.append


def table(rows, unit="ns", per_entry=None):
    if per_entry:
        A(f"| case | peer | alien, {unit} | alien, ns per entry | peer, {unit} | peer, ns per entry | ratio alien/peer (median) | quartiles | rounds | instructions, alien / peer |")
        A("|---|---|---:|---:|---:|---:|---:|---|---:|---|")
    else:
        A(f"| case | peer | alien, {unit} | peer, {unit} | ratio alien/peer (median) | quartiles | rounds | instructions, alien / peer |")
        A("|---|---|---:|---:|---:|---|---:|---|")
    for id_, case, peer, scale in rows:
        t = timed.get((id_, case, peer))
        i = next((r for r in ir_rows if r[0] == id_ and r[1] == case and r[3] == peer), None)
        instr = f"{f2(i[2])} / {f2(i[4])}" if i and i[2] == i[2] else "–"
        if not t:
            A(f"| {case} | {peer} | not measured | | | | | {instr} |")
            continue
        a, p = t["alien"] / scale, t["peer"] / scale
        cells = [case, peer, f2(a)]
        if per_entry:
            cells += [f2(t["alien"] / per_entry), f2(p), f2(t["peer"] / per_entry)]
        else:
            cells += [f2(p)]
        cells += [f"**{t['ratio']:.3f}**", f"{t['lo']:.3f}–{t['hi']:.3f}", str(t["n"]), instr]
        A("| " + " | ".join(cells) + " |")
    A("")


# ---- P9 ------------------------------------------------------------------------
membarrier = log_line("reg_p9.log", r"grace periods use membarrier: (\w+)")
cg_membarrier = log_line("callgrind/reg_p9_get_typed_%d.stdout" % cg_n, r"membarrier: (\w+)")
A("## P9 — handle lookup (`alien::handles`)")
A("")
A("A lookup of one of 1,000 live objects, strongly registered, on one thread, and on two threads at once looking "
  "up the same registry (the time is per lookup on each thread). The main rows (id P9, the goal's) are the "
  "borrowing lookups: `HandleRegistry<T>::get` (one type) and `Handles::get::<T>` (any type, checked at lookup), "
  "which return a `Ref<T>` guard that the loop reads and drops (what a C callback does with its user data): it "
  "borrows the object through the registry's own reference inside a read section, so no reference count is "
  "touched. The extra rows (id P9a) are the `Arc`-returning `lookup`s, whose `Arc` the loop reads and drops. "
  "Peers, holding the same objects: `Arc::clone` out of a `Vec<Arc<T>>` (the floor of any lookup that hands out "
  "an `Arc`: one increment and one decrement), a `Mutex<HashMap<u64, Arc<T>>>` keyed by handle (what a user would "
  "otherwise write) and a `RwLock<Vec<Option<Arc<T>>>>`. The loops are `bench/benches/reg/mod.rs` "
  f"(`reg_p9_*`), shared by the timed bench and `regcount`. Grace periods used membarrier: {membarrier or '?'} "
  "(so a read section has no hardware fence).")
A("")
rows = [("P9", f"{case} ({th})", peer, 1.0) for th in ["1 thread", "2 threads"] for _, case in P9_CASES for _, peer in P9_PEERS]
table(rows)
A("Goal: ≤ 10 ns per lookup, with no lock (the lookup takes none: no mutex, and for a strong registration no "
  "shared write at all).")
A("")
A("| lookup | alien, ns | the same lookup returning an `Arc`, ns | `Vec<Arc<T>>` clone + drop, ns | goal ≤ 10 ns |")
A("|---|---:|---:|---:|---|")
verdicts = []
for th in ["1 thread", "2 threads"]:
    for (_, case), (_, arc_case) in zip(P9_CASES, P9A_CASES):
        t = timed.get(("P9", f"{case} ({th})", "Arc::clone from a Vec"))
        ta = timed.get(("P9a", f"{arc_case} ({th})", "Arc::clone from a Vec"))
        if not t:
            continue
        met = t["alien"] <= 10.0
        verdicts.append((case, th, met, t))
        A(f"| {case} ({th}) | {f2(t['alien'])} | {f2(ta['alien']) if ta else '–'} | {f2(t['peer'])} | "
          f"{'met' if met else '**not met**'} |")
A("")
A("Reproduce: `" + B + " --bench handles -- P9`; instructions (one thread): `" + cg + " " + rel(regcount) +
  f" p9_get_typed N` (and `p9_get_any`, `p9_typed`, `p9_any`, `p9_ref`, `p9_arc`, `p9_weak`, `p9_mutex`, "
  f"`p9_rwlock`), N = {cg_n:,} and {2 * cg_n:,}.")
A("")
A("Instructions per lookup (one thread, the loop and the drop of what the lookup gave included): "
  + ", ".join(f"{n} {f2(p9_ir[k])}" for k, n in [("get_typed", "`HandleRegistry<T>::get`"), ("get_any", "`Handles::get::<T>`"),
                                                  ("typed", "`HandleRegistry<T>::lookup`"), ("any", "`Handles::lookup::<T>`"),
                                                  ("ref", "a borrow out of a `Vec<Arc<T>>`"),
                                                  ("arc", "`Arc::clone` from a `Vec`"), ("weak", "`Weak::upgrade` from a `Vec`"),
                                                  ("mutex", "`Mutex<HashMap>`"), ("rwlock", "`RwLock<Vec>`")])
  + (f" (callgrind runs without membarrier: {cg_membarrier}; the reader's fence is then one `mfence`)" if cg_membarrier == "false" else "")
  + ".")
A("")
if verdicts:
    if all(v[2] for v in verdicts):
        A("**The goal is met** in every case above.")
    else:
        bad = ", ".join(f"{c} ({th}): {f2(t['alien'])} ns" for c, th, m, t in verdicts if not m)
        A(f"**The goal is not met** here: {bad}.")
    A("")
floor = [v[3]["peer"] for v in verdicts if v[1] == "1 thread"]
A("Extra rows: the `Arc`-returning lookups (reported, no goal; use `get` on a hot path, `lookup` to keep the "
  "object)."
  + (f" On this machine the `Arc` floor alone — an increment and a decrement, two locked instructions — takes "
     f"{f2(median(floor))} ns, " + ("more than the goal: no lookup that hands out an `Arc<T>` can meet it here."
                                    if median(floor) > 10.0 else "most of the goal.")
     if floor else ""))
A("")
table([("P9a", f"{case} ({th})", peer, 1.0) for th in ["1 thread", "2 threads"] for _, case in P9A_CASES for _, peer in P9_PEERS])
A("Where the time goes. `get` on a strong registration is a read section (a thread-local load and two plain "
  "stores to the thread's own record, on its own cache line; no fence: writers use membarrier), the slot check "
  "(the array, and the slot word compared with the handle in one comparison — an occupied slot's word is its "
  "handle's value — and for `Handles` the `TypeId` stored in the slot) and the load of the registry's strong pointer: "
  f"{f2(p9_ir['get_typed'] - p9_ir['ref'])} instructions more than borrowing out of a `Vec` "
  f"({f2(p9_ir['get_typed'])} vs {f2(p9_ir['ref'])}), and no atomic read-modify-write. The `Arc` lookups add the "
  "`Weak::upgrade` (a compare-and-swap on the object's count) and the caller's drop of the `Arc` (a locked "
  "decrement): those two locked instructions cost more than everything else, and the store that ends the read "
  "section is still in the store buffer when the next locked instruction waits for it to drain. A borrowing "
  "`Ref` can skip the count because the registry no longer gives its strong reference up at once on unregister "
  "or on a switch to weak: it retires it and gives it up after a grace period, like the slot's weak pointer and a "
  "replaced slot array (see `runtime/src/handles/mod.rs`).")
A("")
for a, b, what in [("p9_get_typed", "p9_ref", "`HandleRegistry::get` minus a borrow out of a `Vec`"),
                   ("p9_typed", "p9_arc", "`HandleRegistry::lookup` minus the `Arc::clone` floor")]:
    d = extra(a, b, cg_n, cg_n)
    if d:
        A(f"Callgrind, {what}, per lookup (inlined code is counted under its source file):")
        A("")
        A("```text")
        A(d)
        A("```")
        A("")


def slowdown(id_, case, peer, side):
    t1, t2 = timed.get((id_, f"{case} (1 thread)", peer)), timed.get((id_, f"{case} (2 threads)", peer))
    return t2[side] / t1[side] if t1 and t2 else float("nan")


c0, a0 = P9_CASES[0][1], P9A_CASES[0][1]
f_alien, f_floor = slowdown("P9", c0, "Arc::clone from a Vec", "alien"), slowdown("P9", c0, "Arc::clone from a Vec", "peer")
f_arc = slowdown("P9a", a0, "Arc::clone from a Vec", "alien")
f_mutex, f_rw = slowdown("P9", c0, "Mutex HashMap", "peer"), slowdown("P9", c0, "RwLock Vec", "peer")
if f_alien == f_alien:
    t2 = {pk: timed.get(("P9", f"{c0} (2 threads)", peer)) for pk, peer in P9_PEERS}
    A(f"Two threads against one, time per lookup on each thread: `HandleRegistry::get` {f_alien:.2f}x, "
      f"`HandleRegistry::lookup` {f_arc:.2f}x, the `Arc::clone` floor {f_floor:.2f}x, the `Mutex<HashMap>` "
      f"{f_mutex:.2f}x, the `RwLock` slab {f_rw:.2f}x. `get` writes nothing shared (each thread writes its own "
      "record, on its own cache line), `lookup` and the floor only the objects' counts (the two threads look up "
      "different objects), the locked peers a shared lock word on every lookup"
      + (f" (on two threads: {f2(t2['mutex']['peer'])} ns per lookup for the `Mutex<HashMap>`, against "
         f"{f2(t2['mutex']['alien'])} ns for `get`)" if t2.get("mutex") else "")
      + ". This VM has two cores, shared with other work (see the load average at the top), so two busy threads "
        "are preempted part of the time: every two-thread figure includes that, the factors above mostly measure "
        "it, and these are the noisiest rows here.")
    A("")

# ---- P10 -------------------------------------------------------------------------
A("## P10 — relink of 1,000 entries")
A("")
A("A generated library `libalien_rl.so` in two versions (1,000 functions `int rl_fNNNN(int)`; version 2 returns "
  "another value, checked after every round) and 1,000 `define_c_function!` declarations bound to it "
  "(`bench/build.rs`, feature `gen`). First row: `alien::replace_library` switching between the two files (copy "
  "the file, `dlopen` the copy, look up the 1,000 symbols, swap the 1,000 slots) followed by "
  "`alien::retire_old_versions` (unload the replaced version and delete its copy), against `dlopen` of the new "
  "version + `dlsym` of the 1,000 names + `dlclose` — what reloading a table of function pointers by hand costs. "
  "Second row: `LibraryVersion::activate` switching between two already-loaded versions (only the slot stores, "
  "the plan is cached), against `dlsym` of the 1,000 names in the other of two open libraries. Times are per "
  "relink (per 1,000 entries); per entry is that divided by 1,000.")
A("")
table([("P10", case, peer, 1000.0) for _, case, _, peer in P10_ROWS], unit="µs", per_entry=1000)
A("No goal. Reproduce: `" + B + " --bench relink -- P10`; instructions: `" + cg + " " + rel(relink) +
  f" --count replace N` (and `load`, `activate`, `dlsym`), N = {cg_relink} and {2 * cg_relink} relinks.")
A("")
t = timed.get(("P10",) + P10_ROWS[0][1:2] + P10_ROWS[0][3:4])
if t:
    A(f"`replace_library` takes {t['ratio']:.2f}x the time of loading the new version and looking its names up "
      f"by hand ({f2(p10_ir['replace'] / p10_ir['load']) if p10_ir['load'] == p10_ir['load'] else '–'}x the "
      "instructions). Beyond the peer's `dlopen` + `dlsym`, it copies the file (so that a file rewritten in place "
      "is really loaded again: `dlopen` caches by path and inode), so the loader maps freshly written pages, and "
      "it deletes the copy on retirement; the copy and the page faults are system time, which callgrind does not "
      "count. In instructions, most of the difference is the new version's address cache "
      "(`Version::lookup`: a `HashMap` insert with SipHash per declaration), which costs about as much as the "
      "`dlsym` it caches (below); the slot stores themselves are cheap, as the second row shows.")
    A("")
d = extra("p10_replace", "p10_load", cg_relink, cg_relink)
if d:
    A("Callgrind, `replace_library` + retire minus `dlopen` + `dlsym` + `dlclose`, per relink:")
    A("")
    A("```text")
    A(d)
    A("```")
    A("")
t = timed.get(("P10",) + P10_ROWS[1][1:2] + P10_ROWS[1][3:4])
if t:
    A(f"Switching between loaded versions costs {f2(t['alien'] / 1000)} ns per entry "
      f"({f2(p10_ir['activate'] / 1000) if p10_ir['activate'] == p10_ir['activate'] else '–'} instructions): "
      "the table lock, two stores per slot (the Rust-side slot and the C entry's slot) and the bookkeeping of "
      "which version is current; the hand-written alternative has to look every name up again.")
    A("")

# ---- P11 -------------------------------------------------------------------------
A("## P11 — calls through an interposed declaration")
A("")
A("`int add2(int, int)` (`alien_bench::table::add2`) called in a loop through alien's Rust wrapper "
  "(`loops::bench_loop_table_add2`) and through its C entry address (`add2::entry()`, called as a function "
  "pointer: `loops::bench_loop_libloading_add2`), with the declaration interposed by `add2::interpose(f)` "
  "(an `extern \"C\" fn` computing the same sum in Rust) or `add2::interpose_with(closure)` (the same sum in a "
  "closure, reached through a callback thunk), against the same loop with no interposition (the C function). "
  "Each interposed side interposes for its own measurement only.")
A("")
table([("P11", case, peer, 1.0) for _, _, case, peer in P11_ROWS])
A("No goal. Reproduce: `" + B + " --bench relink -- P11`; instructions: `" + cg + " " + rel(regcount) +
  f" p11_rust_interposed N` (and `p11_<rust|entry>_<plain|interposed|closure>`), N = {cg_n:,} and {2 * cg_n:,}.")
A("")
ti = [timed.get(("P11", case, peer)) for _, _, case, peer in P11_ROWS]
if all(ti):
    A(f"Interposing an `extern \"C\" fn` costs nothing on the call path: the slots (Rust side and C entry) point at "
      f"the replacement instead of the C function, so a call is the same indirect call "
      f"({f2(p11_ir[('rust', 'interposed')])} vs {f2(p11_ir[('rust', 'plain')])} instructions per call through the "
      f"wrapper, {f2(p11_ir[('entry', 'interposed')])} vs {f2(p11_ir[('entry', 'plain')])} through the entry; the "
      "difference is the replacement's body against the C function's). A closure goes through the callback "
      f"machinery (thunk, panic guard): {f2(p11_ir[('rust', 'closure')])} and {f2(p11_ir[('entry', 'closure')])} "
      f"instructions, {ti[1]['ratio']:.2f}x and {ti[3]['ratio']:.2f}x the time of the plain call.")
    A("")
d = extra("p11_rust_closure", "p11_rust_plain", cg_n, cg_n)
if d:
    A("Callgrind, a call through the wrapper interposed with a closure minus the plain call (`???` is the "
      "callback's thunk, generated at run time):")
    A("")
    A("```text")
    A(d)
    A("```")
    A("")
open(os.path.join(work, "section_reg.md"), "w").write("\n".join(md) + "\n")
PY
}

if [ -z "${REPORT_ONLY:-}" ]; then
    reg_run || log "reg: P9-P11 incomplete"
fi
reg_report || log "reg: could not write section_reg.md"
