"""`witgen.generate(...)`: WIT in, the files of a Python package out. Pure: nothing
here touches the filesystem except to read WIT (only the CLI writes)."""

from __future__ import annotations

import dataclasses
import keyword
import re
from pathlib import Path
from typing import Literal, Mapping

from . import bindgen
from . import model as m
from .loader import load
from .bindgen.names import snake
from .render import render_package

Direction = Literal["import", "export"]

__all__ = ["generate", "generate_from_resolve", "plan"]


def generate(
    path: str | Path,
    direction: Direction = "import",
    *,
    world: str | None = None,
    interface: str | None = None,
    package: str | None = None,
    features: frozenset[str] = frozenset(),
    all_features: bool = False,
    legacy_package: str | None = None,
    implement_wasi: bool = False,
    with_: Mapping[str, str] = {},
    format: bool = True,
) -> dict[str, str]:
    """The generated package's files (path inside the package -> text), sorted.

    `direction` "import": the host consumes a world (or one exported
    `interface`): typed calls into its exports and `add_to_linker` for its
    imports. "export": the host implements the interfaces of a package (or a
    `world`'s imports): Protocols and `add_to_linker`.

    `with_` (the CLI's `--with IFACE=MODULE`, like `with` of wasmtime's
    `bindgen!`) maps interfaces (`ns:pkg/iface`, `ns:pkg/iface@1.0.0`) to
    the absolute path of a module another witgen run generated for them
    (`{"ns:pkg/types": "host_pkg.types"}`). The package then has no module
    of its own for such an interface: its types, and its Protocol and
    `add_to_linker` (an interface the host implements) or its `...Exports`
    accessor (one the component exports) are that module's, so there is
    one class per WIT type across both packages. That module must have the
    interface on the same side: `witgen export`, or `witgen import` of a
    world importing it, for an interface this package implements; `witgen
    import` of a world exporting it for one this package calls. The
    interfaces a reused one takes types from must be reused as well. Raises
    `LookupError` for an interface the path does not define or the package
    would not use, `ValueError` for a module path that is not absolute and
    for a reused interface whose dependencies are not.
    """
    loaded = load(path, features=features, all_features=all_features, legacy_package=legacy_package)
    built = plan(
        loaded.resolve,
        loaded.main,
        direction,
        source=Path(path).name,
        world=world,
        interface=interface,
        package=package,
        implement_wasi=implement_wasi,
        with_=with_,
    )
    return generate_from_resolve(loaded.resolve, built, format=format)


def generate_from_resolve(resolve: m.Resolve, plan: bindgen.Plan, *, format: bool = True) -> dict[str, str]:
    return render_package(bindgen.build(resolve, plan), format=format)


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
) -> bindgen.Plan:
    """Which items each side gets, and which interfaces come from other
    packages (`with_`, see `generate`). Raises `LookupError` naming what is
    missing or ambiguous, `ValueError` for a `with_` that cannot work (a bad
    module path, a reused interface whose dependencies are not)."""
    built = _plan_items(
        resolve, main, direction, source=source, world=world, interface=interface, package=package,
        implement_wasi=implement_wasi,
    )
    if not with_:
        return built
    return dataclasses.replace(built, reused=_reused(resolve, built, with_))


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
) -> bindgen.Plan:
    if interface is not None:
        iface = _find_interface(resolve, main, interface)
        name = package or snake(resolve.interfaces[iface].name or interface)
        if direction == "export":
            return bindgen.plan_interfaces(resolve, [iface], source, name)
        return bindgen.plan_exported_interface(resolve, iface, source, name)
    if direction == "import" or world is not None:
        world_id = _select_world(resolve, main, world)
        if direction == "import":
            return bindgen.plan_world(resolve, world_id, source, package, implement_wasi)
        # The world's imports only: the host implements them, calls nothing.
        return dataclasses.replace(
            bindgen.plan_world(resolve, world_id, source, package, implement_wasi), call=()
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
    return bindgen.plan_interfaces(
        resolve, own.interfaces.values(), source, package or snake(own.name.name)
    )


def _reused(resolve: m.Resolve, plan: bindgen.Plan, with_: Mapping[str, str]) -> dict[m.InterfaceId, str]:
    """`with_` as interface ids. Each must be an interface the package
    would have a module for: a mapping that changes nothing is an error,
    not a warning, since it is most likely a misspelt name or version. And
    what a reused interface `use`s must be reused too."""
    used = bindgen.used_interfaces(resolve, plan)
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
    for id, iface in enumerate(resolve.interfaces):
        if resolve.interface_name(id) == name or (iface.name is not None and f"{resolve.interface_name(id)}".split("@")[0] == name):
            return id
    if len(main) == 1:
        known = ", ".join(f"`{n}`" for n in resolve.packages[main[0]].interfaces) or "none"
        raise LookupError(f"no interface `{name}` (the package has {known})")
    qualified = [resolve.interface_name(i) for p in main for i in resolve.packages[p].interfaces.values()]
    known = ", ".join(f"`{n}`" for n in qualified if n is not None) or "none"
    raise LookupError(f"no interface `{name}` (the packages have {known})")
