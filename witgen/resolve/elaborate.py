"""Stage 3, per world: expand `include`s, then elaborate.

Elaboration lists every interface an import or export needs (transitively,
through `use`) as an import, in dependency order, and rejects a world whose
exports would need an interface both imported and exported. Mirrors
wit-parser's `resolve_include` and `elaborate_world`.
"""

from __future__ import annotations

from .._records import replace
from typing import Iterator

from .. import model as m
from ..diagnostics import Span, WitError


def _rename(original: str, old: str, new: str) -> str | None:
    """`with { old as new }` applied to a world key, if it matches."""
    if original == old:
        return new
    if "]" not in original:
        return None
    kind, rest = original.split("]", 1)
    if "." in rest:
        name, tail = rest.split(".", 1)
        if name == old:
            return f"{kind}]{new}.{tail}"
        if rest == old:
            return f"{kind}]{new}"
        return None
    if rest == old:
        return f"{kind}]{new}"
    return None


def _rename_candidates(key: str) -> list[str]:
    """Every `old` for which `_rename(key, old, ...)` matches."""
    candidates = [key]
    if "]" in key:
        rest = key.split("]", 1)[1]
        candidates.append(rest)
        if "." in rest:
            candidates.append(rest.split(".", 1)[0])
    return candidates


def _renamed(key: str, renames: dict[str, tuple[int, str]]) -> str:
    """`key` after the first rename of `with` that matches it, if any."""
    found = [(renames[old][0], old) for old in _rename_candidates(key) if old in renames]
    if not found:
        return key
    _, old = min(found)
    new = _rename(key, old, renames[old][1])
    assert new is not None
    return new


def _stability_text(s: m.Stability) -> str:
    if s.kind == "stable":
        return f"Stable {{ since: {s.since}, deprecated: {s.deprecated} }}"
    if s.kind == "unstable":
        return f"Unstable {{ feature: {s.feature}, deprecated: {s.deprecated} }}"
    return "Unknown"


class _Cloner:
    """Copies world-owned types (and inline interfaces) into another owner."""

    def __init__(
        self,
        resolve: m.Resolve,
        types: dict[m.TypeId, m.TypeId],
        prev: m.TypeOwner,
        new: m.TypeOwner,
        package: m.PackageId,
    ) -> None:
        self.resolve = resolve
        self.types = types
        self.prev = prev
        self.new = new
        self.package = package

    def world_item(self, item: m.WorldItem) -> m.WorldItem:
        if isinstance(item, m.TypeItem):
            return m.TypeItem(self.type_id(item.id), item.span)
        if isinstance(item, m.FunctionItem):
            return m.FunctionItem(self.function(item.function))
        if self.resolve.interfaces[item.id].name is not None:
            return item
        return replace(item, id=self.interface(item.id))

    def type_id(self, id: m.TypeId) -> m.TypeId:
        new_id = self.types.get(id)
        if new_id is None:
            # What `id` refers to is cloned first (and gets the lower ids), in
            # an iterative post-order: chains of types can be long.
            for old in m.post_order([id], self._clones_first, self.types):
                new = self._type_def(replace(self.resolve.types[old]))
                self.types[old] = m.TypeId(len(self.resolve.types))
                self.resolve.types.append(new)
            new_id = self.types[id]
        return new_id

    def _clones_first(self, id: m.TypeId) -> list[m.TypeId]:
        """The types `_type_def` clones for `id`, in the order it does."""
        kind = self.resolve.types[id].kind
        match kind:
            case m.Alias(target=target):
                return [target] if isinstance(target, int) and self._owned(target) else []
            case _:
                return self.resolve.type_ids_referenced(id)

    def _owned(self, id: m.TypeId) -> bool:
        return self.resolve.types[id].owner == self.prev

    def _alias_target(self, target: m.TypeId) -> m.TypeId:
        """An alias of a type of the same owner gets the copy; of any other
        type (`use`d from an interface), the type itself."""
        return self.type_id(target) if self._owned(target) else self.types.get(target, target)

    def _ty(self, ty: m.Type | None) -> m.Type | None:
        return self.type_id(ty) if isinstance(ty, int) else ty

    def _t(self, ty: m.Type) -> m.Type:
        return self.type_id(ty) if isinstance(ty, int) else ty

    def _type_def(self, td: m.TypeDef) -> m.TypeDef:
        if td.owner is not None:
            td.owner = self.new
        kind = td.kind
        match kind:
            case m.Alias():
                td.kind = m.map_type_ids(kind, self._alias_target)
            case _:
                td.kind = m.map_type_ids(kind, self.type_id)
        return td

    def function(self, func: m.Function) -> m.Function:
        return replace(
            func,
            resource=None if func.resource is None else self.type_id(func.resource),
            params=[replace(p, type=self._t(p.type)) for p in func.params],
            result=self._ty(func.result),
        )

    def interface(self, old: m.InterfaceId) -> m.InterfaceId:
        source = self.resolve.interfaces[old]
        next_id = m.InterfaceId(len(self.resolve.interfaces))
        inner = _Cloner(
            self.resolve,
            self.types,
            m.TypeOwner("interface", old),
            m.TypeOwner("interface", next_id),
            self.package,
        )
        types = {name: inner.type_id(id) for name, id in source.types.items()}
        functions = {name: inner.function(f) for name, f in source.functions.items()}
        assert len(self.resolve.interfaces) == next_id
        self.resolve.interfaces.append(
            replace(source, types=types, functions=functions, package=self.package, clone_of=old)
        )
        return next_id


def include_world(
    resolve: m.Resolve,
    world_id: m.WorldId,
    included_id: m.WorldId,
    names: list[tuple[str, str]],
    span: Span,
    package: m.PackageId,
) -> None:
    """Copy the imports and exports of `included_id` into `world_id`."""
    world = resolve.worlds[world_id]
    included = resolve.worlds[included_id]
    external = world.package != included.package
    # old name -> (its first position in `with`, new name): a lookup per
    # key, not a scan of `with` per key.
    renames: dict[str, tuple[int, str]] = {}
    for index, (old, new) in enumerate(names):
        renames.setdefault(old, (index, new))
    matched: set[str] = set()
    for key in [*included.imports, *included.exports]:
        if isinstance(key, str):
            matched.update(old for old in _rename_candidates(key) if old in renames)
    unmatched = [old for old, _ in names if old not in matched]
    if unmatched:
        raise WitError.at(
            span,
            f"no import or export kebab-name `{unmatched[0]}`. Note that an ID does not support renaming",
        )
    cloner = _Cloner(resolve, {}, m.TypeOwner("world", included_id), m.TypeOwner("world", world_id), package)
    for items, dst, what in (
        (dict(included.imports), world.imports, "import"),
        (dict(included.exports), world.exports, "export"),
    ):
        for key, item in items.items():
            if isinstance(key, str):
                new_key = _renamed(key, renames)
                new_item = cloner.world_item(item)
                if isinstance(new_item, m.FunctionItem):
                    new_item = m.FunctionItem(replace(new_item.function, name=new_key))
                elif isinstance(new_item, m.TypeItem):
                    resolve.types[new_item.id].name = new_key
                if new_key in dst:
                    raise WitError.at(span, f"{what} of `{new_key}` shadows previously {what}ed items")
                dst[new_key] = new_item
                continue
            assert isinstance(item, m.InterfaceItem)
            prev = dst.get(key)
            if prev is None:
                prev = dst[key] = replace(item)
            assert isinstance(prev, m.InterfaceItem)
            if external and item.stability.kind == "stable":
                prev.stability = m.UNKNOWN
            elif item.stability != prev.stability and not item.stability.is_unknown:
                if prev.stability.is_unknown:
                    prev.stability = item.stability
                else:
                    raise WitError.at(
                        item.span,
                        f"mismatch in stability from '{_stability_text(item.stability)}' "
                        f"to '{_stability_text(prev.stability)}'",
                    )


def _sort_key(resolve: m.Resolve, item: m.WorldItem) -> int:
    if isinstance(item, m.InterfaceItem):
        return 0
    if isinstance(item, m.TypeItem):
        ty = resolve.types[item.id]
        kind = ty.kind
        if isinstance(kind, m.Alias) and isinstance(kind.target, int) and resolve.types[kind.target].owner != ty.owner:
            return 1
        return 2
    return 3 if item.function.resource is None else 4


def _sorted(resolve: m.Resolve, items: dict[m.WorldKey, m.WorldItem]) -> dict[m.WorldKey, m.WorldItem]:
    return dict(sorted(items.items(), key=lambda kv: _sort_key(resolve, kv[1])))


def _import_interface(
    resolve: m.Resolve,
    imports: dict[m.WorldKey, m.WorldItem],
    key: m.WorldKey,
    id: m.InterfaceId,
    stability: m.Stability,
    docs: str | None,
    span: Span | None = None,
    external_id: str | None = None,
) -> None:
    """Import `id` as `key`, after every interface it uses (transitively).

    An iterative post-order: `use` chains can be long."""
    if key in imports:
        return
    item = m.InterfaceItem(id, stability, docs, span, external_id)
    stack: list[tuple[m.WorldKey, m.InterfaceItem, Iterator[m.InterfaceId]]] = [
        (key, item, resolve.interface_direct_deps(id))
    ]
    while stack:
        current, current_item, deps = stack[-1]
        for dep in deps:
            if dep not in imports:
                dep_item = m.InterfaceItem(dep, stability, None, None, None)
                stack.append((dep, dep_item, resolve.interface_direct_deps(dep)))
                break
        else:
            stack.pop()
            imports.setdefault(current, current_item)


def elaborate_world(resolve: m.Resolve, world_id: m.WorldId, span: Span | None) -> None:
    world = resolve.worlds[world_id]
    imports: dict[m.WorldKey, m.WorldItem] = {}
    for key, item in _sorted(resolve, world.imports).items():
        if isinstance(item, m.InterfaceItem):
            _import_interface(resolve, imports, key, item.id, item.stability, item.docs, item.span, item.external_id)
        elif isinstance(item, m.FunctionItem):
            imports[key] = item
        else:
            dep = resolve.type_interface_dep(item.id)
            if dep is not None:
                _import_interface(resolve, imports, dep, dep, resolve.types[item.id].stability, None)
            imports[key] = item

    exports: dict[m.WorldKey, m.WorldItem] = {}
    export_interfaces: dict[m.WorldKey, m.InterfaceItem] = {}
    for key, item in world.exports.items():
        if isinstance(item, m.InterfaceItem):
            export_interfaces[key] = item
        else:
            exports[key] = item

    required: set[m.InterfaceId] = set()

    def add(key: m.WorldKey, item: m.InterfaceItem, add_export: bool) -> bool:
        """Export `item` (or, for a dependency that is not exported, import
        it) after what it uses; False if that needs an interface both ways.
        An iterative post-order: `use` chains can be long."""
        stack: list[tuple[m.WorldKey, m.InterfaceItem, bool, Iterator[m.InterfaceId]]] = []

        def enter(key: m.WorldKey, item: m.InterfaceItem, add_export: bool) -> bool | None:
            """The answer at once, or None when `key` must wait for its deps."""
            if key in exports:
                return add_export
            if not add_export and item.id in required:
                return True
            stack.append((key, item, add_export, resolve.interface_direct_deps(item.id)))
            return None

        answer = enter(key, item, add_export)
        while stack:
            key, item, add_export, deps = stack[-1]
            for dep in deps:
                dep_item = m.InterfaceItem(dep, item.stability, None, None, item.external_id)
                done = enter(dep, dep_item, add_export and dep in export_interfaces)
                if done is False:
                    return False
                if done is None:
                    break
            else:
                stack.pop()
                if add_export:
                    if item.id in required:
                        return False
                    exports[key] = item
                else:
                    required.add(item.id)
                    if key not in imports:
                        imports[key] = item
                answer = True
        return answer is not False

    for key, item in export_interfaces.items():
        if not add(key, item, True):
            name = resolve.world_key_name(key)
            raise WitError.at(span, f"interface `{name}` transitively depends on an interface in incompatible ways")

    world.imports = _sorted(resolve, imports)
    world.exports = exports
