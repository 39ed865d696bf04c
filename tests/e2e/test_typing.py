"""Typed user code against the generated packages passes `mypy --strict`:
the Protocols can be implemented by plain classes (resources included),
and calls, results and errors have the types users expect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TYPED = Path(__file__).resolve().parent / "typed"


def test_typed_host_code_passes_mypy_strict(generated_root: Path) -> None:
    # The checkout's runtime first, as the generated code needs it.
    env = {**os.environ, "MYPYPATH": f"{generated_root}{os.pathsep}{Path(__file__).resolve().parents[2] / 'runtime'}"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", os.devnull,
         *sorted(str(p) for p in TYPED.glob("*.py"))],
        cwd=TYPED, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
