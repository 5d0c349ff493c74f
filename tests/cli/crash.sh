#!/usr/bin/env bash
# Crash safety (issue 8): a build killed with SIGKILL at any moment leaves the destination
# exactly as the last good build left it, or exactly as the new build would have — never a
# mix of the two and never a partial file — and the next build just works.
#
# Two versions of a ~1,500-page site, A and B, differ in every page. The destination starts
# as A. Then, again and again, a build of the version the destination does not hold is
# started and killed after a random delay spread over a whole build; the destination's
# manifest (every path, its type, and every file's SHA-256) must then equal A's or B's.
# Building the other version each time makes every kill land on a real change.
set -u
source "$(dirname "$0")/../lib/assert.sh"

PAGES=${HG_CRASH_PAGES:-1500}
BUDGET=${HG_CRASH_SECONDS:-40} # seconds for the kill loop, roughly
MIN_KILLS=10
MAX_KILLS=25

# make_site DIR VERSION: PAGES pages in folders of 50, each naming VERSION in its text
make_site() {
  python3 - "$1" "$2" "$PAGES" <<'EOF'
import os, sys
root, version, pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(root, exist_ok=True)
with open(os.path.join(root, "_config.yml"), "w") as f:
    f.write("title: Crash test\nurl: https://example.org\n")
for i in range(pages):
    folder = os.path.join(root, "section%02d" % (i // 50))
    os.makedirs(folder, exist_ok=True)
    if i % 50 == 0:
        with open(os.path.join(folder, "index.md"), "w") as f:
            f.write("---\ntitle: Section %d\n---\nSection %d, version %s.\n" % (i // 50, i // 50, version))
    other = "../section%02d/page%04d.md" % (((i + 7) % pages) // 50, (i + 7) % pages)
    with open(os.path.join(folder, "page%04d.md" % i), "w") as f:
        f.write("---\ntitle: Page %d\nnav_order: %d\n---\n" % (i, i % 50 + 1))
        f.write("# Page %d\n\nThis is version **%s** of page %d.\n\n" % (i, version, i))
        f.write("## Details\n\nSee [another page](%s) and [the details](#details).\n\n" % other)
        f.write("```c\nint version = %d;\n```\n\n" % (ord(version[0]) + i))
        f.write("| a | b |\n|---|---|\n| %d | %s |\n" % (i, version))
EOF
}

# manifest DIR: every entry's type and path, and every file's SHA-256, in name order
manifest() {
  (cd "$1" && find . -mindepth 1 -printf '%y %p\n' | LC_ALL=C sort &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

make_site "$TMP/A" A
make_site "$TMP/B" B

# the reference trees: each version built on its own
for v in A B; do
  err=$("$HUBGEN" build -q -s "$TMP/$v" -d "$TMP/ref-$v" 2>&1)
  expect_eq "reference build $v" 0 $?
done
ref_A=$(manifest "$TMP/ref-A")
ref_B=$(manifest "$TMP/ref-B")
if [ "$ref_A" = "$ref_B" ]; then bad "the two versions must differ"; fi
expect_eq "pages in the reference" "$PAGES" "$(find "$TMP/ref-A" -path '*/page*/index.html' | wc -l)"

DEST="$TMP/site/_site"
mkdir -p "$TMP/site"
"$HUBGEN" build -q -s "$TMP/A" -d "$DEST" 2>/dev/null
expect_eq "first build is A" "$ref_A" "$(manifest "$DEST")"

# how long a build that changes every page takes, to spread the kills over it
start=$(date +%s%N)
"$HUBGEN" build -q -s "$TMP/B" -d "$DEST" 2>/dev/null
build_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "a full rebuild gives B" "$ref_B" "$(manifest "$DEST")"
holds=B
kills=$((BUDGET * 1000 / (build_ms + 150)))
[ "$kills" -lt "$MIN_KILLS" ] && kills=$MIN_KILLS
[ "$kills" -gt "$MAX_KILLS" ] && kills=$MAX_KILLS
echo "a full rebuild takes ${build_ms} ms; $kills kills, at 0 to $((build_ms * 11 / 10)) ms"

mixed=0 early=0 late=0
for i in $(seq 1 "$kills"); do
  if [ "$holds" = A ]; then want=B; else want=A; fi
  # the delays step through the build (with some jitter), so every part of it is hit
  delay=$(((build_ms * 11 / 10) * (i - 1) / (kills - 1) + RANDOM % 20))
  "$HUBGEN" build -q -s "$TMP/$want" -d "$DEST" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  status=$?
  now=$(manifest "$DEST")
  if [ "$now" = "$ref_A" ]; then
    holds=A
  elif [ "$now" = "$ref_B" ]; then
    holds=B
  else
    mixed=$((mixed + 1))
    bad "kill $i after ${delay} ms (exit $status): the destination is neither A nor B"
    # put it right for the next kill
    "$HUBGEN" build -q -s "$TMP/A" -d "$DEST" 2>/dev/null
    holds=A
    continue
  fi
  ok
  if [ "$holds" = "$want" ]; then late=$((late + 1)); else early=$((early + 1)); fi
  if find "$DEST" -name '*.hubgen-tmp' | grep -q .; then bad "kill $i: a temporary file in the destination"; else ok; fi
done
echo "$kills kills: $early left the old site, $late came after the swap, $mixed left a mix"
if [ "$early" -gt 0 ]; then ok; else bad "no kill landed before the swap (delays too long?)"; fi

# the next normal build: works, and leaves nothing half-done beside the destination
before=$(manifest "$DEST")
if [ "$holds" = A ]; then want=B; else want=A; fi
err=$("$HUBGEN" build -q -s "$TMP/$want" -d "$DEST" 2>&1)
expect_eq "the build after the kills exit code" 0 $?
expect_eq "the build after the kills is right" "$(eval echo "\$ref_$want")" "$(manifest "$DEST")"
staging="$TMP/site/._site.hubgen-staging"
# the staging folder is kept for the next build to start from; it must hold exactly the
# site that was live before (the swap's other half), with nothing left of the killed builds
if [ -d "$staging" ]; then
  expect_eq "the staging folder holds exactly the previous site" "$before" "$(manifest "$staging")"
else
  ok
fi
expect_eq "nothing else beside the destination" "_site ._site.hubgen-staging" \
  "$(cd "$TMP/site" && ls -A | LC_ALL=C sort -r | tr '\n' ' ' | sed 's/ $//')"
expect_eq "no temporary files anywhere" "" "$(find "$TMP/site" -name '*.hubgen-tmp')"

finish
