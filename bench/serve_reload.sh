#!/usr/bin/env bash
# bench/serve_reload.sh — how long a one-page edit takes to show in `hubgen serve`.
#
# usage: bench/serve_reload.sh [--pages N] [--edits K] [--hubgen PATH] [--workdir DIR]
#
# Generates (or reuses) the benchmark corpus of N pages (default 10000) with
# ../shared/bench/gen_corpus.py, starts `hubgen serve --port 0` on a copy of it, and K times
# (default 5) appends a unique word to one page and polls that page over HTTP until the word
# is served. Prints each latency (edit → new bytes served, which includes the watcher's
# quiet period, the rebuild and the switch) and their median. Loopback only; the server is
# stopped at the end.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || dirname "$SCRIPT_DIR")
PAGES=10000 EDITS=5 HUBGEN="$REPO/build-release/hubgen" WORK=/tmp/hubgen-bench
while [[ $# -gt 0 ]]; do
  case $1 in
    --pages) PAGES=$2; shift 2 ;;
    --edits) EDITS=$2; shift 2 ;;
    --hubgen) HUBGEN=$(realpath -m -- "$2"); shift 2 ;;
    --workdir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "serve_reload: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $HUBGEN ]] || { echo "serve_reload: no hubgen at $HUBGEN (cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release)" >&2; exit 1; }
command -v curl >/dev/null || { echo "serve_reload: needs curl" >&2; exit 1; }

corpus="$WORK/p$PAGES/corpus"
if [[ ! -d $corpus/content ]]; then
  mkdir -p "$WORK/p$PAGES"
  python3 "$REPO/../shared/bench/gen_corpus.py" "$corpus" --pages "$PAGES" >/dev/null
fi
site=$(mktemp -d "${TMPDIR:-/tmp}/hubgen-serve-bench.XXXXXX")
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$site" "$site.log" "$site.page"' EXIT
cp -r "$corpus/content" "$site/content"
# the corpus's `layout: wide` pages need a layout, as in bench/run.sh
mkdir -p "$site/templates/layouts"
printf -- '---\nlayout: default\n---\n<div class="wide">{{ content }}</div>\n' > "$site/templates/layouts/wide.html"
printf 'title: Serve bench\n' > "$site/hub.yml"

log="$site.log"
"$HUBGEN" serve -s "$site" --port 0 >"$log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(grep -m1 -o 'http://127\.0\.0\.1:[0-9]*[^ ]*' "$log" || true)
  [[ -n $url ]] && break
  sleep 0.1
done
[[ -n $url ]] || { echo "serve_reload: the server did not start:" >&2; cat "$log" >&2; exit 1; }
url=${url%/}

# the page to edit: the first regular page of the first section
page=$(cd "$site/content" && find . -name '*.md' ! -name '_index.md' | sort | sed -n 1p)
page=${page#./}
path="/${page%.md}/"
latencies=()
for k in $(seq 1 "$EDITS"); do
  word="hubgenedit${k}x$RANDOM"
  t0=$(date +%s%N)
  printf '\n%s\n' "$word" >> "$site/content/$page"
  for _ in $(seq 1 3000); do
    # (no pipe into grep -q: with pipefail, curl's broken pipe would read as "not found")
    if curl -fs -o "$site.page" "$url$path" && grep -q "$word" "$site.page"; then break; fi
    sleep 0.005
  done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  latencies+=("$ms")
  echo "edit $k: ${ms} ms"
  sleep 0.3
done
median=$(printf '%s\n' "${latencies[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
# the server's own figure for each rebuild (read, render, check, switch), without the
# watcher's quiet period and the polling
rebuilds=$(grep -o 'rebuilt after .* in [0-9]* ms[^,]*' "$log" || true)
[[ -n $rebuilds ]] && printf '%s\n' "$rebuilds" | sed 's/^/server: /'
rmed=$(printf '%s\n' "$rebuilds" | grep -o 'in [0-9]* ms' | grep -o '[0-9]*' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}')
echo "hubgen serve, $PAGES pages, one-page edit -> served: median ${median} ms over $EDITS edits, of which the rebuild ${rmed:-?} ms and the watcher's quiet period $(grep -o 'QUIET_MS [0-9]*' "$REPO/src/serve.c" | grep -o '[0-9]*') ms ($(date -u '+%Y-%m-%d'), $(nproc) cores)"
