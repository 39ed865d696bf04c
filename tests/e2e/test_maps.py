"""`map<K, V>` as `dict`, both ways, through generated bindings and a real
component: each export ``echo-<i>`` calls the host's ``host-<i>`` with its
argument and returns what the host returned (component-model text built by
the runtime tests' `echo_component`)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from wasmtime import Config, Engine, Store
from wasmtime.component import Component, Linker

from .conftest import REPO, generate_and_import

WIT = """package t:maps;

/// Maps of scalars and of lists, in and out.
world maps {
  import host-0: func(x: map<string, u32>) -> map<string, u32>;
  export echo-0: func(x: map<string, u32>) -> map<string, u32>;
  import host-1: func(x: map<u32, list<string>>) -> map<u32, list<string>>;
  export echo-1: func(x: map<u32, list<string>>) -> map<u32, list<string>>;
}
"""


def _wat() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_maps_wat", REPO / "runtime" / "tests" / "wat.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Host:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    def host_0(self, x: dict[str, int]) -> dict[str, int]:
        self.seen.append(x)
        return {k: v + 1 for k, v in x.items()}

    def host_1(self, x: dict[int, list[str]]) -> dict[int, list[str]]:
        self.seen.append(x)
        return x


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("maps")
    wit = root / "maps.wit"
    wit.write_text(WIT)
    sys.path.insert(0, str(root))
    pkg = generate_and_import(root, "e2e_maps", wit)
    config = Config()
    config.wasm_component_model_map = True  # wasmtime compiles maps only with it
    engine = Engine(config)
    text = _wat().echo_component([("map", ("string",), ("u32",)), ("map", ("u32",), ("list", ("string",)))])
    component = Component(engine, text)

    def instantiate(host: Host) -> tuple[Store, Any]:
        linker = Linker(engine)
        pkg.Maps.add_to_linker(linker, imports=host, wasi=False)
        store = Store(engine)
        return store, pkg.Maps.instantiate(store, component, linker)

    host = Host()
    store, world = instantiate(host)
    return SimpleNamespace(pkg=pkg, host=host, store=store, world=world, instantiate=instantiate)


def test_maps_cross_both_ways(maps: SimpleNamespace) -> None:
    w, store = maps.world, maps.store
    assert w.echo_0(store, {}) == {}
    assert w.echo_0(store, {"a": 1, "\U0001f600": 2}) == {"a": 2, "\U0001f600": 3}
    assert maps.host.seen[-1] == {"a": 1, "\U0001f600": 2}
    big = {f"k{i}": i for i in range(1000)}
    assert w.echo_0(store, big) == {k: v + 1 for k, v in big.items()}
    nested = {1: ["a", "b"], 2: [], 3: ["\u00e9"]}
    assert w.echo_1(store, nested) == nested and maps.host.seen[-1] == nested


def test_bad_map_values_are_refused_naming_the_key(maps: SimpleNamespace) -> None:
    w, store = maps.world, maps.store
    with pytest.raises(ValueError, match=r"^x\['a'\]: -1 is out of range for u32"):
        w.echo_0(store, {"a": -1})
    with pytest.raises(TypeError, match=r"^x\[2\]\[0\]: expected str, got int"):
        w.echo_1(store, {1: ["a"], 2: [3]})
    with pytest.raises(TypeError, match="^x: expected dict, got list"):
        w.echo_0(store, [("a", 1)])
    assert w.echo_0(store, {"ok": 0}) == {"ok": 1}  # nothing was poisoned


def test_a_host_returning_a_bad_map_traps_naming_it(maps: SimpleNamespace) -> None:
    class Bad(Host):
        def host_0(self, x: dict[str, int]) -> dict[str, int]:
            return {"a": "not a number"}  # type: ignore[dict-item]

    store, world = maps.instantiate(Bad())
    with pytest.raises(maps.pkg.Trap) as info:
        world.echo_0(store, {"a": 1})
    assert str(info.value.__cause__) == "return value of host-0['a']: expected int (u32), got str"
