"""Calendar periods of a rolling partition rule: their starts, bounds and names.

Partitions a rule makes are named ``<table>_YYYY`` (yearly), ``<table>_YYYY_MM``
(monthly) or ``<table>_YYYY_MM_DD`` (daily, weekly: the Monday), and bounded in
UTC, the way PostgreSQL prints them when the session's TimeZone is UTC (which
introspection sets), so a partition made by a job in production with the same
name and range is recognised as the rule's own.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from schemactl.source.partition_rules import Span

SUFFIX_FORMAT = {"year": "%Y", "month": "%Y_%m", "week": "%Y_%m_%d", "day": "%Y_%m_%d"}
SUFFIX_PATTERN = {
    "year": re.compile(r"_(\d{4})$"),
    "month": re.compile(r"_(\d{4})_(\d{2})$"),
    "week": re.compile(r"_(\d{4})_(\d{2})_(\d{2})$"),
    "day": re.compile(r"_(\d{4})_(\d{2})_(\d{2})$"),
}


def _months(day: date) -> int:
    return day.year * 12 + day.month - 1


def _from_months(months: int) -> date:
    return date(months // 12, months % 12 + 1, 1)


def period_start(moment: date, interval: Span) -> date:
    """The start of the period that holds ``moment``."""
    n = interval.count
    if interval.unit == "day":
        return date.fromordinal(moment.toordinal() - (moment.toordinal() - 1) % n)
    if interval.unit == "week":
        monday = moment - timedelta(days=moment.weekday())
        weeks = (monday.toordinal() - 1) // 7
        return date.fromordinal(monday.toordinal() - 7 * (weeks % n))
    if interval.unit == "month":
        months = _months(moment)
        return _from_months(months - months % n)
    return date(moment.year - moment.year % n, 1, 1)


def shift(start: date, span: Span, times: int = 1) -> date:
    """``start`` moved by ``times`` spans (negative: back)."""
    n = span.count * times
    if span.unit == "day":
        return start + timedelta(days=n)
    if span.unit == "week":
        return start + timedelta(weeks=n)
    if span.unit == "month":
        months = _months(start) + n
        day = min(start.day, 28) if start.day > 28 else start.day
        return _from_months(months).replace(day=day)
    return start.replace(year=start.year + n)


def window(now: datetime, interval: Span, premake: int, retain: Span | None) -> list[date]:
    """The starts of the periods that must exist: from the oldest retained one (or the
    current one, without retention) to the current one plus ``premake``."""
    current = period_start(now.date(), interval)
    first = period_start(shift(now.date(), retain, -1), interval) if retain else current
    starts, start = [], first
    last = shift(current, interval, premake)
    while start <= last:
        starts.append(start)
        start = shift(start, interval)
    return starts


def partition_name(table: str, start: date, interval: Span) -> str:
    return f"{table}_{start.strftime(SUFFIX_FORMAT[interval.unit])}"


def start_of(name: str, table: str, interval: Span) -> date | None:
    """The period start a partition's name stands for, if it is named by the rule."""
    if not name.startswith(table + "_"):
        return None
    match = SUFFIX_PATTERN[interval.unit].search(name)
    if not match or len(name) != len(table) + len(match[0]):
        return None
    parts = [int(p) for p in match.groups()] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def literal(moment: date, column_type: str) -> str:
    """A period boundary as PostgreSQL prints it in a bound (TimeZone UTC)."""
    if column_type == "date":
        return f"'{moment.isoformat()}'"
    if column_type == "timestamp with time zone":
        return f"'{moment.isoformat()} 00:00:00+00'"
    return f"'{moment.isoformat()} 00:00:00'"


def bound(start: date, interval: Span, column_type: str) -> str:
    end = shift(start, interval)
    return f"FOR VALUES FROM ({literal(start, column_type)}) TO ({literal(end, column_type)})"
