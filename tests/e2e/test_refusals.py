"""Values the bindings refuse before any wasm runs, naming the parameter (or
the host function and its result), against the coverage guest: nothing
reaches the guest and the store stays usable. (The common cases are in
test_errors.py; these are the ones wasmtime or Python would otherwise turn
into a trap, a lost value or an anonymous error.)"""

from __future__ import annotations

import dataclasses
import enum

from types import SimpleNamespace
from typing import Any

import pytest

from .test_coverage import coverage  # noqa: F401

MAX = (1 << 28) - 1  # the canonical ABI's MAX_STRING_BYTE_LENGTH and MAX_LIST_BYTE_LENGTH
HOST = "witgen:coverage/host-echo@0.1.0"


def _refused(coverage: SimpleNamespace, call: Any, error: type, message: str) -> None:
    coverage.host.seen.clear()
    with pytest.raises(error) as info:
        call(coverage.echo, coverage.store)
    assert str(info.value).startswith(message), str(info.value)[:200]
    assert coverage.host.seen == []  # the guest never ran
    assert coverage.echo.bools(coverage.store, True) is True  # nothing poisoned


def test_an_int_beyond_float_range(coverage: SimpleNamespace) -> None:
    _refused(coverage, lambda e, s: e.floats(s, 0.0, 10**400), ValueError, "b: an int of 1329 bits is too large for f64")
    _refused(coverage, lambda e, s: e.floats(s, -(10**400), 0.0), ValueError, "a: an int of 1329 bits is too large for f32")
    assert coverage.echo.floats(coverage.store, 2**1000, 0) == (float("inf"), 0.0)  # in range for f64: f32 rounds


def test_a_record_missing_a_field(coverage: SimpleNamespace) -> None:
    t = coverage.t
    mixed = t.Mixed(True, "n", t.Point(1, 2), [], None)
    del mixed.name
    _refused(coverage, lambda e, s: e.records(s, mixed), TypeError, "r.name: missing (this Mixed has no attribute 'name')")
    point = t.Point(1, 2)
    del point.y
    inner = t.Mixed(True, "n", point, [], None)
    _refused(coverage, lambda e, s: e.records(s, inner), TypeError, "r.at.y: missing")


@pytest.mark.parametrize(
    "value, message",
    [
        ("Ok(5)", "r: case 'ok' of result<_, _> has no value, expected None, got int"),
        ("Err('e')", "r: case 'err' of result<_, _> has no value, expected None, got str"),
    ],
)
def test_a_value_for_a_result_case_without_one(coverage: SimpleNamespace, value: str, message: str) -> None:
    arg = eval(value, {"Ok": coverage.pkg.Ok, "Err": coverage.pkg.Err})
    _refused(coverage, lambda e, s: e.unit_results(s, arg), TypeError, message)


@pytest.mark.parametrize("returned", ["5", "raise Err('e')"])
def test_a_host_returning_a_value_for_a_result_without_one_traps_naming_it(coverage: SimpleNamespace, returned: str) -> None:
    Err = coverage.pkg.Err

    def unit_results(r: Any) -> Any:
        if returned.startswith("raise"):
            raise Err("e")
        return 5

    coverage.host.unit_results = unit_results
    with pytest.raises(coverage.pkg.Trap) as info:
        coverage.echo.unit_results(coverage.store, coverage.pkg.Ok(None))
    assert isinstance(info.value.__cause__, TypeError)
    assert str(info.value.__cause__).startswith(f"return value of {HOST}#unit-results: case ")


def test_a_host_returning_an_int_beyond_float_range_traps_naming_it(coverage: SimpleNamespace) -> None:
    coverage.host.floats = lambda a, b: (a, 10**400)
    with pytest.raises(coverage.pkg.Trap) as info:
        coverage.echo.floats(coverage.store, 1.0, 2.0)
    assert str(info.value.__cause__) == f"return value of {HOST}#floats[1]: an int of 1329 bits is too large for f64 (beyond ±1.8e308)"


def test_a_string_longer_than_the_canonical_abi_allows(coverage: SimpleNamespace) -> None:
    """wasmtime would copy it into the guest; the guest passing it on traps
    (hostcall fuel) and poisons the store."""
    _refused(
        coverage, lambda e, s: e.strings(s, "x" * (MAX + 1)), ValueError,
        f"s: a string of {MAX + 1} UTF-8 bytes is longer than the component model allows ({MAX} bytes)",
    )
    _refused(coverage, lambda e, s: e.strings(s, "é" * ((MAX + 1) // 2)), ValueError, f"s: a string of {MAX + 1} UTF-8 bytes")
    _refused(coverage, lambda e, s: e.lists(s, [["ok", "x" * (MAX + 1)]]), ValueError, "l[0][1]: a string of")


def test_a_list_longer_than_the_canonical_abi_allows(coverage: SimpleNamespace) -> None:
    _refused(
        coverage, lambda e, s: e.bytes_(s, bytes(MAX + 1)), ValueError,
        f"b: {MAX + 1} bytes is longer than the component model allows for a list ({MAX} bytes)",
    )
    point = coverage.t.Point(0, 0)  # 8 bytes in linear memory
    _refused(
        coverage, lambda e, s: e.list_of_records(s, [point] * (MAX // 8 + 1)), ValueError,
        f"l: {MAX // 8 + 1} elements of Point ({(MAX // 8 + 1) * 8} bytes) are more than the component model allows",
    )


def test_a_host_returning_a_string_too_long_traps_naming_it(coverage: SimpleNamespace) -> None:
    coverage.host.strings = lambda s: "x" * (MAX + 1)
    with pytest.raises(coverage.pkg.Trap) as info:
        coverage.echo.strings(coverage.store, "short")
    assert str(info.value.__cause__).startswith(f"return value of {HOST}#strings: a string of {MAX + 1} UTF-8 bytes")


def test_another_packages_classes_for_the_same_wit_types_are_taken(coverage: SimpleNamespace, bindings: SimpleNamespace) -> None:
    """Package b was generated separately for the same WIT: its classes are
    the same WIT types, so they are accepted, and results come back as the
    world's own classes."""
    b, t, echo, store = bindings.coverage_b.types, coverage.t, coverage.echo, coverage.store
    assert echo.list_of_records(store, [b.Point(1, 2)]) == [t.Point(1, 2)]
    assert echo.enums(store, b.Color.BLUE_ISH) is t.Color.BLUE_ISH
    assert echo.flag_sets(store, b.Perms.READ | b.Perms.EXEC) == t.Perms.READ | t.Perms.EXEC
    assert echo.variants(store, b.Shape_Rect(b.Point(3, 4))) == t.Shape_Rect(t.Point(3, 4))
    assert echo.variants(store, b.Shape_Empty()) == t.Shape_Empty()
    # The host got them as the world's classes too.
    assert coverage.host.seen[-1][1][0] == t.Shape_Empty()


def test_a_same_named_class_of_another_type_is_named_with_its_module(coverage: SimpleNamespace) -> None:
    """`expected Point, got Point` says nothing: both classes' modules."""
    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    class Color(enum.Enum):
        RED = 0

    here = f"{__name__}.test_a_same_named_class_of_another_type_is_named_with_its_module.<locals>"
    cases = [
        (lambda e, s: e.list_of_records(s, [Point(1, 2)]), f"l[0]: expected e2e_coverage.types.Point, got {here}.Point"),
        (lambda e, s: e.enums(s, Color.RED), f"c: expected e2e_coverage.types.Color, got {here}.Color"),
    ]
    for call, message in cases:
        _refused(coverage, call, TypeError, message)


def test_another_packages_ok_err_and_some_are_accepted(coverage: SimpleNamespace, bindings: SimpleNamespace) -> None:
    """Every package re-exports the runtime's one `Ok`, `Err` and `Some`:
    a host written against package b works with a world bound through a."""
    b, echo, store = bindings.coverage_b, coverage.echo, coverage.store
    assert echo.results(store, b.Ok(5)) == 5
    with pytest.raises(coverage.pkg.Err) as info:
        echo.results(store, b.Err("bad"))
    assert info.value.value == "bad"
    assert echo.nested_options(store, b.Some(None)) == coverage.pkg.Some(None)

    def fallible(ok: bool) -> str:
        raise b.Err(coverage.t.Color.GREEN)  # a host written against package b

    coverage.host.fallible = fallible
    with pytest.raises(coverage.pkg.Err) as info:
        echo.fallible(store, False)
    assert info.value.value is coverage.t.Color.GREEN
