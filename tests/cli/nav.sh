#!/usr/bin/env bash
# Navigation order across Jekyll (just-the-docs) and Hugo (hugo-book) conventions:
# `hubgen nav` for each fixture in tests/nav/<case>/site is compared with
# tests/nav/<case>/expected.txt and expected.json, and its warnings with expected-warnings.
# HG_UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
set -u
source "$(dirname "$0")/../lib/assert.sh"
for dir in "$HG_TESTS_DIR"/nav/*/; do
  name=$(basename "$dir")
  for fmt in text json; do
    ext=$([ $fmt = text ] && echo txt || echo json)
    out=$("$HUBGEN" nav -s "$dir/site" --format $fmt 2>"$TMP/$name.err")
    code=$?
    out=$(printf '%s' "$out" | sed "s|$dir/site/||g")
    expect_eq "$name nav $fmt exit code" 0 "$code"
    warnings=$(sed "s|$dir/site/||g" "$TMP/$name.err")
    if [ "${HG_UPDATE_GOLDEN:-}" = 1 ]; then
      printf '%s\n' "$out" > "$dir/expected.$ext"
      printf '%s\n' "$warnings" > "$dir/expected-warnings"
      continue
    fi
    expect_eq "$name nav $fmt" "$(cat "$dir/expected.$ext")" "$out"
    expect_eq "$name warnings" "$(cat "$dir/expected-warnings")" "$warnings"
  done
done

# The order shows in the built pages too: previous/next and breadcrumbs come from the tree.
site="$HG_TESTS_DIR/nav/hugo/site"
"$HUBGEN" build -q -s "$site" -d "$TMP/hugo-out" 2>/dev/null
page=$(cat "$TMP/hugo-out/docs/z/index.html" 2>/dev/null)
# Zebra comes after Docs and before Sub section in reading order
expect_contains "built page links to the previous page" "$page" "/docs/\""
expect_contains "built page links to the next page" "$page" "/docs/sub/\""
expect_contains "built page names the next page" "$page" "Sub section"
finish
