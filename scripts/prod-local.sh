#!/usr/bin/env bash
# `make prod-local`: the production topology on this machine (docs/deployment.md).
#
#   gunicorn (several sync workers, deploy/gunicorn.conf.py)  -> http://demo.localhost:8000/
#   message worker (manage.py run_worker)
#   PostgreSQL database verzuim_prod_local, Redis db 1 as the shared cache,
#   static files collected into var/static and served by whitenoise.
#
# Production settings throughout, with VERZUIM_LOCAL_ONLY=1: plain HTTP on loopback (no TLS
# proxy here) and SMS/e-mail kept in the local outbox. Those two relaxations are refused for
# any host name or listening address other than loopback. Ctrl+C stops both processes.
#
#   bash scripts/prod-local.sh               start
#   bash scripts/prod-local.sh outbox -l 3   read the latest SMS/e-mail (login codes)
#   bash scripts/prod-local.sh manage ARGS   any manage.py command with the same settings
#
# Overrides: PORT (8000), PROD_LOCAL_DATABASE_URL, PROD_LOCAL_REDIS_URL, WEB_CONCURRENCY.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${PORT:-8000}

mkdir -p var
chmod 700 var
# A throwaway secret key for this machine only: generated once, never committed (var/ is
# ignored), readable by this user only.
SECRET_FILE=var/prod-local-secret-key
if [ ! -s "$SECRET_FILE" ]; then
  (umask 077 && $PY -c 'import secrets; print(secrets.token_urlsafe(64))' >"$SECRET_FILE")
fi
chmod 600 "$SECRET_FILE"

export VERZUIM_ENVIRONMENT=production
export VERZUIM_LOCAL_ONLY=1
export DJANGO_DEBUG=0
DJANGO_SECRET_KEY=$(cat "$SECRET_FILE")
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,.localhost
export DJANGO_SECURE_SSL_REDIRECT=0
export DATABASE_URL=${PROD_LOCAL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/verzuim_prod_local}
export REDIS_URL=${PROD_LOCAL_REDIS_URL:-redis://127.0.0.1:6379/1}
export VERZUIM_VAR_DIR=$PWD/var/prod-local
export VERZUIM_STATIC_ROOT=$PWD/var/static
export GUNICORN_BIND=127.0.0.1:$PORT
export PYTHONUNBUFFERED=1

case "${1:-}" in
  outbox) shift; exec $PY manage.py outbox "$@" ;;
  manage) shift; exec $PY manage.py "$@" ;;
  "") ;;
  *) echo "usage: $0 [outbox ARGS | manage ARGS]" >&2; exit 2 ;;
esac

reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
reachable 127.0.0.1 5432 || { echo "prod-local: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
reachable 127.0.0.1 6379 || { echo "prod-local: Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
mkdir -p "$VERZUIM_VAR_DIR"

# The database, created when missing (connects to the server's "postgres" database).
$PY - <<'EOF'
import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"  Created PostgreSQL database {name}.")
EOF

echo "  Collecting static files into var/static ..."
$PY manage.py collectstatic --no-input -v0
$PY manage.py compile_translations -v0 >/dev/null
echo "  Migrating ..."
$PY manage.py migrate --no-input -v0

# Demo data only into an empty database. The demo loader refuses production settings on
# purpose, so it runs once with development settings against this same database (it only
# writes rows; nothing of the development configuration stays behind).
EMPTY=$($PY manage.py shell -v0 -c \
  'from verzuim.tenants.models import Tenant; print(int(not Tenant.objects.exists()))')
if [ "$EMPTY" = "1" ]; then
  echo "  Empty database: loading the demo data (about a minute) ..."
  VERZUIM_ENVIRONMENT=development VERZUIM_LOCAL_ONLY=0 $PY manage.py load_demo >var/prod-local-demo.log
fi

PIDS=()
stop() {
  trap - INT TERM EXIT
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "  Stopped."
}
trap stop INT TERM EXIT

$PY manage.py run_worker &
PIDS+=($!)
.venv/bin/gunicorn -c deploy/gunicorn.conf.py verzuim.wsgi &
PIDS+=($!)

for _ in $(seq 1 60); do
  if $PY -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "${PIDS[1]}" 2>/dev/null || { echo "prod-local: gunicorn did not start" >&2; exit 1; }
  sleep 0.5
done

$PY manage.py shell -v0 -c '
from verzuim.core.management.commands.load_demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, DEMO_SCOPES
from verzuim.mfa.backup_codes.rules import display
from verzuim.tenants.models import Tenant
port = "'"$PORT"'"
print()
print("  Production topology on this machine (VERZUIM_LOCAL_ONLY: plain HTTP, outbox).")
for t in Tenant.objects.active():
    print(f"  Portal:   http://{t.host}:{port}/   ({t.name})")
print(f"  Password for every demo login: {DEMO_PASSWORD}")
for name, scope in DEMO_SCOPES.items():
    print(f"  Login name: {name:<18} {scope}")
print("  Backup codes (each works once): " + ", ".join(display(c) for c in DEMO_BACKUP_CODES))
print("  SMS codes:    bash scripts/prod-local.sh outbox --last 3")
print("  Health:       http://127.0.0.1:" + port + "/healthz")
print("  Press Ctrl+C to stop gunicorn and the message worker.")
'
wait -n "${PIDS[@]}" || true
