"""`--implement-wasi`: the world's WASI imports are the host's to implement,
so its `add_to_linker` must not add wasmtime's WASI as well by default (both
would define the same interfaces: "map entry ... defined twice")."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType

import pytest
from wasmtime import Engine, Store, wat2wasm
from wasmtime.component import Component, Linker

from .conftest import REPO, generate_and_import

WASI = REPO.parent / "shared" / "corpus" / "wasi-0.2.12"

WORLD = """package a:b;

world timed {
  import wasi:clocks/monotonic-clock@0.2.12;
  export now: func() -> u64;
}
"""

# Exports `now`, which returns what the host's monotonic clock says.
GUEST = """(component
  (import "wasi:clocks/monotonic-clock@0.2.12" (instance $clock (export "now" (func (result u64)))))
  (core func $now (canon lower (func $clock "now")))
  (core module $m
    (import "" "now" (func $now (result i64)))
    (func (export "now") (result i64) call $now))
  (core instance $i (instantiate $m (with "" (instance (export "now" (func $now))))))
  (func (export "now") (result u64) (canon lift (core func $i "now")))
)
"""


class Clock:
    def now(self) -> int:
        return 42

    def resolution(self) -> int:
        return 1

    def subscribe_instant(self, when: int) -> object:
        raise NotImplementedError

    def subscribe_duration(self, when: int) -> object:
        raise NotImplementedError


class Poll:
    class Pollable:
        def ready(self) -> bool:
            return True

        def block(self) -> None:
            pass

    def poll(self, in_: list[object]) -> list[int]:
        return []


@pytest.fixture(scope="module")
def timed(generated_root: Path, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    if not WASI.is_dir():
        pytest.skip(f"the WASI corpus is not at {WASI}")
    wit = tmp_path_factory.mktemp("implement-wasi") / "wit"
    (wit / "deps").mkdir(parents=True)
    for dep in ("clocks", "io"):
        (wit / "deps" / dep).symlink_to(WASI / dep)
    (wit / "world.wit").write_text(WORLD)
    return generate_and_import(generated_root, "e2e_implement_wasi", wit, implement_wasi=True)


def test_add_to_linker_leaves_wasmtime_wasi_out_by_default(timed: ModuleType, engine: Engine) -> None:
    linker = Linker(engine)
    timed.Timed.add_to_linker(linker, wasi_io_poll=Poll(), wasi_clocks_monotonic_clock=Clock())  # no "defined twice"
    store = Store(engine)
    world = timed.Timed.instantiate(store, Component(engine, wat2wasm(GUEST)), linker)
    assert world.now(store) == 42  # the host's clock, not wasmtime's


def test_its_docstring_says_so(timed: ModuleType) -> None:
    add_to_linker = timed.Timed.add_to_linker
    assert inspect.signature(add_to_linker).parameters["wasi"].default is False
    assert "wasmtime's own WASI is not added" in " ".join(add_to_linker.__doc__.split())
