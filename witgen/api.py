"""`witgen.generate(...)`: WIT in, the files of a Python package out. Pure: nothing
here touches the filesystem except to read WIT (only the CLI writes)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from . import bindgen
from . import model as m
from .bindgen.plan import Direction, Plan, plan
from .loader import load
from .render import render_package

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


def generate_from_resolve(resolve: m.Resolve, plan: Plan, *, format: bool = True) -> dict[str, str]:
    return render_package(bindgen.build(resolve, plan), format=format)


