# The rows of the benchmark report: reads the raw files bench/run.sh left in
# WORK (timed rounds, callgrind counts, build times) into the timed and
# instruction rows, and writes bench/results.csv and bench/instructions.csv.
# Imported by results_md.py (the entry point), which writes RESULTS.md from
# the same names.
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
    for k, v in sorted(diff.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:top]:
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
    for k, v in sorted(d.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:top]:
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
