"""The README's main job: the demo plans and applies schema/ to a throwaway server,
then shows that a second plan is empty. It must keep working as schema/ grows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_applies_the_example_and_ends_with_an_empty_plan() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "No changes: the database matches the schema." in result.stdout
    assert "Demo complete" in result.stdout
