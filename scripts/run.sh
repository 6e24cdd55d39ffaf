#!/usr/bin/env bash
# Runs the whole product (the embedded default): installs what is missing, then `vschool dev`.
# Extra arguments go to `vschool dev` (e.g. --backend-only). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/vschool dev "$@"
