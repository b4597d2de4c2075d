#!/usr/bin/env bash
# Back up the project's data and evidence objects into a new directory.
#
#   ops/supabase/backup.sh OUT_DIR
#
# Source: DATABASE_URL (else SUPABASE_DB_URL, else the local stack's database); objects
# from the local blob store (STORAGE_DIR, default .local/storage) or, when SUPABASE_URL and
# SUPABASE_SERVICE_ROLE_KEY are set, downloaded from Supabase Storage with the service key.
#
# OUT_DIR (created, mode 0700; it must not exist or be empty) receives:
#   db.dump          pg_dump --format=custom --data-only of every table in `estimator` and
#                    `shared`, plus storage.buckets and storage.objects (bucket settings and
#                    object metadata). The schema is not in it: it is db/migrations.
#   auth_users.jsonl the auth.users rows the quotes reference (one JSON object a line)
#   objects.tar      the objects of the evidence and documents buckets, as <bucket>/<path>
#   backup.json      when, from where (password removed), the migrations applied, counts
#   MANIFEST.sha256  sha256 of each file above (`sha256sum --check` format)
#
# Every evidence object the database references is checked (present, sha256 as recorded)
# before the backup is declared good. The dump comes first and the objects after it, and
# the functions store objects before the rows that name them, so every object the dump
# references is in objects.tar. The backup holds user e-mails and password hashes from
# auth.users: keep it as private as the database.
#
# pg_dump must be at least the server's major version (KIS_PGBIN=/usr/lib/postgresql/17/bin
# for a PostgreSQL 17 project). Restore with ops/supabase/restore.sh OUT_DIR.
set -euo pipefail

# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

handle_args 1 OUT_DIR "$@"
OUT="$1"
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  die "$OUT exists and is not empty: back up into a new directory"
fi
mkdir -p "$OUT"
chmod 0700 "$OUT"
OUT="$(cd "$OUT" && pwd)"
TMP="$(mktemp -d -t kis-backup.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

SRC="$(target_db_url)"
check_reachable "$SRC"
EVIDENCE="$(evidence_bucket)"
DOCUMENTS="$(documents_bucket)"
BUCKETS=("$EVIDENCE" "$DOCUMENTS")
log "source: $(redact "$SRC")"

# 1. The database: data only, in one snapshot.
"$(pg_tool pg_dump)" --format=custom --data-only --no-owner --no-privileges \
  --table='estimator.*' --table='shared.*' --table=storage.buckets --table=storage.objects \
  --file="$OUT/db.dump" "$SRC" || die "pg_dump failed"
log "db.dump: $(stat -c %s "$OUT/db.dump") bytes"

# 2. The users the quotes, memberships and reviews name (they reference auth.users).
psql_value "$SRC" "select to_jsonb(u)::text from auth.users u
  where u.id in (select q.owner from estimator.quotes q
                 union select m.user_id from estimator.memberships m
                 union select r.reviewer from estimator.quote_reviews r) order by u.id" >"$OUT/auth_users.jsonl" ||
  die "exporting auth.users failed"
log "auth_users.jsonl: $(grep -c . "$OUT/auth_users.jsonl" || true) users"

# 3. The objects, then a check of every evidence object the database references.
if storage_via_api; then
  STAGE="$TMP/objects"
  log "objects: Supabase Storage at $SUPABASE_URL"
  mkdir -p "$STAGE"
  list="$(psql_value "$SRC" "select bucket_id || '/' || name from storage.objects
    where bucket_id in ('$EVIDENCE', '$DOCUMENTS') order by 1")" || die "listing storage.objects failed"
  key_args
  n=0
  while IFS= read -r obj; do
    [ -n "$obj" ] || continue
    check_object_name "$obj"
    mkdir -p "$(dirname "$STAGE/$obj")"
    code="$(curl -sS --max-time 120 -o "$STAGE/$obj" -w '%{http_code}' \
      "${KEY_ARGS[@]}" \
      "${SUPABASE_URL%/}/storage/v1/object/$obj")" || die "downloading $obj: no answer"
    [ "$code" = 200 ] || die "downloading $obj answered HTTP $code"
    n=$((n + 1))
  done <<<"$list"
  log "downloaded $n objects"
else
  STAGE="$(storage_dir)"
  log "objects: local blob store $STAGE"
fi
present=()
for b in "${BUCKETS[@]}"; do
  if [ -d "$STAGE/$b" ]; then present+=("$b"); fi
done
# The readiness probe's leftovers (evidence/_probe/) are not data. The archive holds objects
# by name: the local store's files (quote/{id}/{stage}~{sha}.json, one folder per quote)
# are archived as quote/{id}/{stage}/{sha}.json, what Supabase Storage and a restore expect.
if [ ${#present[@]} -gt 0 ]; then
  tar --create --file="$OUT/objects.tar" --directory="$STAGE" --sort=name --numeric-owner \
    --transform='s,~,/,g' --exclude="$EVIDENCE/_probe" "${present[@]}" ||
    die "archiving the objects failed"
else
  tar --create --file="$OUT/objects.tar" --files-from=/dev/null
fi
nobjects="$(tar --list --file="$OUT/objects.tar" | grep -vc '/$' || true)"
log "objects.tar: $nobjects objects"

psql_url "$SRC" -A -t -F $'\t' -c "select storage_path, sha256 from estimator.evidence_blobs" \
  >"$TMP/evidence.tsv" || die "listing estimator.evidence_blobs failed"
verify_evidence "$STAGE/$EVIDENCE" "$TMP/evidence.tsv" || die "the evidence objects are incomplete: not a good backup"

# 4. What this is, and the manifest.
mapfile -t MIGRATIONS < <(applied_migrations "$SRC")
quotes="$(psql_value "$SRC" "select count(*) from estimator.quotes")"
python3 - "$OUT/backup.json" "$(redact "$SRC")" "$quotes" "$nobjects" \
  "$(storage_via_api && echo supabase || echo local)" "$("$(pg_tool pg_dump)" --version)" \
  "${MIGRATIONS[@]}" <<'PY'
import json, sys
from datetime import datetime, timezone
out, source, quotes, objects, storage, pg_dump, *migrations = sys.argv[1:]
doc = {
    "format": 1,
    "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "source": source,
    "storage": storage,
    "migrations": migrations,
    "counts": {"quotes": int(quotes), "objects": int(objects)},
    "pg_dump": pg_dump,
    "files": ["db.dump", "auth_users.jsonl", "objects.tar", "backup.json"],
}
with open(out, "w", encoding="utf-8") as fh:
    json.dump(doc, fh, indent=2, sort_keys=True)
    fh.write("\n")
PY
(cd "$OUT" && sha256sum db.dump auth_users.jsonl objects.tar backup.json >MANIFEST.sha256)
chmod 0600 "$OUT"/*
log "ok: $OUT ($quotes quotes, $nobjects objects, ${#MIGRATIONS[@]} migrations)"
