#!/usr/bin/env bash
# pgvector for the PostgreSQL servers the test suite runs: the conformance corpus has
# cases with vector columns, and managed platforms (Supabase, Neon, RDS) all offer the
# extension.
#
#   ensure-pgvector.sh               the machine's Debian PostgreSQL (ensure-postgres.sh)
#   ensure-pgvector.sh PG_CONFIG     the server PG_CONFIG belongs to: the version matrix's
#                                    downloaded binaries (scripts/ensure-matrix-servers.py)
#
# Debian 12 packages no pgvector. Its source is taken from Debian's archive instead (the
# upstream tarball of Debian 13's package), checked against the SHA-256 that Debian's
# Sources index publishes, and built with PGXS. For the machine's server that needs
# postgresql-server-dev-<major>: this runs only as root with apt-get, and installing
# the dev package may upgrade the server package to the archive's current minor
# release. The downloaded binaries carry their own PGXS and headers; building for them
# needs make and a C compiler. If anything fails, the caller says so and goes on: the
# vector cases are then skipped, with the reason, as without this script.
set -euo pipefail

VERSION=0.8.0
SHA256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
URL="http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_${VERSION}.orig.tar.gz"
# The newest major version this release builds for: PostgreSQL 18 changed server APIs it
# uses, and the releases that follow them are not in a stable Debian release's index.
NEWEST_MAJOR=17

if [ $# -gt 0 ]; then
  pg_config="$1"
  if [ -f "$("$pg_config" --sharedir)/extension/vector.control" ]; then
    exit 0
  fi
  major="$("$pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
else
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    exit 0
  fi
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV | head -n 1)"
  if [ -z "$pg_bin" ]; then
    exit 0
  fi
  major="$(basename "$(dirname "$pg_bin")")"
  pg_config="$pg_bin/pg_config"
  if [ -f "/usr/share/postgresql/$major/extension/vector.control" ]; then
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "postgresql-server-dev-$major" >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    apt-get install -y -qq "postgresql-server-dev-$major" >/dev/null
  }
fi

if [ "$major" -gt "$NEWEST_MAJOR" ]; then
  echo "pgvector $VERSION does not build for PostgreSQL $major (it supports up to $NEWEST_MAJOR)." >&2
  exit 1
fi
echo "Building pgvector $VERSION for PostgreSQL $major..."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 2 -o "$work/pgvector.tar.gz" "$URL"
echo "$SHA256  $work/pgvector.tar.gz" | sha256sum --check --quiet
tar -xzf "$work/pgvector.tar.gz" -C "$work"
make -C "$work/pgvector-$VERSION" -j "$(nproc)" PG_CONFIG="$pg_config" OPTFLAGS="" >/dev/null
make -C "$work/pgvector-$VERSION" install PG_CONFIG="$pg_config" >/dev/null
