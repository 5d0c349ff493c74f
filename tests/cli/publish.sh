#!/usr/bin/env bash
# What a build writes for publishing: sitemap, feed, robots, search index, host files and
# redirects, each well-formed and with what it must hold; and the whole hub built under a
# sub-path, every HTML and CSS file scanned for a reference that escapes it.
set -u
source "$(dirname "$0")/../lib/assert.sh"

s="$TMP/site"
mkdir -p "$s/_posts" "$s/docs"
cat > "$s/_config.yml" <<'EOF'
title: Publish test
description: A site & its feed
url: https://example.org
baseurl: /repo
EOF
printf -- '---\ntitle: Home\n---\nWelcome.\n' > "$s/index.md"
printf -- '---\ntitle: Guide\nredirect_from:\n  - /old-guide/\n  - /older/guide.html\n---\n## Part one\nText.\n' > "$s/docs/guide.md"
printf -- '---\ntitle: Hidden from search\nsearch_exclude: true\nsitemap: false\n---\nSecret-ish.\n' > "$s/docs/quiet.md"
printf -- '---\ntitle: Hugo style\nbookSearchExclude: true\naliases: [/hugo-old/]\n---\nText.\n' > "$s/docs/hugo.md"
printf -- '---\ntitle: First <post>\nauthor: Ada\nsummary: The first one\ncategories: news\n---\nHello.\n' > "$s/_posts/2024-01-02-first.md"
printf -- '---\ntitle: Second post\ndate: 2024-03-04 10:00:00 +0100\n---\nAgain.\n' > "$s/_posts/2024-03-04-second.md"

err=$("$HUBGEN" build -q -s "$s" -d "$TMP/out" 2>&1); code=$?
expect_eq "build" 0 "$code"
o="$TMP/out"
for f in sitemap.xml robots.txt feed.xml search-index.json .nojekyll staticwebapp.config.json 404.html search/index.html; do
  expect_file "generated $f" "$o/$f"
done

# sitemap: valid XML, absolute locations with the base path, no 404, no sitemap: false
out=$(python3 - "$o/sitemap.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {'s': 'http://www.sitemaps.org/schemas/sitemap/0.9'}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == '{http://www.sitemaps.org/schemas/sitemap/0.9}urlset', root.tag
for u in root.findall('s:url', ns):
    print(u.find('s:loc', ns).text)
EOF
)
expect_contains "sitemap has the home page" "$out" "https://example.org/repo/"
expect_contains "sitemap has a page" "$out" "https://example.org/repo/docs/guide/"
expect_contains "sitemap has posts" "$out" "https://example.org/repo/blog/2024/01/02/first/"
expect_not_contains "sitemap leaves out 404" "$out" "404"
expect_not_contains "sitemap leaves out sitemap: false" "$out" "quiet"
expect_not_contains "sitemap leaves out redirects" "$out" "old-guide"
expect_not_contains "sitemap leaves out the search page" "$out" "/search/"

expect_contains "robots points to the sitemap" "$(cat "$o/robots.txt")" "Sitemap: https://example.org/repo/sitemap.xml"

# feed: Atom with its required elements, newest first
out=$(python3 - "$o/feed.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
f = ET.parse(sys.argv[1]).getroot()
assert f.tag == A + 'feed'
for req in ('title', 'id', 'updated'):
    assert f.find(A + req) is not None and f.find(A + req).text, req
assert f.find(A + 'author/' + A + 'name') is not None
for e in f.findall(A + 'entry'):
    for req in ('title', 'id', 'updated'):
        assert e.find(A + req) is not None and e.find(A + req).text, req
    print(e.find(A + 'title').text, '|', e.find(A + 'link').get('href'), '|', e.find(A + 'updated').text)
EOF
)
expect_eq "feed entries" "Second post | https://example.org/repo/blog/2024/03/04/second/ | 2024-03-04T10:00:00+01:00
First <post> | https://example.org/repo/blog/2024/01/02/first/ | 2024-01-02T00:00:00Z" "$out"

# search index: valid JSON; excluded pages left out
out=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["pages"]:
    print(p["u"], p["t"], p.get("h", ""))
' "$o/search-index.json")
expect_contains "search has the guide with its headings" "$out" "/docs/guide/ Guide Part one"
expect_not_contains "search_exclude" "$out" "quiet"
expect_not_contains "bookSearchExclude" "$out" "/docs/hugo/"
expect_not_contains "no 404 in search" "$out" "404"

# host files
out=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(c["responseOverrides"]["404"]["rewrite"], c["trailingSlash"])
' "$o/staticwebapp.config.json")
expect_eq "azure config" "/repo/404.html auto" "$out"
expect_eq ".nojekyll is empty" "0" "$(stat -c %s "$o/.nojekyll")"

# redirects: a page at each old path that sends readers (and crawlers) on
r=$(cat "$o/old-guide/index.html")
expect_contains "redirect_from refresh" "$r" '<meta http-equiv="refresh" content="0; url=/repo/docs/guide/">'
expect_contains "redirect_from canonical" "$r" '<link rel="canonical" href="https://example.org/repo/docs/guide/">'
expect_file "redirect_from to a file name" "$o/older/guide.html"
expect_contains "aliases" "$(cat "$o/hugo-old/index.html")" 'url=/repo/docs/hugo/'

# a redirect onto an existing page is an error naming both
printf -- '---\ntitle: Clash\nredirect_from: /docs/guide/\n---\nx\n' > "$s/clash.md"
err=$("$HUBGEN" build -q -s "$s" -d "$TMP/clash" 2>&1); code=$?
expect_eq "redirect clash fails" 1 "$code"
expect_contains "redirect clash names both" "$err" "is also written by"
rm "$s/clash.md"

# The hub itself under a sub-path: no reference in any HTML or CSS file escapes /hub/.
"$HUBGEN" build -q --strict --base-url /hub/ -s "$HG_SOURCE_DIR" -d "$TMP/hub" 2>"$TMP/hub.err"
code=$?
expect_eq "the hub builds strictly under /hub/" 0 "$code"
[ "$code" = 0 ] || cat "$TMP/hub.err" >&2
escapes=$(python3 - "$TMP/hub" <<'EOF'
import os, re, sys
root = sys.argv[1]
attr = re.compile(r'''\b(?:href|src|action|poster|data-index|data-base)\s*=\s*["']([^"']*)["']''', re.I)
srcset = re.compile(r'''\bsrcset\s*=\s*["']([^"']*)["']''', re.I)
cssurl = re.compile(r'''url\(\s*["']?([^"')]+)["']?\s*\)''')
bad = []
def check(path, ref):
    ref = ref.strip()
    if ref.startswith('//') or re.match(r'^[a-z][a-z0-9+.-]*:', ref, re.I) or ref.startswith('#') or not ref:
        return
    if ref.startswith('/'):
        if not (ref == '/hub' or ref.startswith('/hub/')):
            bad.append('%s: %s' % (os.path.relpath(path, root), ref))
        return
    # relative: resolve against the file's own URL and make sure it stays inside
    here = '/hub/' + os.path.relpath(os.path.dirname(path), root).replace('.', '') + '/'
    target = os.path.normpath(os.path.join(here, ref.split('#')[0].split('?')[0]))
    if not target.startswith('/hub'):
        bad.append('%s: %s' % (os.path.relpath(path, root), ref))
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if f.endswith('.html'):
            t = open(p, encoding='utf-8').read()
            for m in attr.finditer(t): check(p, m.group(1))
            for m in srcset.finditer(t):
                for part in m.group(1).split(','):
                    if part.strip(): check(p, part.split()[0])
            for m in cssurl.finditer(t): check(p, m.group(1))
        elif f.endswith('.css'):
            t = open(p, encoding='utf-8', errors='replace').read()
            for m in cssurl.finditer(t): check(p, m.group(1))
print('\n'.join(bad))
EOF
)
expect_eq "no reference escapes the base path" "" "$escapes"
finish
