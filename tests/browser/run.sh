#!/usr/bin/env bash
# Browser tests of the default NHS.UK theme (called by scripts/test.sh).
#
#   tests/browser/run.sh            uses build/hubgen
#   HUBGEN=build-x/hubgen tests/browser/run.sh
#
# Builds the hub (content/) twice — at the root and with --base-url /hub/ — and the theme's
# own test site (tests/browser/site/), then runs tests/browser/theme.test.mjs under
# `node --test`: every page, 1280 and 320 px wide, in Debian's Chromium through
# playwright-core, with axe-core. Installs nothing: it needs /usr/bin/chromium and the npm
# packages (scripts/setup.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
  echo "browser tests: /usr/bin/chromium is missing: apt-get install chromium (scripts/setup.sh does)" >&2
  exit 1
fi
for p in playwright-core @axe-core/playwright axe-core nhsuk-frontend; do
  if [ ! -d "node_modules/$p" ]; then
    echo "browser tests: node_modules/$p is missing: run npm ci first (scripts/setup.sh does)" >&2
    exit 1
  fi
done
hubgen=${HUBGEN:-build/hubgen}
if [ ! -x "$hubgen" ]; then
  echo "browser tests: $hubgen is missing: cmake -S . -B build && cmake --build build" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hubgen-browser.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$hubgen" build -q -s . -d "$tmp/hub"
"$hubgen" build -q -s . -d "$tmp/hub-sub" --base-url /hub/
"$hubgen" build -q -s tests/browser/site -d "$tmp/site"

# name=folder=base path, one per site, separated by ';'
export HUBGEN_BROWSER_SITES="hub=$tmp/hub=/;hub-sub=$tmp/hub-sub=/hub/;theme-site=$tmp/site=/"
export HUBGEN_BROWSER_SCREENSHOTS="tests/browser/screenshots"
node --test --test-reporter=spec tests/browser/theme.test.mjs
