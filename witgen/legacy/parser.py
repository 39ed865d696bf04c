"""Legacy (2022) WIT text -> `witgen.legacy.ast`.

Lexed by the modern lexer (with this grammar's vocabulary) and parsed by the
same LALR loop (`witgen.frontend.lalr`) over `grammar/wit_legacy.lark`.
What is not 2022 WIT at all is an error here, at once: a syntax error, a
generic with the wrong number of arguments, `name: xyz(...)`. What 2022
allowed but today's WIT has no form for is `witgen.legacy.migration`'s to
report.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from typing import Any, Sequence

from . import ast as legacy
from .._records import replace
from .._resources import grammar_path
from ..diagnostics import Source, Span, WitError
from ..frontend import lalr
from ..frontend.lexer import Token, Tokens, vocabulary

GRAMMAR = grammar_path("wit_legacy.lark")

# Legacy has none of these: finding one, the file is likely modern WIT.
_MODERN_HINT = "this looks like modern WIT, not the legacy dialect"


def parse(source: Source) -> legacy.Document:
    """One legacy document (a `.wit` file, or the ```wit blocks of a
    `.wit.md` one), or `WitError`."""
    if source.path.endswith(".md"):
        source = Source(source.path, _wit_in_markdown(source.text))
    if source.text.startswith("\ufeff"):
        # 2022 skipped a byte-order mark; keep offsets by blanking it.
        source = Source(source.path, " " + source.text[1:])
    tokens = Tokens(source, *_vocabulary())
    try:
        lexed = _contextual_keywords(list(tokens.lex()))
    except WitError as error:
        raise _hinted(error) from None
    handle = _STATE.set(tokens)
    try:
        items = _parser().parse(lexed)
    except lalr.UnexpectedToken as error:
        raise _syntax_error(tokens, error) from None
    finally:
        _STATE.reset(handle)
    return legacy.Document(source, items)


@functools.lru_cache(maxsize=None)
def _parser() -> lalr.Parser:
    return lalr.load(GRAMMAR).parser(_Builder())


@functools.lru_cache(maxsize=None)
def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    return vocabulary(lalr.load(GRAMMAR).strings)


# ---- text and tokens ------------------------------------------------------

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*")


def _wit_in_markdown(text: str) -> str:
    """The ```wit blocks of a markdown text, everything else blanked so
    that offsets, and so diagnostics, stay those of the markdown."""
    out: list[str] = []
    fence: str | None = None  # the fence of the open ```wit block
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        match = _FENCE.fullmatch(body)
        if fence is None:
            if match and match.group(2) == "wit":
                fence = match.group(1)
        elif match and body.strip() and set(body.strip()) == {fence[0]} and len(body.strip()) >= len(fence):
            fence = None
        else:
            out.append(line)
            continue
        out.append(re.sub(r"[^\r\n]", " ", line))
    return "".join(out)


_CONTEXTUAL = {"handle": "HANDLE", "implements": "IMPLEMENTS"}


def _contextual_keywords(tokens: list[Token]) -> list[Token]:
    """`handle x` and `implements x` are keywords before a name that is not
    followed by `:`; otherwise (`type handle = ...`, `handle: u32`) names,
    as `handle` became in October 2022."""
    out = list(tokens)
    for index, token in enumerate(tokens[:-1]):
        if token.type != "ID" or token.value not in _CONTEXTUAL:
            continue
        following = tokens[index + 1]
        after = tokens[index + 2] if index + 2 < len(tokens) else None
        if following.type in ("ID", "STRING") and (after is None or after.type != "COLON"):
            out[index] = Token(_CONTEXTUAL[token.value], token.value, token.start_pos, token.end_pos)
    return out


# ---- syntax errors --------------------------------------------------------


def _syntax_error(tokens: Tokens, error: lalr.UnexpectedToken) -> WitError:
    token = error.token
    expected = error.expected
    wanted = _expected(tokens, expected) if expected else "more input"
    if token.type == "$END":
        end = len(tokens.source.text.rstrip())
        return WitError.at(Span(tokens.source, end, end + 1), f"expected {wanted}, found eof")
    span = Span(tokens.source, token.start_pos, token.end_pos)
    found = _describe(tokens, token.type)
    hint = None
    if token.type in tokens.keywords.values() and "ID" in expected:
        hint = f"`{token.value}` is a keyword; write `%{token.value}` to use it as a name"
    elif token.value in ("package", "world"):
        hint = _MODERN_HINT
    return WitError.at(span, f"expected {wanted}, found {found}", hint)


def _hinted(error: WitError) -> WitError:
    """Legacy has no `;`, `@`, `.` or `/`: finding one, say so."""
    first = error.diagnostics[0]
    span = first.span
    if span is not None and first.hint is None and span.source.text[span.start : span.start + 1] in ";@./":
        return WitError([replace(first, hint=_MODERN_HINT), *error.diagnostics[1:]])
    return error


_WORDS = {
    "$END": "eof",
    "HANDLE": "keyword `handle`",
    "IMPLEMENTS": "keyword `implements`",
    "ID": "an identifier",
    "STRING": "a string",
    "INT": "an integer",
    "VERSION": "a version",
}


def _describe(tokens: Tokens, kind: str) -> str:
    return lalr.describe(kind, _WORDS, tokens.keywords, tokens.operators)


_TYPE_STARTS = {"BOOL", "STRING_TYPE", "LIST", "OPTION", "TUPLE", "HANDLE"}


def _expected(tokens: Tokens, names: set[str]) -> str:
    if _TYPE_STARTS <= names:
        rest = {n for n in names if n not in tokens.keywords.values() and n not in ("ID", "STRING")}
        return (_expected(tokens, rest) + " or a type") if rest else "a type"
    # `"name"` is a name too, but saying so would only confuse.
    return lalr.one_of({_describe(tokens, n) for n in names - {"STRING"}})


# ---- the builder ----------------------------------------------------------

# The tokens of the file being parsed (its source, and its comments for docs).
_STATE: ContextVar[Tokens] = ContextVar("witgen_legacy_parser")


def _span(token: Token) -> Span:
    return Span(_STATE.get().source, token.start_pos, token.end_pos)


def _docs(token: Token) -> str | None:
    return _docs_at(token.start_pos)


def _docs_at(offset: int) -> str | None:
    """Docs before the token at `offset`: its `///` and `/** */` comments,
    as 2022 read them (other comments are notes, not docs)."""
    comments = _STATE.get().comments_before.get(offset, [])
    lines: list[str] = []
    for comment in comments:
        if comment.startswith("///"):
            lines.append(comment.lstrip("/").strip())
        elif comment.startswith("/**") and not comment.startswith("/**/"):
            body = comment[3:-2].split("\n")
            indent = min(
                (len(line) - len(line.lstrip()) for line in body[1:] if line.strip()),
                default=0,
            )
            lines.append(body[0].strip())
            lines.extend(line[indent:].rstrip() for line in body[1:])
    text = "\n".join(lines).strip("\n")
    return text or None


_TYPES = (
    legacy.Primitive,
    legacy.Named,
    legacy.Handle,
    legacy.ListOf,
    legacy.OptionOf,
    legacy.TupleOf,
    legacy.Generic,
    legacy.Hole,
)


def _types(children: Sequence[Any]) -> list[Any]:
    return [c for c in children if isinstance(c, _TYPES)]


def _type_start(type_: legacy.TypeArg) -> int:
    """Where a union case's docs are looked for: where its type starts, but
    for `handle r`, at `r` (as the migrated `r` starts)."""
    match type_:
        case legacy.Named(name) | legacy.Generic(name) | legacy.Handle(name):
            return name.span.start
        case legacy.Primitive(span=span) | legacy.ListOf(span=span) | legacy.OptionOf(span=span):
            return span.start
        case legacy.TupleOf(span=span) | legacy.Hole(span):
            return span.start
    raise AssertionError(type_)


# Generics by name, with the numbers of arguments each takes (the buffers,
# which have no modern form, any: migration reports them).
_GENERICS = {"expected": (2,), "result": (1, 2), "stream": (1, 2), "future": (1,)}
_BUFFERS = ("push-buffer", "pull-buffer")


class _Builder:
    """One callback per grammar rule, each returning a legacy AST node."""

    def start(self, children: list[Any]) -> tuple[legacy.Item, ...]:
        return tuple(children)

    def id(self, children: list[Any]) -> legacy.Name:
        token: Token = children[0]
        return legacy.Name(token.value, token.type == "STRING", _span(token))

    # ---- use ----

    def use_all(self, children: list[Any]) -> legacy.Use:
        keyword, star, source = children[0], children[1], children[3]
        return legacy.Use(source, None, _docs(keyword), _span(star))

    def use_names(self, children: list[Any]) -> legacy.Use:
        keyword, source = children[0], children[-1]
        names = tuple(c for c in children if isinstance(c, legacy.UseName))
        return legacy.Use(source, names, _docs(keyword), source.span)

    def use_name(self, children: list[Any]) -> legacy.UseName:
        names = [c for c in children if isinstance(c, legacy.Name)]
        return legacy.UseName(names[0], names[1] if len(names) > 1 else None)

    # ---- type definitions ----

    def type_alias(self, children: list[Any]) -> legacy.TypeAlias:
        keyword, name, type_ = children[0], children[1], children[3]
        return legacy.TypeAlias(name, type_, _docs(keyword))

    def record(self, children: list[Any]) -> legacy.Record:
        fields = tuple(c for c in children if isinstance(c, legacy.Field))
        return legacy.Record(children[1], fields, _docs(children[0]))

    def field(self, children: list[Any]) -> legacy.Field:
        name = children[0]
        return legacy.Field(name, children[2], _docs_at(name.span.start))

    def flags(self, children: list[Any]) -> legacy.Flags:
        flags = tuple(c for c in children if isinstance(c, legacy.Flag))
        return legacy.Flags(children[1], flags, _docs(children[0]))

    def flag(self, children: list[Any]) -> legacy.Flag:
        name = children[0]
        return legacy.Flag(name, _docs_at(name.span.start))

    def variant(self, children: list[Any]) -> legacy.Variant:
        cases = tuple(c for c in children if isinstance(c, legacy.Case))
        return legacy.Variant(children[1], cases, _docs(children[0]))

    def case(self, children: list[Any]) -> legacy.Case:
        name = children[0]
        types = _types(children)
        return legacy.Case(name, types[0] if types else None, _docs_at(name.span.start))

    def enum(self, children: list[Any]) -> legacy.Enum:
        cases = tuple(c for c in children if isinstance(c, legacy.EnumCase))
        return legacy.Enum(children[1], cases, _docs(children[0]))

    def enum_case(self, children: list[Any]) -> legacy.EnumCase:
        name = children[0]
        return legacy.EnumCase(name, _docs_at(name.span.start))

    def union(self, children: list[Any]) -> legacy.Union:
        cases = tuple(c for c in children if isinstance(c, legacy.UnionCase))
        return legacy.Union(children[1], cases, _docs(children[0]))

    def union_case(self, children: list[Any]) -> legacy.UnionCase:
        type_ = children[0]
        return legacy.UnionCase(type_, _docs_at(_type_start(type_)))

    def resource(self, children: list[Any]) -> legacy.Resource:
        keyword, name = children[0], children[1]
        implements = None
        if len(children) > 3 and isinstance(children[2], Token) and children[2].type == "IMPLEMENTS":
            implements = legacy.Implements(children[3], _span(children[2]))
        functions = tuple(c for c in children if isinstance(c, legacy.Value))
        return legacy.Resource(name, implements, functions, _docs(keyword))

    def resource_item(self, children: list[Any]) -> legacy.Value:
        value: legacy.Value = children[-1]
        if len(children) == 2:  # `static name: ...`: its docs are before `static`
            return legacy.Value(value.name, value.type, _docs(children[0]), static=True)
        return value

    def interface(self, children: list[Any]) -> legacy.Interface:
        items = tuple(c for c in children[3:] if not isinstance(c, Token))
        return legacy.Interface(children[1], items)

    # ---- values ----

    def function_value(self, children: list[Any]) -> legacy.Value:
        name = children[0]
        return legacy.Value(name, children[2], _docs_at(name.span.start))

    def global_value(self, children: list[Any]) -> legacy.Value:
        return legacy.Value(children[0], children[2], None)

    def function(self, children: list[Any]) -> legacy.Function:
        is_async = isinstance(children[0], Token) and children[0].type == "ASYNC"
        keyword = children[1] if is_async else children[0]
        params, results = children[-2], children[-1]
        return legacy.Function(is_async, _span(keyword), tuple(params), tuple(results))

    def function_soft(self, children: list[Any]) -> legacy.Function:
        keyword = children[1] if children[0].type == "ASYNC" else children[0]
        if keyword.value != "func":
            raise WitError.at(_span(keyword), f"expected `function`, `func` or a type, found `{keyword.value}`")
        return self.function(children)

    def params(self, children: list[Any]) -> list[legacy.Param]:
        return [c for c in children if isinstance(c, legacy.Param)]

    def param(self, children: list[Any]) -> legacy.Param:
        return legacy.Param(children[0], children[2])

    def results(self, children: list[Any]) -> list[legacy.Result]:
        return [legacy.Result(None, t) for t in _types(children)]

    def named_result(self, children: list[Any]) -> legacy.Result:
        return legacy.Result(children[0], children[2])

    def result_list(self, children: list[Any]) -> list[legacy.Result]:
        """`-> a: u32`, `-> (u32, u32)`, `-> (a: u32, b: string)`."""
        return [c if isinstance(c, legacy.Result) else legacy.Result(None, c) for c in children if not isinstance(c, Token)]

    # ---- types ----

    def primitive(self, children: list[Any]) -> legacy.Primitive:
        token = children[0]
        return legacy.Primitive(token.value, _span(token))

    def named(self, children: list[Any]) -> legacy.Named:
        return legacy.Named(children[0])

    def handle(self, children: list[Any]) -> legacy.Handle:
        return legacy.Handle(children[1], _span(children[0]))

    def list_type(self, children: list[Any]) -> legacy.ListOf:
        return legacy.ListOf(_types(children)[0], _span(children[0]))

    def option_type(self, children: list[Any]) -> legacy.OptionOf:
        return legacy.OptionOf(_types(children)[0], _span(children[0]))

    def tuple_type(self, children: list[Any]) -> legacy.TupleOf:
        return legacy.TupleOf(tuple(_types(children)), _span(children[0]))

    def hole(self, children: list[Any]) -> legacy.Hole:
        return legacy.Hole(_span(children[0]))

    def generic(self, children: list[Any]) -> legacy.Generic:
        name: legacy.Name = children[0]
        args = tuple(_types(children))
        kind = name.text
        if kind in _BUFFERS:
            return legacy.Generic(name, args)
        if kind not in _GENERICS:
            raise WitError.at(name.span, f"`{kind}` does not take type arguments")
        if len(args) not in _GENERICS[kind]:
            counts = " or ".join(str(n) for n in _GENERICS[kind])
            raise WitError.at(name.span, f"`{kind}` takes {counts} type arguments, not {len(args)}")
        return legacy.Generic(name, args)
