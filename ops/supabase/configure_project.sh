#!/usr/bin/env bash
# Configure a hosted Supabase project for the functions, idempotently, then print what an
# operator must still do by hand.
#
#   ops/supabase/configure_project.sh
#
# Steps (each safe to repeat):
#   1. Data API: `supabase config push --remote=$SUPABASE_PROJECT_REF --yes` pushes what
#      supabase/config.toml declares, among it [api] schemas = estimator, shared (the
#      schemas the functions' PostgREST mode and the web client read). Needs
#      SUPABASE_ACCESS_TOKEN and SUPABASE_PROJECT_REF.
#   2. Storage: the private buckets through the Storage API (ops/supabase/storage_init.sh).
#      Needs SUPABASE_URL and SUPABASE_SECRET_KEY (sb_secret_...) or
#      SUPABASE_SERVICE_ROLE_KEY.
#   3. The functions' secrets for FUNCTIONS_TARGET:
#        aws        one Secrets Manager secret FUNCTIONS_SECRET_NAME (default
#                   kis-estimator/functions; what deploy/aws/template.yaml resolves): JSON of
#                   SUPABASE_DB_URL, SUPABASE_SECRET_KEY (or the service_role key) and, when
#                   set, SUPABASE_JWT_SECRET. Created, updated, or left alone when equal.
#                   Uses the aws CLI (AWS_CLI to override) and its usual credentials.
#        container  nothing is written: the variables to put in the host's secret store are
#                   listed (Cloud Run, Fly.io and Render each have their own).
#        none       (default) skipped.
#   4. Prints the steps no API here can do (dashboard settings, DNS, the web client).
#
# Nothing secret is printed or passed on a command line (the secret goes through a 0600
# file). The CLI is $SUPABASE_CLI, else the pinned node_modules/.bin/supabase.
set -euo pipefail

# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

handle_args 0 "(no arguments; see --help)" "$@"

TARGET="${FUNCTIONS_TARGET:-none}"
SECRET_NAME="${FUNCTIONS_SECRET_NAME:-kis-estimator/functions}"
case "$TARGET" in
  aws | container | none) ;;
  *) die "FUNCTIONS_TARGET must be aws, container or none (not '$TARGET')" ;;
esac

missing=()
for name in SUPABASE_ACCESS_TOKEN SUPABASE_PROJECT_REF SUPABASE_URL; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
[ -n "$(server_key)" ] || missing+=("SUPABASE_SECRET_KEY (or SUPABASE_SERVICE_ROLE_KEY)")
if [ "$TARGET" != none ] && [ -z "${SUPABASE_DB_URL:-}" ]; then
  missing+=("SUPABASE_DB_URL (the functions' database: the pooler, port 6543)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do log "missing: $m"; done
  die "set the variables above (see README, Deploy)"
fi
[[ "$SUPABASE_PROJECT_REF" =~ ^[a-z0-9]{20}$ ]] || die "SUPABASE_PROJECT_REF is not a project ref"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# --- 1. Data API schemas (and the rest of config.toml) ---------------------------------------
log "1/4 config push to project $SUPABASE_PROJECT_REF (supabase/config.toml: [api] schemas)"
"$(supabase_cli)" --workdir "$ROOT" config push --remote="$SUPABASE_PROJECT_REF" --yes ||
  die "supabase config push failed"

# --- 2. Storage buckets ----------------------------------------------------------------------
log "2/4 storage buckets"
"$HERE/storage_init.sh" || die "storage_init.sh failed"

# --- 3. The functions' secrets ---------------------------------------------------------------
desired_secret() {
  python3 -c 'import json, os
doc = {"SUPABASE_DB_URL": os.environ["SUPABASE_DB_URL"],
       "SUPABASE_SECRET_KEY": os.environ.get("SUPABASE_SECRET_KEY") or os.environ["SUPABASE_SERVICE_ROLE_KEY"]}
if os.environ.get("SUPABASE_JWT_SECRET"):
    doc["SUPABASE_JWT_SECRET"] = os.environ["SUPABASE_JWT_SECRET"]
print(json.dumps(doc, sort_keys=True))'
}

# Same JSON object? (both files; key order and spacing do not matter)
same_json() {
  python3 -c 'import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)' "$1" "$2" 2>/dev/null
}

aws_secret() {
  local aws="${AWS_CLI:-aws}" err
  command -v "$aws" >/dev/null || die "the aws CLI is needed for FUNCTIONS_TARGET=aws (or set AWS_CLI)"
  (umask 077 && desired_secret >"$TMP/secret.json")
  if "$aws" secretsmanager get-secret-value --secret-id "$SECRET_NAME" \
    --query SecretString --output text >"$TMP/current.json" 2>"$TMP/err"; then
    if same_json "$TMP/secret.json" "$TMP/current.json"; then
      log "secret $SECRET_NAME: unchanged"
      return
    fi
    "$aws" secretsmanager put-secret-value --secret-id "$SECRET_NAME" \
      --secret-string "file://$TMP/secret.json" >/dev/null || die "put-secret-value failed"
    log "secret $SECRET_NAME: updated (redeploy the stack to pick it up)"
  else
    err="$(cat "$TMP/err")"
    [[ "$err" == *ResourceNotFoundException* ]] || die "reading secret $SECRET_NAME: $err"
    "$aws" secretsmanager create-secret --name "$SECRET_NAME" \
      --description "KIS Estimator functions (deploy/aws/template.yaml)" \
      --secret-string "file://$TMP/secret.json" >/dev/null || die "create-secret failed"
    log "secret $SECRET_NAME: created"
  fi
}

log "3/4 functions secrets for target: $TARGET"
case "$TARGET" in
  aws) aws_secret ;;
  container)
    log "put these in the container host's secret store (values from your shell, not printed):"
    log "  SUPABASE_URL, SUPABASE_DB_URL, SUPABASE_SECRET_KEY$([ -n "${SUPABASE_JWT_SECRET:-}" ] && echo ", SUPABASE_JWT_SECRET"), JWKS_URL, JWT_ISSUER, CORS_ORIGINS"
    ;;
  none) log "skipped (FUNCTIONS_TARGET=none)" ;;
esac

# --- 4. What remains manual ------------------------------------------------------------------
base="${SUPABASE_URL%/}"
cat >&2 <<MANUAL
$SCRIPT: 4/4 done. Still to do by hand (dashboard of project $SUPABASE_PROJECT_REF):
  - Authentication > Sign In / Providers: the providers estimators use; URL Configuration:
    Site URL and redirect URLs of the web client.
  - JWT Keys: use asymmetric signing keys (ES256) and set JWKS_URL=$base/auth/v1/.well-known/jwks.json,
    JWT_ISSUER=$base/auth/v1 for the functions; keep SUPABASE_JWT_SECRET only while legacy
    tokens are still in use (UseLegacyJwtSecret=true on AWS).
  - API Keys: a secret key (sb_secret_...) for the functions and a publishable key
    (sb_publishable_...) for the web client; then disable the legacy JWT keys.
  - Roles: ops/supabase/grant_role.sh EMAIL catalog_admin for each catalog admin.
  - Deploy the functions (README, Deploy), point the web client at the functions URL and
    CORS_ORIGINS at the client's origin, then run ops/supabase/deploy_test.sh with
    FUNCTIONS_URL set to the deployed URL.
MANUAL
log "ok"
