#!/usr/bin/env bash
# Django's deployment checklist (`manage.py check --deploy`) with the production settings of
# .env.example and a fresh random secret key, as a deployment would run them. Any warning fails.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a
# shellcheck disable=SC1091
source .env.example
set +a
DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_SECRET_KEY
VERZUIM_VAR_DIR="$(mktemp -d)"
VERZUIM_STATIC_ROOT="$VERZUIM_VAR_DIR/static"
export VERZUIM_VAR_DIR VERZUIM_STATIC_ROOT
exec .venv/bin/python manage.py check --deploy --fail-level WARNING
