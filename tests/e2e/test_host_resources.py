"""Host-implemented resources against the hand-written `host-resource` guest
(component-model text): guest drops close host objects, bad handles trap
cleanly, and the host lends or gives its objects to exports."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest
from wasmtime import Engine, Store
from wasmtime.component import Linker

from .conftest import generate_and_import

# What tests/guests/host-resource/host-resource.wat implements.
WIT = """package ns:pkg;

interface r {
  resource bowl {
    constructor(n: u32);
    weigh: func() -> u32;
    merge: static func(a: borrow<bowl>, b: borrow<bowl>) -> bowl;
  }
}

world host-resource {
  use r.{bowl};
  import r;
  /// Makes bowls n and 5, merges them, weighs the merge, drops all three.
  export run: func(n: u32) -> u32;
  /// Weighs handle 99, which it does not have.
  export weigh-bad: func() -> u32;
  export take: func(b: bowl) -> u32;
  export make: func(n: u32) -> bowl;
  export peek: func(b: borrow<bowl>) -> u32;
}
"""


class BowlHost:
    def __init__(self) -> None:
        self.closed: list[int] = []
        host = self

        class Bowl:
            def __init__(self, n: int) -> None:
                self.grams = n

            def weigh(self) -> int:
                return self.grams

            @staticmethod
            def merge(a: "Bowl", b: "Bowl") -> "Bowl":
                return Bowl(a.grams + b.grams)

            def close(self) -> None:
                host.closed.append(self.grams)

        self.Bowl = Bowl


@pytest.fixture(scope="module")
def pkg(generated_root: Path, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    wit = tmp_path_factory.mktemp("host-resource") / "host-resource.wit"
    wit.write_text(WIT)
    return generate_and_import(generated_root, "e2e_host_resource", wit)


@pytest.fixture
def world(pkg: ModuleType, guest: Any, engine: Engine) -> Iterator[tuple[Any, Store, BowlHost]]:
    host = BowlHost()
    linker = Linker(engine)
    pkg.HostResource.add_to_linker(linker, r=host, wasi=False)  # the guest imports no WASI
    store = Store(engine)
    yield pkg.HostResource.instantiate(store, guest("host-resource"), linker), store, host


def _live_handles(pkg: ModuleType, store: Store) -> int:
    return len(pkg._runtime.store_state(store).handles)


def test_guest_drops_close_host_objects(pkg: ModuleType, world: Any) -> None:
    w, store, host = world
    assert w.run(store, 3) == 8  # constructor, static with two borrows, method
    assert sorted(host.closed) == [3, 5, 8]
    assert _live_handles(pkg, store) == 0


def test_a_guest_using_a_handle_it_does_not_have_traps_cleanly(pkg: ModuleType, world: Any) -> None:
    w, store, _ = world
    with pytest.raises(pkg.Trap, match="unknown handle index 99"):
        w.weigh_bad(store)
    with pytest.raises(pkg.InstancePoisonedError):
        w.run(store, 1)


def test_host_lends_and_gives_its_objects_to_exports(pkg: ModuleType, world: Any) -> None:
    w, store, host = world
    bowl = host.Bowl(12)
    assert w.peek(store, bowl) == 12  # lent for the call only: never closed
    assert w.peek(store, bowl) == 12
    assert _live_handles(pkg, store) == 0 and host.closed == []
    assert w.take(store, host.Bowl(13)) == 13  # given: the guest drops it, the host closes it
    assert host.closed == [13] and _live_handles(pkg, store) == 0
    made = w.make(store, 14)  # made by the guest's constructor call; now the host's
    assert isinstance(made, host.Bowl) and made.grams == 14
    assert _live_handles(pkg, store) == 0 and host.closed == [13]
    assert w.run(store, 1) == 6  # nothing poisoned


def test_host_exception_in_a_constructor_traps(pkg: ModuleType, world: Any) -> None:
    w, store, host = world

    def broken(n: int) -> Any:
        raise OverflowError(n)

    host.Bowl = broken  # type: ignore[assignment]
    with pytest.raises(pkg.Trap, match="ns:pkg/r#\\[constructor\\]bowl raised OverflowError") as info:
        w.run(store, 1)
    assert isinstance(info.value.__cause__, OverflowError)


def test_host_side_and_world_from_separate_packages(
    pkg: ModuleType, generated_root: Path, tmp_path: Path, guest: Any, engine: Engine
) -> None:
    """`witgen export --interface r` for the host side, the world package for
    the calls: host objects cross between them (own and borrow, both ways)."""
    (tmp_path / "host-resource.wit").write_text(WIT)
    host_side = generate_and_import(
        generated_root, "e2e_host_resource_r", tmp_path / "host-resource.wit", "export", interface="r"
    )
    host = BowlHost()
    linker = Linker(engine)
    host_side.r.add_to_linker(linker, host)
    store = Store(engine)
    w = pkg.HostResource(store, linker.instantiate(store, guest("host-resource")))
    assert w.run(store, 2) == 7 and sorted(host.closed) == [2, 5, 7]
    assert w.peek(store, host.Bowl(11)) == 11
    assert w.take(store, host.Bowl(12)) == 12 and host.closed[-1] == 12
    made = w.make(store, 13)
    assert isinstance(made, host.Bowl) and made.grams == 13
    assert _live_handles(pkg, store) == _live_handles(host_side, store) == 0
