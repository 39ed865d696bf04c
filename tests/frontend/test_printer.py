"""The printer: canonical modern WIT that parses back to the same AST."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from witgen import model as m
from witgen._records import replace
from witgen.frontend import ast
from witgen.diagnostics import Source, Span, WitError
from witgen.frontend.parser import parse_file, parse_text
from witgen.frontend.printer import print_file, print_type, without_positions

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
UI = CORPUS / "wit-parser-ui"


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(path for path in CORPUS.rglob("*.wit") if "parse-fail" not in path.parts)


CORPUS_FILES = _corpus_files()


def _round_trip(file: ast.File) -> str:
    text = print_file(file)
    again = parse_text(text, file.source.path)
    assert without_positions(again) == without_positions(file), text
    # Canonical: printing the reparsed AST gives the same text.
    assert print_file(again) == text
    return text


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
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
    assert without_positions(a) == without_positions(b)
    assert without_positions(a) != without_positions(c)


# ---- generated ASTs ---------------------------------------------------

_AT = Span(Source("<generated>", ""), 0, 0)
# Plain names and keywords, which the printer must escape.
NAMES = st.sampled_from(["a", "b-c", "x1", "type", "record", "list", "use", "func", "own", "stream", "with"])
VERSIONS = st.sampled_from(["1.0.0", "0.2.1-rc.1", "2.0.0+build.5"])
DOCS = st.none() | st.lists(
    st.from_regex(r"[A-Za-z0-9`]([A-Za-z0-9 .,`]*[A-Za-z0-9.`])?", fullmatch=True), min_size=1, max_size=3
).map("\n".join)
ATTRS = st.lists(
    st.one_of(
        VERSIONS.map(lambda v: ast.Since(v, _AT)),
        NAMES.map(lambda n: ast.Unstable(n, _AT)),
        VERSIONS.map(lambda v: ast.Deprecated(v, _AT)),
        st.sampled_from(["id", "a b"]).map(lambda s: ast.ExternalId(s, _AT)),
    ),
    max_size=2,
).map(tuple)

PRIMITIVES = st.sampled_from(m.PRIMITIVES).map(lambda n: ast.Primitive(n, _AT))


def _types(inner: st.SearchStrategy[ast.Type]) -> st.SearchStrategy[ast.Type]:
    maybe = st.none() | inner
    return st.one_of(
        inner.map(lambda t: ast.Shape(m.List(t), _AT)),
        st.builds(lambda t, n: ast.Shape(m.FixedList(t, n), _AT), inner, st.integers(1, 9)),
        st.builds(lambda k, v: ast.Shape(m.Map(k, v), _AT), inner, inner),
        inner.map(lambda t: ast.Shape(m.Option(t), _AT)),
        st.builds(lambda o, e: ast.Shape(m.Result(o, e), _AT), maybe, maybe),
        st.lists(inner, max_size=3).map(lambda ts: ast.Shape(m.Tuple(ts), _AT)),
        maybe.map(lambda t: ast.Shape(m.Future(t), _AT)),
        maybe.map(lambda t: ast.Shape(m.Stream(t), _AT)),
    )


TYPES: st.SearchStrategy[ast.Type] = st.recursive(
    st.one_of(
        PRIMITIVES,
        NAMES.map(lambda n: ast.Named(n, _AT)),
        st.builds(
            lambda kind, n: ast.Handle(kind, ast.Named(n, _AT), _AT),
            st.sampled_from(["own", "borrow"]),
            NAMES,
        ),
    ),
    _types,
    max_leaves=6,
)
PARAMS = st.lists(st.builds(lambda n, t, d: ast.Field(n, t, d, _AT), NAMES, TYPES, DOCS), max_size=3).map(tuple)
FUNC_TYPES = st.builds(lambda p, r, a: ast.FuncType(p, r, a, _AT), PARAMS, st.none() | TYPES, st.booleans())
PATHS = st.one_of(
    NAMES.map(lambda n: ast.LocalPath(n, _AT)),
    st.builds(
        lambda ns, pkg, v, n: ast.ForeignPath(ast.PackageName(ns, pkg, v, _AT), n, _AT),
        NAMES,
        NAMES,
        st.none() | VERSIONS,
        NAMES,
    ),
)


FIELDS = st.lists(st.builds(lambda n, t, d: ast.Field(n, t, d, _AT), NAMES, TYPES, DOCS), max_size=3).map(tuple)
RESOURCE_FUNCS = st.lists(
    st.one_of(
        st.builds(
            lambda f, d, a: ast.Constructor(replace(f, is_async=False), d, a, _AT), FUNC_TYPES, DOCS, ATTRS
        ),
        st.builds(lambda n, f, s, d, a: ast.Method(n, f, s, d, a, _AT), NAMES, FUNC_TYPES, st.booleans(), DOCS, ATTRS),
    ),
    max_size=3,
).map(tuple)
TYPEDEFS = st.one_of(
    st.builds(lambda n, t, d, a: ast.TypeAlias(n, t, d, a, _AT), NAMES, TYPES, DOCS, ATTRS),
    st.builds(lambda n, f, d, a: ast.Record(n, f, d, a, _AT), NAMES, FIELDS, DOCS, ATTRS),
    st.builds(
        lambda n, f, d, a: ast.Flags(n, f, d, a, _AT),
        NAMES,
        st.lists(st.builds(lambda n, d: ast.Flag(n, d, _AT), NAMES, DOCS), max_size=3).map(tuple),
        DOCS,
        ATTRS,
    ),
    st.builds(
        lambda n, c, d, a: ast.Variant(n, c, d, a, _AT),
        NAMES,
        st.lists(st.builds(lambda n, t, d: ast.Case(n, t, d, _AT), NAMES, st.none() | TYPES, DOCS), max_size=3).map(
            tuple
        ),
        DOCS,
        ATTRS,
    ),
    st.builds(
        lambda n, c, d, a: ast.Enum(n, c, d, a, _AT),
        NAMES,
        st.lists(st.builds(lambda n, d: ast.EnumCase(n, d, _AT), NAMES, DOCS), max_size=3).map(tuple),
        DOCS,
        ATTRS,
    ),
    st.builds(lambda n, f, d, a: ast.Resource(n, f, d, a, _AT), NAMES, RESOURCE_FUNCS, DOCS, ATTRS),
)
USES = st.builds(
    lambda p, names, d, a: ast.Use(p, names, d, a, _AT),
    PATHS,
    st.lists(
        st.builds(lambda n, alias: ast.UseName(n, alias, _AT, None), NAMES, st.none() | NAMES), min_size=1, max_size=3
    ).map(tuple),
    DOCS,
    ATTRS,
)
INTERFACE_ITEMS = st.lists(
    st.one_of(USES, TYPEDEFS, st.builds(lambda n, f, d, a: ast.Func(n, f, d, a, _AT), NAMES, FUNC_TYPES, DOCS, ATTRS)),
    max_size=4,
).map(tuple)
EXTERNS = st.one_of(
    st.builds(lambda n, f: ast.ExternFunc(n, f, _AT), NAMES, FUNC_TYPES),
    st.builds(lambda n, items: ast.ExternInline(n, items, _AT), NAMES, INTERFACE_ITEMS),
    PATHS.map(lambda p: ast.ExternPath(p, _AT)),
    st.builds(lambda n, p: ast.ExternNamedPath(n, p, _AT), NAMES, PATHS),
)
WORLD_ITEMS = st.lists(
    st.one_of(
        st.builds(lambda e, d, a: ast.Import(e, d, a, _AT), EXTERNS, DOCS, ATTRS),
        st.builds(lambda e, d, a: ast.Export(e, d, a, _AT), EXTERNS, DOCS, ATTRS),
        USES,
        TYPEDEFS,
        st.builds(
            lambda p, names, d, a: ast.Include(p, names, d, a, _AT),
            PATHS,
            st.lists(st.builds(lambda n, alias: ast.IncludeName(n, alias, _AT), NAMES, NAMES), max_size=2).map(tuple),
            DOCS,
            ATTRS,
        ),
    ),
    max_size=4,
).map(tuple)
PACKAGE_ITEMS = st.lists(
    st.one_of(
        st.builds(lambda p, alias, a: ast.TopLevelUse(p, alias, a, _AT), PATHS, st.none() | NAMES, ATTRS),
        st.builds(lambda n, items, d, a: ast.Interface(n, items, d, a, _AT), NAMES, INTERFACE_ITEMS, DOCS, ATTRS),
        st.builds(lambda n, items, d, a: ast.World(n, items, d, a, _AT), NAMES, WORLD_ITEMS, DOCS, ATTRS),
    ),
    max_size=3,
).map(tuple)
PACKAGE_NAMES = st.builds(lambda ns, n, v: ast.PackageName(ns, n, v, _AT), NAMES, NAMES, st.none() | VERSIONS)
FILES = st.builds(
    lambda header, items, nested: ast.File(_AT.source, header, items, nested),
    st.none() | st.builds(lambda n, d, a: ast.PackageHeader(n, d, a, _AT), PACKAGE_NAMES, DOCS, ATTRS),
    PACKAGE_ITEMS,
    st.lists(
        st.builds(
            lambda n, items, d, a: ast.NestedPackage(n, items, d, a, _AT), PACKAGE_NAMES, PACKAGE_ITEMS, DOCS, ATTRS
        ),
        max_size=2,
    ).map(tuple),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILES)
def test_generated_asts_round_trip(file: ast.File) -> None:
    """Whatever the parser can produce, the printer writes back."""
    _round_trip(file)
