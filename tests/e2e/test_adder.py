"""The seed's adders: a world-level export and an exported interface."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

import witgen_runtime

from .conftest import FIXTURES, generate_and_import


def _adder(bindings: SimpleNamespace, guest: Any, store: Store, linker: Linker) -> Any:
    return bindings.adder.Adder.instantiate(store, guest("adder"), linker)


def test_add(bindings: SimpleNamespace, guest: Any, wasi_store: Store, engine: Engine) -> None:
    linker = Linker(engine)
    bindings.adder.Adder.add_to_linker(linker)  # WASI only: the world imports nothing
    world = bindings.adder.Adder.instantiate(wasi_store, guest("adder"), linker)
    assert world.add(wasi_store, 1, 2) == 3
    assert world.add(wasi_store, -5, 2) == -3
    assert world.add(wasi_store, 2**31 - 1, 1) == -(2**31)  # the guest wraps
    assert world.add(wasi_store, -(2**31), -(2**31)) == 0


def test_interfaced_add(bindings: SimpleNamespace, guest: Any, wasi_store: Store, wasi_linker: Linker) -> None:
    world = bindings.interfaced_adder.InterfacedAdder.instantiate(wasi_store, guest("interfaced-adder"), wasi_linker)
    assert world.add.add(wasi_store, 40, 2) == 42


@pytest.mark.parametrize(
    "args, error, words",
    [
        (("1", 2), TypeError, ["a:", "int", "str"]),
        ((1, 2.0), TypeError, ["b:", "float"]),
        ((True, 2), TypeError, ["a:", "bool"]),
        ((None, 2), TypeError, ["a:", "NoneType"]),
        ((2**31, 0), ValueError, ["a:", "out of range", "s32"]),
        ((0, -(2**31) - 1), ValueError, ["b:", "out of range", "s32"]),
    ],
)
def test_bad_arguments_are_rejected_before_the_call(
    bindings: SimpleNamespace, guest: Any, wasi_store: Store, wasi_linker: Linker, args: Any, error: type, words: list[str]
) -> None:
    world = _adder(bindings, guest, wasi_store, wasi_linker)
    with pytest.raises(error) as info:
        world.add(wasi_store, *args)
    for word in words:
        assert word in str(info.value)
    assert world.add(wasi_store, 1, 1) == 2  # nothing ran, nothing poisoned


def test_another_store_is_refused_naming_store(
    bindings: SimpleNamespace, guest: Any, engine: Engine, wasi_store: Store, wasi_linker: Linker
) -> None:
    world = _adder(bindings, guest, wasi_store, wasi_linker)
    other = Store(engine)
    other.set_wasi(WasiConfig())
    with pytest.raises(ValueError, match="^store: .*another store"):
        world.add(other, 1, 2)
    with pytest.raises(ValueError, match="^store: "):
        world.add(1, 2, 3)  # type: ignore[arg-type]  # the store forgotten
    assert world.add(wasi_store, 1, 2) == 3


def test_instances_in_separate_stores_are_independent(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    linker = Linker(engine)
    bindings.adder.Adder.add_to_linker(linker)
    worlds = []
    for _ in range(2):
        store = Store(engine)
        store.set_wasi(WasiConfig())
        worlds.append((bindings.adder.Adder.instantiate(store, guest("adder"), linker), store))
    (a, sa), (b, sb) = worlds
    assert a.add(sa, 1, 2) == b.add(sb, 1, 2) == 3
    with pytest.raises(ValueError, match="store"):
        a.add(sb, 1, 2)


def test_the_package_re_exports_the_runtime(bindings: SimpleNamespace) -> None:
    """Users never import `witgen_runtime`: values and errors are in `__init__`."""
    package = bindings.adder
    for name in ("Ok", "Err", "Some", "Result", "Trap", "InstancePoisonedError", "ResourceDroppedError",
                 "HandleError", "BindingMismatchError", "WitError", "release_store"):
        assert name in package.__all__
        assert getattr(package, name) is getattr(witgen_runtime, name)
    assert issubclass(package.Trap, package.WitError)


def test_one_exported_interface_without_a_world(
    generated_root: Path, guest: Any, wasi_store: Store, wasi_linker: Linker
) -> None:
    """`generate(..., interface="add")`: the accessor instantiates by itself."""
    pkg = generate_and_import(generated_root, "e2e_add_only", FIXTURES / "interfaced-adder.wit", interface="add")
    add = pkg.add.Exports.instantiate(wasi_store, guest("interfaced-adder"), wasi_linker)
    assert add.add(wasi_store, 40, 2) == 42
    with pytest.raises(pkg.BindingMismatchError, match="missing export `no:such/iface`"):
        pkg.add.Exports.instantiate(wasi_store, guest("interfaced-adder"), wasi_linker, name="no:such/iface")


def test_two_worlds_share_one_linker(bindings: SimpleNamespace, guest: Any, wasi_store: Store, engine: Engine) -> None:
    linker = Linker(engine)
    bindings.adder.Adder.add_to_linker(linker)
    bindings.interfaced_adder.InterfacedAdder.add_to_linker(linker)  # WASI is added once
    assert bindings.adder.Adder.instantiate(wasi_store, guest("adder"), linker).add(wasi_store, 1, 2) == 3
