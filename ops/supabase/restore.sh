#!/usr/bin/env bash
# Restore a backup made by ops/supabase/backup.sh into an empty, migrated target.
#
#   ops/supabase/restore.sh IN_DIR
#
# Target: DATABASE_URL (else SUPABASE_DB_URL, else the local stack's database); objects
# into the local blob store (STORAGE_DIR, default .local/storage) or, when SUPABASE_URL and
# SUPABASE_SERVICE_ROLE_KEY are set, uploaded to Supabase Storage with the service key.
#
#   1. MANIFEST.sha256 lists every file of the backup and every sha256 matches; nothing
#      is touched otherwise.
#   2. The target has applied every migration the source had (migrate it first:
#      `ops/supabase/db.sh create-db NAME`, `db.sh reset`, or `supabase db push`), and
#      every table in `estimator` and `shared` is empty, except the catalog versions
#      `make up`/`make reset` load: those are replaced by the backup's.
#   3. Storage: ops/supabase/storage_init.sh (the buckets and local directories), then the
#      objects: extracted into STORAGE_DIR, or uploaded (x-upsert) to Supabase Storage.
#      Objects first, rows second, as the functions write them.
#   4. One transaction: the auth.users rows the quotes reference (existing ids are kept),
#      then the data of db.dump (bucket rows excepted: step 3 made them; and, with
#      Supabase Storage, object rows too: the uploads recreated them).
#   5. Every evidence object the restored rows reference is present with its recorded
#      sha256 (local blob store).
#
# Then start the functions against the target (`make up`, or deploy_test.sh) and
# GET /functions/v1/quotes/{id}/evidence?verify=true answers verified: true.
set -euo pipefail

# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

handle_args 1 IN_DIR "$@"
[ -d "$1" ] || die "$1 is not a directory"
IN="$(cd "$1" && pwd)"
TMP="$(mktemp -d -t kis-restore.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
FILES=(db.dump auth_users.jsonl objects.tar backup.json)

# 1. The manifest -----------------------------------------------------------------------
[ -f "$IN/MANIFEST.sha256" ] || die "$IN/MANIFEST.sha256 is missing: not a backup made by backup.sh"
for f in "${FILES[@]}"; do
  grep -Eq "^[0-9a-f]{64}  $f\$" "$IN/MANIFEST.sha256" || die "MANIFEST.sha256 does not list $f"
done
if ! out="$(cd "$IN" && sha256sum --check --strict MANIFEST.sha256 2>&1)"; then
  die "the backup does not match its manifest:
$(grep -v ': OK$' <<<"$out")"
fi
log "manifest: ${#FILES[@]} files verified"
migrations="$(python3 -c 'import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert doc.get("format") == 1, "unknown backup format"
print("\n".join(doc["migrations"]))' "$IN/backup.json")" || die "backup.json is not a backup.sh description"
mapfile -t MIGRATIONS < <(sed '/^$/d' <<<"$migrations")

# 2. The target ---------------------------------------------------------------------------
DST="$(target_db_url)"
check_reachable "$DST"
log "target: $(redact "$DST")"
applied="$(applied_migrations "$DST")" || exit 1
mapfile -t MISSING < <(LC_ALL=C comm -23 <(printf '%s\n' "${MIGRATIONS[@]}" | sort) <(echo "$applied" | sort) |
  sed '/^$/d')
[ ${#MISSING[@]} -eq 0 ] ||
  die "the target lacks migrations the backup was taken at: ${MISSING[*]} (migrate it first)"
if [ "$(printf '%s\n' "${MIGRATIONS[@]}")" != "$applied" ]; then
  log "note: the target has migrations newer than the backup; the data is restored as it was"
fi
# Catalog versions alone do not make a target "used": `make up` and `make reset` load the
# engine's catalog. With no quote and no audit entry they are replaced by the backup's
# (step 4, in the same transaction as the rows).
nonempty="$(psql_value "$DST" "select string_agg(format('%I.%I', table_schema, table_name), ', ')
  from information_schema.tables
 where table_schema in ('estimator', 'shared') and table_type = 'BASE TABLE'
   and (table_schema, table_name) not in (('shared', 'catalog_versions'), ('shared', 'catalog_items'))
   and (xpath('/row/n/text()', query_to_xml(
         format('select count(*) as n from %I.%I', table_schema, table_name), false, true, '')))[1]
       ::text::bigint > 0")" || die "cannot inspect the target's tables"
[ -z "$nonempty" ] ||
  die "the target is not empty ($nonempty): restore into a freshly migrated database (ops/supabase/db.sh create-db NAME, or db.sh reset)"

# 3. Storage ------------------------------------------------------------------------------
EVIDENCE="$(evidence_bucket)"
DOCUMENTS="$(documents_bucket)"
"$HERE/storage_init.sh" || die "storage_init.sh failed"
tar --list --file="$IN/objects.tar" >"$TMP/members" || die "objects.tar is unreadable"
while IFS= read -r m; do
  check_object_name "$m"
  case "$m" in
    "$EVIDENCE"/* | "$DOCUMENTS"/*) ;;
    *) die "objects.tar holds $m, outside the buckets $EVIDENCE and $DOCUMENTS" ;;
  esac
done <"$TMP/members"
nobjects="$(grep -vc '/$' "$TMP/members" || true)"
if storage_via_api; then
  key_args
  mkdir -p "$TMP/objects"
  tar --extract --file="$IN/objects.tar" --directory="$TMP/objects" --no-same-owner
  while IFS= read -r m; do
    case "$m" in
      */) continue ;;
      *.json) ct=application/json ;;
      *.svg) ct=image/svg+xml ;;
      *.pdf) ct=application/pdf ;;
      *.xlsx) ct=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ;;
      *.dxf) ct=image/vnd.dxf ;;
      *) ct=application/octet-stream ;;
    esac
    code="$(curl -sS --max-time 120 -o "$TMP/upload.out" -w '%{http_code}' -X POST \
      "${KEY_ARGS[@]}" \
      -H "x-upsert: true" -H "Content-Type: $ct" --data-binary "@$TMP/objects/$m" \
      "${SUPABASE_URL%/}/storage/v1/object/$m")" || die "uploading $m: no answer"
    [ "$code" = 200 ] || die "uploading $m answered HTTP $code: $(cat "$TMP/upload.out")"
  done <"$TMP/members"
  log "objects: $nobjects uploaded to Supabase Storage"
else
  dir="$(storage_dir)"
  tar --extract --file="$IN/objects.tar" --directory="$dir" --no-same-owner
  log "objects: $nobjects extracted into $dir"
fi

# 4. The rows, in one transaction ----------------------------------------------------------
# Bucket rows come from storage_init.sh; with Supabase Storage the uploads made the
# object rows.
skip='TABLE DATA storage buckets '
storage_via_api && skip="$skip|TABLE DATA storage objects "
"$(pg_tool pg_restore)" --list "$IN/db.dump" | grep -Ev "$skip" >"$TMP/toc" || die "db.dump is unreadable"
"$(pg_tool pg_restore)" --data-only --use-list="$TMP/toc" --file="$TMP/data.sql" "$IN/db.dump" ||
  die "pg_restore could not read db.dump"
cp "$IN/auth_users.jsonl" "$TMP/auth_users.jsonl"
cat >"$TMP/restore.sql" <<SQL
\\set ON_ERROR_STOP 1
begin;
-- quotes may come before the memberships that admit their owners: checked at commit
set constraints all deferred;
create temp table kis_restore_users (doc jsonb) on commit drop;
\\copy kis_restore_users (doc) from '$TMP/auth_users.jsonl' with (format csv, quote e'\\x01', delimiter e'\\x02')
-- The columns both the backup and auth.users have (and that take a value).
do \$\$
declare
  cols text;
  vals text;
begin
  select string_agg(quote_ident(a.attname), ', ' order by a.attnum),
         string_agg('r.' || quote_ident(a.attname), ', ' order by a.attnum)
    into cols, vals
    from pg_attribute a
   where a.attrelid = 'auth.users'::regclass and a.attnum > 0 and not a.attisdropped
     and a.attgenerated = '' and a.attidentity <> 'a'
     and a.attname in (select jsonb_object_keys(doc) from pg_temp.kis_restore_users);
  if cols is not null then
    execute format('insert into auth.users (%s) select %s from pg_temp.kis_restore_users d, '
                   'jsonb_populate_record(null::auth.users, d.doc) r on conflict (id) do nothing',
                   cols, vals);
  end if;
end
\$\$;
-- the catalog versions the target was started with (no quote refers to them)
delete from shared.catalog_versions;
\\i $TMP/data.sql
commit;
SQL
psql_url "$DST" -f "$TMP/restore.sql" >"$TMP/restore.log" 2>&1 ||
  die "restoring the rows failed (no row was written):
$(grep -v '^\(SET\|set_config\)' "$TMP/restore.log" | tail -n 20)"
quotes="$(psql_value "$DST" "select count(*) from estimator.quotes")"
users="$(grep -c . "$IN/auth_users.jsonl" || true)"
log "rows: $quotes quotes, $users users"

# 5. Every evidence object the rows reference ---------------------------------------------
if storage_via_api; then
  log "evidence objects are in Supabase Storage: check them with GET /functions/v1/quotes/{id}/evidence?verify=true"
else
  psql_url "$DST" -A -t -F $'\t' -c "select storage_path, sha256 from estimator.evidence_blobs" \
    >"$TMP/evidence.tsv" || die "listing estimator.evidence_blobs failed"
  verify_evidence "$(storage_dir)/$EVIDENCE" "$TMP/evidence.tsv" || die "evidence objects are missing or altered after the restore"
fi
log "ok: restored $IN into $(redact "$DST")"
