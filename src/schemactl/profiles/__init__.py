"""Platform profiles: what a hosting platform owns in every database it runs.

Each platform is one data file beside this module (``supabase.toml``,
``neon.toml``): its schemas, roles and extensions, which schemactl treats as
external (never planned, diffed, dropped or shown as drift), its publications, the default
privileges it hands out on objects the project creates, and which entries of
``poolers.toml`` describe its connection pooler. Adding a platform means adding a file, not code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from schemactl.errors import SchemactlError

OBJECT_TYPES = ("TABLES", "SEQUENCES", "FUNCTIONS", "TYPES", "SCHEMAS")


@dataclass(frozen=True)
class PlatformDefaultPrivileges:
    """``ALTER DEFAULT PRIVILEGES FOR ROLE <for_role> IN SCHEMA <schema> GRANT <grant>
    ON <on> TO <to>``, as the platform runs it for the project's role."""

    for_role: str
    schema: str | None
    on: tuple[str, ...]
    grant: tuple[str, ...]
    to: tuple[str, ...]


@dataclass(frozen=True)
class PlatformSchemaPrivileges:
    """``GRANT <grant> ON SCHEMA <schema> TO <to>``, as the platform runs it."""

    schema: str
    grant: tuple[str, ...]
    to: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """A platform's share of a database (``--profile``): the schemas, roles, extensions and
    publications it owns, which schemactl reads around but never plans."""

    name: str
    description: str = ""
    schemas: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    publications: tuple[str, ...] = ()  # logical replication publications the platform owns
    default_privileges: tuple[PlatformDefaultPrivileges, ...] = ()
    schema_privileges: tuple[PlatformSchemaPrivileges, ...] = ()
    poolers: tuple[str, ...] = ()  # names of entries in poolers.toml: how its pooler looks


def available_profiles() -> list[str]:
    """Names of the profiles shipped with schemactl."""
    folder = resources.files(__name__)
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


@cache
def load_profile(name: str) -> Profile:
    """The profile called ``name``, or an error naming the ones that exist."""
    known = available_profiles()
    if name not in known:
        raise SchemactlError(f"unknown profile {name!r} (known: {', '.join(known)})")
    text = resources.files(__name__).joinpath(f"{name}.toml").read_text()
    try:
        return _profile(name, tomllib.loads(text))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SchemactlError(f"profile {name!r} is malformed: {exc}") from None


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} must be a list of strings")
    return tuple(value)


def _profile(name: str, data: dict[str, Any]) -> Profile:
    entries = []
    for entry in data.get("default_privileges", []):
        on = _strings(entry, "on")
        unknown = set(on) - set(OBJECT_TYPES)
        if unknown:
            raise ValueError(f"default_privileges: unknown object type {sorted(unknown)}")
        entries.append(
            PlatformDefaultPrivileges(
                for_role=str(entry["for_role"]),
                schema=entry.get("schema"),
                on=on,
                grant=_strings(entry, "grant"),
                to=_strings(entry, "to"),
            )
        )
    return Profile(
        name=name,
        description=str(data.get("description", "")),
        schemas=_strings(data, "schemas"),
        roles=_strings(data, "roles"),
        extensions=_strings(data, "extensions"),
        publications=_strings(data, "publications"),
        default_privileges=tuple(entries),
        schema_privileges=tuple(
            PlatformSchemaPrivileges(
                schema=str(entry["schema"]),
                grant=_strings(entry, "grant"),
                to=_strings(entry, "to"),
            )
            for entry in data.get("schema_privileges", [])
        ),
        poolers=_strings(data, "poolers"),
    )
