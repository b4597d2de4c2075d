#!/usr/bin/env bash
# Create the project's private storage buckets, or bring them back to their settings.
#
#   ops/supabase/storage_init.sh
#
#   bucket     public  size limit  MIME types
#   evidence   no      10 MiB      application/json, image/svg+xml
#   documents  no      50 MiB      application/json, application/pdf, the xlsx type,
#                                  image/svg+xml, image/vnd.dxf
#
# (names from EVIDENCE_BUCKET / DOCUMENTS_BUCKET, as the functions read them; the size
# limits are supabase/config.toml's.)
#
# Where, chosen by the environment:
#   SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY set
#       -> the Supabase Storage API with the service key: GET /storage/v1/bucket/{id},
#          then POST /storage/v1/bucket (missing) or PUT /storage/v1/bucket/{id} (differs).
#   otherwise
#       -> SQL on storage.buckets in DATABASE_URL (else SUPABASE_DB_URL, else the local
#          stack's database), and the local blob store's directories STORAGE_DIR/<bucket>
#          (STORAGE_DIR relative to the repository root, default .local/storage), mode 0700.
#
# Idempotent: a bucket that already has its settings is left alone (not even its
# updated_at changes), so a second run reports "unchanged" everywhere and changes nothing.
set -euo pipefail

# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

MIB=$((1024 * 1024))
# id|file_size_limit (bytes)|allowed MIME types (comma-separated)
BUCKETS=(
  "$(evidence_bucket)|$((10 * MIB))|application/json,image/svg+xml"
  "$(documents_bucket)|$((50 * MIB))|application/json,application/pdf,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,image/svg+xml,image/vnd.dxf"
)

handle_args 0 "(no arguments; see --help)" "$@"

# The JSON body the Storage API takes for a bucket.
bucket_json() {
  python3 -c 'import json, sys
bid, size, mimes = sys.argv[1:4]
print(json.dumps({"id": bid, "name": bid, "public": False,
                  "file_size_limit": int(size), "allowed_mime_types": mimes.split(",")}))' "$@"
}

# Does the bucket the API returned (JSON on stdin) already have these settings?
bucket_matches() {
  python3 -c 'import json, sys
have = json.load(sys.stdin)
bid, size, mimes = sys.argv[1:4]
same = (have.get("public") is False
        and have.get("file_size_limit") is not None and int(have["file_size_limit"]) == int(size)
        and sorted(have.get("allowed_mime_types") or []) == sorted(mimes.split(",")))
sys.exit(0 if same else 1)' "$@"
}

init_via_api() {
  command -v curl >/dev/null || die "curl is needed for the Storage API"
  log "target: Storage API at ${SUPABASE_URL%/}/storage/v1 (service key)"
  local spec id size mimes out code body
  for spec in "${BUCKETS[@]}"; do
    IFS='|' read -r id size mimes <<<"$spec"
    out="$(storage_api GET "bucket/$id")" || die "GET bucket/$id: no answer from $SUPABASE_URL"
    code="${out##*$'\n'}"
    body="${out%$'\n'*}"
    if [ "$code" = 200 ]; then
      if bucket_matches "$id" "$size" "$mimes" <<<"$body"; then
        log "bucket $id: unchanged"
        continue
      fi
      out="$(storage_api PUT "bucket/$id" -H 'Content-Type: application/json' \
        --data "$(bucket_json "$id" "$size" "$mimes")")" || die "PUT bucket/$id: no answer"
      [ "${out##*$'\n'}" = 200 ] || die "PUT bucket/$id answered ${out##*$'\n'}: ${out%$'\n'*}"
      log "bucket $id: updated (private, $size bytes, $mimes)"
    elif [ "$code" = 404 ] || { [ "$code" = 400 ] && grep -qiE '"statusCode" *: *"?404|not found' <<<"$body"; }; then
      # Storage answers a missing bucket with 404, or with 400 and statusCode "404".
      out="$(storage_api POST bucket -H 'Content-Type: application/json' \
        --data "$(bucket_json "$id" "$size" "$mimes")")" || die "POST bucket: no answer"
      [ "${out##*$'\n'}" = 200 ] || die "POST bucket ($id) answered ${out##*$'\n'}: ${out%$'\n'*}"
      log "bucket $id: created (private, $size bytes, $mimes)"
    else
      die "GET bucket/$id answered $code: $body"
    fi
  done
}

init_via_sql() {
  local url values="" spec id size mimes
  url="$(target_db_url)"
  log "target: storage.buckets in $(redact "$url")"
  check_reachable "$url"
  for spec in "${BUCKETS[@]}"; do
    IFS='|' read -r id size mimes <<<"$spec"
    [[ "$id" =~ ^[a-z0-9_-]+$ ]] || die "bad bucket name: $id"
    values+="${values:+, }('$id', $size::bigint, string_to_array('$mimes', ','))"
  done
  # One statement: insert what is missing, update only what differs, report each bucket.
  local report
  report="$(psql_url "$url" -A -t -F ' ' <<SQL
with desired (id, file_size_limit, allowed_mime_types) as (values $values),
changed as (
  insert into storage.buckets as b (id, name, public, file_size_limit, allowed_mime_types)
  select id, id, false, file_size_limit, allowed_mime_types from desired
  on conflict (id) do update
    set public = excluded.public,
        file_size_limit = excluded.file_size_limit,
        allowed_mime_types = excluded.allowed_mime_types,
        updated_at = now()
    where (b.public, b.file_size_limit, b.allowed_mime_types)
          is distinct from (excluded.public, excluded.file_size_limit, excluded.allowed_mime_types)
  returning b.id, (xmax = 0) as inserted
)
select d.id,
       case when c.id is null then 'unchanged'
            when c.inserted then 'created'
            else 'updated' end
         || ' (private, ' || d.file_size_limit || ' bytes, '
         || array_to_string(d.allowed_mime_types, ', ') || ')'
  from desired d left join changed c using (id)
 order by d.id;
SQL
)" || die "updating storage.buckets in $(redact "$url") failed"
  local bid what
  while read -r bid what; do log "bucket $bid: $what"; done <<<"$report"

  local dir
  dir="$(storage_dir)"
  for spec in "${BUCKETS[@]}"; do
    id="${spec%%|*}"
    if [ -d "$dir/$id" ]; then
      log "directory $dir/$id: exists"
    else
      mkdir -p "$dir/$id"
      log "directory $dir/$id: created"
    fi
    chmod 0700 "$dir" "$dir/$id"
  done
}

if storage_via_api; then
  init_via_api
else
  init_via_sql
fi
log "ok"
