#!/usr/bin/env bash
# Runs one libFuzzer harness for a while, on one core, with its seed corpus and dictionary.
#
#   tests/fuzz/run.sh BUILD-DIR NAME SECONDS [more libFuzzer flags…]
#   e.g. tests/fuzz/run.sh build-fuzz liquid 3600
#
# BUILD-DIR is a build configured with -DCMAKE_C_COMPILER=clang -DHUBGEN_FUZZ=ON. New
# corpus entries go to $HG_FUZZ_WORK/corpus-NAME (default /tmp/hubgen-fuzz), never into
# the tree; crashers to $HG_FUZZ_WORK/artifacts-NAME/. A crasher worth keeping is copied,
# under a name saying what it found, into tests/fuzz/NAME/regressions/ (then CTest replays
# it in every build). The log is $HG_FUZZ_WORK/NAME.log; the last line of the summary
# gives the number of runs and the time.
set -u
build=${1:?usage: $0 BUILD-DIR NAME SECONDS [flags…]}
name=${2:?name: frontmatter, liquid, markdown or serve_path}
secs=${3:?seconds}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
work=${HG_FUZZ_WORK:-/tmp/hubgen-fuzz}
mkdir -p "$work/corpus-$name" "$work/artifacts-$name"
case $name in
  serve_path) max_len=4200 ;;
  liquid) max_len=4096 ;;
  *) max_len=16384 ;;
esac
exec "$build/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len="$max_len" \
  -dict="$here/$name.dict" -artifact_prefix="$work/artifacts-$name/" -print_final_stats=1 \
  "$@" "$work/corpus-$name" "$here/$name" 2>&1 | tee "$work/$name.log" | grep -E 'DONE|ERROR|SUMMARY|Done|stat::|property'
