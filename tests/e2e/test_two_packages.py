"""Two packages generated separately for one world, as users make them:
`witgen export --world coverage` for the host side (Protocols and
`add_to_linker` of what the component imports) and `witgen import` for the
calls (the world class). Both run on the one runtime, so `Err`, enums,
records, variants and resources cross between them whichever package's
classes each side uses."""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any, Iterator

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from .conftest import GUESTS, generate_and_import


class Host:
    """The host side, written against the export package's classes only."""

    def __init__(self, a: ModuleType) -> None:
        self.a, t = a, a.types
        self.seen: list[Any] = []
        host = self

        class Bowl:
            def __init__(self, grams: int) -> None:
                self.grams = grams

            def weigh(self) -> int:
                return self.grams

            @staticmethod
            def merge(a: "Bowl", grams: int) -> "Bowl":
                host.seen.append(a)
                return Bowl(a.grams + grams)

        self.Bowl = Bowl
        self.t = t

    def __getattr__(self, name: str) -> Any:
        def echo(*args: Any) -> Any:
            self.seen.append(args[0] if len(args) == 1 else args)
            return args[0] if len(args) == 1 else args
        return echo

    def records(self, r: Any) -> Any:
        self.seen.append(r)
        return self.t.Mixed(not r.a_bool, r.name.upper(), self.t.Point(r.at.y, r.at.x), r.tags, r.maybe)

    def enums(self, c: Any) -> Any:
        self.seen.append(c)
        return self.t.Color.BLUE_ISH

    def variants(self, s: Any) -> Any:
        self.seen.append(s)
        return self.t.Shape_Rect(self.t.Point(7, 8))

    def fallible(self, ok: bool) -> str:
        if ok:
            return "fine"
        raise self.a.Err(self.t.Color.GREEN)  # the export package's Err

    def weigh_plus(self, a: Any, grams: int) -> int:
        self.seen.append(a)
        return int(a.grams * 1000 + grams)

    def host_double(self, x: int) -> int:
        return 2 * x


@pytest.fixture(scope="module")
def two(generated_root: Any, bindings: SimpleNamespace, guest: Any, engine: Engine) -> Iterator[SimpleNamespace]:
    a = generate_and_import(generated_root, "e2e_cov_host_side", GUESTS / "coverage" / "wit", "export", world="coverage")
    b = bindings.coverage  # `witgen import` of the same WIT
    host = Host(a)
    linker = Linker(engine)
    linker.add_wasip2()
    a.host_echo.add_to_linker(linker, host)
    a.add_imports_to_linker(linker, host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    world = b.Coverage.instantiate(store, guest("coverage"), linker)
    yield SimpleNamespace(a=a, b=b, host=host, store=store, echo=world.guest_echo, world=world)


@pytest.mark.parametrize("side", ["a", "b"])
def test_records_enums_and_variants_cross_in_either_packages_classes(two: SimpleNamespace, side: str) -> None:
    t = getattr(two, side).types  # the caller may use either package's classes
    a, b, echo, store = two.a.types, two.b.types, two.echo, two.store
    got = echo.records(store, t.Mixed(True, "n", t.Point(1, 2), ["x"], 5))
    assert got == b.Mixed(False, "N", b.Point(2, 1), ["x"], 5) and type(got) is b.Mixed
    assert type(two.host.seen[-1]) is a.Mixed and type(two.host.seen[-1].at) is a.Point  # the host's own
    assert echo.enums(store, t.Color.RED) is b.Color.BLUE_ISH and two.host.seen[-1] is a.Color.RED
    assert echo.variants(store, t.Shape_Circle(1.5)) == b.Shape_Rect(b.Point(7, 8))
    assert two.host.seen[-1] == a.Shape_Circle(1.5)
    assert echo.list_of_records(store, [t.Point(3, 4)]) == [b.Point(3, 4)]
    assert echo.flag_sets(store, t.Perms.READ | t.Perms.EXEC) == b.Perms.READ | b.Perms.EXEC


def test_an_err_raised_by_the_host_reaches_the_caller(two: SimpleNamespace) -> None:
    assert two.echo.fallible(two.store, True) == "fine"
    with pytest.raises(two.b.Err) as info:  # the same class as the host's `a.Err`
        two.echo.fallible(two.store, False)
    assert info.value.value is two.b.types.Color.GREEN
    assert two.a.Err is two.b.Err and two.a.Ok is two.b.Ok
    with pytest.raises(two.a.Err):
        two.echo.results(two.store, two.a.Err("bad"))


def test_resources_both_ways(two: SimpleNamespace) -> None:
    """The guest makes host bowls (the host's class) and lends them back;
    the caller makes guest counters and lends and gives them back."""
    assert two.echo.bowls(two.store, 3, 4) == (7, 3004)
    assert isinstance(two.host.seen[-1], two.host.Bowl)
    counter = two.echo.make_counter(two.store, 5)
    assert two.echo.read_counter(two.store, counter) == 5
    assert two.echo.consume_counter(two.store, counter) == 5 and counter.dropped
