"""No name the generator introduces collides with one derived from WIT.

`tests/guests/names/names.wit` names interfaces, functions, parameters,
types, fields and cases after what generated code defines or imports itself
(`_instance`, `instantiate`, `add_to_linker`, `store`, `self`, the host
lambda's `h`, the local `result`, `Store`, `Any`, `Protocol`, `Union`,
`Optional`, `_rt`, `add_imports_to_linker`, `linker`, `wasi`, ...). Its
package is generated, passes `mypy --strict` with typed host code
(`names_host.py`), and runs against a hand-written guest
(`tests/guests/names/names.wat`).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from wasmtime import Engine

from .conftest import GUESTS, generate_and_import

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def names(generated_root: Path) -> ModuleType:
    return generate_and_import(generated_root, "e2e_names", GUESTS / "names" / "names.wit")


def test_package_and_host_code_pass_mypy_strict(names: ModuleType, generated_root: Path) -> None:
    # The checkout's runtime first, as the generated code needs it.
    env = {**os.environ, "MYPYPATH": f"{generated_root}{os.pathsep}{Path(__file__).resolve().parents[2] / 'runtime'}"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", os.devnull,
         str(generated_root / "e2e_names"), str(HERE / "names_host.py")],
        cwd=generated_root, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_export_calls_through_with_its_arguments_in_place(names: ModuleType, guest: Any, engine: Engine) -> None:
    from . import names_host

    assert names_host.run(engine, guest("names")) == {
        "instance": 1234567,  # through the host's linker.get(h=1, ..., instance=7)
        "instantiate": 123,  # add-imports-to-linker, wasi and imports hosts
        "add-to-linker": 107,  # the world's own import `self`
        "linker": 12,
        "result": 45,
        "instance#instantiate": 1234567,
        "instance#instance": 1234,
        "instance#add": 1234563,  # six fields, then `any.true` (3)
    }


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_names_escape_only_where_taken(names: ModuleType) -> None:
    world = names.All
    # The class's own members stay; exports that want them get a `_`.
    assert inspect.ismethod(world.instantiate) and isinstance(inspect.getattr_static(world, "add_to_linker"), staticmethod)
    assert [n for n in ("instance_", "instantiate_", "add_to_linker_", "linker", "result") if hasattr(world, n)] == [
        "instance_", "instantiate_", "add_to_linker_", "linker", "result"
    ]
    # Parameters: only `self` and `store` are the method's own.
    assert _parameters(world.result) == ["self", "store", "result", "cls"]
    assert _parameters(world.linker) == ["self", "store", "store_", "self_"]
    assert _parameters(names.instance.Exports.instantiate_) == [
        "self", "store", "self_", "store_", "h", "cls", "result", "instance", "name"
    ]
    # A keyword stays escaped, and so do the builtins generated annotations use.
    assert _parameters(names.instance.Exports.instance) == ["self", "store", "list_", "type_", "from_", "match"]
    # Host Protocols: `self` is the method's own, `h` is not (the lambda's is renamed).
    assert _parameters(names.linker.Host.get) == ["self", "h", "self_", "host", "name", "get", "root", "instance"]
    assert _parameters(world.add_to_linker) == [
        "linker", "linker_", "add_imports_to_linker_", "wasi_", "imports", "instance", "imports_", "wasi"
    ]
    # Module-level names the modules import or define are not taken by types.
    assert [n for n in ("Store_", "Any_", "Protocol_", "Union_", "Optional_", "Linker_") if hasattr(names.instance, n)] == [
        "Store_", "Any_", "Protocol_", "Union_", "Optional_", "Linker_"
    ]
    assert names.instance.Union_Value(1).value == 1
