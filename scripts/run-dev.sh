#!/usr/bin/env bash
# `make run`: migrate the embedded SQLite database, load demo data, start the message worker
# and the web server on http://127.0.0.1:8000. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export VERZUIM_ENVIRONMENT=development DJANGO_DEBUG=${DJANGO_DEBUG:-1}
export VERZUIM_DEV_LINK_ORIGIN=${VERZUIM_DEV_LINK_ORIGIN:-http://127.0.0.1:${PORT:-8000}}
PY=.venv/bin/python
mkdir -p var
$PY manage.py migrate --no-input -v0
$PY manage.py load_demo
$PY manage.py run_worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "  Message worker started (pid $WORKER)."
echo "  Open http://127.0.0.1:8000/ — press Ctrl+C to stop."
$PY manage.py runserver 127.0.0.1:${PORT:-8000}
