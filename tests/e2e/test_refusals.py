"""Values the bindings refuse before any wasm runs, naming the parameter (or
the host function and its result), against the coverage guest: nothing
reaches the guest and the store stays usable. (The common cases are in
test_errors.py; these are the ones wasmtime or Python would otherwise turn
into a trap, a lost value or an anonymous error.)"""

from __future__ import annotations

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


def test_another_packages_values_are_named_with_their_module(coverage: SimpleNamespace, bindings: SimpleNamespace) -> None:
    """`expected Point, got Point` says nothing: both classes' modules."""
    b = bindings.coverage_b.types
    cases = [
        (lambda e, s: e.list_of_records(s, [b.Point(1, 2)]), "l[0]: expected e2e_coverage.types.Point, got e2e_coverage_b.types.Point"),
        (lambda e, s: e.enums(s, b.Color.RED), "c: expected e2e_coverage.types.Color, got e2e_coverage_b.types.Color"),
        (lambda e, s: e.flag_sets(s, b.Perms.READ), "p: expected e2e_coverage.types.Perms, got e2e_coverage_b.types.Perms"),
        (lambda e, s: e.variants(s, b.Shape_Empty()), "s: expected one of e2e_coverage.types.Shape_Circle, "),
    ]
    for call, message in cases:
        _refused(coverage, call, TypeError, message)


def test_another_packages_ok_err_and_some_are_accepted(coverage: SimpleNamespace, bindings: SimpleNamespace) -> None:
    """Each package has its own copy of the runtime, so its own `Ok`, `Err`
    and `Some`; they mean the same thing and are taken as such."""
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
