#!/usr/bin/env bash
# Make sure PostgreSQL server binaries (initdb, postgres, pg_dump) are on this machine.
# Installs Debian's packages when running as root with apt-get; otherwise says what to do.
set -euo pipefail
for dir in "${PG_BIN:-}" $(pg_config --bindir 2>/dev/null || true) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ]; then
    exit 0
  fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing PostgreSQL server binaries (apt-get install postgresql)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql-15 >/dev/null 2>&1 || apt-get install -y -qq postgresql >/dev/null
  exit 0
fi
echo "PostgreSQL server binaries are missing: apt-get install postgresql (Debian/Ubuntu)," >&2
echo "brew install postgresql (macOS), or set PG_BIN to their folder." >&2
exit 1
