"""Compiled SQL templates are kept between runs, and a cache that cannot be used never
changes what is rendered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemactl.diff.changes import Change
from schemactl.plan import render as rendering


class _Schema:
    ident = "archive"


DROP = Change(kind="schema", name="archive", action="drop", operation="schema.drop",
              params={"schema": _Schema()})  # fmt: skip


@pytest.fixture
def fresh_environment() -> Iterator[None]:
    rendering.environment.cache_clear()
    yield
    rendering.environment.cache_clear()


def test_templates_compiled_once_are_kept_in_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = rendering.render(DROP)
    rendering.environment.cache_clear()

    assert list((tmp_path / "schemactl" / "templates").iterdir())
    assert rendering.render(DROP) == first


def test_a_cache_folder_that_cannot_be_written_only_means_compiling_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))

    assert "DROP SCHEMA" in rendering.render(DROP)


def test_a_damaged_compiled_template_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_environment: None
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = rendering.render(DROP)
    rendering.environment.cache_clear()
    for kept in (tmp_path / "schemactl" / "templates").iterdir():
        kept.write_bytes(b"damaged")

    assert rendering.render(DROP) == first
