#!/usr/bin/env bash
# Runs every test against real services: installs what is missing (the Python environment,
# Node 22, Debian's Chromium and Thai fonts for the browser tests, Debian's nginx for the
# multi-host test), then pytest.
# Extra arguments go to pytest (e.g. -k staff, or tests/models).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

if [ ! -x /usr/bin/chromium ] || [ -z "$(fc-list :lang=th 2>/dev/null)" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Chromium and Thai fonts (Debian packages) for the browser tests" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >&2
  else
    echo "The browser tests need Debian's chromium and fonts-thai-tlwg:" >&2
    echo "  sudo apt-get install -y chromium fonts-thai-tlwg" >&2
    exit 1
  fi
fi

if [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing nginx (Debian package) for the multi-host test" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >&2
  else
    echo "The multi-host test needs Debian's nginx:" >&2
    echo "  sudo apt-get install -y nginx" >&2
    exit 1
  fi
fi

export PATH="$PWD/.tools/node_modules/.bin:$PATH" REFLEX_USE_NPM=1 REFLEX_TELEMETRY_ENABLED=false
exec .venv/bin/pytest "$@"
