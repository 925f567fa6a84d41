"""The demo: plan and apply the example schema/ to a throwaway PostgreSQL, then plan again.

It starts one embedded server to play the production database and runs the real
``schemactl`` commands against it, exactly as a user would type them. The dev
database schemactl needs is embedded too (no --dev-url), so nothing has to be
set up by hand (the example's roles are declared in schema/ and created by the
apply); both servers are gone when the demo ends.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from rich.console import Console
from rich.rule import Rule

from schemactl.devdb.embedded import EmbeddedServer

console = Console()


def run(args: list[str], env: dict[str, str]) -> int:
    console.print(Rule(f"$ {shlex.join(args)}", style="cyan"))
    return subprocess.run(args, env=env).returncode


def main() -> int:
    with EmbeddedServer() as target:
        env = {**os.environ, "DATABASE_URL": target.url}
        console.print(
            f"[bold]A throwaway PostgreSQL is playing the target database:[/bold] {target.url}"
        )
        schemactl = [sys.executable, "-m", "schemactl"]
        if run([*schemactl, "plan", "--schema", "schema"], env) != 0:
            return 1
        if run([*schemactl, "apply", "--schema", "schema", "--auto-approve"], env) != 0:
            return 1
        code = run([*schemactl, "plan", "--schema", "schema", "--exit-code"], env)
        if code != 0:
            console.print("[red]The second plan is not empty.[/red]")
            return 1
        code = run([*schemactl, "drift", "--schema", "schema"], env)
        if code != 0:
            return 1
        console.print(
            "[bold green]Demo complete: schema/ applied, and a second plan is empty.[/bold green]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
