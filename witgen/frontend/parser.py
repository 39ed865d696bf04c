"""WIT text -> `witgen.frontend.ast`.

The LALR parser (`lalr`) calls `_Builder` for each reduced rule, which turns
it straight into an AST node: no parse tree is built and nothing recurses,
so deeply nested input cannot overflow the stack.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Sequence, get_args

from . import ast, lalr
from .. import model as m
from ..diagnostics import Source, Span, WitError, read_source
from .lexer import Token, Tokens, vocabulary
from .._resources import grammar_path

GRAMMAR = grammar_path("wit.lark")

# wit-parser's limit: deeper nesting is a mistake.
MAX_PACKAGE_DEPTH = 100


@functools.lru_cache(maxsize=None)
def _parser() -> lalr.Parser:
    return lalr.load(GRAMMAR).parser(_Builder())


def parse_source(source: Source) -> ast.File:
    """Parse one file's text, or raise `WitError`."""
    parser = _parser()
    tokens = Tokens(source, *_vocabulary())
    handle = _CURRENT.set(_FileState(tokens))
    try:
        file = parser.parse(tokens.lex())
    except lalr.UnexpectedToken as error:
        raise _syntax_error(tokens, error) from None
    finally:
        _CURRENT.reset(handle)
    assert isinstance(file, ast.File)
    return file


def parse_text(text: str, path: str = "<string>") -> ast.File:
    return parse_source(Source(path, text))


def parse_file(path: str | Path) -> ast.File:
    return parse_source(read_source(path))


@functools.lru_cache(maxsize=None)
def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    return vocabulary(lalr.load(GRAMMAR).strings)


def keywords() -> frozenset[str]:
    """The words modern WIT reserves: a name that is one needs a `%`."""
    return frozenset(_vocabulary()[0])


# ---- errors -----------------------------------------------------------

class _FileState:
    """What the builder needs while one file is parsed."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.source = tokens.source
        self.keywords = tokens.keywords
        self.comments_before = tokens.comments_before
        # Packages nested in a nested package: rejected once the file is read.
        self.inner_packages: dict[int, list[ast.NestedPackage]] = {}


_CURRENT: ContextVar[_FileState] = ContextVar("witgen_parser_state")


def _current() -> _FileState:
    return _CURRENT.get()


_WORDS = {
    "$END": "eof",
    "ID": "an identifier",
    "VERSION": "a version",
    "INT": "fixed-length",  # wit-parser's word: an integer is only ever a list size
    "STRING": "a string",
}


def _describe(kind: str) -> str:
    tokens = _current().tokens
    return lalr.describe(kind, _WORDS, tokens.keywords, tokens.operators)


# Terminals that can start a type: when all of them are expected, say "a type".
_TYPE_STARTS = {"BOOL", "STRING_TYPE", "LIST", "OPTION", "RESULT", "TUPLE", "BORROW"}


def _expected(names: set[str]) -> str:
    if _TYPE_STARTS <= names:
        rest = names - _TYPE_STARTS - set(_current().keywords.values()) - {"ID"}
        return _expected(rest) + " or a type" if rest else "a type"
    return lalr.one_of({_describe(n) for n in names})


def _syntax_error(tokens: Tokens, error: lalr.UnexpectedToken) -> WitError:
    token = error.token
    if token.type != "$END":
        span = Span(tokens.source, token.start_pos, token.end_pos)
        found = _describe(token.type)
        message = f"expected {_expected(set(error.expected))}, found {found}"
        return WitError.at(span, message, _hint(token, set(error.expected)))
    text = tokens.source.text
    span = Span(tokens.source, len(text), len(text))
    wanted = _expected(set(error.expected)) if error.expected else "more input"
    return WitError.at(span, f"expected {wanted}, found eof")


def _hint(token: Token, expected: set[str]) -> str | None:
    tokens = _current()
    if token.type in tokens.keywords.values() and "ID" in expected:
        return f"`{token.value}` is a keyword; write `%{token.value}` to use it as a name"
    if token.value in ("function", "expected", "unit") and token.type == "ID":
        return "this looks like legacy WIT (2022): see `witgen migrate`"
    return None


# ---- the builder ------------------------------------------------------


class _Gates:
    """The attributes before an item, and where the item starts."""

    __slots__ = ("attrs", "start")

    def __init__(self, attrs: ast.Attributes, start: int | None) -> None:
        self.attrs = attrs
        self.start = start


def _span(token: Token) -> Span:
    return Span(_CURRENT.get().source, token.start_pos, token.end_pos)


def _start(gates: _Gates, keyword: Token) -> int:
    return gates.start if gates.start is not None else keyword.start_pos


def _docs_at(offset: int) -> str | None:
    comments = _CURRENT.get().comments_before.get(offset)
    return _doc_text(comments) if comments else None


def _doc_text(comments: Sequence[str]) -> str | None:
    """Comments -> docs, exactly as wit-parser joins them."""
    lines = [(c[3:-2] if c.startswith("/**") else c.lstrip("/")).rstrip() for c in comments]
    # Remove the indentation all non-empty lines share, keep the rest. Rust's
    # `is_ascii_whitespace` counts it: a no-break space is text, not indent.
    indent = min([len(line) - len(line.lstrip(_ASCII_SPACE)) for line in lines if line], default=0)
    if indent:
        prefix = " " * indent
        lines = [line[indent:] if line.startswith(prefix) else line for line in lines]
    parts: list[str] = []
    for line in lines:
        if "\n" in line:
            # Rust's `str::lines`: split at `\n` and drop a `\r` before it, never
            # at `\r`, U+2028 or the other breaks `str.splitlines` knows.
            parts += [part.removesuffix("\r") for part in line.split("\n")]
        else:
            parts.append(line)
    return "\n".join(parts).rstrip("\n") or None


_ASCII_SPACE = " \t\n\x0c\r"


def _tokens(children: Sequence[Any], kind: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type == kind]


def _of(children: Sequence[Any], cls: type) -> list[Any]:
    return [c for c in children if isinstance(c, cls)]


# Read from the union: a new type node is recognised here without an edit.
_TYPE_NODES: tuple[type[ast.Type], ...] = get_args(ast.Type)


def _types(children: Sequence[Any]) -> list[ast.Type]:
    return [c for c in children if isinstance(c, _TYPE_NODES)]


class _Builder:
    """One callback per grammar rule, each returning an AST node."""

    # ---- files ----

    def start(self, children: list[Any]) -> ast.File:
        header = next(iter(_of(children, ast.PackageHeader)), None)
        items = tuple(c for c in children if isinstance(c, (ast.TopLevelUse, ast.Interface, ast.World)))
        nested = tuple(_of(children, ast.NestedPackage))
        self._check_nesting(nested)
        return ast.File(_current().source, header, items, nested)

    @staticmethod
    def _check_nesting(top_level: Sequence[ast.NestedPackage]) -> None:
        inner = _current().inner_packages
        for package in top_level:
            if id(package) not in inner:
                continue
            # Depth first, as wit-parser reads them, to find one too deep.
            stack = [(child, 2) for child in reversed(inner[id(package)])]
            while stack:
                child, depth = stack.pop()
                if depth > MAX_PACKAGE_DEPTH:
                    raise WitError.at(child.span, "package nesting too deep")
                stack.extend((c, depth + 1) for c in reversed(inner.get(id(child), [])))
            raise WitError.at(
                inner[id(package)][0].name.span,
                "nested packages must be placed at the top-level",
            )

    def package_header(self, children: list[Any]) -> ast.PackageHeader:
        gates, keyword, name = children[0], children[1], children[2]
        start = _start(gates, keyword)
        return ast.PackageHeader(name, _docs_at(start), gates.attrs, name.span)

    def package_name(self, children: list[Any]) -> ast.PackageName:
        ids = _tokens(children, "ID")
        version = next((c for c in children if isinstance(c, tuple)), None)
        end = version[1].end if version else ids[1].end_pos
        span = Span(_current().source, ids[0].start_pos, end)
        return ast.PackageName(ids[0].value, ids[1].value, version[0] if version else None, span)

    def version(self, children: list[Any]) -> tuple[str, Span]:
        return children[1].value, _span(children[1])

    def nested_package(self, children: list[Any]) -> ast.NestedPackage:
        gates, keyword, name = children[0], children[1], children[2]
        items = tuple(c for c in children if isinstance(c, (ast.TopLevelUse, ast.Interface, ast.World)))
        start = _start(gates, keyword)
        package = ast.NestedPackage(name, items, _docs_at(start), gates.attrs, name.span)
        inner = _of(children, ast.NestedPackage)
        if inner:
            _current().inner_packages[id(package)] = inner
        return package

    def toplevel_use(self, children: list[Any]) -> ast.TopLevelUse:
        gates, path = children[0], children[2]
        alias = _tokens(children, "ID")
        return ast.TopLevelUse(path, alias[0].value if alias else None, gates.attrs, path.span)

    def local_path(self, children: list[Any]) -> ast.LocalPath:
        return ast.LocalPath(children[0].value, _span(children[0]))

    def foreign_path(self, children: list[Any]) -> ast.ForeignPath:
        ids = _tokens(children, "ID")
        version = next((c for c in children if isinstance(c, tuple)), None)
        source = _current().source
        package_end = ids[1].end_pos
        package = ast.PackageName(
            ids[0].value,
            ids[1].value,
            version[0] if version else None,
            Span(source, ids[0].start_pos, package_end),
        )
        end = version[1].end if version else ids[2].end_pos
        return ast.ForeignPath(package, ids[2].value, Span(source, ids[0].start_pos, end))

    # ---- gates ----

    def gates(self, children: list[Any]) -> _Gates:
        if not children:
            return _Gates((), None)
        return _Gates(tuple(a for a, _ in children), children[0][1])

    def gate(self, children: list[Any]) -> tuple[ast.Attribute, int]:
        at, name = children[0], children[1]
        args: list[tuple[Token | None, Token]] = children[3]
        span = _span(name)
        kind = name.value

        def arg(key: str, value_type: str) -> Token:
            if len(args) != 1 or args[0][0] is None or args[0][0].value != key:
                raise WitError.at(span, f"`@{kind}` takes one argument, `{key} = ...`")
            value = args[0][1]
            if value.type != value_type:
                wanted = "a version" if value_type == "VERSION" else "an identifier"
                raise WitError.at(_span(value), f"expected {wanted}, found `{value.value}`")
            return value

        attribute: ast.Attribute
        if kind == "since":
            attribute = ast.Since(arg("version", "VERSION").value, span)
        elif kind == "unstable":
            attribute = ast.Unstable(arg("feature", "ID").value, span)
        elif kind == "deprecated":
            attribute = ast.Deprecated(arg("version", "VERSION").value, span)
        elif kind == "external-id":
            if len(args) != 1 or args[0][0] is not None:
                raise WitError.at(span, '`@external-id` takes one string, `@external-id("...")`')
            attribute = ast.ExternalId(args[0][1].value, span)
        else:
            raise WitError.at(
                span,
                f"unknown attribute `{kind}`",
                "the attributes are `@since`, `@unstable`, `@deprecated` and `@external-id`",
            )
        return attribute, at.start_pos

    def gate_args(self, children: list[Any]) -> list[tuple[Token | None, Token]]:
        return [c for c in children if isinstance(c, tuple)]

    def gate_kv(self, children: list[Any]) -> tuple[Token | None, Token]:
        return children[0], children[2]

    def gate_str(self, children: list[Any]) -> tuple[Token | None, Token]:
        return None, children[0]

    # ---- interfaces ----

    def interface(self, children: list[Any]) -> ast.Interface:
        gates, keyword, name = children[0], children[1], children[2]
        items = tuple(self._items(children[4:-1]))
        start = _start(gates, keyword)
        return ast.Interface(name.value, items, _docs_at(start), gates.attrs, _span(name))

    @staticmethod
    def _items(children: Sequence[Any]) -> list[Any]:
        return [c for c in children if not isinstance(c, Token)]

    def use(self, children: list[Any]) -> ast.Use:
        gates, keyword, path, names = children[0], children[1], children[2], children[5]
        start = _start(gates, keyword)
        return ast.Use(path, tuple(names), _docs_at(start), gates.attrs, path.span)

    def use_names(self, children: list[Any]) -> list[ast.UseName]:
        return _of(children, ast.UseName)

    def use_name(self, children: list[Any]) -> ast.UseName:
        ids = _tokens(children, "ID")
        alias = ids[1] if len(ids) > 1 else None
        return ast.UseName(
            ids[0].value,
            alias.value if alias else None,
            _span(ids[0]),
            _span(alias) if alias else None,
        )

    def func_item(self, children: list[Any]) -> ast.Func:
        gates, name, func = children[0], children[1], children[3]
        start = _start(gates, name)
        return ast.Func(name.value, func, _docs_at(start), gates.attrs, _span(name))

    def func_type(self, children: list[Any]) -> ast.FuncType:
        is_async = bool(_tokens(children, "ASYNC"))
        params, result = children[-2], children[-1]
        return ast.FuncType(tuple(params), result, is_async, _span(children[0]))

    def params(self, children: list[Any]) -> list[ast.Field]:
        return _of(children, ast.Field)

    def param(self, children: list[Any]) -> ast.Field:
        name, type_ = children[0], children[2]
        return ast.Field(name.value, type_, _docs_at(name.start_pos), _span(name))

    def results(self, children: list[Any]) -> ast.Type | None:
        types = _types(children)
        return types[0] if types else None

    # ---- worlds ----

    def world(self, children: list[Any]) -> ast.World:
        gates, keyword, name = children[0], children[1], children[2]
        items = tuple(self._items(children[4:-1]))
        start = _start(gates, keyword)
        return ast.World(name.value, items, _docs_at(start), gates.attrs, _span(name))

    def import_item(self, children: list[Any]) -> ast.Import:
        gates, keyword, extern = children
        start = _start(gates, keyword)
        return ast.Import(extern, _docs_at(start), gates.attrs, extern.span)

    def export_item(self, children: list[Any]) -> ast.Export:
        gates, keyword, extern = children
        start = _start(gates, keyword)
        return ast.Export(extern, _docs_at(start), gates.attrs, extern.span)

    def extern_func(self, children: list[Any]) -> ast.ExternFunc:
        return ast.ExternFunc(children[0].value, children[2], _span(children[0]))

    def extern_named_path(self, children: list[Any]) -> ast.ExternNamedPath:
        return ast.ExternNamedPath(children[0].value, children[2], _span(children[0]))

    def extern_path(self, children: list[Any]) -> ast.ExternPath:
        return ast.ExternPath(children[0], children[0].span)

    def extern_inline(self, children: list[Any]) -> ast.ExternInline:
        items = tuple(self._items(children[4:-1]))
        return ast.ExternInline(children[0].value, items, _span(children[0]))

    def include(self, children: list[Any]) -> ast.Include:
        gates, keyword, path = children[0], children[1], children[2]
        names = next((c for c in children if isinstance(c, list)), [])
        start = _start(gates, keyword)
        return ast.Include(path, tuple(names), _docs_at(start), gates.attrs, path.span)

    def include_names(self, children: list[Any]) -> list[ast.IncludeName]:
        return _of(children, ast.IncludeName)

    def include_name(self, children: list[Any]) -> ast.IncludeName:
        return ast.IncludeName(children[0].value, children[2].value, _span(children[0]))

    # ---- type definitions ----

    def type_alias(self, children: list[Any]) -> ast.TypeAlias:
        gates, keyword, name, _, type_ = children[:5]
        start = _start(gates, keyword)
        return ast.TypeAlias(name.value, type_, _docs_at(start), gates.attrs, _span(name))

    def _named_body(self, children: list[Any], member: type) -> tuple[_Gates, str, tuple[Any, ...], str | None, Span]:
        gates, keyword, name = children[0], children[1], children[2]
        start = _start(gates, keyword)
        members = tuple(_of(children, member))
        return gates, name.value, members, _docs_at(start), _span(name)

    def record(self, children: list[Any]) -> ast.Record:
        gates, name, fields, docs, span = self._named_body(children, ast.Field)
        return ast.Record(name, fields, docs, gates.attrs, span)

    def field(self, children: list[Any]) -> ast.Field:
        name = children[0]
        return ast.Field(name.value, children[2], _docs_at(name.start_pos), _span(name))

    def flags(self, children: list[Any]) -> ast.Flags:
        gates, name, flags, docs, span = self._named_body(children, ast.Flag)
        return ast.Flags(name, flags, docs, gates.attrs, span)

    def flag(self, children: list[Any]) -> ast.Flag:
        name = children[0]
        return ast.Flag(name.value, _docs_at(name.start_pos), _span(name))

    def variant(self, children: list[Any]) -> ast.Variant:
        gates, name, cases, docs, span = self._named_body(children, ast.Case)
        return ast.Variant(name, cases, docs, gates.attrs, span)

    def case(self, children: list[Any]) -> ast.Case:
        name = children[0]
        types = _types(children)
        payload = types[0] if types else None
        return ast.Case(name.value, payload, _docs_at(name.start_pos), _span(name))

    def enum(self, children: list[Any]) -> ast.Enum:
        gates, name, cases, docs, span = self._named_body(children, ast.EnumCase)
        return ast.Enum(name, cases, docs, gates.attrs, span)

    def enum_case(self, children: list[Any]) -> ast.EnumCase:
        name = children[0]
        return ast.EnumCase(name.value, _docs_at(name.start_pos), _span(name))

    def resource(self, children: list[Any]) -> ast.Resource:
        gates, keyword, name = children[0], children[1], children[2]
        functions = tuple(c for c in children if isinstance(c, (ast.Constructor, ast.Method)))
        start = _start(gates, keyword)
        return ast.Resource(name.value, functions, _docs_at(start), gates.attrs, _span(name))

    def constructor(self, children: list[Any]) -> ast.Constructor:
        gates, keyword, params, result = children[0], children[1], children[2], children[3]
        start = _start(gates, keyword)
        func = ast.FuncType(tuple(params), result, False, _span(keyword))
        return ast.Constructor(func, _docs_at(start), gates.attrs, _span(keyword))

    def method(self, children: list[Any]) -> ast.Method:
        gates, name, func = children[0], children[1], children[3]
        start = _start(gates, name)
        return ast.Method(name.value, func, False, _docs_at(start), gates.attrs, _span(name))

    def static_method(self, children: list[Any]) -> ast.Method:
        gates, name, func = children[0], children[1], children[4]
        start = _start(gates, name)
        return ast.Method(name.value, func, True, _docs_at(start), gates.attrs, _span(name))

    # ---- types ----

    def primitive(self, children: list[Any]) -> ast.Primitive:
        token = children[0]
        return ast.Primitive(token.value, _span(token))

    def named(self, children: list[Any]) -> ast.Named:
        return ast.Named(children[0].value, _span(children[0]))

    # Shapes: the model's classes over types as written.

    def list_of(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.List(_types(children)[0]), _span(children[0]))

    def fixed_list(self, children: list[Any]) -> ast.Shape:
        size = _tokens(children, "INT")[0]
        value = int(size.value)
        if value == 0:
            raise WitError.at(_span(size), "invalid fixed-length list size: the size must be at least 1")
        if value > 0xFFFF_FFFF:
            raise WitError.at(_span(size), "invalid list size: number too large to fit in target type")
        return ast.Shape(m.FixedList(_types(children)[0], value), _span(children[0]))

    def map_of(self, children: list[Any]) -> ast.Shape:
        key, value = _types(children)
        return ast.Shape(m.Map(key, value), _span(children[0]))

    def option_of(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Option(_types(children)[0]), _span(children[0]))

    def result_ok_err(self, children: list[Any]) -> ast.Shape:
        ok, err = _types(children)
        return ast.Shape(m.Result(ok, err), _span(children[0]))

    def result_err(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Result(None, _types(children)[0]), _span(children[0]))

    def result_ok(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Result(_types(children)[0], None), _span(children[0]))

    def result_empty(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Result(None, None), _span(children[0]))

    def tuple_of(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Tuple(tuple(_types(children))), _span(children[0]))

    def future_of(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Future(_types(children)[0]), _span(children[0]))

    def future_of_empty(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Future(None), _span(children[0]))

    def stream_of(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Stream(_types(children)[0]), _span(children[0]))

    def stream_of_empty(self, children: list[Any]) -> ast.Shape:
        return ast.Shape(m.Stream(None), _span(children[0]))

    def own(self, children: list[Any]) -> ast.Handle:
        name = children[2]
        return ast.Handle("own", ast.Named(name.value, _span(name)), _span(children[0]))

    def borrow(self, children: list[Any]) -> ast.Handle:
        name = children[2]
        return ast.Handle("borrow", ast.Named(name.value, _span(name)), _span(children[0]))
