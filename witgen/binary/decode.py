"""Component types -> the resolved model, as wit-parser's decoding does.

Mirrors `crates/wit-parser/src/decoding.rs`: a WIT package encoded as wasm
(each export a component type wrapping one world or interface) or a
component (its imports and exports form the world `root:component/root`)
becomes a `Resolve` with the same arenas, in the same order, as wit-parser
builds. Interfaces of other packages are filled in lazily with what is
used of them; a type export equal to a type already seen is a `use` of it
(`type_map`, keyed by the ids of `components.Store`).
"""

from __future__ import annotations

from typing import Literal, Union

from .. import model as m
from ..frontend.lexer import kebab_error
from .._records import dataclass, field
from .components import (
    Component,
    ComponentT,
    Entity,
    EnumT,
    FlagsT,
    FuncT,
    HandleT,
    InstanceT,
    Prim,
    RecordT,
    ResourceT,
    ValType,
    VariantT,
)
from .components import Defined, is_defined
from .metadata import apply_package_docs


class DecodeError(Exception):
    """The binary is well formed but does not describe WIT."""


@dataclass
class Decoded:
    resolve: m.Resolve
    package: m.PackageId
    kind: Literal["package", "component"]
    world: m.WorldId | None = None


# ---- component names ------------------------------------------------------


@dataclass(frozen=True)
class InterfaceName:
    namespace: str
    package: str
    interface: str
    version: str | None

    def package_name(self, suffix: str | None = None) -> m.PackageName:
        version = self.version
        if suffix is not None:
            if version is None:
                raise DecodeError(f"a version suffix `{suffix}` without a version")
            version += suffix
        return m.PackageName(self.namespace, self.package, version)


NameKind = Union[
    InterfaceName,
    tuple[Literal["label"], str],
    tuple[Literal["constructor", "method", "static"], str],
]


def _is_label(text: str) -> bool:
    # The component model's labels are WIT's identifiers: one rule for both.
    return kebab_error(text) is None


def parse_name(name: str) -> NameKind:
    """An import/export name as the component model reads it."""
    for prefix, kind in (("[constructor]", "constructor"), ("[method]", "method"), ("[static]", "static")):
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            resource = rest.split(".", 1)[0]
            if kind == "constructor" and not _is_label(rest):
                raise DecodeError(f"`{name}` is not a valid constructor name")
            if kind != "constructor" and ("." not in rest or not all(_is_label(p) for p in rest.split(".", 1))):
                raise DecodeError(f"`{name}` is not a valid {kind} name")
            return (kind, resource)  # type: ignore[return-value]
    if ":" in name:
        base, _, version = name.partition("@")
        package_part, slash, interface = base.rpartition("/")
        namespace, colon, package = package_part.partition(":")
        if not slash or not colon or not all(_is_label(p) for p in (namespace, package, interface)):
            raise DecodeError(f"`{name}` is not a valid interface name")
        if version and m.version_key(version)[3] == 1 and not version[0].isdigit():
            raise DecodeError(f"`{name}` has an invalid version")
        return InterfaceName(namespace, package, interface, version or None)
    if not _is_label(name):
        raise DecodeError(f"`{name}` is not a valid name in a component")
    return ("label", name)


# ---- the decoder ------------------------------------------------------------


@dataclass
class _Fields:
    interfaces: dict[str, m.InterfaceId] = field(default_factory=dict)
    worlds: dict[str, m.WorldId] = field(default_factory=dict)


@dataclass
class _PendingPackage:
    name: m.PackageName
    fields: _Fields = field(default_factory=_Fields)
    docs: str | None = None


_OwnerKey = tuple[str, int]


class Decoder:
    def __init__(self, component: Component) -> None:
        self.component = component
        self.store = component.store
        self.resolve = m.Resolve()
        self.foreign: dict[str, _PendingPackage] = {}
        self.foreign_index: dict[str, int] = {}
        self.foreign_names: list[str] = []
        self.iface_package: dict[m.InterfaceId, int] = {}
        self.named_interfaces: dict[str, m.InterfaceId] = {}
        self.resources: dict[_OwnerKey, dict[str, m.TypeId]] = {}
        self.type_map: dict[int, m.TypeId] = {}
        self.placed: set[int] = set()

    # ---- the two inputs ----

    def decode(self) -> Decoded:
        kind = self.wit_package_version()
        if kind == "v1":
            return self.decode_v1()
        if kind == "v2":
            return self.decode_v2()
        return self.decode_component()

    def wit_package_version(self) -> Literal["v1", "v2"] | None:
        comp = self.component
        if comp.imports or not comp.exports:
            return None
        for entity in comp.exports.values():
            if entity.sort != "type" or not isinstance(self.store.resolved(entity.created), ComponentT):
                return None
        first = next(iter(comp.exports))
        try:
            name = parse_name(first)
        except DecodeError:
            return None
        if isinstance(name, InterfaceName):
            return "v1" if name.interface == "wit" else None
        return "v2" if name[0] == "label" else None

    def decode_v1(self) -> Decoded:
        if len(self.component.exports) != 1:
            raise DecodeError("more than one top-level exported component type found")
        export_name, entity = next(iter(self.component.exports.items()))
        ty = self.store.resolved(entity.created)
        assert isinstance(ty, ComponentT)
        name = parse_name(export_name)
        assert isinstance(name, InterfaceName)
        for import_name, item in ty.imports.items():
            self.register_import(import_name, item)
        package = _PendingPackage(name.package_name(entity.version_suffix))
        for item_name, item in ty.exports.items():
            if item.sort == "instance":
                self.register_interface(item_name, item, package.fields)
            elif item.sort == "component":
                self.register_world(item_name, item, package.fields)
            else:
                raise DecodeError(f"component export `{item_name}` is not an instance or component")
        return self.finish(package, "package")

    def decode_v2(self) -> Decoded:
        fields = _Fields()
        package_name: m.PackageName | None = None
        for entity in self.component.exports.values():
            ty = self.store.resolved(entity.created)
            assert isinstance(ty, ComponentT)
            if len(ty.exports) != 1:
                raise DecodeError(f"Expected a single export, but found {len(ty.exports)} instead")
            name, item = next(iter(ty.exports.items()))
            if item.sort == "component":
                found = self.decode_world(name, item, fields)
            elif item.sort == "instance":
                found = self.decode_interface(name, ty.imports, item, fields)
            else:
                raise DecodeError(f"export `{name}` is neither a world nor an interface")
            if package_name is not None and package_name != found:
                raise DecodeError("item defined with mismatched package name")
            package_name = found
        assert package_name is not None
        package = _PendingPackage(package_name, fields)
        return self.finish(package, "package")

    def decode_component(self) -> Decoded:
        world_id = m.WorldId(len(self.resolve.worlds))
        self.resolve.worlds.append(m.World("root"))
        package = _PendingPackage(m.PackageName("root", "component"))
        package.fields.worlds["root"] = world_id
        world = self.resolve.worlds[world_id]
        owner = m.TypeOwner("world", world_id)
        for name, is_import in self.component.order:
            if is_import:
                item = self.component.imports[name]
                match item.sort:
                    case "instance":
                        key, value = self.decode_world_instance(name, item, package.fields)
                    case "func":
                        key, value = name, m.FunctionItem(self.convert_function(name, item, owner))
                    case "type":
                        key, value = name, m.TypeItem(self.register_type_export(name, item, owner))
                    case _:
                        continue  # not part of a world
                world.imports[key] = value
            else:
                item = self.component.exports[name]
                match item.sort:
                    case "func":
                        key, value = name, m.FunctionItem(self.convert_function(name, item, owner))
                    case "instance":
                        key, value = self.decode_world_instance(name, item, package.fields)
                    case _:
                        raise DecodeError(f"component export `{name}` was not a function or instance")
                world.exports[key] = value
        return self.finish(package, "component", world_id)

    # ---- worlds and interfaces ----

    def decode_interface(
        self, name: str, imports: dict[str, Entity], item: Entity, fields: _Fields
    ) -> m.PackageName:
        parsed = parse_name(name)
        if not isinstance(parsed, InterfaceName):
            raise DecodeError(f"expected an interface name to be fully qualified: `{name}`")
        for import_name, imported in imports.items():
            self.register_import(import_name, imported)
        self.register_interface(name, item, fields)
        return parsed.package_name(item.version_suffix)

    def decode_world(self, name: str, item: Entity, fields: _Fields) -> m.PackageName:
        parsed = parse_name(name)
        if not isinstance(parsed, InterfaceName):
            raise DecodeError(f"expected a world name to be fully qualified: `{name}`")
        self.register_world(name, item, fields)
        return parsed.package_name(item.version_suffix)

    def decode_world_instance(self, name: str, item: Entity, fields: _Fields) -> tuple[m.WorldKey, m.WorldItem]:
        key: m.WorldKey
        if item.implements is not None:
            id = self.register_import(item.implements, item)
            key = name
        else:
            parsed = parse_name(name)
            if isinstance(parsed, InterfaceName):
                id = self.register_import(name, item)
                key = id
            else:
                key, id = self.register_interface(name, item, fields)
        return key, m.InterfaceItem(id, external_id=item.external_id)

    def _instance(self, name: str, item: Entity) -> InstanceT:
        ty = self.store.resolved(item.id) if item.sort == "instance" else None
        if not isinstance(ty, InstanceT):
            raise DecodeError(f"import `{name}` is not an instance")
        return ty

    def register_import(self, name: str, item: Entity) -> m.InterfaceId:
        ty = self._instance(name, item)
        local = self.named_interfaces.get(name)
        interface = local if local is not None else self.extract_dep_interface(name, item)
        iface = self.resolve.interfaces[interface]
        owner = m.TypeOwner("interface", interface)
        for export_name, export in ty.exports.items():
            if export.sort == "type":
                existing = iface.types.get(export_name)
                if existing is not None:
                    referenced = self.store.entries[export.id]
                    resolved = self.store.resolved(export.id)
                    if not isinstance(referenced, ResourceT) and not isinstance(resolved, ResourceT):
                        self.register_defined(existing, export.id)
                    self.type_map[export.created] = existing
                else:
                    if local is not None:
                        raise DecodeError(f"instance type export `{export_name}` not defined in interface")
                    iface.types[export_name] = self.register_type_export(export_name, export, owner)
            elif export.sort == "func":
                if export_name in iface.functions:
                    continue
                if local is not None:
                    raise DecodeError(f"instance function export `{export_name}` not defined in interface")
                iface.functions[export_name] = self.convert_function(export_name, export, owner)
            else:
                raise DecodeError(f"instance type export `{export_name}` is not a type")
        return interface

    def extract_dep_interface(self, name: str, item: Entity) -> m.InterfaceId:
        parsed = parse_name(name)
        if not isinstance(parsed, InterfaceName):
            raise DecodeError(f"package name is not a valid id: {name}")
        package_name = parsed.package_name(item.version_suffix)
        key = str(package_name)
        package = self.foreign.get(key)
        if package is None:
            package = self.foreign[key] = _PendingPackage(package_name)
            self.foreign_index[key] = len(self.foreign_names)
            self.foreign_names.append(key)
        interface = package.fields.interfaces.get(parsed.interface)
        if interface is None:
            interface = m.InterfaceId(len(self.resolve.interfaces))
            self.resolve.interfaces.append(m.Interface(parsed.interface))
            package.fields.interfaces[parsed.interface] = interface
        self.iface_package[interface] = self.foreign_index[key]
        return interface

    def register_interface(self, name: str, item: Entity, fields: _Fields) -> tuple[m.WorldKey, m.InterfaceId]:
        ty = self._instance(name, item)
        if name in self.named_interfaces:
            id = self.register_import(name, item)
            return id, id
        parsed = parse_name(name)
        if isinstance(parsed, InterfaceName):
            interface_name: str | None = parsed.interface
        elif parsed[0] == "label":
            interface_name = None
        else:
            raise DecodeError(f"cannot extract item name from: {name}")
        interface = m.Interface(interface_name)
        next_id = m.InterfaceId(len(self.resolve.interfaces))
        owner = m.TypeOwner("interface", next_id)
        for export_name, export in ty.exports.items():
            if export.sort == "type":
                interface.types[export_name] = self.register_type_export(export_name, export, owner)
            elif export.sort == "func":
                interface.functions[export_name] = self.convert_function(export_name, export, owner)
            else:
                raise DecodeError(f"instance type export `{export_name}` is not a type or function")
        id = m.InterfaceId(len(self.resolve.interfaces))
        assert id == next_id
        self.resolve.interfaces.append(interface)
        if interface_name is None:
            return name, id
        if interface_name in fields.interfaces:
            raise DecodeError(f"duplicate interface `{name}`")
        fields.interfaces[interface_name] = id
        self.named_interfaces[name] = id
        return id, id

    def register_world(self, name: str, item: Entity, fields: _Fields) -> m.WorldId:
        ty = self.store.resolved(item.id)
        assert isinstance(ty, ComponentT)
        parsed = parse_name(name)
        if not isinstance(parsed, InterfaceName):
            raise DecodeError(f"expected world name to have an ID form: `{name}`")
        world = m.World(parsed.interface)
        next_id = m.WorldId(len(self.resolve.worlds))
        owner = m.TypeOwner("world", next_id)
        for import_name, imported in ty.imports.items():
            key: m.WorldKey
            value: m.WorldItem
            match imported.sort:
                case "instance":
                    key, value = self.decode_world_instance(import_name, imported, fields)
                case "type":
                    key, value = import_name, m.TypeItem(self.register_type_export(import_name, imported, owner))
                case "func":
                    key, value = import_name, m.FunctionItem(self.convert_function(import_name, imported, owner))
                case _:
                    raise DecodeError(f"component import `{import_name}` is not an instance, func, or type")
            world.imports[key] = value
        for export_name, exported in ty.exports.items():
            match exported.sort:
                case "instance":
                    key, value = self.decode_world_instance(export_name, exported, fields)
                case "func":
                    key, value = export_name, m.FunctionItem(self.convert_function(export_name, exported, owner))
                case _:
                    raise DecodeError(f"component export `{export_name}` is not an instance or function")
            world.exports[key] = value
        id = m.WorldId(len(self.resolve.worlds))
        assert id == next_id
        self.resolve.worlds.append(world)
        if parsed.interface in fields.worlds:
            raise DecodeError(f"duplicate world `{name}`")
        fields.worlds[parsed.interface] = id
        return id

    # ---- types ----

    def find_alias(self, id: int) -> m.TypeId | None:
        """What `id`, or a type it is an alias of, was translated to."""
        current: int | None = id
        while current is not None:
            found = self.type_map.get(current)
            if found is not None:
                return found
            current = self.store.peel(current)
        return None

    def register_type_export(self, name: str, item: Entity, owner: m.TypeOwner) -> m.TypeId:
        previous = self.find_alias(item.id)
        kind: m.TypeDefKind
        if previous is not None:
            kind = m.Alias(previous)
        else:
            entry = self.store.resolved(item.id)
            if isinstance(entry, ResourceT):
                kind = m.Resource()
            elif is_defined(entry):
                kind = self.convert_defined(entry)
            else:
                raise DecodeError(f"type `{name}` is not a value type or resource")
        id = m.TypeId(len(self.resolve.types))
        self.resolve.types.append(m.TypeDef(name, kind, owner, external_id=item.external_id))
        if isinstance(kind, m.Resource):
            names = self.resources.setdefault((owner.kind, owner.id), {})
            if name in names:
                raise DecodeError(f"duplicate resource `{name}`")
            names[name] = id
        if item.created in self.type_map:
            raise DecodeError(
                f"cannot represent this component in WIT: the type `{name}` appears more than once "
                "(for example, when an imported instance is re-exported under a new name)"
            )
        self.type_map[item.created] = id
        return id

    def convert_function(self, name: str, item: Entity, owner: m.TypeOwner) -> m.Function:
        ty = self.store.resolved(item.id)
        assert isinstance(ty, FuncT)
        params = [m.Param(param, self.convert_valtype(t)) for param, t in ty.params]
        result = None if ty.result is None else self.convert_valtype(ty.result)
        parsed = parse_name(name)
        resource: m.TypeId | None = None
        kind: m.FunctionKind
        if isinstance(parsed, InterfaceName):
            raise DecodeError(f"function `{name}` has an interface name")
        what, label = parsed
        if what == "label":
            kind = "async-freestanding" if ty.is_async else "freestanding"
        else:
            found = self.resources.get((owner.kind, owner.id), {}).get(label)
            if found is None:
                raise DecodeError(f"function `{name}` names no resource `{label}` defined before it")
            resource = found
            if what == "constructor":
                kind = "constructor"
            elif what == "method":
                kind = "async-method" if ty.is_async else "method"
            else:
                kind = "async-static" if ty.is_async else "static"
        return m.Function(name, kind, params, result, resource, external_id=item.external_id)

    def convert_valtype(self, ty: ValType) -> m.Type:
        if isinstance(ty, str):
            return ty  # type: ignore[return-value]
        found = self.type_map.get(ty)
        if found is not None:
            return found
        entry = self.store.resolved(ty)
        if not is_defined(entry):
            raise DecodeError("a value type refers to a type that is not one")
        kind = self.convert_defined(entry)
        if isinstance(kind, (m.Resource, m.Record, m.Enum, m.Variant, m.Flags)):
            raise DecodeError(f"unexpected unnamed type of kind '{type(kind).__name__.lower()}'")
        id = m.TypeId(len(self.resolve.types))
        self.resolve.types.append(m.TypeDef(None, kind, None))
        self.type_map[ty] = id
        return id

    def convert_defined(self, entry: Defined) -> m.TypeDefKind:
        """One dispatch over the component model's value types."""
        v = self.convert_valtype

        def o(t: ValType | None) -> m.Type | None:
            return None if t is None else v(t)

        match entry:
            case Prim(name=name):
                return m.Alias(name)  # type: ignore[arg-type]
            case RecordT(fields=fields):
                return m.Record([m.Field(n, v(t)) for n, t in fields])
            case VariantT(cases=cases):
                return m.Variant([m.Case(n, o(t)) for n, t in cases])
            case FlagsT(names=names):
                return m.Flags([m.Flag(n) for n in names])
            case EnumT(names=names):
                return m.Enum([m.EnumCase(n) for n in names])
            case HandleT(kind=how, resource=resource):
                target = self.type_map.get(resource)
                if target is None:
                    raise DecodeError("a handle refers to a resource that no import or export names")
                return m.Handle(how, target)
            case _:
                return m.map_shape(entry, v)

    def register_defined(self, id: m.TypeId, wasm: int) -> None:
        """Connect the anonymous types inside `wasm` with those of the WIT
        type `id` it equals (wit-parser's `Registrar`), so that they are not
        decoded twice."""
        stack: list[tuple[m.TypeId, object]] = [(id, self.store.resolved(wasm))]
        steps = 0
        while stack:
            steps += 1
            if steps > 1_000_000:
                raise DecodeError("types are too large")
            wit_id, entry = stack.pop()
            kind = self.resolve.types[wit_id].kind
            if isinstance(kind, m.Alias) and isinstance(kind.target, int):
                continue
            pairs: list[tuple[ValType, m.Type]] = []
            match entry:
                case _ if (shape_pairs := _same_shape(entry, kind)) is not None:
                    pairs = shape_pairs
                case RecordT(fields=fields) if isinstance(kind, m.Record):
                    if [n for n, _ in fields] != [f.name for f in kind.fields]:
                        raise DecodeError("mismatched record fields")
                    pairs = [(t, f.type) for (_, t), f in zip(fields, kind.fields)]
                case VariantT(cases=cases) if isinstance(kind, m.Variant):
                    if [n for n, _ in cases] != [c.name for c in kind.cases]:
                        raise DecodeError("mismatched variant cases")
                    for (_, a), c in zip(cases, kind.cases):
                        if (a is None) != (c.type is None):
                            raise DecodeError("disagreement on case type")
                        if a is not None and c.type is not None:
                            pairs.append((a, c.type))
                case Prim() | FlagsT() | EnumT() | HandleT():
                    pass
                case _:
                    raise DecodeError(f"type `{self.resolve.types[wit_id].name}` does not match its definition")
            for wasm_ty, wit_ty in pairs:
                if isinstance(wasm_ty, str):
                    continue
                if not isinstance(wit_ty, int):
                    raise DecodeError("expected id-based type")
                if wasm_ty not in self.type_map:
                    self.type_map[wasm_ty] = wit_ty
                    stack.append((wit_ty, self.store.resolved(wasm_ty)))

    # ---- packages ----

    def finish(self, package: _PendingPackage, kind: Literal["package", "component"], world: m.WorldId | None = None) -> Decoded:
        order: list[int] = []
        names = self.foreign_names
        for index in range(len(names)):
            self.visit_package(index, names, order)
        for index in order:
            self.insert_package(self.foreign[names[index]])
        id = self.insert_package(package)
        apply_package_docs(self.resolve, id, self.component.custom)
        return Decoded(self.resolve, id, kind, world)

    def visit_package(self, index: int, names: list[str], order: list[int]) -> None:
        # Iterative: a chain of foreign packages can be long in hostile input.
        if index in self.placed:
            return
        stack = [(index, iter(self._package_deps(index)))]
        visiting = {index}
        while stack:
            current, deps = stack[-1]
            for dep in deps:
                if dep != current and dep not in self.placed and dep not in visiting:
                    visiting.add(dep)
                    stack.append((dep, iter(self._package_deps(dep))))
                    break
            else:
                stack.pop()
                if current not in self.placed:
                    self.placed.add(current)
                    order.append(current)

    def _package_deps(self, index: int) -> list[int]:
        package = self.foreign[self.foreign_names[index]]
        interfaces = list(package.fields.interfaces.values())
        for world_id in package.fields.worlds.values():
            world = self.resolve.worlds[world_id]
            for item in [*world.imports.values(), *world.exports.values()]:
                if isinstance(item, m.InterfaceItem):
                    interfaces.append(item.id)
        deps: list[int] = []
        for iface in interfaces:
            for dep in self.resolve.interface_direct_deps(iface):
                found = self.iface_package.get(dep)
                if found is not None:
                    deps.append(found)
        return deps

    def insert_package(self, package: _PendingPackage) -> m.PackageId:
        resolve = self.resolve
        id = resolve.package_for(package.name, package.docs)
        target = resolve.packages[id]
        for name, iface in package.fields.interfaces.items():
            target.interfaces[name] = iface
            resolve.interfaces[iface].package = id
        for name, world_id in package.fields.worlds.items():
            target.worlds[name] = world_id
            world = resolve.worlds[world_id]
            world.package = id
            for key, item in [*world.imports.items(), *world.exports.items()]:
                if isinstance(key, str) and isinstance(item, m.InterfaceItem):
                    if resolve.interfaces[item.id].name is None:
                        resolve.interfaces[item.id].package = id
        return id


def decode_component(component: Component) -> Decoded:
    return Decoder(component).decode()


def _same_shape(entry: object, kind: m.TypeDefKind) -> list[tuple[ValType, m.Type]] | None:
    """The references of `entry` and `kind` side by side, when both are the
    same shape; None when they are not shapes of one kind."""
    if not (m.is_shape(entry) and m.is_shape(kind) and type(entry) is type(kind)):
        return None
    # Erasing the references leaves the structure: size, arity, optional parts.
    if m.map_shape(entry, _erased) != m.map_shape(kind, _erased):
        raise DecodeError(f"disagreement on {type(kind).__name__.lower()} structure")
    return list(zip(m.shape_references(entry), m.shape_references(kind)))


def _erased(_: object) -> None:
    return None
