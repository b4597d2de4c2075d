#!/usr/bin/env bash
# ops/supabase/install.sh: installs what the embedded local stack needs, and nothing
# that is already there:
#   * PostgreSQL 15 with plpgsql_check (for `supabase db lint`) and pgTAP + pg_prove
#     (for supabase/tests), from the OS packages (Debian/Ubuntu), only if absent;
#   * Node.js and npm from the OS packages, only if absent;
#   * for the quote documents: the Korean font the PDF embeds (fonts-nanum), poppler's
#     pdftotext/pdftoppm and rsvg-convert (the document tests read and render them), and
#     headless LibreOffice Calc (the tests recalculate the workbook), each only if absent;
#   * Chromium for the web client's browser tests (Playwright drives the OS package; it
#     downloads no browser of its own), only if absent;
#   * the Supabase CLI pinned in package.json/package-lock.json (`npm ci`), only when
#     node_modules does not already match the lock file.
# Idempotent: a second run installs nothing. Needs root (or sudo) only for apt.
set -euo pipefail
# shellcheck source=ops/supabase/ops_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"
case "${1:-}" in
  -h | --help | help)
    print_help
    exit 0
    ;;
esac

PG_MAJOR=15
APT_PACKAGES=(
  "postgresql-$PG_MAJOR"
  "postgresql-client-$PG_MAJOR"
  "postgresql-$PG_MAJOR-plpgsql-check"
  "postgresql-$PG_MAJOR-pgtap"
  libtap-parser-sourcehandler-pgtap-perl
  fonts-nanum
  poppler-utils
  librsvg2-bin
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
      log "need root or sudo to install: $*"
      exit 1
    }
    sudo=(sudo)
  fi
  # The project runs its own cluster (ops/supabase/db.sh); don't let the package create
  # and start a system one on port 5432.
  if ! installed "postgresql-$PG_MAJOR" && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    "${sudo[@]}" mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | "${sudo[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  log "apt-get install $*"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
# Any LibreOffice will do; the smallest package that gives `soffice --headless` is Calc without a GUI.
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
# CHROMIUM names another Chromium or Chrome binary (e.g. on Ubuntu, where the package is a snap).
[ -n "${CHROMIUM:-}" ] || command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || {
    log "missing ${missing[*]} and no apt-get: install them by hand"
    exit 1
  }
  apt_install "${missing[@]}"
fi

# The Supabase CLI, exactly as locked. The stamp records which lock file node_modules
# was installed from, so an unchanged checkout skips `npm ci`.
cd "$ROOT"
stamp="node_modules/.kis-package-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ] || ! node_modules/.bin/supabase --version >/dev/null 2>&1; then
  log "npm ci (Supabase CLI $(node -p 'require("./package.json").devDependencies.supabase'))"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
fi
log "ok: PostgreSQL $PG_MAJOR, plpgsql_check, pgTAP, pg_prove, fonts-nanum, poppler, rsvg, LibreOffice, Chromium, Supabase CLI $(node_modules/.bin/supabase --version)"
