#!/usr/bin/env bash
# Dates and edit links: page.last_modified_at from git (else the file's time, never after
# SOURCE_DATE_EPOCH), review dates with their overdue warning, and "Edit this page".
set -u
source "$(dirname "$0")/../lib/assert.sh"
command -v git >/dev/null || { echo "git not installed: skipped"; finish; exit 0; }

g="$TMP/repo"
mkdir -p "$g/docs"
git -C "$g" init -q
cat > "$g/docs/_config.yml" <<'YML'
title: Dates
repository: nhs/handbook
branch: trunk
YML
printf -- '---\ntitle: Committed\n---\nText.\n' > "$g/docs/a.md"
git -C "$g" add docs
GIT_COMMITTER_DATE="2023-01-02T10:00:00Z" GIT_AUTHOR_DATE="2023-01-02T10:00:00Z" \
  git -C "$g" -c user.email=t@example.org -c user.name=t commit -qm one
printf -- '---\ntitle: New\n---\nNot committed yet.\n' > "$g/docs/b.md"
printf -- '---\ntitle: Reviewed\nlast_reviewed_on: 2023-01-31\nreview_in: 1 month\n---\nOld.\n' > "$g/docs/c.md"
printf -- '---\ntitle: Fresh\nlast_reviewed_on: 2023-10-01\nreview_in: 6 months\nlast_modified_at: 2022-05-06\n---\nNew.\n' > "$g/docs/d.md"

err=$("$HUBGEN" build -q -s "$g/docs" -d "$TMP/out" 2>&1)
expect_eq "build: exit code" 0 "$?"
expect_contains "git date" "$(cat "$TMP/out/a/index.html")" 'Page last updated: <time datetime="2023-01-02T10:00:00+00:00">2 January 2023</time>'
expect_contains "not committed: the file's time, clamped" "$(cat "$TMP/out/b/index.html")" '14 November 2023</time>'
expect_contains "front matter wins" "$(cat "$TMP/out/d/index.html")" '6 May 2022</time>'
expect_contains "edit link, path in the repository" "$(cat "$TMP/out/a/index.html")" 'href="https://github.com/nhs/handbook/edit/trunk/docs/a.md">Edit this page'
expect_contains "review dates shown" "$(cat "$TMP/out/c/index.html")" 'Page last reviewed: <time datetime="2023-01-31">31 January 2023</time><br>Next review due: <time datetime="2023-02-28">28 February 2023</time>'
expect_contains "six months on" "$(cat "$TMP/out/d/index.html")" 'Next review due: <time datetime="2024-04-01">1 April 2024</time>'
expect_contains "overdue: a warning at review_in" "$err" "$g/docs/c.md:4:12: warning: the page was due for review on 2023-02-28"
expect_not_contains "not overdue: no warning" "$err" "d.md"
sitemap=$(cat "$TMP/out/sitemap.xml")
expect_contains "sitemap: the git date" "$sitemap" "<loc>/a/</loc><lastmod>2023-01-02T10:00:00Z</lastmod>"
expect_contains "sitemap: the front matter's" "$sitemap" "<loc>/d/</loc><lastmod>2022-05-06"
expect_contains "sitemap: no file time" "$sitemap" "<url><loc>/b/</loc></url>"

# --strict: overdue is an error
"$HUBGEN" build -q --strict -s "$g/docs" -d "$TMP/out2" >/dev/null 2>&1
expect_eq "strict: exit code" 1 "$?"

# a bad interval
printf -- '---\ntitle: Bad\nlast_reviewed_on: 2023-10-01\nreview_in: soon\n---\nx\n' > "$g/docs/c.md"
err=$("$HUBGEN" build -q -s "$g/docs" -d "$TMP/out" 2>&1)
expect_contains "bad review_in" "$err" "c.md:4:12: warning: 'review_in' must be a number of days, weeks, months or years, such as '6 months', not 'soon'"
rm "$g/docs/c.md"

# edit_url and just-the-docs' gh_edit_* settings
printf 'title: Dates\nedit_url: https://example.org/edit/\n' > "$g/docs/_config.yml"
"$HUBGEN" build -q -s "$g/docs" -d "$TMP/out" 2>/dev/null
expect_contains "edit_url" "$(cat "$TMP/out/a/index.html")" 'href="https://example.org/edit/a.md"'
printf 'title: Dates\ngh_edit_link: true\ngh_edit_repository: https://github.com/nhs/docs\ngh_edit_branch: main\ngh_edit_source: docs\ngh_edit_view_mode: edit\n' > "$g/docs/_config.yml"
"$HUBGEN" build -q -s "$g/docs" -d "$TMP/out" 2>/dev/null
expect_contains "gh_edit_*" "$(cat "$TMP/out/a/index.html")" 'href="https://github.com/nhs/docs/edit/main/docs/a.md"'

# outside a work tree: the file's time, and no git is run
o="$TMP/plain"
mkdir -p "$o"
printf -- '---\ntitle: Plain\n---\nx\n' > "$o/p.md"
touch -d "2020-03-04 05:06:07 UTC" "$o/p.md"
"$HUBGEN" build -q -s "$o" -d "$TMP/out3" 2>/dev/null
expect_contains "mtime" "$(cat "$TMP/out3/p/index.html")" '4 March 2020</time>'
expect_not_contains "no edit link" "$(cat "$TMP/out3/p/index.html")" 'Edit this page'
finish
