"""Corpus tests: witgen resolves WIT as wasm-tools' wit-parser does.

Cases are discovered from `../shared/corpus` (adding a file adds a case):

- `wit-parser-ui`: every valid case resolves (feature `active` on, as that
  suite runs) to the same JSON as wit-parser's `*.wit.json`, compared with
  `../shared/tools/witjson.py`, which ignores arena order;
- `wit-parser-ui/parse-fail`: every case is rejected with a `WitError`
  whose first diagnostic has the `.wit.result`'s file, line and message;
- the WASI releases resolve, each folder a package with its siblings as
  dependencies (how fast: bench/bench_frontend.py);

The corpus comes from an older wit-parser (1.257.1, `SOURCES`); witgen
follows wit-parser 1.262. Where the two disagree, witgen follows 1.262 and
the case is listed below with 1.262's answer (tests/resolve/test_oracle.py checks
the lists against the `wasm-tools` binary when it is installed). Each list
entry fails once it goes stale, so the lists only ever shrink.

- broken variants of the corpus files (a line dropped, a word swapped) are
  accepted or rejected with a `WitError`, never another exception;
- every file of wit-bindgen's codegen corpus resolves. Its `//@ async` and
  `//@ error-context` header directives configure the bindings generators,
  not the WIT, so they do not matter here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from witgen.diagnostics import WitError
from witgen.loader import load, load_many, load_text
from witgen.model.witjson import to_json

from shared_corpus import SHARED, witjson_tool

CORPUS = SHARED / "corpus"
UI = CORPUS / "wit-parser-ui"
PARSE_FAIL = UI / "parse-fail"
CODEGEN = CORPUS / "wit-bindgen-codegen"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")

# Valid in the corpus, rejected by wit-parser 1.262 (empty records became an
# error): stem -> (message, file, line) of 1.262's error.
NEWER_REJECTS = {
    "multi-file": ("empty record", "bar.wit", 4),
    "types": ("empty record", "types.wit", 24),
    "union-fuzz-2": ("empty record", "union-fuzz-2.wit", 11),
    "use-chain": ("empty record", "use-chain.wit", 4),
}

# Parse-fail cases whose first error changed in 1.262: empty records are
# rejected first, and names follow the Component Model's strong uniqueness
# (`[method]a.a` collides with `a`, `GET-USER` with `get-user`).
NEWER_ERRORS = {
    "async-bad-world3": ("empty record", "async-bad-world3.wit", 5),
    "import-and-export5": ("empty record", "import-and-export5.wit", 4),
    "bad-resource7": ("duplicate name `[constructor]a`", "bad-resource7.wit", 6),
    "bad-resource8": ("name `[method]a.a` conflicts with previous name `a`", "bad-resource8.wit", 5),
    "case-insensitive-duplicates": (
        "name `GET-USER` conflicts with previous name `get-user`",
        "case-insensitive-duplicates.wit",
        8,
    ),
    "duplicate-functions": ("duplicate name `foo`", "duplicate-functions.wit", 7),
    "use-conflict3": ("duplicate name `x`", "use-conflict3.wit", 12),
}

# Same file and line as wit-parser, other words. Syntax errors come from an
# LALR parser, which lists what it could accept where wit-parser's
# hand-written parser names one thing; the attribute checks explain the one
# accepted form instead of naming the first unexpected token.
MESSAGE_DIFFERENCES = {
    "async-bad1": "syntax error: witgen lists every token it accepts",
    "bad-resource9": "syntax error: witgen lists every token it accepts",
    "bad-list": "syntax error: witgen lists every token it accepts",
    "multi-file-missing-delimiter": "syntax error: witgen lists every token it accepts",
    "very-large-column": "syntax error: witgen lists every token it accepts",
    "bad-resource1": "witgen expects `an identifier`, wit-parser says `an identifier or string`",
    "bad-resource10": "witgen expects `an identifier`, wit-parser says `an identifier or string`",
    "dangling-type": "witgen expects `an identifier`, wit-parser says `an identifier or string`",
    "keyword": "witgen expects `an identifier`, wit-parser says `an identifier or string`",
    "bad-deprecated2": "witgen names the one form `@deprecated` takes",
    "bad-deprecated3": "witgen names the one form `@deprecated` takes",
    "bad-deprecated4": "witgen names the one form `@deprecated` takes",
    "bad-since3": "witgen names the one form `@since` takes",
}

# `.wit.result` files whose input is gone upstream (they outlived a rename or
# a removed test); nothing to run.
NO_INPUT = {"async", "async1", "unterminated-string"}

# wit-parser gives no location; witgen points at one (issue 6: every
# diagnostic has file:line:col): the first item of a package without a
# header, the second definition of a package.
LOCATED_HERE = {
    "missing-main-declaration-initial-main": ("missing-main-declaration-initial-main.wit", 1),
    "missing-main-declaration-initial-nested": ("missing-main-declaration-initial-nested.wit", 14),
    "missing-package": ("missing-package.wit", 1),
    "multi-package-deps-share-nest": ("types.wit", 3),
    "nested-packages-colliding-names": ("nested-packages-colliding-names.wit", 5),
}


def _case_path(folder: Path, stem: str) -> Path:
    if (folder / stem).is_dir():
        return folder / stem
    # A package in WebAssembly text (`simple-wasm-text`) instead of WIT.
    wat = folder / f"{stem}.wat"
    return wat if wat.is_file() else folder / f"{stem}.wit"


def _valid_cases() -> list[str]:
    if not UI.is_dir():
        return []
    return sorted(p.name[: -len(".wit.json")] for p in UI.glob("*.wit.json"))


def _fail_cases() -> list[str]:
    if not PARSE_FAIL.is_dir():
        return []
    return sorted(p.name[: -len(".wit.result")] for p in PARSE_FAIL.glob("*.wit.result"))


def _skip_unless_valid(stem: str) -> None:
    if stem in NEWER_REJECTS:
        pytest.skip("wit-parser 1.262 rejects it: test_newer_wit_parser_rejects")


@pytest.mark.parametrize("stem", _valid_cases())
def test_valid_case_matches_wit_parser(stem: str) -> None:
    _skip_unless_valid(stem)
    tool = witjson_tool()
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
    _skip_unless_valid(stem)
    loaded = load(_case_path(UI, stem), features=frozenset({"active"}))
    expected = json.loads((UI / f"{stem}.wit.json").read_text())
    assert json.loads(json.dumps(to_json(loaded.resolve))) == expected


@pytest.mark.parametrize("stem", sorted(NEWER_REJECTS))
def test_newer_wit_parser_rejects(stem: str) -> None:
    assert (UI / f"{stem}.wit.json").is_file(), f"{stem} is no longer a valid case: drop it from NEWER_REJECTS"
    assert _reported(_case_path(UI, stem)) == NEWER_REJECTS[stem]


_LOCATION = re.compile(r"-->\s*(\S+?\.wit):(\d+):\d+")
# An error without a source line: `path:line:col: message`.
_INLINE_LOCATION = re.compile(r"^(\S+?\.wit):(\d+):\d+: ")
# Context wit-parser puts before the message when it reads a directory.
_CONTEXT = re.compile(r"^(?:failed to resolve directory while parsing WIT for path \[[^\]]*\]: )?(?:failed to parse package: \S+: )?")


def _expected(result: str) -> tuple[str, str | None, int | None]:
    """Message (first line), file name and line of wit-parser's rendered error."""
    first = _CONTEXT.sub("", result.splitlines()[0])
    inline = _INLINE_LOCATION.match(first)
    if inline:
        return first[inline.end() :], Path(inline.group(1)).name, int(inline.group(2))
    match = _LOCATION.search(result)
    if match is None:
        return first, None, None
    return first, Path(match.group(1)).name, int(match.group(2))


def _reported(path: Path) -> tuple[str, str | None, int | None]:
    try:
        load(path, features=frozenset({"active"}))
    except WitError as error:
        diagnostic = error.diagnostics[0]
        message = diagnostic.message.splitlines()[0]
        if diagnostic.span is None:
            return message, None, None
        return message, Path(diagnostic.span.path).name, diagnostic.span.line
    raise AssertionError(f"{path.name} was accepted")


@pytest.mark.parametrize("stem", _fail_cases())
def test_parse_fail_case_matches_wit_parser(stem: str) -> None:
    if stem in NO_INPUT:
        assert not _case_path(PARSE_FAIL, stem).exists(), f"{stem} has an input now: drop it from NO_INPUT"
        pytest.skip("upstream kept this .wit.result but removed its input")
    message, file, line = _reported(_case_path(PARSE_FAIL, stem))
    expected = _expected((PARSE_FAIL / f"{stem}.wit.result").read_text())
    if stem in NEWER_ERRORS:
        assert expected != NEWER_ERRORS[stem], f"the corpus caught up with {stem}: drop it from NEWER_ERRORS"
        expected = NEWER_ERRORS[stem]
    expected_message, expected_file, expected_line = expected
    if stem in LOCATED_HERE:
        assert expected_file is None, f"wit-parser locates {stem} now: drop it from LOCATED_HERE"
        expected_file, expected_line = LOCATED_HERE[stem]
    assert (file, line) == (expected_file, expected_line), f"{message}"
    if stem in MESSAGE_DIFFERENCES:
        assert message != expected_message, f"{stem} now says what wit-parser says: drop it from MESSAGE_DIFFERENCES"
    else:
        assert message == expected_message


def test_known_differences_name_corpus_cases() -> None:
    cases = set(_fail_cases())
    assert set(NEWER_ERRORS) <= cases and set(MESSAGE_DIFFERENCES) <= cases and NO_INPUT <= cases
    assert set(LOCATED_HERE) <= cases
    assert not set(NEWER_ERRORS) & set(MESSAGE_DIFFERENCES)


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
