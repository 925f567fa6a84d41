"""pglast's modules, imported when a name of theirs is first read.

Importing pglast costs about 30 ms of every run (its enums alone are hundreds of
``Enum`` classes), yet many runs never parse anything: a plan or drift on unchanged
files (their desired state is cached), ``diff`` of two live databases, ``apply`` of a
reviewed plan. Modules therefore write ``from schemactl.source.pglast_modules import
ast`` and use ``ast.CreateStmt`` as before: the first such read imports the real module
(and readies the parser's node classes, :mod:`schemactl.source.pglast_nodes`), after
which every name is an ordinary attribute of the stand-in. Static checking sees the real
modules.

A name read at a module's top level would import pglast with that module; the source
stage reads them inside its functions only.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

__all__ = ["ast", "enums", "keywords", "parser", "pglast", "stream"]


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in for the module it is named after until one of its names is read."""

    def __getattr__(self, name: str) -> Any:
        with _FIRST_USE:  # two threads may read their first name at once
            module = self._imported()
            self.__dict__.update(vars(module))
        return getattr(module, name)

    def _imported(self) -> types.ModuleType:
        module = importlib.import_module(self.__name__)
        from schemactl.source import pglast_nodes

        pglast_nodes.install()
        return module


class _RunAlone(_ImportedOnFirstUse):
    """pglast's keyword lists, which quoting a composed name needs on runs that parse
    nothing: ``pglast/keywords.py`` is data generated from PostgreSQL's ``kwlist.h``,
    importing nothing, so it is run alone, without importing the pglast package."""

    def _imported(self) -> types.ModuleType:
        package = importlib.util.find_spec("pglast")  # found, not imported
        folders = package.submodule_search_locations if package else None
        file = Path(next(iter(folders or ()), "")) / f"{self.__name__.rpartition('.')[2]}.py"
        spec = importlib.util.spec_from_file_location(self.__name__, file)
        if spec is None or spec.loader is None:
            raise ImportError(f"pglast's {file.name} is missing")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


_FIRST_USE = threading.RLock()


if TYPE_CHECKING:
    import pglast
    from pglast import ast, enums, keywords, parser, stream
else:
    pglast = _ImportedOnFirstUse("pglast")
    ast = _ImportedOnFirstUse("pglast.ast")
    enums = _ImportedOnFirstUse("pglast.enums")
    keywords = _RunAlone("pglast.keywords")
    parser = _ImportedOnFirstUse("pglast.parser")
    stream = _ImportedOnFirstUse("pglast.stream")
