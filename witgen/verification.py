"""`witgen.verify(component, paths)`: does a component match a world? (The
module is not `witgen.verify`, which would hide the function.)

The world's shape is built from the resolved model by `bindgen.world_shape`, as
generated `instantiate` carries it, and compared with the component by the
runtime's comparator (`witgen_runtime.differences`): one comparison for
both. Here every import the world names is compared, WASI included (the
generated shape leaves wasmtime's WASI to wasmtime's linker), so a
component `verify` accepts, `instantiate` accepts too.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence, Union

from . import model as m
from .bindgen.world_shape import ExpectedWorld, Members, world_shape
from .loader import load_many

if TYPE_CHECKING:
    from wasmtime import Engine
    from wasmtime.component import Component
    from witgen_runtime import WorldShape

__all__ = ["UnreadableComponent", "Verification", "verify", "runtime_shape", "world_name"]

StrPath = Union[str, os.PathLike[str]]


@dataclass(frozen=True)
class Verification:
    """What `verify` found: `world` (`ns:pkg/w@1.0.0`), and `differences`,
    empty when the component matches (each a line: ``missing export `f`: ...``,
    ``export `f`: param a → field b: list<u8> vs string``)."""

    world: str
    differences: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences


class UnreadableComponent(ValueError):
    """The component file cannot be read or is not a component."""


def verify(
    component: StrPath | Component,
    paths: StrPath | Sequence[StrPath],
    *,
    world: str | None = None,
    features: frozenset[str] = frozenset(),
    all_features: bool = False,
    legacy_package: str | None = None,
    engine: Engine | None = None,
) -> Verification:
    """Compare `component` (a `.wasm` path, or a compiled `Component` of
    `engine`) with `world` of the WIT at `paths` (as `generate` reads them).

    Raises `WitError` for the WIT's mistakes, `LookupError` for a world that
    is not there, `UnreadableComponent` (a `ValueError`) for a file that is
    not a readable component."""
    from wasmtime.component import Component

    from witgen_runtime import differences

    listed = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    loaded = load_many(listed, features=features, all_features=all_features, legacy_package=legacy_package)
    world_id = loaded.resolve.select_world(loaded.main, world)
    shape = world_shape(loaded.resolve, world_id, world_name(loaded.resolve, world_id), lambda iface: True)
    if not isinstance(component, Component):
        component, engine = _compile(os.fspath(component), engine)
    elif engine is None:
        engine = _engine(winch=False)
    return Verification(shape.name, differences(engine, component, runtime_shape(shape)))


def _compile(path: str, engine: Engine | None) -> tuple[Component, Engine]:
    """`path` compiled, and the engine that compiled it: `engine`, or else
    one of Winch's, the fast compiler (the code never runs: only the type is
    read; an 18 MB componentize-py guest compiles in a quarter of the
    time), Cranelift's where Winch cannot compile it."""
    from wasmtime import WasmtimeError
    from wasmtime.component import Component

    if _is_wit_package(path):
        raise UnreadableComponent(
            f"`{path}` is a WIT package encoded as wasm, not a component: verify a component built from it"
        )
    if engine is not None:
        engines = [engine]
    elif platform.machine().lower() in ("x86_64", "amd64"):  # where Winch is complete
        engines = [_engine(winch=True), _engine(winch=False)]
    else:
        engines = [_engine(winch=False)]
    for candidate in engines:
        try:
            return Component.from_file(candidate, path), candidate
        except OSError as error:
            raise UnreadableComponent(f"cannot read component `{path}`: {error.strerror or error}") from None
        except WasmtimeError as error:
            failure = error
    # The first line: wasmtime's backtrace and advice follow.
    reason = f"not a WebAssembly component ({str(failure).strip().splitlines()[0]})"
    raise UnreadableComponent(f"cannot read component `{path}`: {reason}") from None


def _engine(winch: bool) -> Engine:
    from wasmtime import Config, Engine

    from witgen_runtime import config_enable_map, config_use_winch

    config = Config()
    config_enable_map(config)  # else a component using `map<K, V>` does not compile
    if winch:
        config_use_winch(config)
    return Engine(config)


def _is_wit_package(path: str) -> bool:
    """Whether `path` is a WIT package encoded as wasm (which wasmtime would
    load as a component exporting nothing callable). Decoding costs a
    fraction of compiling; a file that does not decode is wasmtime's to
    report."""
    from .binary import decode_binary, is_binary_file, read_binary
    from .diagnostics import WitError

    try:
        return is_binary_file(path) and decode_binary(read_binary(path), path).kind == "package"
    except (OSError, WitError):
        return False


def runtime_shape(shape: ExpectedWorld) -> WorldShape:
    """The runtime's `WorldShape` of a `bindgen.world_shape.ExpectedWorld`."""
    from witgen_runtime import WorldShape

    def members(items: tuple[tuple[str, Members], ...]) -> dict[str, str | dict[str, str] | None]:
        return {k: v if v is None or isinstance(v, str) else dict(v) for k, v in items}

    imports = members(shape.imports) if shape.imports is not None else None
    return WorldShape(shape.name, dict(shape.types), imports, members(shape.exports))


def world_name(resolve: m.Resolve, world_id: m.WorldId) -> str:
    """`ns:pkg/world@1.0.0` (a world outside any package: its name)."""
    world = resolve.worlds[world_id]
    if world.package is None:
        return world.name
    name = resolve.packages[world.package].name
    version = f"@{name.version}" if name.version else ""
    return f"{name.namespace}:{name.name}/{world.name}{version}"
