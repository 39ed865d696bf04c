"""witgen.legacy.detect: telling 2022 WIT from modern WIT by its words."""

from __future__ import annotations

from pathlib import Path

import pytest

from witgen.legacy.detect import looks_legacy

from .helpers import LEGACY_FILES, ROOT

CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.mark.parametrize("path", LEGACY_FILES, ids=[p.name for p in LEGACY_FILES])
def test_every_legacy_fixture_looks_legacy(path: Path) -> None:
    assert looks_legacy(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "f: function()",
        "f: func()",
        "use * from x",
        "use { a } from x",
        "type t = expected<u8, u8>",
        "enum e { a }",
        "/* a /* nested */ comment */ record r {}",
        "// package a:b;\ntype t = u8",
    ],
)
def test_looks_legacy(text: str) -> None:
    assert looks_legacy(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "package a:b;\ninterface i { f: func(); }",
        "interface i { f: function() }",
        "world w { import f: func(); }",
        "type t = u8;",
        "@since(version = 1.0.0)\ninterface i {}",
    ],
)
def test_does_not_look_legacy(text: str) -> None:
    assert not looks_legacy(text)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_no_modern_corpus_file_looks_legacy() -> None:
    paths = [p for p in CORPUS.rglob("*.wit") if "parse-fail" not in p.parts]
    assert paths
    assert [p for p in paths if looks_legacy(p.read_text(encoding="utf-8"))] == []
