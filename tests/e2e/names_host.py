"""Host code for `test_names.py`, written as a user would against the
package generated from `tests/guests/names/names.wit` (`e2e_names`), whose
names are the ones generated code introduces itself. Fully annotated:
`test_names.py` runs it against the guest and checks it with `mypy --strict`.
"""

from __future__ import annotations

from wasmtime import Engine, Store
from wasmtime.component import Component, Linker

from e2e_names import All
from e2e_names.instance import Any_, Store_


def digits(*values: int) -> int:
    """1, 2, 3 -> 123, as the guest folds its arguments."""
    total = 0
    for value in values:
        total = total * 10 + value
    return total


class LinkerHost:
    """`names:all/linker`: parameters named like the host lambda's `h` and
    `add_to_linker`'s locals."""

    def get(self, h: int, self_: int, host: int, name: int, get: int, root: int, instance: int) -> int:
        return digits(h, self_, host, name, get, root, instance)


class Answers:
    """`add-imports-to-linker`, `wasi` and `imports`: `f()` returns `value`."""

    def __init__(self, value: int) -> None:
        self.value = value

    def f(self) -> int:
        return self.value


class InstanceHost:
    """The world imports `names:all/instance` too (its `use`); this guest
    does not call it."""

    def instantiate(self, self_: int, store: int, h: int, cls: int, result: int, instance: int, name: int) -> int:
        raise AssertionError("not imported by the guest")

    def instance(self, list_: int, type_: int, from_: int, match: int) -> int:
        raise AssertionError("not imported by the guest")

    def add(self, s: Store_, a: Any_) -> int:
        raise AssertionError("not imported by the guest")


class WorldImports:
    def self(self, store: int) -> int:
        return 100 + store


def run(engine: Engine, component: Component) -> dict[str, int]:
    """Every export, called with keyword arguments under their Python names."""
    linker = Linker(engine)
    All.add_to_linker(
        linker,
        linker_=LinkerHost(),
        add_imports_to_linker_=Answers(1),
        wasi_=Answers(2),
        imports=Answers(3),
        instance=InstanceHost(),
        imports_=WorldImports(),
        wasi=False,  # the guest imports no WASI
    )
    store = Store(engine)
    world = All.instantiate(store, component, linker)
    record = Store_(self=1, cls=2, type_=3, value=4, name=5, from_=6)
    return {
        "instance": world.instance_(store),
        "instantiate": world.instantiate_(store),
        "add-to-linker": world.add_to_linker_(store),
        "linker": world.linker(store, store_=1, self_=2),
        "result": world.result(store, result=4, cls=5),
        "instance#instantiate": world.instance.instantiate_(
            store, self_=1, store_=2, h=3, cls=4, result=5, instance=6, name=7
        ),
        "instance#instance": world.instance.instance(store, list_=1, type_=2, from_=3, match=4),
        "instance#add": world.instance.add(store, s=record, a=Any_.TRUE),
    }
