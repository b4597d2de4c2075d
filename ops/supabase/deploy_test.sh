#!/usr/bin/env bash
# Check that a target (the local stack, staging or production) is fit to serve, and
# bring its migrations and storage up to date when allowed. Each step is printed; the
# first failure stops the script with a message saying what to do, and a non-zero exit.
#
#   DEPLOY_ENV=staging DATABASE_URL=… JWT_SECRET=… FUNCTIONS_PORT=54331 ops/supabase/deploy_test.sh
#
# Environment
#   DEPLOY_ENV           required: local | staging | production
#   DATABASE_URL         required (or SUPABASE_DB_URL): the target database
#   FUNCTIONS_URL        a functions server already running against the target, e.g.
#                        http://127.0.0.1:54321 ; or else
#   FUNCTIONS_PORT       a free port: the script starts `python -m functions serve` there
#                        (in the background, stopped at exit unless KEEP_FUNCTIONS=1)
#   JWT_SECRET           (or SUPABASE_JWT_SECRET) for a server the script starts
#   SUPABASE_URL, SUPABASE_SECRET_KEY (or SUPABASE_SERVICE_ROLE_KEY)
#                        when set, storage is Supabase Storage (storage_init.sh uses the API)
#   SKIP_DB_PUSH=1       never push; pending migrations are reported, not applied
#   CONFIRM_PUSH=yes     push pending migrations without asking (not for production)
#   DRIFT_SCHEMAS        schemas the drift check compares (default: all for a database on
#                        this machine, `estimator,shared` for a remote one)
#
# Steps
#   1 environment        every missing variable is named
#   2 target             reachable; migrations applied there vs db/migrations; push plan.
#                        Pending migrations are pushed only when allowed: never with
#                        SKIP_DB_PUSH=1, never automatically when DEPLOY_ENV=production,
#                        otherwise with CONFIRM_PUSH=yes or a "yes" typed at the prompt.
#   3 lint               supabase db lint --level warning --fail-on error
#   4 advisors           supabase db advisors --type all --level warn --fail-on warn
#   5 drift              a fresh scratch database (kis_it_<pid>_deploy_drift on the local
#                        cluster: ops/supabase/db.sh up first) built from the migrations the
#                        target has applied; `supabase db diff --from fresh --to target` must
#                        print nothing
#   6 push               supabase db push, then steps 3-5 again against every migration
#   7 storage            ops/supabase/storage_init.sh
#   8 functions server   started on FUNCTIONS_PORT, or FUNCTIONS_URL's healthz answers
#   9 readyz             GET /functions/v1/readyz answers 200 with status ok
set -euo pipefail

# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

handle_args 0 "(configured by the environment; see --help)" "$@"

STEP=0
STEP_NAME=""
step() {
  STEP=$((STEP + 1))
  STEP_NAME="$1"
  echo
  echo "==> [$STEP] $*"
}
info() { echo "    $*"; }
fail() {
  echo "deploy_test: FAILED at step $STEP ($STEP_NAME): $*" >&2
  exit 1
}

TMP="$(mktemp -d -t kis-deploy-test.XXXXXX)"
SERVER_PID=""
DRIFT_DB="kis_it_$$_deploy_drift"
DRIFT_CREATED=""
cleanup() {
  local rc=$?
  if [ -n "$DRIFT_CREATED" ]; then
    "$HERE/db.sh" drop-db "$DRIFT_DB" >/dev/null 2>&1 || true
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    if [ "${KEEP_FUNCTIONS:-}" = 1 ] && [ "$rc" -eq 0 ]; then
      echo "    functions server left running (pid $SERVER_PID, log $TMP/functions.log)"
      return
    fi
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------
step "environment"
missing=()
case "${DEPLOY_ENV:-}" in
  local | staging | production) ;;
  "") missing+=("DEPLOY_ENV: local, staging or production (production never pushes migrations automatically)") ;;
  *) missing+=("DEPLOY_ENV: '$DEPLOY_ENV' is not one of local, staging, production") ;;
esac
[ -n "${DATABASE_URL:-}${SUPABASE_DB_URL:-}" ] ||
  missing+=("DATABASE_URL (or SUPABASE_DB_URL): the target database, e.g. $("$HERE/db.sh" url)")
if [ -z "${FUNCTIONS_URL:-}" ]; then
  if [ -z "${FUNCTIONS_PORT:-}" ]; then
    missing+=("FUNCTIONS_PORT (or FUNCTIONS_URL): a free port for the functions server this script starts, or the URL of one already running")
  elif ! [[ "$FUNCTIONS_PORT" =~ ^[0-9]+$ ]] || [ "$FUNCTIONS_PORT" -lt 1 ] || [ "$FUNCTIONS_PORT" -gt 65535 ]; then
    missing+=("FUNCTIONS_PORT: '$FUNCTIONS_PORT' is not a TCP port")
  fi
  [ -n "${JWT_SECRET:-}${SUPABASE_JWT_SECRET:-}" ] ||
    missing+=("JWT_SECRET (or SUPABASE_JWT_SECRET): the functions server verifies tokens and signs local URLs with it")
fi
if [ -n "${SUPABASE_URL:-}" ] && [ -z "$(server_key)" ]; then
  missing+=("SUPABASE_SECRET_KEY (or SUPABASE_SERVICE_ROLE_KEY): SUPABASE_URL is set, and Supabase Storage needs a server key")
fi
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "deploy_test: missing $m" >&2; done
  echo "deploy_test: FAILED at step 1 (environment): ${#missing[@]} setting(s) missing (see ops/supabase/deploy_test.sh --help)" >&2
  exit 2
fi
TARGET="$(target_db_url)"
CLI_TARGET="$(cli_db_url "$TARGET")"
info "DEPLOY_ENV=$DEPLOY_ENV target=$(redact "$TARGET")"
if storage_via_api; then info "storage: Supabase Storage at $SUPABASE_URL"; else info "storage: local ($(storage_dir))"; fi

# ---------------------------------------------------------------------------------------
step "target and migration plan"
SUPABASE="$(supabase_cli)"
for tool in curl python3; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
out="$(psql_value "$TARGET" "select current_setting('server_version')" 2>&1)" ||
  fail "cannot connect to $(redact "$TARGET"): $out"
info "PostgreSQL $out, Supabase CLI $("$SUPABASE" --version)"
mapfile -t REPO < <(repo_migrations)
applied_out="$(applied_migrations "$TARGET")" || fail "cannot read the target's migration history"
mapfile -t APPLIED < <([ -z "$applied_out" ] || echo "$applied_out")
mapfile -t UNKNOWN < <(LC_ALL=C comm -13 <(printf '%s\n' "${REPO[@]}") <(printf '%s\n' "${APPLIED[@]}") | sed '/^$/d')
mapfile -t PENDING < <(LC_ALL=C comm -23 <(printf '%s\n' "${REPO[@]}") <(printf '%s\n' "${APPLIED[@]}") | sed '/^$/d')
info "migrations: ${#REPO[@]} in db/migrations, ${#APPLIED[@]} applied on the target, ${#PENDING[@]} pending"
[ ${#UNKNOWN[@]} -eq 0 ] ||
  fail "the target has applied migrations this checkout does not have: ${UNKNOWN[*]} (update the checkout)"
PUSH=none
if [ ${#PENDING[@]} -gt 0 ]; then
  info "pending: ${PENDING[*]}"
  if [ "${SKIP_DB_PUSH:-}" = 1 ]; then
    PUSH=skip
  elif [ "$DEPLOY_ENV" = production ]; then
    fail "DEPLOY_ENV=production never pushes migrations automatically; ${#PENDING[@]} are pending. Push them deliberately (supabase db push, or the deploy job on main), then run again; SKIP_DB_PUSH=1 checks the target as it is"
  elif [ "${CONFIRM_PUSH:-}" = yes ]; then
    PUSH=yes
  elif [ -t 0 ]; then
    PUSH=ask
  else
    fail "${#PENDING[@]} pending migration(s) and no confirmation: set CONFIRM_PUSH=yes to push them, or SKIP_DB_PUSH=1 to check without pushing"
  fi
fi
info "push plan: $PUSH"

lint() {
  step "supabase db lint${1:+ ($1)}"
  "$SUPABASE" --workdir "$ROOT" db lint --remote="$CLI_TARGET" --level warning --fail-on error ||
    fail "supabase db lint reports errors (above): fix the functions in a new migration"
}

advisors() {
  step "supabase db advisors${1:+ ($1)}"
  "$SUPABASE" --workdir "$ROOT" db advisors --remote="$CLI_TARGET" --type all --level warn --fail-on warn ||
    fail "supabase db advisors report findings at WARN or above (above)"
}

# A fresh database on the local cluster, built from the given migration versions.
reference_db() {
  "$HERE/db.sh" status >/dev/null 2>&1 ||
    fail "the drift check builds a fresh database on the local cluster, which is not running: ops/supabase/db.sh up"
  DRIFT_CREATED=1
  "$HERE/db.sh" create-db "$DRIFT_DB" --bare >"$TMP/create-db.log" 2>&1 ||
    fail "creating the reference database failed: $(tail -n 20 "$TMP/create-db.log")"
  [ $# -gt 0 ] || return 0
  local wd="$TMP/reference" v
  rm -rf "$wd"
  mkdir -p "$wd/supabase/migrations"
  cp "$ROOT/supabase/config.toml" "$wd/supabase/"
  for v in "$@"; do ln -s "$ROOT"/db/migrations/"${v}"_*.sql "$wd/supabase/migrations/"; done
  "$SUPABASE" --workdir "$wd" db push --remote="$(cli_db_url "$("$HERE/db.sh" url "$DRIFT_DB")")" \
    --include-all --yes >"$TMP/push-reference.log" 2>&1 ||
    fail "building the reference database from the migrations failed: $(tail -n 20 "$TMP/push-reference.log")"
}

drift() {
  step "drift check${1:+ ($1)}"
  shift
  reference_db "$@"
  local schemas="${DRIFT_SCHEMAS-}" args=()
  if [ -z "${DRIFT_SCHEMAS+x}" ] && ! is_local_url "$TARGET"; then schemas="estimator,shared"; fi
  [ -z "$schemas" ] || args=(--schema "$schemas")
  info "reference: $DRIFT_DB (${#}/${#REPO[@]} migrations)${schemas:+, schemas $schemas}"
  local ref
  ref="$(cli_db_url "$("$HERE/db.sh" url "$DRIFT_DB")")"
  "$SUPABASE" --workdir "$ROOT" db diff --from "$ref" --to "$CLI_TARGET" "${args[@]}" \
    >"$TMP/drift.sql" 2>"$TMP/drift.log" ||
    fail "supabase db diff failed: $(tail -n 20 "$TMP/drift.log")"
  if grep -q '[^[:space:]]' "$TMP/drift.sql"; then
    echo "---- drift: what the target has that the migrations do not build ----"
    cat "$TMP/drift.sql"
    echo "----"
    fail "the target differs from its migrations (above): capture the change in a migration, or undo it on the target"
  fi
  info "no drift"
}

# ---------------------------------------------------------------------------------------
lint
advisors
drift "${#APPLIED[@]} applied migrations" "${APPLIED[@]}"

step "push migrations"
case "$PUSH" in
  none) info "nothing to push" ;;
  skip) info "SKIP_DB_PUSH=1: ${#PENDING[@]} pending migration(s) not pushed: ${PENDING[*]}" ;;
  ask | yes)
    if [ "$PUSH" = ask ]; then
      read -r -p "Push ${#PENDING[@]} migration(s) (${PENDING[*]}) to $(redact "$TARGET") ($DEPLOY_ENV)? Type yes: " answer ||
        answer=""
      [ "$answer" = yes ] || fail "push declined"
    fi
    "$SUPABASE" --workdir "$ROOT" db push --remote="$CLI_TARGET" --include-all --yes ||
      fail "supabase db push failed (above)"
    applied_out="$(applied_migrations "$TARGET")" || fail "cannot read the target's migration history"
    [ "$applied_out" = "$(printf '%s\n' "${REPO[@]}")" ] ||
      fail "after the push the target's migrations are not exactly db/migrations"
    info "pushed ${#PENDING[@]} migration(s)"
    "$HERE/db.sh" drop-db "$DRIFT_DB" >/dev/null 2>&1 || true
    lint "after the push"
    advisors "after the push"
    drift "after the push" "${REPO[@]}"
    ;;
esac

step "storage"
"$HERE/storage_init.sh" || fail "storage_init.sh failed (above)"

step "functions server"
if [ -n "${FUNCTIONS_URL:-}" ]; then
  BASE="${FUNCTIONS_URL%/}"
  curl -fsS --max-time 10 "$BASE/functions/v1/healthz" >/dev/null ||
    fail "no functions server answers at $BASE/functions/v1/healthz"
  info "using the running server at $BASE"
else
  PY="$ROOT/.venv/bin/python"
  [ -x "$PY" ] || fail "$PY is missing: make install"
  python3 - "$FUNCTIONS_PORT" <<'PY' || fail "port $FUNCTIONS_PORT is in use: choose a free FUNCTIONS_PORT"
import socket, sys
with socket.socket() as s:
    s.bind(("127.0.0.1", int(sys.argv[1])))
PY
  BASE="http://127.0.0.1:$FUNCTIONS_PORT"
  export DATABASE_URL="$TARGET" PUBLIC_URL="${PUBLIC_URL:-$BASE}"
  (cd "$ROOT" && exec "$PY" -m functions serve --host 127.0.0.1 --port "$FUNCTIONS_PORT") \
    >"$TMP/functions.log" 2>&1 </dev/null &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null ||
      fail "the functions server exited: $(tail -n 20 "$TMP/functions.log")"
    curl -fsS --max-time 2 "$BASE/functions/v1/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS --max-time 2 "$BASE/functions/v1/healthz" >/dev/null 2>&1 ||
    fail "the functions server did not answer within 30 s: $(tail -n 20 "$TMP/functions.log")"
  info "started on $BASE (pid $SERVER_PID)"
fi

step "readyz"
code="$(curl -sS --max-time 30 -o "$TMP/readyz.json" -w '%{http_code}' "$BASE/functions/v1/readyz")" ||
  fail "GET $BASE/functions/v1/readyz: no answer"
info "HTTP $code $(cat "$TMP/readyz.json")"
if [ "$code" != 200 ] || ! grep -q '"status": *"ok"' "$TMP/readyz.json"; then
  fail "readyz is not ok: the database or storage is failing (body above)"
fi

echo
echo "deploy_test: all checks passed ($DEPLOY_ENV, $(redact "$TARGET"))"
