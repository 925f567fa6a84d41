"""jinja2's compiled templates kept between runs (imported with jinja2, on the first
change rendered: see render.environment)."""

from __future__ import annotations

import contextlib

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket

from schemactl.cache_home import cache_home


class TemplateCache(FileSystemBytecodeCache):
    """jinja2's compiled templates kept in the user's cache folder: compiling the
    templates is most of what rendering a plan costs, and their source rarely changes
    (jinja2 checks it: an edited template is compiled again). A folder that cannot be
    written only means compiling every time."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError):
            super().load_bytecode(bucket)


def template_cache() -> TemplateCache | None:
    folder = cache_home() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return TemplateCache(str(folder))
