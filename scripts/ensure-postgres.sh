#!/usr/bin/env bash
# Make sure PostgreSQL server binaries (initdb, postgres, pg_dump) are on this machine, and,
# when run as root with apt-get, the companions the test suite starts (scripts/debian-packages.txt,
# and pgvector, built by scripts/ensure-pgvector.sh).
# Otherwise says what to do.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
have_server=0
for dir in "${PG_BIN:-}" $(pg_config --bindir 2>/dev/null || true) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
    have_server=1
    break
  fi
done
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  missing=()
  while read -r package; do
    case "$package" in ''|'#'*) continue ;; esac
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done < "$here/debian-packages.txt"
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing ${missing[*]} (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  "$here/ensure-pgvector.sh" || echo "pgvector was not built: the test cases that need it will be skipped." >&2
  exit 0
fi
if [ "$have_server" = 1 ]; then
  exit 0
fi
echo "PostgreSQL server binaries are missing: apt-get install postgresql (Debian/Ubuntu)," >&2
echo "brew install postgresql (macOS), or set PG_BIN to their folder." >&2
exit 1
