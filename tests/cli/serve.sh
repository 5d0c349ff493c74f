#!/usr/bin/env bash
# hubgen serve, end to end over HTTP: pages and types, HEAD and 405, paths that try to leave
# the site, the 404 page, an edit served within a second, a build error on every page until
# fixed, many requests during rebuilds, server-sent events, a base path, and a clean Ctrl-C.
# Loopback only; every wait is bounded, and a watchdog ends the whole test within 60 s.
set -u
source "$(dirname "$0")/../lib/assert.sh"

if ! command -v curl >/dev/null; then
  echo "FAIL: the serve test needs curl (apt-get install curl; scripts/setup.sh installs it)" >&2
  exit 1
fi

SERVER_PID=""
WATCHDOG_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null
  [ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null
  jobs -p | xargs -r kill 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' TERM INT
# Never hang CI: end everything after 55 s. The watchdog takes its sleep down with it, so
# that nothing holds the test's output open once it ends.
(
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep 55 >/dev/null 2>&1 &
  sleeper=$!
  wait "$sleeper"
  echo "FAIL: the serve test took more than 55 s" >&2
  kill -TERM $$
) &
WATCHDOG_PID=$!

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# fetch PATH [CURL ARGS…]: sets $code, $type and $body (raw path: curl does not tidy it)
fetch() {
  local path=$1
  shift
  local out
  out=$(curl -s --path-as-is --max-time 5 -o "$TMP/body" -w '%{http_code} %{content_type}' "$@" "$ORIGIN$path")
  code=${out%% *}
  type=${out#* }
  body=$(tr -d '\0' <"$TMP/body" 2>/dev/null)
}

# wait_for TIMEOUT_MS PATH TEXT [CODE]: polls until PATH answers CODE (default 200) with TEXT
# in the body; sets $waited (ms); returns 1 on timeout
wait_for() {
  local limit=$1 path=$2 text=$3 want=${4:-200} t0
  t0=$(ms)
  while :; do
    fetch "$path"
    if [ "$code" = "$want" ] && [[ "$body" == *"$text"* ]]; then
      waited=$(( $(ms) - t0 ))
      return 0
    fi
    [ $(( $(ms) - t0 )) -ge "$limit" ] && { waited=$(( $(ms) - t0 )); return 1; }
    sleep 0.01
  done
}

# start_server LOG ARGS…: starts hubgen serve in the background and waits (up to 10 s) for
# its URL; sets SERVER_PID, URL (with the base path) and ORIGIN (without)
start_server() {
  local log=$1
  shift
  TMPDIR="$TMP/tmpdir" "$HUBGEN" serve --port 0 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 200); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*/[^ ]*' "$log" | head -1)
    [ -n "$URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  ORIGIN=$(echo "$URL" | grep -o 'http://127\.0\.0\.1:[0-9]*')
  if [ -z "$URL" ]; then
    echo "FAIL: hubgen serve printed no URL:" >&2
    cat "$log" >&2
    exit 1
  fi
}

# stop_server SIGNAL: signals the server, waits up to 5 s; sets $stop_code
stop_server() {
  kill "-$1" "$SERVER_PID"
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    bad "server still running 5 s after SIG$1"
    kill -KILL "$SERVER_PID"
  fi
  wait "$SERVER_PID"
  stop_code=$?
  SERVER_PID=""
}

strip_tag() { sed -E 's|<script src="/__hubgen/reload\.js\?build=[0-9]+"></script>||'; }

# --- a small Jekyll-style site on the default theme, and a secret beside it
SITE="$TMP/site"
mkdir -p "$SITE/guide" "$SITE/assets" "$TMP/outside" "$TMP/tmpdir"
printf 'title: Serve test\n' >"$SITE/_config.yml"
printf -- '---\ntitle: Home\n---\nHome page text.\n' >"$SITE/index.md"
printf -- '---\ntitle: Guide\n---\nGuide page text.\n' >"$SITE/guide/index.md"
printf -- '---\ntitle: About\n---\nAbout ORIGINAL text.\n' >"$SITE/about.md"
printf 'body { color: #212b32; }\n' >"$SITE/assets/site.css"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$SITE/assets/dot.png"
printf '{"a": 1}\n' >"$SITE/assets/data.json"
echo "TOP-SECRET" >"$TMP/outside/secret.txt"
ln -s "$TMP/outside" "$SITE/leak"
ln -s /etc "$SITE/etc"

start_server "$TMP/serve.log" -s "$SITE"
expect_eq "URL has the root path" "$ORIGIN/" "$URL"
SERVE_ROOT=$(ls -d "$TMP"/tmpdir/.hubgen-serve-* 2>/dev/null | head -1)
expect_contains "private folder under TMPDIR" "$SERVE_ROOT" "$TMP/tmpdir/.hubgen-serve-"

# --- pages and files, with their types, byte for byte what hubgen build writes
"$HUBGEN" build -q -s "$SITE" -d "$TMP/built" 2>/dev/null
fetch /
expect_eq "home status" 200 "$code"
expect_eq "home type" "text/html; charset=utf-8" "$type"
expect_contains "home text" "$body" "Home page text."
expect_contains "reload script before </body>" "$body" '"></script></body>'
for pair in "/:index.html" "/guide/:guide/index.html" "/about/:about/index.html"; do
  curl -s --max-time 5 "$ORIGIN${pair%%:*}" | strip_tag >"$TMP/served"
  if cmp -s "$TMP/served" "$TMP/built/${pair#*:}"; then ok; else bad "${pair%%:*} differs from the build (apart from the script)"; fi
done
for pair in "/assets/site.css:assets/site.css" "/assets/dot.png:assets/dot.png" "/sitemap.xml:sitemap.xml"; do
  curl -s --max-time 5 -o "$TMP/served" "$ORIGIN${pair%%:*}"
  if cmp -s "$TMP/served" "$TMP/built/${pair#*:}"; then ok; else bad "${pair%%:*} differs from the build"; fi
done
fetch /assets/site.css
expect_eq "css type" "text/css; charset=utf-8" "$type"
fetch /assets/dot.png
expect_eq "png type" "image/png" "$type"
fetch /assets/data.json
expect_eq "json type" "application/json" "$type"
fetch /sitemap.xml
expect_eq "xml type" "application/xml" "$type"
fetch /__hubgen/reload.js
expect_eq "reload.js status" 200 "$code"
expect_eq "reload.js type" "text/javascript; charset=utf-8" "$type"
expect_contains "reload.js listens" "$body" "/__hubgen/events"
headers=$(curl -s --max-time 5 -D - -o /dev/null "$ORIGIN/")
expect_contains "no-cache" "$headers" "Cache-Control: no-cache"

# pretty URLs
fetch /guide/
expect_contains "folder index" "$body" "Guide page text."
headers=$(curl -s --max-time 5 -D - -o /dev/null "$ORIGIN/guide?x=1")
expect_contains "folder without slash: 301" "$headers" "HTTP/1.1 301"
expect_contains "folder without slash: location" "$headers" "Location: /guide/?x=1"

# HEAD and other methods
head_out=$(curl -s --max-time 5 -I "$ORIGIN/about/")
expect_contains "HEAD status" "$head_out" "HTTP/1.1 200"
expect_contains "HEAD length" "$head_out" "Content-Length: $(curl -s --max-time 5 "$ORIGIN/about/" | wc -c)"
# raw, so that a body after the headers would show
port=${ORIGIN##*:}
raw=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'HEAD /about/ HTTP/1.0\r\n\r\n' >&3; cat <&3")
expect_eq "HEAD has no body" "" "$(printf '%s' "$raw" | sed '1,/^\r\{0,1\}$/d')"
for m in POST PUT DELETE OPTIONS; do
  out=$(curl -s --max-time 5 -X "$m" -D - -o /dev/null "$ORIGIN/")
  expect_contains "$m is 405" "$out" "HTTP/1.1 405"
  expect_contains "$m Allow" "$out" "Allow: GET, HEAD"
done

# --- nothing outside the site, however the path is spelled
SITE_DIR=$(ls -d "$SERVE_ROOT"/site-* | head -1)
ln -s /etc "$SITE_DIR/etc-link"                        # planted in the served folder
mkdir -p "${SITE_DIR}x" && echo "TOP-SECRET" >"${SITE_DIR}x/secret.html"
ln -s "${SITE_DIR}x/secret.html" "$SITE_DIR/prefix.html" # a sibling sharing the prefix
for p in '/../etc/passwd' '/../../../../../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' \
  '/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd' '/..%2fetc/passwd' '/..%2f..%2f..%2f..%2fetc%2fpasswd' \
  '/%252e%252e/%252e%252e/etc/passwd' '/index.html%00.png' '/..\etc\passwd' '/%5c..%5cetc%5cpasswd' \
  '/etc/passwd' '/etc/' '/etc-link/passwd' '/etc-link/' '/prefix.html' '/prefix' '/leak/secret.txt' \
  '//etc/passwd'; do
  fetch "$p"
  if [ "$code" = 200 ]; then bad "$p answered 200"; else ok; fi
  expect_not_contains "$p content" "$body" "root:"
  expect_not_contains "$p secret" "$body" "TOP-SECRET"
done
rm -rf "${SITE_DIR}x"

# unknown paths: 404 with the site's 404 page
fetch /no/such/page/
expect_eq "unknown path status" 404 "$code"
expect_eq "unknown path type" "text/html; charset=utf-8" "$type"
curl -s --max-time 5 "$ORIGIN/no/such/page/" | strip_tag >"$TMP/served"
if cmp -s "$TMP/served" "$TMP/built/404.html"; then ok; else bad "the 404 answer is not the site's 404.html"; fi
fetch /__hubgen/nothing
expect_eq "unknown internal path" 404 "$code"

# --- an edit is served within a second, and open pages are told to reload
# the stream names the build the page came from, as reload.js does, so that a build which
# finishes before the stream is open still counts
build=$(curl -s --max-time 5 "$ORIGIN/about/" | grep -o 'reload\.js?build=[0-9]*' | cut -d= -f2)
if [[ "$build" =~ ^[0-9]+$ ]]; then ok; else bad "no build number in the page's reload script: [$build]"; fi
curl -sN --max-time 15 "$ORIGIN/__hubgen/events?since=$build" >"$TMP/sse.out" 2>/dev/null &
SSE_PID=$!
sleep 0.1
printf -- '---\ntitle: About\n---\nAbout EDITED text.\n' >"$SITE/about.md"
if wait_for 1000 /about/ "About EDITED text."; then ok; else bad "the edit was not served within 1 s"; fi
echo "serve: edit -> served latency: ${waited} ms"
for _ in $(seq 1 100); do grep -q "event: reload" "$TMP/sse.out" && break; sleep 0.03; done
expect_contains "SSE reload event" "$(cat "$TMP/sse.out")" "event: reload"
expect_contains "SSE build id" "$(cat "$TMP/sse.out")" "data: "
kill "$SSE_PID" 2>/dev/null
wait "$SSE_PID" 2>/dev/null
# a change to a page's body rebuilds that page alone, and what it serves is still byte for
# byte what a whole build of the edited site writes (the page, the search index, the rest)
expect_contains "one-page rebuild" "$(cat "$TMP/serve.log")" "rebuilt after a change to about.md in"
expect_contains "one-page rebuild says so" "$(grep 'about.md' "$TMP/serve.log")" "(that page only)"
rm -rf "$TMP/built2"
"$HUBGEN" build -q -s "$SITE" -d "$TMP/built2" 2>/dev/null
for pair in "/about/:about/index.html" "/:index.html" "/guide/:guide/index.html"; do
  curl -s --max-time 5 "$ORIGIN${pair%%:*}" | strip_tag >"$TMP/served"
  if cmp -s "$TMP/served" "$TMP/built2/${pair#*:}"; then ok; else bad "after a one-page rebuild ${pair%%:*} differs from a whole build"; fi
done
curl -s --max-time 5 -o "$TMP/served" "$ORIGIN/search-index.json"
if cmp -s "$TMP/served" "$TMP/built2/search-index.json"; then ok; else bad "after a one-page rebuild the search index differs from a whole build"; fi
expect_contains "search index has the new text" "$(cat "$TMP/served")" "About EDITED text."
# a page whose text another page takes in (include_relative) is not rebuilt alone
mkdir -p "$SITE/parts"
printf -- '---\ntitle: Part\n---\nPart ONE.\n' >"$SITE/parts/part.md"
printf -- '---\ntitle: Whole\n---\n{%% include_relative parts/part.md %%}\n' >"$SITE/whole.md"
wait_for 2000 /whole/ "Part ONE." || bad "the page with include_relative was not served"
printf -- '---\ntitle: Part\n---\nPart TWO.\n' >"$SITE/parts/part.md"
if wait_for 2000 /whole/ "Part TWO."; then ok; else bad "the including page did not show the included page's edit within 2 s"; fi
rm -rf "$SITE/parts" "$SITE/whole.md"
wait_for 2000 /whole/ "" 404 || bad "the removed page was still served"
# a change to the front matter reaches the other pages' navigation: everything is rebuilt
printf -- '---\ntitle: About us\n---\nAbout EDITED text.\n' >"$SITE/about.md"
if wait_for 2000 / ">About us<"; then ok; else bad "the new title was not in the home page's navigation within 2 s"; fi
expect_eq "front matter: whole rebuild" "" "$(grep 'about.md' "$TMP/serve.log" | tail -1 | grep 'that page only')"
printf -- '---\ntitle: About\n---\nAbout EDITED text.\n' >"$SITE/about.md"
wait_for 2000 / ">About<" || bad "the title did not come back"

# a page served with an older build number gets the reload at once
out=$(curl -sN --max-time 3 "$ORIGIN/__hubgen/events?since=1")
expect_contains "stale page reloads at once" "$out" "event: reload"
type=$(curl -s --max-time 3 -o /dev/null -w '%{content_type}' "$ORIGIN/__hubgen/events?since=1")
expect_eq "SSE type" "text/event-stream; charset=utf-8" "$type"

# --- a build error shows on every page, with its place, until fixed
printf -- '---\ntitle: About\nlayout: no-such-layout\n---\nAbout text.\n' >"$SITE/about.md"
if wait_for 2000 /about/ "There is a problem" 500; then ok; else bad "no error page 2 s after breaking the site (got $code)"; fi
expect_contains "error summary" "$body" '<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1"><h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2><div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list"><li>'
expect_contains "error place" "$body" "$SITE/about.md:3:9: unknown layout &#39;no-such-layout&#39;</li>"
expect_contains "error page reloads" "$body" '<script src="/__hubgen/reload.js?build='
expect_contains "error page styled" "$body" '<link rel="stylesheet" href="/assets/nhsuk/nhsuk-frontend.min.css">'
for p in / /guide/ /no/such/page/; do
  fetch "$p"
  expect_eq "error on $p" 500 "$code"
  expect_contains "error body on $p" "$body" "unknown layout"
done
fetch /assets/nhsuk/nhsuk-frontend.min.css
expect_eq "last good CSS still served" 200 "$code"
expect_contains "terminal shows the error" "$(cat "$TMP/serve.log")" "$SITE/about.md:3:9: error: unknown layout 'no-such-layout'"
printf -- '---\ntitle: About\n---\nAbout FIXED text.\n' >"$SITE/about.md"
if wait_for 2000 /about/ "About FIXED text."; then ok; else bad "the page did not come back 2 s after the fix (got $code)"; fi
fetch /
expect_eq "other pages back" 200 "$code"

# --- 100 requests at once while the site is rebuilt again and again
(
  for i in $(seq 1 12); do
    printf -- '---\ntitle: Guide\n---\nGuide page text, version %s.\n' "$i" >"$SITE/guide/index.md"
    sleep 0.07
  done
) &
EDITOR_PID=$!
sleep 0.05
for i in $(seq 1 100); do
  case $((i % 4)) in
    0) echo "$ORIGIN/" ;; 1) echo "$ORIGIN/guide/" ;; 2) echo "$ORIGIN/assets/nhsuk/nhsuk-frontend.min.css" ;; 3) echo "$ORIGIN/about/" ;;
  esac
done | xargs -P 20 -n 1 curl -s --max-time 10 --limit-rate 1M -o /dev/null -w '%{http_code}\n' >"$TMP/codes"
wait "$EDITOR_PID"
expect_eq "100 concurrent requests" 100 "$(wc -l <"$TMP/codes")"
expect_eq "all 200" "" "$(grep -v '^200$' "$TMP/codes" | sort | uniq -c)"
rebuilds=$(grep -c "rebuilt after" "$TMP/serve.log")
if [ "$rebuilds" -ge 3 ]; then ok; else bad "expected rebuilds during the requests, saw $rebuilds in all"; fi
wait_for 2000 /guide/ "version 12." || bad "the last edit was not served"
# old build folders are removed once no request uses them
for _ in $(seq 1 40); do [ "$(ls -d "$SERVE_ROOT"/site-* | wc -l)" = 1 ] && break; sleep 0.05; done
expect_eq "one build folder left" 1 "$(ls -d "$SERVE_ROOT"/site-* | wc -l)"

# --- errors at the start: a busy port, a bad host, a bad port
port=${ORIGIN##*:}
err=$(TMPDIR="$TMP/tmpdir" timeout 10 "$HUBGEN" serve --port "$port" -s "$SITE" 2>&1)
expect_eq "busy port exit code" 2 "$?"
expect_contains "busy port message" "$err" "cannot serve on 127.0.0.1:$port"
err=$(timeout 10 "$HUBGEN" serve --host example.org -s "$SITE" 2>&1)
expect_eq "bad host exit code" 2 "$?"
expect_contains "bad host message" "$err" "--host takes an IP address"
err=$(timeout 10 "$HUBGEN" serve --port 70000 -s "$SITE" 2>&1)
expect_eq "bad port exit code" 2 "$?"
err=$(timeout 10 "$HUBGEN" serve -s "$TMP/no-such-site" 2>&1)
expect_eq "missing source exit code" 2 "$?"

# --- Ctrl-C: exits 0 and removes everything it made
stop_server INT
expect_eq "SIGINT exit code" 0 "$stop_code"
expect_contains "stop message" "$(cat "$TMP/serve.log")" "hubgen: stopping"
expect_eq "private folder removed" "" "$(ls -A "$TMP/tmpdir")"

# --- a base path: the site lives under /hub/; --open hands the URL to xdg-open
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "$1" >"%s/opened"\n' "$TMP" >"$TMP/bin/xdg-open"
chmod +x "$TMP/bin/xdg-open"
PATH="$TMP/bin:$PATH" start_server "$TMP/serve-base.log" -s "$SITE" --base-url /hub/ --open
expect_eq "URL has the base path" "$ORIGIN/hub/" "$URL"
for _ in $(seq 1 40); do [ -s "$TMP/opened" ] && break; sleep 0.05; done
expect_eq "--open runs xdg-open with the URL" "$URL" "$(cat "$TMP/opened" 2>/dev/null)"
headers=$(curl -s --max-time 5 -D - -o /dev/null "$ORIGIN/")
expect_contains "/ redirects to the base" "$headers" "Location: /hub/"
headers=$(curl -s --max-time 5 -D - -o /dev/null "$ORIGIN/hub")
expect_contains "/hub redirects to /hub/" "$headers" "Location: /hub/"
fetch /hub/
expect_eq "base home" 200 "$code"
expect_contains "base links" "$body" 'href="/hub/guide/"'
fetch /hub/guide/
expect_eq "base page" 200 "$code"
headers=$(curl -s --max-time 5 -D - -o /dev/null "$ORIGIN/hub/guide")
expect_contains "base folder redirect" "$headers" "Location: /hub/guide/"
fetch /guide/
expect_eq "outside the base" 404 "$code"
fetch /hub/../etc/passwd
expect_eq "traversal under the base" 404 "$code"
stop_server TERM
expect_eq "SIGTERM exit code" 0 "$stop_code"
expect_eq "private folder removed after SIGTERM" "" "$(ls -A "$TMP/tmpdir")"

# --- the config's baseurl, followed when the config changes
printf 'title: Serve test\nbaseurl: /docs\n' >"$SITE/_config.yml"
start_server "$TMP/serve-config.log" -s "$SITE"
expect_eq "URL has the config's base path" "$ORIGIN/docs/" "$URL"
fetch /docs/guide/
expect_eq "config base page" 200 "$code"
printf 'title: Serve test\nbaseurl: /manual\n' >"$SITE/_config.yml"
if wait_for 2000 /manual/guide/ "Guide page text"; then ok; else bad "the new baseurl was not served within 2 s (got $code)"; fi
fetch /docs/guide/
expect_eq "old base gone" 404 "$code"
expect_contains "new base printed" "$(cat "$TMP/serve-config.log")" "the site is now at $ORIGIN/manual/"
stop_server INT
expect_eq "config run exit code" 0 "$stop_code"

finish
