#!/usr/bin/env bash
# Golden sites: tests/sites/<case>/site is built and compared, file by file and byte by
# byte, with tests/sites/<case>/expected. Set HG_UPDATE_GOLDEN=1 to rewrite the expected
# folders after a deliberate change (and review the diff before committing it).
set -u
source "$(dirname "$0")/../lib/assert.sh"
sites="$HG_TESTS_DIR/sites"
for case_dir in "$sites"/*/; do
  name=$(basename "$case_dir")
  [ -d "$case_dir/site" ] || continue
  # built from a copy outside this repository's work tree, so that no date comes from git
  # (the output must not depend on when the fixture was committed, or on whether it was)
  dir="$TMP/case-$name"
  cp -r "$case_dir" "$dir"
  args=()
  [ -f "$dir/args" ] && read -r -a args < "$dir/args"
  out="$TMP/$name"
  if ! "$HUBGEN" build -q -s "$dir/site" -d "$out" "${args[@]}" 2>"$TMP/$name.err"; then
    bad "$name: build failed: $(cat "$TMP/$name.err")"
    continue
  fi
  # the build's own warnings are part of what is expected
  if [ -f "$dir/expected-warnings" ]; then
    expect_eq "$name warnings" "$(cat "$dir/expected-warnings")" "$(sed "s|$dir/site/||g" "$TMP/$name.err")"
  fi
  if [ "${HG_UPDATE_GOLDEN:-}" = 1 ]; then
    rm -rf "$case_dir/expected" && cp -r "$out" "$case_dir/expected"
    echo "updated $name"
    continue
  fi
  if diff -r "$dir/expected" "$out" >"$TMP/$name.diff"; then
    ok
  else
    bad "$name: output differs from expected:"
    head -50 "$TMP/$name.diff" >&2
  fi
  # determinism: a second build, on one thread, gives the same bytes
  "$HUBGEN" build -q -j 1 -s "$dir/site" -d "$TMP/$name-again" "${args[@]}" 2>/dev/null
  if diff -r "$out" "$TMP/$name-again" >/dev/null; then ok; else bad "$name: a second build differs"; fi
done
finish
