"""witgen.legacy.migration: one legacy document -> today's AST, and a
diagnostic for what has no modern form."""

from __future__ import annotations

import pytest

from witgen.diagnostics import Source
from witgen.frontend import ast
from witgen.frontend.printer import print_file, print_type
from witgen.legacy.migration import SiblingUse, migrate_document
from witgen.legacy.parser import parse

from .helpers import error_of, interface_of, item_of, parse_doc, where


def test_a_document_becomes_modern_items() -> None:
    items = migrate_document(parse(Source("doc.wit", "use { a } from other\nf: function() -> unit")))
    use, func = items
    assert isinstance(use, SiblingUse) and use.source == "other"
    assert isinstance(func, ast.Func) and func.type.result is None


def _type_of(text: str) -> str:
    alias = item_of(f"type t = {text}")
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
    printed = print_file(parse_doc(text))
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
    func = item_of("f: function(result: u32, stream: string, future: u8, func: s8) -> u32")
    assert [p.name for p in func.type.params] == ["result", "stream", "future", "func"]
    # A type the file defines wins over the word's later meaning.
    alias = item_of("type t = stream\nrecord stream { x: u32 }")
    assert alias.type == ast.Named("stream", alias.type.span)


def test_float_words_name_types_the_file_defines() -> None:
    alias, flags, func = interface_of(parse_doc("type t = f32\nflags f32 { a }\nf: function(f64: f64) -> float32")).items
    assert isinstance(alias, ast.TypeAlias) and isinstance(func, ast.Func)
    assert alias.type == ast.Named("f32", alias.type.span)
    assert func.type.result is not None
    assert [print_type(func.type.params[0].type), print_type(func.type.result)] == ["f64", "f32"]
    assert "  flags %f32 {\n" in print_file(parse_doc("flags f32 { a }"))


def test_union_becomes_a_variant_with_cases_named_after_types() -> None:
    variant = item_of("union u { s32, list<u8>, option<foo>, list<u8> }")
    assert isinstance(variant, ast.Variant)
    assert [c.name for c in variant.cases] == ["s32", "list-u8", "option-foo", "list-u8-2"]
    assert [print_type(c.type) for c in variant.cases if c.type] == [
        "s32",
        "list<u8>",
        "option<foo>",
        "list<u8>",
    ]


def test_unit_payload_is_no_payload() -> None:
    variant = item_of("variant v { a, b(unit), c(u8) }")
    assert [c.type is None for c in variant.cases] == [True, True, False]


def test_resources() -> None:
    resource = item_of("""resource r {
            /// Makes one.
            static new: function() -> handle r
            get: function() -> u32,
            set: function(v: u32)
        }""")
    assert isinstance(resource, ast.Resource)
    methods = [(m.name, m.static, m.docs) for m in resource.functions if isinstance(m, ast.Method)]
    assert methods == [("new", True, "Makes one."), ("get", False, None), ("set", False, None)]
    assert isinstance(item_of("resource r"), ast.Resource)


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
def test_what_has_no_modern_form(text: str, message: str, line: int, column: int) -> None:
    assert where(error_of(text)) == (message, line, column)


def test_several_errors_together() -> None:
    error = error_of("a: u32\ntype t = unit\nf: function(x: list<unit>)")
    assert [d.span.line for d in error.diagnostics if d.span] == [1, 2, 3]


def test_problems_in_the_order_of_the_text() -> None:
    # Parts before the whole: the name, the field's type, then the field.
    error = error_of('record "Bad Name" { x: list<unit> }\nresource r implements "b c" {}')
    assert [where(error, i)[1:] for i in range(len(error.diagnostics))] == [(1, 8), (1, 29), (2, 23), (2, 12)]
