#!/usr/bin/env bash
# Run the whole test suite: installs tending with its test extras into ./.venv, makes sure PostgreSQL and
# Redis run (from Debian packages if needed), then runs every test on SQLite and again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e '.[dev]'
bash scripts/services.sh
if [ -f scripts/browsers.sh ]; then bash scripts/browsers.sh; fi

echo "== tests on SQLite (embedded mode)"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"

if timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; then
  echo "== tests on PostgreSQL + Redis (scaled mode)"
  TENDING_TEST_DATABASE_URL="${TENDING_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
  TENDING_TEST_REDIS_URL="${TENDING_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}" \
    .venv/bin/python -m pytest -q -p no:cacheprovider -m "not browser" "$@"
else
  echo "PostgreSQL unreachable: scaled-mode run skipped" >&2
  exit 1
fi
