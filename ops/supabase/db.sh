#!/usr/bin/env bash
# The embedded local database: a PostgreSQL 15 cluster the project owns, with a
# bootstrap that recreates what hosted Supabase provides, and the migrations pushed
# by the real Supabase CLI (no Docker anywhere).
#
#   ops/supabase/db.sh up         initdb if needed, start, bootstrap, push migrations
#   ops/supabase/db.sh down       stop the cluster (data is kept)
#   ops/supabase/db.sh reset      drop and recreate the database, bootstrap, push
#   ops/supabase/db.sh status     is it running, which migrations are applied
#   ops/supabase/db.sh url        print the connection URL
#   ops/supabase/db.sh psql ...   psql against the local database (extra args passed on)
#   ops/supabase/db.sh create-db NAME [--bare]
#                                 a scratch database: bootstrapped and migrated
#                                 (--bare: bootstrapped only); prints its URL
#   ops/supabase/db.sh drop-db NAME     drop a scratch database
#
# Data lives in .local/pg of the repository, the server listens on 127.0.0.1:54322
# (superuser postgres/postgres). PostgreSQL refuses to run as root, so when the caller
# is root the server runs as the `postgres` OS user and .local/pg belongs to it.
# Every command is idempotent: `up` on a running, migrated cluster changes nothing.
set -euo pipefail
# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

PG_MAJOR=15
PGBIN="${KIS_PGBIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
PGLINK="$ROOT/.local/pg"
# Where the cluster lives: .local/pg, or the directory it links to (see ensure_dirs).
resolve_paths() {
  PGROOT="$(readlink -m "$PGLINK")"
  PGDATA="$PGROOT/data"
  PGRUN="$PGROOT/run"
  PGLOG="$PGROOT/postgres.log"
}
resolve_paths
PORT="${KIS_DB_PORT:-54322}" # override only to run a second checkout side by side
HOST=127.0.0.1
DB=postgres
SUPABASE="$ROOT/node_modules/.bin/supabase"

export PGHOST="$HOST" PGPORT="$PORT" PGUSER=postgres PGPASSWORD=postgres PGCONNECT_TIMEOUT=5
# The CLI should neither phone home nor wait for a prompt.
export SUPABASE_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 CI="${CI:-true}"

db_url() { echo "postgresql://postgres:postgres@$HOST:$PORT/${1:-$DB}"; }

# The URL handed to the Supabase CLI: same database, no TLS attempt (and no warning).
cli_url() { echo "$(db_url "${1:-$DB}")?sslmode=disable"; }

# Run a command as the OS user that owns the cluster (from /, which it can always read).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

psql_db() {
  local db="$1"
  shift
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

check_tools() {
  [ -x "$PGBIN/pg_ctl" ] || die "PostgreSQL $PG_MAJOR binaries not found in $PGBIN: run ops/supabase/install.sh"
  [ -x "$SUPABASE" ] || die "Supabase CLI not found at $SUPABASE: run ops/supabase/install.sh (npm ci)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "OS user postgres is missing: run ops/supabase/install.sh"
  fi
}

ensure_dirs() {
  mkdir -p "$ROOT/.local"
  if [ "$(id -u)" -eq 0 ] && [ ! -e "$PGLINK" ] && ! runuser -u postgres -- test -x "$ROOT/.local"; then
    # The checkout sits where the postgres user cannot reach (e.g. under /root): keep the
    # cluster in a directory of its own and let .local/pg point there.
    local elsewhere
    elsewhere="/var/lib/postgresql/kis-estimator-$(echo "$ROOT" | sha256sum | cut -c1-12)"
    log "postgres cannot reach $ROOT; the cluster lives in $elsewhere (.local/pg links to it)"
    mkdir -p "$elsewhere"
    ln -sfn "$elsewhere" "$PGLINK"
    resolve_paths
  fi
  mkdir -p "$PGROOT" "$PGRUN"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PGROOT" "$PGRUN"
    [ -d "$PGDATA" ] && chown -R postgres:postgres "$PGDATA"
    [ -f "$PGLOG" ] && chown postgres:postgres "$PGLOG"
    as_owner test -w "$PGROOT" ||
      die "the postgres OS user cannot write $PGROOT (a parent directory is not traversable?)"
  fi
  chmod 0700 "$PGRUN"
}

is_running() { as_owner "$PGBIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; }

wait_ready() {
  for _ in $(seq 1 60); do
    "$PGBIN/pg_isready" -q -h "$HOST" -p "$PORT" -d "$DB" && return 0
    sleep 0.5
  done
  die "the server did not accept connections on $HOST:$PORT (see $PGLOG)"
}

init_cluster() {
  [ -f "$PGDATA/PG_VERSION" ] && return 0
  log "initdb $PGDATA"
  local pwfile="$PGROOT/.pwfile"
  (umask 077 && echo postgres >"$pwfile")
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pwfile"
  as_owner "$PGBIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  # Settings live in a file of their own so postgresql.conf stays as initdb wrote it.
  as_owner tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF

# --- KIS Estimator local stack (ops/supabase/db.sh) ---
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$PGRUN'
timezone = 'UTC'
log_timezone = 'UTC'
max_connections = 100
synchronous_commit = off
EOF
}

start_cluster() {
  if is_running; then
    return 0
  fi
  log "starting PostgreSQL on $HOST:$PORT"
  # 9>&-: the server must not inherit the lock's descriptor, or it would hold the lock
  # for as long as it runs and every later db.sh would wait for it.
  as_owner "$PGBIN/pg_ctl" start -D "$PGDATA" -l "$PGLOG" -o "-p $PORT" -w -t 60 >/dev/null 9>&- ||
    die "pg_ctl start failed; last log lines:
$(tail -n 20 "$PGLOG" 2>/dev/null)"
  wait_ready
}

stop_cluster() {
  if is_running; then
    log "stopping PostgreSQL"
    as_owner "$PGBIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >/dev/null
  fi
}

bootstrap() {
  local db="$1"
  psql_db "$db" -f "$HERE/bootstrap.sql" >/dev/null
}

push() {
  local db="$1"
  # --include-all: a migration older than the newest applied one is still applied
  # (several engineers add migrations at once). The CLI records what it applied in
  # supabase_migrations.schema_migrations, so a second push applies nothing.
  "$SUPABASE" --workdir "$ROOT" db push --remote="$(cli_url "$db")" --include-all --yes >&2
}

# (Re)create a database: empty, bootstrapped, then (unless "bare") migrated.
create_db() {
  local db="$1" mode="${2:-}"
  [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $db"
  psql_db template1 -c "drop database if exists $db with (force)" -c "create database $db" >/dev/null
  bootstrap "$db"
  [ "$mode" = bare ] || push "$db"
}

cmd_up() {
  check_tools
  ensure_dirs
  init_cluster
  start_cluster
  bootstrap "$DB"
  push "$DB"
  log "up: $(db_url)"
}

cmd_down() {
  [ -f "$PGDATA/PG_VERSION" ] || return 0
  stop_cluster
}

cmd_reset() {
  check_tools
  ensure_dirs
  init_cluster
  start_cluster
  log "recreating database $DB"
  create_db "$DB"
  log "reset: $(db_url)"
}

cmd_status() {
  if [ -f "$PGDATA/PG_VERSION" ] && is_running; then
    echo "running: $(db_url)"
    psql_db "$DB" -At -c "select 'migrations applied: ' || count(*) from supabase_migrations.schema_migrations" 2>/dev/null ||
      echo "migrations applied: 0"
  else
    echo "stopped"
    return 3
  fi
}

# Commands that change the cluster take a lock, so two callers (a developer's shell and
# a test session) never start, push or reset at the same time.
lock() {
  mkdir -p "$ROOT/.local"
  exec 9>"$ROOT/.local/db.sh.lock"
  flock -w 600 9 || die "another db.sh has held $ROOT/.local/db.sh.lock for 10 minutes"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up | down | stop | reset | create-db | drop-db) lock ;;
  esac
  case "$cmd" in
    up) cmd_up ;;
    down | stop) cmd_down ;;
    reset) cmd_reset ;;
    status) cmd_status ;;
    url) db_url "${1:-$DB}" ;;
    psql) psql_db "$DB" "$@" ;;
    create-db)
      if ! { [ $# -eq 1 ] || { [ $# -eq 2 ] && [ "$2" = --bare ]; }; }; then
        die "usage: db.sh create-db NAME [--bare]"
      fi
      [ "$1" != "$DB" ] || die "refusing to recreate $DB (use reset)"
      check_tools
      is_running || die "the cluster is not running: db.sh up"
      create_db "$1" "$([ "${2:-}" = --bare ] && echo bare)"
      db_url "$1"
      ;;
    drop-db)
      [ $# -eq 1 ] || die "usage: db.sh drop-db NAME"
      [ "$1" != "$DB" ] || die "refusing to drop $DB (use reset)"
      [[ "$1" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $1"
      psql_db template1 -c "drop database if exists $1 with (force)"
      ;;
    *)
      print_help
      case "$cmd" in "" | help | -h | --help) ;; *) exit 2 ;; esac
      ;;
  esac
}

main "$@"
