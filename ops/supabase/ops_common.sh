#!/usr/bin/env bash
# Helpers shared by every operator script in ops/supabase (tests/ops/test_workflows.py
# checks that each sources this file). Sourced, never run. Nothing here reads .env: the scripts act on what the
# environment says (export it, or `set -a; . ./.env; set +a` first).

# Run directly (e.g. with --help): say what this file is and stop.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/ops/supabase"
PGBIN="${KIS_PGBIN:-/usr/lib/postgresql/15/bin}"
# The CLI should neither phone home nor wait for a prompt.
export SUPABASE_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

SCRIPT="$(basename "$0")"
log() { echo "$SCRIPT: $*" >&2; }

# The calling script's header comment, its --help text.
print_help() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

# Answer --help; otherwise require exactly N arguments (usage: "$0 $USAGE").
#   handle_args N USAGE "$@"
handle_args() {
  local want="$1" usage="$2"
  shift 2
  case "${1:-}" in
    -h | --help | help)
      print_help
      exit 0
      ;;
  esac
  if [ $# -ne "$want" ] || { [ "$want" -gt 0 ] && [ -z "$1" ]; }; then
    log "usage: $0 $usage"
    exit 2
  fi
}
die() {
  log "$*"
  exit 1
}

# A PostgreSQL client tool: from $KIS_PGBIN (default: the PostgreSQL 15 packages), else PATH.
pg_tool() {
  if [ -x "$PGBIN/$1" ]; then
    echo "$PGBIN/$1"
  elif command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
  else
    die "$1 not found (install the PostgreSQL client: ops/supabase/install.sh, or set KIS_PGBIN)"
  fi
}

# The Supabase CLI: $SUPABASE_CLI, the pinned one in node_modules, else `supabase` on PATH.
supabase_cli() {
  if [ -n "${SUPABASE_CLI:-}" ]; then
    echo "$SUPABASE_CLI"
  elif [ -x "$ROOT/node_modules/.bin/supabase" ]; then
    echo "$ROOT/node_modules/.bin/supabase"
  elif command -v supabase >/dev/null 2>&1; then
    command -v supabase
  else
    die "the Supabase CLI is missing: ops/supabase/install.sh (npm ci) or set SUPABASE_CLI"
  fi
}

# The database the scripts act on: DATABASE_URL, else SUPABASE_DB_URL, else the local
# embedded stack (ops/supabase/db.sh url).
target_db_url() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "$DATABASE_URL"
  elif [ -n "${SUPABASE_DB_URL:-}" ]; then
    echo "$SUPABASE_DB_URL"
  else
    "$HERE/db.sh" url
  fi
}

# A URL fit for printing: the password replaced by ***.
redact() { sed -E 's#(://[^:/@]+):[^@/]*@#\1:***@#' <<<"$1"; }

# Is the URL's host this machine (the embedded stack)?
is_local_url() { [[ "$1" =~ ^postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost|\[::1\])[:/] ]]; }

# The URL for the Supabase CLI: a local database has no TLS, so say so (no TLS attempt,
# no warning); a remote one is left as given.
cli_db_url() {
  local url="$1"
  if is_local_url "$url" && [[ "$url" != *sslmode=* ]]; then
    if [[ "$url" == *\?* ]]; then url="$url&sslmode=disable"; else url="$url?sslmode=disable"; fi
  fi
  echo "$url"
}

# psql against a URL: quiet, no psqlrc, stop at the first error.
psql_url() {
  local url="$1"
  shift
  "$(pg_tool psql)" -X -q -v ON_ERROR_STOP=1 -d "$url" "$@"
}

# One value (or unaligned rows) from a query.
psql_value() { psql_url "$1" -A -t -c "$2"; }

# The storage directory of the local blob store, resolved as the functions do
# (functions/_shared/settings.py): STORAGE_DIR, relative to the repository root.
storage_dir() {
  local dir="${STORAGE_DIR:-.local/storage}"
  case "$dir" in
    /*) echo "$dir" ;;
    *) echo "$ROOT/$dir" ;;
  esac
}

# The project's buckets, as the functions name them.
evidence_bucket() { echo "${EVIDENCE_BUCKET:-evidence}"; }
documents_bucket() { echo "${DOCUMENTS_BUCKET:-documents}"; }

# The server-side key: the new secret key (SUPABASE_SECRET_KEY, sb_secret_...) when set,
# else the legacy service_role JWT (SUPABASE_SERVICE_ROLE_KEY).
server_key() { echo "${SUPABASE_SECRET_KEY:-${SUPABASE_SERVICE_ROLE_KEY:-}}"; }

# Sets KEY_ARGS: the curl header arguments that authenticate with the server key. A new
# sb_ key goes in `apikey` only (it is not a JWT: the gateway refuses it as a bearer); a
# legacy JWT key goes in both (as functions/_shared/keys.py does).
key_args() {
  local key
  key="$(server_key)"
  [ -n "$key" ] || die "set SUPABASE_SECRET_KEY (sb_secret_...) or SUPABASE_SERVICE_ROLE_KEY"
  KEY_ARGS=(-H "apikey: $key")
  case "$key" in
    sb_*) ;;
    *) KEY_ARGS+=(-H "Authorization: Bearer $key") ;;
  esac
}

# Storage through the Supabase Storage API (server key), or local (SQL + STORAGE_DIR)?
storage_via_api() { [ -n "${SUPABASE_URL:-}" ] && [ -n "$(server_key)" ]; }

# curl against a Supabase API (storage/v1, auth/v1, ...) with the server key. Prints the
# body, then a last line with the HTTP status; exits non-zero only when no HTTP answer
# came back.
supabase_api() {
  local method="$1" path="$2"
  shift 2
  key_args
  curl -sS --max-time 60 -X "$method" "${KEY_ARGS[@]}" \
    -w '\n%{http_code}' "$@" "${SUPABASE_URL%/}/$path"
}

# The same against the Storage API (path under storage/v1/).
storage_api() {
  local method="$1" path="$2"
  shift 2
  supabase_api "$method" "storage/v1/$path" "$@"
}

# Object names the scripts handle are what the functions write: quote/{id}/{stage}/{sha}.ext.
check_object_name() {
  [[ "$1" =~ ^[A-Za-z0-9._/-]+$ && "$1" != /* && "/$1/" != */../* ]] ||
    die "refusing an object name outside the safe alphabet: $1"
}

# The migration versions in this checkout, oldest first.
repo_migrations() {
  local f
  for f in "$ROOT"/db/migrations/*.sql; do
    f="$(basename "$f")"
    echo "${f%%_*}"
  done | sort
}

# The migration versions a database has applied (none if it never saw `db push`).
applied_migrations() {
  local has
  has="$(psql_value "$1" "select to_regclass('supabase_migrations.schema_migrations') is not null")" ||
    die "cannot read the migration history of $(redact "$1")"
  [ "$has" = t ] || return 0
  psql_value "$1" "select version from supabase_migrations.schema_migrations order by 1"
}

# Fail with the server's own words when the database cannot be reached.
check_reachable() {
  local url="$1" out
  out="$(psql_value "$url" "select 1" 2>&1)" ||
    die "cannot connect to $(redact "$url"): $out"
}

# Check evidence objects against their recorded hashes: ROOT (the evidence bucket's
# directory) and a TSV of "storage_path<TAB>sha256" lines. Names what is missing/altered.
# An object is the file of its name, or, as the local blob store writes it
# (functions/_shared/blobs.py, LocalBlobStore.file_of), one folder per quote:
# quote/{id}/{stage}/{sha}.json is quote/{id}/{stage}~{sha}.json.
verify_evidence() {
  python3 - "$1" "$2" "$SCRIPT" <<'PY'
import hashlib, pathlib, sys
root, listing, who = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
bad, n = [], 0
for line in listing.read_text().splitlines():
    if not line:
        continue
    path, sha = line.split("\t")
    n += 1
    parts = path.split("/")
    files = [root / path]
    if len(parts) > 2:
        files.append(root.joinpath(*parts[:2], "~".join(parts[2:])))
    ok = False
    for file in files:
        try:
            ok = hashlib.sha256(file.read_bytes()).hexdigest() == sha
            break
        except OSError:
            continue
    if not ok:
        bad.append(path)
for path in bad[:20]:
    print(f"{who}: evidence object missing or altered: {path}", file=sys.stderr)
print(f"{who}: {n - len(bad)}/{n} evidence objects verified", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
