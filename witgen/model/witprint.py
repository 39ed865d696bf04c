"""The resolved model -> WIT text, laid out as `wasm-tools component wit` does.

Prints one package as the main one (`package a:b;` then its items) and any
others after it in the nested form (`package c:d { ... }`), with
wit-component's `WitPrinter` layout: two-space indentation, a blank line
between items of an interface, `use` for a type that aliases another
interface's, keywords escaped with `%`. What `witgen wit` shows of a
component binary; parsing the text gives the same packages back.
"""

from __future__ import annotations

import functools
from typing import Iterable, Sequence

from .. import model as m
from .._compat import assert_never

__all__ = ["print_packages", "print_resolve"]

# wit-component's printer escapes WIT's keywords, which the grammar defines
# (a new one is escaped with no edit here), and words WIT no longer reserves.
_ALSO_ESCAPED = frozenset({"_", "float32", "float64", "from"})


@functools.lru_cache(maxsize=None)
def _escaped() -> frozenset[str]:
    from ..frontend.parser import keywords

    return keywords() | _ALSO_ESCAPED


class PrintError(Exception):
    """The model holds something WIT cannot write (an unnamed record, say)."""


def _name(name: str) -> str:
    return f"%{name}" if name in _escaped() else name


def print_resolve(resolve: m.Resolve, main: m.PackageId, docs: bool = True) -> str:
    """`main` first, then every other package of `resolve`, in arena order."""
    others = [m.PackageId(i) for i in range(len(resolve.packages)) if i != main]
    return print_packages(resolve, main, others, docs)


def print_packages(resolve: m.Resolve, main: m.PackageId, nested: Sequence[m.PackageId], docs: bool = True) -> str:
    printer = _Printer(resolve, docs)
    printer.package(main, True)
    for i, package in enumerate(nested):
        if i > 0:
            printer.newline()
            printer.newline()
        printer.package(package, False)
    return "".join(printer.out)


class _Printer:
    def __init__(self, resolve: m.Resolve, docs: bool) -> None:
        self.resolve = resolve
        self.emit_docs = docs
        self.out: list[str] = []
        self.indent = 0
        self.needs_indent = False
        self.any_items = False

    # ---- output ----

    def text(self, src: str) -> None:
        if self.needs_indent:
            self.out.append("  " * self.indent)
            self.needs_indent = False
        self.out.append(src)

    def newline(self) -> None:
        self.out.append("\n")
        self.needs_indent = True

    def semicolon(self) -> None:
        self.out.append(";")
        self.newline()

    def indent_start(self) -> None:
        self.out.append(" {")
        self.indent += 1
        self.newline()

    def indent_end(self) -> None:
        self.indent = max(0, self.indent - 1)
        self.text("}")
        self.newline()

    def new_item(self) -> None:
        if self.any_items:
            self.newline()
        self.any_items = True

    def docs(self, docs: str | None) -> None:
        if not self.emit_docs or docs is None:
            return
        for line in docs.splitlines():
            self.text("///" + (" " + line if line else ""))
            self.newline()

    def stability(self, stability: m.Stability) -> None:
        match stability.kind:
            case "unknown":
                return
            case "stable":
                self.text(f"@since(version = {stability.since})")
            case "unstable":
                self.text(f"@unstable(feature = {stability.feature})")
            case _:
                assert_never(stability.kind)
        self.newline()
        if stability.deprecated is not None:
            self.text(f"@deprecated(version = {stability.deprecated})")
            self.newline()

    def external_id(self, id: str | None) -> None:
        if id is None:
            return
        escaped = []
        for c in id:
            if c.isascii() and (c.isalnum() or c in "-_./: "):
                escaped.append(c)
            else:
                escaped.append(
                    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, f"\\u{{{ord(c):x}}}")
                )
        self.text(f'@external-id("{"".join(escaped)}")')
        self.newline()

    # ---- packages, interfaces, worlds ----

    def package(self, id: m.PackageId, is_main: bool) -> None:
        package = self.resolve.packages[id]
        self.docs(package.docs)
        self.text(f"package {_name(package.name.namespace)}:{_name(package.name.name)}")
        if package.name.version is not None:
            self.text(f"@{package.name.version}")
        if is_main:
            self.semicolon()
            self.newline()
        else:
            self.indent_start()
        for name, iface in package.interfaces.items():
            interface = self.resolve.interfaces[iface]
            self.docs(interface.docs)
            self.stability(interface.stability)
            self.text(f"interface {_name(name)}")
            self.indent_start()
            self.interface(iface)
            self.indent_end()
            if is_main:
                self.newline()
        for name, world_id in package.worlds.items():
            world = self.resolve.worlds[world_id]
            self.docs(world.docs)
            self.stability(world.stability)
            self.text(f"world {_name(name)}")
            self.indent_start()
            self.world(world_id)
            self.indent_end()
        if not is_main:
            self.indent_end()

    def interface(self, id: m.InterfaceId) -> None:
        previous = self.any_items
        self.any_items = False
        interface = self.resolve.interfaces[id]
        resource_funcs: dict[m.TypeId, list[m.Function]] = {}
        freestanding: list[m.Function] = []
        for func in interface.functions.values():
            if func.resource is not None:
                resource_funcs.setdefault(func.resource, []).append(func)
            else:
                freestanding.append(func)
        owner = m.TypeOwner("interface", id)
        assert interface.package is not None
        self.types(owner, interface.package, interface.types.items(), resource_funcs)
        for func in freestanding:
            self.new_item()
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            self.text(f"{_name(func.item_name)}: ")
            self.function(func)
            self.semicolon()
        self.any_items = previous

    def types(
        self,
        owner: m.TypeOwner,
        package: m.PackageId,
        types: Iterable[tuple[str, m.TypeId]],
        resource_funcs: dict[m.TypeId, list[m.Function]],
    ) -> None:
        to_declare: list[m.TypeId] = []
        # (interface, the first aliasing type, [(name here, name there)])
        to_import: list[tuple[m.TypeOwner, m.TypeDef, list[tuple[str, str]]]] = []
        for name, ty_id in types:
            ty = self.resolve.types[ty_id]
            if isinstance(ty.kind, m.Alias) and isinstance(ty.kind.target, int):
                other = self.resolve.types[ty.kind.target]
                if other.owner is not None and other.owner != owner:
                    if other.name is None:
                        raise PrintError("cannot import unnamed type")
                    if to_import:
                        last_owner, last_ty, names = to_import[-1]
                        if (
                            last_owner == other.owner
                            and ty.stability == last_ty.stability
                            and ty.external_id == last_ty.external_id
                        ):
                            names.append((name, other.name))
                            continue
                    to_import.append((other.owner, ty, [(name, other.name)]))
                    continue
            to_declare.append(ty_id)
        for other_owner, ty, names in to_import:
            self.any_items = True
            self.stability(ty.stability)
            self.external_id(ty.external_id)
            if other_owner.kind != "interface":
                raise PrintError("types can only be used from interfaces")
            self.text("use ")
            self.path_to_interface(m.InterfaceId(other_owner.id), package)
            listed = ", ".join(
                _name(mine) if mine == theirs else f"{_name(theirs)} as {_name(mine)}" for mine, theirs in names
            )
            self.text(".{" + listed + "}")
            self.semicolon()
        for ty_id in to_declare:
            self.new_item()
            ty = self.resolve.types[ty_id]
            self.docs(ty.docs)
            self.stability(ty.stability)
            self.external_id(ty.external_id)
            if isinstance(ty.kind, m.Resource):
                self.resource(ty_id, resource_funcs.get(ty_id, []))
            else:
                self.declare(ty_id)

    def resource(self, id: m.TypeId, funcs: list[m.Function]) -> None:
        ty = self.resolve.types[id]
        assert ty.name is not None
        self.text(f"resource {_name(ty.name)}")
        if not funcs:
            self.semicolon()
            return
        self.indent_start()
        for func in funcs:
            self.docs(func.docs)
            self.stability(func.stability)
            self.external_id(func.external_id)
            match func.kind:
                case "constructor":
                    pass
                case "method" | "async-method":
                    self.text(f"{_name(func.item_name)}: ")
                case "static" | "async-static":
                    self.text(f"{_name(func.item_name)}: static ")
                case "freestanding" | "async-freestanding":
                    raise PrintError("a freestanding function among a resource's")
                case _:
                    assert_never(func.kind)
            self.function(func)
            self.semicolon()
        self.indent_end()

    def function(self, func: m.Function) -> None:
        if func.is_async:
            self.text("async ")
        self.text("constructor(" if func.kind == "constructor" else "func(")
        skip = 1 if func.kind in ("method", "async-method") else 0
        self.text(", ".join(f"{_name(p.name)}: {self.type_name(p.type)}" for p in func.params[skip:]))
        self.text(")")
        if self._constructor_shorthand(func):
            return
        if func.result is not None:
            self.text(f" -> {self.type_name(func.result)}")

    def _constructor_shorthand(self, func: m.Function) -> bool:
        if func.kind != "constructor" or not isinstance(func.result, int):
            return False
        kind = self.resolve.types[func.result].kind
        return isinstance(kind, m.Handle) and kind.kind == "own" and kind.resource == func.resource

    def world(self, id: m.WorldId) -> None:
        previous = self.any_items
        self.any_items = False
        world = self.resolve.worlds[id]
        assert world.package is not None
        package = world.package
        types: list[tuple[str, m.TypeId]] = []
        resource_funcs: dict[m.TypeId, list[m.Function]] = {}
        functions: list[tuple[m.WorldKey, m.WorldItem]] = []
        for key, item in world.imports.items():
            if isinstance(item, m.TypeItem):
                assert isinstance(key, str)
                types.append((key, item.id))
            elif isinstance(item, m.FunctionItem):
                if item.function.resource is not None:
                    resource_funcs.setdefault(item.function.resource, []).append(item.function)
                else:
                    functions.append((key, item))
            else:
                self.world_item(key, item, package, "import")
                self.any_items = True
        self.types(m.TypeOwner("world", id), package, types, resource_funcs)
        for key, item in functions:
            self.world_item(key, item, package, "import")
            self.any_items = True
        if world.exports:
            self.new_item()
        for key, item in world.exports.items():
            self.world_item(key, item, package, "export")
        self.any_items = previous

    def world_item(self, key: m.WorldKey, item: m.WorldItem, package: m.PackageId, keyword: str) -> None:
        match item:
            case m.InterfaceItem():
                if item.docs is not None:
                    self.docs(item.docs)
                elif isinstance(key, str):
                    self.docs(self.resolve.interfaces[item.id].docs)
                self.stability(item.stability)
                self.external_id(item.external_id)
            case m.FunctionItem(function=func):
                self.docs(func.docs)
                self.stability(func.stability)
                self.external_id(func.external_id)
            case m.TypeItem():
                raise PrintError("types are printed apart")
            case _:
                assert_never(item)
        self.text(f"{keyword} ")
        if isinstance(key, str):
            self.text(f"{_name(key)}: ")
            if isinstance(item, m.InterfaceItem):
                if self.resolve.interfaces[item.id].name is None:
                    self.text("interface")
                    self.indent_start()
                    self.interface(item.id)
                    self.indent_end()
                else:
                    self.path_to_interface(item.id, package)
                    self.semicolon()
            elif isinstance(item, m.FunctionItem):
                self.function(item.function)
                self.semicolon()
        else:
            self.path_to_interface(key, package)
            self.semicolon()

    def path_to_interface(self, id: m.InterfaceId, package: m.PackageId) -> None:
        iface = self.resolve.interfaces[id]
        if iface.name is None or iface.package is None:
            raise PrintError("a path to an interface without a name")
        if iface.package == package:
            self.text(_name(iface.name))
            return
        name = self.resolve.packages[iface.package].name
        self.text(f"{_name(name.namespace)}:{_name(name.name)}/{_name(iface.name)}")
        if name.version is not None:
            self.text(f"@{name.version}")

    # ---- types ----

    def type_name(self, ty: m.Type) -> str:
        if isinstance(ty, str):
            return ty
        typedef = self.resolve.types[ty]
        if typedef.name is not None:
            return _name(typedef.name)
        kind = typedef.kind
        t = self.type_name
        match kind:
            case m.Handle(kind=how, resource=resource):
                return self.handle(how, resource, False)
            case m.Alias(target=target):
                return t(target)
            case m.Resource() | m.Record() | m.Flags() | m.Enum() | m.Variant() | m.Unknown():
                raise PrintError(f"the model has an unnamed {type(kind).__name__.lower()} type")
            case m.ShapeKind():
                return m.shape_wit(kind, t)
            case _:
                assert_never(kind)

    def handle(self, how: str, resource: m.TypeId, force: bool) -> str:
        name = self.resolve.types[resource].name
        if name is None:
            raise PrintError("unnamed resource type")
        if how == "borrow":
            return f"borrow<{_name(name)}>"
        return f"own<{_name(name)}>" if force else _name(name)

    def declare(self, id: m.TypeId) -> None:
        ty = self.resolve.types[id]
        if ty.name is None:
            raise PrintError("an unnamed type among an interface's")
        name = _name(ty.name)
        kind = ty.kind
        t = self.type_name
        match kind:
            case m.Handle(kind=how, resource=resource):
                self.text(f"type {name} = {self.handle(how, resource, True)}")
                self.semicolon()
            case m.Record(fields=fields):
                self.text(f"record {name}")
                self.indent_start()
                for field in fields:
                    self.docs(field.docs)
                    self.text(f"{_name(field.name)}: {t(field.type)},")
                    self.newline()
                self.indent_end()
            case m.Flags(flags=flags):
                self.text(f"flags {name}")
                self.indent_start()
                for flag in flags:
                    self.docs(flag.docs)
                    self.text(f"{_name(flag.name)},")
                    self.newline()
                self.indent_end()
            case m.Variant(cases=cases):
                self.text(f"variant {name}")
                self.indent_start()
                for case in cases:
                    self.docs(case.docs)
                    payload = "" if case.type is None else f"({t(case.type)})"
                    self.text(f"{_name(case.name)}{payload},")
                    self.newline()
                self.indent_end()
            case m.Enum(cases=enum_cases):
                self.text(f"enum {name}")
                self.indent_start()
                for enum_case in enum_cases:
                    self.docs(enum_case.docs)
                    self.text(f"{_name(enum_case.name)},")
                    self.newline()
                self.indent_end()
            case m.Alias(target=target):
                self.text(f"type {name} = {t(target)}")
                self.semicolon()
            case m.Resource() | m.Unknown():
                raise PrintError("resources are printed apart")
            case m.ShapeKind():
                self.text(f"type {name} = {m.shape_wit(kind, t)}")
                self.semicolon()
            case _:
                assert_never(kind)
