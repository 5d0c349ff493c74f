# Small assertion helpers for the command-line tests (sourced, not run).
# Each test script counts its checks and ends with "N passed, N failed".
HUBGEN=${1:?usage: $0 path/to/hubgen}
HUBGEN=$(cd "$(dirname "$HUBGEN")" && pwd)/$(basename "$HUBGEN")
export SOURCE_DATE_EPOCH=1700000000
export NO_COLOR=1
unset GITHUB_ACTIONS
pass=0
fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: expected [$2], got [$3]"; fi; }
# expect_contains NAME HAYSTACK NEEDLE
expect_contains() {
  case "$2" in *"$3"*) ok ;; *) bad "$1: [$3] not found in: $2" ;; esac
}
expect_not_contains() {
  case "$2" in *"$3"*) bad "$1: [$3] should not be in: $2" ;; *) ok ;; esac
}
expect_file() { if [ -f "$2" ]; then ok; else bad "$1: no file $2"; fi; }
expect_no_file() { if [ ! -e "$2" ]; then ok; else bad "$1: $2 should not exist"; fi; }

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
