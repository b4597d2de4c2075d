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
# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

PY="$ROOT/.venv/bin/python"
RUN="$ROOT/.local/run"
PIDFILE="$RUN/functions.pid"
LOG="$RUN/functions.log"
PORT="${KIS_FUNCTIONS_PORT:-54321}"
mkdir -p "$RUN"

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

# The pid file holds the server's own pid (the subshell execs it), and it must still be
# that server: a recycled pid is not ours to signal.
server_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid="$(cat "$PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-m functions serve" || return 1
  echo "$pid"
}
running() { server_pid >/dev/null; }

# Something accepts connections on the port (bash's /dev/tcp: no extra tool needed).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

wait_ready() {
  local pid="$1"
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the functions server exited; see $LOG"
      tail -20 "$LOG" >&2 || true
      return 1
    fi
    if curl -fsS --max-time 2 "http://127.0.0.1:$PORT/functions/v1/healthz" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  log "the functions server did not answer; see $LOG"
  tail -20 "$LOG" >&2 || true
  return 1
}

start_server() {
  if running; then
    log "functions server already running (pid $(server_pid))"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_in_use; then
    log "port $PORT is held by another process (a stale functions server, or another stack):"
    log "stop it, or choose another port with KIS_FUNCTIONS_PORT"
    return 1
  fi
  # exec: the pid recorded is the server's own. Its output goes to the log and it holds
  # none of our descriptors, so `make up | cat` returns.
  (cd "$ROOT" && exec nohup "$PY" -m functions serve --port "$PORT") </dev/null >"$LOG" 2>&1 9>&- &
  echo $! >"$PIDFILE"
  wait_ready "$!" || {
    stop_server
    return 1
  }
  log "functions server on http://127.0.0.1:$PORT/functions/v1/ (pid $(cat "$PIDFILE"))"
}

stop_server() {
  local pid
  if pid="$(server_pid)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "functions server (pid $pid) did not stop on TERM; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "functions server stopped"
  fi
  rm -f "$PIDFILE"
}

up() {
  "$HERE/db.sh" up
  ensure_env
  (cd "$ROOT" && "$PY" -m functions seed-catalog)
  start_server
  # An older shipped catalog moves to the shipped one through import → validate → activate.
  (cd "$ROOT" && "$PY" -m functions upgrade-catalog)
}

down() {
  stop_server
  "$HERE/db.sh" down
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  reset)
    stop_server
    "$HERE/db.sh" reset
    rm -rf "$ROOT/.local/storage"
    up
    ;;
  status)
    "$HERE/db.sh" status || true
    if running; then echo "functions: running (pid $(server_pid), port $PORT)"; else echo "functions: stopped"; fi
    ;;
  -h | --help | help)
    print_help
    ;;
  *)
    echo "usage: $0 up|down|reset|status" >&2
    exit 2
    ;;
esac
