"""Stage 1: the files of one package -> an `UnresolvedPackage`.

Names inside the package are looked up here: interfaces and worlds are
ordered by their `use`s, types by their references, and every reference
becomes an id into the package's own arenas. What the package takes from
other packages stays a placeholder (interfaces and worlds at the front of
the arenas, types of kind `Unknown`) for `link` to connect.
"""

from __future__ import annotations

import itertools
from .._records import dataclass, field
from functools import partial
from typing import Callable, Hashable, Iterable, Iterator, Literal, Sequence, Union

from ..frontend import ast
from .. import model as m
from .._compat import assert_never
from ..diagnostics import Collector, Span, WitError, did_you_mean
from .toposort import Deps, toposort

ItemKind = Literal["interface", "world"]


@dataclass(frozen=True)
class AstItem:
    """An interface or world of the package being resolved (local id)."""

    kind: ItemKind
    id: m.InterfaceId | m.WorldId


@dataclass
class ForeignDep:
    item: AstItem
    stabilities: list[m.Stability]


@dataclass
class Include:
    stability: m.Stability
    world: m.WorldId
    names: list[tuple[str, str]]
    span: Span


@dataclass
class UnresolvedPackage:
    name: m.PackageName
    name_span: Span | None
    docs: str | None
    types: list[m.TypeDef] = field(default_factory=list)
    interfaces: list[m.Interface] = field(default_factory=list)
    worlds: list[m.World] = field(default_factory=list)
    includes: dict[m.WorldId, list[Include]] = field(default_factory=dict)
    foreign_deps: dict[m.PackageName, dict[str, ForeignDep]] = field(default_factory=dict)
    foreign_dep_spans: list[Span] = field(default_factory=list)
    unknown_type_spans: list[Span] = field(default_factory=list)
    required_resource_types: list[tuple[m.TypeId, Span]] = field(default_factory=list)


@dataclass
class PackageSource:
    """The AST that makes up one package: a name and the items of its files."""

    name: ast.PackageName | None
    docs: str | None
    files: list[tuple[ast.PackageItem, ...]]


FUNCTION = "function"
# What a name in an interface or world scope stands for.
Lookup = dict[str, tuple[Union[m.TypeId, str], Span]]

PathKind = Literal["interface", "world", "unknown"]


@dataclass(frozen=True)
class _PathUse:
    owner: str | None  # the interface (or including world) it participates in ordering for
    attrs: ast.Attributes
    path: ast.UsePath
    names: tuple[ast.UseName, ...] | None
    kind: PathKind


def _paths(items: Sequence[ast.PackageItem]) -> Iterator[_PathUse]:
    """Every path of a file in wit-parser's visiting order."""
    for item in items:
        if isinstance(item, ast.World):
            imports: list[ast.Import | ast.Export] = []
            exports: list[ast.Import | ast.Export] = []
            for w in item.items:
                if isinstance(w, ast.Use):
                    yield _PathUse(None, w.attrs, w.path, w.names, "interface")
                elif isinstance(w, ast.Include):
                    yield _PathUse(item.name, w.attrs, w.path, None, "world")
                elif isinstance(w, ast.Import):
                    imports.append(w)
                elif isinstance(w, ast.Export):
                    exports.append(w)
            for extern in imports + exports:
                e = extern.extern
                if isinstance(e, ast.ExternInline):
                    for i in e.items:
                        if isinstance(i, ast.Use):
                            yield _PathUse(None, i.attrs, i.path, i.names, "interface")
                elif isinstance(e, (ast.ExternPath, ast.ExternNamedPath)):
                    yield _PathUse(None, extern.attrs, e.path, None, "interface")
        elif isinstance(item, ast.Interface):
            for i in item.items:
                if isinstance(i, ast.Use):
                    yield _PathUse(item.name, i.attrs, i.path, i.names, "interface")
        else:
            yield _PathUse(None, item.attrs, item.path, None, "unknown")


def _package_name(name: ast.PackageName) -> m.PackageName:
    return m.PackageName(name.namespace, name.name, name.version)


def stability(attrs: ast.Attributes) -> m.Stability:
    since: ast.Since | None = None
    deprecated: ast.Deprecated | None = None
    unstable: ast.Unstable | None = None
    for attr in attrs:
        if isinstance(attr, ast.Since):
            if since is not None:
                raise WitError.at(attr.span, "cannot specify @since twice")
            since = attr
        elif isinstance(attr, ast.Deprecated):
            if deprecated is not None:
                raise WitError.at(attr.span, "cannot specify @deprecated twice")
            deprecated = attr
        elif isinstance(attr, ast.Unstable):
            if unstable is not None:
                raise WitError.at(attr.span, "cannot specify @unstable twice")
            unstable = attr
        elif isinstance(attr, ast.ExternalId):
            pass
    dep = deprecated.version if deprecated is not None else None
    if since is not None and unstable is not None:
        raise WitError.at(since.span, "cannot specify both @since and @unstable")
    if since is not None:
        return m.Stability("stable", since=since.version, deprecated=dep)
    if unstable is not None:
        return m.Stability("unstable", feature=unstable.feature, deprecated=dep)
    if deprecated is not None:
        raise WitError.at(deprecated.span, "cannot specify both @deprecated without @since or @unstable")
    return m.UNKNOWN


def external_id(attrs: ast.Attributes) -> str | None:
    found: str | None = None
    for attr in attrs:
        if isinstance(attr, ast.ExternalId):
            if found is not None:
                raise WitError.at(attr.span, "cannot specify @external-id twice")
            found = attr.id
    return found


_MAP_KEYS: frozenset[m.Primitive] = frozenset(
    {"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"}
)


def _collect_deps(ty: ast.Type, out: list[tuple[str, Span]]) -> None:
    """The names `ty` mentions, in order. Iterative: types nest deeply in
    hostile input; the stack holds what is left, last first."""
    stack = [ty]
    while stack:
        t = stack.pop()
        match t:
            case ast.Primitive():
                pass
            case ast.Named(name=name, span=span):
                out.append((name, span))
            case ast.Handle(resource=resource):
                out.append((resource.name, resource.span))
            case ast.Shape(shape=shape):
                stack += reversed(list(m.shape_references(shape)))
            case _:
                assert_never(t)


def _typedef_deps(td: ast.TypeDef) -> list[tuple[str, Span]]:
    out: list[tuple[str, Span]] = []
    match td:
        case ast.TypeAlias(type=type_):
            _collect_deps(type_, out)
        case ast.Record(fields=fields):
            for f in fields:
                _collect_deps(f.type, out)
        case ast.Variant(cases=cases):
            for c in cases:
                if c.type is not None:
                    _collect_deps(c.type, out)
        case ast.Flags() | ast.Enum() | ast.Resource():
            pass
        case _:
            assert_never(td)
    return out


class PackageResolver:
    """Resolves one package's files; mirrors wit-parser's `ast::Resolver`."""

    def __init__(self, source: PackageSource) -> None:
        if source.name is None:
            raise WitError.at(None, "no `package` header was found in any WIT file for this package")
        self.source = source
        self.pkg = UnresolvedPackage(_package_name(source.name), source.name.span, source.docs)
        # Anonymous structures (`Handle`s, shapes: hashable values) -> their one id.
        self.anon: dict[Hashable, m.TypeId] = {}
        self.interface_types: list[Lookup] = []
        self.type_lookup: Lookup = {}
        self.ast_items: list[dict[str, AstItem]] = []
        self.package_items: dict[str, AstItem] = {}
        self.cur = 0
        self.foreign_interfaces: set[m.InterfaceId] = set()

    # ---- arenas ----

    def _alloc_interface(self, span: Span | None) -> m.InterfaceId:
        self.interface_types.append({})
        self.pkg.interfaces.append(m.Interface(None, span=span))
        return m.InterfaceId(len(self.pkg.interfaces) - 1)

    def _alloc_world(self, span: Span | None) -> m.WorldId:
        self.pkg.worlds.append(m.World("", span=span))
        return m.WorldId(len(self.pkg.worlds) - 1)

    def _alloc_type(self, td: m.TypeDef) -> m.TypeId:
        self.pkg.types.append(td)
        return m.TypeId(len(self.pkg.types) - 1)

    # ---- the stages ----

    def resolve(self) -> UnresolvedPackage:
        files = self.source.files
        self._populate_foreign_deps(files)
        iface_order, world_order = self._populate_ast_items(files)
        self._populate_foreign_types(files)

        iface_ast: dict[m.InterfaceId, tuple[ast.Interface, int]] = {}
        world_ast: dict[m.WorldId, tuple[ast.World, int]] = {}
        for i, items in enumerate(files):
            for item in items:
                if isinstance(item, ast.Interface):
                    iface_ast[m.InterfaceId(self.ast_items[i][item.name].id)] = (item, i)
                elif isinstance(item, ast.World):
                    world_ast[m.WorldId(self.ast_items[i][item.name].id)] = (item, i)
        # An interface or world with a mistake is reported and skipped, with
        # everything that uses it (whose errors would only be echoes).
        errors = Collector()
        failed: set[AstItem] = set()
        for iface_id in iface_order:
            iface, i = iface_ast[iface_id]
            self.cur = i
            run = partial(self._resolve_interface, iface_id, iface.items, iface.docs, iface.attrs)
            self._guarded(AstItem("interface", iface_id), _paths((iface,)), errors, failed, run)
        for world_id in world_order:
            world, i = world_ast[world_id]
            self.cur = i
            run = partial(self._resolve_world, world_id, world)
            self._guarded(AstItem("world", world_id), _paths((world,)), errors, failed, run)
        errors.raise_if_any()
        return self.pkg

    def _guarded(
        self,
        item: AstItem,
        paths: Iterator[_PathUse],
        errors: Collector,
        failed: set[AstItem],
        run: Callable[[], None],
    ) -> None:
        if failed:
            for use in paths:
                try:
                    used = self._resolve_path(use.path)[0]
                except WitError:
                    continue
                if used in failed:
                    failed.add(item)
                    return
        try:
            run()
        except WitError as error:
            errors.extend(error)
            failed.add(item)
            self.type_lookup = {}

    def _populate_foreign_deps(self, files: list[tuple[ast.PackageItem, ...]]) -> None:
        for items in files:
            for use in _paths(items):
                path = use.path
                if not isinstance(path, ast.ForeignPath):
                    continue
                stab = stability(use.attrs)
                name = _package_name(path.package)
                deps = self.pkg.foreign_deps.get(name)
                if deps is None:
                    deps = self.pkg.foreign_deps[name] = {}
                    self.pkg.foreign_dep_spans.append(path.package.span)
                dep = deps.get(path.name)
                if dep is None:
                    name_span = _foreign_name_span(path)
                    if use.kind == "world":
                        item = AstItem("world", self._alloc_world(name_span))
                    else:
                        iface = self._alloc_interface(name_span)
                        item = AstItem("interface", iface)
                        self.foreign_interfaces.add(iface)
                    dep = deps[path.name] = ForeignDep(item, [])
                dep.stabilities.append(stab)

    def _populate_ast_items(
        self, files: list[tuple[ast.PackageItem, ...]]
    ) -> tuple[list[m.InterfaceId], list[m.WorldId]]:
        package_items: dict[str, Span] = {}
        names: dict[str, ast.Interface | ast.World] = {}
        order: Deps = {}
        for items in files:
            for item in items:
                if isinstance(item, (ast.Interface, ast.World)):
                    if item.name in package_items:
                        raise WitError.at(item.span, f"duplicate item named `{item.name}`")
                    package_items[item.name] = item.span
                    order[item.name] = []
                    names[item.name] = item

        for items in files:
            file_ns: dict[str, tuple[Span, str | None]] = {}  # name -> (span, local target or None if foreign)
            for item in items:
                if isinstance(item, ast.TopLevelUse):
                    name = item.alias or item.path.name
                    span = item.path.span if item.alias is None else item.span
                    target = item.path.name if isinstance(item.path, ast.LocalPath) else None
                    entry = (item.path.span, target)
                    item_name_span = span
                else:
                    name = item.name
                    entry = (item.span, item.name)
                    item_name_span = item.span
                if name in file_ns:
                    raise WitError.at(item_name_span, f"duplicate name `{name}` in this file")
                file_ns[name] = entry
            for use in _paths(items):
                if use.owner is None or not isinstance(use.path, ast.LocalPath):
                    continue
                used = use.path
                local = file_ns.get(used.name)
                if local is not None:
                    span, target = local
                    if target is None:
                        continue
                    order[use.owner].append((target, span))
                elif used.name in package_items:
                    order[use.owner].append((used.name, used.span))
                else:
                    raise WitError.at(
                        used.span,
                        f"interface or world `{used.name}` does not exist",
                        did_you_mean(used.name, [*file_ns, *package_items]),
                    )

        sorted_names = toposort("interface or world", order)
        ids: dict[str, AstItem] = {}
        iface_order: list[m.InterfaceId] = []
        world_order: list[m.WorldId] = []
        for name in sorted_names:
            node = names[name]
            if isinstance(node, ast.Interface):
                iface = self._alloc_interface(package_items[name])
                self.pkg.interfaces[iface].name = name
                ids[name] = AstItem("interface", iface)
                iface_order.append(iface)
            else:
                world = self._alloc_world(package_items[name])
                self.pkg.worlds[world].name = name
                ids[name] = AstItem("world", world)
                world_order.append(world)

        for items in files:
            scope: dict[str, AstItem] = {}
            for item in items:
                if isinstance(item, ast.TopLevelUse):
                    if item.attrs:
                        raise WitError.at(item.span, "attributes not allowed on top-level use")
                    name = item.alias or item.path.name
                    path = item.path
                    if isinstance(path, ast.LocalPath):
                        found = ids.get(path.name)
                        if found is None:
                            raise WitError.at(
                                path.span,
                                f"interface or world `{path.name}` does not exist",
                                did_you_mean(path.name, ids),
                            )
                        scope[name] = found
                    else:
                        scope[name] = self.pkg.foreign_deps[_package_name(path.package)][path.name].item
                else:
                    scope[item.name] = ids[item.name]
                    self.package_items[item.name] = ids[item.name]
            self.ast_items.append(scope)
        return iface_order, world_order

    def _populate_foreign_types(self, files: list[tuple[ast.PackageItem, ...]]) -> None:
        for i, items in enumerate(files):
            self.cur = i
            for use in _paths(items):
                if use.names is None:
                    continue
                stab = stability(use.attrs)
                ext = external_id(use.attrs)
                item, name, span = self._resolve_path(use.path)
                iface = self._iface_of(item, name, span)
                if iface not in self.foreign_interfaces:
                    continue
                lookup = self.interface_types[iface]
                for use_name in use.names:
                    if use_name.name in lookup:
                        continue
                    owner = m.TypeOwner("interface", iface)
                    id = self._alloc_type(
                        m.TypeDef(
                            use_name.name, m.Unknown(), owner, stability=stab, span=use_name.span, external_id=ext
                        )
                    )
                    # Unknown types are the first in the arena: ids index this list.
                    self.pkg.unknown_type_spans.append(use_name.span)
                    lookup[use_name.name] = (id, use_name.span)
                    self.pkg.interfaces[iface].types[use_name.name] = id

    # ---- paths ----

    def _resolve_path(self, path: ast.UsePath) -> tuple[AstItem, str, Span]:
        if isinstance(path, ast.LocalPath):
            item = self.ast_items[self.cur].get(path.name) or self.package_items.get(path.name)
            if item is None:
                scope = itertools.chain(self.ast_items[self.cur], self.package_items)
                raise WitError.at(
                    path.span, f"interface or world `{path.name}` does not exist", did_you_mean(path.name, scope)
                )
            return item, path.name, path.span
        dep = self.pkg.foreign_deps[_package_name(path.package)][path.name]
        return dep.item, path.name, _foreign_name_span(path)

    @staticmethod
    def _iface_of(item: AstItem, name: str, span: Span) -> m.InterfaceId:
        if item.kind != "interface":
            raise WitError.at(span, f"name `{name}` is defined as a world, not an interface")
        return m.InterfaceId(item.id)

    @staticmethod
    def _world_of(item: AstItem, name: str, span: Span) -> m.WorldId:
        if item.kind != "world":
            raise WitError.at(span, f"name `{name}` is defined as an interface, not a world")
        return m.WorldId(item.id)

    # ---- worlds ----

    def _resolve_world(self, world_id: m.WorldId, world: ast.World) -> None:
        w = self.pkg.worlds[world_id]
        w.docs = world.docs
        w.stability = stability(world.attrs)
        w.span = world.span
        self._resolve_types(
            m.TypeOwner("world", world_id),
            [i for i in world.items if isinstance(i, (ast.Use, *_TYPEDEFS))],
        )
        for inc in world.items:
            if isinstance(inc, ast.Include):
                stab = stability(inc.attrs)
                found, name, span = self._resolve_path(inc.path)
                target = self._world_of(found, name, span)
                self.pkg.includes.setdefault(world_id, []).append(
                    Include(stab, target, [(n.name, n.alias) for n in inc.names], span)
                )
        for name, (value, span) in self.type_lookup.items():
            assert isinstance(value, int)
            if name in w.imports:
                raise WitError.at(span, f"import `{name}` conflicts with prior import of same name")
            w.imports[name] = m.TypeItem(value, span)

        imported: set[m.WorldKey] = set()
        exported: set[m.WorldKey] = set()
        for item in world.items:
            if isinstance(item, ast.Resource):
                for func in item.functions:
                    f = self._resource_func(func, item.name)
                    w.imports[f.name] = m.FunctionItem(f)
                continue
            if not isinstance(item, (ast.Import, ast.Export)):
                continue
            desc = "import" if isinstance(item, ast.Import) else "export"
            seen = imported if desc == "import" else exported
            extern = item.extern
            world_item = self._world_item(item.docs, item.attrs, extern)
            key: m.WorldKey
            if isinstance(extern, (ast.ExternInline, ast.ExternNamedPath)):
                key = extern.name
            elif isinstance(world_item, m.FunctionItem):
                key = world_item.function.name
            else:
                assert isinstance(world_item, m.InterfaceItem)
                key = world_item.id
                if key in seen:
                    raise WitError.at(extern.span, f"interface cannot be {desc}ed more than once")
                seen.add(key)
            dst = w.imports if desc == "import" else w.exports
            prev = dst.get(key)
            if prev is not None:
                what = (
                    "interface"
                    if isinstance(prev, m.InterfaceItem)
                    else "func" if isinstance(prev, m.FunctionItem) else "type"
                )
                raise WitError.at(extern.span, f"{desc} `{key}` conflicts with prior {what} of same name")
            dst[key] = world_item
        for named in (w.imports, w.exports):
            check_strongly_unique((key, item.span) for key, item in named.items() if isinstance(key, str))
        self.type_lookup = {}

    def _world_item(self, docs: str | None, attrs: ast.Attributes, extern: ast.Extern) -> m.WorldItem:
        if isinstance(extern, ast.ExternInline):
            saved = self.type_lookup
            self.type_lookup = {}
            id = self._alloc_interface(extern.span)
            self._resolve_interface(id, extern.items, docs, attrs)
            self.type_lookup = saved
            return m.InterfaceItem(id, self.pkg.interfaces[id].stability, None, extern.span, external_id(attrs))
        if isinstance(extern, (ast.ExternPath, ast.ExternNamedPath)):
            stab = stability(attrs)
            ext = external_id(attrs)
            item, name, span = self._resolve_path(extern.path)
            id = self._iface_of(item, name, span)
            item_span = extern.span if isinstance(extern, ast.ExternNamedPath) else span
            return m.InterfaceItem(id, stab, docs, item_span, ext)
        kind: m.FunctionKind = "async-freestanding" if extern.type.is_async else "freestanding"
        return m.FunctionItem(self._function(docs, attrs, extern.name, extern.span, extern.type, kind, None))

    # ---- interfaces ----

    def _resolve_interface(
        self, id: m.InterfaceId, items: Sequence[ast.InterfaceItem], docs: str | None, attrs: ast.Attributes
    ) -> None:
        iface = self.pkg.interfaces[id]
        iface.docs = docs
        iface.stability = stability(attrs)
        self._resolve_types(m.TypeOwner("interface", id), [i for i in items if not isinstance(i, ast.Func)])
        for name, (value, _) in self.type_lookup.items():
            assert isinstance(value, int)
            iface.types[name] = value
        # Types first, then functions in order, as wit-parser lists them.
        names = [(name, span) for name, (_, span) in self.type_lookup.items()]
        for item in items:
            if isinstance(item, ast.Func):
                names.append((item.name, item.span))
            elif isinstance(item, ast.Resource):
                names.extend((_mangled(func, item.name), func.span) for func in item.functions)
        check_strongly_unique(names)
        funcs: list[m.Function] = []
        # Functions depend on nothing but types: each one's mistakes are its own,
        # so all of them are reported together.
        errors = Collector()
        for item in items:
            try:
                if isinstance(item, ast.Func):
                    self._define(item.name, item.span, FUNCTION)
                    kind: m.FunctionKind = "async-freestanding" if item.type.is_async else "freestanding"
                    funcs.append(self._function(item.docs, item.attrs, item.name, item.span, item.type, kind, None))
                elif isinstance(item, ast.Resource):
                    for func in item.functions:
                        funcs.append(self._resource_func(func, item.name))
            except WitError as error:
                errors.extend(error)
        errors.raise_if_any()
        for f in funcs:
            iface.functions[f.name] = f
        self.interface_types[id] = self.type_lookup
        self.type_lookup = {}

    # ---- types ----

    def _resolve_types(self, owner: m.TypeOwner, items: Sequence[object]) -> None:
        assert not self.type_lookup
        for item in items:
            if isinstance(item, ast.Use):
                self._resolve_use(owner, item)
        deps: Deps = {}
        defs: dict[str, ast.TypeDef | None] = {}
        for item in items:
            if isinstance(item, ast.Use):
                for n in item.names:
                    name = n.alias or n.name
                    deps[name] = []
                    defs[name] = None
            else:
                assert isinstance(item, _TYPEDEFS)
                if item.name in defs:
                    raise WitError.at(item.span, f"name `{item.name}` is defined more than once")
                defs[item.name] = item
                deps[item.name] = _typedef_deps(item)
        try:
            order = toposort("type", deps)
        except WitError as error:
            raise _old_float_hint(error) from None
        for name in order:
            td = defs.pop(name)
            if td is None:
                continue
            stab = stability(td.attrs)
            ext = external_id(td.attrs)
            kind = self._typedef_kind(td, stab)
            id = self._alloc_type(m.TypeDef(td.name, kind, owner, td.docs, stab, td.span, ext))
            self._define(td.name, td.span, id)

    def _define(self, name: str, span: Span, value: m.TypeId | str) -> None:
        if name in self.type_lookup:
            raise WitError.at(span, f"name `{name}` is defined more than once")
        self.type_lookup[name] = (value, span)

    def _resolve_use(self, owner: m.TypeOwner, use: ast.Use) -> None:
        item, name, span = self._resolve_path(use.path)
        source = self._iface_of(item, name, span)
        stab = stability(use.attrs)
        ext = external_id(use.attrs)
        for n in use.names:
            found = self.interface_types[source].get(n.name)
            if found is None:
                known = self.interface_types[source]
                types = (name for name, (value, _) in known.items() if isinstance(value, int))
                raise WitError.at(n.span, f"name `{n.name}` does not exist", did_you_mean(n.name, types))
            value = found[0]
            if isinstance(value, str):
                raise WitError.at(n.span, f"cannot import {value} `{n.name}`")
            local = n.alias or n.name
            id = self._alloc_type(m.TypeDef(local, m.Alias(value), owner, None, stab, n.span, ext))
            self._define(local, n.alias_span or n.span, id)

    def _type_name(self, named: ast.Named) -> m.TypeId:
        found = self.type_lookup.get(named.name)
        if found is None:
            # A misspelt built-in (`strin`) is as likely as a misspelt name in
            # scope. Lazily: `did_you_mean` stops after a while, and listing
            # the scope for each of thousands of mistakes is quadratic.
            types = (name for name, (value, _) in self.type_lookup.items() if isinstance(value, int))
            candidates = itertools.chain(types, sorted(m.PRIMITIVES))
            raise WitError.at(named.span, f"name `{named.name}` does not exist", did_you_mean(named.name, candidates))
        if isinstance(found[0], str):
            raise WitError.at(named.span, f"cannot use {found[0]} `{named.name}` as a type")
        return found[0]

    def _validate_resource(self, named: ast.Named) -> m.TypeId:
        id = self._type_name(named)
        cur = id
        while True:
            kind = self.pkg.types[cur].kind
            match kind:
                case m.Resource():
                    return id
                case m.Alias(target=target) if isinstance(target, int):
                    cur = target
                case m.Unknown():
                    # From another package: `link` checks it once connected.
                    self.pkg.required_resource_types.append((cur, named.span))
                    return id
                case m.Alias() | m.Record() | m.Flags() | m.Variant() | m.Enum() | m.Handle() | m.ShapeKind():
                    raise WitError.at(named.span, f"type `{named.name}` used in a handle must be a resource")
                case _:
                    assert_never(kind)

    def _typedef_kind(self, td: ast.TypeDef, stab: m.Stability) -> m.TypeDefKind:
        # wit-parser 1.262's checks, each after the member types resolve.
        match td:
            case ast.TypeAlias(type=type_):
                return self._kind(type_, stab)
            case ast.Record(fields=ast_fields):
                fields = [m.Field(f.name, self._type(f.type, stab), f.docs, f.span) for f in ast_fields]
                if not fields:
                    raise WitError.at(td.span, "empty record")
                _check_members("field", [(f.name, f.span) for f in ast_fields])
                return m.Record(fields)
            case ast.Flags(flags=flags):
                if not flags:
                    raise WitError.at(td.span, "empty flags")
                if len(flags) > MAX_FLAGS:
                    raise WitError.at(flags[MAX_FLAGS].span, f"cannot have more than {MAX_FLAGS} flags")
                _check_members("flag", [(f.name, f.span) for f in flags])
                return m.Flags([m.Flag(f.name, f.docs, f.span) for f in flags])
            case ast.Variant(cases=cases):
                if not cases:
                    raise WitError.at(td.span, "empty variant")
                variant = m.Variant(
                    [
                        m.Case(c.name, self._type(c.type, stab) if c.type is not None else None, c.docs, c.span)
                        for c in cases
                    ]
                )
                _check_members("case", [(c.name, c.span) for c in cases])
                return variant
            case ast.Enum(cases=enum_cases):
                if not enum_cases:
                    raise WitError.at(td.span, "empty enum")
                _check_members("case", [(c.name, c.span) for c in enum_cases])
                return m.Enum([m.EnumCase(c.name, c.docs, c.span) for c in enum_cases])
            case ast.Resource():
                # A resource's functions are checked with the rest of its scope's
                # names (`check_strongly_unique`): `[static]x.x` collides with `x`.
                return m.Resource()
            case _:
                assert_never(td)

    def _kind(self, ty: ast.Type, stab: m.Stability) -> m.TypeDefKind:
        """The one mapping of a written type to a model kind."""
        match ty:
            case ast.Primitive(name=name):
                return m.Alias(name)
            case ast.Named():
                return m.Alias(self._type_name(ty))
            case ast.Handle(kind=how, resource=resource):
                return m.Handle(how, self._validate_resource(resource))
            case ast.Shape(shape=m.Tuple(types=())):
                raise WitError.at(ty.span, "empty tuple")
            case ast.Shape(shape=shape):
                kind = m.map_shape(shape, lambda t: self._type(t, stab))
                if isinstance(kind, m.Map) and not (isinstance(kind.key, str) and kind.key in _MAP_KEYS):
                    raise WitError.at(
                        ty.span,
                        "invalid map key type: map keys must be "
                        "bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string",
                    )
                return kind
            case _:
                assert_never(ty)

    def _opt_type(self, ty: ast.Type | None, stab: m.Stability) -> m.Type | None:
        return None if ty is None else self._type(ty, stab)

    def _type(self, ty: ast.Type, stab: m.Stability) -> m.Type:
        kind = self._kind(ty, stab)
        return self._anon(kind, self._find_stability(kind, stab), ty.span)

    def _find_stability(self, kind: m.TypeDefKind, stab: m.Stability) -> m.Stability:
        """An anonymous type inherits the first known stability it refers to."""
        if not stab.is_unknown:
            return stab
        for ref in m.type_references(kind):
            if isinstance(ref, int) and not self.pkg.types[ref].stability.is_unknown:
                return self.pkg.types[ref].stability
        return m.UNKNOWN

    def _anon(self, kind: m.TypeDefKind, stab: m.Stability, span: Span | None) -> m.Type:
        """The type an anonymous `kind` is: one id per distinct structure,
        as wit-parser's `anon_types` (an `own<r>` is `r` itself)."""
        match kind:
            case m.Alias(target=target):
                return target
            case m.Handle(kind="own", resource=resource):
                return resource
            case m.Handle() | m.ShapeKind():
                pass  # a value: equal structures are equal keys
            case m.Record() | m.Flags() | m.Variant() | m.Enum() | m.Resource() | m.Unknown():
                raise AssertionError(f"no anonymous {kind}")
            case _:
                assert_never(kind)
        id = self.anon.get(kind)
        if id is None:
            id = self.anon[kind] = self._alloc_type(m.TypeDef(None, kind, None, None, stab, span))
        return id

    # ---- functions ----

    def _resource_func(self, func: ast.ResourceFunc, resource: str) -> m.Function:
        found = self.type_lookup[resource][0]
        assert isinstance(found, int)
        kind: m.FunctionKind
        if isinstance(func, ast.Constructor):
            kind = "constructor"
            return self._function(func.docs, func.attrs, _mangled(func, resource), func.span, func.type, kind, found)
        if func.static:
            kind = "async-static" if func.type.is_async else "static"
        else:
            kind = "async-method" if func.type.is_async else "method"
        return self._function(func.docs, func.attrs, _mangled(func, resource), func.span, func.type, kind, found)

    def _function(
        self,
        docs: str | None,
        attrs: ast.Attributes,
        name: str,
        span: Span,
        func: ast.FuncType,
        kind: m.FunctionKind,
        resource: m.TypeId | None,
    ) -> m.Function:
        stab = stability(attrs)
        ext = external_id(attrs)
        params: list[m.Param] = []
        if kind in ("method", "async-method"):
            assert resource is not None
            handle = m.Handle("borrow", resource)
            params.append(
                m.Param("self", self._anon(handle, self._find_stability(handle, m.UNKNOWN), func.span), func.span)
            )
        names = {q.name.lower() for q in params}  # a set: a list made 10,000 parameters take seconds
        for p in func.params:
            # Parameter names are strongly unique too: `a` and `A` collide.
            if p.name.lower() in names:
                raise WitError.at(p.span, f"param `{p.name}` is defined more than once")
            names.add(p.name.lower())
            params.append(m.Param(p.name, self._type(p.type, m.UNKNOWN), p.span))
        result: m.Type | None
        if kind == "constructor":
            assert resource is not None
            result = resource if func.result is None else self._constructor_result(resource, func.result)
        else:
            result = self._opt_type(func.result, m.UNKNOWN)
        return m.Function(name, kind, params, result, resource, docs, stab, span, ext)

    def _constructor_result(self, resource: m.TypeId, result_ast: ast.Type) -> m.Type:
        result = self._type(result_ast, m.UNKNOWN)
        kind = self.pkg.types[result].kind if isinstance(result, int) else None
        if not isinstance(kind, m.Result):
            raise WitError.at(result_ast.span, "if a constructor return type is declared it must be a `result`")
        if kind.ok != resource or not isinstance(kind.ok, int):
            ok_span = (
                result_ast.shape.ok.span
                if isinstance(result_ast, ast.Shape)
                and isinstance(result_ast.shape, m.Result)
                and result_ast.shape.ok is not None
                else result_ast.span
            )
            raise WitError.at(ok_span, "the `ok` type must be the resource being constructed")
        return result


_TYPEDEFS = (ast.TypeAlias, ast.Record, ast.Flags, ast.Variant, ast.Enum, ast.Resource)


# The canonical ABI passes flags in one i32 at most (wit-parser 1.262).
MAX_FLAGS = 32
_ANNOTATIONS = ("[method]", "[static]")


def _mangled(func: ast.ResourceFunc, resource: str) -> str:
    """A resource function's name in its interface or world."""
    if isinstance(func, ast.Constructor):
        return f"[constructor]{resource}"
    return f"[{'static' if func.static else 'method'}]{resource}.{func.name}"


def strong_key(name: str) -> str:
    """The Component Model's canonical form for strong uniqueness
    (Explainer.md, "Name Uniqueness"): acronyms lowercased, `[method]l.l`
    and `[static]l.l` become `l`, other annotations but `[constructor]` go."""
    name = name.lower()
    for annotation in _ANNOTATIONS:
        if name.startswith(annotation):
            rest = name[len(annotation) :]
            resource, _, func = rest.partition(".")
            return resource if resource == func else rest
    return name


def check_strongly_unique(names: Iterable[tuple[str, Span | None]]) -> None:
    """wit-parser's check of one scope's names (types, then functions; or a
    world's imports or its exports), in its words."""
    seen: dict[str, str] = {}
    for name, span in names:
        key = strong_key(name)
        previous = seen.get(key)
        if previous is None:
            seen[key] = name
            continue
        if previous == name:
            raise WitError.at(span, f"duplicate name `{name}`")
        raise WitError.at(span, f"name `{name}` conflicts with previous name `{previous}`")


def _check_members(what: str, members: Sequence[tuple[str, Span]]) -> None:
    """Fields, flags and cases are unique ignoring case, as labels are."""
    seen: dict[str, str] = {}
    for name, span in members:
        previous = seen.get(name.lower())
        if previous is None:
            seen[name.lower()] = name
            continue
        if previous == name:
            raise WitError.at(span, f"duplicate {what} `{name}`")
        raise WitError.at(span, f"{what} `{name}` conflicts with previous {what} `{previous}`")


def _foreign_name_span(path: ast.ForeignPath) -> Span:
    """The span of the item name in `ns:pkg/name@1.0`, which wit-parser points at."""
    text = path.span.source.text
    slash = text.find("/", path.package.span.end, path.span.end)
    if slash < 0:
        return path.span
    start = slash + 1
    end = start + len(path.name)
    return Span(path.span.source, start, end)


def _old_float_hint(error: WitError) -> WitError:
    d = error.diagnostics[0]
    for old, new in (("float32", "f32"), ("float64", "f64")):
        if d.message == f"type `{old}` does not exist":
            hint = (
                f"the `{old}` type has been renamed to `{new}` and is no longer accepted, but the "
                "`WIT_REQUIRE_F32_F64=0` environment variable can be used to temporarily disable this error"
            )
            return WitError.at(d.span, d.message, hint)
    return error
