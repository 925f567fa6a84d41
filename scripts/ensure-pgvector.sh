#!/usr/bin/env bash
# pgvector for the machine's Debian PostgreSQL: the conformance corpus has cases with vector
# columns, and managed platforms (Supabase, Neon, RDS) all offer the extension.
#
# Debian 12 packages no pgvector. Its source is taken from Debian's archive instead (the
# upstream tarball of Debian 13's package), checked against the SHA-256 that Debian's
# Sources index publishes, and built with PGXS against postgresql-server-dev-<major>.
# Runs only as root with apt-get; installing the server's dev package may upgrade the
# server package to the archive's current minor release. If anything fails,
# ensure-postgres.sh says so and goes on: the vector cases are then skipped, with the
# reason, as without this script.
set -euo pipefail

VERSION=0.8.0
SHA256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
URL="http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_${VERSION}.orig.tar.gz"

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  exit 0
fi
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV | head -n 1)"
if [ -z "$pg_bin" ]; then
  exit 0
fi
major="$(basename "$(dirname "$pg_bin")")"
if [ -f "/usr/share/postgresql/$major/extension/vector.control" ]; then
  exit 0
fi

echo "Building pgvector $VERSION for PostgreSQL $major..."
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "postgresql-server-dev-$major" >/dev/null 2>&1 || {
  apt-get update -qq >/dev/null
  apt-get install -y -qq "postgresql-server-dev-$major" >/dev/null
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 2 -o "$work/pgvector.tar.gz" "$URL"
echo "$SHA256  $work/pgvector.tar.gz" | sha256sum --check --quiet
tar -xzf "$work/pgvector.tar.gz" -C "$work"
make -C "$work/pgvector-$VERSION" -j "$(nproc)" PG_CONFIG="$pg_bin/pg_config" OPTFLAGS="" >/dev/null
make -C "$work/pgvector-$VERSION" install PG_CONFIG="$pg_bin/pg_config" >/dev/null
