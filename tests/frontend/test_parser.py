import pytest

from witgen import model as m
from witgen.frontend import ast
from witgen.diagnostics import WitError
from witgen.frontend.parser import parse_text

KV = """\
package wasi-mindmap:kv@0.1.0;

/// A connection to a store.
interface store {
  use wasi:io/streams@0.2.0.{input-stream as in-stream};

  /// What went wrong.
  variant error { not-found, other(string) }

  resource connection {
    /// Opens a connection.
    constructor(url: string);
    get: func(key: string) -> result<option<list<u8>>, error>;
    open: static func() -> connection;
    wait: async func();
  }

  @since(version = 0.1.0)
  @unstable(feature = fancy)
  flags mode { read, write }
}

world kv {
  import store;
  import log: func(msg: string);
  import primary: wasi:keyvalue/store@0.2.0;
  export run: interface { go: func(); }
  include other with { a as b, c as d }
}
"""


def test_a_whole_package_parses_into_the_ast() -> None:
    file = parse_text(KV, "kv.wit")
    assert file.package is not None
    assert str(file.package.name) == "wasi-mindmap:kv@0.1.0"
    store, world = file.items
    assert isinstance(store, ast.Interface) and store.docs == "A connection to a store."
    use, error, connection, mode = store.items
    assert isinstance(use, ast.Use)
    assert isinstance(use.path, ast.ForeignPath)
    assert str(use.path.package) == "wasi:io@0.2.0" and use.path.name == "streams"
    assert use.names[0] == ast.UseName("input-stream", "in-stream", use.names[0].span, use.names[0].alias_span)
    assert isinstance(error, ast.Variant) and error.docs == "What went wrong."
    assert [c.name for c in error.cases] == ["not-found", "other"]
    assert isinstance(connection, ast.Resource)
    constructor, get, open_, wait = connection.functions
    assert isinstance(constructor, ast.Constructor) and constructor.docs == "Opens a connection."
    assert isinstance(get, ast.Method) and not get.static
    assert isinstance(get.type.result, ast.Shape) and isinstance(get.type.result.shape, m.Result)
    assert isinstance(open_, ast.Method) and open_.static
    assert isinstance(wait, ast.Method) and wait.type.is_async
    assert isinstance(mode, ast.Flags)
    assert mode.attrs[0] == ast.Since("0.1.0", mode.attrs[0].span)
    assert mode.attrs[1] == ast.Unstable("fancy", mode.attrs[1].span)

    assert isinstance(world, ast.World)
    imp_store, imp_log, imp_named, exp_run, include = world.items
    assert isinstance(imp_store.extern, ast.ExternPath)
    assert isinstance(imp_log.extern, ast.ExternFunc)
    assert isinstance(imp_named.extern, ast.ExternNamedPath) and imp_named.extern.name == "primary"
    assert isinstance(exp_run, ast.Export) and isinstance(exp_run.extern, ast.ExternInline)
    assert isinstance(include, ast.Include)
    assert [(n.name, n.alias) for n in include.names] == [("a", "b"), ("c", "d")]


def test_spans_point_at_names() -> None:
    file = parse_text(KV, "kv.wit")
    connection = file.items[0].items[2]
    assert connection.span.location() == "kv.wit:10:12"


def test_every_builtin_type() -> None:
    file = parse_text(
        "package a:b;\ninterface i {\n"
        "  type t = tuple<bool, s8, s16, s32, s64, u8, u16, u32, u64, f32, f64, char, string,\n"
        "    list<u8>, list<u8, 4>, map<string, u32>, option<u8>, result, result<u8>,\n"
        "    result<_, u8>, result<u8, u8>, future, future<u8>, stream, stream<u8>,\n"
        "    error-context, own<r>, borrow<r>, tuple<>>;\n"
        "  resource r;\n}\n"
    )
    alias = file.items[0].items[0]
    kinds = [type(t.shape if isinstance(t, ast.Shape) else t).__name__ for t in alias.type.shape.types]
    assert kinds == ["Primitive"] * 13 + [
        "List", "FixedList", "Map", "Option", "Result", "Result", "Result",
        "Result", "Future", "Future", "Stream", "Stream", "Primitive",
        "Handle", "Handle", "Tuple",
    ]


def test_docs_come_from_all_comments_before_an_item() -> None:
    file = parse_text("package a:b;\n// plain\n/// doc\n/** block */\ninterface i {}")
    assert file.items[0].docs == "plain\ndoc\nblock"


def test_nested_packages() -> None:
    file = parse_text("package a:b { interface i {} }\npackage c:d { world w {} }")
    assert [str(p.name) for p in file.nested] == ["a:b", "c:d"]


def test_packages_nest_only_one_level() -> None:
    with pytest.raises(WitError, match="top-level") as caught:
        parse_text("package a:b {\n  package a:c {\n    package a:d {}\n  }\n}\n")
    assert caught.value.diagnostics[0].span.line == 2


@pytest.mark.parametrize(
    "text, message, line, column",
    [
        ("package a:b;\ninterface i {\n  type type = u32;\n}", "expected an identifier, found keyword `type`", 3, 8),
        ("package a:b;\ninterface i {\n  x: func() -> ;\n}", "expected a type, found ';'", 3, 16),
        ("package a:b;\ninterface i {\n  type x = u32\n}", "expected ';', found '}'", 4, 1),
        ("package a:b;\ninterface i {", "found eof", 2, 14),
        ("package a:b;\n@wat(x = y)\ninterface i {}", "unknown attribute `wat`", 2, 2),
    ],
)
def test_syntax_errors_point_at_the_offending_token(
    text: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(WitError) as caught:
        parse_text(text, "bad.wit")
    diagnostic = caught.value.diagnostics[0]
    assert message in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)


def test_keyword_as_name_hints_at_percent() -> None:
    with pytest.raises(WitError) as caught:
        parse_text("package a:b;\ninterface i {\n  type list = u32;\n}")
    assert caught.value.diagnostics[0].hint is not None
    assert "%list" in caught.value.diagnostics[0].hint


def test_every_grammar_rule_has_a_builder_callback() -> None:
    # The parse finds callbacks by name, so mypy cannot: name each rule (or
    # `-> alias`) that has none, rather than fail on the first parse.
    from witgen.frontend import lalr
    from witgen.frontend.parser import GRAMMAR, _Builder

    named = {
        name
        for _, size, name, expand1, include in lalr.load(GRAMMAR).rules
        if name and not (expand1 and size == 1 and include is None)  # `?rule`: its one child
    }
    assert named, "the table names no callbacks"
    assert sorted(name for name in named if not hasattr(_Builder, name)) == []
