"""Where settings come from: options, environment, ``schemactl.toml``; URL redaction.

This module never connects to anything; it only decides what to connect to and
how to show it safely.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from schemactl.errors import SchemactlError
from schemactl.profiles import Profile

DATABASE_URL_ENV = "DATABASE_URL"
NOW_ENV = "SCHEMACTL_NOW"
DEV_URL_ENV = "SCHEMACTL_DEV_URL"
CONFIG_FILE = "schemactl.toml"

_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?P<tail>@)", re.I
)
_KEYWORD_PASSWORD = re.compile(
    r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|\S+)", re.I
)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<secret>[^&\s]*)", re.I)


def redact(text: str) -> str:
    """Hide passwords in URLs, conninfo keywords and query strings inside ``text``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}***{m['tail']}", text)
    text = _KEYWORD_PASSWORD.sub(lambda m: f"{m['head']}***", text)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['head']}***", text)


def redact_secret(text: str, secret: str | None) -> str:
    """Redact patterns and, in addition, every literal occurrence of ``secret``."""
    text = redact(text)
    if secret:
        text = text.replace(secret, "***")
    return text


def password_of(url: str) -> str | None:
    """The password spelled in a URL or conninfo string, to scrub it from messages."""
    for pattern in (_URL_PASSWORD, _KEYWORD_PASSWORD, _QUERY_PASSWORD):
        match = pattern.search(url)
        if match and match["secret"] not in ("", "***"):
            return match["secret"].strip("'")
    return None


SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "schemactl"})


@dataclass(frozen=True)
class Scope:
    """Which schemas of a database schemactl looks at, and what a platform owns.

    schemactl's own schema is never in scope: its history lives there. A platform
    profile adds its schemas to the excluded ones, and its roles and extensions are
    external: never planned, diffed or dropped.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    profile: Profile | None = None

    @property
    def excluded(self) -> tuple[str, ...]:
        platform = self.profile.schemas if self.profile else ()
        return tuple(dict.fromkeys((*self.exclude, *platform)))

    @property
    def external_roles(self) -> tuple[str, ...]:
        return self.profile.roles if self.profile else ()

    @property
    def external_extensions(self) -> tuple[str, ...]:
        return self.profile.extensions if self.profile else ()

    def in_scope(self, schema: str) -> bool:
        """Whether objects in ``schema`` are schemactl's to manage."""
        if schema in SYSTEM_SCHEMAS or schema.startswith("pg_"):
            return False
        if self.include and schema not in self.include:
            return False
        return schema not in self.excluded

    def is_external(self, schema: str) -> bool:
        """Whether ``schema`` holds objects someone else manages: out of scope, but not
        one of PostgreSQL's own schemas or schemactl's."""
        return not (schema in SYSTEM_SCHEMAS or schema.startswith("pg_") or self.in_scope(schema))

    def query_params(self) -> dict[str, list[str]]:
        return {"include_schemas": list(self.include), "exclude_schemas": list(self.excluded)}


@dataclass(frozen=True)
class ProjectConfig:
    """Settings read from ``schemactl.toml`` in the working directory, if any."""

    require_allow: tuple[str, ...] = ()
    lock_timeout: str = "5s"
    profile: str | None = None  # a platform profile: supabase, neon
    extra: dict[str, object] = field(default_factory=dict)


def load_project_config(directory: Path | None = None) -> ProjectConfig:
    """Read ``schemactl.toml``; a missing file means defaults, a broken one is an error."""
    path = (directory or Path.cwd()) / CONFIG_FILE
    if not path.exists():
        return ProjectConfig()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SchemactlError(f"{path}: {exc}") from None
    section = data.get("schemactl", data)
    return ProjectConfig(
        require_allow=tuple(section.get("require_allow", ())),
        lock_timeout=str(section.get("lock_timeout", "5s")),
        profile=str(section["profile"]) if section.get("profile") else None,
        extra=section,
    )


def resolve_url(option: str | None, env_name: str) -> str | None:
    """An explicit option wins over the environment variable."""
    return option or os.environ.get(env_name) or None


def parse_moment(text: str) -> datetime:
    """An ISO date or date-time (UTC unless it says otherwise)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SchemactlError(
            f"{text!r} is not a date or time (use ISO 8601, e.g. 2027-01-15 or 2027-01-15T08:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clock(option: str | None = None) -> datetime:
    """The moment time-dependent rules plan for: ``--now``, else ``$SCHEMACTL_NOW``, else
    the wall clock. Tests and rehearsals of future upkeep set it."""
    spelled = option or os.environ.get(NOW_ENV)
    return parse_moment(spelled) if spelled else datetime.now(UTC)
