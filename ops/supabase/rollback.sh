#!/usr/bin/env bash
# Applies ops/supabase/rollback.sql: removes everything the migrations created and the
# CLI's history of them, so the migrations apply again cleanly.
#
#   ops/supabase/rollback.sh                 the local database (127.0.0.1:54322)
#   ops/supabase/rollback.sh --db-url URL    another database (asks for confirmation
#                                            unless --yes is given too)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
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
      awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    *)
      echo "usage: rollback.sh [--db-url URL] [--yes]" >&2
      exit 2
      ;;
  esac
done

if [ -z "$url" ]; then
  url="$("$HERE/db.sh" url)"
elif [ "$yes" -ne 1 ]; then
  if [ ! -t 0 ]; then
    echo "rollback.sh: refusing to roll back $url without --yes" >&2
    exit 2
  fi
  read -r -p "Remove every KIS Estimator object and all its data from ${url%%@*}@…? [y/N] " answer
  [ "$answer" = y ] || [ "$answer" = Y ] || exit 1
fi

PSQL="psql"
[ -x /usr/lib/postgresql/15/bin/psql ] && PSQL=/usr/lib/postgresql/15/bin/psql
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$HERE/rollback.sql"
echo "rollback.sh: done; push the migrations again with ops/supabase/db.sh up" >&2
