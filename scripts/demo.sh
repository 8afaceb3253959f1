#!/usr/bin/env bash
# Run the demo desk: installs tending into ./.venv on first use, builds the demo world, serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/tending ]; then
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e .
fi
exec .venv/bin/tending demo "$@"
