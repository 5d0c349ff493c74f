#!/usr/bin/env bash
# Hostile input (issue 8): names, permalinks, links, sizes, nesting, bad bytes and loops a
# careless or malicious author could put in a site. For every case, hubgen
# - exits 0, 1 or 2 as documented, never crashes (exit >= 128) and never hangs (every
#   build runs under `timeout 20`: a timeout is a failure);
# - never writes outside the destination (each case lives in a folder of its own that must
#   hold nothing but src/, dest/ and the staging folder beside dest afterwards; a folder
#   of "outside" files the links point at must be unchanged; nothing may appear in $TMP);
# - says what is wrong, with path:line:col where there is a place.
set -u
source "$(dirname "$0")/../lib/assert.sh"

LIMIT=20 # seconds per build

# site NAME: a Jekyll-style site with a default layout, one good page and a destination
# holding a previous build (a marker file); echoes its folder.
site() {
  local d="$TMP/$1"
  mkdir -p "$d/src/_layouts" "$d/src/_includes" "$d/dest"
  printf '%s\n' '<html><body>{{ content }}</body></html>' > "$d/src/_layouts/default.html"
  printf -- '---\ntitle: Good\n---\nA good page.\n' > "$d/src/good.md"
  echo "previous build" > "$d/dest/marker.html"
  echo "$d"
}

# build NAME DIR [ARGS…]: builds DIR/src into DIR/dest under the time limit; sets $code and
# $err; checks that it ended in time, did not crash, and wrote nothing outside.
build() {
  local name=$1 d=$2
  shift 2
  err=$(timeout "$LIMIT" "$HUBGEN" build -q -s "$d/src" -d "$d/dest" "$@" 2>&1)
  code=$?
  if [ "$code" -eq 124 ]; then
    bad "$name: no result within $LIMIT s (a hang)"
  elif [ "$code" -ge 128 ]; then
    bad "$name: crashed (exit $code): $(printf '%s' "$err" | tail -c 2000)"
  elif [ "$code" -gt 2 ]; then
    bad "$name: exit code $code is not 0, 1 or 2"
  else
    ok
  fi
  contained "$name" "$d"
}

# contained NAME DIR: DIR holds only src, dest and dest's staging folder.
contained() {
  local extra
  extra=$(cd "$2" && ls -A | grep -v -x -e src -e dest -e .dest.hubgen-staging)
  expect_eq "$1: nothing written beside the destination" "" "$extra"
}

# succeeds NAME DIR: exit code 0
succeeds() { expect_eq "$1 exit code" 0 "$code"; }
# fails NAME DIR CODE MESSAGE: exit code, message, previous build untouched
fails() {
  expect_eq "$1 exit code" "$3" "$code"
  expect_contains "$1 message" "$err" "$4"
  expect_eq "$1 destination untouched" "marker.html" "$(ls "$2/dest")"
}

# files outside every site, for links to point at; checked at the end
OUTSIDE="$TMP/outside"
mkdir -p "$OUTSIDE"
echo '<p>SECRET-INCLUDE</p>' > "$OUTSIDE/secret.html"
printf -- '---\ntitle: s\n---\nSECRET-PAGE\n' > "$OUTSIDE/secret.md"
echo 'k: SECRET-DATA' > "$OUTSIDE/secret.yml"
outside_before=$(cd "$OUTSIDE" && ls -lA --time-style=+%s . | sha256sum)

# ==== file names ====

d=$(site names-ok)
for n in 'with space' "quo'te\"s" '-dash' '--help' 'ünï cödé' '$(touch pwned)' '*'; do
  printf -- '---\ntitle: n\n---\nx\n' > "$d/src/$n.md"
done
build "odd file names" "$d"
succeeds "odd file names" "$d"
expect_file "space becomes -" "$d/dest/with-space/index.html"
expect_file "quotes kept" "$d/dest/quo'te\"s/index.html"
expect_file "leading dash" "$d/dest/-dash/index.html"
expect_file "option-like name" "$d/dest/--help/index.html"
expect_file "unicode" "$d/dest/ünï-cödé/index.html"
expect_file "shell syntax is a name" "$d/dest/\$(touch-pwned)/index.html"
expect_file "glob is a name" "$d/dest/*/index.html"
expect_no_file "nothing ran" "$d/pwned"

d=$(site name-newline)
printf -- '---\ntitle: n\n---\nx\n' > "$d/src/new"$'\n'"line.md"
build "file name with a newline" "$d"
fails "file name with a newline" "$d" 1 "$d/src/new\\nline.md:1:1: error: the file name holds a backslash or a control character"
expect_contains "file name hint" "$err" "hint: rename the file, or give the page a 'permalink'"

d=$(site name-control)
printf -- '---\ntitle: n\n---\nx\n' > "$d/src/bell"$'\x07\x1b'"[2Jclear.md"
build "file name with control characters" "$d"
fails "file name with control characters" "$d" 1 "$d/src/bell\\x07\\x1b[2Jclear.md:1:1: error:"
expect_not_contains "no escape character reaches the terminal" "$err" $'\x1b'

d=$(site name-backslash)
printf -- '---\ntitle: n\n---\nx\n' > "$d/src/back\\slash.md"
build "file name with a backslash" "$d"
fails "file name with a backslash" "$d" 1 "back\\slash.md:1:1: error: the file name holds a backslash"

d=$(site name-control-permalink)
printf -- '---\ntitle: n\npermalink: /fine/\n---\nx\n' > "$d/src/tab"$'\t'"name.md"
build "odd name with a permalink" "$d"
succeeds "odd name with a permalink" "$d"
expect_file "the permalink is used" "$d/dest/fine/index.html"

# ==== permalinks ====

# permalink NAME VALUE: a site whose page.md has that permalink (a YAML scalar as written)
permalink() {
  d=$(site "$1")
  printf -- '---\ntitle: x\npermalink: %s\n---\nbody\n' "$2" > "$d/src/page.md"
  build "permalink $1" "$d"
}

permalink dotdot '/../../escaped/'
fails "permalink .." "$d" 1 "$d/src/page.md:3:12: error: permalink '/../../escaped/' would write outside the output folder"
expect_no_file "nothing escaped" "$TMP/escaped"

permalink dotdot-inner '/a/b/../../../escaped/'
fails "permalink inner .." "$d" 1 "$d/src/page.md:3:12: error: permalink '/a/b/../../../escaped/' would write outside"

permalink encoded '/%2e%2e/%2e%2e/encoded/'
succeeds "percent-encoded dots are a name" "$d"
expect_file "written inside, as named" "$d/dest/%2e%2e/%2e%2e/encoded/index.html"

permalink backslash '"\\..\\..\\escaped\\"'
fails "permalink backslashes" "$d" 1 "$d/src/page.md:3:12: error: permalink '\\..\\..\\escaped\\' holds a backslash or a control character"

permalink windows '"C:\\Windows\\system.ini"'
fails "permalink Windows path" "$d" 1 "$d/src/page.md:3:12: error: permalink 'C:\\Windows\\system.ini' holds a backslash"

permalink windows-slash 'C:/Windows/win.html'
succeeds "permalink C:/ is a folder name" "$d"
expect_file "drive letter inside" "$d/dest/C:/Windows/win.html"

permalink unc '//server/share/x.html'
succeeds "permalink //server" "$d"
expect_file "double slash folded" "$d/dest/server/share/x.html"

permalink nul '"/a\0b/"'
fails "permalink with \\0" "$d" 1 "$d/src/page.md:3:12: error: NUL character in a string"
expect_no_file "not cut at the NUL" "$d/dest/a.html"

permalink nul-u '"\u0000"'
fails "permalink with \\u0000" "$d" 1 "$d/src/page.md:3:12: error: NUL character in a string"

permalink control '"/a\tb/"'
fails "permalink with a tab" "$d" 1 "$d/src/page.md:3:12: error: permalink '/a\\tb/' holds a backslash or a control character"

d=$(site redirect-escape)
printf -- '---\ntitle: x\nredirect_from: [/ok/, /../../escaped/]\n---\nbody\n' > "$d/src/page.md"
build "redirect_from .." "$d"
fails "redirect_from .." "$d" 1 "would write outside the output folder"
expect_no_file "no redirect outside" "$TMP/escaped"

d=$(site output-clash)
printf -- '---\npermalink: /x.html\n---\na\n' > "$d/src/a.md"
printf -- '---\npermalink: /x.html/\n---\nb\n' > "$d/src/b.md"
build "a file where a folder must be" "$d"
fails "a file where a folder must be" "$d" 1 "$d/src/b.md:1:1: error: 'x.html/index.html' needs 'x.html' to be a folder, but $d/src/a.md writes it as a file"

d=$(site output-clash-static)
mkdir -p "$d/src/x.html"
echo hi > "$d/src/x.html/f.txt"
printf -- '---\npermalink: /x.html\n---\na\n' > "$d/src/a.md"
build "a page where a folder of files is" "$d"
fails "a page where a folder of files is" "$d" 1 "$d/src/x.html/f.txt:1:1: error: 'x.html/f.txt' needs 'x.html' to be a folder"

# ==== symbolic links ====

d=$(site links-out)
ln -s "$OUTSIDE/secret.md" "$d/src/linked.md"
ln -s "$OUTSIDE" "$d/src/linked-folder"
ln -s "$OUTSIDE/secret.html" "$d/src/_includes/secret.html"
ln -s "$OUTSIDE" "$d/src/_includes/outside"
mkdir -p "$d/src/_data"
ln -s "$OUTSIDE/secret.yml" "$d/src/_data/secret.yml"
ln -s /etc/passwd "$d/src/passwd.txt"
printf -- '---\ntitle: x\n---\n{{ site.data.secret.k }}\n' > "$d/src/page.md"
build "links out of the source" "$d"
succeeds "links out of the source" "$d"
expect_contains "page link warned" "$err" "$d/src/linked.md:1:1: warning: symbolic link leads outside the source folder; not followed"
expect_contains "folder link warned" "$err" "$d/src/linked-folder:1:1: warning: symbolic link leads outside"
expect_contains "include link warned" "$err" "$d/src/_includes/secret.html:1:1: warning: symbolic link leads outside"
expect_contains "file link warned" "$err" "$d/src/passwd.txt:1:1: warning: symbolic link leads outside"
expect_eq "nothing from outside published" "" "$(grep -rl -e SECRET -e root: "$d/dest")"
expect_no_file "no static copy" "$d/dest/passwd.txt"

d=$(site include-link-out)
ln -s "$OUTSIDE/secret.html" "$d/src/_includes/secret.html"
printf -- '---\ntitle: x\n---\n{%% include secret.html %%}\n' > "$d/src/page.md"
build "include through a link out" "$d"
fails "include through a link out" "$d" 1 "$d/src/page.md:4:1: error: include 'secret.html' not found"

d=$(site include-folder-out)
rm -r "$d/src/_includes"
ln -s "$OUTSIDE" "$d/src/_includes"
printf -- '---\ntitle: x\n---\n{%% include secret.html %%}\n' > "$d/src/page.md"
build "include folder linked out" "$d"
fails "include folder linked out" "$d" 1 "$d/src/page.md:4:1: error: include 'secret.html' not found"
expect_contains "include folder warned" "$err" "$d/src/_includes:1:1: warning: folder leads outside the source folder (a symbolic link); not read"

d=$(site link-loops)
mkdir -p "$d/src/a"
printf -- '---\ntitle: A\n---\nx\n' > "$d/src/a/page.md"
ln -s . "$d/src/here"
ln -s .. "$d/src/a/up"
ln -s ../a "$d/src/a/again"
ln -s . "$d/src/_includes/self"
build "links that loop" "$d"
succeeds "links that loop" "$d"
expect_contains "loop warned" "$err" "$d/src/here:1:1: warning: symbolic link leads back to a folder it is in; not followed"
expect_contains "parent loop warned" "$err" "$d/src/a/up:1:1: warning: symbolic link leads back"
expect_eq "each page once" "a/page/index.html good/index.html" \
  "$(cd "$d/dest" && find . -name index.html -path '*/*/*' | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"

# 30 levels, two links per level to the next: 2^30 walks if each link were followed
d=$(site link-dag)
for i in $(seq 1 30); do mkdir -p "$d/src/x$i"; done
for i in $(seq 1 29); do
  ln -s "../x$((i + 1))" "$d/src/x$i/a"
  ln -s "../x$((i + 1))" "$d/src/x$i/b"
done
build "links to the same folders at every level" "$d"
succeeds "links to the same folders at every level" "$d"
expect_contains "second link warned" "$err" "warning: symbolic link to a folder already read through another link; not followed"

# ==== the destination ====

# a destination under a symbolic link: the link (outside the destination) must survive
d="$TMP/dest-under-link"
mkdir -p "$d/src/a/b/c" "$d/real"
ln -s real "$d/link"
printf -- '---\ntitle: x\n---\nx\n' > "$d/src/a/b/c/page.md"
err=$(timeout "$LIMIT" "$HUBGEN" build -q -s "$d/src" -d "$d/link/site" 2>&1)
code=$?
expect_eq "destination under a link exit code" 0 "$code"
if [ -L "$d/link" ]; then ok; else bad "the link above the destination was replaced"; fi
expect_file "built through the link" "$d/real/site/a/b/c/page/index.html"

# destinations that would swallow the source, or are files
d=$(site dest-is-source)
err=$(timeout "$LIMIT" "$HUBGEN" build -q -s "$d/src" -d "$d/src" 2>&1); code=$?
expect_eq "destination = source exit code" 2 "$code"
expect_contains "destination = source message" "$err" "error: the destination '$d/src' holds the source folder; choose another"
err=$(timeout "$LIMIT" "$HUBGEN" build -q -s "$d/src" -d "$d" 2>&1); code=$?
expect_eq "destination above the source exit code" 2 "$code"
expect_file "the source is intact" "$d/src/good.md"
echo "a file" > "$d/file"
err=$(timeout "$LIMIT" "$HUBGEN" build -q -s "$d/src" -d "$d/file" 2>&1); code=$?
expect_eq "destination is a file exit code" 1 "$code"
expect_contains "destination is a file message" "$err" "is a file, not a folder"
expect_eq "the file is intact" "a file" "$(cat "$d/file")"
rm "$d/file"

# a named pipe where a page would be: not read (it would block)
d=$(site fifo)
mkfifo "$d/src/pipe.md" "$d/src/pipe.html"
build "named pipes" "$d"
succeeds "named pipes" "$d"

# ==== sizes ====

d=$(site too-big)
{ printf -- '---\ntitle: big\n---\n'; head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' a; } > "$d/src/big.md"
build "a 17 MiB page" "$d"
fails "a 17 MiB page" "$d" 1 "$d/src/big.md:1:1: error: file is too large (17.0 MiB; the limit is 16.0 MiB)"

d=$(site huge-static)
truncate -s 64G "$d/src/huge.bin" # sparse: no disk used
build "a 64 GiB static file" "$d"
fails "a 64 GiB static file" "$d" 1 "$d/src/huge.bin:1:1: error: file is too large (65536.0 MiB; the limit is 1024.0 MiB)"
rm -f "$d/src/huge.bin"

# folders so deep that their path is longer than PATH_MAX (25 names of 200 bytes)
d=$(site long-path)
(
  cd "$d/src" || exit
  name=$(printf 'd%.0s' $(seq 1 200))
  for _ in $(seq 1 25); do mkdir "$name" && cd "$name" || exit; done
  printf -- '---\ntitle: deep\n---\nx\n' > page.md
)
build "a path longer than PATH_MAX" "$d"
fails "a path longer than PATH_MAX" "$d" 1 "error: cannot read folder: File name too long"

d=$(site long-line)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n' + 'word ' * 2000000 + '\n')" > "$d/src/page.md"
build "a 10 MB line of text" "$d"
succeeds "a 10 MB line of text" "$d"

d=$(site long-yaml)
python3 -c "import sys; sys.stdout.write('---\ntitle: ' + 'a' * 10000000 + '\n---\nbody\n')" > "$d/src/page.md"
build "a 10 MB front matter value" "$d"
succeeds "a 10 MB front matter value" "$d"

d=$(site long-liquid)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n{{ \"' + 'a' * 10000000 + '\" | size }}\n')" > "$d/src/page.md"
build "a 10 MB Liquid string" "$d"
succeeds "a 10 MB Liquid string" "$d"
expect_contains "its size" "$(cat "$d/dest/page/index.html")" "10000000"

d=$(site long-links)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n' + '[good](good.md) ' * 600000 + '\n')" > "$d/src/page.md"
build "a 10 MB line of links" "$d"
succeeds "a 10 MB line of links" "$d"

d=$(site long-table)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n| a |\n|---|\n' + '|' * 10000000 + '\n')" > "$d/src/page.md"
build "a 10 MB table row" "$d"
succeeds "a 10 MB table row" "$d"

d=$(site long-raw-links)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n' + ''.join('<a href=\"#a%d\">' % i for i in range(200000)) + '\n')" > "$d/src/page.md"
build "200,000 raw links on one line" "$d"
succeeds "200,000 raw links on one line" "$d"
expect_eq "each one located" 200000 "$(printf '%s\n' "$err" | grep -c "^$d/src/page.md:4:[0-9]*: warning: broken anchor")"
expect_contains "the last one where it is" "$(printf '%s\n' "$err" | tail -n 1)" "$d/src/page.md:4:3688881: warning: broken anchor '#a199999'"

d=$(site liquid-links)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n{% for i in (1..100000) %}<a href=\"#miss{{ i }}\">x</a>{% endfor %}\n\n' + 'word ' * 1000000 + '\n')" > "$d/src/page.md"
build "100,000 broken links made by Liquid, in a 5 MB page" "$d"
succeeds "100,000 broken links made by Liquid, in a 5 MB page" "$d"
expect_eq "each one reported" 100000 "$(printf '%s\n' "$err" | grep -c "warning: broken anchor '#miss")"

d=$(site max-pages)
printf 'max_pages: 3\n' > "$d/src/_config.yml"
for i in 1 2 3 4 5; do printf -- '---\ntitle: %s\n---\nx\n' "$i" > "$d/src/p$i.md"; done
build "more pages than max_pages" "$d"
fails "more pages than max_pages" "$d" 1 "$d/src/p3.md:1:1: error: too many pages: more than the limit of 3"
expect_contains "max_pages hint" "$err" "hint: raise 'max_pages' in the site's config"
expect_eq "reported once" 1 "$(printf '%s\n' "$err" | grep -c 'too many pages')"

d=$(site max-pages-bad)
printf 'max_pages: lots\n' > "$d/src/_config.yml"
build "max_pages not a number" "$d"
fails "max_pages not a number" "$d" 2 "$d/src/_config.yml:1:12: error: 'max_pages' must be a whole number of pages, at least 1"

# ==== nesting ====

d=$(site yaml-deep-flow)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\nd: ' + '[' * 10000 + ']' * 10000 + '\n---\nx\n')" > "$d/src/page.md"
build "YAML nested 10,000 deep" "$d"
fails "YAML nested 10,000 deep" "$d" 1 "$d/src/page.md:3:67: error: too deeply nested: more than 64 levels"

d=$(site yaml-deep-block)
mkdir -p "$d/src/_data"
python3 -c "import sys; sys.stdout.write('- ' * 10000 + 'x\n')" > "$d/src/_data/deep.yml"
build "YAML block lists 10,000 deep" "$d"
fails "YAML block lists 10,000 deep" "$d" 1 "$d/src/_data/deep.yml:1:129: error: too deeply nested: more than 64 levels"

d=$(site yaml-deep-config)
python3 -c "import sys; sys.stdout.write('d: ' + '{a: ' * 10000 + '1' + '}' * 10000 + '\n')" > "$d/src/_config.yml"
build "config nested 10,000 deep" "$d"
fails "config nested 10,000 deep" "$d" 2 "$d/src/_config.yml:1:256: error: too deeply nested: more than 64 levels"

d=$(site yaml-aliases)
printf -- '---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n---\nx\n' > "$d/src/page.md"
build "YAML alias bomb" "$d"
fails "YAML alias bomb" "$d" 1 "error: too many values"

# few values, but each a 10 KB string: 590 MB of title from a 90 KB page, aliases expanded
d=$(site yaml-text-bomb)
python3 - "$d/src/page.md" <<'PY'
import sys
s = "x" * 10000
fm = "---\na: &a [" + ", ".join([s] * 9) + "]\n"
prev = "a"
for n in "bcde":
    fm += "%s: &%s [%s]\n" % (n, n, ", ".join(["*" + prev] * 9))
    prev = n
open(sys.argv[1], "w").write(fm + "title: *e\n---\nbody\n")
PY
build "YAML aliases to 590 MB of text" "$d"
fails "YAML aliases to 590 MB of text" "$d" 1 "$d/src/page.md:5:40: error: too much text: more than 64 MiB (an alias counts as a copy of what it names)"

d=$(site liquid-deep-if)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n' + '{% if true %}' * 10000 + 'x' + '{% endif %}' * 10000 + '\n')" > "$d/src/page.md"
build "Liquid: 10,000 nested ifs" "$d"
fails "Liquid: 10,000 nested ifs" "$d" 1 "$d/src/page.md:4:1301: error: 'if' nested too deeply (limit 100)"

d=$(site liquid-deep-expr)
python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n{{ a' + '[a' * 10000 + ']' * 10000 + ' }}\n')" > "$d/src/page.md"
build "Liquid: an expression 10,000 deep" "$d"
fails "Liquid: an expression 10,000 deep" "$d" 1 "$d/src/page.md:4:132: error: expression nested too deeply"

# markdown CASE TEXT: a page whose body is TEXT (a Python expression); it must build
markdown() {
  d=$(site "md-$1")
  python3 -c "import sys; sys.stdout.write('---\ntitle: x\n---\n' + $2 + '\n')" > "$d/src/page.md"
  build "Markdown: $1" "$d"
  succeeds "Markdown: $1" "$d"
}
markdown "100,000 nested block quotes" "'>' * 100000 + ' x'"
markdown "100,000 nested brackets" "'[' * 100000 + 'x' + ']' * 100000"
markdown "100,000 nested link openers" "'[a](' * 100000 + 'x' + ')' * 100000"
markdown "100,000 nested images" "'![a' * 100000 + '](b)' * 100000"
markdown "100,000 nested emphasis" "'*a **b ' * 100000 + 'x' + ' b** a*' * 100000"
markdown "100,000 emphasis runs" "'*' * 100000 + 'x' + '*' * 100000 + '_' * 100000"
markdown "50,000 nested list items" "'- ' * 50000 + 'x'"
markdown "3,000 indented lists" "''.join('  ' * i + '- x\n' for i in range(3000))"
markdown "100,000 nested divs" "'<div>' * 100000 + 'x' + '</div>' * 100000"
markdown "100,000 backticks" "'\`' * 100000 + 'x'"
markdown "100,000 entities" "'&#' * 100000 + '&amp;' * 100000"

# ==== bad bytes ====

d=$(site utf8-front-matter)
printf -- '---\ntitle: "bad \xc3\x28"\n---\nx\n' > "$d/src/page.md"
build "invalid UTF-8 in front matter" "$d"
succeeds "invalid UTF-8 in front matter" "$d"
expect_contains "front matter byte located" "$err" "$d/src/page.md:2:13: warning: invalid UTF-8 byte 0xc3"
build "invalid UTF-8 in front matter, strict" "$d" --strict
expect_eq "strict exit code" 1 "$code"
expect_contains "strict message" "$err" "$d/src/page.md:2:13: error: invalid UTF-8 byte 0xc3"

d=$(site nul-front-matter)
printf -- '---\ntitle: "a\0b"\n---\nx\n' > "$d/src/page.md"
build "NUL in front matter" "$d"
succeeds "NUL in front matter" "$d"
expect_contains "NUL located" "$err" "$d/src/page.md:2:10: warning: NUL byte in text"

d=$(site bad-body)
printf -- '---\ntitle: x\n---\nbody \xed\xa0\x80 \0 \xff end\n' > "$d/src/page.md"
build "bad bytes in the body" "$d"
succeeds "bad bytes in the body" "$d"
expect_contains "body byte located" "$err" "$d/src/page.md:4:6: warning: invalid UTF-8 byte 0xed"
expect_contains "replaced" "$(cat "$d/dest/page/index.html")" "body ��� � � end"

d=$(site utf8-config)
printf 'title: "bad \xff"\n' > "$d/src/_config.yml"
build "invalid UTF-8 in the config" "$d"
fails "invalid UTF-8 in the config" "$d" 2 "$d/src/_config.yml:1:13: error:"

d=$(site nul-config)
printf 'title: a\0b\n' > "$d/src/_config.yml"
build "NUL in the config" "$d"
fails "NUL in the config" "$d" 2 "$d/src/_config.yml:1:9: error:"

d=$(site utf8-data)
mkdir -p "$d/src/_data"
printf 'k: "bad \xff"\n' > "$d/src/_data/d.yml"
build "invalid UTF-8 in a data file" "$d"
fails "invalid UTF-8 in a data file" "$d" 1 "$d/src/_data/d.yml:1:9: error: invalid UTF-8 byte 0xff"

d=$(site nul-data)
mkdir -p "$d/src/_data"
printf 'k: a\0b\n' > "$d/src/_data/d.yml"
build "NUL in a data file" "$d"
fails "NUL in a data file" "$d" 1 "$d/src/_data/d.yml:1:5: error: NUL byte in text"

d=$(site utf8-layout)
printf '<html>\xff{{ content }}</html>\n' > "$d/src/_layouts/default.html"
build "invalid UTF-8 in a layout" "$d"
fails "invalid UTF-8 in a layout" "$d" 1 "$d/src/_layouts/default.html:1:7: error: invalid UTF-8 byte 0xff"

d=$(site nul-layout)
printf '<html>\0{{ content }}</html>\n' > "$d/src/_layouts/default.html"
build "NUL in a layout" "$d"
fails "NUL in a layout" "$d" 1 "$d/src/_layouts/default.html:1:7: error: NUL byte in text"

d=$(site utf8-include)
printf 'inc \xff\n' > "$d/src/_includes/i.html"
printf -- '---\ntitle: x\n---\n{%% include i.html %%}\n' > "$d/src/page.md"
build "invalid UTF-8 in an include" "$d"
fails "invalid UTF-8 in an include" "$d" 1 "$d/src/_includes/i.html:1:5: error: invalid UTF-8 byte 0xff"

d=$(site nul-include)
printf 'inc \0 x\n' > "$d/src/_includes/i.html"
printf -- '---\ntitle: x\n---\n{%% include i.html %%}\n' > "$d/src/page.md"
build "NUL in an include" "$d"
fails "NUL in an include" "$d" 1 "$d/src/_includes/i.html:1:5: error: NUL byte in text"

# ==== loops and runaway templates ====

d=$(site include-self)
printf '[{%% include self.html %%}]' > "$d/src/_includes/self.html"
printf -- '---\ntitle: x\n---\n{%% include self.html %%}\n' > "$d/src/page.md"
build "an include that includes itself" "$d"
fails "an include that includes itself" "$d" 1 "$d/src/_includes/self.html:1:2: error: includes nested more than 32 deep"
expect_contains "the chain is shown" "$err" "included from $d/src/page.md:4:1"

d=$(site include-pair)
printf '{%% include b.html %%}' > "$d/src/_includes/a.html"
printf '{%% include a.html %%}' > "$d/src/_includes/b.html"
printf -- '---\ntitle: x\n---\n{%% include a.html %%}\n' > "$d/src/page.md"
build "two includes that include each other" "$d"
fails "two includes that include each other" "$d" 1 "error: includes nested more than 32 deep"

d=$(site layout-loop)
printf -- '---\nlayout: b\n---\n{{ content }}' > "$d/src/_layouts/a.html"
printf -- '---\nlayout: a\n---\n{{ content }}' > "$d/src/_layouts/b.html"
printf -- '---\ntitle: x\nlayout: a\n---\nx\n' > "$d/src/page.md"
build "a layout chain loop" "$d"
fails "a layout chain loop" "$d" 1 "$d/src/_layouts/a.html:2:9: error: layout 'a' names itself through its chain of layouts"

d=$(site layout-self)
printf -- '---\nlayout: c\n---\n{{ content }}' > "$d/src/_layouts/c.html"
printf -- '---\ntitle: x\nlayout: c\n---\nx\n' > "$d/src/page.md"
build "a layout naming itself" "$d"
fails "a layout naming itself" "$d" 1 "$d/src/_layouts/c.html:2:9: error: layout 'c' names itself through its chain of layouts"

d=$(site huge-range)
printf -- '---\ntitle: x\n---\n{%% for i in (1..1000000000) %%}{{ i }}{%% endfor %%}\n' > "$d/src/page.md"
build "a loop over (1..1000000000)" "$d"
fails "a loop over (1..1000000000)" "$d" 1 "$d/src/page.md:4:1: error: more than 1000000 loop iterations"

d=$(site huge-range-size)
printf -- '---\ntitle: x\n---\n{{ (1..1000000000) | size }} {%% assign a = (1..1000000000) | join: "," %%}\n' > "$d/src/page.md"
build "a range used as a list" "$d"
fails "a range used as a list" "$d" 1 "$d/src/page.md:4:4: error: more than 1000000 loop iterations"

d=$(site nested-loops)
printf -- '---\ntitle: x\n---\n{%% for i in (1..1000) %%}{%% for j in (1..1000) %%}{%% for k in (1..1000) %%}{%% endfor %%}{%% endfor %%}{%% endfor %%}\n' > "$d/src/page.md"
build "three nested loops of 1,000" "$d"
fails "three nested loops of 1,000" "$d" 1 "$d/src/page.md:4:25: error: more than 1000000 loop iterations"

d=$(site append-growth)
printf -- '---\ntitle: x\n---\n{%% assign s = "x" %%}{%% for i in (1..1000000) %%}{%% assign s = s | append: "x" %%}{%% endfor %%}{{ s | size }}\n' > "$d/src/page.md"
build "a string grown to 1,000,000 characters by append" "$d"
fails "a string grown to 1,000,000 characters by append" "$d" 1 "$d/src/page.md:4:"
expect_contains "append growth stops at a limit" "$err" "error: template uses more than 268435456 bytes of memory"

d=$(site append-doubling)
printf -- '---\ntitle: x\n---\n{%% assign s = "x" %%}{%% for i in (1..100) %%}{%% assign s = s | append: s %%}{%% endfor %%}{{ s | size }}\n' > "$d/src/page.md"
build "a string doubled 100 times" "$d"
fails "a string doubled 100 times" "$d" 1 "$d/src/page.md:4:62: error: 'append' makes a string longer than the output limit of 67108864 bytes"

d=$(site output-limit)
printf -- '---\ntitle: x\n---\n{%% for i in (1..700000) %%}0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789{%% endfor %%}\n' > "$d/src/page.md"
build "100 MB of output" "$d"
fails "100 MB of output" "$d" 1 "$d/src/page.md:4:27: error: output exceeds the limit of 67108864 bytes"

d=$(site output-limit-layout)
printf '{{ content }}{%% for i in (1..700000) %%}0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789{%% endfor %%}' > "$d/src/_layouts/default.html"
build "100 MB of output from a layout" "$d"
fails "100 MB of output from a layout" "$d" 1 "$d/src/_layouts/default.html:1:40: error: output exceeds the limit of 67108864 bytes"

# Liquid can make bytes the UTF-8 check never saw: an overlong NUL in two headings made
# the Markdown heading ids loop for ever (found by fuzz_markdown)
d=$(site overlong-heading)
printf -- '---\ntitle: x\n---\n{%% capture md %%}# a%%F0%%80%%80%%80b\n\n# a%%F0%%80%%80%%80b\n{%% endcapture %%}{{ md | url_decode | markdownify }}\n' > "$d/src/page.html"
build "url_decode | markdownify of an overlong NUL" "$d"
succeeds "url_decode | markdownify of an overlong NUL" "$d"

# ==== nothing outside was touched ====

expect_eq "the outside folder is unchanged" "$outside_before" "$(cd "$OUTSIDE" && ls -lA --time-style=+%s . | sha256sum)"
# every entry of $TMP is a case's folder (with its src/) or the outside folder
stray=$(cd "$TMP" && for e in * .[!.]*; do
  [ -e "$e" ] && [ "$e" != outside ] && [ ! -d "$e/src" ] && echo "$e"
done)
expect_eq "nothing new in the test folder" "" "$stray"
expect_no_file "no escaped folder" "$TMP/escaped"

finish
