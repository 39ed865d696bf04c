"""What to generate: the world items on each side, before any naming.

`plan` turns the user's request (a world, an interface, a package's
interfaces; which side; `with`) into a `Plan`; `used_interfaces` says which
interfaces the package needs a module for, and in which roles.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Literal, Mapping

from .. import model as m
from .names import snake

Direction = Literal["import", "export"]

Role = Literal["host", "guest", "types"]


@dataclass(frozen=True)
class Plan:
    """What to generate: the package name, and the world items on each side."""

    package: str
    source: str
    world: m.WorldId | None = None
    implement: tuple[tuple[m.WorldKey, m.WorldItem], ...] = ()
    call: tuple[tuple[m.WorldKey, m.WorldItem], ...] = ()
    # An interface for which this is true is left to wasmtime (WASI).
    provided_by_wasmtime: Callable[[m.Resolve, m.InterfaceId], bool] = field(
        default=lambda resolve, iface: is_wasi(resolve, iface)
    )
    # WASI interfaces get Protocols (`--implement-wasi`): the world's
    # `add_to_linker` then leaves wasmtime's WASI out unless asked.
    implement_wasi: bool = False
    # Interfaces whose module another generated package has (`--with`):
    # interface -> that module's absolute path, imported instead of written.
    # Everything of the interface comes from there: its types, and the
    # Protocol and `add_to_linker` if the host implements it here, or the
    # `<Name>Exports` accessor if the component exports it here. So that
    # module must have it on the same side: made by `witgen export` (or an
    # import of a world that imports it) for an interface the host
    # implements, by an import of a world that exports it for one it calls.
    reused: Mapping[m.InterfaceId, str] = field(default_factory=dict)
    # Module names chosen by the user (`--module IFACE=NAME`), instead of
    # the interface's own.
    modules: Mapping[m.InterfaceId, str] = field(default_factory=dict)


def is_wasi(resolve: m.Resolve, iface: m.InterfaceId) -> bool:
    package = resolve.interfaces[iface].package
    return package is not None and resolve.packages[package].name.namespace == "wasi"


def plan_world(
    resolve: m.Resolve, world: m.WorldId, source: str, package: str | None = None, implement_wasi: bool = False
) -> Plan:
    """Host-consumes bindings: the world's exports to call, its imports to implement."""
    w = resolve.worlds[world]
    return Plan(
        package=package or snake(w.name),
        source=source,
        world=world,
        implement=tuple(w.imports.items()),
        call=tuple(w.exports.items()),
        provided_by_wasmtime=(lambda r, i: False) if implement_wasi else Plan.provided_by_wasmtime,
        implement_wasi=implement_wasi,
    )


def plan_interfaces(
    resolve: m.Resolve, interfaces: Iterable[m.InterfaceId], source: str, package: str
) -> Plan:
    """Host-implements bindings for interfaces (`witgen export`): all of them,
    WASI included, since the user asked for exactly these."""
    items = tuple((i, m.InterfaceItem(i)) for i in interfaces)
    return Plan(package=package, source=source, implement=items, provided_by_wasmtime=lambda r, i: False)


def plan_exported_interface(resolve: m.Resolve, iface: m.InterfaceId, source: str, package: str) -> Plan:
    """Host-consumes bindings for one exported interface, without a world."""
    return Plan(package=package, source=source, call=((iface, m.InterfaceItem(iface)),))


def used_interfaces(resolve: m.Resolve, plan: Plan) -> dict[m.InterfaceId, tuple[set[Role], m.WorldKey]]:
    """The interfaces `plan` needs a module for, each with its roles and the
    world key it goes by: those it names, and those their types come from
    (transitively)."""
    wanted: dict[m.InterfaceId, tuple[set[Role], m.WorldKey]] = {}

    def want(iface: m.InterfaceId, role: Role, key: m.WorldKey) -> None:
        # `iface` in `role`, and what it uses (transitively) for its types.
        # Iterative, preorder as before: `use` chains can be long.
        stack = [(iface, role, key)]
        while stack:
            iface, role, key = stack.pop()
            roles, _ = wanted.setdefault(iface, (set(), key))
            if "types" in roles and role == "types":
                continue  # seen in this role: so are its dependencies
            roles.add(role)
            deps = list(resolve.interface_direct_deps(iface))
            stack += [(dep, "types", dep) for dep in reversed(deps)]

    sides: tuple[tuple[Role, tuple[tuple[m.WorldKey, m.WorldItem], ...]], ...] = (
        ("host", plan.implement),
        ("guest", plan.call),
    )
    for side, items in sides:
        for key, item in items:
            if isinstance(item, m.InterfaceItem):
                provided = side == "host" and plan.provided_by_wasmtime(resolve, item.id)
                want(item.id, "types" if provided else side, key)
    return wanted


def plan(
    resolve: m.Resolve,
    main: list[m.PackageId],
    direction: Direction,
    *,
    source: str,
    world: str | None = None,
    interface: str | None = None,
    package: str | None = None,
    implement_wasi: bool = False,
    with_: Mapping[str, str] = {},
    modules: Mapping[str, str] = {},
) -> Plan:
    """Which items each side gets, which interfaces come from other
    packages (`with_`, see `generate`), and the module names chosen for
    interfaces (`modules`: interface -> module name). Raises `LookupError` naming what is
    missing or ambiguous, `ValueError` for a `with_` that cannot work (a bad
    module path, a reused interface whose dependencies are not)."""
    built = _plan_items(
        resolve, main, direction, source=source, world=world, interface=interface, package=package,
        implement_wasi=implement_wasi,
    )
    if with_:
        built = dataclasses.replace(built, reused=_reused(resolve, built, with_))
    if modules:
        built = dataclasses.replace(built, modules=_module_names(resolve, built, modules))
    return built


def _module_names(resolve: m.Resolve, plan: Plan, modules: Mapping[str, str]) -> dict[m.InterfaceId, str]:
    """`modules` as interface ids. A name must be a plain module name, given
    once, for an interface the package has a module for."""
    used = used_interfaces(resolve, plan)
    chosen: dict[m.InterfaceId, str] = {}
    for name, module in modules.items():
        if not module.isidentifier() or keyword.iskeyword(module) or module.startswith("_") or module == "__init__":
            raise ValueError(f"`{module}` (given for `{name}`) is not a module name such as `types`")
        iface = _find_qualified_interface(resolve, name)
        if iface not in used:
            raise LookupError(f"interface `{resolve.interface_name(iface)}` (given the module name `{module}`) has no module here")
        if module in chosen.values():
            raise ValueError(f"the module name `{module}` is given twice")
        chosen[iface] = module
    return chosen


def _plan_items(
    resolve: m.Resolve,
    main: list[m.PackageId],
    direction: Direction,
    *,
    source: str,
    world: str | None,
    interface: str | None,
    package: str | None,
    implement_wasi: bool,
) -> Plan:
    if interface is not None:
        iface = _find_interface(resolve, main, interface)
        name = package or snake(resolve.interfaces[iface].name or interface)
        if direction == "export":
            return plan_interfaces(resolve, [iface], source, name)
        return plan_exported_interface(resolve, iface, source, name)
    if direction == "import" or world is not None:
        world_id = _select_world(resolve, main, world)
        if direction == "import":
            return plan_world(resolve, world_id, source, package, implement_wasi)
        # The world's imports only: the host implements them, calls nothing.
        return dataclasses.replace(
            plan_world(resolve, world_id, source, package, implement_wasi), call=()
        )
    if not main:
        raise LookupError("the path defines no package")
    own = resolve.packages[main[0]]
    if not own.interfaces:
        worlds = ", ".join(f"`{w}`" for w in own.worlds) or "none"
        raise LookupError(
            f"package `{own.name}` defines no interfaces to implement; name a world "
            f"(its worlds: {worlds}) to implement that world's imports"
        )
    return plan_interfaces(
        resolve, own.interfaces.values(), source, package or snake(own.name.name)
    )


def _reused(resolve: m.Resolve, plan: Plan, with_: Mapping[str, str]) -> dict[m.InterfaceId, str]:
    """`with_` as interface ids. Each must be an interface the package
    would have a module for: a mapping that changes nothing is an error,
    not a warning, since it is most likely a misspelt name or version. And
    what a reused interface `use`s must be reused too."""
    used = used_interfaces(resolve, plan)
    reused: dict[m.InterfaceId, str] = {}
    seen: dict[str, str] = {}
    for name, module in with_.items():
        if not all(part.isidentifier() and not keyword.iskeyword(part) for part in module.split(".")):
            raise ValueError(
                f"`{module}` (given for `{name}`) is not an absolute module path such as `host_pkg.types`"
            )
        if module in seen:
            raise ValueError(f"`{module}` is given for both `{seen[module]}` and `{name}`: one module per interface")
        seen[module] = name
        iface = _find_qualified_interface(resolve, name)
        if iface in reused:  # `ns:pkg/i` and `ns:pkg/i@1.0.0`, say
            first = next(n for n, mod in with_.items() if mod == reused[iface])
            raise ValueError(f"`{first}` and `{name}` name the same interface: give it once")
        if iface not in used:
            what = f"world `{resolve.worlds[plan.world].name}`" if plan.world is not None else "these bindings"
            raise LookupError(
                f"interface `{resolve.interface_name(iface)}` (given to map to `{module}`) is not used by "
                f"{what}: nothing of it would be generated"
            )
        reused[iface] = module
    # The other module names the types of what its interface `use`s from its
    # own package's modules: generating them here again would make a second
    # class for each, which is what `with_` is there to avoid.
    for iface, module in reused.items():
        for dep in resolve.interface_direct_deps(iface):
            if dep not in reused:
                raise ValueError(
                    f"`{resolve.interface_name(iface)}` is reused from `{module}`, which takes types from "
                    f"`{resolve.interface_name(dep)}`: reuse that too, from the module `{module}` uses for it"
                )
    return reused


def _find_qualified_interface(resolve: m.Resolve, name: str) -> m.InterfaceId:
    """The interface `ns:pkg/iface` or `ns:pkg/iface@1.0.0` names (without
    a version: the one version of `ns:pkg` there is)."""
    package_text, slash, iface_name = _unescape(name).rpartition("/")
    version = None
    if "@" in iface_name:
        iface_name, version = iface_name.split("@", 1)
    namespace, colon, package_name = package_text.partition(":")
    if not (slash and colon):
        raise LookupError(f"no interface `{name}`: name it with its package, as `ns:pkg/{iface_name or name}`")
    wanted = m.PackageName(namespace, package_name, version)
    package = m.match_package(wanted, resolve.package_names)
    if package is None:
        known = ", ".join(sorted(f"`{n}`" for n in resolve.package_names)) or "none"
        raise LookupError(f"no interface `{name}`: there is no package `{wanted}` (there are {known})")
    found = resolve.packages[package].interfaces.get(iface_name)
    if found is None:
        interfaces = ", ".join(f"`{i}`" for i in resolve.packages[package].interfaces) or "none"
        raise LookupError(f"no interface `{name}` (package `{resolve.packages[package].name}` has {interfaces})")
    return found


_ESCAPE = re.compile(r"(^|[:/])%")


def _unescape(name: str) -> str:
    """`%from` -> `from`: wit-parser names a keyword-named item the way WIT
    writes it (escaped); the plain spelling is accepted too."""
    return _ESCAPE.sub(r"\1", name)


def _select_world(resolve: m.Resolve, main: list[m.PackageId], name: str | None) -> m.WorldId:
    try:
        return resolve.select_world(main, None if name is None else _unescape(name))
    except LookupError as error:
        if name is None:
            raise  # it already lists the package's worlds
        known = ", ".join(f"`{resolve.packages[p].name}/{w}`" for p in main for w in resolve.packages[p].worlds)
        raise LookupError(f"{error} (the path defines {known or 'no worlds'})") from None


def _find_interface(resolve: m.Resolve, main: list[m.PackageId], name: str) -> m.InterfaceId:
    name = _unescape(name)
    for package in main:
        found = resolve.packages[package].interfaces.get(name)
        if found is not None:
            return found
    for index, iface in enumerate(resolve.interfaces):
        id = m.InterfaceId(index)
        if resolve.interface_name(id) == name or (iface.name is not None and f"{resolve.interface_name(id)}".split("@")[0] == name):
            return id
    if len(main) == 1:
        known = ", ".join(f"`{n}`" for n in resolve.packages[main[0]].interfaces) or "none"
        raise LookupError(f"no interface `{name}` (the package has {known})")
    qualified = [resolve.interface_name(i) for p in main for i in resolve.packages[p].interfaces.values()]
    known = ", ".join(f"`{n}`" for n in qualified if n is not None) or "none"
    raise LookupError(f"no interface `{name}` (the packages have {known})")
