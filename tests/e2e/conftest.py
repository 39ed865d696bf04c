"""Generates every package these tests use once per session, into a temporary
folder on ``sys.path``, and the fixtures that instantiate guests through them.

Each package is what ``witgen.generate`` returns, written as-is: the
tests exercise exactly what users get (including its copy of the runtime).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, Iterator

import pytest

from guests.plugin import engine, guest, wasi_linker, wasi_store  # noqa: F401
from witgen.api import generate

REPO = Path(__file__).resolve().parent.parent.parent
FIXTURES = REPO / "fixtures"
GUESTS = REPO / "tests" / "guests"

# Package name -> the arguments of `generate` that make it.
PACKAGES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "e2e_adder": ((FIXTURES / "adder.wit",), {}),
    "e2e_interfaced_adder": ((FIXTURES / "interfaced-adder.wit",), {}),
    "e2e_kv_store": ((FIXTURES / "kv-store",), {}),
    # The host side of the legacy 2022 file, as `witgen export` makes it.
    "e2e_cache": ((FIXTURES / "cache.wit", "export"), {"legacy_package": "wasi-mindmap:cache"}),
    "e2e_cache_user": ((GUESTS / "cache" / "cache.wit",), {}),
    "e2e_coverage": ((GUESTS / "coverage" / "wit",), {}),
    # The same WIT again: another package's classes of the same names.
    "e2e_coverage_b": ((GUESTS / "coverage" / "wit",), {}),
}


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def generated_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder holding the generated packages, on ``sys.path``."""
    root = tmp_path_factory.mktemp("generated")
    for name, (args, kwargs) in PACKAGES.items():
        write_package(root, name, generate(*args, **kwargs).files)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    yield root
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m.split(".")[0] in PACKAGES]:
        del sys.modules[name]


@pytest.fixture(scope="session")
def bindings(generated_root: Path) -> SimpleNamespace:
    """``bindings.<package without e2e_>``: the imported generated packages."""
    modules: dict[str, ModuleType] = {}
    for name in PACKAGES:
        modules[name.removeprefix("e2e_")] = importlib.import_module(name)
    return SimpleNamespace(**modules)


def generate_and_import(root: Path, name: str, *args: Any, **kwargs: Any) -> ModuleType:
    """Generate a package for one test (from WIT written by the test)."""
    write_package(root, name, generate(*args, **kwargs).files)
    importlib.invalidate_caches()
    return importlib.import_module(name)
