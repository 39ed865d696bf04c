"""The printer: canonical modern WIT that parses back to the same AST."""

from __future__ import annotations

from pathlib import Path

import pytest

from witgen import ast
from witgen.diagnostics import WitError
from witgen.parser import parse_file, parse_text
from witgen.printer import print_file, print_type, shape

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
UI = CORPUS / "wit-parser-ui"


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        path
        for path in CORPUS.rglob("*.wit")
        if "parse-fail" not in path.parts
    )


CORPUS_FILES = _corpus_files()


def _round_trip(file: ast.File) -> str:
    text = print_file(file)
    again = parse_text(text, file.source.path)
    assert shape(again) == shape(file), text
    # Canonical: printing the reparsed AST gives the same text.
    assert print_file(again) == text
    return text


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize(
    "path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES]
)
def test_corpus_round_trip(path: Path) -> None:
    try:
        file = parse_file(path)
    except WitError as error:
        pytest.skip(f"the parser rejects it: {error.diagnostics[0].message}")
    _round_trip(file)


@pytest.mark.skipif(not UI.is_dir(), reason="../shared/corpus is not present")
def test_every_valid_ui_file_is_covered() -> None:
    # The brief's floor: every top-level valid file of wit-parser's suite.
    top = sorted(UI.glob("*.wit"))
    assert top and set(top) <= set(CORPUS_FILES)


LAYOUT = """\
/// The package.
package my:pkg@1.2.3;

use other:dep/iface@0.1.0 as dep;

/// An interface.
@since(version = 1.0.0)
interface %interface {
  use dep.{a, b as c};
  use local.{%type};

  /// Docs,
  ///
  ///   indented.
  record r {
    /// A field.
    x: u32,
    %list: list<list<u8, 4>>,
  }

  flags f {}

  variant v {
    none,
    some(option<tuple<u8, string>>),
  }

  enum e {
    a,
    b,
  }

  type t1 = result;
  type t2 = result<u8>;
  type t3 = result<_, e>;
  type t4 = result<r, e>;
  type t5 = map<string, borrow<res>>;
  type t6 = future;
  type t7 = stream<own<res>>;

  resource res {
    constructor(x: u32) -> result<res>;

    /// A method.
    @unstable(feature = fancy)
    get: func() -> u32;

    make: static async func();
  }

  resource empty;

  f1: func();

  f2: async func(
    /// The first.
    a: s32,
    b: error-context,
  ) -> s32;
}

world w {
  import %interface;
  import x: my:pkg/%interface@1.2.3;
  export f: func(a: f64) -> char;

  export inline: interface {
    g: func();
  }

  include other:dep/w with { a as b, c as d }
  include w2;

  @external-id("thing")
  type t = bool;
}

package nested:one {
  interface i {}
}
"""


def test_layout_is_canonical() -> None:
    file = parse_text(LAYOUT)
    assert _round_trip(file) == LAYOUT


def test_keywords_are_escaped() -> None:
    file = parse_text("package a:b;\ninterface i { %record: func(%type: %flags); }\n")
    assert "%record: func(%type: %flags);" in _round_trip(file)


def test_print_type() -> None:
    file = parse_text("package a:b;\ninterface i { type x = option<result<_, list<u8>>>; }")
    interface = file.items[0]
    assert isinstance(interface, ast.Interface)
    alias = interface.items[0]
    assert isinstance(alias, ast.TypeAlias)
    assert print_type(alias.type) == "option<result<_, list<u8>>>"


def test_empty_file() -> None:
    assert print_file(parse_text("")) == ""


def test_shape_ignores_positions_only() -> None:
    a = parse_text("package a:b;\ninterface i { f: func(); }")
    b = parse_text("package a:b;\n\n\ninterface   i {\n  f: func();\n}\n")
    c = parse_text("package a:b;\ninterface i { g: func(); }")
    assert shape(a) == shape(b)
    assert shape(a) != shape(c)
