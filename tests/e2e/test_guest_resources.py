"""Resources the guest exports (`guest-echo.counter`), used from the host
through generated proxies: constructors, methods and statics on the
resource's class, `with`, `drop`, moves."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from .test_coverage import EchoHost, coverage  # noqa: F401


def test_construct_call_methods_and_statics(coverage: SimpleNamespace) -> None:
    echo, store = coverage.echo, coverage.store
    c = coverage.Counter(echo, store, 5)
    assert isinstance(c, coverage.Counter)
    assert c.increment(store) == 6
    assert c.increment(store) == 7
    assert c.value(store) == 7
    d = echo.make_counter(store, 10)  # an own<counter> returned by a function
    assert isinstance(d, coverage.Counter)
    assert coverage.Counter.sum(echo, store, c, d) == 17  # a static with two borrows
    assert coverage.Counter.sum(echo, store, c, c) == 14
    assert echo.read_counter(store, d) == 10  # a borrow: d stays usable
    assert d.value(store) == 10
    assert "live" in repr(d) and "counter" in repr(d)


def test_with_drops_on_exit(coverage: SimpleNamespace) -> None:
    echo, store = coverage.echo, coverage.store
    with coverage.Counter(echo, store, 1) as c:
        assert c.increment(store) == 2
        assert not c.dropped
    assert c.dropped
    assert "dropped" in repr(c)
    with pytest.raises(coverage.pkg.ResourceDroppedError, match="dropped or moved"):
        c.value(store)
    with pytest.raises(coverage.pkg.ResourceDroppedError):
        echo.read_counter(store, c)  # refused before the call
    assert echo.bools(store, True) is True  # nothing poisoned


def test_explicit_drop_and_use_after_drop(coverage: SimpleNamespace) -> None:
    echo, store = coverage.echo, coverage.store
    c = coverage.Counter(echo, store, 1)
    c.drop(store)
    assert c.dropped
    with pytest.raises(coverage.pkg.ResourceDroppedError, match="counter"):
        c.increment(store)
    with pytest.raises(coverage.pkg.ResourceDroppedError):
        c.drop(store)  # twice
    with pytest.raises(coverage.pkg.ResourceDroppedError):
        coverage.Counter.sum(echo, store, coverage.Counter(echo, store, 2), c)
    d = coverage.Counter(echo, store, 3)
    d.drop()  # the store may be left out
    with d:  # leaving `with` after an explicit drop does nothing
        pass
    assert coverage.Counter(echo, store, 4).value(store) == 4


def test_passing_a_proxy_as_own_moves_it(coverage: SimpleNamespace) -> None:
    echo, store = coverage.echo, coverage.store
    c = coverage.Counter(echo, store, 41)
    c.increment(store)
    assert echo.consume_counter(store, c) == 42
    assert c.dropped
    with pytest.raises(coverage.pkg.ResourceDroppedError, match="moved"):
        c.increment(store)
    with pytest.raises(coverage.pkg.ResourceDroppedError):
        echo.consume_counter(store, c)  # cannot be moved twice
    c.__exit__(None, None, None)  # nothing left to drop
    assert echo.bools(store, False) is False


def test_wrong_values_for_resources_are_rejected_before_the_call(coverage: SimpleNamespace) -> None:
    echo, store = coverage.echo, coverage.store
    with pytest.raises(TypeError, match="c: expected Counter, got int"):
        echo.read_counter(store, 42)
    with pytest.raises(TypeError, match="b: expected Counter"):
        coverage.Counter.sum(echo, store, coverage.Counter(echo, store, 1), None)
    with pytest.raises(ValueError, match="start: .*u32"):
        coverage.Counter(echo, store, -1)
    assert coverage.Counter(echo, store, 0).value(store) == 0


def test_resources_refuse_another_store(coverage: SimpleNamespace, engine: Engine) -> None:
    echo, store = coverage.echo, coverage.store
    other = Store(engine)
    c = coverage.Counter(echo, store, 1)
    with pytest.raises(ValueError, match="^store: "):
        c.increment(other)
    with pytest.raises(ValueError, match="^store: "):
        coverage.Counter(echo, other, 1)
    with pytest.raises(ValueError, match="^store: "):
        c.drop(other)
    assert not c.dropped and c.increment(store) == 2


def test_a_proxy_of_another_instance_is_refused(coverage: SimpleNamespace, guest: Any, engine: Engine) -> None:
    """Resource handles are per instance: a proxy from another instance
    (even in the same store) would name some other counter, or none."""
    pkg, store = coverage.pkg, coverage.store
    linker = Linker(engine)
    host = EchoHost(pkg)
    pkg.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    second = pkg.Coverage.instantiate(store, guest("coverage"), linker)
    theirs = coverage.Counter(second.guest_echo, store, 100)
    mine = coverage.Counter(coverage.echo, store, 1)
    with pytest.raises(ValueError, match="c: .*another instance"):
        coverage.echo.read_counter(store, theirs)
    with pytest.raises(ValueError, match="c: .*another instance"):
        coverage.echo.consume_counter(store, theirs)
    assert not theirs.dropped  # a refused move leaves the proxy usable
    assert theirs.value(store) == 100 and mine.value(store) == 1


def test_proxies_in_lists_and_options(coverage: SimpleNamespace) -> None:
    echo, store, Counter = coverage.echo, coverage.store, coverage.Counter
    counters = echo.make_counters(store, [1, 2, 3])
    assert [type(c) for c in counters] == [Counter] * 3
    assert [c.increment(store) for c in counters] == [2, 3, 4]
    assert echo.total(store, counters) == 9  # a list of borrows
    assert echo.total(store, []) == 0
    assert echo.maybe_counter(store, None) is None
    maybe = echo.maybe_counter(store, 7)
    assert isinstance(maybe, Counter) and maybe.value(store) == 7
    with pytest.raises(TypeError, match=r"cs\[1\]: expected Counter"):
        echo.total(store, [counters[0], 5])
    for c in counters:
        c.drop(store)
    with pytest.raises(coverage.pkg.ResourceDroppedError, match=r"cs\[0\]"):
        echo.total(store, counters)


def test_a_refused_call_does_not_move_its_own_arguments(coverage: SimpleNamespace) -> None:
    """`own` arguments move only once every argument is lowered: a bad later
    argument leaves the proxy usable."""
    echo, store = coverage.echo, coverage.store
    c = coverage.Counter(echo, store, 40)
    with pytest.raises(ValueError, match="n: 256 is out of range for u8"):
        echo.consume_plus(store, c, 256)
    assert not c.dropped and c.value(store) == 40
    assert echo.consume_plus(store, c, 2) == 42
    assert c.dropped


def test_one_proxy_is_moved_at_most_once_per_call(coverage: SimpleNamespace) -> None:
    """The component model moves an own handle (`lift_own`) and cannot move
    a lent one: the same proxy twice as own, or as own and borrow, in one
    call is refused naming the parameter, and the proxy stays usable."""
    echo, store = coverage.echo, coverage.store
    c = coverage.Counter(echo, store, 5)
    with pytest.raises(ValueError, match=r"^cs\[1\]: this Counter is already passed as own in cs\[0\] of the same call"):
        echo.consume_all(store, [c, c])
    assert not c.dropped and c.value(store) == 5
    with pytest.raises(ValueError, match="^d: this Counter is passed as own in c of the same call"):
        echo.consume_and_read(store, c, c)
    assert not c.dropped and c.value(store) == 5
    d = coverage.Counter(echo, store, 2)
    assert echo.consume_and_read(store, c, d) == 7
    assert c.dropped and not d.dropped
    assert echo.consume_all(store, [d, coverage.Counter(echo, store, 1)]) == 3 and d.dropped
    assert coverage.Counter.sum(echo, store, *(2 * [coverage.Counter(echo, store, 4)])) == 8  # two borrows are fine


def test_another_packages_proxy_is_named_with_its_module(coverage: SimpleNamespace, bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    """Two packages generated from one WIT have classes of the same names."""
    other = bindings.coverage_b
    linker = Linker(engine)
    host = EchoHost(other)
    other.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    world = other.Coverage.instantiate(coverage.store, guest("coverage"), linker)
    theirs = other.guest_echo.Counter(world.guest_echo, coverage.store, 1)
    with pytest.raises(
        TypeError, match="^c: expected e2e_coverage.guest_echo.Counter, got e2e_coverage_b.guest_echo.Counter$"
    ):
        coverage.echo.read_counter(coverage.store, theirs)
