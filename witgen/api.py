"""`witgen.generate(...)`: WIT in, the files of a Python package out. Pure: nothing
here touches the filesystem except to read WIT (only the CLI writes)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Literal

from . import bindgen
from . import model as m
from .loader import load
from .naming import snake
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
    format: bool = True,
) -> dict[str, str]:
    """The generated package's files (path inside the package -> text), sorted.

    `direction` "import": the host consumes a world (or one exported
    `interface`): typed calls into its exports and `add_to_linker` for its
    imports. "export": the host implements the interfaces of a package (or a
    `world`'s imports): Protocols and `add_to_linker`.
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
) -> bindgen.Plan:
    """Which items each side gets. Raises `LookupError` naming what is
    missing or ambiguous."""
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
