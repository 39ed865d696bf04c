"""Unit tests of templates/runtime.py, with small hand-written bindings.

Generated bindings are tested end to end in ``tests/e2e/`` (every guest,
every type, both directions, the error paths). What stays here is what those
cannot reach: the runtime's own pieces (store state, codecs, the tagging it
computes against wasmtime-py's, resource type ids, the public-API fallback),
driven the way generated code drives them (calls take the store first).
"""

from __future__ import annotations

import ctypes
import enum
import gc
import math
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import pytest
from wasmtime import Engine, Store
from wasmtime.component import Component, Instance, Linker

from guests.plugin import engine, guest, wasi_linker, wasi_store  # noqa: F401

import witgen_runtime as _rt
from witgen_runtime._store import HandleTable
from witgen_runtime._values import Bad


# ==========================================================================
# World `adder` (export add: func(a: s32, b: s32) -> s32), by hand


class Adder:
    def __init__(self, store: Store, instance: Instance) -> None:
        self._instance = _rt.InstanceState(store, instance, "adder")
        self._add = _rt.ExportFunc(self._instance, None, "add", (("a", _rt.S32), ("b", _rt.S32)), _rt.S32)

    @classmethod
    def instantiate(cls, store: Store, component: Component, linker: Linker) -> "Adder":
        return cls(store, linker.instantiate(store, component))

    def add(self, store: Store, a: int, b: int) -> int:
        return self._add(store, a, b)  # type: ignore[no-any-return]


def test_export_func_takes_the_store_first(guest: Any, wasi_store: Store, wasi_linker: Linker) -> None:
    adder = Adder.instantiate(wasi_store, guest("adder"), wasi_linker)
    assert adder.add(wasi_store, 1, 2) == 3
    with pytest.raises(ValueError, match="^store: this adder instance belongs to another store"):
        adder.add(Store(wasi_store.engine), 1, 2)


def test_binding_mismatch_is_reported(guest: Any, wasi_store: Store, wasi_linker: Linker) -> None:
    instance = _rt.InstanceState(wasi_store, wasi_linker.instantiate(wasi_store, guest("adder")), "adder")
    wrong = _rt.ExportFunc(instance, None, "add", (("a", _rt.STRING), ("b", _rt.S32)), _rt.S32)
    with pytest.raises(_rt.BindingMismatchError, match="regenerate"):
        wrong(wasi_store, "x", 1)
    missing = _rt.ExportFunc(instance, "no:such/iface", "add", (), None)
    with pytest.raises(_rt.BindingMismatchError, match="no:such/iface"):
        missing(wasi_store)
    fresh = _rt.InstanceState(wasi_store, wasi_linker.instantiate(wasi_store, guest("adder")), "adder")
    _rt.ExportFunc(fresh, None, "sub", (), None)
    with pytest.raises(_rt.BindingMismatchError, match="does not export a function 'sub'"):
        fresh.check_exports()  # what generated world classes call when constructed


# ==========================================================================
# The coverage world's types, as codecs


@dataclass
class Point:
    x: int
    y: int


@dataclass
class Mixed:
    a_bool: bool
    name: str
    at: Point
    tags: list[str]
    maybe: Optional[int]


class Color(enum.Enum):
    RED = 0
    GREEN = 1
    BLUE_ISH = 2


class Perms(enum.Flag):
    READ = enum.auto()
    WRITE = enum.auto()
    EXEC = enum.auto()


@dataclass
class Shape_Circle:
    value: float


@dataclass
class Shape_Rect:
    value: Point


@dataclass
class Shape_Empty:
    pass


Shape = Union[Shape_Circle, Shape_Rect, Shape_Empty]

_POINT = _rt.Record("witgen:coverage/types@0.1.0/point", Point, [("x", "x", _rt.S32), ("y", "y", _rt.S32)])
_MIXED = _rt.Record("witgen:coverage/types@0.1.0/mixed", Mixed, [
    ("a_bool", "a-bool", _rt.BOOL), ("name", "name", _rt.STRING), ("at", "at", _POINT),
    ("tags", "tags", _rt.List(_rt.STRING)), ("maybe", "maybe", _rt.Option(_rt.U64)),
])
_COLOR = _rt.Enum("witgen:coverage/types@0.1.0/color", Color, ["red", "green", "blue-ish"])
_PERMS = _rt.Flags("witgen:coverage/types@0.1.0/perms", Perms, ["read", "write", "exec"])
_SHAPE = _rt.Variant("witgen:coverage/types@0.1.0/shape", [("circle", Shape_Circle, _rt.F64), ("rect", Shape_Rect, _POINT), ("empty", Shape_Empty, None)])
_INTS = _rt.Tuple(_rt.U8, _rt.S8, _rt.U16, _rt.S16, _rt.U32, _rt.S32, _rt.U64, _rt.S64)

# name -> (params, result, raises); shared by the import and the export.
ECHO: dict[str, tuple[tuple[tuple[str, Any], ...], Any, bool]] = {
    "bools": ((("x", _rt.BOOL),), _rt.BOOL, False),
    "ints": (tuple((n, c) for n, c in zip("abcdefgh", _INTS.codecs)), _INTS, False),
    "floats": ((("a", _rt.F32), ("b", _rt.F64)), _rt.Tuple(_rt.F32, _rt.F64), False),
    "chars": ((("c", _rt.CHAR),), _rt.CHAR, False),
    "strings": ((("s", _rt.STRING),), _rt.STRING, False),
    "bytes": ((("b", _rt.BYTES),), _rt.BYTES, False),
    "lists": ((("l", _rt.List(_rt.List(_rt.STRING))),), _rt.List(_rt.List(_rt.STRING)), False),
    "records": ((("r", _MIXED),), _MIXED, False),
    "enums": ((("c", _COLOR),), _COLOR, False),
    "flag-sets": ((("p", _PERMS),), _PERMS, False),
    "variants": ((("s", _SHAPE),), _SHAPE, False),
    "options": ((("o", _rt.Option(_rt.STRING)),), _rt.Option(_rt.STRING), False),
    "nested-options": ((("o", _rt.Option(_rt.Option(_rt.U32))),), _rt.Option(_rt.Option(_rt.U32)), False),
    "results": ((("r", _rt.ResultOf(_rt.U32, _rt.STRING)),), _rt.ResultOf(_rt.U32, _rt.STRING), True),
    "unit-results": ((("r", _rt.ResultOf(None, None)),), _rt.ResultOf(None, None), True),
    "ambiguous-results": ((("r", _rt.ResultOf(_rt.STRING, _rt.STRING)),), _rt.ResultOf(_rt.STRING, _rt.STRING), True),
    "tuples": ((("t", _rt.Tuple(_rt.U8, _rt.STRING, _rt.BYTES)),), _rt.Tuple(_rt.U8, _rt.STRING, _rt.BYTES), False),
    "list-of-records": ((("l", _rt.List(_POINT)),), _rt.List(_POINT), False),
    "fallible": ((("ok", _rt.BOOL),), _rt.ResultOf(_rt.STRING, _COLOR), True),
    "nothing": ((), None, False),
}

_GUEST_ECHO = "witgen:coverage/guest-echo@0.1.0"


# ==========================================================================
# Codecs on their own


def _lower(codec: Any, value: Any) -> tuple[int, list[Any]]:
    """`value` lowered as an export's argument `p` would be: (the slot's
    address, what keeps its memory alive). Errors as the call raises them."""
    slot = ctypes.create_string_buffer(32)
    keep: list[Any] = [slot]
    try:
        codec.lower(ctypes.addressof(slot), value, keep)
    except Bad as e:
        raise e.error("p") from None
    return ctypes.addressof(slot), keep


def _round_trip(codec: Any, value: Any) -> Any:
    address, keep = _lower(codec, value)
    return codec.lift(address)


def test_a_variant_whose_cases_share_python_classes_round_trips() -> None:
    """wasmtime's C values name the case, so a variant of u32 and bool (both
    ints in Python) is never ambiguous, unlike wasmtime-py's value model."""
    @dataclass
    class V_Num:
        value: int

    @dataclass
    class V_Flag:
        value: bool

    codec = _rt.Variant("t:t/t/v", [("num", V_Num, _rt.U32), ("flag", V_Flag, _rt.BOOL)])
    assert _round_trip(codec, V_Num(1)) == V_Num(1)
    assert _round_trip(codec, V_Flag(True)) == V_Flag(True)


def test_release_store_closes_what_the_guest_still_holds(engine: Engine) -> None:
    store = Store(engine)
    closed: list[str] = []

    class Obj:
        def close(self) -> None:
            closed.append("x")

    _rt.register_store(store).handles.insert(Obj())
    _rt.release_store(store)
    assert closed == ["x"]
    assert _rt.store_state(store).handles is not None  # a fresh state


# ==========================================================================
# Host resources: type ids, per-store tables


def test_a_host_resource_codec_must_be_the_linkers(engine: Engine, guest: Any) -> None:
    """The type id in `ResourceHost.own` must be the one the linker defined:
    a codec of another `HostResource` is caught by wasmtime (a trap)."""
    bowl = _rt.HostResource("ns:pkg/r/bowl")
    linker = Linker(engine)
    get = _rt.host_getter(lambda n: object(), ())
    with linker.root() as root, root.add_instance("ns:pkg/r") as li:
        _rt.add_host_resource(li, "bowl", bowl)
        for name in ("[constructor]bowl", "[method]bowl.weigh", "[static]bowl.merge"):
            _rt.add_func(li, name, _rt.host_func(name, get, lambda h, *a: 0, (), None))
    store = Store(engine)
    state = _rt.InstanceState(store, linker.instantiate(store, guest("host-resource")), "host-resource")
    other = _rt.HostResource("unused")
    assert other.type_id != bowl.type_id
    take = _rt.ExportFunc(state, None, "take", (("b", _rt.Own(other)),), _rt.U32)
    with pytest.raises(_rt.Trap, match="mismatched resource types"):
        take(store, object())


def test_store_state_is_per_store(engine: Engine) -> None:
    a, b = Store(engine), Store(engine)
    assert _rt.store_state(a) is not _rt.store_state(b)
    rep = _rt.store_state(a).handles.insert(object())
    with pytest.raises(_rt.HandleError):
        _rt.store_state(b).handles.get(rep, "x")
    del a
    gc.collect()


def test_handle_table_lent_objects_are_never_closed() -> None:
    closed: list[str] = []

    class Obj:
        def __init__(self, name: str) -> None:
            self.name = name

        def close(self) -> None:
            closed.append(self.name)

    table = HandleTable()
    given = table.insert(Obj("given"))
    lent = table.insert(Obj("lent"), lent=True)
    table.release(lent, "drop")
    assert closed == [] and len(table) == 1
    table.release(given, "drop")
    assert closed == ["given"] and len(table) == 0
    with pytest.raises(_rt.HandleError, match="no live resource with handle"):
        table.release(given, "drop")


# ==========================================================================
# Codecs without a component


@pytest.mark.parametrize(
    "codec, value, error, words",
    [
        (_rt.U8, 256, ValueError, ["p: 256 is out of range for u8 (0..255)"]),
        (_rt.S64, -(2**63) - 1, ValueError, ["s64"]),
        (_rt.U32, True, TypeError, ["expected int (u32), got bool"]),
        (_rt.F64, "1", TypeError, ["expected float"]),
        (_rt.CHAR, "\udfff", ValueError, ["surrogate"]),
        (_rt.STRING, "\ud800", ValueError, ["UTF-8"]),
        (_rt.BYTES, [1, 2], TypeError, ["expected bytes"]),
        (_rt.List(_rt.U16), (1, 2, 65536), ValueError, ["p[2]"]),
        (_rt.List(_rt.U32), [1, True], TypeError, ["p[1]", "bool"]),
        (_rt.Tuple(_rt.U8, _rt.BOOL), (1, 1), TypeError, ["p[1]", "bool"]),
        (_rt.Option(_rt.Option(_rt.U8)), 3, TypeError, ["Some"]),
        (_rt.ResultOf(_rt.U8, None), 3, TypeError, ["Ok(...) or Err(...)"]),
    ],
)
def test_codecs_check_values_naming_the_path(codec: Any, value: Any, error: type, words: list[str]) -> None:
    with pytest.raises(error) as info:
        _lower(codec, value)
    for word in words:
        assert word in str(info.value)


def test_codecs_lower_and_lift() -> None:
    assert _round_trip(_rt.F32, 1) == 1.0 and type(_round_trip(_rt.F32, 1)) is float
    assert _round_trip(_rt.F32, 1e40) == math.inf  # beyond f32: rounds, as a C cast does
    assert _round_trip(_rt.BYTES, bytearray(b"ab")) == b"ab"
    assert _round_trip(_rt.BYTES, memoryview(b"ab")) == b"ab"
    assert _round_trip(_rt.List(_rt.U32), (1, 2)) == [1, 2]
    nested = _rt.Option(_rt.Option(_rt.U32))
    for value in (None, _rt.Some(None), _rt.Some(7)):
        assert _round_trip(nested, value) == value
    flags = _rt.Flags("witgen:coverage/types@0.1.0/perms", Perms, ["read", "write", "exec"])
    for perms in (Perms.READ | Perms.EXEC, Perms.WRITE, Perms(0)):
        assert _round_trip(flags, perms) == perms
    with pytest.raises(ValueError, match="2 members for 3 WIT cases"):
        _rt.Enum("t:t/t/two", enum.Enum("Two", "A B"), ["a", "b", "c"])


def test_err_is_a_value_and_an_exception() -> None:
    assert _rt.Err(1) == _rt.Err(1) and _rt.Err(1) != _rt.Err(2) and _rt.Err(1) != _rt.Ok(1)
    assert repr(_rt.Err("x")) == "Err('x')"
    match _rt.Err(5):
        case _rt.Err(value):
            assert value == 5
    with pytest.raises(TypeError):
        hash(_rt.Err(1))


def test_codecs_know_their_canonical_abi_size_and_alignment() -> None:
    """CanonicalABI.md's elem_size/alignment, worked by hand: what the list
    length limit (MAX_LIST_BYTE_LENGTH bytes) is computed from."""
    big = enum.Flag("Big", [f"F{i}" for i in range(33)])  # type: ignore[misc]
    many = enum.Enum("Many", [f"C{i}" for i in range(257)])  # type: ignore[misc]
    cases = [
        (_rt.BOOL, 1, 1), (_rt.U16, 2, 2), (_rt.F32, 4, 4), (_rt.F64, 8, 8), (_rt.CHAR, 4, 4),
        (_rt.STRING, 8, 4), (_rt.BYTES, 8, 4), (_rt.List(_POINT), 8, 4),
        (_POINT, 8, 4),
        (_MIXED, 48, 8),  # bool, pad, string@4, point@12, list@20, pad, option<u64>@32 (16, align 8)
        (_INTS, 32, 8),
        (_rt.Tuple(_rt.U8, _rt.STRING, _rt.BYTES), 20, 4),
        (_COLOR, 1, 1), (_rt.Enum("t:t/t/many", many, [f"c{i}" for i in range(257)]), 2, 2),
        (_PERMS, 1, 1), (_rt.Flags("t:t/t/big", big, [f"f{i}" for i in range(33)]), 8, 4),
        (_SHAPE, 16, 8),  # discriminant, pad to 8, f64 or point
        (_rt.Option(_rt.U8), 2, 1), (_rt.ResultOf(None, None), 1, 1), (_rt.ResultOf(_rt.U32, _rt.STRING), 12, 4),
    ]
    for codec, size, align in cases:
        assert (codec.size, codec.align) == (size, align), codec.wit


def test_strings_and_lists_up_to_the_canonical_abi_limit() -> None:
    limit = (1 << 28) - 1
    _lower(_rt.STRING, "x" * limit)  # a string is lent to wasmtime in place
    with pytest.raises(ValueError, match=f"^p: a string of {limit + 1} UTF-8 bytes"):
        _lower(_rt.STRING, "x" * (limit + 1))
    euros = limit // 3 + 1  # 3 bytes each in UTF-8
    with pytest.raises(ValueError, match=f"^p: a string of {3 * euros} UTF-8 bytes"):
        _lower(_rt.STRING, "€" * euros)
    # (Not lowered at the limit: each byte is a 32-byte C value, 8 GiB.)
    with pytest.raises(ValueError, match=f"^p: {limit + 1} bytes"):
        _lower(_rt.BYTES, bytearray(limit + 1))
    over = limit // 20 + 1  # 20 bytes each
    with pytest.raises(ValueError, match=rf"^p: {over} elements of tuple<u8, string, list<u8>> \({20 * over} bytes\)"):
        _lower(_rt.List(_rt.Tuple(_rt.U8, _rt.STRING, _rt.BYTES)), [(0, "", b"")] * over)
