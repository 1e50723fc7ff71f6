# P8 and P12 (alien-build): sourced by bench/run.sh (see the hook there).
#
# P8: generating bindings for sqlite3.h and a synthetic 5,000-function header
#     with alien-build vs bindgen alone (build-support/examples/header_bench.rs).
# P12: compiling the generated code vs compiling bindgen's own output, each
#     included by a crate of its own; the crates' dependencies are built first,
#     so each timed build compiles just the one crate (debug, after a touch).
HB_DIR=$WORK/headers
mkdir -p "$HB_DIR"
P8_ROUNDS=${ALIEN_BENCH_P8_ROUNDS:-5}
P12_ROUNDS=${ALIEN_BENCH_P12_ROUNDS:-3}

log "P8: building header_bench (release)"
cargo build --release -p alien-build --example header_bench > "$HB_DIR/build.log" 2>&1 \
    || { log "P8: cannot build header_bench (see $HB_DIR/build.log)"; return 0; }
HB=$CARGO_TARGET_DIR/release/examples/header_bench
"$HB" synth "$HB_DIR"
log "P8: alien-build vs bindgen, $P8_ROUNDS rounds per header and peer"
"$HB" time "$HB_DIR" "$P8_ROUNDS" "$WORK/timed_headers.csv" > "$HB_DIR/p8.log" 2>&1 \
    || { log "P8 failed (see $HB_DIR/p8.log)"; return 0; }
"$HB" emit "$HB_DIR"

# --- P12 -------------------------------------------------------------------
p12_crate() { # kind (alien|bindgen)
    local dir=$HB_DIR/p12_$1
    mkdir -p "$dir/src"
    {
        echo '[package]'
        echo "name = \"p12-$1\""
        echo 'version = "0.1.0"'
        echo 'edition = "2021"'
        echo 'publish = false'
        echo '[dependencies]'
        [ "$1" = alien ] && echo "alien = { path = \"$ROOT/runtime\" }"
        echo '[workspace]'
    } > "$dir/Cargo.toml"
    cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
}
p12_source() { # kind, tag (sqlite3|synth)
    printf '%s\n' \
        '#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code, unused_imports, clippy::all)]' \
        "pub mod sys { include!(\"$HB_DIR/$1_$2.rs\"); }" > "$HB_DIR/p12_$1/src/lib.rs"
}
p12_build() { # kind -> seconds of a rebuild of that crate alone
    local dir=$HB_DIR/p12_$1 s
    touch "$dir/src/lib.rs"
    s=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR=$HB_DIR/target cargo build --offline -q > "$HB_DIR/p12_$1.log" 2>&1) || return 1
    awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'
}
p12_crate alien
p12_crate bindgen
p12_ok=1
for tag in sqlite3 synth; do
    case $tag in sqlite3) label="sqlite3.h" ;; *) label="synthetic 5000 functions" ;; esac
    p12_source alien $tag
    p12_source bindgen $tag
    log "P12: compiling the generated code for $label ($P12_ROUNDS rounds)"
    # The dependencies (alien and what it needs), and one untimed build of each.
    p12_build alien > /dev/null || { log "P12: the alien crate does not build (see $HB_DIR/p12_alien.log)"; p12_ok=; break; }
    p12_build bindgen > /dev/null || { log "P12: the bindgen crate does not build (see $HB_DIR/p12_bindgen.log)"; p12_ok=; break; }
    for round in $(seq 0 $((P12_ROUNDS - 1))); do
        if [ $((round % 2)) = 0 ]; then
            a=$(p12_build alien); b=$(p12_build bindgen)
        else
            b=$(p12_build bindgen); a=$(p12_build alien)
        fi
        echo "P12,$label,bindgen's output,$round,$(awk -v x="$a" 'BEGIN { printf "%.0f", x * 1e9 }'),$(awk -v x="$b" 'BEGIN { printf "%.0f", x * 1e9 }')" \
            >> "$WORK/timed_headers.csv"
    done
done
decls_sqlite=$(grep -c '^    pub \(unsafe \)\?fn ' "$HB_DIR/alien_sqlite3.rs" || true)
decls_synth=$(grep -c '^    pub \(unsafe \)\?fn ' "$HB_DIR/alien_synth.rs" || true)

python3 - "$WORK" "$HB_DIR" "$P8_ROUNDS" "$P12_ROUNDS" "$decls_sqlite" "$decls_synth" "${p12_ok:-0}" <<'PY'
import collections, csv, os, statistics, sys

work, hb, p8_rounds, p12_rounds, d_sqlite, d_synth, p12_ok = sys.argv[1:8]
rows = collections.OrderedDict()
for r in csv.reader(open(os.path.join(work, "timed_headers.csv"))):
    if len(r) >= 6:
        rows.setdefault((r[0], r[1], r[2]), []).append((float(r[4]), float(r[5])))


def q(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    a = statistics.quantiles(xs, n=4, method="inclusive")
    return a[0], a[2]


md = []
A = md.append
A("## P8: generating bindings (alien-build vs bindgen alone)")
A("")
A("`build-support/examples/header_bench.rs`, in one process, both sides alternating, one untimed run of each "
  "first. alien: `alien_build::Builder` with the header, the allowlists and the library (bindgen, then the "
  "translation to `define_c_function!` declarations, the `prototypes` description and prettyplease formatting). "
  "Peer: `bindgen::Builder::default()` with the same header and allowlists — with its default formatting "
  "(rustfmt, run by bindgen: what a user of bindgen gets, and formatted like alien's output) and, as a second, "
  "harsher row, with formatting turned off (`Formatter::None`). Goal ≤ 1.2x.")
A("")
A("| header | peer | alien ms | peer ms | ratio (median) | IQR | rounds | goal ≤ 1.2x |")
A("|---|---|---:|---:|---:|---|---:|---|")
for (id_, case, peer), v in rows.items():
    if id_ != "P8":
        continue
    r = [a / b for a, b in v]
    lo, hi = q(r)
    m = statistics.median(r)
    A(f"| {case} | {peer} | {statistics.median(a for a, _ in v) / 1e6:.1f} | {statistics.median(b for _, b in v) / 1e6:.1f} | "
      f"**{m:.3f}** | {lo:.3f}–{hi:.3f} | {len(v)} | {'met' if m <= 1.2 else '**not met**'} |")
A("")
A(f"Command: `cargo build --release -p alien-build --example header_bench && "
  f"target/release/examples/header_bench synth DIR && target/release/examples/header_bench time DIR {p8_rounds} out.csv`.")
A("")
A("Where alien's extra time goes: bindgen with alien's options costs about the same as bindgen alone; the "
  "translation re-parses bindgen's text with syn (the largest part of it), rewrites it and prints it. The synthetic header is the worst case for that ratio: 5,000 prototypes and almost "
  "no types, so nearly all of bindgen's output is re-parsed.")
A("")
A("## P12: compiling the generated code vs bindgen's output")
A("")
if p12_ok != "1":
    A("Not measured in this run: one of the crates did not build (see the logs in the run directory).")
else:
    A("Two crates, each a `lib.rs` that `include!`s one generated file: alien-build's output (the "
      "`define_c_function!` / `define_alien_variable!` / `define_c_enum!` declarations and the `prototypes` "
      "module) and bindgen's own output for the same header and allowlists. Their dependencies are built first; "
      f"each timed build is `touch src/lib.rs && cargo build` (debug) of that crate alone, alternating, {p12_rounds} "
      "rounds. Goal ≤ 1.5x.")
    A("")
    A("| header | declarations | alien s | bindgen's output s | ratio (median) | per-round | goal ≤ 1.5x | alien − bindgen per declaration |")
    A("|---|---:|---:|---:|---:|---|---|---:|")
    for (id_, case, peer), v in rows.items():
        if id_ != "P12":
            continue
        r = [a / b for a, b in v]
        m = statistics.median(r)
        n = int(d_sqlite if "sqlite" in case else d_synth or 0)
        a_s = statistics.median(a for a, _ in v) / 1e9
        b_s = statistics.median(b for _, b in v) / 1e9
        per = f"{(a_s - b_s) / n * 1e3:.1f} ms" if n else "–"
        A(f"| {case} | {n} | {a_s:.2f} | {b_s:.2f} | **{m:.2f}** | {' '.join(f'{x:.2f}' for x in r)} | "
          f"{'met' if m <= 1.5 else '**not met**'} | {per} |")
    A("")
    A("The last column is the expansion cost of `define_c_function!` per declaration (compile time of the crate "
      "beyond bindgen's, divided by the declarations). bindgen's output is an `extern \"C\"` block: "
      "declarations without bodies. alien-build puts every function that needs no marshalling (all of them "
      "here: the benchmark sets no parameter rules) in a bare block (`#![alien(bare)]`), which expands to the "
      "same kind of `extern` block (linked to trampolines), one naked function holding a 16-byte trampoline "
      "per declaration, and the block's linkage-table records as one array of one repeated constant plus a "
      "string of the names; the `prototypes` module re-exports the bare declarations as the header's "
      "prototypes. A declaration with Rust wrappers (a rule, a flag, `wrapped_function`) costs about 3 ms "
      "more: a wrapper with its marshalling and a companion module of real functions that rustc "
      "type-checks and compiles.")
    A("")
    A("Command: `bench/run.sh` (section `bench/sections/headers.sh`), or by hand: build the two crates in "
      "`target/bench/alien-bench-run/headers/p12_{alien,bindgen}` and time `touch src/lib.rs && cargo build`.")
A("")
open(os.path.join(work, "section_headers.md"), "w").write("\n".join(md) + "\n")
PY
