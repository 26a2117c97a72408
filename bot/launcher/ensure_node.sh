#!/usr/bin/env bash
# The staff dashboard's charts are ECharts from the npm registry (package.json, pinned in
# package-lock.json), installed into node_modules/ by `npm ci` and served by the portal itself.
# Installs Debian's nodejs and npm when npm is missing (CI runs as root on a fresh Debian
# machine); says what to do where that is impossible. Does nothing when npm is there.
set -euo pipefail
if command -v npm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "npm is missing: the dashboard's charts (ECharts) are installed with it." >&2
  echo "Run as root, or: apt-get install nodejs npm; then make venv again." >&2
  echo "(Without it the dashboard still shows its numbers as tables.)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nodejs npm >/dev/null
npm --version
