#!/usr/bin/env bash
# Give a user a role in app_metadata (which only the server side can write), through the
# Supabase Auth admin API.
#
#   ops/supabase/grant_role.sh EMAIL ROLE
#
#   ROLE   catalog_admin   imports, validates, activates and rolls back catalogs
#          org_admin       organisation admin
#          none            removes the role (an ordinary estimator again)
#
# Needs SUPABASE_URL and a server key: SUPABASE_SECRET_KEY (sb_secret_..., sent as `apikey`
# only) or the legacy SUPABASE_SERVICE_ROLE_KEY. Finds the user with
# GET /auth/v1/admin/users (paged), then PUT /auth/v1/admin/users/{id} with
# {"app_metadata": {"role": ROLE}} (Auth merges app_metadata: other keys stay; null
# removes the key). Idempotent: a user who already has ROLE is left alone.
#
# The role reaches the user's token at the next refresh (or sign-in); tokens issued before
# keep the old claims until they expire.
set -euo pipefail

# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

handle_args 2 "EMAIL ROLE (catalog_admin | org_admin | none; see --help)" "$@"
EMAIL="$1"
ROLE="$2"
case "$ROLE" in
  catalog_admin | org_admin | none) ;;
  *) die "unknown role '$ROLE': catalog_admin, org_admin or none" ;;
esac
[[ "$EMAIL" =~ ^[^@[:space:]]+@[^@[:space:]]+$ ]] || die "not an e-mail address: $EMAIL"
[ -n "${SUPABASE_URL:-}" ] || die "set SUPABASE_URL (https://<project-ref>.supabase.co)"
[ -n "$(server_key)" ] || die "set SUPABASE_SECRET_KEY (sb_secret_...) or SUPABASE_SERVICE_ROLE_KEY"
command -v curl >/dev/null || die "curl is needed for the Auth admin API"

PER_PAGE=200

# From one page of GET /admin/users (JSON on stdin): "<id> <current role or ->" for EMAIL
# (compared case-insensitively, as Auth stores it), or "more" when the page was full.
find_on_page() {
  python3 -c 'import json, sys
email, per_page = sys.argv[1].lower(), int(sys.argv[2])
doc = json.load(sys.stdin)
users = doc.get("users", []) if isinstance(doc, dict) else doc
for u in users:
    if (u.get("email") or "").lower() == email:
        role = (u.get("app_metadata") or {}).get("role") or "-"
        print(u["id"], role)
        sys.exit(0)
print("more" if len(users) >= per_page else "")' "$@"
}

user_id="" current=""
page=1
while :; do
  out="$(supabase_api GET "auth/v1/admin/users?page=$page&per_page=$PER_PAGE")" ||
    die "GET auth/v1/admin/users: no answer from $SUPABASE_URL"
  code="${out##*$'\n'}"
  body="${out%$'\n'*}"
  [ "$code" = 200 ] || die "GET auth/v1/admin/users answered $code: $body"
  found="$(find_on_page "$EMAIL" "$PER_PAGE" <<<"$body")" || die "unreadable answer: $body"
  if [ "$found" = more ]; then
    page=$((page + 1))
    continue
  fi
  [ -n "$found" ] || die "no user with e-mail $EMAIL (invite or sign them up first)"
  read -r user_id current <<<"$found"
  break
done

want="$ROLE"
[ "$ROLE" = none ] && want="-"
if [ "$current" = "$want" ]; then
  log "$EMAIL ($user_id): role ${ROLE} unchanged"
  exit 0
fi

payload="$(python3 -c 'import json, sys
role = None if sys.argv[1] == "none" else sys.argv[1]
print(json.dumps({"app_metadata": {"role": role}}))' "$ROLE")"
out="$(supabase_api PUT "auth/v1/admin/users/$user_id" -H 'Content-Type: application/json' \
  --data "$payload")" || die "PUT auth/v1/admin/users/$user_id: no answer"
code="${out##*$'\n'}"
[ "$code" = 200 ] || die "PUT auth/v1/admin/users/$user_id answered $code: ${out%$'\n'*}"
log "$EMAIL ($user_id): role ${current/#-/none} -> $ROLE"
log "the new role is in the user's token from its next refresh or sign-in"
