"""The syntax tree of one WIT file, as written: nothing is resolved yet.

Frozen dataclasses, built by `witgen.frontend.parser` (modern WIT) and
`witgen.legacy` (the 2022 dialect). Every node carries the `span` that a
diagnostic about it should point at: for a named item, its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Union

from .._records import dataclass

from ..diagnostics import Source, Span

if TYPE_CHECKING:
    # WIT's primitives and shapes are the model's; for mypy only, so that
    # importing the syntax tree does not import the model.
    from .. import model as m
    from ..model import Primitive as PrimitiveName

# ---- attributes (`@since`, `@unstable`, `@deprecated`, `@external-id`) ----


@dataclass(frozen=True)
class Since:
    version: str
    span: Span


@dataclass(frozen=True)
class Unstable:
    feature: str
    span: Span


@dataclass(frozen=True)
class Deprecated:
    version: str
    span: Span


@dataclass(frozen=True)
class ExternalId:
    id: str
    span: Span


Attribute = Union[Since, Unstable, Deprecated, ExternalId]
Attributes = tuple[Attribute, ...]

# ---- types ------------------------------------------------------------

@dataclass(frozen=True)
class Primitive:
    name: PrimitiveName
    span: Span


@dataclass(frozen=True)
class Named:
    """A reference by name to a type defined or `use`d in scope."""

    name: str
    span: Span


@dataclass(frozen=True)
class Handle:
    """`own<r>` or `borrow<r>`; a bare resource name is a `Named`."""

    kind: Literal["own", "borrow"]
    resource: Named
    span: Span


@dataclass(frozen=True)
class Shape:
    """A type written out, `list<T>`, `option<T>`, `result<T, E>`, ...: the
    model's shape of it, over types as written (see `model.Shape`)."""

    shape: m.Shape[Type]
    span: Span


# Closed: the parser, the printer and the resolver `match` over exactly these.
Type = Union[Primitive, Named, Handle, Shape]


# ---- type definitions -------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A record field or a function parameter."""

    name: str
    type: Type
    docs: str | None
    span: Span


@dataclass(frozen=True)
class Case:
    """A variant case (`type` None for a case without payload)."""

    name: str
    type: Type | None
    docs: str | None
    span: Span


@dataclass(frozen=True)
class EnumCase:
    name: str
    docs: str | None
    span: Span


@dataclass(frozen=True)
class Flag:
    name: str
    docs: str | None
    span: Span


@dataclass(frozen=True)
class TypeAlias:
    name: str
    type: Type
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class Record:
    name: str
    fields: tuple[Field, ...]
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class Flags:
    name: str
    flags: tuple[Flag, ...]
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class Variant:
    name: str
    cases: tuple[Case, ...]
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class Enum:
    name: str
    cases: tuple[EnumCase, ...]
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class FuncType:
    params: tuple[Field, ...]
    result: Type | None
    is_async: bool
    span: Span


@dataclass(frozen=True)
class Constructor:
    """`constructor(...)`, with an explicit result only when fallible."""

    type: FuncType
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class Method:
    name: str
    type: FuncType
    static: bool
    docs: str | None
    attrs: Attributes
    span: Span


ResourceFunc = Union[Constructor, Method]


@dataclass(frozen=True)
class Resource:
    name: str
    functions: tuple[ResourceFunc, ...]
    docs: str | None
    attrs: Attributes
    span: Span


TypeDef = Union[TypeAlias, Record, Flags, Variant, Enum, Resource]

# ---- functions and `use` ----------------------------------------------


@dataclass(frozen=True)
class Func:
    name: str
    type: FuncType
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class PackageName:
    namespace: str
    name: str
    version: str | None
    span: Span

    def __str__(self) -> str:
        base = f"{self.namespace}:{self.name}"
        return f"{base}@{self.version}" if self.version else base


@dataclass(frozen=True)
class LocalPath:
    """An interface or world of this package (or a top-level `use` alias)."""

    name: str
    span: Span


@dataclass(frozen=True)
class ForeignPath:
    """`ns:pkg/name@version`: an interface or world of another package."""

    package: PackageName
    name: str
    span: Span


UsePath = Union[LocalPath, ForeignPath]


@dataclass(frozen=True)
class UseName:
    name: str
    alias: str | None
    span: Span
    alias_span: Span | None


@dataclass(frozen=True)
class Use:
    """`use iface.{a, b as c};` inside an interface or world."""

    path: UsePath
    names: tuple[UseName, ...]
    docs: str | None
    attrs: Attributes
    span: Span


InterfaceItem = Union[Use, TypeDef, Func]


@dataclass(frozen=True)
class Interface:
    name: str
    items: tuple[InterfaceItem, ...]
    docs: str | None
    attrs: Attributes
    span: Span


# ---- worlds -----------------------------------------------------------


@dataclass(frozen=True)
class ExternFunc:
    """`import name: func(...)`."""

    name: str
    type: FuncType
    span: Span


@dataclass(frozen=True)
class ExternInline:
    """`import name: interface { ... }`."""

    name: str
    items: tuple[InterfaceItem, ...]
    span: Span


@dataclass(frozen=True)
class ExternPath:
    """`import iface;` or `import ns:pkg/iface@1.0.0;`."""

    path: UsePath
    span: Span


@dataclass(frozen=True)
class ExternNamedPath:
    """`import label: ns:pkg/iface;`: an interface under a plain name."""

    name: str
    path: UsePath
    span: Span


Extern = Union[ExternFunc, ExternInline, ExternPath, ExternNamedPath]


@dataclass(frozen=True)
class Import:
    extern: Extern
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class Export:
    extern: Extern
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class IncludeName:
    name: str
    alias: str
    span: Span


@dataclass(frozen=True)
class Include:
    path: UsePath
    names: tuple[IncludeName, ...]
    docs: str | None
    attrs: Attributes
    span: Span


WorldItem = Union[Import, Export, Use, TypeDef, Include]


@dataclass(frozen=True)
class World:
    name: str
    items: tuple[WorldItem, ...]
    docs: str | None
    attrs: Attributes
    span: Span


# ---- files ------------------------------------------------------------


@dataclass(frozen=True)
class TopLevelUse:
    """`use ns:pkg/iface as alias;` at the top of a file."""

    path: UsePath
    alias: str | None
    attrs: Attributes
    span: Span


PackageItem = Union[TopLevelUse, Interface, World]


@dataclass(frozen=True)
class PackageHeader:
    """`package ns:name@version;` at the top of a file."""

    name: PackageName
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class NestedPackage:
    """`package ns:name { ... }`: a whole package inside another file."""

    name: PackageName
    items: tuple[PackageItem, ...]
    docs: str | None
    attrs: Attributes
    span: Span


@dataclass(frozen=True)
class File:
    source: Source
    package: PackageHeader | None
    items: tuple[PackageItem, ...]
    nested: tuple[NestedPackage, ...]
