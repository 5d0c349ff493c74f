#!/usr/bin/env bash
# Sets up hubgen on a Debian machine and builds the hub's own site into _site/.
#
#   scripts/setup.sh            install what is missing, build, build the site
#   scripts/setup.sh --deps     only install what is missing (used by scripts/test.sh)
#
# Installs with apt-get when run as root; otherwise prints the exact line to run and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=false
[ "${1:-}" = "--deps" ] && deps_only=true

# Debian packages: the build, the libraries, the unit-test framework, Node.js for the
# theme's npm packages and the browser tests, and Chromium for those tests.
packages=(cmake make gcc clang pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev
          libcmocka-dev libcivetweb-dev nodejs npm chromium python3 git curl)

missing=()
for p in "${packages[@]}"; do
  # Node.js, npm, python3 and git may come from elsewhere than Debian (nodesource, pyenv):
  # a working command is as good as the package, and installing Debian's beside it can clash.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm|python3|git|curl) command -v "$p" >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing. Run this, then run setup again:"
    echo "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

# npm packages (the NHS.UK theme and the browser-test tools), pinned by package-lock.json.
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi

$deps_only && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
build/hubgen build -s . -d _site
echo
echo "setup: the hub is built into $(pwd)/_site/"
echo "setup: to read it, run  build/hubgen serve  and open http://127.0.0.1:4000/"
echo "setup: (its links start at the site root, so opening _site/index.html as a file does not follow them)"
