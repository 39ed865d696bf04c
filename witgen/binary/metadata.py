"""The `package-docs` custom section: docs and stability WIT keeps beside
the types (wit-parser's `PackageMetadata`, a version byte then JSON)."""

from __future__ import annotations

import json
from typing import Any

from .. import model as m

SECTION_NAME = "package-docs"


class MetadataError(Exception):
    pass


def apply_package_docs(resolve: m.Resolve, package: m.PackageId, custom: list[tuple[str, bytes, int]]) -> None:
    sections = [(data, offset) for name, data, offset in custom if name == SECTION_NAME]
    if not sections:
        return
    if len(sections) > 1:
        raise MetadataError(f"multiple {SECTION_NAME!r} sections")
    data, _ = sections[0]
    if not data or data[0] not in (0, 1):
        raise MetadataError(f"expected package-docs version 1, got {data[0] if data else None}")
    try:
        meta = json.loads(data[1:].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MetadataError(f"package-docs is not valid JSON: {error}") from None
    _package(resolve, package, _object(meta))


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MetadataError("package-docs: expected an object")
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MetadataError("package-docs: expected a string")


def _stability(value: Any) -> m.Stability:
    if value is None or value == "unknown":
        return m.UNKNOWN
    body = _object(value)
    if "stable" in body:
        inner = _object(body["stable"])
        return m.Stability("stable", since=_text(inner.get("since")), feature=_text(inner.get("feature")), deprecated=_text(inner.get("deprecated")))
    if "unstable" in body:
        inner = _object(body["unstable"])
        return m.Stability("unstable", feature=_text(inner.get("feature")), deprecated=_text(inner.get("deprecated")))
    raise MetadataError("package-docs: unknown stability")


def _package(resolve: m.Resolve, id: m.PackageId, meta: dict[str, Any]) -> None:
    package = resolve.packages[id]
    for name, data in _object(meta.get("worlds", {})).items():
        world = package.worlds.get(name)
        if world is None:
            raise MetadataError(f"missing world {name!r}")
        _world(resolve, world, _object(data))
    for name, data in _object(meta.get("interfaces", {})).items():
        iface = package.interfaces.get(name)
        if iface is None:
            raise MetadataError(f"missing interface {name!r}")
        _interface(resolve, iface, _object(data))
    if meta.get("docs") is not None:
        package.docs = _text(meta["docs"])


def _interface(resolve: m.Resolve, id: m.InterfaceId, meta: dict[str, Any]) -> None:
    iface = resolve.interfaces[id]
    for name, data in _object(meta.get("types", {})).items():
        ty = iface.types.get(name)
        if ty is None:
            raise MetadataError(f"missing type {name!r}")
        _type(resolve, ty, _object(data))
    for name, data in _object(meta.get("funcs", {})).items():
        func = iface.functions.get(name)
        if func is None:
            raise MetadataError(f"missing func {name!r}")
        _function(func, data)
    if meta.get("docs") is not None:
        iface.docs = _text(meta["docs"])
    iface.stability = _stability(meta.get("stability"))


def _function(func: m.Function, data: Any) -> None:
    if data is None or isinstance(data, str):
        func.docs = data
        return
    body = _object(data)
    func.docs = _text(body.get("docs"))
    func.stability = _stability(body.get("stability"))


def _type(resolve: m.Resolve, id: m.TypeId, meta: dict[str, Any]) -> None:
    ty = resolve.types[id]
    items = _object(meta.get("items", {}))
    if items:
        kind = ty.kind
        members: list[Any]
        if isinstance(kind, m.Record):
            members = list(kind.fields)
        elif isinstance(kind, m.Flags):
            members = list(kind.flags)
        elif isinstance(kind, (m.Variant, m.Enum)):
            members = list(kind.cases)
        else:
            raise MetadataError("package-docs: 'items' for a type without items")
        used = 0
        for member in members:
            if member.name in items:
                member.docs = _text(items[member.name])
                used += 1
        if used != len(items):
            raise MetadataError("package-docs: not all 'items' match type items")
    if meta.get("docs") is not None:
        ty.docs = _text(meta["docs"])
    ty.stability = _stability(meta.get("stability"))


def _world(resolve: m.Resolve, id: m.WorldId, meta: dict[str, Any]) -> None:
    world = resolve.worlds[id]
    for field, only_export in (("interfaces", False), ("interface_exports", True)):
        for name, data in _object(meta.get(field, {})).items():
            item = world.exports.get(name) if only_export else world.imports.get(name, world.exports.get(name))
            if not isinstance(item, m.InterfaceItem):
                raise MetadataError(f"missing interface {name!r}")
            item.stability = _stability(_object(data).get("stability"))
            _interface(resolve, item.id, _object(data))
    for name, data in _object(meta.get("types", {})).items():
        item = world.imports.get(name)
        if not isinstance(item, m.TypeItem):
            raise MetadataError(f"missing type {name!r}")
        _type(resolve, item.id, _object(data))
    keys: dict[tuple[str, bool], m.WorldKey] = {}
    for items, is_import in ((world.imports, True), (world.exports, False)):
        for key, item in items.items():
            if isinstance(item, m.InterfaceItem):
                keys[(resolve.world_key_name(key), is_import)] = key
    for field, is_import, what in (
        ("interface_import_stability", True, "stability"),
        ("interface_export_stability", False, "stability"),
        ("interface_import_docs", True, "docs"),
        ("interface_export_docs", False, "docs"),
    ):
        for name, data in _object(meta.get(field, {})).items():
            found = keys.get((name, is_import))
            target = (world.imports if is_import else world.exports).get(found) if found is not None else None
            if not isinstance(target, m.InterfaceItem):
                raise MetadataError(f"missing interface `{name}`")
            if what == "stability":
                target.stability = _stability(data)
            else:
                target.docs = _text(data)
    for field, only_export in (("funcs", False), ("func_exports", True)):
        for name, data in _object(meta.get(field, {})).items():
            item = world.exports.get(name) if only_export else world.imports.get(name, world.exports.get(name))
            if not isinstance(item, m.FunctionItem):
                raise MetadataError(f"missing func {name!r}")
            _function(item.function, data)
    if meta.get("docs") is not None:
        world.docs = _text(meta["docs"])
    world.stability = _stability(meta.get("stability"))
