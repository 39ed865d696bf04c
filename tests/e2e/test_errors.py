"""What goes wrong, through generated bindings: traps in the guest and in
host functions, WIT errors, bad arguments, poisoned stores, wrong stores."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from wasmtime import Engine, Store, WasiConfig, WasmtimeError
from wasmtime.component import Linker

from .test_coverage import EchoHost, coverage  # noqa: F401


def test_guest_trap_raises_the_packages_trap(coverage: SimpleNamespace) -> None:
    pkg = coverage.pkg
    with pytest.raises(pkg.Trap) as info:
        coverage.echo.trap(coverage.store)
    assert "witgen:coverage/guest-echo@0.1.0#trap trapped" in str(info.value)
    assert isinstance(info.value.__cause__, WasmtimeError)
    assert isinstance(info.value, pkg.WitError)


def test_calls_after_a_trap_say_to_recreate_the_store(coverage: SimpleNamespace, guest: Any, engine: Engine) -> None:
    pkg, echo, store = coverage.pkg, coverage.echo, coverage.store
    counter = coverage.Counter(echo, store, 1)
    with pytest.raises(pkg.Trap):
        echo.trap(store)
    for call in (
        lambda: echo.bools(store, True),
        lambda: coverage.world.double_via_host(store, 1),  # world-level function
        lambda: counter.increment(store),  # resource method
        lambda: coverage.Counter(echo, store, 1),  # constructor
        lambda: counter.drop(store),
    ):
        with pytest.raises(pkg.InstancePoisonedError) as info:
            call()
        assert "trapped earlier, in witgen:coverage/guest-echo@0.1.0#trap" in str(info.value)
        assert "Create a new Store" in str(info.value)
    # The whole store is unusable (wasmtime's rule), a new instance too...
    linker = Linker(engine)
    host = EchoHost(pkg)
    pkg.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    again = pkg.Coverage.instantiate(store, guest("coverage"), linker)
    with pytest.raises(pkg.InstancePoisonedError):
        again.guest_echo.bools(store, True)
    # ...a new store works.
    fresh = Store(engine)
    fresh.set_wasi(WasiConfig())
    assert pkg.Coverage.instantiate(fresh, guest("coverage"), linker).guest_echo.bools(fresh, True) is True


def test_host_exception_is_a_trap_chained_to_it(coverage: SimpleNamespace) -> None:
    pkg = coverage.pkg
    boom = LookupError("no such thing")
    coverage.host.fail = boom
    with pytest.raises(pkg.Trap) as info:
        coverage.echo.strings(coverage.store, "x")
    assert info.value.__cause__ is boom
    assert "host function witgen:coverage/host-echo@0.1.0#strings raised LookupError: no such thing" in str(info.value)
    with pytest.raises(pkg.InstancePoisonedError):
        coverage.echo.strings(coverage.store, "x")


def test_host_exception_keeps_its_own_cause(coverage: SimpleNamespace) -> None:
    try:
        raise KeyError("inner")
    except KeyError as inner:
        boom = RuntimeError("outer")
        boom.__cause__ = inner
    coverage.host.fail = boom
    with pytest.raises(coverage.pkg.Trap) as info:
        coverage.echo.bools(coverage.store, True)
    assert info.value.__cause__ is boom and isinstance(boom.__cause__, KeyError)


def test_keyboard_interrupt_in_a_host_function_stays_itself(coverage: SimpleNamespace) -> None:
    coverage.host.fail = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        coverage.echo.bools(coverage.store, True)


def test_host_err_becomes_the_wit_error(coverage: SimpleNamespace) -> None:
    """`Err` raised by a host function is the WIT result's error, not a trap:
    the guest sees it, returns it, and the caller gets it raised."""
    pkg = coverage.pkg
    with pytest.raises(pkg.Err) as info:
        coverage.echo.fallible(coverage.store, False)
    assert info.value.value is pkg.types.Color.BLUE_ISH
    assert coverage.echo.fallible(coverage.store, True) == "fine"


def test_host_err_of_the_wrong_type_is_a_trap(coverage: SimpleNamespace) -> None:
    pkg = coverage.pkg
    coverage.host.fallible = lambda ok: (_ for _ in ()).throw(pkg.Err("not a Color"))
    with pytest.raises(pkg.Trap) as info:
        coverage.echo.fallible(coverage.store, False)
    assert "return value of witgen:coverage/host-echo@0.1.0#fallible" in str(info.value)
    assert isinstance(info.value.__cause__, TypeError)


def _bad_calls(t: Any, pkg: Any) -> list[tuple[str, tuple[Any, ...], type, list[str]]]:
    Point, Mixed = t.Point, t.Mixed
    return [
        ("bools", (1,), TypeError, ["x:", "bool"]),
        ("ints", (256, 0, 0, 0, 0, 0, 0, 0), ValueError, ["a:", "u8"]),
        ("ints", (0, -129, 0, 0, 0, 0, 0, 0), ValueError, ["b:", "s8"]),
        ("ints", (0, 0, 2**16, 0, 0, 0, 0, 0), ValueError, ["c:", "u16"]),
        ("ints", (0, 0, 0, 2**15, 0, 0, 0, 0), ValueError, ["d:", "s16"]),
        ("ints", (0, 0, 0, 0, -1, 0, 0, 0), ValueError, ["e:", "u32"]),
        ("ints", (0, 0, 0, 0, 0, 2**31, 0, 0), ValueError, ["f:", "s32"]),
        ("ints", (0, 0, 0, 0, 0, 0, 2**64, 0), ValueError, ["g:", "u64"]),
        ("ints", (0, 0, 0, 0, 0, 0, 0, -(2**63) - 1), ValueError, ["h:", "s64"]),
        ("ints", (0, 0, 0, 0, 0, 0, 0, 1.0), TypeError, ["h:", "int"]),
        ("floats", ("1", 0.0), TypeError, ["a:", "float"]),
        ("chars", ("\ud800",), ValueError, ["c:", "surrogate"]),  # would abort the process
        ("chars", ("ab",), TypeError, ["c:"]),
        ("chars", ("",), TypeError, ["c:"]),
        ("strings", ("\udc80",), ValueError, ["s:", "UTF-8"]),
        ("strings", (b"x",), TypeError, ["s:", "str"]),
        ("bytes_", ("x",), TypeError, ["b:", "bytes"]),
        ("lists", ([["a", 1]],), TypeError, ["l[0][1]:", "str"]),
        ("records", (Mixed(True, "n", Point(2**31, 0), [], None),), ValueError, ["r.at.x:", "s32"]),
        ("records", (Mixed(True, "n", Point(0, 0), [], -1),), ValueError, ["r.maybe:", "u64"]),
        ("records", (Point(1, 2),), TypeError, ["r:", "Mixed"]),
        ("enums", ("red",), TypeError, ["c:", "Color"]),
        ("flag_sets", ({"read"},), TypeError, ["p:", "Perms"]),
        ("variants", (Point(1, 2),), TypeError, ["s:", "Shape_Circle"]),
        ("variants", (t.Shape_Rect(Point(0, -(2**31) - 1)),), ValueError, ["s.value.y:", "s32"]),
        ("nested_options", (5,), TypeError, ["o:", "Some"]),
        ("results", (5,), TypeError, ["r:", "Ok"]),
        ("tuples", ((1, "s"),), TypeError, ["t:", "tuple of 3"]),
        ("tuples", ([1, "s", b""],), TypeError, ["t:", "tuple"]),
        ("drawings", (t.Drawing("d", [t.Shape_Empty(), 3], None, t.Perms(0), (Point(0, 0), t.Shape_Empty())),),
         TypeError, ["d.shapes[1]:"]),
        ("nested", (pkg.Ok([None, -1]),), ValueError, ["x[1]:", "u32"]),
    ]


BAD_IDS = [f"{i}-{c[0]}" for i, c in enumerate(_bad_calls(mock.MagicMock(), mock.MagicMock()))]


@pytest.mark.parametrize("index", range(len(BAD_IDS)), ids=BAD_IDS)
def test_bad_arguments_are_rejected_before_the_call(coverage: SimpleNamespace, index: int) -> None:
    name, args, error, words = _bad_calls(coverage.t, coverage.pkg)[index]
    with pytest.raises(error) as info:
        getattr(coverage.echo, name)(coverage.store, *args)
    for word in words:
        assert word in str(info.value)
    assert coverage.host.seen == []  # the guest never ran
    assert coverage.echo.bools(coverage.store, True) is True  # nothing poisoned


def test_wrong_arity_is_a_plain_type_error(coverage: SimpleNamespace) -> None:
    with pytest.raises(TypeError):
        coverage.echo.bools(coverage.store)
    with pytest.raises(TypeError):
        coverage.echo.bools(coverage.store, True, False)
    assert coverage.echo.bools(coverage.store, True) is True


def test_another_store_is_refused_naming_store(coverage: SimpleNamespace, engine: Engine) -> None:
    other = Store(engine)
    with pytest.raises(ValueError, match="^store: this witgen:coverage/coverage@0.1.0 instance belongs to another store"):
        coverage.echo.bools(other, True)
    with pytest.raises(ValueError, match="^store: "):
        coverage.world.double_via_host(other, 1)
    assert coverage.echo.bools(coverage.store, True) is True
