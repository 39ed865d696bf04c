"""Bindings generated from a component binary alone (no WIT at hand: the
WIT it carries, decoded), run against that same component."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from guests import build as guests

from .conftest import generate_and_import
from .test_kv_store import KvHost


def _from_binary(name: str, root: Path) -> ModuleType:
    package = f"from_binary_{name.replace('-', '_')}"
    sys.path.insert(0, str(root))
    try:
        return generate_and_import(root, package, guests.wasm_path(name))
    finally:
        sys.path.remove(str(root))


@pytest.mark.parametrize("name", ["adder", "interfaced-adder"])
def test_exports_called_through_bindings_of_the_binary(
    name: str, tmp_path: Path, guest: Any, wasi_store: Store, wasi_linker: Linker
) -> None:
    # A component's own world is `root:component/root`, whatever its WIT called it;
    # `instantiate` checks the component against the decoded world first.
    world = _from_binary(name, tmp_path).Root.instantiate(wasi_store, guest(name), wasi_linker)
    if name == "adder":
        assert world.add(wasi_store, 40, 2) == 42
    else:
        # Another package's interface than the world's own: named in full.
        assert world.wasi_mindmap_interfaced_adder_add.add(wasi_store, 40, 2) == 42


def test_imports_implemented_through_bindings_of_the_binary(tmp_path: Path, guest: Any, engine: Engine) -> None:
    bindings = _from_binary("kv-store", tmp_path)
    host = KvHost()
    linker = Linker(engine)
    bindings.Root.add_to_linker(linker, wasi_mindmap_kv_store_kvdb=host, imports=host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    world = bindings.Root.instantiate(store, guest("kv-store"), linker)
    assert world.replace_value(store, "k", "v1") is None
    assert world.replace_value(store, "k", "v2") == "v1"
    assert host.db == {"k": "v2"} and host.events == ["open 0", "close 0", "open 1", "close 1"]
