"""Corpus tests: witgen resolves WIT as wasm-tools' wit-parser does.

Cases are discovered from `../shared/corpus` (adding a file adds a case):

- `wit-parser-ui`: every valid case resolves (feature `active` on, as that
  suite runs) to the same JSON as wit-parser's `*.wit.json`, compared with
  `../shared/tools/witjson.py`, which ignores arena order;
- `wit-parser-ui/parse-fail`: every case is rejected with a `WitError`, at
  the line of the `.wit.result` for at least 90% of them;
- the WASI releases resolve, each folder a package with its siblings as
  dependencies, fast enough;
- broken variants of the corpus files (a line dropped, a word swapped) are
  accepted or rejected with a `WitError`, never another exception;
- every file of wit-bindgen's codegen corpus resolves. Its `//@ async` and
  `//@ error-context` header directives configure the bindings generators,
  not the WIT, so they do not matter here.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from witgen.diagnostics import WitError
from witgen.loader import load, load_many, load_text
from witgen.witjson import to_json

SHARED = Path(__file__).parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
UI = CORPUS / "wit-parser-ui"
PARSE_FAIL = UI / "parse-fail"
CODEGEN = CORPUS / "wit-bindgen-codegen"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")

# Their dependencies are WIT packages encoded as WebAssembly binaries.
BINARY_DEPS = {"kinds-of-deps", "simple-wasm-text"}


def _case_path(folder: Path, stem: str) -> Path:
    return folder / stem if (folder / stem).is_dir() else folder / f"{stem}.wit"


def _valid_cases() -> list[str]:
    if not UI.is_dir():
        return []
    return sorted(p.name[: -len(".wit.json")] for p in UI.glob("*.wit.json"))


def _fail_cases() -> list[str]:
    if not PARSE_FAIL.is_dir():
        return []
    stems = (p.name[: -len(".wit.result")] for p in PARSE_FAIL.glob("*.wit.result"))
    # Some `.result` files upstream have outlived their input.
    return sorted(s for s in stems if _case_path(PARSE_FAIL, s).exists())


@functools.cache
def _comparator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("witjson_tool", SHARED / "tools" / "witjson.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("stem", _valid_cases())
def test_valid_case_matches_wit_parser(stem: str) -> None:
    if stem in BINARY_DEPS:
        pytest.skip("dependencies are component binaries (out of scope)")
    tool = _comparator()
    loaded = load(_case_path(UI, stem), features=frozenset({"active"}))
    expected = tool.Canon(json.loads((UI / f"{stem}.wit.json").read_text())).canon()
    actual = tool.Canon(json.loads(json.dumps(to_json(loaded.resolve)))).canon()
    problems = tool.diff(expected, actual)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("stem", _valid_cases())
def test_valid_case_has_wit_parsers_arena_order(stem: str) -> None:
    """Stricter than the comparison above: the same ids, in the same order.

    witgen allocates types, interfaces and worlds as wit-parser does, so ids
    (and `interface-N` keys) line up with wit-parser's own output."""
    if stem in BINARY_DEPS:
        pytest.skip("dependencies are component binaries (out of scope)")
    loaded = load(_case_path(UI, stem), features=frozenset({"active"}))
    expected = json.loads((UI / f"{stem}.wit.json").read_text())
    assert json.loads(json.dumps(to_json(loaded.resolve))) == expected


@pytest.mark.parametrize("stem", _fail_cases())
def test_parse_fail_case_is_rejected(stem: str) -> None:
    with pytest.raises(WitError) as error:
        load(_case_path(PARSE_FAIL, stem), features=frozenset({"active"}))
    assert error.value.diagnostics


_LOCATION = re.compile(r"(?:--> )?(\S+?\.wit):(\d+):(\d+)")


def _expected_location(result: str) -> tuple[str, int] | None:
    """File name and line of wit-parser's rendered error, if it has one."""
    match = _LOCATION.search(result)
    if match is None or "defined in two different locations" in result:
        return None
    return Path(match.group(1)).name, int(match.group(2))


def _reported_location(stem: str) -> tuple[str, int] | None:
    try:
        load(_case_path(PARSE_FAIL, stem), features=frozenset({"active"}))
    except WitError as error:
        span = error.diagnostics[0].span
        return None if span is None else (Path(span.path).name, span.line)
    raise AssertionError(f"{stem} was accepted")


def test_parse_fail_lines_match_wit_parser() -> None:
    cases = _fail_cases()
    if not cases:
        pytest.skip("no parse-fail cases")
    mismatches = []
    for stem in cases:
        expected = _expected_location((PARSE_FAIL / f"{stem}.wit.result").read_text())
        reported = _reported_location(stem)
        if expected != reported:
            mismatches.append(f"{stem}: expected {expected}, reported {reported}")
    ratio = 1 - len(mismatches) / len(cases)
    assert ratio >= 0.9, f"{len(mismatches)}/{len(cases)} lines differ:\n" + "\n".join(mismatches)


WASI = sorted(p.name for p in CORPUS.glob("wasi-*") if p.is_dir()) if CORPUS.is_dir() else []


def _wasi_folders(release: str) -> list[Path]:
    return sorted(p for p in (CORPUS / release).iterdir() if p.is_dir())


@pytest.mark.parametrize("release", WASI)
def test_wasi_release_resolves(release: str) -> None:
    folders = _wasi_folders(release)
    loaded = load_many(folders)
    names = {loaded.resolve.packages[id].name.name for id in loaded.main}
    assert names == {folder.name for folder in folders}
    assert not loaded.warnings


def test_wasi_0_2_resolves_fast() -> None:
    release = CORPUS / "wasi-0.2.12"
    if not release.is_dir():
        pytest.skip("no WASI 0.2.12 in the corpus")
    folders = _wasi_folders("wasi-0.2.12")
    load_many(folders)  # builds the parser once
    best = min(_timed(lambda: load_many(folders)) for _ in range(3))
    assert best < 0.25, f"WASI 0.2.12 took {best:.3f}s to parse and resolve"


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _codegen_cases() -> list[str]:
    if not CODEGEN.is_dir():
        return []
    return sorted(p.name for p in CODEGEN.iterdir() if p.is_dir() or p.suffix == ".wit")


@pytest.mark.parametrize("name", _codegen_cases())
def test_codegen_input_resolves(name: str) -> None:
    path = CODEGEN / name
    # wit-bindgen's directory cases keep their package in `wit/`.
    if (path / "wit").is_dir():
        path = path / "wit"
    loaded = load(path)
    assert loaded.main
    assert loaded.resolve.packages[loaded.main[0]].worlds or loaded.resolve.packages[loaded.main[0]].interfaces


def _single_file_cases() -> list[str]:
    if not UI.is_dir():
        return []
    return sorted(p.name for p in [*UI.glob("*.wit"), *PARSE_FAIL.glob("*.wit")] if p.is_file())


_SWAPS = [
    ("borrow", "own"),
    ("own<", "borrow<"),
    ("u32", "r"),
    ("interface", "world"),
    ("import", "export"),
    ("active", "inactive"),
]


def _variants(lines: list[str]) -> Any:
    for i, line in enumerate(lines):
        yield lines[:i] + lines[i + 1 :]
        for old, new in _SWAPS:
            if old in line:
                yield lines[:i] + [line.replace(old, new, 1)] + lines[i + 1 :]


@pytest.mark.parametrize("name", _single_file_cases())
def test_broken_variants_fail_only_with_wit_error(name: str) -> None:
    path = UI / name if (UI / name).is_file() else PARSE_FAIL / name
    for variant in _variants(path.read_text().splitlines()):
        try:
            load_text("\n".join(variant), str(path), features=frozenset({"active"}))
        except WitError:
            pass
