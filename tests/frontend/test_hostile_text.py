"""Outside text stays data in generated modules: a file name, a WIT name or
a WIT doc never changes how a module is decoded or parsed.

Every doc position of a world that has them all gets hostile text (closing
quotes, backslashes, `\\N{`, Jinja delimiters, encoding cookies, line
separators, and through the API NUL, form feed and lone surrogates); the
generated package must import without running any of it, and each doc must
come back as the same text (black may only change whitespace).
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from witgen.api import generate, generate_from_resolve, plan
from witgen.cli import main
from witgen.loader import load
from witgen.render.pytext import shown
from witgen.model import Enum, Flags, FunctionItem, Record, Resolve, Variant

# `///` docs the lexer accepts. Each tries to end the docstring and run code.
DOCS = [
    '"""; import builtins; builtins.PWNED = 1 #',
    "'''; import builtins; builtins.PWNED = 2 #",
    'ends in a quote"',
    'two quotes ""',
    "ends in a backslash \\",
    "\\N{BULLET} \\x41 \\u0041 \\",
    "{{ version }} {% if true %}jinja{% endif %} {# c #}",
    "# -*- coding: utf_7 -*-",
    "+ACIAIgAi-; import builtins; builtins.PWNED = 3 #",  # `"""` in UTF-7
    "line\u2028separator\u2029paragraph\ufeffbom",
    "tab\tand 𝄞 and é",
]
# Only through the API (the lexer rejects them in WIT files).
API_DOCS = ["nul\x00byte", "form\x0cfeed", "esc\x1b[31m", "lone \udcff surrogate", "carriage\rreturn", "next\x85line"]

WIT = """package hostile:docs;

@DOC@
interface things {
  @DOC@
  record rec {
    @DOC@
    field: u32,
  }
  @DOC@
  enum en {
    @DOC@
    one,
  }
  @DOC@
  flags fl {
    @DOC@
    bit,
  }
  @DOC@
  variant va {
    @DOC@
    some(u32),
  }
  @DOC@
  type al = list<rec>;
  @DOC@
  resource res {
    @DOC@
    constructor(n: u32);
    @DOC@
    get: func() -> u32;
    @DOC@
    make: static func() -> res;
  }
  @DOC@
  call: func(r: rec, e: en, f: fl, v: va) -> result<al, en>;
}

@DOC@
interface served {
  use things.{rec};
  @DOC@
  resource thing {
    @DOC@
    constructor();
    @DOC@
    poke: func(r: rec);
  }
  @DOC@
  serve: func(r: rec) -> option<rec>;
}

@DOC@
world hostile {
  import things;
  export served;
  @DOC@
  import log: func(msg: string);
  @DOC@
  export run: func(n: u32) -> u32;
}
"""


def _wit(doc: str) -> tuple[str, list[str]]:
    """The world with `doc` on every doc position (`@DOC@`), each numbered."""
    parts = WIT.split("@DOC@")
    docs = [f"<{i}> {doc}" for i in range(len(parts) - 1)]
    return parts[0] + "".join(f"/// {d}{part}" for d, part in zip(docs, parts[1:])), docs


def _squash(text: str) -> str:
    """What black may change in a docstring: indentation, runs of blanks."""
    return re.sub(r"[ \t\n]+", " ", text).strip()


def _strings(source: str) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


@pytest.fixture
def importable(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("hostile_")]:
        del sys.modules[name]
    pwned = builtins.__dict__.pop("PWNED", None)  # so one failure does not fail the rest
    assert pwned is None, "outside text ran as code"


def _import(root: Path, name: str, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))  # as the CLI writes
    importlib.invalidate_caches()
    importlib.import_module(name)
    for path in files:
        if path.endswith(".py"):
            importlib.import_module(f"{name}.{path.removesuffix('.py')}".removesuffix(".__init__"))
    assert not hasattr(builtins, "PWNED"), "a doc ran as code"


def _assert_docs_are_data(files: dict[str, str], docs: list[str]) -> None:
    strings = [_squash(s) for path, text in files.items() if path.endswith(".py") for s in _strings(text)]
    for doc in docs:
        assert any(_squash(shown(doc)) in s for s in strings), f"{doc!r} does not come back as written"


def _documented(resolve: Resolve) -> list[Any]:
    """Everything of the model whose docs become a docstring."""
    documented: list[Any] = [*(t for t in resolve.types if t.name is not None), *resolve.interfaces, *resolve.worlds]
    documented += [f for i in resolve.interfaces for f in i.functions.values()]
    documented += [i.function for w in resolve.worlds for i in [*w.imports.values(), *w.exports.values()] if isinstance(i, FunctionItem)]
    for typedef in resolve.types:
        kind = typedef.kind
        documented += kind.fields if isinstance(kind, Record) else kind.flags if isinstance(kind, Flags) else []
        documented += kind.cases if isinstance(kind, (Enum, Variant)) else []
    return documented


@pytest.mark.parametrize("format", [True, False], ids=["black", "raw"])
@pytest.mark.parametrize("doc", DOCS, ids=range(len(DOCS)))
def test_hostile_docs_in_every_position(doc: str, format: bool, importable: Path, tmp_path: Path) -> None:
    wit = tmp_path / "hostile.wit"
    text, numbered = _wit(doc)
    wit.write_text(text, encoding="utf-8")
    files = generate(wit, format=format).files
    _import(importable, f"hostile_{DOCS.index(doc)}_{format}", files)
    # As the front end read them (it takes U+2028 and U+0085 for line breaks).
    docs = [d.docs for d in _documented(load(wit).resolve) if d.docs is not None]
    assert len(docs) == len(numbered)
    _assert_docs_are_data(files, docs)


def test_docs_only_the_api_can_pass(importable: Path, tmp_path: Path) -> None:
    wit = tmp_path / "hostile.wit"
    wit.write_text(_wit("placeholder")[0], encoding="utf-8")
    loaded = load(wit)
    documented = _documented(loaded.resolve)
    docs = [f"<{i}> {API_DOCS[i % len(API_DOCS)]}" for i in range(len(documented))]
    for doc, thing in zip(docs, documented):
        thing.docs = doc
    for format in (True, False):
        built = plan(loaded.resolve, loaded.main, "import", source="api\x00\n\udcff")
        files = generate_from_resolve(loaded.resolve, built, format=format).files
        _import(importable, f"hostile_api_{format}", files)
        _assert_docs_are_data(files, docs)


# File names: `coding:utf_7 x.wit` once made line 1 an encoding declaration
# (the UTF-7 doc then closed its docstring); a newline split the header;
# bytes that are not UTF-8 (a lone surrogate in Python) failed the write.
FILE_NAMES = ["coding:utf_7 x.wit", "new\nline.wit", "quote\"\"\" {{x}}.wit", "tab\tff\x0cnel\x85.wit"]
if sys.platform != "win32" and os.fsencode("\udcff") == b"\xff":
    FILE_NAMES.append("\udcffbad-utf8.wit")


@pytest.mark.parametrize("file_name", FILE_NAMES, ids=range(len(FILE_NAMES)))
def test_hostile_file_names(file_name: str, importable: Path, tmp_path: Path) -> None:
    folder = tmp_path / "wit"
    folder.mkdir()
    source = folder / file_name
    source.write_text(
        "package hostile:names;\n/// +ACIAIgAi-\n/// import builtins; builtins.PWNED = 4\n/// +ACIAIgAi-\n"
        "world w {\n  export f: func() -> u32;\n}\n",
        encoding="utf-8",
    )
    target = importable / f"hostile_file_{FILE_NAMES.index(file_name)}"
    assert main(["import", str(source), "-o", str(target)]) == 0
    first = (target / "__init__.py").read_bytes().split(b"\n")[0].decode("utf-8")
    assert first.startswith("# Generated by witgen ") and "(encoding: utf-8)" in first
    module = importlib.import_module(target.name)
    assert not hasattr(builtins, "PWNED"), "the file name changed how the module decodes"
    assert module.W.__doc__.split() == ["+ACIAIgAi-", "import", "builtins;", "builtins.PWNED", "=", "4", "+ACIAIgAi-"]


KEYWORD_NAMES = """package %class:%def@1.0.0-rc.1+build.5;

/// Every name is a Python keyword, soft keyword or builtin.
interface %import {
  record %if { %from: u32, %lambda: u32, %none: u32 }
  enum %true { %false, %none, %async }
  variant %match { %case(u32), %type }
  resource %with {
    constructor(%yield: u32);
    %return: func(%global: u32) -> u32;
  }
  %del: func(%pass: %if, %is: %true, %not: %match) -> u32;
}

world %return {
  import %import;
  export %import;
  export %await: func(%nonlocal: u32, %assert: u32) -> u32;
  import %raise: func(%except: u32);
}
"""


@pytest.mark.parametrize("direction", ["import", "export"])
def test_keyword_names_in_every_position(direction: str, importable: Path, tmp_path: Path) -> None:
    wit = tmp_path / "keywords.wit"
    wit.write_text(KEYWORD_NAMES)
    files = generate(wit, direction, world="return" if direction == "export" else None).files
    _import(importable, f"hostile_keywords_{direction}", files)
    # The names the component sees are the WIT names, as literals.
    strings = {s for text in files.values() if text.startswith("#") for s in _strings(text)}
    assert {"class:def/import@1.0.0-rc.1+build.5", "del", "[method]with.return"} <= strings
