#!/usr/bin/env bash
# make test-browser: installs Debian's chromium when it is missing (root,
# apt-get; browsers are not downloaded from anywhere else), then opens
# bench-out/index.html (PAGE=dir for another folder) in it through
# playwright-core (a locked dev dependency) and checks it.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { echo "test-browser: $*"; }
if [ -z "${CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  [ "$(id -u)" = 0 ] || { say "chromium is missing and installing it needs root (apt-get install chromium)"; exit 2; }
  say "installing Debian's chromium"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
PAGE="${PAGE:-bench-out}"
if [ ! -s "$PAGE/index.html" ]; then
  say "no $PAGE/index.html: rendering a small bench into it (make bench writes the real one)"
  node dist/userland/bench/main.js --scale 0.0078125 --paper --out "$PAGE" >/dev/null
fi
node --import tsx tests/browser/check_page.ts "$PAGE"
