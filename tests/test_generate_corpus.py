"""Every world we can find generates bindings that import and pass
`mypy --strict`: wit-bindgen's codegen corpus (each world imported, and
each package's interfaces exported; adding a file there adds cases), WASI
0.2.12's `wasi:cli/command` and `wasi:http/proxy`, with and without
`--implement-wasi`, WASI 0.3.0's worlds, and the project's fixtures.

The packages are generated once per session and mypy runs once over all
of them (≈ 25 s cold, ≈ 1 s from its cache); each case then asserts on
its own share of the result.
`KNOWN_FAILURES` lists the cases that cannot pass yet, with why; a case
listed there that passes fails, so the list cannot go stale.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from witgen.diagnostics import WitError
from witgen.api import Direction, generate_from_resolve, plan
from witgen.loader import Loaded, load, load_many

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
CODEGEN = CORPUS / "wit-bindgen-codegen"
WASI = CORPUS / "wasi-0.2.12"
# 0.3's async functions are left out (wasmtime-py cannot call them), the
# rest generates.
WASI_03 = CORPUS / "wasi-0.3.0"

# mypy validates its cache by content hash, so one cache serves every run's
# fresh folder: a rerun checks only what changed (≈ 1 s instead of ≈ 25 s).
MYPY_CACHE = ROOT / ".cache" / "mypy-generated"

# case -> why it cannot generate, import or type-check yet.
KNOWN_FAILURES: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    id: str
    generate: Callable[[], dict[str, str]]


@functools.lru_cache(maxsize=None)
def _load(path: Path) -> Loaded:
    return load(path, all_features=True)


@functools.lru_cache(maxsize=None)
def _load_wasi(release: Path = WASI) -> Loaded:
    return load_many(sorted(p for p in release.iterdir() if p.is_dir()))


def _generator(
    loader: Callable[[], Loaded],
    source: str,
    direction: Direction,
    world: str | None = None,
    implement_wasi: bool = False,
) -> Callable[[], dict[str, str]]:
    def run() -> dict[str, str]:
        loaded = loader()
        built = plan(
            loaded.resolve, loaded.main, direction, source=source, world=world, implement_wasi=implement_wasi
        )
        return generate_from_resolve(loaded.resolve, built).files

    return run


def _codegen_cases() -> list[Case]:
    cases = []
    for entry in sorted(CODEGEN.iterdir()):
        if entry.is_dir():
            path = entry / "wit" if (entry / "wit").is_dir() else entry
        elif entry.suffix == ".wit":
            path = entry
        else:
            continue
        try:
            loaded = _load(path)
        except WitError as error:
            message = error.diagnostics[0].message

            def fail(message: str = message) -> dict[str, str]:
                raise AssertionError(f"does not resolve: {message}")

            cases.append(Case(f"codegen/{entry.name}", fail))
            continue
        loader = functools.partial(_load, path)
        for package in loaded.main:
            name = loaded.resolve.packages[package].name
            for world in loaded.resolve.packages[package].worlds:
                qualified = f"{name}/{world}"
                cases.append(Case(f"codegen/{entry.name}/{qualified}", _generator(loader, entry.name, "import", qualified)))
        # `witgen export` of the package's own interfaces, where it has any.
        if loaded.resolve.packages[loaded.main[0]].interfaces:
            cases.append(Case(f"codegen/{entry.name} export", _generator(loader, entry.name, "export")))
    return cases


def _wasi_cases() -> list[Case]:
    return [
        Case(f"wasi-0.2.12/{world}{suffix}", _generator(_load_wasi, "wasi", "import", world, implement))
        for world in ("wasi:cli/command", "wasi:http/proxy")
        for suffix, implement in (("", False), (" --implement-wasi", True))
    ] + [
        Case(f"wasi-0.3.0/{world}", _generator(functools.partial(_load_wasi, WASI_03), "wasi", "import", world))
        for world in ("wasi:cli/command", "wasi:http/service", "wasi:http/middleware")
        if WASI_03.is_dir()
    ]


def _fixture_cases() -> list[Case]:
    def at(relative: str) -> Callable[[], Loaded]:
        return functools.partial(_load, ROOT / relative)

    return [
        Case("fixtures/adder.wit", _generator(at("fixtures/adder.wit"), "adder.wit", "import")),
        Case("fixtures/interfaced-adder.wit", _generator(at("fixtures/interfaced-adder.wit"), "interfaced-adder.wit", "import")),
        Case("fixtures/kv-store", _generator(at("fixtures/kv-store"), "kv-store", "import")),
        Case("fixtures/cache.wit export", _generator(at("fixtures/cache.wit"), "cache.wit", "export")),
        Case("guests/coverage", _generator(at("tests/guests/coverage/wit"), "wit", "import")),
        Case("guests/coverage export", _generator(at("tests/guests/coverage/wit"), "wit", "export", "coverage")),
    ]


CASES = {case.id: case for case in [*_fixture_cases(), *(_codegen_cases() + _wasi_cases() if CORPUS.is_dir() else [])]}


def _package_name(index: int, case_id: str) -> str:
    return f"case{index:03d}_" + re.sub(r"\W+", "_", case_id).strip("_")[:40]


IMPORT_ALL = """
import importlib, json, sys, traceback
failures = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        failures[name] = traceback.format_exc(limit=-3)
json.dump(failures, sys.stdout)
"""


def _generate_case(case_id: str) -> dict[str, str] | str:
    """The case's files, or why there are none (a string pickles where an
    arbitrary exception may not)."""
    try:
        return CASES[case_id].generate()
    except Exception as error:  # noqa: BLE001 - reported per case
        return f"generation failed: {type(error).__name__}: {error}"


def _generate_all() -> dict[str, dict[str, str] | str]:
    """Black dominates generation: share it among the CPUs (forked workers
    inherit CASES, whose generators are closures)."""
    workers = min(4, os.cpu_count() or 1)
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers < 2 or not forkable:
        return {case: _generate_case(case) for case in CASES}
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return dict(zip(CASES, pool.map(_generate_case, CASES, chunksize=4)))


@pytest.fixture(scope="session")
def problems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Case -> what went wrong with it (nothing, for a case that passes)."""
    out = tmp_path_factory.mktemp("generated")
    found: dict[str, list[str]] = {case: [] for case in CASES}
    packages: dict[str, str] = {}
    for index, (case, files) in enumerate(_generate_all().items()):
        if isinstance(files, str):
            found[case].append(files)
            continue
        package = _package_name(index, case)
        packages[package] = case
        for path, text in files.items():
            (out / package / path).parent.mkdir(parents=True, exist_ok=True)
            (out / package / path).write_text(text, encoding="utf-8")
    if not packages:
        return found

    imported = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, *packages], cwd=out, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stderr
    for package, error in json.loads(imported.stdout).items():
        found[packages[package]].append(f"import failed:\n{error}")

    checked = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--hide-error-context",
            "--cache-dir", str(MYPY_CACHE), *packages,
        ],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert checked.returncode in (0, 1), f"mypy crashed:\n{checked.stdout}\n{checked.stderr}"
    unattributed = []
    for line in checked.stdout.splitlines():
        package = line.split("/", 1)[0].split(":", 1)[0]
        if package in packages:
            found[packages[package]].append(f"mypy: {line}")
        else:
            unattributed.append(line)
    assert not unattributed, "mypy said, of no generated package:\n" + "\n".join(unattributed)
    return found


def test_the_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}: only the fixtures were generated")
    assert any(case.startswith("codegen/") for case in CASES)
    assert any(case.startswith("wasi-0.2.12/") for case in CASES)


def test_known_failures_are_cases() -> None:
    stale = sorted(set(KNOWN_FAILURES) - set(CASES))
    assert not stale or not CORPUS.is_dir(), f"KNOWN_FAILURES lists cases that do not exist: {stale}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_bindings_import_and_pass_mypy_strict(case: str, problems: dict[str, list[str]]) -> None:
    found = problems[case]
    if case in KNOWN_FAILURES:
        if not found:
            pytest.fail(f"{case} passes now: remove it from KNOWN_FAILURES ({KNOWN_FAILURES[case]})")
        pytest.xfail(KNOWN_FAILURES[case])
    assert not found, "\n".join(found)
