"""The resolved model: every name looked up, every package linked.

Mirrors wit-parser's `Resolve`: arenas (plain lists) of `TypeDef`,
`Interface`, `World` and `Package`, addressed by ids (ints to Python, four
distinct types to mypy). A type reference (`Type`) is either a primitive's
name (`"u32"`, `"string"`, ...) or a `TypeId` into `Resolve.types`. Built by
`witgen.resolve`, consumed by the code generators; nothing here reads
syntax (shapes can be written as WIT: `witgen migrate` and the syntax tree
share them).

Each stage that cares about the kind of a type definition `match`es over
`TypeDefKind` and ends with `assert_never`, so that mypy names every place a
new kind must be handled. What a kind refers to is `type_references` (and,
to rebuild one with other ids, `map_type_ids`): the one place that knows
each kind's children.

A new kind of type written out (as `map<K, V>`, `list<T, N>`, `future<T>`
and `stream<T>` were added to WIT) touches six files, each pointed at:

1. here: its class, a `ShapeKind` in `Shape`; then mypy names the `match`es
   left (`shape_references`, `map_shape`, `shape_wit`, `shape_json`);
2. `bindgen/types.py`: can its values cross wasmtime's C API, its
   annotation and its codec (mypy names each `match`);
3. `grammar/wit.lark` and 4. `frontend/parser.py`, its syntax and the rule's
   callback: `tests/resolve/test_kinds.py` fails until `EVERY_KIND` writes
   the kind, and `tests/frontend/test_parser.py` until the rule has a
   callback (then `python -m witgen.frontend.lalr` rebuilds the table);
5. `binary/components.py`, its binary encoding:
   `tests/binary/test_oracle.py` decodes `EVERY_KIND` as wasm-tools does;
6. `runtime/witgen_runtime/_values.py`, everything the runtime knows of
   it: its entry in `KINDS` (C numbering, how its type is read and
   compared) and, if its values can cross, its codec:
   `tests/bindgen/test_types.py` imports bindings using every kind, and
   the runtime's `tests/test_kinds.py` wants an entry for every kind
   wasmtime's C API has.

mypy can point only at consumers (an exhaustive `match`); what produces
the new class (the parser, the binary decoder) or lives outside witgen's
Python (the grammar, the runtime, which never imports witgen) is pointed
at by those tests. A kind with a rule of its own (as `map`'s key types) has
it checked where wit-parser checks it, in `resolve/package.py`.

Stages that treat all shapes alike (resolving, linking, the syntax tree,
WIT and JSON writers, the expected-world text of `witgen verify`) need
nothing. A new kind of declaration (as `record`) also needs its node in
`frontend/ast.py` and its cases in `frontend/printer.py` and
`model/witjson.py`, which mypy names.
"""

from __future__ import annotations

import functools
import re
from typing import (
    Any,
    Callable,
    Container,
    Generic,
    Hashable,
    Iterable,
    Iterator,
    Literal,
    NewType,
    TypeGuard,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
)

from .._records import dataclass, field, replace

from .._compat import assert_never
from ..diagnostics import Span

# Indexes into the arenas of a `Resolve` (or of one package being resolved).
# `NewType`s: plain ints at run time, but mypy rejects one for another.
TypeId = NewType("TypeId", int)
InterfaceId = NewType("InterfaceId", int)
WorldId = NewType("WorldId", int)
PackageId = NewType("PackageId", int)

# WIT's primitive types, in the order of wit-parser's `Type` enum. The one
# list: `PRIMITIVES` is read from it, and a `Type` that is a string must be
# one of them (mypy rejects `Alias("u3")` or a type's name).
Primitive = Literal[
    "bool",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "string",
    "error-context",
]
PRIMITIVES: tuple[Primitive, ...] = get_args(Primitive)

_V = TypeVar("_V")

# A primitive, or the id of a `TypeDef`.
Type = Union[Primitive, TypeId]

# ---- versions and names -------------------------------------------------

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)

VersionKey = tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]


@functools.lru_cache(maxsize=None)  # every `@since` is compared with its package's version
def version_key(version: str) -> VersionKey:
    """A sort key giving semver precedence (build metadata last, as `semver` does)."""
    match = _SEMVER.match(version)
    if match is None:
        return (0, 0, 0, 1, ((1, 0, version),))
    major, minor, patch, pre, build = match.groups()
    # A release sorts after all of its pre-releases.
    pre_parts = tuple(_ident_key(p) for p in pre.split(".")) if pre else ()
    build_parts = tuple(_ident_key(p) for p in build.split(".")) if build else ()
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre_parts + ((2, 0, ""),) + build_parts)


def _ident_key(ident: str) -> tuple[int, int, str]:
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


@dataclass(frozen=True)
class PackageName:
    namespace: str
    name: str
    version: str | None = None

    def __str__(self) -> str:
        base = f"{self.namespace}:{self.name}"
        return f"{base}@{self.version}" if self.version is not None else base

    def sort_key(self) -> tuple[str, str, bool, VersionKey | None]:
        """wit-parser's order: namespace, name, then no version before any."""
        version = version_key(self.version) if self.version is not None else None
        return (self.namespace, self.name, version is not None, version)


def match_package(requested: PackageName, known: dict[PackageName, _V]) -> _V | None:
    """`known[requested]`; failing that, a path written without a version
    (`use a:b/i`) takes the one version of `a:b` there is, if unique."""
    found = known.get(requested)
    if found is not None or requested.version is not None:
        return found
    same = [v for k, v in known.items() if k.namespace == requested.namespace and k.name == requested.name]
    return same[0] if len(same) == 1 else None


@dataclass(frozen=True)
class Stability:
    """`@since` / `@unstable` / `@deprecated`; `kind` "unknown" when absent."""

    kind: Literal["unknown", "stable", "unstable"] = "unknown"
    since: str | None = None
    feature: str | None = None
    deprecated: str | None = None

    @property
    def is_unknown(self) -> bool:
        return self.kind == "unknown"


UNKNOWN = Stability()

# ---- type definitions ---------------------------------------------------


@dataclass(frozen=True)
class TypeOwner:
    kind: Literal["interface", "world"]
    id: InterfaceId | WorldId


@dataclass
class Field:
    name: str
    type: Type
    docs: str | None = None
    span: Span | None = None


@dataclass
class Flag:
    name: str
    docs: str | None = None
    span: Span | None = None


@dataclass
class Case:
    name: str
    type: Type | None
    docs: str | None = None
    span: Span | None = None


@dataclass
class EnumCase:
    name: str
    docs: str | None = None
    span: Span | None = None


@dataclass
class Alias:
    """`type a = b;` (also every `use`d name: an alias of the original)."""

    target: Type


@dataclass
class Record:
    fields: list[Field]


@dataclass
class Flags:
    flags: list[Flag]


@dataclass
class Variant:
    cases: list[Case]


@dataclass
class Enum:
    cases: list[EnumCase]


@dataclass
class Resource:
    pass


@dataclass(frozen=True)
class Handle:
    kind: Literal["own", "borrow"]
    resource: TypeId


# ---- shapes: types written out (`list<T>`, `option<T>`, ...) ------------
#
# Generic in what a reference `R` is: a `Type` here, a type as written
# (`ast.Type`) in the syntax tree, which holds the same classes. So a shape is
# defined, walked, mapped, written as WIT and as JSON once, below, for both.

R = TypeVar("R")
S = TypeVar("S")


class ShapeKind(Generic[R]):
    """What every shape is. A stage that treats all shapes alike matches
    this (`case m.ShapeKind():`), and mypy still sees the match as
    exhaustive; a stage with a question per shape matches each class."""

    __slots__ = ()


# Frozen, so a shape over hashable references is a key: the resolver gives
# one id to each distinct anonymous structure.


@dataclass(frozen=True)
class List(ShapeKind[R]):
    element: R


@dataclass(frozen=True)
class FixedList(ShapeKind[R]):
    element: R
    size: int


@dataclass(frozen=True)
class Map(ShapeKind[R]):
    key: R
    value: R


@dataclass(frozen=True)
class Option(ShapeKind[R]):
    inner: R


@dataclass(frozen=True)
class Result(ShapeKind[R]):
    ok: R | None
    err: R | None


@dataclass(frozen=True)
class Tuple(ShapeKind[R]):
    types: tuple[R, ...]


@dataclass(frozen=True)
class Future(ShapeKind[R]):
    inner: R | None


@dataclass(frozen=True)
class Stream(ShapeKind[R]):
    inner: R | None


# Closed: `shape_references`, `map_shape`, `shape_wit` and `shape_json` are
# the `match`es over exactly these; stages that treat one specially match too.
Shape = Union[List[R], FixedList[R], Map[R], Option[R], Result[R], Tuple[R], Future[R], Stream[R]]


def is_shape(value: object) -> TypeGuard[Shape[Any]]:
    """Whether `value` is a shape (over any kind of reference)."""
    return isinstance(value, ShapeKind)


def shape_references(shape: Shape[R]) -> Iterator[R]:
    """The types a shape refers to, in the order they are written."""
    match shape:
        case List(element=element) | FixedList(element=element):
            yield element
        case Map(key=key, value=value):
            yield key
            yield value
        case Option(inner=inner):
            yield inner
        case Result(ok=ok, err=err):
            if ok is not None:
                yield ok
            if err is not None:
                yield err
        case Tuple(types=types):
            yield from types
        case Future(inner=inner) | Stream(inner=inner):
            if inner is not None:
                yield inner
        case _:
            assert_never(shape)


def map_shape(shape: Shape[R], f: Callable[[R], S]) -> Shape[S]:
    """`shape` with each reference `r` replaced by `f(r)`, called in
    `shape_references`' order (ids are numbered by it)."""

    def opt(r: R | None) -> S | None:
        return None if r is None else f(r)

    match shape:
        case List(element=element):
            return List(f(element))
        case FixedList(element=element, size=size):
            return FixedList(f(element), size)
        case Map(key=key, value=value):
            mapped_key = f(key)
            return Map(mapped_key, f(value))
        case Option(inner=inner):
            return Option(f(inner))
        case Result(ok=ok, err=err):
            mapped_ok = opt(ok)
            return Result(mapped_ok, opt(err))
        case Tuple(types=types):
            return Tuple(tuple(f(t) for t in types))
        case Future(inner=inner):
            return Future(opt(inner))
        case Stream(inner=inner):
            return Stream(opt(inner))
        case _:
            assert_never(shape)


def shape_wit(shape: Shape[R], wit: Callable[[R], str]) -> str:
    """`shape` as WIT, each reference written by `wit`."""
    match shape:
        case List(element=element):
            return f"list<{wit(element)}>"
        case FixedList(element=element, size=size):
            return f"list<{wit(element)}, {size}>"
        case Map(key=key, value=value):
            return f"map<{wit(key)}, {wit(value)}>"
        case Option(inner=inner):
            return f"option<{wit(inner)}>"
        case Result(ok=None, err=None):
            return "result"
        case Result(ok=ok, err=None):
            assert ok is not None
            return f"result<{wit(ok)}>"
        case Result(ok=ok, err=err):
            assert err is not None
            return f"result<{'_' if ok is None else wit(ok)}, {wit(err)}>"
        case Tuple(types=types):
            return f"tuple<{', '.join(wit(t) for t in types)}>"
        case Future(inner=inner):
            return "future" if inner is None else f"future<{wit(inner)}>"
        case Stream(inner=inner):
            return "stream" if inner is None else f"stream<{wit(inner)}>"
        case _:
            assert_never(shape)


def shape_json(shape: Shape[Type]) -> dict[str, object]:
    """`shape` as wit-parser's JSON (serde's form of its `TypeDefKind`)."""
    match shape:
        case List(element=element):
            return {"list": element}
        case FixedList(element=element, size=size):
            return {"fixed-length-list": [element, size]}
        case Map(key=key, value=value):
            return {"map": [key, value]}
        case Option(inner=inner):
            return {"option": inner}
        case Result(ok=ok, err=err):
            return {"result": {"ok": ok, "err": err}}
        case Tuple(types=types):
            return {"tuple": {"types": list(types)}}
        case Future(inner=inner):
            return {"future": inner}
        case Stream(inner=inner):
            return {"stream": inner}
        case _:
            assert_never(shape)


@dataclass
class Unknown:
    """A type `use`d from another package, before that package is linked.

    wit-parser's `TypeDefKind::Unknown`, for the same reason: a package is
    resolved alone, so what it takes from others is a placeholder until
    `link` connects it. Only the resolver sees this; a finished `Resolve`
    never contains one.
    """


# Closed: every stage `match`es over exactly these (see the module's docs).
TypeDefKind = Union[Alias, Record, Flags, Variant, Enum, Resource, Handle, Shape[Type], Unknown]


@dataclass
class TypeDef:
    name: str | None
    kind: TypeDefKind
    owner: TypeOwner | None
    docs: str | None = None
    stability: Stability = UNKNOWN
    span: Span | None = None
    external_id: str | None = None


# ---- functions ------------------------------------------------------------

FunctionKind = Literal[
    "freestanding",
    "async-freestanding",
    "method",
    "async-method",
    "static",
    "async-static",
    "constructor",
]


@dataclass
class Param:
    name: str
    type: Type
    span: Span | None = None


@dataclass
class Function:
    """A function; resource functions carry `resource` and a mangled name
    (`[constructor]r`, `[method]r.m`, `[static]r.f`)."""

    name: str
    kind: FunctionKind
    params: list[Param]
    result: Type | None
    resource: TypeId | None = None
    docs: str | None = None
    stability: Stability = UNKNOWN
    span: Span | None = None
    external_id: str | None = None

    @property
    def is_async(self) -> bool:
        return self.kind.startswith("async-")

    @property
    def item_name(self) -> str:
        """The name as written: `m` for `[method]r.m`, `r` for a constructor."""
        if self.name.startswith("["):
            rest = self.name.split("]", 1)[1]
            return rest.split(".", 1)[1] if "." in rest else rest
        return self.name


# ---- interfaces, worlds, packages ---------------------------------------


@dataclass
class Interface:
    name: str | None
    types: dict[str, TypeId] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    docs: str | None = None
    stability: Stability = UNKNOWN
    package: PackageId | None = None
    span: Span | None = None
    clone_of: InterfaceId | None = None


# A world's import/export key: a plain name, or the id of an interface
# imported or exported by its path.
WorldKey = Union[str, InterfaceId]


@dataclass
class InterfaceItem:
    id: InterfaceId
    stability: Stability = UNKNOWN
    docs: str | None = None
    span: Span | None = None
    external_id: str | None = None


@dataclass
class FunctionItem:
    function: Function

    @property
    def span(self) -> Span | None:
        return self.function.span


@dataclass
class TypeItem:
    id: TypeId
    span: Span | None = None


WorldItem = Union[InterfaceItem, FunctionItem, TypeItem]


@dataclass
class World:
    name: str
    imports: dict[WorldKey, WorldItem] = field(default_factory=dict)
    exports: dict[WorldKey, WorldItem] = field(default_factory=dict)
    package: PackageId | None = None
    docs: str | None = None
    stability: Stability = UNKNOWN
    span: Span | None = None


@dataclass
class Package:
    name: PackageName
    docs: str | None = None
    interfaces: dict[str, InterfaceId] = field(default_factory=dict)
    worlds: dict[str, WorldId] = field(default_factory=dict)


# ---- the whole ------------------------------------------------------------


@dataclass
class Resolve:
    types: list[TypeDef] = field(default_factory=list)
    interfaces: list[Interface] = field(default_factory=list)
    worlds: list[World] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    package_names: dict[PackageName, PackageId] = field(default_factory=dict)

    # ---- lookups ----

    def package_for(self, name: PackageName, docs: str | None = None) -> PackageId:
        """The package `name`, added empty (with `docs`) if there is none:
        decoded packages join those already read."""
        id = self.package_names.get(name)
        if id is None:
            id = self.package_names[name] = PackageId(len(self.packages))
            self.packages.append(Package(name, docs))
        return id

    def package_named(self, name: str) -> PackageId | None:
        """`ns:pkg` or `ns:pkg@1.0.0`."""
        for package_name, id in self.package_names.items():
            if str(package_name) == name:
                return id
        return None

    def interface_name(self, id: InterfaceId) -> str | None:
        """`ns:pkg/iface@version`, or None for an inline interface."""
        iface = self.interfaces[id]
        if iface.name is None or iface.package is None:
            return None
        package = self.packages[iface.package].name
        base = f"{package.namespace}:{package.name}/{iface.name}"
        return f"{base}@{package.version}" if package.version is not None else base

    def select_world(self, main: list[PackageId], name: str | None = None) -> WorldId:
        """The world `name` names (`w`, `ns:pkg/w`, `ns:pkg/w@1.0.0`).

        A bare `w` is looked up in the `main` packages; no name at all means
        the only world of the first main package. Raises `LookupError`.
        """
        if name is not None and "/" in name:
            package_text, world = name.rsplit("/", 1)
            version = None
            if "@" in world:
                world, version = world.split("@", 1)
            namespace, _, package_name = package_text.partition(":")
            package = match_package(PackageName(namespace, package_name, version), self.package_names)
            if package is None:
                raise LookupError(f"no package `{package_text}`")
            candidates = [package]
        else:
            world = name or ""
            candidates = main[:1] if name is None else list(main)
        for package in candidates:
            worlds = self.packages[package].worlds
            if name is None:
                if len(worlds) == 1:
                    return next(iter(worlds.values()))
                listed = ", ".join(f"`{w}`" for w in worlds) or "none"
                raise LookupError(
                    f"package `{self.packages[package].name}` has several worlds or none ({listed}): name one"
                )
            if world in worlds:
                return worlds[world]
        raise LookupError(f"no world `{name}`")

    def world_key_name(self, key: WorldKey) -> str:
        """The name a world import/export goes by in a component."""
        if isinstance(key, str):
            return key
        return self.interface_name(key) or "<anonymous interface>"

    def unalias(self, ty: Type, memo: dict[TypeId, Type] | None = None) -> Type:
        """Follow `type a = b` aliases (and `use`s) to the defining type.

        With `memo` (alias -> target, kept by the caller while the arena's
        types stay as they are), each chain is walked once however many of
        its links are asked about: chains of `use` make long ones."""
        chain: list[TypeId] = []
        while isinstance(ty, int):
            if memo is not None and ty in memo:
                ty = memo[ty]
                break
            kind = self.types[ty].kind
            if not isinstance(kind, Alias):
                break
            chain.append(ty)
            ty = kind.target
        if memo is not None:
            for alias in chain:
                memo[alias] = ty
        return ty

    def resource_of(self, ty: TypeId, memo: dict[TypeId, Type] | None = None) -> TypeId | None:
        """The resource `ty` names through aliases, if it names one."""
        target = self.unalias(ty, memo)
        if isinstance(target, int) and isinstance(self.types[target].kind, Resource):
            return target
        return None

    # ---- walking ----

    def world_imports(self, world: WorldId) -> Iterator[tuple[WorldKey, WorldItem]]:
        return iter(self.worlds[world].imports.items())

    def world_exports(self, world: WorldId) -> Iterator[tuple[WorldKey, WorldItem]]:
        return iter(self.worlds[world].exports.items())

    def type_references(self, kind: TypeDefKind) -> Iterator[Type]:
        """`type_references(kind)`, for code that holds a `Resolve`."""
        return type_references(kind)

    def topological_types(self, roots: list[TypeId] | None = None) -> list[TypeId]:
        """Type ids with every type after those it refers to.

        Stable: among types that do not depend on each other, arena order.
        With `roots`, only those and what they reach.
        """
        start = cast("list[TypeId]", list(range(len(self.types)))) if roots is None else roots
        return post_order(start, self.type_ids_referenced)

    def type_ids_referenced(self, id: TypeId) -> list[TypeId]:
        """The type ids (not primitives) that `id`'s definition refers to, in order."""
        return [t for t in type_references(self.types[id].kind) if isinstance(t, int)]

    def type_interface_dep(self, id: TypeId) -> InterfaceId | None:
        """For `use iface.{t}`: the interface the aliased type comes from."""
        ty = self.types[id]
        if not isinstance(ty.kind, Alias) or not isinstance(ty.kind.target, int):
            return None
        other = self.types[ty.kind.target].owner
        if other is not None and other.kind == "interface" and other != ty.owner:
            return InterfaceId(other.id)
        return None

    def interface_direct_deps(self, id: InterfaceId) -> Iterator[InterfaceId]:
        """Interfaces whose types `id` uses, in order of first use."""
        seen: set[InterfaceId] = set()
        for ty in self.interfaces[id].types.values():
            dep = self.type_interface_dep(ty)
            if dep is not None and dep not in seen:
                seen.add(dep)
                yield dep

    def topological_packages(self) -> list[PackageId]:
        """Package ids with dependencies first (the arena is already so)."""
        return cast("list[PackageId]", list(range(len(self.packages))))


# ---- what a kind refers to ----------------------------------------------


def type_references(kind: TypeDefKind) -> Iterator[Type]:
    """The types a definition refers to directly, in order: the one place
    that knows each kind's children (walks, orderings and copies use it)."""
    match kind:
        case Alias(target=target):
            yield target
        case Record(fields=fields):
            yield from (f.type for f in fields)
        case Variant(cases=cases):
            yield from (c.type for c in cases if c.type is not None)
        case Handle(resource=resource):
            yield resource
        case Flags() | Enum() | Resource() | Unknown():
            pass
        case ShapeKind():
            yield from shape_references(kind)
        case _:
            assert_never(kind)


def map_type_ids(kind: TypeDefKind, f: Callable[[TypeId], TypeId]) -> TypeDefKind:
    """`kind` with every type id it refers to replaced by `f(id)`, called in
    `type_references`' order (copies number their types by it); primitives
    stay. A kind that refers to nothing comes back as it is."""

    def ty(t: Type) -> Type:
        return f(t) if isinstance(t, int) else t

    match kind:
        case Alias(target=target):
            return Alias(ty(target))
        case Record(fields=fields):
            return Record([replace(x, type=ty(x.type)) for x in fields])
        case Variant(cases=cases):
            return Variant([replace(c, type=None if c.type is None else ty(c.type)) for c in cases])
        case Handle(kind=how, resource=resource):
            return Handle(how, f(resource))
        case Flags() | Enum() | Resource() | Unknown():
            return kind
        case ShapeKind():
            return map_shape(kind, ty)
        case _:
            assert_never(kind)


Node = TypeVar("Node", bound=Hashable)


def post_order(
    roots: Iterable[Node], children: Callable[[Node], Iterable[Node]], skip: Container[Node] = ()
) -> list[Node]:
    """Every node reachable from `roots` and not in `skip`, once, each after
    its children (in the order `children` gives them). Iterative: chains of
    types, interfaces and packages in real input are shallow, in hostile
    input thousands deep. Walks that compute a value per node memoise it in
    `skip` and take linear time however the nodes share their parts."""
    order: list[Node] = []
    seen: set[Node] = set()
    for root in roots:
        if root in seen or root in skip:
            continue
        seen.add(root)
        stack = [(root, iter(children(root)))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if child not in seen and child not in skip:
                    seen.add(child)
                    stack.append((child, iter(children(child))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order
