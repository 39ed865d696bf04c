"""Golden packages: what `generate(...)` writes for the project's fixtures,
checked in under `tests/golden/<case>/` so a change to the generator shows
up as a reviewable diff.

    WITGEN_BLESS=1 python -m pytest tests/test_golden.py   # rewrite them

The packages are black's output, and black's style changes with its major
version (datamodel-code-generator skips its expectations the same way): a
black other than the one that blessed them (`golden/black-version`) skips
the comparison, saying so, rather than failing on layout.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from witgen.api import Direction, generate

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
BLESS = os.environ.get("WITGEN_BLESS") == "1"
BLACK_VERSION = GOLDEN / "black-version"


def _black_major() -> str:
    import black

    return str(black.__version__).split(".")[0]


class Case(NamedTuple):
    path: str  # relative to the repository root
    direction: Direction
    world: str | None = None


CASES = {
    "adder": Case("fixtures/adder.wit", "import"),
    "interfaced-adder": Case("fixtures/interfaced-adder.wit", "import"),
    "kv-store": Case("fixtures/kv-store", "import"),
    "cache-export": Case("fixtures/cache.wit", "export"),
    "coverage": Case("tests/guests/coverage/wit", "import"),
    "coverage-export": Case("tests/guests/coverage/wit", "export", world="coverage"),
}


def _generated(case: Case) -> dict[str, str]:
    return generate(ROOT / case.path, case.direction, world=case.world).files


def _on_disk(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _bless(directory: Path, files: dict[str, str]) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    for path, text in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as file:
            file.write(text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    generated = _generated(CASES[name])
    directory = GOLDEN / name
    if BLESS:
        _bless(directory, generated)
        BLACK_VERSION.write_text(f"{_black_major()}\n")
        return
    blessed_with = BLACK_VERSION.read_text().strip() if BLACK_VERSION.is_file() else "?"
    if blessed_with != _black_major():
        pytest.skip(f"golden packages were formatted by black {blessed_with}, this is black {_black_major()}: re-bless")
    if not directory.is_dir():
        pytest.fail(f"no golden package at {directory}; run WITGEN_BLESS=1 python -m pytest tests/test_golden.py")
    expected = _on_disk(directory)
    assert sorted(generated) == sorted(expected), "the package's files changed (WITGEN_BLESS=1 to accept)"
    for path, text in generated.items():
        if text != expected[path]:
            diff = "".join(
                difflib.unified_diff(
                    expected[path].splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"golden/{name}/{path}",
                    f"generated/{name}/{path}",
                )
            )
            pytest.fail(f"{name}/{path} differs from its golden copy (WITGEN_BLESS=1 to accept):\n{diff}")


def test_every_golden_folder_is_a_case() -> None:
    """A case removed from CASES takes its folder with it (when blessing)."""
    stale = sorted(p for p in GOLDEN.iterdir() if p.is_dir() and p.name not in CASES) if GOLDEN.is_dir() else []
    if BLESS:
        for folder in stale:
            shutil.rmtree(folder)
        return
    assert not stale, f"golden folders without a case: {[p.name for p in stale]} (WITGEN_BLESS=1 removes them)"
