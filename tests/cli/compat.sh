#!/usr/bin/env bash
# Jekyll and Hugo sites as they are: the errors and warnings of mounts, collections, data
# files and pagination, each at its place (the good paths are golden sites: hub-mounts,
# jekyll-collections, just-the-docs, hugo-book).
set -u
source "$(dirname "$0")/../lib/assert.sh"

# jekyll NAME: a Jekyll-style folder with a plain layout; echoes its path
jekyll() {
  local d="$TMP/$1"
  mkdir -p "$d/_layouts"
  printf '%s\n' '<html><body>{{ content }}</body></html>' > "$d/_layouts/default.html"
  printf -- '---\ntitle: Home\n---\nHome.\n' > "$d/index.md"
  echo "$d"
}

# --- mounts: a folder that is not there (exit 1, at the entry), a target outside the site (exit 2)
h="$TMP/hub"
mkdir -p "$h/content"
printf -- '---\ntitle: Hub\n---\nx\n' > "$h/content/index.md"
printf 'title: Hub\nmounts:\n  - source: ../nowhere\n    target: experience\n' > "$h/hub.yml"
err=$("$HUBGEN" build -q -s "$h" -d "$TMP/out" 2>&1)
expect_eq "missing mount: exit code" 1 "$?"
expect_contains "missing mount: place" "$err" "$h/hub.yml:3:5: error: mounted folder '../nowhere' does not exist"
printf 'title: Hub\nmounts:\n  - source: ../x\n    target: ../../up\n' > "$h/hub.yml"
err=$("$HUBGEN" build -q -s "$h" -d "$TMP/out" 2>&1)
expect_eq "mount outside: exit code" 2 "$?"
expect_contains "mount outside: place" "$err" "$h/hub.yml:3:5: error: a mount needs a 'source' folder and a 'target' path inside the site"
# a mount whose pages clash with the site's
mkdir -p "$TMP/team" "$h/content/experience"
printf -- '---\ntitle: Mine\n---\nx\n' > "$h/content/experience/index.md"
printf -- '---\ntitle: Theirs\n---\ny\n' > "$TMP/team/index.md"
printf 'title: Hub\nmounts:\n  - source: ../team\n    target: experience\n' > "$h/hub.yml"
err=$("$HUBGEN" build -q -s "$h" -d "$TMP/out" 2>&1)
expect_eq "mount clash: exit code" 1 "$?"
expect_contains "mount clash: message" "$err" "'experience/index.html' is also written by"

# --- collections in the list form: documents that are not written, listed in site.<label>
j=$(jekyll collections)
printf 'title: C\ncollections: [notes]\n' > "$j/_config.yml"
mkdir -p "$j/_notes"
printf -- '---\ntitle: One\n---\nFirst *note*.\n' > "$j/_notes/one.md"
printf -- '---\ntitle: List\n---\n{%% for n in site.notes %%}[{{ n.title }}: {{ n.content | strip }}]{%% endfor %%} {{ site.collections[0].label }}\n' > "$j/list.md"
"$HUBGEN" build -q -s "$j" -d "$TMP/c-out" 2>/dev/null
expect_eq "list form: exit code" 0 "$?"
expect_contains "list form: documents" "$(cat "$TMP/c-out/list/index.html")" "[One: <p>First <em>note</em>.</p>] notes"
expect_no_file "list form: not written" "$TMP/c-out/notes/one/index.html"
printf 'title: C\ncollections: 3\n' > "$j/_config.yml"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/c-out" 2>&1)
expect_eq "bad collections: exit code" 2 "$?"
expect_contains "bad collections: place" "$err" "$j/_config.yml:2:14: error: 'collections' must be a map of labels or a list of labels"

# --- a CSV file with a quote that never closes
j=$(jekyll csv)
mkdir -p "$j/_data"
printf 'a,b\n1,"open\n' > "$j/_data/t.csv"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/csv-out" 2>&1)
expect_eq "csv: exit code" 1 "$?"
expect_contains "csv: place" "$err" "$j/_data/t.csv:2:1: error: a quoted field of this row never ends"

# --- paginate with no page to paginate, and a bad paginate
j=$(jekyll paginate)
printf 'title: P\npaginate: 5\npaginate_path: /news/page:num/\n' > "$j/_config.yml"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/p-out" 2>&1)
expect_eq "paginate nothing: exit code" 0 "$?"
expect_contains "paginate nothing: warning" "$err" "$j/_config.yml:2:11: warning: 'paginate' has no page to paginate: no page has the URL '/news/'"
printf 'title: P\npaginate: many\n' > "$j/_config.yml"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/p-out" 2>&1)
expect_eq "bad paginate: exit code" 2 "$?"
expect_contains "bad paginate: place" "$err" "$j/_config.yml:2:11: error: 'paginate' must be a number of posts per page, from 1"
# --- a Hugo site's pages are not Liquid (Hugo runs no template language over content):
# Go templates and a workflow's ${{ }} stay text, unless the page asks for Liquid
hg="$TMP/hugo-text"
mkdir -p "$hg/content"
printf 'title: Hugo text\n' > "$hg/hugo.yaml"
printf -- '---\ntitle: Home\n---\nThe title is {{ .Title }}.\n\n```yaml\ntoken: ${{ secrets.TOKEN }}\n```\n' > "$hg/content/_index.md"
printf -- '---\ntitle: Asks\nrender_with_liquid: true\n---\nTitle: {{ page.title }}\n' > "$hg/content/asks.md"
err=$("$HUBGEN" build -q -s "$hg" -d "$TMP/hugo-text-out" 2>&1)
expect_eq "hugo text: builds" 0 "$?"
expect_contains "hugo text: Go template as written" "$(cat "$TMP/hugo-text-out/index.html")" "The title is {{ .Title }}."
expect_contains "hugo text: workflow expression as written" "$(cat "$TMP/hugo-text-out/index.html")" 'token: ${{ secrets.TOKEN }}'
expect_contains "hugo text: Liquid when asked" "$(cat "$TMP/hugo-text-out/asks/index.html")" "Title: Asks"
expect_eq "hugo text: no warnings" "" "$err"

# --- which convention: _config.yml and content/ is Jekyll's (content/ is just a folder of
# pages, _layouts/ applies); with a Hugo config beside it, content/ is Hugo's pages root
j=$(jekyll style)
mkdir -p "$j/content"
printf 'title: S\n' > "$j/_config.yml"
printf -- '---\ntitle: Inside\n---\nIn content.\n' > "$j/content/inside.md"
"$HUBGEN" build -q -s "$j" -d "$TMP/style-out" 2>/dev/null
expect_eq "jekyll with content/: exit code" 0 "$?"
expect_contains "jekyll with content/: its layout" "$(cat "$TMP/style-out/content/inside/index.html")" "<html><body><p>In content.</p>"
printf 'title = "S"\n' > "$j/config.toml"
"$HUBGEN" build -q -s "$j" -d "$TMP/style-out" 2>/dev/null
expect_eq "hugo config too: exit code" 0 "$?"
expect_file "hugo config too: content/ is the pages root" "$TMP/style-out/inside/index.html"
# --- collections_dir that climbs out, and an order that is not a list
j=$(jekyll colldir)
printf 'title: C\ncollections_dir: ../elsewhere\n' > "$j/_config.yml"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/cd-out" 2>&1)
expect_eq "collections_dir outside: exit code" 2 "$?"
expect_contains "collections_dir outside: place" "$err" "$j/_config.yml:2:18: error: 'collections_dir' must be a folder inside the site"
printf 'title: C\ncollections:\n  notes:\n    order: first.md\n' > "$j/_config.yml"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/cd-out" 2>&1)
expect_eq "order not a list: exit code" 2 "$?"
expect_contains "order not a list: place" "$err" "$j/_config.yml:4:12: error: a collection's 'order' must be a list of file names"
# --- a mount's includes and data fill in; the site's own of the same name win
j=$(jekyll mountwin)
mkdir -p "$j/_includes" "$j/_data" "$TMP/theirs/_includes" "$TMP/theirs/_data"
printf 'title: M\nmounts:\n  - source: ../theirs\n    target: theirs\n' > "$j/_config.yml"
printf 'SITE-NOTE' > "$j/_includes/note.html"
printf 'who: site\n' > "$j/_data/owner.yml"
printf 'THEIR-NOTE' > "$TMP/theirs/_includes/note.html"
printf 'THEIR-BOX' > "$TMP/theirs/_includes/box.html"
printf 'who: theirs\n' > "$TMP/theirs/_data/owner.yml"
printf 'ward: 9\n' > "$TMP/theirs/_data/extra.yml"
printf -- '---\ntitle: T\n---\n{%% include note.html %%} {%% include box.html %%} {{ site.data.owner.who }} {{ site.data.extra.ward }}\n' > "$TMP/theirs/page.md"
"$HUBGEN" build -q -s "$j" -d "$TMP/mw-out" 2>/dev/null
expect_eq "mount extras: exit code" 0 "$?"
expect_contains "mount extras: site wins, mount fills in" "$(cat "$TMP/mw-out/theirs/page/index.html")" "SITE-NOTE THEIR-BOX site 9"
# --- site.github (jekyll-github-metadata): from the config's repository, else the environment
j=$(jekyll ghmeta)
printf 'title: G\nrepository: nhs-team/ward-guide\n' > "$j/_config.yml"
printf -- '---\ntitle: P\n---\n[{{ site.github.repository_url }}|{{ site.github.owner_name }}|{{ site.github.repository_name }}|{{ site.github.url }}|{{ site.github.hostname }}]\n' > "$j/p.md"
env -u GITHUB_SHA "$HUBGEN" build -q -s "$j" -d "$TMP/gh-out" 2>/dev/null
expect_contains "site.github from repository" "$(cat "$TMP/gh-out/p/index.html")" "[https://github.com/nhs-team/ward-guide|nhs-team|ward-guide|https://nhs-team.github.io/ward-guide|github.com]"
printf 'title: G\n' > "$j/_config.yml"
GITHUB_REPOSITORY=other/docs.github.io "$HUBGEN" build -q -s "$j" -d "$TMP/gh-out" 2>/dev/null
expect_contains "site.github from GITHUB_REPOSITORY, a user page" "$(cat "$TMP/gh-out/p/index.html")" "[https://github.com/other/docs.github.io|other|docs.github.io|https://docs.github.io|github.com]"
env -u GITHUB_REPOSITORY -u PAGES_REPO_NWO "$HUBGEN" build -q -s "$j" -d "$TMP/gh-out" 2>/dev/null
expect_contains "no repository: empty" "$(cat "$TMP/gh-out/p/index.html")" "[||||]"
printf 'title: G\nrepository: a/b\ngithub: [metadata]\n' > "$j/_config.yml"
"$HUBGEN" build -q -s "$j" -d "$TMP/gh-out" 2>/dev/null
expect_contains "github: [metadata] asks for it" "$(cat "$TMP/gh-out/p/index.html")" "[https://github.com/a/b|a|b|"
printf 'title: G\nrepository: a/b\ngithub:\n  repository_url: mine\n' > "$j/_config.yml"
"$HUBGEN" build -q -s "$j" -d "$TMP/gh-out" 2>/dev/null
expect_contains "the config's github wins" "$(cat "$TMP/gh-out/p/index.html")" "[mine||||]"
# --- include_relative: a file beside the page, with parameters; not above it; a missing one
j=$(jekyll increl)
mkdir -p "$j/docs/snippets"
printf 'title: R\n' > "$j/_config.yml"
printf 'Ask {{ include.who }} on {{ page.title }}.' > "$j/docs/snippets/ask.md"
printf -- '---\ntitle: Setup\n---\n{%% include_relative snippets/ask.md who="the ward clerk" %%}\n' > "$j/docs/setup.md"
"$HUBGEN" build -q -s "$j" -d "$TMP/ir-out" 2>/dev/null
expect_eq "include_relative: exit code" 0 "$?"
expect_contains "include_relative: beside the page" "$(cat "$TMP/ir-out/docs/setup/index.html")" "Ask the ward clerk on Setup."
printf -- '---\ntitle: Up\n---\n{%% include_relative ../secret.md %%}\n' > "$j/docs/up.md"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/ir-out" 2>&1)
expect_contains "include_relative: not above" "$err" "$j/docs/up.md:4:21: error: include '../secret.md' leaves the include folders"
printf -- '---\ntitle: Up\n---\n{%% include_relative nowhere.md %%}\n' > "$j/docs/up.md"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/ir-out" 2>&1)
expect_contains "include_relative: missing" "$err" "$j/docs/up.md:4:1: error: include_relative 'nowhere.md' not found"
printf -- '{{ broken' > "$j/docs/snippets/bad.md"
printf -- '---\ntitle: Up\n---\n{%% include_relative snippets/bad.md %%}\n' > "$j/docs/up.md"
err=$("$HUBGEN" build -q -s "$j" -d "$TMP/ir-out" 2>&1)
expect_contains "include_relative: its own error, at its place" "$err" "$j/docs/snippets/bad.md:1:1: error: '{{' is never closed"
finish
