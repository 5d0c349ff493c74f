#!/usr/bin/env bash
# Every error a user can cause: the message names its place as path:line:col, the exit
# code is not zero, and the destination is exactly as it was before the build.
set -u
source "$(dirname "$0")/../lib/assert.sh"

# site NAME: a fresh Jekyll-style site folder with a default layout and a good page;
# echoes its path. The destination holds a previous build with a marker file.
site() {
  local d="$TMP/$1"
  mkdir -p "$d/src/_layouts" "$d/src/_includes" "$d/dest"
  printf '%s\n' '<html><body>{{ content }}</body></html>' > "$d/src/_layouts/default.html"
  printf -- '---\ntitle: Good\n---\nA good page.\n' > "$d/src/good.md"
  echo "previous build" > "$d/dest/marker.html"
  echo "$d"
}

# run_build DIR [ARGS…]: builds DIR/src into DIR/dest; sets $code and $err
run_build() {
  local d=$1
  shift
  err=$("$HUBGEN" build -q -s "$d/src" -d "$d/dest" "$@" 2>&1)
  code=$?
}

# expect_failure NAME DIR CODE MESSAGE: exit code, message (with its place), untouched dest
expect_failure() {
  expect_eq "$1 exit code" "$3" "$code"
  expect_contains "$1 message" "$err" "$4"
  expect_eq "$1 destination untouched" "marker.html" "$(ls "$2/dest")"
  expect_eq "$1 marker intact" "previous build" "$(cat "$2/dest/marker.html")"
  if ls -a "$2" | grep -q hubgen-staging; then bad "$1: staging folder left behind"; else ok; fi
}

# --- bad YAML in front matter
d=$(site bad-yaml)
printf -- '---\ntitle: ok\nlayout: [default\n---\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "bad yaml" "$d" 1 "$d/src/page.md:4:1: error:"

d=$(site bad-yaml-indent)
printf -- '---\ntitle: a: b\n---\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "bad yaml value" "$d" 1 "$d/src/page.md:2:"

# --- unknown layout: the place is the layout value
d=$(site unknown-layout)
printf -- '---\ntitle: x\nlayout: wide\n---\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "unknown layout" "$d" 1 "$d/src/page.md:3:9: error: unknown layout 'wide'"

# --- a layout naming an unknown layout
d=$(site unknown-parent-layout)
printf -- '---\nlayout: no-such-base\n---\n{{ content }}\n' > "$d/src/_layouts/post.html"
printf -- '---\nlayout: post\n---\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "unknown parent layout" "$d" 1 "$d/src/_layouts/post.html:2:9: error: unknown layout 'no-such-base'"

# --- a layout that does not parse: its error alone, not "unknown layout" wherever it is named
d=$(site broken-layout)
printf '%s\n' '<html>{% frobnicate %}{{ content }}</html>' > "$d/src/_layouts/default.html"
printf -- '---\nlayout: default\n---\n{{ content }}\n' > "$d/src/_layouts/wide.html"
printf -- '---\nlayout: wide\n---\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "broken layout" "$d" 1 "$d/src/_layouts/default.html:1:7: error: unknown tag 'frobnicate'"
expect_not_contains "broken layout: no cascade" "$err" "unknown layout"
expect_contains "broken layout: one error" "$err" "hubgen: 1 error"

# --- missing include, at the tag
d=$(site missing-include)
printf -- '---\ntitle: x\n---\nText\n\n{%% include nope.html %%}\n' > "$d/src/page.md"
run_build "$d"
expect_failure "missing include" "$d" 1 "$d/src/page.md:6:1: error:"
expect_contains "missing include names it" "$err" "nope.html"

# --- an include path that leaves the include folder
d=$(site include-escape)
printf -- '---\ntitle: x\n---\n{%% include ../secret.txt %%}\n' > "$d/src/page.md"
echo secret > "$d/src/secret.txt"
run_build "$d"
expect_failure "include escape" "$d" 1 "$d/src/page.md:4:12: error: include '../secret.txt' leaves the include folders"

# --- an error inside an include names the include and the chain
d=$(site include-error)
printf '<p>{%% if x %%}never closed</p>\n' > "$d/src/_includes/broken.html"
printf -- '---\ntitle: x\n---\n{%% include broken.html %%}\n' > "$d/src/page.md"
run_build "$d"
expect_failure "error in include" "$d" 1 "$d/src/_includes/broken.html:1:"

# --- a permalink that would escape the output folder
d=$(site permalink-escape)
printf -- '---\ntitle: x\npermalink: /../../etc/passwd\n---\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "permalink escape" "$d" 1 "$d/src/page.md:3:12: error: permalink '/../../etc/passwd' would write outside the output folder"
expect_no_file "nothing written outside" "$TMP/etc/passwd"

# --- invalid UTF-8: a located warning, U+FFFD in its place; an error under --strict
d=$(site bad-utf8)
printf -- '---\ntitle: x\n---\nline one\nbad \xc3\x28 byte\n' > "$d/src/page.md"
run_build "$d" --strict
expect_failure "invalid utf-8 strict" "$d" 1 "$d/src/page.md:5:5: error:"
run_build "$d"
expect_eq "invalid utf-8 builds" 0 "$code"
expect_contains "invalid utf-8 warns" "$err" "$d/src/page.md:5:5: warning:"
expect_contains "invalid utf-8 replaced" "$(cat "$d/dest/page/index.html")" "bad �( byte"

# --- a NUL byte
d=$(site nul-byte)
printf -- '---\ntitle: x\n---\nab\x00cd\n' > "$d/src/page.md"
run_build "$d" --strict
expect_failure "nul byte" "$d" 1 "$d/src/page.md:4:3: error:"

# --- a file too large
d=$(site too-large)
printf 'max_file_size: 0.001\n' > "$d/src/_config.yml"
{ printf -- '---\ntitle: big\n---\n'; head -c 5000 /dev/zero | tr '\0' 'a'; } > "$d/src/big.md"
run_build "$d"
expect_failure "file too large" "$d" 1 "$d/src/big.md:1:1: error: file is too large (4.9 KiB; the limit is 1.0 KiB)"

# --- TOML front matter that is not TOML: the place is in the front matter
d=$(site toml)
printf '+++\ntitle = "x"\nweight = heavy\n+++\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "bad toml front matter" "$d" 1 "$d/src/page.md:3:10: error: 'heavy' is not a value: quote text"

# --- a Hugo TOML config that is not TOML: a config error (exit code 2)
d=$(site toml-config)
rm -f "$d/src/_config.yml"
mkdir -p "$d/src/content"
mv "$d/src/good.md" "$d/src/content/good.md"
printf 'title = "Docs\n' > "$d/src/hugo.toml"
run_build "$d"
expect_failure "bad toml config" "$d" 2 "$d/src/hugo.toml:1:9: error: a string that is never closed on its line"

# --- front matter that never closes
d=$(site unclosed)
printf -- '---\ntitle: x\nbody\n' > "$d/src/page.md"
run_build "$d"
expect_failure "unclosed front matter" "$d" 1 "$d/src/page.md:1:1: error:"

# --- two pages, one output
d=$(site duplicate)
printf -- '---\npermalink: /same/\n---\na\n' > "$d/src/a.md"
printf -- '---\npermalink: /same/\n---\nb\n' > "$d/src/b.md"
run_build "$d"
expect_failure "duplicate output" "$d" 1 "'same/index.html' is also written by $d/src/a.md"

# --- an unclosed Liquid tag in content, at its line and column
d=$(site liquid-unclosed)
printf -- '---\ntitle: x\n---\nText\n\n  {%% for x in site.pages %%}\n' > "$d/src/page.md"
run_build "$d"
expect_failure "unclosed for" "$d" 1 "$d/src/page.md:6:3: error:"

# --- a bad config is a config error: exit code 2
d=$(site bad-config)
printf 'title: [x\n' > "$d/src/_config.yml"
run_build "$d"
expect_failure "bad config" "$d" 2 "$d/src/_config.yml:"

# --- usage errors: exit code 2
err=$("$HUBGEN" build --no-such-option 2>&1); code=$?
expect_eq "unknown option" 2 "$code"
expect_contains "unknown option message" "$err" "unknown option '--no-such-option'"
err=$("$HUBGEN" build -s "$TMP/does-not-exist" 2>&1); code=$?
expect_eq "missing source" 2 "$code"
err=$("$HUBGEN" frobnicate 2>&1); code=$?
expect_eq "unknown command" 2 "$code"
err=$("$HUBGEN" build -j 0 2>&1); code=$?
expect_eq "bad jobs" 2 "$code"

# --- the destination is not replaced when it is a git work tree
d=$(site git-dest)
mkdir -p "$d/dest/.git"
run_build "$d"
expect_eq "git destination refused" 1 "$code"
expect_contains "git destination message" "$err" "is a git work tree"
expect_file "git destination kept" "$d/dest/marker.html"

# --- several errors are all reported in one run, in file order
d=$(site many)
printf -- '---\nlayout: nope1\n---\nx\n' > "$d/src/a.md"
printf -- '---\nlayout: nope2\n---\nx\n' > "$d/src/b.md"
run_build "$d"
expect_contains "first of many" "$err" "a.md:2:9: error: unknown layout 'nope1'"
expect_contains "second of many" "$err" "b.md:2:9: error: unknown layout 'nope2'"

# --- GitHub Actions annotations
d=$(site annotations)
printf -- '---\nlayout: nope\n---\nx\n' > "$d/src/a.md"
err=$(GITHUB_ACTIONS=true "$HUBGEN" build -q -s "$d/src" -d "$d/dest" 2>&1)
expect_contains "annotation" "$err" "::error file=$d/src/a.md,line=2,col=9::unknown layout 'nope'"

finish
