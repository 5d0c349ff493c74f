#!/usr/bin/env bash
# The link checker: each kind of broken reference is reported at the place it was written,
# as a warning (an error with --strict), and as a GitHub Actions annotation in CI.
set -u
source "$(dirname "$0")/../lib/assert.sh"

s="$TMP/site"
mkdir -p "$s/_layouts" "$s/docs" "$s/img"
cat > "$s/_layouts/default.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><title>{{ page.title }}</title></head>
<body><a href="{{ '/' | relative_url }}">Home</a>{{ content }}</body></html>
EOF
cat > "$s/index.md" <<'EOF'
---
title: Home
---
# Home

[fine](docs/b.md) and [fine with anchor](docs/b.md#section-one) and [local](#local).

[missing page](docs/nope.md) here.

[bad anchor](docs/b.md#nowhere) here.

![missing image](img/missing.png)

<p><img src="img/also-missing.png" alt="x"></p>

[absolute](/no/such/page/) and [external](https://example.org/not-fetched) and [mail](mailto:a@example.org).

## Local

[bad local anchor](#not-here) and [an image that exists](img/logo.svg).
EOF
cat > "$s/docs/b.md" <<'EOF'
---
title: B
---
## Section one
Back [home](../index.md).
EOF
echo '<svg xmlns="http://www.w3.org/2000/svg"/>' > "$s/img/logo.svg"

f="$s/index.md"
err=$("$HUBGEN" build -q -s "$s" -d "$TMP/out" 2>&1); code=$?
expect_eq "warnings do not fail a build" 0 "$code"
expect_contains "missing page" "$err" "$f:8:1: warning: broken link 'docs/nope.md' names no page of this site"
expect_contains "bad anchor" "$err" "$f:10:1: warning: broken anchor '#nowhere': $s/docs/b.md has no heading or element with that id"
expect_contains "missing image" "$err" "$f:12:1: warning: missing file 'img/missing.png' does not resolve to a page or file"
expect_contains "missing image in raw HTML" "$err" "$f:14:14: warning: missing file 'img/also-missing.png'"
expect_contains "absolute path" "$err" "$f:16:1: warning: broken link '/no/such/page/'"
expect_contains "bad local anchor" "$err" "$f:20:1: warning: broken anchor '#not-here'"
expect_not_contains "external links are not fetched" "$err" "example.org"
expect_not_contains "mailto is not checked" "$err" "mailto"
expect_not_contains "good links pass" "$err" "docs/b.md#section-one'"
expect_not_contains "existing image passes" "$err" "logo.svg"
expect_contains ".md links become URLs" "$(cat "$TMP/out/index.html")" 'href="/docs/b/#section-one"'
expect_contains "relative .md links resolve from their folder" "$(cat "$TMP/out/docs/b/index.html")" 'href="/"'

# --strict: the same problems are errors, and nothing is written
err=$("$HUBGEN" build -q --strict -s "$s" -d "$TMP/strict" 2>&1); code=$?
expect_eq "strict exit code" 1 "$code"
expect_contains "strict makes errors" "$err" "$f:8:1: error: broken link 'docs/nope.md'"
expect_no_file "strict wrote nothing" "$TMP/strict"

# GitHub Actions annotations
err=$(GITHUB_ACTIONS=true "$HUBGEN" build -q -s "$s" -d "$TMP/gh" 2>&1)
expect_contains "annotation" "$err" "::warning file=$f,line=8,col=1::broken link 'docs/nope.md' names no page of this site"
expect_contains "annotation escapes" "$err" "::warning file=$f,line=10,col=1::broken anchor '#nowhere': $s/docs/b.md has no heading or element with that id"

# hubgen check runs every check and writes nothing
err=$("$HUBGEN" check --strict -s "$s" -d "$TMP/checked" 2>&1); code=$?
expect_eq "check exit code" 1 "$code"
expect_contains "check reports" "$err" "broken link 'docs/nope.md'"
expect_no_file "check writes nothing" "$TMP/checked"

# under a base path, a root-relative link that forgot it is caught
cat > "$s/_layouts/default.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><title>{{ page.title }}</title></head>
<body><a href="/docs/b/">hard-coded</a>{{ content }}</body></html>
EOF
err=$("$HUBGEN" build -q --base-url /hub/ -s "$s" -d "$TMP/base" 2>&1)
expect_contains "link leaving the base path" "$err" "warning: link '/docs/b/' leaves the site's base path '/hub'"
expect_contains "reported once for the layout" "$err" "it comes from a layout or an include"
expect_contains "links get the base path" "$(cat "$TMP/base/index.html")" 'href="/hub/docs/b/#section-one"'

# a layout's broken link is reported at a page the user wrote, not at the 404 page hubgen
# makes with the same layout (which sorts first)
cat > "$s/_layouts/default.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><title>{{ page.title }}</title><link rel="stylesheet" href="{{ '/css/gone.css' | relative_url }}"></head>
<body>{{ content }}</body></html>
EOF
err=$("$HUBGEN" build -q -s "$s" -d "$TMP/gone" 2>&1)
expect_contains "layout link: reported" "$err" "broken link '/css/gone.css' does not resolve to a page or file"
expect_not_contains "layout link: not at the generated 404 page" "$err" "(generated) 404.html"
finish
