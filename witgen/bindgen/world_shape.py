"""The resolved model -> a world's shape: what a component must import and
export, as the plain text `witgen_runtime.WorldShape` reads.

Generated `instantiate` carries one (the code model's `_SHAPE` constant)
and `witgen verify` builds the same from the WIT, so both are compared with
a component by the runtime's one comparator. Types are WIT-like text;
named types are written once in `types`, keyed `<interface as the world
imports or exports it>#<name>` (a world's own: `<name>`), and referred to
by key, which keeps the text linear in the WIT and gives each resource an
identity the runtime can find in the component.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Union

from .. import model as m
from .._compat import assert_never
from . import code as cm

# A function's type text, an interface's functions (name, type text), or
# None: an interface whose functions are not compared (wasmtime's WASI).
Members = Union[str, tuple[tuple[str, str], ...], None]


@dataclass(frozen=True)
class ExpectedWorld:
    name: str  # the world (`ns:pkg/world@1.0.0`) or interface it describes
    types: tuple[tuple[str, str], ...]  # key -> definition, in the order first used
    imports: tuple[tuple[str, Members], ...] | None  # None: not compared (one interface's bindings)
    exports: tuple[tuple[str, Members], ...]


def world_shape(
    resolve: m.Resolve, world_id: m.WorldId, name: str, compared: Callable[[m.InterfaceId], bool]
) -> ExpectedWorld:
    """`compared(iface)`: whether the functions of an imported interface are
    compared (not those wasmtime provides: its linker checks them)."""
    world = resolve.worlds[world_id]
    writer = _Writer(resolve, world_id)
    imports = tuple(
        (resolve.world_key_name(key), writer.members(item, compared))
        for key, item in world.imports.items() if not isinstance(item, m.TypeItem)
    )
    exports = tuple(
        (resolve.world_key_name(key), writer.members(item, lambda i: True))
        for key, item in world.exports.items() if not isinstance(item, m.TypeItem)
    )
    return ExpectedWorld(name, writer.table(), imports, exports)


def interface_shape(resolve: m.Resolve, iface: m.InterfaceId, instance: str) -> ExpectedWorld:
    """One exported interface's shape, exported as `instance`; imports unknown."""
    writer = _Writer(resolve, None, {iface: instance})
    exports = ((instance, writer.members(m.InterfaceItem(iface), lambda i: True)),)
    return ExpectedWorld(instance, writer.table(), None, exports)


def shape_expr(shape: ExpectedWorld, world_shape: cm.Expr) -> cm.Expr:
    """`_rt.WorldShape(name, types={...}, imports={...}, exports={...})`
    (`world_shape`: the runtime's class, as the module names it)."""

    def members(items: tuple[tuple[str, Members], ...]) -> cm.Expr:
        return cm.DictOf(tuple((cm.Lit(k), _member(v)) for k, v in items))

    return cm.Call(world_shape, (cm.Lit(shape.name),), (
        ("types", cm.DictOf(tuple((cm.Lit(k), cm.Lit(v)) for k, v in shape.types))),
        ("imports", members(shape.imports) if shape.imports is not None else cm.NONE),
        ("exports", members(shape.exports)),
    ))


def _member(value: Members) -> cm.Expr:
    if value is None or isinstance(value, str):
        return cm.Lit(value)
    return cm.DictOf(tuple((cm.Lit(k), cm.Lit(v)) for k, v in value))


class _Writer:
    def __init__(self, resolve: m.Resolve, world: m.WorldId | None,
                 instances: dict[m.InterfaceId, str] | None = None) -> None:
        self.resolve = resolve
        self.world = world
        # Interface -> the name the component imports or exports it by (imports win).
        self.instances: dict[m.InterfaceId, str] = dict(instances or {})
        if world is not None:
            w = resolve.worlds[world]
            for key, item in [*w.exports.items(), *w.imports.items()]:
                if isinstance(item, m.InterfaceItem):
                    self.instances[item.id] = resolve.world_key_name(key)
        self.keys: dict[m.TypeId, str] = {}
        self.definitions: dict[str, str] = {}
        self.pending: deque[m.TypeId] = deque()  # named types used, not yet defined

    def table(self) -> tuple[tuple[str, str], ...]:
        # A worklist, not recursion: a named type's text names the others by key.
        while self.pending:
            id = self.pending.popleft()
            self.definitions[self.keys[id]] = self.kind(self.resolve.types[id].kind)
        return tuple(self.definitions.items())

    def members(self, item: m.WorldItem, compared: Callable[[m.InterfaceId], bool]) -> Members:
        match item:
            case m.FunctionItem(function=function):
                return self.function(function)
            case m.InterfaceItem(id=iface):
                if not compared(iface):
                    return None
                functions = self.resolve.interfaces[iface].functions.values()
                return tuple((f.name, self.function(f)) for f in functions)
            case m.TypeItem():
                raise AssertionError("types are not members")
            case _:
                assert_never(item)

    def function(self, function: m.Function) -> str:
        params = ", ".join(f"{p.name}: {self.type(p.type)}" for p in function.params)
        result = f" -> {self.type(function.result)}" if function.result is not None else ""
        return f"func({params}){result}"

    def type(self, ty: m.Type) -> str:
        ty = self.resolve.unalias(ty)
        if isinstance(ty, str):
            return ty
        typedef = self.resolve.types[ty]
        if typedef.name is None:
            return self.kind(typedef.kind)
        if ty not in self.keys:
            self.keys[ty] = self.key(typedef)
            self.definitions[self.keys[ty]] = ""  # its place in the order
            self.pending.append(ty)
        return self.keys[ty]

    def key(self, typedef: m.TypeDef) -> str:
        assert typedef.name is not None
        owner = typedef.owner
        if owner is None or owner.kind == "world":
            return typedef.name
        iface = m.InterfaceId(owner.id)
        instance = self.instances.get(iface) or self.resolve.interface_name(iface) or "?"
        return f"{instance}#{typedef.name}"

    def kind(self, kind: m.TypeDefKind) -> str:
        t = self.type
        match kind:
            case m.Record(fields=fields):
                return f"record {{ {', '.join(f'{f.name}: {t(f.type)}' for f in fields)} }}"
            case m.Variant(cases=cases):
                parts = [c.name if c.type is None else f"{c.name}({t(c.type)})" for c in cases]
                return f"variant {{ {', '.join(parts)} }}"
            case m.Enum(cases=enum_cases):
                return f"enum {{ {', '.join(c.name for c in enum_cases)} }}"
            case m.Flags(flags=flags):
                return f"flags {{ {', '.join(f.name for f in flags)} }}"
            case m.Resource():
                return "resource"
            case m.Handle(kind=handle, resource=resource):
                return f"{handle}<{t(resource)}>"
            case m.Alias(target=target):
                return t(target)
            case m.ShapeKind():
                return m.shape_wit(kind, t)
            case m.Unknown():
                raise AssertionError("a resolved model has no Unknown types")
            case _:
                assert_never(kind)
