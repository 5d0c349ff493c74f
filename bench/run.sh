#!/usr/bin/env bash
# bench/run.sh - benchmark hubgen against Hugo, Jekyll and two cmark-gfm floors.
#
# usage: bench/run.sh [options]
#   --pages N[,N...]     corpus sizes (repeatable; default 1000,10000)
#   --tools LIST         subset of hubgen,hugo,jekyll,limit,cmark (default: all)
#   --runs K             timed runs per tool and size (default 3)
#   --jekyll-runs K      timed runs for jekyll only (default: --runs)
#   --hubgen PATH        hubgen binary (default: build-release/hubgen under the
#                        repo root, built with cmake only if missing)
#   --workdir DIR        corpora, outputs, logs (default /tmp/hubgen-bench)
#   --seed S             corpus seed (default: gen_corpus.py's default)
#   --shared DIR         dir holding gen_corpus.py and cmark_limit.c
#                        (default: <repo>/../shared/bench)
#   --csv FILE           also write the results as CSV
#   -h, --help           this text
#
# Every tool builds into an existing output folder: one untimed warm-up build,
# then K timed builds into the same folder. Wall time is the median of the K
# runs (best also shown), CPU = user+sys (median), peak RSS = max over runs.
# Use K >= 3 and read the median: on ext4 the first run after the warm-up
# overwrites files that are not yet written back and is faster than the steady
# state (see README.md), so "best" flatters tools that rewrite every file.
# The report (header + markdown table) goes to stdout and to
# WORKDIR/report-<timestamp>.md; progress goes to stderr.
#
# Installs nothing: a missing peer is skipped with the apt-get line to use.

set -uo pipefail
export LC_ALL=C   # '.' decimal point in EPOCHREALTIME and printf

die()  { echo "run.sh: $*" >&2; exit 2; }
note() { echo "[bench] $*" >&2; }
usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0"; }

# ---------------------------------------------------------------- paths ----
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null) || REPO=$(dirname "$SCRIPT_DIR")

# ---------------------------------------------------------------- options --
PAGES=()
TOOLS="hubgen,hugo,jekyll,limit,cmark"
RUNS=3
JEKYLL_RUNS=
HUBGEN=
WORK=/tmp/hubgen-bench
SEED=
SHARED=$REPO/../shared/bench
CSV=

while (($#)); do
    case $1 in
        --pages)       [[ $# -ge 2 ]] || die "--pages needs a value"; IFS=, read -ra _p <<<"$2"; PAGES+=("${_p[@]}"); shift 2 ;;
        --tools)       TOOLS=$2; shift 2 ;;
        --runs)        RUNS=$2; shift 2 ;;
        --jekyll-runs) JEKYLL_RUNS=$2; shift 2 ;;
        --hubgen)      HUBGEN=$(realpath -m -- "$2"); shift 2 ;;
        --workdir)     WORK=$2; shift 2 ;;
        --seed)        SEED=$2; shift 2 ;;
        --shared)      SHARED=$2; shift 2 ;;
        --csv)         CSV=$2; shift 2 ;;
        -h|--help)     usage; exit 0 ;;
        *)             die "unknown option: $1 (see --help)" ;;
    esac
done
((${#PAGES[@]})) || PAGES=(1000 10000)
: "${JEKYLL_RUNS:=$RUNS}"
for n in "${PAGES[@]}" "$RUNS" "$JEKYLL_RUNS"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: '$n'"
done
[[ -z $SEED || $SEED =~ ^[0-9]+$ ]] || die "bad --seed: $SEED"
IFS=, read -ra TOOL_LIST <<<"$TOOLS"
for t in "${TOOL_LIST[@]}"; do
    [[ $t =~ ^(hubgen|hugo|jekyll|limit|cmark)$ ]] || die "unknown tool: $t"
done
want() { [[ ,$TOOLS, == *,$1,* ]]; }

SHARED=$(cd "$SHARED" 2>/dev/null && pwd) || die "shared bench dir not found (use --shared)"
GEN=$SHARED/gen_corpus.py
LIMIT_SRC=$SHARED/cmark_limit.c
[[ -f $GEN ]] || die "missing $GEN"
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing: apt-get install -y time"
command -v python3 >/dev/null || die "python3 missing"

mkdir -p "$WORK/logs" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)
STAMP=$(date +%Y%m%d-%H%M%S)
RAW=$WORK/raw-$STAMP.tsv      # one line per timed run / skip note
REPORT=$WORK/report-$STAMP.md
: >"$RAW"

# Tools that cannot run are recorded once (tool -> reason) and skipped.
declare -A SKIP=()
skip() { # skip TOOL REASON...
    local t=$1; shift
    SKIP[$t]="$*"
    note "skipping $t: $*"
}

# ------------------------------------------------------- peer detection ----
# Each check leaves the tool usable or records why not (with the apt-get line).
if want hugo && ! command -v hugo >/dev/null; then
    skip hugo "hugo not installed (apt-get install -y hugo)"
fi
if want jekyll; then
    if ! command -v jekyll >/dev/null; then
        skip jekyll "jekyll not installed (apt-get install -y jekyll ruby-jekyll-include-cache)"
    elif ! ruby -e 'require "jekyll-include-cache"' 2>/dev/null; then
        skip jekyll "jekyll-include-cache plugin missing (apt-get install -y ruby-jekyll-include-cache)"
    fi
fi
if want cmark && ! command -v cmark-gfm >/dev/null; then
    skip cmark "cmark-gfm CLI not installed (apt-get install -y cmark-gfm)"
fi

# limit: compile cmark_limit.c into the work dir (rebuilt when the source changes).
LIMIT_BIN=$WORK/cmark_limit
if want limit; then
    if [[ ! -f $LIMIT_SRC ]]; then
        skip limit "missing $LIMIT_SRC"
    elif [[ ! -x $LIMIT_BIN || $LIMIT_SRC -nt $LIMIT_BIN ]]; then
        note "compiling $LIMIT_BIN"
        if ! cc -O2 -o "$LIMIT_BIN" "$LIMIT_SRC" -lcmark-gfm-extensions -lcmark-gfm -lyaml \
                2>"$WORK/logs/cmark_limit-build.log"; then
            tail -n 5 "$WORK/logs/cmark_limit-build.log" >&2
            skip limit "cannot compile cmark_limit.c (apt-get install -y gcc libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev)"
        fi
    fi
fi

# hubgen: default binary is built with cmake (Release) when missing.
if want hubgen; then
    if [[ -z $HUBGEN ]]; then
        HUBGEN=$REPO/build-release/hubgen
        if [[ ! -x $HUBGEN ]]; then
            if [[ -f $REPO/CMakeLists.txt ]]; then
                note "building hubgen (Release) -> $HUBGEN"
                if ! (cd "$REPO" && cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release &&
                      cmake --build build-release) >"$WORK/logs/hubgen-build.log" 2>&1; then
                    tail -n 15 "$WORK/logs/hubgen-build.log" >&2
                fi
            else
                note "no $REPO/CMakeLists.txt yet, cannot build hubgen"
            fi
        fi
    fi
    [[ -x $HUBGEN ]] || skip hubgen "binary not found: $HUBGEN"
fi

# ------------------------------------------------------------ measuring ----
# measure STDOUT STDERR CMD...: run CMD under /usr/bin/time. Sets M_WALL (s,
# from bash's µs clock: %e only has 10 ms resolution), M_CPU (user+sys, s)
# and M_RSS (peak KiB). Returns CMD's exit status.
measure() {
    local out=$1 err=$2; shift 2
    local tf=$WORK/.time.$$ t0 t1 rc line
    t0=${EPOCHREALTIME/./}
    /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$out" 2>"$err"
    rc=$?
    t1=${EPOCHREALTIME/./}
    line=$(tail -n 1 "$tf")  # a failing command adds a "Command exited..." line first
    local u s m; read -r _ u s m <<<"$line"   # %e unused: 10 ms resolution
    M_WALL=$(printf '%d.%06d' $(((t1 - t0) / 1000000)) $(((t1 - t0) % 1000000)))
    M_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}')
    M_RSS=$m
    rm -f "$tf"
    return "$rc"
}

# bench_tool TOOL PAGES RUNS OUTDIR STDOUT CMD...: wipe OUTDIR, warm-up build
# into it, then RUNS timed builds into the same folder; appends raw rows.
# OUTDIR may be "-" for tools that write no folder (cmark-gfm to /dev/null).
bench_tool() {
    local tool=$1 n=$2 runs=$3 outdir=$4 stdout=$5; shift 5
    local log=$WORK/logs/$tool-$n.log i rc
    [[ $stdout == log ]] && stdout=$log.out
    [[ $outdir != - ]] && rm -rf "$outdir"
    note "$tool @ $n pages: warm-up"
    measure "$stdout" "$log" "$@"; rc=$?
    if ((rc)); then
        note "$tool @ $n pages: warm-up FAILED (exit $rc): $*"
        tail -n 10 "$log" | sed 's/^/    /' >&2
        printf 'skip\t%s\t%s\t%s\n' "$tool" "$n" "build failed, see $log" >>"$RAW"
        return 1
    fi
    # Sanity check: a build that "succeeds" without writing the pages (e.g. a
    # stub binary) must not produce a timing.
    if [[ $outdir != - ]]; then
        local got; got=$(find "$outdir" -name '*.html' 2>/dev/null | wc -l)
        if ((got == 0)); then
            note "$tool @ $n pages: exit 0 but no .html under $outdir"
            printf 'skip\t%s\t%s\t%s\n' "$tool" "$n" "exit 0 but wrote no .html files" >>"$RAW"
            return 1
        elif ((got < n)); then
            note "$tool @ $n pages: only $got .html files for $n pages"
            printf 'warn\t%s\t%s\t%s\n' "$tool" "$n" "wrote only $got .html files for $n pages" >>"$RAW"
        fi
    fi
    for ((i = 1; i <= runs; i++)); do
        measure "$stdout" "$log" "$@"; rc=$?
        if ((rc)); then
            note "$tool @ $n pages: run $i FAILED (exit $rc)"
            tail -n 10 "$log" | sed 's/^/    /' >&2
            printf 'skip\t%s\t%s\t%s\n' "$tool" "$n" "run $i failed, see $log" >>"$RAW"
            return 1
        fi
        note "$tool @ $n pages: run $i/$runs wall ${M_WALL}s cpu ${M_CPU}s rss ${M_RSS}KiB"
        printf 'run\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$M_WALL" "$M_CPU" "$M_RSS" >>"$RAW"
    done
}

# write_if_changed FILE: stdin -> FILE, leaving FILE (and its mtime) alone
# when the content is already identical.
write_if_changed() {
    local tmp; tmp=$(mktemp) && cat >"$tmp"
    mkdir -p "$(dirname "$1")"
    if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1" && chmod 644 "$1"; fi
}

# --------------------------------------------------------------- corpus ----
# WORK/pN/corpus   OUTDIR of gen_corpus.py (content/, bodies.md, hub.yml, templates/)
# WORK/pN/hugo     Hugo site        WORK/pN/jekyll  Jekyll site
# WORK/pN/out/T    build output of tool T
# A stamp file records the generator checksum + seed; regenerate only when it
# is missing or different.
prepare_corpus() {
    local n=$1 base=$WORK/p$1
    local want_stamp have_stamp=
    want_stamp="$(md5sum <"$GEN" | cut -d' ' -f1) seed=${SEED:-default} pages=$n"
    [[ -f $base/.stamp ]] && have_stamp=$(<"$base/.stamp")
    if [[ $have_stamp != "$want_stamp" ]]; then
        note "generating corpus: $n pages -> $base"
        rm -rf "$base"
        mkdir -p "$base"
        python3 "$GEN" "$base/corpus" --pages "$n" ${SEED:+--seed "$SEED"} \
            --hugo "$base/hugo" --jekyll "$base/jekyll" --bodies >&2 ||
            die "gen_corpus.py failed for $n pages"
        echo "$want_stamp" >"$base/.stamp"
    fi
    # hubgen site config + the `wide` layout the corpus pages ask for.
    echo "title: Bench" | write_if_changed "$base/corpus/hub.yml"
    printf '%s\n' '---' 'layout: default' '---' '<div class="wide">{{ content }}</div>' |
        write_if_changed "$base/corpus/templates/layouts/wide.html"
}

# ------------------------------------------------------------------ run ----
for n in "${PAGES[@]}"; do
    prepare_corpus "$n"
    base=$WORK/p$n
    for t in hubgen hugo jekyll limit cmark; do
        want "$t" || continue
        if [[ -n ${SKIP[$t]:-} ]]; then
            printf 'skip\t%s\t%s\t%s\n' "$t" "$n" "${SKIP[$t]}" >>"$RAW"
            continue
        fi
        case $t in
            hubgen) bench_tool hubgen "$n" "$RUNS" "$base/out/hubgen" log \
                        "$HUBGEN" build -s "$base/corpus" -d "$base/out/hubgen" -q ;;
            hugo)   bench_tool hugo "$n" "$RUNS" "$base/out/hugo" log \
                        hugo --quiet -s "$base/hugo" -d "$base/out/hugo" ;;
            jekyll) bench_tool jekyll "$n" "$JEKYLL_RUNS" "$base/out/jekyll" log \
                        jekyll build --quiet -s "$base/jekyll" -d "$base/out/jekyll" ;;
            limit)  bench_tool limit "$n" "$RUNS" "$base/out/limit" log \
                        "$LIMIT_BIN" -y "$base/corpus/content" "$base/out/limit" ;;
            cmark)  bench_tool cmark "$n" "$RUNS" - /dev/null \
                        cmark-gfm --unsafe -e table -e strikethrough -e autolink -e tagfilter \
                        "$base/corpus/bodies.md" ;;
        esac
    done
done

# --------------------------------------------------------------- report ----
version() { # version TOOL CMD...: first line of CMD's output, or a note
    local v
    if v=$("${@:2}" 2>&1 | head -n 1) && [[ -n $v ]]; then echo "$v"; else echo "(unknown)"; fi
}
{
    echo "# hubgen benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- host: $(uname -srm), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- runs: $RUNS timed (jekyll: $JEKYLL_RUNS) after 1 untimed warm-up, into the same output folder"
    if want hubgen; then
        rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "no commit")
        [[ -n $(git -C "$REPO" status --porcelain -- src 2>/dev/null) ]] && rev+=" (+ uncommitted src changes)"
        if [[ -x $HUBGEN ]]; then
            echo "- hubgen: $HUBGEN (built $(date -u -r "$HUBGEN" '+%Y-%m-%d %H:%M UTC')), repo $rev," \
                 "$(version hubgen timeout 5 "$HUBGEN" --version)"
        else
            echo "- hubgen: not available"
        fi
    fi
    want hugo && command -v hugo >/dev/null && echo "- hugo: $(version hugo hugo version)"
    want jekyll && command -v jekyll >/dev/null &&
        echo "- jekyll: $(version jekyll jekyll --version), $(version ruby ruby --version | cut -d' ' -f1-2)"
    want cmark && command -v cmark-gfm >/dev/null && echo "- cmark-gfm: $(version cmark cmark-gfm --version)"
    if want limit; then
        lib=$(dpkg-query -W -f '${Version}' libcmark-gfm-dev 2>/dev/null)
        echo "- limit: cmark_limit.c built with $(version cc cc --version), libcmark-gfm ${lib:-?}"
    fi
    echo
    python3 - "$RAW" "$CSV" <<'PY'
import csv, statistics, sys

raw, csv_path = sys.argv[1], sys.argv[2]
LABEL = {"hubgen": "hubgen", "hugo": "hugo", "jekyll": "jekyll",
         "limit": "limit (per file)", "cmark": "limit (cmark-gfm, 1 process)"}
ORDER = list(LABEL)
runs, skips = {}, []
for line in open(raw):
    f = line.rstrip("\n").split("\t")
    if f[0] == "run":
        runs.setdefault((int(f[2]), f[1]), []).append((float(f[3]), float(f[4]), int(f[5])))
    elif f[0] in ("skip", "warn"):
        skips.append((int(f[2]), f[1], ("skipped: " if f[0] == "skip" else "warning: ") + f[3]))

rows = []
for n in sorted({k[0] for k in runs}):
    walls = {t: statistics.median(w for w, _, _ in runs[(n, t)]) for t in ORDER if (n, t) in runs}
    for t in ORDER:
        if (n, t) not in runs:
            continue
        r = runs[(n, t)]
        w = walls[t]
        rows.append({
            "tool": LABEL[t], "pages": n, "runs": len(r),
            "wall_s": w, "best_s": min(x[0] for x in r),
            "cpu_s": statistics.median(x[1] for x in r),
            "peak_mib": max(x[2] for x in r) / 1024,
            "us_per_page": w / n * 1e6,
            # vs hugo / vs jekyll: how many times faster than the peer (>1 = faster)
            "vs_hugo": walls["hugo"] / w if "hugo" in walls else None,
            "vs_jekyll": walls["jekyll"] / w if "jekyll" in walls else None,
            # vs limit: how many times slower than cmark-gfm in one process
            "vs_limit": w / walls["cmark"] if "cmark" in walls else None,
        })

def ratio(x):
    return "–" if x is None else ("%.0f×" % x if x >= 100 else "%.1f×" % x if x >= 10 else "%.2f×" % x)

head = ["tool", "pages", "runs", "wall s", "best s", "CPU s", "peak MiB", "µs/page",
        "vs hugo", "vs jekyll", "vs limit"]
print("| " + " | ".join(head) + " |")
print("|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|")
for r in rows:
    print("| %s | %d | %d | %.3f | %.3f | %.2f | %.1f | %.0f | %s | %s | %s |" % (
        r["tool"], r["pages"], r["runs"], r["wall_s"], r["best_s"], r["cpu_s"],
        r["peak_mib"], r["us_per_page"], ratio(r["vs_hugo"]), ratio(r["vs_jekyll"]),
        ratio(r["vs_limit"])))
if not rows:
    print("| (no results) |" + " |" * (len(head) - 1))
print()
print("wall s = median wall of the timed runs, best s = fastest run; CPU = user+sys (median);")
print("peak = max RSS over runs; vs hugo / vs jekyll = peer wall / tool wall (×faster);")
print("vs limit = tool wall / cmark-gfm 1-process wall (×slower than plain parse+render).")
if skips:
    print()
    for n, t, why in skips:
        print("- %s @ %d pages %s" % (LABEL[t], n, why))

if csv_path:
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["tool"],
                           lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else round(v, 6) if isinstance(v, float) else v)
                        for k, v in r.items()})
PY
} | tee "$REPORT"
note "report: $REPORT (raw runs: $RAW, logs: $WORK/logs)"
