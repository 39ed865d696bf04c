"""`witgen.generate(...)`: WIT in, the files of a Python package out. Pure: nothing
here touches the filesystem except to read WIT (only the CLI and the build
hooks write, through `witgen.project`, which calls `generate`)."""

from __future__ import annotations

import keyword
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence, Union

from . import bindgen
from . import model as m
from .bindgen.plan import Direction, Plan, plan
from .diagnostics import Diagnostic
from .loader import load_many
from .render import render_package

__all__ = ["Direction", "Generation", "InvalidOption", "UnresolvedName", "generate", "generate_from_resolve", "plan"]

StrPath = Union[str, os.PathLike[str]]  # a path as `open` takes it


class UnresolvedName(LookupError):
    """A world or interface (`world`, `interface`, a key of `with_`) that the
    WIT does not have, or has several of: the message names the candidates."""


class InvalidOption(ValueError):
    """A value given to `generate` that cannot work: a `with_` module path or
    mapping, a `name` that is not a Python identifier, no path at all."""


@dataclass(frozen=True)
class Generation:
    """What `generate` made. Nothing is written: `witgen.project` writes
    `files` under a directory, by default one called `name`.

    `name`: the generated Python package's name, the `name` given or else the
    world's (the interface's, the WIT package's) in snake_case.
    `files`: path inside the package -> text, sorted by path.
    `warnings`: what the user should hear about although the package was
    generated: WIT in the legacy (2022) syntax, and one per function left
    out (a type the bindings cannot carry, `stream<u8>` say), which the
    module's docstring lists too.
    """

    name: str
    files: dict[str, str]
    warnings: list[Diagnostic]


def generate(
    paths: StrPath | Sequence[StrPath],
    direction: Direction = "import",
    *,
    world: str | None = None,
    interface: str | None = None,
    name: str | None = None,
    features: frozenset[str] = frozenset(),
    all_features: bool = False,
    legacy_package: str | None = None,
    implement_wasi: bool = False,
    with_: Mapping[str, str] = {},
    modules: Mapping[str, str] = {},
    format: bool = True,
) -> Generation:
    """The Python package for `paths`: its name, files and warnings.

    `paths`: a `.wit` file or a package directory (with its `deps/`), or
    several, resolved together as by `witgen check`: the first is the
    package to generate for, the others what it may depend on (the WASI
    folders, say). The CLI's PATH arguments.

    `direction` "import": the host consumes a world (or one exported
    `interface`): typed calls into its exports and `add_to_linker` for its
    imports. "export": the host implements the interfaces of a package (or a
    `world`'s imports): Protocols and `add_to_linker`.

    `name`: the Python package's name (default: the world's, interface's or
    WIT package's name in snake_case); only `Generation.name` says it, as
    the package imports itself relatively. `legacy_package` (`ns:name`): the
    WIT package that legacy (2022) files make up (default:
    `legacy:<file or folder name>`). `features`, `all_features`: the
    `@unstable` features to enable.

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
    interfaces a reused one takes types from must be reused as well.

    Raises `WitError` for the WIT's mistakes; `UnresolvedName` (a
    `LookupError`) for a world or interface that is not there or is
    ambiguous, and for a `with_` interface the package would not use;
    `InvalidOption` (a `ValueError`) for a module path that is not absolute,
    a reused interface whose dependencies are not, and a `name` that is not
    an identifier.
    """
    listed = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    if not listed:
        raise InvalidOption("no path: name the WIT to read")
    if name is not None and not (name.isidentifier() and not keyword.iskeyword(name)):
        raise InvalidOption(f"`{name}` is not a Python package name")
    loaded = load_many(listed, features=features, all_features=all_features, legacy_package=legacy_package)
    try:
        built = plan(
            loaded.resolve,
            loaded.main,
            direction,
            source=", ".join(p.name for p in listed),
            world=world,
            interface=interface,
            package=name,
            implement_wasi=implement_wasi,
            with_=with_,
            modules=modules,
        )
    except LookupError as error:
        raise UnresolvedName(*error.args) from None
    except ValueError as error:
        raise InvalidOption(*error.args) from None
    generation = generate_from_resolve(loaded.resolve, built, format=format)
    return Generation(generation.name, generation.files, [*loaded.warnings, *generation.warnings])


def generate_from_resolve(resolve: m.Resolve, plan: Plan, *, format: bool = True) -> Generation:
    """`generate` for WIT already loaded and planned; its warnings are the
    functions left out (the loader's are the caller's)."""
    package = bindgen.build(resolve, plan)
    # The one place that reads what bindgen left out.
    left_out = [Diagnostic(f"left out `{u.wit}`: {u.reason}", severity="warning") for u in package.left_out]
    return Generation(plan.package, render_package(package, format=format), left_out)
