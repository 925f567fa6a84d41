"""Where settings come from: options, environment, ``schemactl.toml``; URL redaction.

This module never connects to anything; it only decides what to connect to and
how to show it safely.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemactl.errors import SchemactlError
from schemactl.profiles import Profile

DATABASE_URL_ENV = "DATABASE_URL"
NOW_ENV = "SCHEMACTL_NOW"
DEV_URL_ENV = "SCHEMACTL_DEV_URL"
PREFLIGHT_TIMEOUT = "10s"  # statement_timeout of each preflight query, unless told
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
    """Which schemas of a database schemactl looks at, which objects it leaves alone,
    and what a platform owns.

    schemactl's own schema is never in scope: its history lives there. A platform
    profile adds its schemas to the excluded ones, and its roles and extensions are
    external: never planned, diffed or dropped. ``objects`` are glob patterns of
    object names (``--exclude``), see ``catalog.exclusion``.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    profile: Profile | None = None
    objects: tuple[str, ...] = ()

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

    @property
    def external_publications(self) -> tuple[str, ...]:
        return self.profile.publications if self.profile else ()

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


ENV_SELECTION_ENV = "SCHEMACTL_ENV"  # picks an [env.NAME] when --env is not given


@dataclass(frozen=True)
class Environment:
    """A named target of ``schemactl.toml`` (``[env.NAME]``): where its database is and
    how to treat it. The file names environment variables that hold the URLs
    (``url_env``), so it never holds a secret; a literal ``url`` must carry no password.
    Variables are read only when a command needs the URL."""

    name: str
    url: str | None = None
    url_env: str | None = None
    dev_url: str | None = None
    dev_url_env: str | None = None
    include_schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # object name patterns, as --exclude
    profile: str | None = None
    lock_timeout: str | None = None

    def database_url(self) -> str:
        """The target's URL: ``url``, or the variable ``url_env`` names; an error if unset,
        never a fallback to another database."""
        if self.url:
            return self.url
        if self.url_env:
            value = os.environ.get(self.url_env)
            if value:
                return value
            raise SchemactlError(
                f"environment {self.name}: ${self.url_env} is not set "
                f'({CONFIG_FILE} [env.{self.name}] url_env = "{self.url_env}")'
            )
        raise SchemactlError(
            f"environment {self.name} names no database: set url_env in {CONFIG_FILE} "
            f"[env.{self.name}] (or pass --database-url)"
        )

    def dev_database_url(self) -> str | None:
        """The dev server's URL, if the environment names one and it is set."""
        if self.dev_url:
            return self.dev_url
        if self.dev_url_env:
            return os.environ.get(self.dev_url_env) or None
        return None


ENVIRONMENT_KEYS = frozenset(f.name for f in dataclasses.fields(Environment)) - {"name"}


@dataclass(frozen=True)
class ProjectConfig:
    """Settings read from ``schemactl.toml`` in the working directory, if any."""

    require_allow: tuple[str, ...] = ()
    lock_timeout: str = "5s"
    profile: str | None = None  # a platform profile: supabase, neon
    pg_version: int | None = None  # dev server's major version where no target decides it
    extra: dict[str, object] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    # Renames declared for a release: [renamed_from.KIND] "schema.[table.]name" = "old".
    renamed_from: dict[str, dict[str, str]] = field(default_factory=dict)
    path: Path | None = None  # where it was read from; None without a file

    def environment(self, name: str) -> Environment:
        """The ``[env.NAME]`` table, or an error naming the ones there are."""
        if name in self.environments:
            return self.environments[name]
        if self.path is None:
            raise SchemactlError(
                f"no {CONFIG_FILE} here to define environment {name} (schemactl init writes one)"
            )
        known = ", ".join(sorted(self.environments)) or "none"
        raise SchemactlError(f"{self.path}: no environment {name} (defined: {known})")


def load_project_config(directory: Path | None = None) -> ProjectConfig:
    """Read ``schemactl.toml``; a missing file means defaults, a broken one is an error,
    and so is a password written in it."""
    path = (directory or Path.cwd()) / CONFIG_FILE
    if not path.exists():
        return ProjectConfig()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise SchemactlError(f"{path}: {exc}") from None
    _refuse_secrets(path, data)
    section = data.get("schemactl", data)
    return ProjectConfig(
        require_allow=tuple(section.get("require_allow", ())),
        lock_timeout=str(section.get("lock_timeout", "5s")),
        profile=str(section["profile"]) if section.get("profile") else None,
        pg_version=_pg_version(path, section.get("pg_version")),
        extra=section,
        environments=_environments(path, section.get("env", data.get("env", {}))),
        renamed_from=_renamed_from(path, section.get("renamed_from", {})),
        path=path,
    )


def _renamed_from(path: Path, tables: object) -> dict[str, dict[str, str]]:
    entries = tables if isinstance(tables, dict) else None
    if entries is None or not all(
        isinstance(names, dict) and all(isinstance(v, str) for v in names.values())
        for names in entries.values()
    ):
        raise SchemactlError(
            f'{path}: renamed_from reads [renamed_from.KIND] "schema.name" = "old_name"'
        )
    return {
        str(kind): {str(k): str(v) for k, v in names.items()} for kind, names in entries.items()
    }


def _refuse_secrets(path: Path, data: dict[str, Any], where: str = "") -> None:
    """No password may be written in the file: not as a key, not inside a URL."""
    for key, value in data.items():
        place = f"{where}.{key}" if where else key
        if isinstance(value, dict):
            _refuse_secrets(path, value, place)
        elif key.lower() in ("password", "pass", "pwd") or (
            isinstance(value, str) and password_of(value) is not None
        ):
            raise SchemactlError(
                f"{path}: {place} holds a password; keep secrets out of {CONFIG_FILE}: put "
                "the URL in an environment variable and name it with url_env "
                f'(e.g. url_env = "{_suggested_variable(place)}")'
            )


def _suggested_variable(place: str) -> str:
    """``env.prod.url`` -> ``PROD_DATABASE_URL``; a dev URL -> ``SCHEMACTL_DEV_URL``."""
    parts = place.split(".")
    if parts[-1].startswith("dev"):
        return DEV_URL_ENV
    if len(parts) > 2 and parts[0] == "env":
        return f"{parts[1].upper().replace('-', '_')}_{DATABASE_URL_ENV}"
    return DATABASE_URL_ENV


def _environments(path: Path, tables: object) -> dict[str, Environment]:
    if not isinstance(tables, dict):
        raise SchemactlError(f"{path}: env must be a table of [env.NAME] tables")
    environments = {}
    for name, settings in tables.items():
        if not isinstance(settings, dict):
            raise SchemactlError(f"{path}: env.{name} must be a table ([env.{name}])")
        unknown = sorted(set(settings) - ENVIRONMENT_KEYS)
        if unknown:
            raise SchemactlError(
                f"{path}: [env.{name}] has unknown setting {', '.join(unknown)} "
                f"(known: {', '.join(sorted(ENVIRONMENT_KEYS))})"
            )
        for literal, variable in (("url", "url_env"), ("dev_url", "dev_url_env")):
            if literal in settings and variable in settings:
                raise SchemactlError(f"{path}: [env.{name}] sets both {literal} and {variable}")
        environments[name] = Environment(
            name=name,
            url=_text(path, name, settings, "url"),
            url_env=_text(path, name, settings, "url_env"),
            dev_url=_text(path, name, settings, "dev_url"),
            dev_url_env=_text(path, name, settings, "dev_url_env"),
            include_schemas=_names(path, name, settings, "include_schemas"),
            exclude_schemas=_names(path, name, settings, "exclude_schemas"),
            exclude=_names(path, name, settings, "exclude"),
            profile=_text(path, name, settings, "profile"),
            lock_timeout=_text(path, name, settings, "lock_timeout"),
        )
    return environments


def _text(path: Path, env: str, settings: dict[str, Any], key: str) -> str | None:
    value = settings.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SchemactlError(f"{path}: [env.{env}] {key} must be a non-empty string")
    return value


def _names(path: Path, env: str, settings: dict[str, Any], key: str) -> tuple[str, ...]:
    value = settings.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SchemactlError(f"{path}: [env.{env}] {key} must be a list of names")
    return tuple(value)


def _pg_version(path: Path, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise SchemactlError(f"{path}: pg_version must be a major version such as 17, not {value!r}")


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
