"""The code model: a generated package as plain data, every decision made.

`witgen.bindgen` builds it from the resolved model; `witgen.render` lays it
out through the templates and writes each `Expr` as Python text
(`render.python`). Nothing here is Python source: names are identifiers,
expressions are trees, and text from outside (docs, WIT names, the
source's name) stays raw until the renderer quotes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

# ---- expressions ----------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """An identifier in scope: `Point`, `_rt`, `store`."""

    id: str


@dataclass(frozen=True)
class Attr:
    """`value.name`."""

    value: Expr
    name: str


@dataclass(frozen=True)
class Call:
    """`func(*args, **keywords)`."""

    func: Expr
    args: tuple[Expr, ...] = ()
    keywords: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class Subscript:
    """`value[items]`: generic annotations."""

    value: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Lit:
    """A constant: text from outside is quoted by the renderer, never here."""

    value: str | int | bool | None


@dataclass(frozen=True)
class TupleOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class ListOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class DictOf:
    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Add:
    """`left + right`."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Lambda:
    params: tuple[str, ...]
    body: Expr


@dataclass(frozen=True)
class Await:
    """`await value`."""

    value: Expr


Expr = Union[Name, Attr, Call, Subscript, Lit, TupleOf, ListOf, DictOf, Add, Lambda, Await]

NONE = Lit(None)


def rt(name: str) -> Attr:
    """A name of the runtime library, imported as `_rt` by every module."""
    return Attr(Name("_rt"), name)


# ---- functions ------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    annotation: Expr | None = None  # None: `self`, `cls`
    default: Expr | None = None
    keyword_only: bool = False  # the first such parameter gets a `*` before it


Decorator = Literal["staticmethod", "classmethod", "property"]


@dataclass(frozen=True)
class Def:
    """A function or method. `body` None: a Protocol's `...`; otherwise the
    call it makes, returned through `local` (annotated, for mypy) unless the
    function returns `None`."""

    name: str
    params: tuple[Param, ...]
    returns: Expr
    docs: str | None = None
    decorator: Decorator | None = None
    body: Expr | None = None
    local: str = "result"
    raises: Expr | None = None  # the error a WIT `result` raises as `Err(...)`, for the docstring
    is_async: bool = False  # `async def`


# ---- declarations ---------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A record field, enum case or flag: `name` in Python, `wit` in WIT."""

    name: str
    wit: str
    docs: str | None
    annotation: Expr | None = None  # fields only


@dataclass(frozen=True)
class Record:
    name: str
    docs: str
    fields: tuple[Member, ...]


@dataclass(frozen=True)
class Enum:
    name: str
    docs: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Flags:
    name: str
    docs: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Case:
    name: str  # the case's class, `Shape_Circle`
    docs: str
    payload: Expr | None  # the annotation of its `value`


@dataclass(frozen=True)
class Variant:
    name: str  # the Union alias
    docs: str
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Alias:
    name: str
    docs: str | None
    target: Expr


@dataclass(frozen=True)
class Protocol:
    """A `typing.Protocol`: a host resource's class, or what a host implements."""

    name: str
    docs: str
    bases: tuple[Expr, ...]
    methods: tuple[Def, ...]


@dataclass(frozen=True)
class Proxy:
    """A resource the component exports, as a class whose methods call it."""

    name: str
    docs: str
    wit: str
    methods: tuple[Def, ...]


@dataclass(frozen=True)
class Constant:
    """`name = value` at module level: codecs and export specs, built at import."""

    name: str
    value: Expr


Decl = Union[Record, Enum, Flags, Variant, Alias, Protocol, Proxy, Constant]


# ---- what the host implements and calls ----------------------------------


@dataclass(frozen=True)
class LinkerFunction:
    """`add_to_linker(linker, host[, name])`: defines what the component
    imports in a linker, each function calling into `host`."""

    name: str
    host: Expr  # the Protocol the host object satisfies
    instance: str | None  # the default instance name; None for a world's own imports
    async_host: Expr  # the Protocol with `async def` methods, which the host may satisfy instead
    required: tuple[str, ...]  # attributes `host_getter` checks
    definitions: tuple[Expr, ...]  # the `_rt.add_...(instance, ...)` calls


@dataclass(frozen=True)
class Slot:
    """An export bound when its class is made: `self.<name> = value`."""

    name: str
    value: Expr


@dataclass(frozen=True)
class Accessor:
    """An exported interface's class: one bound export per function."""

    name: str
    docs: str
    instance: str
    slots: tuple[Slot, ...]
    methods: tuple[Def, ...]
    shape: str  # the module's `WorldShape` constant, which `instantiate` checks
    async_name: str  # its awaited twin, `AsyncExports`: the same methods, `async def`
    async_methods: tuple[Def, ...]


@dataclass(frozen=True)
class WorldClass:
    name: str
    docs: str
    qualified: str  # `ns:pkg/world@1.0.0`
    shape: str  # the `WorldShape` constant `instantiate` checks the component against
    slots: tuple[Slot, ...]  # exported interfaces' accessors, then functions
    linker_params: tuple[Param, ...]  # of `add_to_linker`, after `linker`
    linker_docs: str
    wasi_http: bool  # `_rt.add_wasi(linker, http=True)`
    linker_calls: tuple[Expr, ...]
    methods: tuple[Def, ...]
    # Its awaited twin `{World}Async`: exported interfaces' `AsyncExports`, the same methods, `async def`.
    async_name: str
    async_slots: tuple[Slot, ...]
    async_methods: tuple[Def, ...]


# ---- modules ----------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import line: `import enum`, `from typing import Any, Union`,
    `from . import types as _types`, `import other_pkg.types as _types`."""

    module: str
    names: tuple[str, ...] = ()  # empty: `import module [as alias]`
    alias: str | None = None


@dataclass(frozen=True)
class Module:
    path: str  # inside the generated package, `kvdb.py`
    docs: str
    imports: tuple[tuple[Import, ...], ...]  # groups, a blank line between them
    # `__init__` only: the runtime interface it checks before importing the rest.
    runtime_interface: int | None
    package_imports: tuple[Import, ...]  # the package's own modules, after the check
    exports: tuple[str, ...]  # `__all__`
    declarations: tuple[Decl, ...]
    # What the host implements: its Protocol, the Protocol of its resource
    # classes (a base of the first), the function defining them in a linker.
    host: tuple[Protocol, Protocol | None, LinkerFunction] | None = None
    async_host: Protocol | None = None  # the host's Protocol with `async def` methods
    accessor: Accessor | None = None
    world: WorldClass | None = None
    # The interface or world-level items the bindings leave out, and why.
    left_out: tuple[LeftOut, ...] = ()


@dataclass(frozen=True)
class LeftOut:
    """A function left out, and why (said in the module docstring and by the CLI)."""

    wit: str
    reason: str


@dataclass(frozen=True)
class Package:
    """A whole generated package: its modules, and what was left out."""

    name: str
    source: str
    modules: tuple[Module, ...]
    left_out: tuple[LeftOut, ...] = field(default=())
