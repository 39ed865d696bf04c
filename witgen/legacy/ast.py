"""The syntax tree of one legacy (2022) WIT document, as written.

Built by `witgen.legacy.parser`; `witgen.legacy.migration` turns it into
today's AST. Nothing is decided here: a word that was a keyword for only
part of 2022 (`unit`, `float32`, `result`, ...) is a `Named` type until
migration knows whether the document defines a type of that name, and a
`"quoted"` name is checked only when it is migrated.
"""

from __future__ import annotations

from typing import Literal

from .._records import dataclass
from ..diagnostics import Source, Span


@dataclass(frozen=True)
class Name:
    """`name`, `%name`, or (until March 2022) `"name"`: `quoted`, and not
    yet checked to be kebab-case."""

    text: str
    quoted: bool
    span: Span


# ---- types --------------------------------------------------------------


# The words that were always keywords (the float names were not: `Named`).
PrimitiveName = Literal["bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64", "char", "string"]


@dataclass(frozen=True)
class Primitive:
    name: PrimitiveName
    span: Span


@dataclass(frozen=True)
class Named:
    name: Name


@dataclass(frozen=True)
class Handle:
    """`handle r`: an owned handle of resource `r`."""

    resource: Name
    span: Span


@dataclass(frozen=True)
class ListOf:
    element: Type
    span: Span


@dataclass(frozen=True)
class OptionOf:
    inner: Type
    span: Span


@dataclass(frozen=True)
class TupleOf:
    items: tuple[Type, ...]
    span: Span


@dataclass(frozen=True)
class Hole:
    """`_` as a type argument: "no type"."""

    span: Span


@dataclass(frozen=True)
class Generic:
    """`expected<T, E>`, `result<...>`, `stream<T, E>`, `future<T>`,
    `push-buffer<T>`, `pull-buffer<T>`: known by name, with as many
    arguments as that name takes (the parser checks)."""

    name: Name
    args: tuple[TypeArg, ...]


Type = Primitive | Named | Handle | ListOf | OptionOf | TupleOf | Generic
TypeArg = Type | Hole

# ---- functions ----------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: Name
    type: Type


@dataclass(frozen=True)
class Result:
    """One result: `-> T`, or one of a list `-> (a: T, U)` (`name` if named)."""

    name: Name | None
    type: Type


@dataclass(frozen=True)
class Function:
    """`function(...) -> ...` (or `func`), `async` or not."""

    is_async: bool
    keyword: Span
    params: tuple[Param, ...]
    results: tuple[Result, ...]


@dataclass(frozen=True)
class Value:
    """`name: function(...)`; `name: type` is a global (never in the
    component model). In a resource, `static` or not."""

    name: Name
    type: Function | Type
    docs: str | None
    static: bool = False


# ---- type definitions -----------------------------------------------------


@dataclass(frozen=True)
class TypeAlias:
    name: Name
    type: Type
    docs: str | None


@dataclass(frozen=True)
class Field:
    name: Name
    type: Type
    docs: str | None


@dataclass(frozen=True)
class Record:
    name: Name
    fields: tuple[Field, ...]
    docs: str | None


@dataclass(frozen=True)
class Flag:
    name: Name
    docs: str | None


@dataclass(frozen=True)
class Flags:
    name: Name
    flags: tuple[Flag, ...]
    docs: str | None


@dataclass(frozen=True)
class Case:
    name: Name
    type: Type | None
    docs: str | None


@dataclass(frozen=True)
class Variant:
    name: Name
    cases: tuple[Case, ...]
    docs: str | None


@dataclass(frozen=True)
class EnumCase:
    name: Name
    docs: str | None


@dataclass(frozen=True)
class Enum:
    name: Name
    cases: tuple[EnumCase, ...]
    docs: str | None


@dataclass(frozen=True)
class UnionCase:
    type: Type
    docs: str | None


@dataclass(frozen=True)
class Union:
    """`union u { s32, list<u8> }`."""

    name: Name
    cases: tuple[UnionCase, ...]
    docs: str | None


@dataclass(frozen=True)
class Implements:
    """`implements base` after a resource's name (the keyword's span)."""

    base: Name
    span: Span


@dataclass(frozen=True)
class Resource:
    name: Name
    implements: Implements | None
    functions: tuple[Value, ...]
    docs: str | None


TypeDef = TypeAlias | Record | Flags | Variant | Enum | Union | Resource

# ---- the document ---------------------------------------------------------


@dataclass(frozen=True)
class UseName:
    name: Name
    alias: Name | None


@dataclass(frozen=True)
class Use:
    """`use { a, b as c } from other` (`names`), or `use * from other`
    (None; `span` is the `*`'s)."""

    source: Name
    names: tuple[UseName, ...] | None
    docs: str | None
    span: Span


@dataclass(frozen=True)
class Interface:
    """`interface name { ... }` inside a document: never in the component model."""

    name: Name
    items: tuple[Item, ...]


Item = Use | TypeDef | Value | Interface


@dataclass(frozen=True)
class Document:
    source: Source
    items: tuple[Item, ...]
