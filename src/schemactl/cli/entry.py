"""The console entry point: run the application, map every outcome to an exit code."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import sys
from typing import NoReturn

from schemactl import metrics
from schemactl.cli.app import command_line
from schemactl.cli.options import EXIT_ERROR, EXIT_OK
from schemactl.config import redact
from schemactl.errors import SchemactlError


def _print_error(message: str) -> None:
    """Errors are plain text on stderr, never wrapped, secrets redacted."""
    sys.stderr.write(f"error: {redact(message)}\n")
    sys.stderr.flush()


def _exception_classes(name: str) -> tuple[type[BaseException], ...]:
    """The exception class ``name`` wherever typer's click lives: typer may vendor
    its own copy (and then click itself may not be installed at all)."""
    found: list[type[BaseException]] = []
    for module in ("typer", "typer._click.exceptions", "click.exceptions"):
        with contextlib.suppress(ImportError):
            cls = getattr(importlib.import_module(module), name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(cls)
    return tuple(dict.fromkeys(found))


def _is_database_error(exc: BaseException) -> bool:
    """A psycopg error, without importing psycopg: a command that never loaded it
    (``--help``, ``version``, ``init``) cannot have raised one."""
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.Error)


_EXIT_SIGNALS = _exception_classes("Exit")
_ABORTS = _exception_classes("Abort")
_USAGE_ERRORS = _exception_classes("ClickException")


def main() -> None:
    """Console entry point: map every outcome onto the exit-code contract."""
    metrics.restart()  # the command's own time, after the imports
    try:
        code = command_line(sys.argv[1:])(standalone_mode=False)
    except _EXIT_SIGNALS as exc:
        code = getattr(exc, "exit_code", EXIT_ERROR)
    except _ABORTS:
        _print_error("aborted")
        code = EXIT_ERROR
    except _USAGE_ERRORS as exc:
        _print_error(str(getattr(exc, "format_message", exc.__str__)()))
        code = EXIT_ERROR
    except SchemactlError as exc:
        _print_error(str(exc))
        code = EXIT_ERROR
    except KeyboardInterrupt:
        _print_error("interrupted")
        code = EXIT_ERROR
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        _print_error(" ".join(str(exc).split()))
        code = EXIT_ERROR
    metrics.write_report()
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def run() -> NoReturn:
    """The console program: :func:`main`, then leave at once.

    Once a command is done, tearing the interpreter down (freeing a catalog of tens of
    thousands of objects one by one, finalizing every module) took a tenth to a quarter
    of a second of a warm plan, with nothing left to do. The exit handlers still run
    (an embedded server still stops) and the output is flushed first; only the freeing
    is skipped. In-process callers (the tests) use :func:`main`."""
    try:
        main()
        code: object = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        _print_error(code)
    status = code if isinstance(code, int) else EXIT_OK if code is None else EXIT_ERROR
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to flush to
            stream.flush()
    os._exit(status)
