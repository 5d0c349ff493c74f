#!/usr/bin/env bash
# hubgen doctor: the migration report for a Jekyll or a Hugo site — a table of kinds with
# counts, then every place — and its exit code (0 nothing to report, 1 found, 2 bad config).
set -u
source "$(dirname "$0")/../lib/assert.sh"

# --- a just-the-docs style site with everything hubgen cannot build as written
j="$TMP/jekyll"
mkdir -p "$j/_layouts" "$j/_includes" "$j/docs"
cat > "$j/_config.yml" <<'YML'
title: Doctor
remote_theme: just-the-docs/just-the-docs
YML
cat > "$j/_layouts/default.html" <<'HTML'
<html><head>{% seo %}{% github_edit_link %}</head><body>{{ content | strip_emoji }}</body></html>
HTML
cat > "$j/_includes/note.html" <<'HTML'
{% gist 12345 %}{% raw %}{% seo %}{% endraw %}
HTML
cat > "$j/index.md" <<'MD'
---
title: Home
---
# Home
{: .no_toc .text-delta }

Text {{ page.title | slugify_more }}.
{: style="color: red" }

```mermaid
graph LR
  A{{Start}} --> B
```

{{< youtube abc >}}
MD
cat > "$j/docs/ok.md" <<'MD'
---
title: Fine
---
{% comment %}{% seo %}{% endcomment %}Nothing odd {{ "x" | upcase }}.
MD
out=$("$HUBGEN" doctor -s "$j" 2>"$TMP/err")
code=$?
expect_eq "doctor finds: exit code" 1 "$code"
expect_contains "summary" "$out" "hubgen doctor: 9 places where hubgen does not build what the site says"
expect_contains "table: shortcodes" "$out" "| 1 | Hugo shortcodes hubgen does not know (shown as written) |"
expect_contains "table: tags" "$out" "| 2 | Liquid tags hubgen does not have"
expect_contains "table: filters" "$out" "| 2 | Liquid filters hubgen does not have |"
expect_contains "table: code" "$out" "| 1 | code blocks that Liquid reads"
expect_contains "table: kramdown" "$out" "| 2 | kramdown attribute lists hubgen drops"
expect_contains "table: theme" "$out" "| 1 | theme: and remote_theme:"
expect_not_contains "seo is built in" "$out" "unknown tag 'seo'"
expect_contains "place: github_edit_link" "$out" "$j/_layouts/default.html:1:22: unknown tag 'github_edit_link'"
expect_contains "place: filter in a layout" "$out" "$j/_layouts/default.html:1:70: unknown filter 'strip_emoji'"
expect_contains "place: gist" "$out" "$j/_includes/note.html:1:1: unknown tag 'gist'"
expect_contains "place: filter in a page" "$out" "$j/index.md:7:22: unknown filter 'slugify_more'"
expect_contains "place: ial after heading" "$out" "$j/index.md:5:1: kramdown attribute list '{: .no_toc .text-delta }' is dropped"
expect_contains "place: ial after paragraph" "$out" "$j/index.md:8:1: kramdown attribute list '{: style=\"color: red\" }' is dropped"
expect_contains "place: code" "$out" "$j/index.md:12:4: Liquid reads the '{{' in this code block"
expect_contains "place: shortcode" "$out" "$j/index.md:15:1: unknown shortcode 'youtube'"
expect_contains "place: theme" "$out" "$j/_config.yml:2:15: theme 'just-the-docs/just-the-docs' is not used"
expect_not_contains "raw and comment are not read" "$out" "note.html:1:25"
expect_not_contains "a fine page" "$out" "docs/ok.md"
# nothing is written
expect_no_file "no output" "$j/_site"

# --- a Hugo site with TOML config and front matter: read, nothing to report
h="$TMP/hugo"
mkdir -p "$h/content"
printf 'title = "x"\n' > "$h/hugo.toml"
printf '+++\ntitle = "T"\n+++\nBody\n' > "$h/content/page.md"
printf -- '---\ntitle: Y\n---\nBody\n' > "$h/content/_index.md"
out=$("$HUBGEN" doctor -s "$h" 2>/dev/null)
expect_eq "hugo: exit code" 0 "$?"
expect_contains "toml is read" "$out" "nothing to report"

# --- a clean site
c="$TMP/clean"
mkdir -p "$c"
printf -- '---\ntitle: Clean\n---\n# Clean\n' > "$c/index.md"
out=$("$HUBGEN" doctor -s "$c" 2>/dev/null)
expect_eq "clean: exit code" 0 "$?"
expect_contains "clean: message" "$out" "nothing to report"

# --- usage and config errors
"$HUBGEN" doctor -s "$TMP/missing" >/dev/null 2>&1
expect_eq "missing source: exit code" 2 "$?"
"$HUBGEN" doctor --bogus >/dev/null 2>&1
expect_eq "bad option: exit code" 2 "$?"
finish
