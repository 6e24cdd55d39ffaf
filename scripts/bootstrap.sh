#!/usr/bin/env bash
# Installs what the product needs into the repository, idempotently:
#   .tools/uv      uv (from PyPI) to create and sync the locked environment
#   .venv/         Python 3.11 with every locked dependency and the `vschool` command
#   .tools/node_modules/.bin/node   Node 22 for Reflex's frontend (from the npm registry)
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
NODE_VERSION=22.23.3

python=$(command -v python3.11 || command -v python3)
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "V School CRM needs Python 3.11; found $("$python" --version)." >&2
  exit 1
fi

if [ ! -x .tools/uv/bin/uv ] || [ "$(.tools/uv/bin/uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  echo "==> installing uv $UV_VERSION into .tools/uv" >&2
  "$python" -m venv .tools/uv
  .tools/uv/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

echo "==> syncing .venv from uv.lock" >&2
.tools/uv/bin/uv sync --frozen --quiet --python "$python"

node=.tools/node_modules/.bin/node
if [ ! -x "$node" ] || [ "$("$node" --version)" != "v$NODE_VERSION" ]; then
  echo "==> installing Node $NODE_VERSION into .tools (Reflex needs Node >= 22.22)" >&2
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
fi
