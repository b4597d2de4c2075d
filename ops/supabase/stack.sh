#!/usr/bin/env bash
# The embedded local stack: the database (db.sh) plus the functions server.
#
#   ops/supabase/stack.sh up       database up, shipped catalog loaded if none is active
#                                  (or activated over an older shipped one),
#                                  functions server on 127.0.0.1:54321 (background)
#   ops/supabase/stack.sh down     stop the functions server and the database
#   ops/supabase/stack.sh reset    down, wipe database and local storage, up
#   ops/supabase/stack.sh status
#
# .env is created on first use with a random local JWT secret (never committed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/ops/supabase"
PY="$ROOT/.venv/bin/python"
RUN="$ROOT/.local/run"
PIDFILE="$RUN/functions.pid"
LOG="$RUN/functions.log"
PORT="${KIS_FUNCTIONS_PORT:-54321}"
mkdir -p "$RUN"

log() { echo "stack.sh: $*" >&2; }

ensure_env() {
  if [ ! -f "$ROOT/.env" ]; then
    secret="$("$PY" -c 'import secrets; print(secrets.token_hex(32))')"
    {
      echo "# Local settings written by ops/supabase/stack.sh (see .env.example)."
      echo "DATABASE_URL=$("$HERE/db.sh" url)"
      echo "JWT_SECRET=$secret"
      echo "PUBLIC_URL=http://127.0.0.1:$PORT"
    } >"$ROOT/.env"
    chmod 600 "$ROOT/.env"
    log "wrote .env with a new local JWT secret"
  fi
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

wait_ready() {
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$PORT/functions/v1/healthz" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  log "the functions server did not answer; see $LOG"
  tail -20 "$LOG" >&2 || true
  return 1
}

up() {
  "$HERE/db.sh" up
  ensure_env
  (cd "$ROOT" && "$PY" -m functions seed-catalog)
  if running; then
    log "functions server already running (pid $(cat "$PIDFILE"))"
  else
    (cd "$ROOT" && nohup "$PY" -m functions serve --port "$PORT" >"$LOG" 2>&1 &
      echo $! >"$PIDFILE")
    wait_ready
    log "functions server on http://127.0.0.1:$PORT/functions/v1/ (pid $(cat "$PIDFILE"))"
  fi
  # An older shipped catalog moves to the shipped one through import → validate → activate.
  (cd "$ROOT" && "$PY" -m functions upgrade-catalog)
}

down() {
  if running; then
    kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 50); do running || break; sleep 0.1; done
    log "functions server stopped"
  fi
  rm -f "$PIDFILE"
  "$HERE/db.sh" down
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  reset)
    if running; then kill "$(cat "$PIDFILE")"; fi
    rm -f "$PIDFILE"
    "$HERE/db.sh" reset
    rm -rf "$ROOT/.local/storage"
    up
    ;;
  status)
    "$HERE/db.sh" status || true
    if running; then echo "functions: running (pid $(cat "$PIDFILE"), port $PORT)"; else echo "functions: stopped"; fi
    ;;
  *)
    echo "usage: $0 up|down|reset|status" >&2
    exit 2
    ;;
esac
