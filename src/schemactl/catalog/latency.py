"""How many queries go to a server per round trip, from the latency a connection showed.

Both connections of a catalog read (:mod:`schemactl.catalog.sqlfiles`,
:mod:`schemactl.catalog.second_connection`) follow the same rule.
"""

from __future__ import annotations

# A round trip this long or longer is a far server's: queries go ahead in groups.
NEAR_SECONDS = 0.002


def read_ahead_depth(latency: float, queries: int) -> int:
    """How many queries to send ahead together on a connection whose round trip took
    ``latency`` seconds. Near (this machine, a pooler beside it): one, so that the
    server answers each while Python reads the one before. Far: a group per round trip,
    larger the farther the server (about a round trip's worth of a local read's
    Python work), so that a read costs a few round trips instead of one per query."""
    if latency < NEAR_SECONDS:
        return 1
    return max(2, min(queries, round(latency / NEAR_SECONDS)))
