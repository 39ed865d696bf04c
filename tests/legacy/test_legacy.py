"""Legacy (2022) WIT: parsing, migration to modern WIT, and its diagnostics."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from witgen.frontend import ast
from witgen.diagnostics import Source, WitError
from witgen.legacy import looks_legacy, migrate, parse_legacy, parse_legacy_files
from witgen.frontend.parser import parse_text
from witgen.frontend.printer import print_file, print_type, shape

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
LEGACY_DIR = FIXTURES / "legacy"
LEGACY_FILES = [
    FIXTURES / "cache.wit",
    *sorted(p for p in LEGACY_DIR.iterdir() if p.name.endswith((".wit", ".wit.md"))),
]
MODERN_FIXTURES = [FIXTURES / "adder.wit", FIXTURES / "interfaced-adder.wit", FIXTURES / "kv-store"]
CORPUS = ROOT.parent / "shared" / "corpus"

HAVE_LOADER = importlib.util.find_spec("witgen.loader") is not None
needs_loader = pytest.mark.skipif(not HAVE_LOADER, reason="witgen.loader is not written yet")

_ids = [p.name for p in LEGACY_FILES]


def _parse(text: str, name: str = "doc.wit", **siblings: str) -> ast.File:
    sources = {n.replace("_", "-"): Source(f"{n}.wit", t) for n, t in siblings.items()}
    return parse_legacy(Source(name, text), siblings=sources.get)


def _interface(file: ast.File) -> ast.Interface:
    (interface,) = file.items
    assert isinstance(interface, ast.Interface)
    return interface


def _item(text: str, index: int = 0) -> Any:
    return _interface(_parse(text)).items[index]


def _error(text: str, **siblings: str) -> WitError:
    with pytest.raises(WitError) as caught:
        _parse(text, **siblings)
    return caught.value


def _where(error: WitError, index: int = 0) -> tuple[str, int, int]:
    diagnostic = error.diagnostics[index]
    assert diagnostic.span is not None
    return diagnostic.message, diagnostic.span.line, diagnostic.span.column


# ---- the fixtures -----------------------------------------------------


@pytest.mark.parametrize("path", LEGACY_FILES, ids=_ids)
def test_fixture_parses_to_one_interface(path: Path) -> None:
    file = parse_legacy(Source(str(path), path.read_text(encoding="utf-8")))
    assert file.package is not None
    stem = path.name.split(".")[0]
    assert str(file.package.name) == f"legacy:{stem}"
    assert _interface(file).name == stem
    assert looks_legacy(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [*LEGACY_FILES, LEGACY_DIR], ids=[*_ids, "legacy/"])
def test_migrated_text_is_modern_and_canonical(path: Path) -> None:
    text = migrate(path)
    modern = parse_text(text, "migrated.wit")
    assert print_file(modern) == text
    assert not looks_legacy(text)
    # Every legacy file loaded becomes one interface of the output.
    legacy = parse_legacy_files(path)
    names = [_interface(f).name for f in legacy]
    assert [i.name for i in modern.items if isinstance(i, ast.Interface)] == names


def test_cache_migrates_to() -> None:
    assert migrate(FIXTURES / "cache.wit") == CACHE_MIGRATED
    assert migrate(FIXTURES / "cache.wit", "wasi-mindmap:cache@0.1.0").startswith("package wasi-mindmap:cache@0.1.0;\n")


CACHE_MIGRATED = """\
package legacy:cache;

interface cache {
  enum error {
    runtime-error,
    not-found-error,
  }

  type payload = list<u8>;

  set: func(key: string, value: payload, ttl: option<u32>) -> result<_, error>;
  get: func(key: string) -> result<payload, error>;
  delete: func(key: string) -> result<_, error>;
}
"""


def test_a_file_brings_the_siblings_it_uses() -> None:
    files = parse_legacy_files(LEGACY_DIR / "names.wit")
    assert [_interface(f).name for f in files] == ["names", "error-type", "store"]
    assert {str(f.package.name) for f in files if f.package} == {"legacy:names"}


def test_a_directory_is_one_package() -> None:
    files = parse_legacy_files(LEGACY_DIR, "my:old@1.0.0")
    assert [_interface(f).name for f in files] == [p.name.split(".")[0] for p in LEGACY_FILES[1:]]
    assert {str(f.package.name) for f in files if f.package} == {"my:old@1.0.0"}


@needs_loader
@pytest.mark.parametrize("path", [*LEGACY_FILES, LEGACY_DIR], ids=[*_ids, "legacy/"])
def test_legacy_and_migrated_resolve_alike(path: Path, tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.wit"
    migrated.write_text(migrate(path), encoding="utf-8")
    assert _model(_resolve_legacy(path)) == _model(_load(migrated))


@needs_loader
def test_loader_reads_a_legacy_file() -> None:
    from witgen.loader import load

    path = FIXTURES / "cache.wit"
    loaded = load(path)
    assert [d.severity for d in loaded.warnings] == ["warning"]
    assert _model(loaded.resolve) == _model(_resolve_legacy(path))


def _load(path: Path) -> Any:
    from witgen.loader import load

    return load(path).resolve


def _resolve_legacy(path: Path) -> Any:
    """The model of a legacy file with its siblings, or of a directory."""
    from witgen.model import Resolve
    from witgen.resolve import Features, PackageSource, resolve_groups, resolve_package

    files = parse_legacy_files(path)
    assert files[0].package is not None
    package = resolve_package(PackageSource(files[0].package.name, None, [f.items for f in files]))
    resolve = Resolve()
    resolve_groups(resolve, [[package]], Features())
    return resolve


def _model(resolve: Any) -> str:
    """Compare through wit-parser's JSON when it exists, else the model."""
    if importlib.util.find_spec("witgen.model.witjson") is not None:
        from witgen.model.witjson import to_json

        return json.dumps(to_json(resolve), indent=1, sort_keys=True)
    return repr(shape(resolve))


def test_migrating_modern_wit_says_so() -> None:
    with pytest.raises(WitError) as caught:
        migrate(FIXTURES / "adder.wit")
    assert caught.value.diagnostics[0].message.endswith("is modern WIT already: nothing to migrate")


# ---- the modern fixtures ----------------------------------------------


@pytest.mark.parametrize("path", MODERN_FIXTURES, ids=[p.name for p in MODERN_FIXTURES])
def test_modern_fixtures_are_canonical(path: Path) -> None:
    files = sorted(path.glob("*.wit")) if path.is_dir() else [path]
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert not looks_legacy(text)
        assert print_file(parse_text(text, str(file))) == text


@needs_loader
@pytest.mark.parametrize("path", MODERN_FIXTURES, ids=[p.name for p in MODERN_FIXTURES])
def test_modern_fixtures_resolve(path: Path) -> None:
    from witgen.loader import load

    loaded = load(path)
    assert len(loaded.resolve.worlds) == 1
    assert not loaded.warnings


# ---- how 2022 constructs become modern ones --------------------------


def _type_of(text: str) -> str:
    alias = _item(f"type t = {text}")
    assert isinstance(alias, ast.TypeAlias)
    return print_type(alias.type)


@pytest.mark.parametrize(
    ("legacy", "modern"),
    [
        ("expected<u32, string>", "result<u32, string>"),
        ("expected<_, string>", "result<_, string>"),
        ("expected<u32, _>", "result<u32>"),
        ("expected<unit, unit>", "result"),
        ("expected<unit, string>", "result<_, string>"),
        ("result<u32, string>", "result<u32, string>"),
        ("result<_, string>", "result<_, string>"),
        ("result<u32>", "result<u32>"),
        ("result", "result"),
        ("float32", "f32"),
        ("float64", "f64"),
        ("f32", "f32"),
        ("handle r", "r"),
        ("tuple<>", "tuple<>"),
        ("tuple<u8, string,>", "tuple<u8, string>"),
        ("option<list<char>>", "option<list<char>>"),
        ("stream<u8, unit>", "stream<u8>"),
        ("stream<u8, _>", "stream<u8>"),
        ("stream<u8>", "stream<u8>"),
        ("stream", "stream"),
        ("future<u8>", "future<u8>"),
        ("future<unit>", "future"),
        ("future", "future"),
        ("%list-of", "list-of"),
        ('"quoted"', "quoted"),
    ],
)
def test_types(legacy: str, modern: str) -> None:
    assert _type_of(legacy) == modern


def test_function_forms() -> None:
    text = """
        a: function()
        b: func(x: u32,) -> unit
        c: async function() -> u32
        d: function() -> (u32, string)
        e: function() -> (u32)
        f: function() -> ()
        g: func() -> (a: u32, b: string,)
        h: function() -> a: u32
        i: function() -> (a: u32, string)
    """
    printed = print_file(_parse(text))
    assert "  a: func();\n" in printed
    assert "  b: func(x: u32);\n" in printed
    assert "  c: async func() -> u32;\n" in printed
    assert "  d: func() -> tuple<u32, string>;\n" in printed
    assert "  e: func() -> u32;\n" in printed
    assert "  f: func();\n" in printed
    # Named results (early and late 2022) pass through the ABI as a tuple.
    assert "  g: func() -> tuple<u32, string>;\n" in printed
    assert "  h: func() -> u32;\n" in printed
    assert "  i: func() -> tuple<u32, string>;\n" in printed


def test_words_that_were_keywords_for_part_of_2022_are_names() -> None:
    func = _item("f: function(result: u32, stream: string, future: u8, func: s8) -> u32")
    assert [p.name for p in func.type.params] == ["result", "stream", "future", "func"]
    # A type the file defines wins over the word's later meaning.
    alias = _item("type t = stream\nrecord stream { x: u32 }")
    assert alias.type == ast.Named("stream", alias.type.span)


def test_float_words_name_types_the_file_defines() -> None:
    alias, flags, func = _interface(_parse("type t = f32\nflags f32 { a }\nf: function(f64: f64) -> float32")).items
    assert isinstance(alias, ast.TypeAlias) and isinstance(func, ast.Func)
    assert alias.type == ast.Named("f32", alias.type.span)
    assert func.type.result is not None
    assert [print_type(func.type.params[0].type), print_type(func.type.result)] == ["f64", "f32"]
    assert "  flags %f32 {\n" in print_file(_parse("flags f32 { a }"))


def test_handle_is_a_keyword_only_before_a_name() -> None:
    text = """
        type handle = u32
        type t = handle r
        f: function(handle: handle) -> handle r
        g: function() -> handle
        h: function(a: handle r, b: handle)
        resource r implements q
    """
    with pytest.raises(WitError) as caught:
        _parse(text)
    ((message, line, _),) = [_where(caught.value, i) for i in range(len(caught.value.diagnostics))]
    assert (message, line) == ("resource subtyping (`implements`) has no modern equivalent", 7)
    printed = print_file(_parse(text.replace(" implements q", "")))
    assert "  type t = r;\n" in printed
    assert "  f: func(handle: handle) -> r;\n" in printed
    assert "  g: func() -> handle;\n" in printed
    assert "  h: func(a: r, b: handle);\n" in printed


def test_markdown_files(tmp_path: Path) -> None:
    (tmp_path / "base.wit.md").write_text(
        "# Base\n\nProse with `code`.\n\n```wit\n/// A number.\ntype n = u32\n```\n\n"
        "```rust\nfn main() {}\n```\n\n~~~~ wit\nrecord r { x: n }\n~~~~\n",
        encoding="utf-8",
    )
    (tmp_path / "main.wit").write_text("use * from base\nf: function(r: r) -> n\n", encoding="utf-8")
    text = migrate(tmp_path / "main.wit")
    assert "interface base {\n  /// A number.\n  type n = u32;\n\n  record r {\n" in text
    assert "  use base.{n, r};\n" in text
    (tmp_path / "bad.wit.md").write_text("# Bad\n\n```wit\ntype t = unit\n```\n", encoding="utf-8")
    with pytest.raises(WitError) as caught:
        migrate(tmp_path / "bad.wit.md")
    assert _where(caught.value)[1:] == (4, 10)
    assert "bad.wit.md" in caught.value.render()


def test_union_becomes_a_variant_with_cases_named_after_types() -> None:
    variant = _item("union u { s32, list<u8>, option<foo>, list<u8> }")
    assert isinstance(variant, ast.Variant)
    assert [c.name for c in variant.cases] == ["s32", "list-u8", "option-foo", "list-u8-2"]
    assert [print_type(c.type) for c in variant.cases if c.type] == [
        "s32",
        "list<u8>",
        "option<foo>",
        "list<u8>",
    ]


def test_unit_payload_is_no_payload() -> None:
    variant = _item("variant v { a, b(unit), c(u8) }")
    assert [c.type is None for c in variant.cases] == [True, True, False]


def test_resources() -> None:
    resource = _item("""resource r {
            /// Makes one.
            static new: function() -> handle r
            get: function() -> u32,
            set: function(v: u32)
        }""")
    assert isinstance(resource, ast.Resource)
    methods = [(m.name, m.static, m.docs) for m in resource.functions if isinstance(m, ast.Method)]
    assert methods == [("new", True, "Makes one."), ("get", False, None), ("set", False, None)]
    assert isinstance(_item("resource r"), ast.Resource)


def test_only_doc_comments_are_docs() -> None:
    text = """
        // A note.
        /// First line.
        ///   Indented.
        // Another note.
        type a = u32

        /**
         * Block
         */
        type b = u32

        // Only a note.
        record c {
            /// A field.
            x: u32,
        }
    """
    interface = _interface(_parse(text))
    docs = [getattr(item, "docs") for item in interface.items]
    assert docs == ["First line.\nIndented.", "* Block", None]
    record = interface.items[2]
    assert isinstance(record, ast.Record)
    assert record.fields[0].docs == "A field."


def test_use_names_and_star() -> None:
    file = _parse(
        "use * from base\nuse { a as b, c, } from other\nf: function(x: t1, y: b)",
        base="type t1 = u32\nrecord t2 {}\nuse { z } from third",
    )
    uses = [i for i in _interface(file).items if isinstance(i, ast.Use)]
    listed = [(u.path, [(n.name, n.alias) for n in u.names]) for u in uses]
    assert [(p.name, names) for p, names in listed if isinstance(p, ast.LocalPath)] == [
        ("base", [("t1", None), ("t2", None), ("z", None)]),
        ("other", [("a", "b"), ("c", None)]),
    ]
    assert "  use base.{t1, t2, z};\n  use other.{a as b, c};\n" in print_file(file)


def test_star_of_a_file_that_defines_nothing_disappears() -> None:
    (alias,) = _interface(_parse("use * from empty\ntype a = u8", empty="")).items
    assert isinstance(alias, ast.TypeAlias)


def test_star_follows_stars() -> None:
    file = _parse("use * from b", b="use * from c\ntype y = u8", c="type x = u8")
    (use,) = _interface(file).items
    assert isinstance(use, ast.Use)
    assert [n.name for n in use.names] == ["x", "y"]


# ---- legacy-only errors -----------------------------------------------


def test_missing_sibling() -> None:
    error = _error("type a = u8\nuse * from nowhere")
    assert _where(error) == ("cannot find `nowhere.wit` beside this file", 2, 12)


def test_star_cycle() -> None:
    error = _error("use * from b", b="use * from doc")
    assert "cycle: doc -> b -> doc" in error.diagnostics[0].message


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("x: u32", "`x` is a global value, which the component model never had", 1, 1),
        ("type t = unit", "`unit` has no modern equivalent as a type alias", 1, 10),
        ("type t = list<unit>", "`unit` has no modern equivalent in a list", 1, 15),
        ("f: function(a: unit)", "`unit` has no modern equivalent as a parameter", 1, 16),
        ("record r { a: option<unit> }", "`unit` has no modern equivalent in an option", 1, 22),
        ("type t = stream<u8, u32>", "a stream's end type has no modern equivalent", 1, 21),
        ("type t = push-buffer<u8>", "`push-buffer` has no modern equivalent", 1, 10),
        ("resource a implements b", "resource subtyping (`implements`) has no modern equivalent", 1, 12),
        ("interface i { f: function() }", "nested `interface` blocks are not supported", 1, 11),
        ("type t = foo<u8>", "`foo` does not take type arguments", 1, 10),
        ("type t = expected<u8>", "`expected` takes 2 type arguments, not 1", 1, 10),
        ("f: fn()", "expected `function`, `func` or a type, found `fn`", 1, 4),
        ("record r {}\nr: function(x: r)", "`r` names both a type and a function", 2, 1),
        ("use { r } from x\nr: function()", "`r` names both a type and a function", 2, 1),
        (
            'type t = "Bad-Name"',
            "identifier `Bad-Name` mixes cases in `Bad`: each part of a kebab-case name is all lowercase or all uppercase",
            1,
            10,
        ),
    ],
)
def test_legacy_errors(text: str, message: str, line: int, column: int) -> None:
    assert _where(_error(text)) == (message, line, column)


def test_several_errors_together() -> None:
    error = _error("a: u32\ntype t = unit\nf: function(x: list<unit>)")
    assert [d.span.line for d in error.diagnostics if d.span] == [1, 2, 3]


def test_syntax_errors() -> None:
    error = _error("type t = u32;")
    assert _where(error)[1:] == (1, 13)
    assert error.diagnostics[0].hint == "this looks like modern WIT, not the legacy dialect"
    error = _error("record r { type: u8 }")
    assert _where(error)[1:] == (1, 12)
    assert error.diagnostics[0].hint == "`type` is a keyword; write `%type` to use it as a name"
    assert _where(_error("type t = list<u8"))[0] == "expected '>', found eof"


def test_byte_order_mark() -> None:
    assert _item("\ufefftype t = u8").name == "t"


# ---- names and packages -------------------------------------------------


def test_package_argument() -> None:
    file = parse_legacy(Source("dir/my_old-file.wit", "type t = u8"), "a:b@1.2.3")
    assert file.package is not None and str(file.package.name) == "a:b@1.2.3"
    assert _interface(file).name == "my-old-file"
    assert str(parse_legacy(Source("dir/CamelCase.wit", "")).package.name) == "legacy:camel-case"  # type: ignore[union-attr]


@pytest.mark.parametrize("package", ["a", "a:bC", "a:b@1", ":b", "a:b:c", "a:1b"])
def test_bad_package_argument(package: str) -> None:
    with pytest.raises(WitError) as caught:
        parse_legacy(Source("x.wit", ""), package)
    assert caught.value.diagnostics[0].message.startswith(f"invalid package name `{package}`")


def test_file_names_that_make_no_interface_name() -> None:
    with pytest.raises(WitError) as caught:
        parse_legacy(Source("1st.wit", ""), "a:b")
    assert "cannot name an interface after the file `1st.wit`" in caught.value.diagnostics[0].message


# ---- recognising legacy text ------------------------------------------


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


# ---- the command line -------------------------------------------------


def test_cli_migrate(capsys: pytest.CaptureFixture[str]) -> None:
    from witgen.cli import main

    assert main(["migrate", str(FIXTURES / "cache.wit")]) == 0
    assert capsys.readouterr().out == CACHE_MIGRATED
    assert main(["migrate", str(FIXTURES / "cache.wit"), "--legacy-package", "wasi-mindmap:cache"]) == 0
    assert capsys.readouterr().out.startswith("package wasi-mindmap:cache;\n")
    assert main(["migrate", str(FIXTURES / "adder.wit")]) == 1
    assert "is modern WIT already" in capsys.readouterr().err
