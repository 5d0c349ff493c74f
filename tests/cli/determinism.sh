#!/usr/bin/env bash
# Determinism (issue 8): the same input gives the same bytes.
# - the same site built with -j1, -j2 and -j8 gives byte-identical trees;
# - two builds with the same SOURCE_DATE_EPOCH give identical bytes, feed, sitemap and
#   search index included;
# - a different SOURCE_DATE_EPOCH changes only what shows the build time.
# The site is the hub itself (hub.yml and content/, with its posts, so there is a feed),
# with 300 generated pages for the threads to share, a page that prints the build time,
# and every file's modification time set to a fixed moment (a page's "last updated" date
# falls back on it when there is no git history).
set -u
source "$(dirname "$0")/../lib/assert.sh"
SRC=${HG_SOURCE_DIR:?HG_SOURCE_DIR: the repository (set by CTest)}

site="$TMP/site"
mkdir -p "$site"
cp -R "$SRC/hub.yml" "$SRC/content" "$site/"
python3 - "$site/content/generated" <<'EOF'
import os, sys
root = sys.argv[1]
for i in range(300):
    folder = os.path.join(root, "part%d" % (i // 30))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "page%03d.md" % i), "w") as f:
        f.write("---\ntitle: Generated %d\nweight: %d\n---\n# Generated %d\n\n" % (i, (i * 7) % 13, i))
        f.write("## Part one\n\nText with a [link](../part%d/page%03d.md) and `code`.\n\n" % ((i + 1) % 300 // 30, (i + 1) % 300))
        f.write("## Part two\n\n| x | y |\n|---|---|\n| %d | :smile: |\n" % i)
EOF
printf -- '---\ntitle: Build time\n---\nBuilt at {{ site.time | date_to_xmlschema }}.\n' > "$site/content/build-time.md"
# every file from the same moment: 2023-07-22 (before both build times used below)
find "$site" -exec touch -h -d @1690000000 {} +

# build NAME EPOCH [ARGS…]: builds into $TMP/NAME with that SOURCE_DATE_EPOCH
build() {
  local name=$1 epoch=$2
  shift 2
  err=$(SOURCE_DATE_EPOCH=$epoch "$HUBGEN" build -q -s "$site" -d "$TMP/$name" "$@" 2>&1)
  expect_eq "build $name" 0 $?
}

# same NAME DIR1 DIR2: the two trees are byte for byte the same
same() {
  local out
  out=$(diff -r "$2" "$3" 2>&1 | head -n 20)
  expect_eq "$1" "" "$out"
}

# ---- threads
build j1 1700000000 -j 1
build j2 1700000000 -j 2
build j8 1700000000 -j 8
same "-j1 and -j2 give the same bytes" "$TMP/j1" "$TMP/j2"
same "-j1 and -j8 give the same bytes" "$TMP/j1" "$TMP/j8"
expect_file "a feed" "$TMP/j1/feed.xml"
expect_file "a sitemap" "$TMP/j1/sitemap.xml"
expect_file "a search index" "$TMP/j1/search-index.json"
expect_eq "every generated page" 300 "$(find "$TMP/j1/generated" -name index.html -path '*page*' | wc -l)"

# ---- the same SOURCE_DATE_EPOCH, twice (and into a destination that already has a site)
build again 1700000000
same "the same SOURCE_DATE_EPOCH gives the same bytes" "$TMP/j1" "$TMP/again"
build j1 1700000000 -j 3
same "a rebuild over the old site gives the same bytes" "$TMP/again" "$TMP/j1"
for f in feed.xml sitemap.xml search-index.json robots.txt 404.html staticwebapp.config.json; do
  expect_eq "$f identical" "$(sha256sum < "$TMP/again/$f")" "$(sha256sum < "$TMP/j1/$f")"
done

# ---- another SOURCE_DATE_EPOCH: 2027-01-15, after the files' time
build later 1800000000
# only the page that prints the build time may differ, and the search index that quotes it
changed=$(diff -rq "$TMP/j1" "$TMP/later" | sed "s|^Files $TMP/j1/||; s| and .*||" | sort | tr '\n' ' ')
expect_eq "only what shows the build time changed" "build-time/index.html search-index.json " "$changed"
# ...and in them only the time
expect_contains "the time is the first epoch" "$(cat "$TMP/j1/build-time/index.html")" "Built at 2023-11-14T22:13:20+00:00."
expect_contains "the time is the second epoch" "$(cat "$TMP/later/build-time/index.html")" "Built at 2027-01-15T08:00:00+00:00."
for f in build-time/index.html search-index.json; do
  expect_eq "nothing but the time changed in $f" \
    "$(sed 's/2023-11-14T22:13:20+00:00/TIME/' "$TMP/j1/$f")" \
    "$(sed 's/2027-01-15T08:00:00+00:00/TIME/' "$TMP/later/$f")"
done

# ---- an epoch before the files' time: "last updated" dates are clamped to it, as
# reproducible builds do (a file's time never runs past the build's)
build earlier 1600000000
expect_contains "last updated clamped to the epoch" "$(cat "$TMP/earlier/index.html")" 'datetime="2020-09-13T12:26:40+00:00"'
expect_contains "last updated from the file otherwise" "$(cat "$TMP/j1/index.html")" 'datetime="2023-07-22T04:26:40+00:00"'
# normalising those dates and the build time, the trees are the same
normalise() {
  mkdir -p "$2"
  (cd "$1" && find . -type f) | while IFS= read -r f; do
    mkdir -p "$2/$(dirname "$f")"
    sed -e 's/2020-09-13T12:26:40+00:00/TIME/g; s/2023-07-22T04:26:40+00:00/TIME/g' \
      -e 's/2023-11-14T22:13:20+00:00/TIME/g; s/13 September 2020/DATE/g; s/22 July 2023/DATE/g' "$1/$f" > "$2/$f"
  done
}
normalise "$TMP/j1" "$TMP/n-j1"
normalise "$TMP/earlier" "$TMP/n-earlier"
same "an earlier epoch changes only dates" "$TMP/n-j1" "$TMP/n-earlier"

finish
