"""Stage 2: append an `UnresolvedPackage` to a `Resolve`.

Connects the package's placeholders to the packages already linked, drops
what feature gates exclude (a reference to something dropped is an error),
turns references to resources into `own` handles, rejects functions that
return borrows, then expands `include`s and elaborates every world
(`elaborate`). Mirrors wit-parser's `Remap::append`.
"""

from __future__ import annotations

from typing import TypeVar

from .._records import dataclass, field, replace

from .. import model as m
from ..diagnostics import Span, WitError, did_you_mean
from .elaborate import elaborate_world, include_world
from .package import UnresolvedPackage, strong_key


# How many known packages a "package not found" error lists.
_KNOWN_SHOWN = 20

_Id = TypeVar("_Id", m.TypeId, m.InterfaceId, m.WorldId)


@dataclass(frozen=True)
class Features:
    enabled: frozenset[str] = frozenset()
    all: bool = False


def include_stability(
    resolve: m.Resolve, features: Features, stab: m.Stability, pkg: m.PackageId, span: Span | None
) -> bool:
    """Whether an item with `stab` exists in package `pkg` (errors for bad `@since`)."""
    if stab.kind == "unknown":
        return True
    if stab.kind == "stable":
        name = resolve.packages[pkg].name
        if name.version is None:
            raise WitError.at(
                span,
                f"package [{name}] contains a feature gate with a version specifier, so it must have a version",
            )
        assert stab.since is not None
        if m.version_key(stab.since) > m.version_key(name.version):
            raise WitError.at(
                span,
                f"feature gate cannot reference unreleased version {stab.since} of package [{name}] "
                f"(current version {name.version})",
            )
        return True
    return features.all or stab.feature in features.enabled


@dataclass
class Remap:
    """Local ids of one unresolved package -> ids in the `Resolve` (None: gated out)."""

    resolve: m.Resolve
    features: Features
    types: list[m.TypeId | None] = field(default_factory=list)
    interfaces: list[m.InterfaceId | None] = field(default_factory=list)
    worlds: list[m.WorldId | None] = field(default_factory=list)
    own_handles: dict[m.TypeId, m.TypeId] = field(default_factory=dict)
    has_borrow: dict[m.TypeId, bool] = field(default_factory=dict)
    # `resolve.unalias`'s memo, shared by the Remaps of one resolve: linked
    # types never change, and chains of `use` across packages make alias
    # chains long.
    aliases: dict[m.TypeId, m.Type] = field(default_factory=dict)

    def _included(self, stab: m.Stability, pkg: m.PackageId, span: Span | None) -> bool:
        return include_stability(self.resolve, self.features, stab, pkg, span)

    @staticmethod
    def _apply(table: list[_Id | None], id: int, desc: str, span: Span | None) -> _Id:
        new = table[id]
        if new is None:
            raise WitError.at(
                span, f"found a reference to a {desc} which is excluded due to its feature not being activated"
            )
        return new

    def map_type(self, id: m.TypeId, span: Span | None) -> m.TypeId:
        return self._apply(self.types, id, "type", span)

    def map_interface(self, id: m.InterfaceId, span: Span | None) -> m.InterfaceId:
        return self._apply(self.interfaces, id, "interface", span)

    def map_world(self, id: m.WorldId, span: Span | None) -> m.WorldId:
        return self._apply(self.worlds, id, "world", span)

    # ---- the whole package ----

    def append(self, unresolved: UnresolvedPackage) -> m.PackageId:
        resolve = self.resolve
        pkg = m.PackageId(len(resolve.packages))
        resolve.packages.append(m.Package(unresolved.name, unresolved.docs))
        assert unresolved.name not in resolve.package_names
        resolve.package_names[unresolved.name] = pkg
        self._foreign_deps(unresolved, pkg)

        foreign_types = len(self.types)
        foreign_interfaces = len(self.interfaces)
        foreign_worlds = len(self.worlds)

        for ty in unresolved.types[foreign_types:]:
            if not self._included(ty.stability, pkg, ty.span):
                self.types.append(None)
                continue
            new = replace(ty, kind=self._update_kind(ty.kind, ty.span))
            new_id = m.TypeId(len(resolve.types))
            resolve.types.append(new)
            if new.name is None and new.owner is None and isinstance(new.kind, m.Handle) and new.kind.kind == "own":
                new_id = self.own_handles.setdefault(new.kind.resource, new_id)
            self.types.append(new_id)

        for iface in unresolved.interfaces[foreign_interfaces:]:
            if not self._included(iface.stability, pkg, iface.span):
                self.interfaces.append(None)
                continue
            new_iface = replace(iface, package=pkg, types=dict(iface.types), functions=dict(iface.functions))
            self._update_interface(new_iface, pkg)
            self.interfaces.append(m.InterfaceId(len(resolve.interfaces)))
            resolve.interfaces.append(new_iface)

        for id in self.types[foreign_types:]:
            if id is None:
                continue
            owner = resolve.types[id].owner
            if owner is not None and owner.kind == "interface":
                resolve.types[id].owner = m.TypeOwner(
                    "interface", self._map_owner(self.interfaces, owner.id, "interface", resolve.types[id].span)
                )

        for local, world in enumerate(unresolved.worlds[foreign_worlds:], foreign_worlds):
            if not self._included(world.stability, pkg, world.span):
                self.worlds.append(None)
                continue
            new_world = replace(world, imports={}, exports={})
            self._update_world(world, new_world, pkg)
            self.worlds.append(m.WorldId(len(resolve.worlds)))
            resolve.worlds.append(new_world)

        for id in self.types[foreign_types:]:
            if id is None:
                continue
            owner = resolve.types[id].owner
            if owner is not None and owner.kind == "world":
                resolve.types[id].owner = m.TypeOwner(
                    "world", self._map_owner(self.worlds, owner.id, "world", resolve.types[id].span)
                )

        for local, world in enumerate(unresolved.worlds[foreign_worlds:], foreign_worlds):
            world_id = self.worlds[local]
            if world_id is None:
                continue
            resolve.worlds[world_id].package = pkg
            for inc in unresolved.includes.get(m.WorldId(local), []):
                if not self._included(inc.stability, pkg, inc.span):
                    continue
                include_world(resolve, world_id, self.map_world(inc.world, inc.span), inc.names, inc.span, pkg)
            _check_case_insensitive(resolve.worlds[world_id])
            elaborate_world(resolve, world_id, resolve.worlds[world_id].span)

        package = resolve.packages[pkg]
        for iface_id in self.interfaces[foreign_interfaces:]:
            if iface_id is None:
                continue
            iface = resolve.interfaces[iface_id]
            iface.package = pkg
            if iface.name is not None:
                package.interfaces[iface.name] = iface_id
        for world_id in self.worlds[foreign_worlds:]:
            if world_id is None:
                continue
            world = resolve.worlds[world_id]
            world.package = pkg
            package.worlds[world.name] = world_id
        return pkg

    def _map_owner(self, table: list[_Id | None], id: int, desc: str, span: Span | None) -> _Id:
        try:
            return self._apply(table, id, desc, span)
        except WitError as error:
            message = error.diagnostics[0].message
            raise WitError.at(span, f"{message}; this type is not gated by a feature but its {desc} is") from None

    # ---- foreign items ----

    def _foreign_deps(self, unresolved: UnresolvedPackage, pkg: m.PackageId) -> None:
        resolve = self.resolve
        by_interface: dict[int, tuple[m.PackageName, str, Span, list[m.Stability]]] = {}
        by_world: dict[int, tuple[m.PackageName, str, Span, list[m.Stability]]] = {}
        for i, (name, deps) in enumerate(unresolved.foreign_deps.items()):
            for item_name, dep in deps.items():
                entry = (name, item_name, unresolved.foreign_dep_spans[i], dep.stabilities)
                (by_interface if dep.item.kind == "interface" else by_world)[dep.item.id] = entry

        for local, iface in enumerate(unresolved.interfaces):
            found = by_interface.get(local)
            if found is None:
                break
            package_name, item_name, span, stabilities = found
            other = self._package(package_name, span)
            if not any(self._included(s, pkg, iface.span) for s in stabilities):
                self.interfaces.append(None)
                continue
            id = resolve.packages[other].interfaces.get(item_name)
            if id is None:
                raise WitError.at(
                    iface.span,
                    f"interface '{item_name}' not found in package '{resolve.packages[other].name}'",
                    did_you_mean(item_name, resolve.packages[other].interfaces),
                )
            self.interfaces.append(id)

        for local, world in enumerate(unresolved.worlds):
            found = by_world.get(local)
            if found is None:
                break
            package_name, item_name, span, stabilities = found
            other = self._package(package_name, span)
            if not any(self._included(s, pkg, world.span) for s in stabilities):
                self.worlds.append(None)
                continue
            wid = resolve.packages[other].worlds.get(item_name)
            if wid is None:
                raise WitError.at(
                    world.span,
                    f"world '{item_name}' not found in package '{resolve.packages[other].name}'",
                    did_you_mean(item_name, resolve.packages[other].worlds),
                )
            self.worlds.append(wid)

        for local, ty in enumerate(unresolved.types):
            if not isinstance(ty.kind, m.Unknown):
                break
            if not self._included(ty.stability, pkg, ty.span):
                self.types.append(None)
                continue
            assert ty.owner is not None and ty.name is not None
            iface_id = self.map_interface(m.InterfaceId(ty.owner.id), None)
            type_id = resolve.interfaces[iface_id].types.get(ty.name)
            if type_id is None:
                raise WitError.at(
                    unresolved.unknown_type_spans[local],
                    f"type `{ty.name}` not defined in interface",
                    did_you_mean(ty.name, resolve.interfaces[iface_id].types),
                )
            self.types.append(type_id)

        for local_id, span in unresolved.required_resource_types:
            mapped = self.types[local_id] if local_id < len(self.types) else None
            if mapped is None:
                continue
            if resolve.resource_of(mapped) is None:
                raise WitError.at(span, "type used in a handle must be a resource")

    def _package(self, name: m.PackageName, span: Span) -> m.PackageId:
        # Exactly as written: the only-one-version shortcut is for selecting a
        # world by name (`Resolve.select_world`), never for paths inside WIT.
        id = self.resolve.package_names.get(name)
        if id is not None:
            return id
        known = sorted(self.resolve.package_names, key=m.PackageName.sort_key)
        message = f"package '{name}' not found"
        if known:
            # Bounded: each missing package would print them all.
            message += ". known packages:" + "".join(f"\n    {k}" for k in known[:_KNOWN_SHOWN])
            if len(known) > _KNOWN_SHOWN:
                message += f"\n    ... and {len(known) - _KNOWN_SHOWN} more"
        raise WitError.at(span, message)

    # ---- updating references ----

    def _update_kind(self, kind: m.TypeDefKind, span: Span | None) -> m.TypeDefKind:
        match kind:
            case m.Alias() | m.Handle():
                # These name their type: `type a = r` stays an alias of the
                # resource, not of an `own<r>`.
                return m.map_type_ids(kind, lambda id: self.map_type(id, span))
            case m.Record(fields=fields):
                # A field's own span: wit-parser points at the field.
                return m.Record([replace(f, type=self._ty(f.type, f.span)) for f in fields])
            case _:
                # Every other kind holds values: a resource there is an `own`.
                return m.map_type_ids(kind, lambda id: self._value(id, span))

    def _ty(self, ty: m.Type, span: Span | None) -> m.Type:
        return ty if isinstance(ty, str) else self._value(ty, span)

    def _value(self, id: m.TypeId, span: Span | None) -> m.TypeId:
        """Map a type that holds a value: a resource there means `own<resource>`."""
        id = self.map_type(id, span)
        if self.resolve.resource_of(id, self.aliases) is None:
            return id
        own = self.own_handles.get(id)
        if own is None:
            own = self.own_handles[id] = m.TypeId(len(self.resolve.types))
            self.resolve.types.append(m.TypeDef(None, m.Handle("own", id), None))
        return own

    def _update_interface(self, iface: m.Interface, pkg: m.PackageId) -> None:
        iface.types = {
            name: self.map_type(id, iface.span) for name, id in iface.types.items() if self.types[id] is not None
        }
        functions: dict[str, m.Function] = {}
        for name, func in iface.functions.items():
            if not self._included(func.stability, pkg, func.span):
                continue
            functions[name] = self._update_function(func, func.span)
        iface.functions = functions

    def _update_function(self, func: m.Function, span: Span | None) -> m.Function:
        resource = None if func.resource is None else self.map_type(func.resource, span)
        params = [replace(p, type=self._ty(p.type, span)) for p in func.params]
        result = None if func.result is None else self._ty(func.result, span)
        if result is not None and self._has_borrow(result):
            raise WitError.at(
                span,
                f"function `{func.name}` returns a type which contains a `borrow<T>` which is not supported",
            )
        return replace(func, resource=resource, params=params, result=result)

    def _has_borrow(self, ty: m.Type) -> bool:
        if isinstance(ty, str):
            return False
        cache = self.has_borrow

        def refs(id: m.TypeId) -> list[m.TypeId]:  # a handle's resource holds no borrow
            return [] if isinstance(self.resolve.types[id].kind, m.Handle) else self.resolve.type_ids_referenced(id)

        # Memoised in `cache`: chains of types can be long and share their parts.
        for id in m.post_order([ty], refs, cache):
            kind = self.resolve.types[id].kind
            cache[id] = kind.kind == "borrow" if isinstance(kind, m.Handle) else any(cache[r] for r in refs(id))
        return cache[ty]

    def _update_world(self, old: m.World, new: m.World, pkg: m.PackageId) -> None:
        resolve = self.resolve
        for items, dst in ((old.imports, new.imports), (old.exports, new.exports)):
            for key, item in items.items():
                span = item.span
                if isinstance(item, m.TypeItem):
                    item = m.TypeItem(self.map_type(item.id, span), span)
                    stab = resolve.types[item.id].stability
                elif isinstance(item, m.InterfaceItem):
                    stab = item.stability
                else:
                    stab = item.function.stability
                if not self._included(stab, pkg, span):
                    continue
                if not isinstance(key, str):
                    key = self.map_interface(key, span)
                if isinstance(item, m.InterfaceItem):
                    item = replace(item, id=self.map_interface(item.id, span))
                elif isinstance(item, m.FunctionItem):
                    item = m.FunctionItem(self._update_function(item.function, span))
                dst[key] = item


def _check_case_insensitive(world: m.World) -> None:
    """Includes can bring names that collide with the world's own: wit-parser
    re-checks them with the Component Model's strong uniqueness."""
    for items, what in ((world.imports, "import"), (world.exports, "export")):
        seen: dict[str, str] = {}
        for key in items:
            if not isinstance(key, str):
                continue
            canonical = strong_key(key)
            existing = seen.get(canonical)
            if existing is not None and existing != key:
                raise WitError.at(
                    items[key].span or world.span,
                    f"{what} `{key}` in world `{world.name}` conflicts with {what} `{existing}` "
                    "(names must be strongly unique)",
                )
            seen[canonical] = key
