"""One legacy (2022) document -> today's AST, with a diagnostic for what
has no modern form.

Each construct becomes its modern equivalent (see `witgen.legacy`); what
has none (globals, nested interfaces, `unit` where no type may be missing,
a stream's end type, buffers, `implements`, a function named like a type)
is reported, all of a document's problems together, in the order of the
text: parts before the whole, as the parser meets them. A `use` stays a
`SiblingUse` here: which names `use *` brings depends on the sibling file
(`witgen.legacy.files`).
"""

from __future__ import annotations

import re
from typing import Literal, NoReturn, Sequence

from . import ast as legacy
from .. import model as m
from .._records import dataclass
from ..diagnostics import Collector, Source, Span
from ..frontend import ast
from ..frontend.lexer import kebab_error


@dataclass(frozen=True)
class SiblingUse:
    """`use { ... } from source` (`names`), or `use * from source` (None)."""

    source: str
    names: tuple[ast.UseName, ...] | None
    docs: str | None
    span: Span
    source_span: Span


Item = ast.TypeDef | ast.Func | SiblingUse


def migrate_document(document: legacy.Document) -> tuple[Item, ...]:
    """The document's items in today's AST, or `WitError` with every problem."""
    migration = _Migration(document.source, _defined(document.items))
    items = migration.document(document.items)
    migration.problems.raise_if_any()
    return items


@dataclass(frozen=True)
class _Unit:
    """`unit`, kept until its context says what it becomes."""

    span: Span


@dataclass(frozen=True)
class _Hole:
    """`_` inside `expected<...>`, `result<...>` or `stream<...>`."""

    span: Span


# A migrated type, or a `unit` / `_` still to be placed.
_Ty = ast.Type | _Unit | _Hole

# `f32` and `f64` until April 2022, `float32` and `float64` after.
_FLOATS: dict[str, Literal["f32", "f64"]] = {
    "f32": "f32",
    "f64": "f64",
    "float32": "f32",
    "float64": "f64",
}


def _defined(items: Sequence[legacy.Item]) -> set[str]:
    """The names a document defines or imports by name (nested interfaces
    included): they are names, whatever 2022 later made of those words."""
    names: set[str] = set()
    stack = list(items)
    while stack:
        match stack.pop():
            case legacy.Use(names=uses) if uses is not None:
                names.update(n.text for use in uses for n in (use.name, use.alias) if n is not None)
            case legacy.Interface(items=inner):
                stack.extend(inner)
            case legacy.TypeAlias(name) | legacy.Record(name) | legacy.Flags(name) | legacy.Variant(name):
                names.add(name.text)
            case legacy.Enum(name) | legacy.Union(name) | legacy.Resource(name):
                names.add(name.text)
    return names


class _Migration:
    def __init__(self, source: Source, defined: set[str]) -> None:
        self.source = source
        self.defined = defined
        self.problems = Collector()

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        self.problems.error(span, message, hint)

    def name(self, name: legacy.Name) -> str:
        """The name, checked now if it was written `"quoted"`."""
        if name.quoted:
            problem = kebab_error(name.text)
            if problem:
                self.error(name.span, problem)
        return name.text

    # ---- the document ----

    def document(self, items: Sequence[legacy.Item]) -> tuple[Item, ...]:
        migrated = [m for m in (self.item(item) for item in items) if m is not None]
        self.one_namespace(migrated)
        return tuple(migrated)

    def item(self, item: legacy.Item) -> Item | None:
        match item:
            case legacy.Use():
                return self.use(item)
            case legacy.Value():
                name, func = self.value(item)
                return None if func is None else ast.Func(name, func, item.docs, (), item.name.span)
            case legacy.Interface(name, inner):
                self.name(name)
                for each in inner:
                    self.item(each)
                self.error(
                    name.span,
                    "nested `interface` blocks are not supported",
                    "move its items into a file of their own and `use` them",
                )
                return None
            case (
                legacy.TypeAlias()
                | legacy.Record()
                | legacy.Flags()
                | legacy.Variant()
                | legacy.Enum()
                | legacy.Union()
                | legacy.Resource()
            ):
                return self.typedef(item)
            case _:
                _unreachable(item)

    def one_namespace(self, items: Sequence[Item]) -> None:
        """2022 kept functions and types apart; a modern interface does not."""
        types: set[str] = set()
        for item in items:
            if isinstance(item, SiblingUse):
                types.update(n.alias or n.name for n in item.names or ())
            elif not isinstance(item, ast.Func):
                types.add(item.name)
        for item in items:
            if isinstance(item, ast.Func) and item.name in types:
                self.error(
                    item.span,
                    f"`{item.name}` names both a type and a function",
                    "a modern interface has one namespace for both: rename one of them",
                )

    def use(self, use: legacy.Use) -> SiblingUse:
        names = None
        if use.names is not None:
            names = tuple(
                ast.UseName(
                    self.name(n.name),
                    None if n.alias is None else self.name(n.alias),
                    n.name.span,
                    None if n.alias is None else n.alias.span,
                )
                for n in use.names
            )
        return SiblingUse(self.name(use.source), names, use.docs, use.span, use.source.span)

    # ---- values ----

    def value(self, value: legacy.Value) -> tuple[str, ast.FuncType | None]:
        """A function's name and type; a global is reported (type None)."""
        name = self.name(value.name)
        if isinstance(value.type, legacy.Function):
            return name, self.function(value.type)
        self.type(value.type)
        self.error(
            value.name.span,
            f"`{name}` is a global value, which the component model never had",
            "make it a function, such as `" + name + ": func() -> ...`",
        )
        return name, None

    def function(self, function: legacy.Function) -> ast.FuncType:
        params = []
        for param in function.params:
            name = self.name(param.name)
            params.append(ast.Field(name, self._plain(self.type(param.type), "as a parameter"), None, param.name.span))
        results = []
        for each in function.results:
            if each.name is not None:
                self.name(each.name)  # names of results have no modern place
            results.append(self.type(each.type))
        # A list of results -> a tuple: the canonical ABI passes both alike,
        # and 2022 itself rewrote unnamed lists so.
        result: _Ty | None = None
        if len(results) == 1:
            result = results[0]
        elif results:
            items = tuple(self._plain(t, "in a result list") for t in results)
            result = ast.Shape(m.Tuple(tuple(items)), items[0].span)
        return ast.FuncType(tuple(params), _optional(result), function.is_async, function.keyword)

    # ---- type definitions ----

    def typedef(self, item: legacy.TypeDef) -> ast.TypeDef:
        match item:
            case legacy.TypeAlias(name, type_, docs):
                alias = self.name(name)
                target = self._plain(self.type(type_), "as a type alias")
                return ast.TypeAlias(alias, target, docs, (), name.span)
            case legacy.Record(name, fields, docs):
                record = self.name(name)
                migrated_fields = []
                for f in fields:
                    field_name = self.name(f.name)
                    field_type = self._plain(self.type(f.type), "as a record field")
                    migrated_fields.append(ast.Field(field_name, field_type, f.docs, f.name.span))
                return ast.Record(record, tuple(migrated_fields), docs, (), name.span)
            case legacy.Flags(name, flags, docs):
                flags_name = self.name(name)
                migrated_flags = tuple(ast.Flag(self.name(f.name), f.docs, f.name.span) for f in flags)
                return ast.Flags(flags_name, migrated_flags, docs, (), name.span)
            case legacy.Variant(name, cases, docs):
                variant = self.name(name)
                migrated_cases = []
                for c in cases:
                    case_name = self.name(c.name)
                    payload = None if c.type is None else _optional(self.type(c.type))  # `c(unit)` is `c`
                    migrated_cases.append(ast.Case(case_name, payload, c.docs, c.name.span))
                return ast.Variant(variant, tuple(migrated_cases), docs, (), name.span)
            case legacy.Enum(name, enum_cases, docs):
                enum = self.name(name)
                migrated = tuple(ast.EnumCase(self.name(c.name), c.docs, c.name.span) for c in enum_cases)
                return ast.Enum(enum, migrated, docs, (), name.span)
            case legacy.Union(name, union_cases, docs):
                return self.union(name, union_cases, docs)
            case legacy.Resource(name, implements, functions, docs):
                return self.resource(name, implements, functions, docs)
            case _:
                _unreachable(item)

    def union(self, name: legacy.Name, cases: Sequence[legacy.UnionCase], docs: str | None) -> ast.Variant:
        """`union u { s32, list<u8> }` -> `variant u { s32(s32), list-u8(list<u8>) }`."""
        union = self.name(name)
        types = [(c.docs, self._plain(self.type(c.type), "as a union case")) for c in cases]
        migrated: list[ast.Case] = []
        taken: set[str] = set()
        for case_docs, type_ in types:
            base = _case_name(type_)
            case_name, count = base, 1
            while case_name in taken:
                count += 1
                case_name = f"{base}-{count}"
            taken.add(case_name)
            migrated.append(ast.Case(case_name, type_, case_docs, type_.span))
        return ast.Variant(union, tuple(migrated), docs, (), name.span)

    def resource(
        self,
        name: legacy.Name,
        implements: legacy.Implements | None,
        functions: Sequence[legacy.Value],
        docs: str | None,
    ) -> ast.Resource:
        resource = self.name(name)
        if implements is not None:
            self.name(implements.base)
        methods: list[ast.ResourceFunc] = []
        for value in functions:
            method, func = self.value(value)
            if func is not None:
                methods.append(ast.Method(method, func, value.static, value.docs, (), value.name.span))
        if implements is not None:
            self.error(implements.span, "resource subtyping (`implements`) has no modern equivalent")
        return ast.Resource(resource, tuple(methods), docs, (), name.span)

    # ---- types ----

    def type(self, type_: legacy.TypeArg) -> _Ty:
        match type_:
            case legacy.Primitive(name, span):
                return ast.Primitive(name, span)
            case legacy.Named(name):
                text = self.name(name)
                soft = self._soft(text, name.span)
                return soft if soft is not None else ast.Named(text, name.span)
            case legacy.Handle(resource):
                return ast.Named(self.name(resource), resource.span)
            case legacy.ListOf(element, span):
                return ast.Shape(m.List(self._plain(self.type(element), "in a list")), span)
            case legacy.OptionOf(inner, span):
                return ast.Shape(m.Option(self._plain(self.type(inner), "in an option")), span)
            case legacy.TupleOf(items, span):
                migrated = [self.type(t) for t in items]
                return ast.Shape(m.Tuple(tuple(self._plain(t, "in a tuple") for t in migrated)), span)
            case legacy.Hole(span):
                return _Hole(span)
            case legacy.Generic(name, args):
                return self.generic(name, args)
            case _:
                _unreachable(type_)

    def generic(self, name: legacy.Name, type_args: Sequence[legacy.TypeArg]) -> _Ty:
        kind = self.name(name)
        args = [self.type(a) for a in type_args]
        span = name.span
        if kind in ("push-buffer", "pull-buffer"):
            self.error(span, f"`{kind}` has no modern equivalent", "use `list<...>`")
            return ast.Shape(m.List(self._plain(args[0], "in a buffer")), span)
        if kind in ("expected", "result"):
            ok = _optional(args[0])
            err = _optional(args[1]) if len(args) > 1 else None
            return ast.Shape(m.Result(ok, err), span)
        if kind == "future":
            return ast.Shape(m.Future(_optional(args[0])), span)
        end = args[1] if len(args) > 1 else None
        if end is not None and not isinstance(end, (_Unit, _Hole)):
            self.error(
                end.span,
                "a stream's end type has no modern equivalent",
                "modern streams have no end value: return it separately",
            )
        return ast.Shape(m.Stream(_optional(args[0])), span)

    def _soft(self, word: str, span: Span) -> _Ty | None:
        """The words that were keywords in only part of 2022, unless the
        document defines a type of that name."""
        if word in self.defined:
            return None
        if word in _FLOATS:
            return ast.Primitive(_FLOATS[word], span)
        if word == "unit":
            return _Unit(span)
        if word == "result":
            return ast.Shape(m.Result(None, None), span)
        if word == "future":
            return ast.Shape(m.Future(None), span)
        if word == "stream":
            return ast.Shape(m.Stream(None), span)
        return None

    def _plain(self, type_: _Ty, where: str) -> ast.Type:
        """A type where neither `unit` nor `_` can stand."""
        if isinstance(type_, _Unit):
            self.error(
                type_.span,
                f"`unit` has no modern equivalent {where}",
                "modern WIT has no unit type: leave out a result, or use `_` in `result<_, E>`",
            )
            return ast.Shape(m.Tuple(()), type_.span)
        if isinstance(type_, _Hole):
            self.error(type_.span, f"`_` cannot stand {where}")
            return ast.Shape(m.Tuple(()), type_.span)
        return type_


def _optional(type_: _Ty | None) -> ast.Type | None:
    """A type where `unit` and `_` mean "none"."""
    return None if isinstance(type_, (_Unit, _Hole)) else type_


def _unreachable(value: NoReturn) -> NoReturn:
    """Where a `match` has handled every kind: mypy says which one is new."""
    raise AssertionError(value)


def _case_name(type_: ast.Type) -> str:
    """A union case is named after its type: `list<u8>` -> `list-u8`."""
    from ..frontend.printer import print_type

    return "-".join(w for w in re.split(r"[^a-z0-9]+", print_type(type_).lower()) if w)
