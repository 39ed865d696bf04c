"""What the tests of witgen.legacy share: the fixtures, and one document
parsed with its siblings given as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from witgen.diagnostics import Source, WitError
from witgen.frontend import ast
from witgen.legacy import parse_legacy

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
LEGACY_DIR = FIXTURES / "legacy"
LEGACY_FILES = [
    FIXTURES / "cache.wit",
    *sorted(p for p in LEGACY_DIR.iterdir() if p.name.endswith((".wit", ".wit.md"))),
]


def parse_doc(text: str, name: str = "doc.wit", **siblings: str) -> ast.File:
    """`text` as the legacy file `name`; `siblings` by name (`other_file`: `other-file.wit`)."""
    sources = {n.replace("_", "-"): Source(f"{n}.wit", t) for n, t in siblings.items()}
    return parse_legacy(Source(name, text), siblings=sources.get)


def interface_of(file: ast.File) -> ast.Interface:
    (interface,) = file.items
    assert isinstance(interface, ast.Interface)
    return interface


def item_of(text: str, index: int = 0) -> Any:
    return interface_of(parse_doc(text)).items[index]


def error_of(text: str, **siblings: str) -> WitError:
    with pytest.raises(WitError) as caught:
        parse_doc(text, **siblings)
    return caught.value


def where(error: WitError, index: int = 0) -> tuple[str, int, int]:
    diagnostic = error.diagnostics[index]
    assert diagnostic.span is not None
    return diagnostic.message, diagnostic.span.line, diagnostic.span.column
