#!/usr/bin/env bash
# Applies ops/supabase/rollback.sql: removes everything the migrations created and the
# CLI's history of them, so the migrations apply again cleanly.
#
#   ops/supabase/rollback.sh                 the local database (127.0.0.1:54322)
#   ops/supabase/rollback.sh --db-url URL    another database (asks for confirmation
#                                            unless --yes is given too)
set -euo pipefail
# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

url=""
yes=0
while [ $# -gt 0 ]; do
  case "$1" in
    --db-url)
      url="${2:?--db-url needs a URL}"
      shift 2
      ;;
    --yes | -y)
      yes=1
      shift
      ;;
    -h | --help)
      print_help
      exit 0
      ;;
    *)
      log "usage: $0 [--db-url URL] [--yes]"
      exit 2
      ;;
  esac
done

if [ -z "$url" ]; then
  url="$("$HERE/db.sh" url)"
elif [ "$yes" -ne 1 ]; then
  if [ ! -t 0 ]; then
    log "refusing to roll back $(redact "$url") without --yes"
    exit 2
  fi
  read -r -p "Remove every KIS Estimator object and all its data from ${url%%@*}@…? [y/N] " answer
  [ "$answer" = y ] || [ "$answer" = Y ] || exit 1
fi

psql_url "$url" -f "$HERE/rollback.sql"
log "done; push the migrations again with ops/supabase/db.sh up"
