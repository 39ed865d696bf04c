"""Merge a decoded `Resolve` into another (wit-parser's `Resolve::merge`,
for what decoding produces).

A package the target already has is matched by name, its interfaces and
worlds by name, their types and functions by name; what the target lacks
is added. Everything else is appended, in arena order, with its ids
renumbered.
"""

from __future__ import annotations

from .. import model as m
from .._records import replace


def merge(into: m.Resolve, other: m.Resolve) -> list[m.PackageId]:
    """Append `other` to `into`; returns where each of `other`'s packages went."""
    interface_map: dict[int, m.InterfaceId] = {}
    world_map: dict[int, m.WorldId] = {}
    matched_interfaces: set[int] = set()
    matched_worlds: set[int] = set()

    # Which interfaces and worlds exist already (matched by package and name).
    for package in other.packages:
        existing = into.package_names.get(package.name)
        if existing is None:
            continue
        target = into.packages[existing]
        for name, iface_id in package.interfaces.items():
            if name in target.interfaces:
                interface_map[iface_id] = target.interfaces[name]
                matched_interfaces.add(iface_id)
        for name, world_id in package.worlds.items():
            if name in target.worlds:
                world_map[world_id] = target.worlds[name]
                matched_worlds.add(world_id)
    next_interface = len(into.interfaces)
    for index in range(len(other.interfaces)):
        if index not in interface_map:
            interface_map[index] = m.InterfaceId(next_interface)
            next_interface += 1
    next_world = len(into.worlds)
    for index in range(len(other.worlds)):
        if index not in world_map:
            world_map[index] = m.WorldId(next_world)
            next_world += 1

    def owner(o: m.TypeOwner | None) -> m.TypeOwner | None:
        if o is None:
            return None
        return m.TypeOwner(o.kind, interface_map[o.id] if o.kind == "interface" else world_map[o.id])

    type_map: dict[int, m.TypeId] = {}

    def ty(t: m.Type) -> m.Type:
        return type_map[t] if isinstance(t, int) else t

    def opt(t: m.Type | None) -> m.Type | None:
        return None if t is None else ty(t)

    def function(f: m.Function) -> m.Function:
        return replace(
            f,
            params=[replace(p, type=ty(p.type)) for p in f.params],
            result=opt(f.result),
            resource=None if f.resource is None else type_map[f.resource],
        )

    for index, typedef in enumerate(other.types):
        o = typedef.owner
        if o is not None and o.kind == "interface" and o.id in matched_interfaces and typedef.name is not None:
            found = into.interfaces[interface_map[o.id]].types.get(typedef.name)
            if found is not None:
                type_map[index] = found
                continue
        kind = m.map_type_ids(typedef.kind, lambda t: type_map[t])
        type_map[index] = m.TypeId(len(into.types))
        into.types.append(replace(typedef, kind=kind, owner=owner(o)))

    for index, iface in enumerate(other.interfaces):
        new = interface_map[index]
        if index in matched_interfaces:
            existing_iface = into.interfaces[new]
            for name, t in iface.types.items():
                existing_iface.types.setdefault(name, type_map[t])
            for name, f in iface.functions.items():
                if name not in existing_iface.functions:
                    existing_iface.functions[name] = function(f)
            continue
        assert new == len(into.interfaces)
        into.interfaces.append(
            replace(
                iface,
                types={name: type_map[t] for name, t in iface.types.items()},
                functions={name: function(f) for name, f in iface.functions.items()},
                package=None,
                clone_of=None if iface.clone_of is None else interface_map[iface.clone_of],
            )
        )

    def key(k: m.WorldKey) -> m.WorldKey:
        return k if isinstance(k, str) else interface_map[k]

    def item(i: m.WorldItem) -> m.WorldItem:
        if isinstance(i, m.InterfaceItem):
            return replace(i, id=interface_map[i.id])
        if isinstance(i, m.FunctionItem):
            return m.FunctionItem(function(i.function))
        return replace(i, id=type_map[i.id])

    for index, world in enumerate(other.worlds):
        if index in matched_worlds:
            continue
        assert world_map[index] == len(into.worlds)
        into.worlds.append(
            replace(
                world,
                imports={key(k): item(v) for k, v in world.imports.items()},
                exports={key(k): item(v) for k, v in world.exports.items()},
                package=None,
            )
        )

    ids: list[m.PackageId] = []
    for index, package in enumerate(other.packages):
        existing = into.package_for(package.name, package.docs)
        target = into.packages[existing]
        for name, iface_id in package.interfaces.items():
            new_iface = interface_map[iface_id]
            target.interfaces.setdefault(name, new_iface)
            if into.interfaces[new_iface].package is None:
                into.interfaces[new_iface].package = existing
        for name, world_id in package.worlds.items():
            new_world = world_map[world_id]
            target.worlds.setdefault(name, new_world)
            if into.worlds[new_world].package is None:
                into.worlds[new_world].package = existing
        ids.append(existing)
    # Interfaces inline in a world belong to the world's package.
    for index, iface in enumerate(other.interfaces):
        new = interface_map[index]
        if into.interfaces[new].package is None and iface.package is not None:
            into.interfaces[new].package = ids[iface.package]
    return ids
