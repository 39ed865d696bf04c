"""witgen.legacy.parser: legacy text -> the legacy AST, as written; what is
not 2022 WIT at all is an error here."""

from __future__ import annotations

import pytest

from witgen.diagnostics import Source, WitError
from witgen.frontend import ast
from witgen.frontend.printer import print_file
from witgen.legacy import ast as legacy
from witgen.legacy.parser import parse

from .helpers import error_of, interface_of, item_of, parse_doc, where


def _items(text: str, path: str = "doc.wit") -> tuple[legacy.Item, ...]:
    return parse(Source(path, text)).items


def test_the_document_as_written() -> None:
    (alias, func) = _items('type "t" = unit\nf: func(x: float32) -> expected<u8, _>')
    assert isinstance(alias, legacy.TypeAlias) and isinstance(func, legacy.Value)
    # Quoted names and the words 2022 read by position stay as written.
    assert (alias.name.text, alias.name.quoted) == ("t", True)
    assert isinstance(alias.type, legacy.Named) and alias.type.name.text == "unit"
    assert isinstance(func.type, legacy.Function)
    (param,) = func.type.params
    assert isinstance(param.type, legacy.Named) and param.type.name.text == "float32"
    (result,) = func.type.results
    assert isinstance(result.type, legacy.Generic) and result.type.name.text == "expected"
    assert isinstance(result.type.args[1], legacy.Hole)


def test_results_as_written() -> None:
    (value,) = _items("f: function() -> (a: u32, string)")
    assert isinstance(value, legacy.Value) and isinstance(value.type, legacy.Function)
    names = [r.name.text if r.name else None for r in value.type.results]
    assert names == ["a", None]


def test_what_is_not_2022_wit_is_an_error_at_once() -> None:
    # Not reported with the migration's problems: only this one.
    for text, message in [
        ("type t = foo<unit>", "`foo` does not take type arguments"),
        ("type t = expected<unit>", "`expected` takes 2 type arguments, not 1"),
        ("type t = unit\nf: fn()", "expected `function`, `func` or a type, found `fn`"),
    ]:
        with pytest.raises(WitError) as caught:
            parse(Source("doc.wit", text))
        assert [d.message for d in caught.value.diagnostics] == [message]


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("type t = foo<u8>", "`foo` does not take type arguments", 1, 10),
        ("type t = expected<u8>", "`expected` takes 2 type arguments, not 1", 1, 10),
        ("f: fn()", "expected `function`, `func` or a type, found `fn`", 1, 4),
    ],
)
def test_parse_errors(text: str, message: str, line: int, column: int) -> None:
    assert where(error_of(text)) == (message, line, column)


def test_markdown_keeps_only_wit_blocks_at_their_offsets() -> None:
    text = "# Title\n\n```wit\ntype n = u32\n```\n\n```rust\nfn main() {}\n```\n"
    document = parse(Source("doc.wit.md", text))
    (alias,) = document.items
    assert isinstance(alias, legacy.TypeAlias)
    assert alias.name.span.line == 4


def test_syntax_errors() -> None:
    error = error_of("type t = u32;")
    assert where(error)[1:] == (1, 13)
    assert error.diagnostics[0].hint == "this looks like modern WIT, not the legacy dialect"
    error = error_of("record r { type: u8 }")
    assert where(error)[1:] == (1, 12)
    assert error.diagnostics[0].hint == "`type` is a keyword; write `%type` to use it as a name"
    assert where(error_of("type t = list<u8"))[0] == "expected '>', found eof"


def test_byte_order_mark() -> None:
    assert item_of("\ufefftype t = u8").name == "t"


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
    interface = interface_of(parse_doc(text))
    docs = [getattr(item, "docs") for item in interface.items]
    assert docs == ["First line.\nIndented.", "* Block", None]
    record = interface.items[2]
    assert isinstance(record, ast.Record)
    assert record.fields[0].docs == "A field."


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
        parse_doc(text)
    ((message, line, _),) = [where(caught.value, i) for i in range(len(caught.value.diagnostics))]
    assert (message, line) == ("resource subtyping (`implements`) has no modern equivalent", 7)
    printed = print_file(parse_doc(text.replace(" implements q", "")))
    assert "  type t = r;\n" in printed
    assert "  f: func(handle: handle) -> r;\n" in printed
    assert "  g: func() -> handle;\n" in printed
    assert "  h: func(a: r, b: handle);\n" in printed
