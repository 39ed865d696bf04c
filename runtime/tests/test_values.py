"""The runtime against real components (component-model text), on whichever
wasmtime the interpreter has (49 in the project venv, 50 in .venv50).

Everything goes through the public API generated packages use (``import
witgen_runtime as _rt``): `InstanceState`, `ExportFunc` called as
``f(store, *args)``, `host_func` + `add_func` for imports, the codecs, and
the resource helpers. Each test of a value runs both the call compiled for
the signature and the generic path it falls back to (``generic``), since
the two must agree on values and messages.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import gc
import math
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from wasmtime import Config, Engine, Store, WasmtimeError
from wasmtime.component import Component, Linker

import witgen_runtime as _rt
from witgen_runtime import _capi

sys.path.insert(0, str(Path(__file__).parent))
from wat import MEMORY_MODULE, echo_component  # noqa: E402

HERE = Path(__file__).parent

GENERIC = pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])


@dataclasses.dataclass
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Outer:
    name: str
    at: Point
    tags: list[str]


@dataclasses.dataclass
class Circle:
    value: float


@dataclasses.dataclass
class Named:
    value: Point


@dataclasses.dataclass
class Empty:
    pass


class Color(enum.Enum):
    RED = 0
    GREEN_ISH = 1
    BLUE = 2


class Perm(enum.Flag):
    READ = 1
    WRITE = 2
    EXEC = 4


class Level(enum.IntEnum):
    LOW = 1
    TOP = 2**32 - 1


WIT = "test:values/types"
COLOR_NAMES = ["red", "green-ish", "blue"]
POINT_T = ("record", [("x", ("s32",)), ("y", ("s32",))])
POINT = _rt.Record(f"{WIT}/point", Point, [("x", "x", _rt.S32), ("y", "y", _rt.S32)])
OUTER = _rt.Record(f"{WIT}/outer", Outer,
                   [("name", "name", _rt.STRING), ("at", "at", POINT), ("tags", "tags", _rt.List(_rt.STRING))])
SHAPE = _rt.Variant(f"{WIT}/shape", [("circle", Circle, _rt.F64), ("named", Named, POINT), ("empty", Empty, None)])
COLOR = _rt.Enum(f"{WIT}/color", Color, COLOR_NAMES)
PERM = _rt.Flags(f"{WIT}/perm", Perm, ["read", "write", "exec"])

# (name, type for the WAT, codec, values that must round-trip)
CASES: list[tuple[str, tuple, Any, list]] = [  # type: ignore[type-arg]
    ("bool", ("bool",), _rt.BOOL, [True, False]),
    ("s8", ("s8",), _rt.S8, [-128, 0, 127]),
    ("u8", ("u8",), _rt.U8, [0, 255]),
    ("s16", ("s16",), _rt.S16, [-32768, 32767]),
    ("u16", ("u16",), _rt.U16, [0, 65535]),
    ("s32", ("s32",), _rt.S32, [-2**31, 2**31 - 1]),
    ("u32", ("u32",), _rt.U32, [0, 2**32 - 1]),
    ("s64", ("s64",), _rt.S64, [-2**63, 2**63 - 1]),
    ("u64", ("u64",), _rt.U64, [0, 2**64 - 1]),
    ("f32", ("f32",), _rt.F32, [1.5, -0.0, math.inf, -math.inf]),
    ("f64", ("f64",), _rt.F64, [0.1, 1e308, -math.inf, 5e-324]),
    ("char", ("char",), _rt.CHAR, ["a", "\u00e9", "\uffff", "\U0001f600", "\U0010ffff"]),
    ("string", ("string",), _rt.STRING, ["", "h\u00e9llo", "\U0001f600 non-BMP \U00010348", "x" * 100_000]),
    ("bytes", ("list", ("u8",)), _rt.BYTES, [b"", bytes(range(256)), bytes(100_000)]),
    ("list-u32", ("list", ("u32",)), _rt.List(_rt.U32), [[], [0, 1, 2**32 - 1], list(range(100_000))]),
    ("list-s64", ("list", ("s64",)), _rt.List(_rt.S64), [[-2**63, 2**63 - 1]]),
    ("list-f64", ("list", ("f64",)), _rt.List(_rt.F64), [[0.5, -1e300, math.inf]]),
    ("list-bool", ("list", ("bool",)), _rt.List(_rt.BOOL), [[True, False, True]]),
    ("list-string", ("list", ("string",)), _rt.List(_rt.STRING), [[], ["a", "", "\U0001f600"]]),
    ("list-list", ("list", ("list", ("u8",))), _rt.List(_rt.BYTES), [[b"ab", b""]]),
    ("tuple", ("tuple", [("u32",), ("string",), ("f64",)]), _rt.Tuple(_rt.U32, _rt.STRING, _rt.F64),
     [(1, "two", 3.0)]),
    ("record", POINT_T, POINT, [Point(-1, 2**31 - 1)]),
    ("record-nested", ("record", [("name", ("string",)), ("at", POINT_T), ("tags", ("list", ("string",)))]),
     OUTER, [Outer("o", Point(1, 2), ["t", "u"])]),
    ("list-record", ("list", POINT_T), _rt.List(POINT), [[Point(1, 2), Point(3, 4)]]),
    ("variant", ("variant", [("circle", ("f64",)), ("named", POINT_T), ("empty", None)]), SHAPE,
     [Circle(2.5), Named(Point(5, 6)), Empty()]),
    ("enum", ("enum", COLOR_NAMES), COLOR, list(Color)),
    ("flags", ("flags", ["read", "write", "exec"]), PERM,
     [Perm(0), Perm.READ, Perm.WRITE | Perm.EXEC, Perm.READ | Perm.WRITE | Perm.EXEC]),
    ("option", ("option", ("u32",)), _rt.Option(_rt.U32), [None, 0, 7]),
    ("option-string", ("option", ("string",)), _rt.Option(_rt.STRING), [None, "", "s"]),
    ("option-option", ("option", ("option", ("u32",))), _rt.Option(_rt.Option(_rt.U32)),
     [None, _rt.Some(None), _rt.Some(3)]),
    ("result", ("result", ("u32",), ("string",)), _rt.ResultOf(_rt.U32, _rt.STRING), [_rt.Ok(5), _rt.Err("bad")]),
    ("result-empty", ("result", None, None), _rt.ResultOf(None, None), [_rt.Ok(None), _rt.Err(None)]),
    ("result-enum", ("result", None, ("enum", COLOR_NAMES)), _rt.ResultOf(None, COLOR),
     [_rt.Ok(None), _rt.Err(Color.BLUE)]),
    ("map", ("map", ("string",), ("u32",)), _rt.Map(_rt.STRING, _rt.U32), [{}, {"a": 1, "\U0001f600": 2}]),
    ("map-nested", ("map", ("u32",), ("list", ("string",))), _rt.Map(_rt.U32, _rt.List(_rt.STRING)),
     [{1: ["x"], 2: []}]),
    ("many-params", ("tuple", [("u64",)] * 10), _rt.Tuple(*[_rt.U64] * 10), [tuple(range(10))]),
]
INDEX = {name: i for i, (name, *_rest) in enumerate(CASES)}


@functools.lru_cache(maxsize=None)
def _echo_component() -> tuple[Engine, Component]:
    """One engine and compiled echo component for every `World`."""
    config = Config()
    _rt.config_enable_map(config)
    engine = Engine(config)
    return engine, Component(engine, echo_component([t for _, t, _, _ in CASES]))


Host = Callable[[Any, Any], Any]


class World:
    """One instance of the echo component (its own store and linker), every
    host function counting calls; ``override`` replaces some of them."""

    def __init__(self, override: Optional[dict[int, Host]] = None, raising: frozenset[int] = frozenset()) -> None:
        """``raising``: the cases whose host function is made with
        ``raises=True`` (returns the ok value, raises `Err`)."""
        self.engine, self.component = _echo_component()
        self.calls = [0] * len(CASES)
        self.linker = Linker(self.engine)
        override = override or {}
        get = _rt.host_getter(self, ())
        with self.linker.root() as root:
            for i, (_, _, codec, _) in enumerate(CASES):
                call = override.get(i, self._echo(i))
                _rt.add_func(root, f"host-{i}", _rt.host_func(f"host-{i}", get, call, [("x", codec)], codec,
                                                              raises=i in raising))
        self.store = Store(self.engine)
        self.state = _rt.InstanceState(self.store, _rt.instantiate(self.store, self.component, self.linker), "echo")

    def _echo(self, i: int) -> Host:
        def echo(host: Any, x: Any) -> Any:
            assert host is self
            self.calls[i] += 1
            return x
        return echo

    def func(self, name: str, codec: Any = None, param: str = "x", generic: bool = False,
             raises: bool = False) -> Any:
        """``echo-<i>``, called ``f(store, x)``: the `ExportFunc` (whose call
        is compiled for the signature when bound) or its generic path."""
        i = INDEX[name]
        codec = codec or CASES[i][2]
        f = _rt.ExportFunc(self.state, None, f"echo-{i}", [(param, codec)], codec, raises=raises)
        if not generic:
            return f
        f.bind()
        return f._generic


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b and (not isinstance(a, float) or math.copysign(1, a) == math.copysign(1, b))


# ---- values ------------------------------------------------------------------

@GENERIC
@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_round_trip_both_ways(world: World, name: str, generic: bool) -> None:
    f = world.func(name, generic=generic)
    for v in CASES[INDEX[name]][3]:
        before = world.calls[INDEX[name]]
        got = f(world.store, v)
        assert _same(got, v), (got, v)
        assert world.calls[INDEX[name]] == before + 1  # went through the host function


def test_nan_survives(world: World) -> None:
    assert math.isnan(world.func("f64")(world.store, math.nan))
    assert math.isnan(world.func("f32")(world.store, math.nan))
    # A NaN payload survives f64 both ways (canonicalisation is the guest's business).
    odd = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_0000_1234))[0]
    assert struct.pack("<d", world.func("f64")(world.store, odd)) == struct.pack("<d", odd)


@GENERIC
def test_f32_rounds_and_overflows_to_infinity(world: World, generic: bool) -> None:
    f32 = world.func("f32", generic=generic)
    assert f32(world.store, 0.1) == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    # Beyond f32's range a float rounds to infinity, as a C cast does.
    assert f32(world.store, 1e40) == math.inf and f32(world.store, -1e40) == -math.inf
    assert f32(world.store, 3) == 3.0 and type(f32(world.store, 3)) is float
    # An int beyond any float is refused rather than silently made infinite.
    with pytest.raises(ValueError, match=r"^x: an int of 1330 bits is too large for f32 \(beyond ±1\.8e308\)$"):
        f32(world.store, 2**1329)


S32_RANGE = "(-2147483648..2147483647)"
U32_RANGE = "(0..4294967295)"


@pytest.mark.parametrize("name,value,exc,message", [
    ("u8", 256, ValueError, "x: 256 is out of range for u8 (0..255)"),
    ("u8", -1, ValueError, "x: -1 is out of range for u8 (0..255)"),
    ("s32", 2**31, ValueError, f"x: 2147483648 is out of range for s32 {S32_RANGE}"),
    ("s64", -2**63 - 1, ValueError,
     "x: -9223372036854775809 is out of range for s64 (-9223372036854775808..9223372036854775807)"),
    ("u64", 2**64, ValueError, "x: 18446744073709551616 is out of range for u64 (0..18446744073709551615)"),
    ("u32", True, TypeError, "x: expected int (u32), got bool"),
    ("u32", 1.0, TypeError, "x: expected int (u32), got float"),
    ("s32", "1", TypeError, "x: expected int (s32), got str"),
    ("bool", 1, TypeError, "x: expected bool, got int"),
    ("f64", "1", TypeError, "x: expected float (f64), got str"),
    ("f64", True, TypeError, "x: expected float (f64), got bool"),
    ("char", "ab", TypeError, "x: expected a one-character str (char), got 'ab'"),
    ("char", "\ud800", ValueError, "x: '\\ud800' is a surrogate, not a Unicode scalar value"),
    ("string", "a\udc00", ValueError, "x: not encodable as UTF-8 (surrogates not allowed at 1)"),
    ("string", b"a", TypeError, "x: expected str, got bytes"),
    ("bytes", [1, 2], TypeError, "x: expected bytes, got list"),
    ("list-u32", [1, -1], ValueError, f"x[1]: -1 is out of range for u32 {U32_RANGE}"),
    ("list-u32", [1, True], TypeError, "x[1]: expected int (u32), got bool"),
    ("list-u32", {1}, TypeError, "x: expected list, got set"),
    ("list-string", ["a", 3], TypeError, "x[1]: expected str, got int"),
    ("tuple", (1, "a"), TypeError, "x: expected a tuple of 3 (tuple<u32, string, f64>), got (1, 'a')"),
    ("tuple", (1, 2, 3.0), TypeError, "x[1]: expected str, got int"),
    ("record", Point(2**31, 0), ValueError, f"x.x: 2147483648 is out of range for s32 {S32_RANGE}"),
    ("record", (1, 2), TypeError, "x: expected Point, got tuple"),
    ("record-nested", Outer("o", Point(0, 2**31), []), ValueError,
     f"x.at.y: 2147483648 is out of range for s32 {S32_RANGE}"),
    ("record-nested", Outer("o", Point(0, 0), ["a", None]), TypeError,  # type: ignore[list-item]
     "x.tags[1]: expected str, got NoneType"),
    ("list-record", [Point(1, 2), Point(1, -2**31 - 1)], ValueError,
     f"x[1].y: -2147483649 is out of range for s32 {S32_RANGE}"),
    ("variant", Circle("no"), TypeError, "x.value: expected float (f64), got str"),  # type: ignore[arg-type]
    ("variant", Point(1, 2), TypeError, "x: expected one of Circle, Named, Empty, got Point"),
    ("variant", Named(Point(1, 2**40)), ValueError, f"x.value.y: 1099511627776 is out of range for s32 {S32_RANGE}"),
    ("enum", "red", TypeError, "x: expected Color, got 'red'"),
    ("flags", {"read"}, TypeError, "x: expected Perm, got set"),
    ("option", -1, ValueError, f"x: -1 is out of range for u32 {U32_RANGE}"),
    ("option-option", 3, TypeError, "x: expected None or Some(...) (option<option<u32>>), got int"),
    ("result", 5, TypeError, "x: expected Ok(...) or Err(...) (result<u32, string>), got int"),
    ("result", _rt.Err(5), TypeError, "x: expected str, got int"),
    ("result-empty", _rt.Ok(1), TypeError, "x: case 'ok' of result<_, _> has no value, expected None, got int"),
    ("map", {"a": -1}, ValueError, f"x['a']: -1 is out of range for u32 {U32_RANGE}"),
    ("map", {1: 1}, TypeError, "x[1]: expected str, got int"),
    ("map", [("a", 1)], TypeError, "x: expected dict, got list"),
    ("map", {"\ud800": 1}, ValueError, "x['\\ud800']: not encodable as UTF-8 (surrogates not allowed at 0)"),
    ("map-nested", {1: ["a"], 2: [3]}, TypeError, "x[2][0]: expected str, got int"),
    ("map-nested", {-1: []}, ValueError, f"x[-1]: -1 is out of range for u32 {U32_RANGE}"),
])
@GENERIC
def test_bad_argument_names_its_path_before_any_wasm(name: str, value: Any, exc: type, message: str,
                                                      generic: bool) -> None:
    w = World()
    f = w.func(name, generic=generic)
    with pytest.raises(exc) as info:
        f(w.store, value)
    assert str(info.value) == message
    assert w.calls[INDEX[name]] == 0
    # Nothing ran, nothing is poisoned: the same function still works.
    good = CASES[INDEX[name]][3][-1]
    assert _same(f(w.store, good), good)


@GENERIC
def test_int_for_float_and_bool_for_int_leave_the_inline_path_correctly(world: World, generic: bool) -> None:
    # The compiled call's inline checks refuse these; the generic path then
    # converts (int -> f64) or raises the proper error (bool for u32).
    assert _same(world.func("f64", generic=generic)(world.store, 3), 3.0)
    with pytest.raises(TypeError, match=r"^x: expected int \(u32\), got bool$"):
        world.func("u32", generic=generic)(world.store, True)


@GENERIC
def test_an_int_enum_is_accepted_for_an_int(world: World, generic: bool) -> None:
    def call(name: str, value: Any) -> Any:
        return world.func(name, generic=generic)(world.store, value)

    assert _same(call("u32", Level.TOP), 2**32 - 1)  # a plain int comes back
    assert _same(call("s64", Level.LOW), 1)
    assert _same(call("f64", Level.LOW), 1.0)
    assert _same(call("list-u32", [Level.LOW, 2, Level.TOP]), [1, 2, 2**32 - 1])
    assert _same(call("record", Point(Level.LOW, Level.LOW)), Point(1, 1))
    assert _same(call("map-nested", {Level.TOP: ["t"]}), {2**32 - 1: ["t"]})
    with pytest.raises(ValueError, match=r"^x: 4294967295 is out of range for u8 \(0\.\.255\)$"):
        call("u8", Level.TOP)


def test_an_int_enum_returned_by_a_host_function_is_an_int() -> None:
    w = World({INDEX["u32"]: lambda _h, x: Level.TOP, INDEX["list-u32"]: lambda _h, x: [Level.LOW, 0]})
    assert _same(w.func("u32")(w.store, 0), 2**32 - 1)
    assert _same(w.func("list-u32")(w.store, []), [1, 0])


@GENERIC
def test_maps_cross_both_ways_as_dicts(generic: bool) -> None:
    seen: dict[str, Any] = {}

    def host(name: str, change: Callable[[dict], dict]) -> Host:  # type: ignore[type-arg]
        def call(_h: Any, x: Any) -> Any:
            seen[name] = x
            return change(x)
        return call

    w = World({
        INDEX["map"]: host("map", lambda m: {k.upper(): v + 1 for k, v in m.items()}),
        INDEX["map-nested"]: host("map-nested", lambda m: {k + 1: v[::-1] for k, v in m.items()}),
    })
    # map<string, u32>: the export lowers it with one pack per entry, the
    # host function's result goes through the generic (owned) path.
    strings = {f"k{i}-\u00e9\U0001f600": i for i in range(1000)} | {"": 0, "top": 2**32 - 2}
    got = w.func("map", generic=generic)(w.store, strings)
    assert _same(seen["map"], strings)
    assert all(type(k) is str and type(v) is int for k, v in seen["map"].items())
    assert _same(got, {k.upper(): v + 1 for k, v in strings.items()})
    # map<u32, list<string>>: codec calls per entry both ways.
    lists = {0: [], 7: ["a", "", "\U0001f600"], 2**32 - 2: ["x" * 1000] * 3}
    got = w.func("map-nested", generic=generic)(w.store, lists)
    assert _same(seen["map-nested"], lists)
    assert _same(got, {k + 1: v[::-1] for k, v in lists.items()})
    assert _same(w.func("map", generic=generic)(w.store, {}), {})


@pytest.mark.parametrize("name,returned,cause,message", [
    ("record", Point(1, 2**31), ValueError, f".y: 2147483648 is out of range for s32 {S32_RANGE}"),
    ("list-u32", [1, True], TypeError, "[1]: expected int (u32), got bool"),
    ("map", {"a": -1}, ValueError, f"['a']: -1 is out of range for u32 {U32_RANGE}"),
    ("map-nested", {1: [None]}, TypeError, "[1][0]: expected str, got NoneType"),
    ("result", _rt.Ok("no"), TypeError, ": expected int (u32), got str"),
    ("u32", None, TypeError, ": expected int (u32), got NoneType"),
])
def test_bad_return_value_of_a_host_function_traps_naming_it(name: str, returned: Any, cause: type,
                                                              message: str) -> None:
    i = INDEX[name]
    w = World({i: lambda _h, x: returned})
    good = CASES[i][3][-1]
    with pytest.raises(_rt.Trap, match=f"^host function host-{i} raised {cause.__name__}") as info:
        w.func(name)(w.store, good)
    assert type(info.value.__cause__) is cause
    assert str(info.value.__cause__) == f"return value of host-{i}{message}"
    with pytest.raises(_rt.InstancePoisonedError, match="^this echo instance cannot be called"):
        w.func(name)(w.store, good)


@GENERIC
def test_a_result_is_returned_or_raised_with_raises(generic: bool) -> None:
    """``raises=True`` (a WIT ``result`` return): exports return the ok
    value and raise `Err`; host functions return the ok value and raise
    `Err` (returning ``Ok``/``Err`` themselves is accepted too)."""
    i, unit = INDEX["result"], INDEX["result-empty"]

    def host(_h: Any, x: Any) -> Any:
        match x:
            case _rt.Ok(7):
                return _rt.Ok(70)
            case _rt.Ok(v):
                return v + 1
            case _rt.Err("returned"):
                return _rt.Err("as a value")
            case _rt.Err(e):
                raise _rt.Err(e + "!")

    def host_unit(_h: Any, x: Any) -> None:
        if isinstance(x, _rt.Err):
            raise _rt.Err(None)

    w = World({i: host, unit: host_unit}, raising=frozenset({i, unit}))
    f = w.func("result", generic=generic, raises=True)
    assert _same(f(w.store, _rt.Ok(1)), 2)
    assert _same(f(w.store, _rt.Ok(7)), 70)
    with pytest.raises(_rt.Err) as info:
        f(w.store, _rt.Err("bad"))
    assert info.value == _rt.Err("bad!")
    with pytest.raises(_rt.Err) as info:
        f(w.store, _rt.Err("returned"))
    assert info.value == _rt.Err("as a value")
    g = w.func("result-empty", generic=generic, raises=True)
    assert g(w.store, _rt.Ok(None)) is None
    with pytest.raises(_rt.Err) as info:
        g(w.store, _rt.Err(None))
    assert info.value == _rt.Err(None)
    # Without `raises` the same export returns the value itself.
    assert _same(w.func("result", generic=generic)(w.store, _rt.Err("x")), _rt.Err("x!"))
    with pytest.raises(TypeError, match=r"^host-0: raises=True needs a result<\.\.\.> codec$"):
        _rt.host_func("host-0", lambda _s: None, host, [("x", _rt.U32)], _rt.U32, raises=True)


# ---- traps -------------------------------------------------------------------

def test_host_exception_is_the_trap_cause_per_thread() -> None:
    errors: dict[int, _rt.Trap] = {}

    def boom(_h: Any, x: int) -> int:
        raise KeyError(f"boom {x}")

    i = INDEX["u32"]
    worlds = [World({i: boom}) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(k: int) -> None:
        barrier.wait()
        try:
            worlds[k].func("u32")(worlds[k].store, k)
        except _rt.Trap as t:
            errors[k] = t

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(2):
        assert isinstance(errors[k].__cause__, KeyError)
        assert errors[k].__cause__.args == (f"boom {k}",)


def test_calls_from_several_threads_each_get_their_own_values() -> None:
    worlds = [World() for _ in range(4)]
    funcs = [(w, w.func("string"), w.func("record")) for w in worlds]
    failures: list[BaseException] = []

    def run(k: int) -> None:
        w, string, record = funcs[k]
        try:
            for j in range(300):
                assert string(w.store, f"{k}:{j}") == f"{k}:{j}"
                assert record(w.store, Point(k, j)) == Point(k, j)
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(funcs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


BOOM_WAT = """(component
  (core module $m (func (export "boom") (param i32) (result i32) unreachable))
  (core instance $i (instantiate $m))
  (alias core export $i "boom" (core func $boom))
  (func (export "boom") (param "x" u32) (result u32) (canon lift (core func $boom))))"""


def test_guest_trap_keeps_wasmtimes_error_as_cause() -> None:
    engine = Engine()
    store = Store(engine)
    state = _rt.InstanceState(store, Linker(engine).instantiate(store, Component(engine, BOOM_WAT)), "boom")
    f = _rt.ExportFunc(state, None, "boom", [("x", _rt.U32)], _rt.U32)
    with pytest.raises(_rt.Trap, match="^boom trapped: ") as info:
        f(store, 1)
    assert isinstance(info.value.__cause__, WasmtimeError)
    assert "unreachable" in str(info.value.__cause__)
    assert state.poisoned is not None
    with pytest.raises(_rt.InstancePoisonedError, match="its store trapped earlier, in boom"):
        f(store, 1)


def test_host_raising_wasmtime_error_is_the_cause() -> None:
    def host(_h: Any, x: int) -> int:
        raise WasmtimeError("from host")

    w = World({INDEX["u32"]: host})
    with pytest.raises(_rt.Trap) as info:
        w.func("u32")(w.store, 1)
    assert isinstance(info.value.__cause__, WasmtimeError) and str(info.value.__cause__) == "from host"


def test_binding_mismatch_is_refused_when_bound(world: World) -> None:
    with pytest.raises(_rt.BindingMismatchError,
                       match=r"echo-\d+\(x\): the component has a u32 where the bindings have s32"):
        world.func("u32", codec=_rt.S32).bind()
    wrong = _rt.Record(f"{WIT}/point", Point, [("x", "x", _rt.S32), ("y", "why", _rt.S32)])
    with pytest.raises(_rt.BindingMismatchError, match="record fields differ"):
        world.func("record", codec=wrong)(world.store, Point(1, 2))  # the first call binds too


# A component importing `host: func(x: u32) -> u32`, bound with s32 codecs.
ANOTHER_SIGNATURE = '''
import witgen_runtime as _rt
from wasmtime import Engine, Store
from wasmtime.component import Component, Linker

WAT = """(component
  (import "host" (func $h (param "x" u32) (result u32)))
  (core func $low (canon lower (func $h)))
  (core module $m (import "" "h" (func $h (param i32) (result i32)))
    (func (export "g") (param i32) (result i32) local.get 0 call $h))
  (core instance $i (instantiate $m (with "" (instance (export "h" (func $low))))))
  (alias core export $i "g" (core func $g))
  (func (export "call") (param "x" u32) (result u32) (canon lift (core func $g))))"""
engine = Engine()
linker = Linker(engine)
with linker.root() as root:
    _rt.add_func(root, "host", _rt.host_func("host", _rt.host_getter(object(), ()), lambda _h, x: x,
                                             [("x", _rt.S32)], _rt.S32))
store = Store(engine)
state = _rt.InstanceState(store, _rt.instantiate(store, Component(engine, WAT), linker), "w")
f = _rt.ExportFunc(state, None, "call", [("x", _rt.U32)], _rt.U32)
try:
    f(store, 1)
except _rt.Trap as e:
    print(type(e.__cause__).__name__, e.__cause__, sep=": ")
'''


def test_host_function_of_another_signature_traps_on_its_first_call() -> None:
    # In a child process: today this kills the interpreter.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(_rt.__file__).parent.parent), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.run([sys.executable, "-c", ANOTHER_SIGNATURE], env=env, capture_output=True, text=True,
                           timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout == (
        "BindingMismatchError: host: the component imports it with another signature "
        "(host(x): the component has a u32 where the bindings have s32)\n")


def test_reentrant_call_takes_fresh_slots() -> None:
    holder: dict[str, Any] = {}

    def host(_h: Any, x: str) -> str:
        if x == "outer":
            return "in:" + holder["f"](holder["store"], "inner")
        return x

    w = World({INDEX["string"]: host})
    f = holder["f"] = w.func("string")
    holder["store"] = w.store
    # The same bound function re-entered from a host function: its slots are
    # in use by the outer call, so the inner one must take fresh ones.
    outcome: Any
    try:
        outcome = f(w.store, "outer")
    except _rt.Trap as t:  # a wasmtime that refuses re-entrance fails cleanly
        outcome = t
    assert outcome == "in:inner" or isinstance(outcome, _rt.Trap)
    if outcome == "in:inner":
        assert f(w.store, "again") == "again"


# ---- memory ------------------------------------------------------------------

def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


@pytest.mark.parametrize("name,value", [
    ("string", "x" * 1000),
    ("bytes", bytes(1000)),
    ("list-u32", list(range(100))),
    ("record-nested", Outer("o", Point(1, 2), ["t", "u"])),
    ("variant", Named(Point(5, 6))),
    ("option-string", "s"),
    ("result", _rt.Err("bad")),
    ("map", {"a": 1, "b": 2}),
    ("map-nested", {1: ["x"], 2: []}),
    ("flags", Perm.READ | Perm.EXEC),
])
def test_no_leak(world: World, name: str, value: Any) -> None:
    f = world.func(name)
    for _ in range(2000):
        f(world.store, value)
    gc.collect()
    before = _rss()
    n = 20_000
    for _ in range(n):
        f(world.store, value)
    gc.collect()
    growth = (_rss() - before) / n
    # A leak of the value (or even of one 32-byte slot) per call would show.
    assert growth < 16, f"{name}: {growth:.1f} bytes per call"


def test_memory_grows_for_large_values_and_is_reused(world: World) -> None:
    # The guest's bump allocator grows its memory for 4 MB strings; the
    # post-return resets it, so repeating the call must not grow the process.
    f = world.func("string")
    big = "y" * (4 << 20)
    assert f(world.store, big) == big
    gc.collect()
    before = _rss()
    for _ in range(20):
        assert len(f(world.store, big)) == len(big)
    gc.collect()
    assert _rss() - before < 16 << 20


# ---- resources ---------------------------------------------------------------

class Bowl:
    def __init__(self, n: int) -> None:
        self.n = n
        self.closed = False

    def weigh(self) -> int:
        return self.n

    def close(self) -> None:
        self.closed = True


class BowlHost:
    """The host of `ns:pkg/r`: its attribute `Bowl` is the class
    implementing the resource (what `add_host_resource` checks against)."""

    Bowl = Bowl


class Counter(_rt.GuestResource):
    _wit_name = "counter"
    __slots__ = ()


BOWL = _rt.HostResource("ns:pkg/r/bowl")


@functools.lru_cache(maxsize=None)
def _resources_component() -> tuple[Engine, Component]:
    engine = Engine()
    return engine, Component(engine, (HERE / "resources.wat").read_text())


class ResourceWorld:
    def __init__(self, bowl: _rt.HostResource = BOWL) -> None:
        engine, component = _resources_component()
        # Kept alive: the store checks host objects against the classes of
        # the hosts its linkers were given.
        linker = self.linker = Linker(engine)
        get = _rt.host_getter(BowlHost(), ("Bowl",))
        with linker.root() as root, root.add_instance("ns:pkg/r") as li:
            _rt.add_host_resource(li, "bowl", bowl, get, "Bowl")
            _rt.add_func(li, "[method]bowl.weigh", _rt.host_func(
                "ns:pkg/r#[method]bowl.weigh", get, lambda h, b: b.weigh(), [("self", _rt.Borrow(bowl))], _rt.U32))
            _rt.add_func(li, "make-bowl", _rt.host_func(
                "ns:pkg/r#make-bowl", get, lambda h, n: h.Bowl(n), [("n", _rt.U32)], _rt.Own(bowl)))
        self.store = Store(engine)
        self.state = _rt.InstanceState(self.store, _rt.instantiate(self.store, component, linker), "resources")
        self.new = self.func("new-counter", [("n", _rt.U32)], _rt.GuestOwn(Counter))
        self.get = self.func("counter-get", [("self", _rt.GuestBorrow(Counter))], _rt.U32)
        self.consume = self.func("counter-consume", [("c", _rt.GuestOwn(Counter))], _rt.U32)
        self.peek = self.func("peek", [("b", _rt.Borrow(bowl))], _rt.U32)
        self.take = self.func("take", [("b", _rt.Own(bowl))], _rt.U32)
        self.make = self.func("make", [("n", _rt.U32)], _rt.Own(bowl))

    def func(self, name: str, params: list[tuple[str, Any]], result: Any) -> Any:
        return _rt.ExportFunc(self.state, None, name, params, result)

    @property
    def live_handles(self) -> int:
        return len(_rt.store_state(self.store).handles)


# Resource codecs need the call's context (scopes, handle tables), so their
# calls always take the generic path: no specialised/generic parametrisation.


def test_guest_resource_new_method_drop() -> None:
    w = ResourceWorld()
    h = w.new(w.store, 17)
    assert type(h) is Counter and not h.dropped
    assert w.get(w.store, h) == 17 and w.get(w.store, h) == 17
    h.drop(w.store)
    assert h.dropped
    with pytest.raises(_rt.ResourceDroppedError, match="^self: this counter was dropped or moved$"):
        w.get(w.store, h)
    with pytest.raises(_rt.ResourceDroppedError, match=r"^counter\.drop\(\): this counter was dropped or moved$"):
        h.drop(w.store)
    with w.new(w.store, 3) as h2:  # leaving the block drops it
        assert w.get(w.store, h2) == 3
    assert h2.dropped


def test_guest_resource_passed_as_own_moves() -> None:
    w = ResourceWorld()
    h = w.new(w.store, 5)
    assert w.consume(w.store, h) == 5
    assert h.dropped
    with pytest.raises(_rt.ResourceDroppedError, match="^c: this counter was dropped or moved$"):
        w.consume(w.store, h)
    with pytest.raises(TypeError, match="^self: expected Counter, got int$"):
        w.get(w.store, 5)


def test_guest_resource_of_another_instance_is_refused() -> None:
    a, b = ResourceWorld(), ResourceWorld()
    h = a.new(a.store, 1)
    other = _rt.ExportFunc(b.state, None, "counter-get", [("self", _rt.GuestBorrow(Counter))], _rt.U32)
    with pytest.raises(ValueError, match="^store: this resources instance belongs to another store"):
        other(a.store, h)
    b_get = b.get
    with pytest.raises(ValueError, match="^self: this counter belongs to another instance of the component"):
        b_get(b.store, h)
    assert a.get(a.store, h) == 1


def test_host_resource_lent_to_a_borrow_given_and_made_by_the_host() -> None:
    w = ResourceWorld()
    b = Bowl(42)
    assert w.peek(w.store, b) == 42 and w.peek(w.store, b) == 42
    assert not b.closed and w.live_handles == 0  # lent, not kept, not closed
    given = Bowl(13)
    assert w.take(w.store, given) == 13  # given: the guest drops it, the host closes it
    assert given.closed and w.live_handles == 0
    got = w.make(w.store, 9)  # made by a host function inside the call, now the caller's
    assert type(got) is Bowl and got.n == 9 and not got.closed and w.live_handles == 0


def test_host_resource_values_are_checked_against_the_hosts_class() -> None:
    w = ResourceWorld()

    class Other:
        n = 1

    with pytest.raises(TypeError, match="^b: expected Bowl, got Other$"):
        w.peek(w.store, Other())
    with pytest.raises(TypeError, match="^b: expected Bowl, got str$"):
        w.take(w.store, "bowl")
    assert w.live_handles == 0  # a refused call leaves nothing behind
    assert w.peek(w.store, Bowl(2)) == 2


def test_host_resource_values_are_checked_after_the_linker_is_dropped() -> None:
    # A resource no other linker in the process defines: the check's
    # fallback (every live linker's hosts) must not find its class elsewhere.
    w = ResourceWorld(_rt.HostResource("test:values/linker-dropped/bowl"))
    del w.linker  # instantiated: the program has no more use for it
    gc.collect()

    class Other:
        n = 1

    with pytest.raises(TypeError, match="^b: expected Bowl, got Other$"):
        w.peek(w.store, Other())
    assert w.peek(w.store, Bowl(2)) == 2


def test_resource_type_ids_are_one_per_wit_name() -> None:
    # Every generated package's `HostResource` for one WIT resource agrees
    # (same id); different resources never collide.
    assert _rt.HostResource("ns:pkg/r/bowl").type_id == BOWL.type_id
    assert _rt.HostResource("ns:pkg/r/cup").type_id != BOWL.type_id
    assert _rt.HostResource("ns:other/r/bowl").type_id != BOWL.type_id


def test_resources_do_not_leak() -> None:
    w = ResourceWorld()
    b = Bowl(1)

    def once() -> None:
        h = w.new(w.store, 3)
        w.get(w.store, h)
        h.drop(w.store)
        w.consume(w.store, w.new(w.store, 4))
        w.peek(w.store, b)
        w.take(w.store, Bowl(2))
        w.make(w.store, 5)

    for _ in range(2000):
        once()
    gc.collect()
    before = _rss()
    n = 10_000
    for _ in range(n):
        once()
    gc.collect()
    assert (_rss() - before) / n < 16
    assert w.live_handles == 0


# ---- calls of several parameters ----------------------------------------------

MIX_WAT = """(component
""" + MEMORY_MODULE + """
  (core module $M
    (func (export "mix") (param i32 i64 f64 i32 i32 i32 i32) (result f64)
      (f64.add (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
                        (f64.add (local.get 2) (f64.convert_i32_u (local.get 3))))
               (f64.add (f64.mul (f64.convert_i32_u (local.get 5)) (f64.const 1000))
                        (f64.mul (f64.convert_i32_u (local.get 6)) (f64.const 1000000))))))
  (core instance $mm (instantiate $M))
  (alias core export $mm "mix" (core func $mix))
  (func (export "mix") (param "a" s32) (param "b" s64) (param "c" f64) (param "d" bool) (param "s" string)
    (param "e" u8) (result f64)
    (canon lift (core func $mix) (memory $mem) (realloc $realloc) string-encoding=utf8))
)"""


def _mix() -> tuple[Store, Any]:
    """MIX_WAT's `mix`, bound: six parameters of five kinds."""
    engine = Engine()
    store = Store(engine)
    state = _rt.InstanceState(store, Linker(engine).instantiate(store, Component(engine, MIX_WAT)), "mix")
    f = _rt.ExportFunc(state, None, "mix", [("a", _rt.S32), ("b", _rt.S64), ("c", _rt.F64), ("d", _rt.BOOL),
                                            ("s", _rt.STRING), ("e", _rt.U8)], _rt.F64)
    f.bind()
    return store, f


@GENERIC
def test_mixed_params_each_land_in_their_own_slot(generic: bool) -> None:
    # Runs of scalars are packed by one format around a string: a wrong
    # padding would shift a value into a neighbour's slot.
    store, f = _mix()
    call = f._generic if generic else f
    assert call(store, -2, 2**40, 0.5, True, "abc", 7) == -2 + 2**40 + 0.5 + 1 + 3 * 1000 + 7 * 1_000_000
    with pytest.raises(ValueError, match=r"^e: 256 is out of range for u8 \(0\.\.255\)$"):
        call(store, 1, 2, 3.0, False, "", 256)
    with pytest.raises(TypeError, match="^d: expected bool, got int$"):
        call(store, 1, 2, 3.0, 1, "", 0)


def test_a_wrong_number_of_arguments_names_the_function_on_both_paths() -> None:
    store, f = _mix()
    for call in (f._generic, f):
        with pytest.raises(TypeError, match=r"^mix\(\) takes 6 arguments after the store, got 5$"):
            call(store, 1, 2, 3.0, False, "")


# ---- the version gate ----------------------------------------------------------

@pytest.mark.parametrize("version", ["48.0.1", "51.0.0", "1.0"])
def test_unsupported_wasmtime_is_an_import_error_naming_the_range(monkeypatch: pytest.MonkeyPatch,
                                                                   version: str) -> None:
    monkeypatch.setattr(_capi.metadata, "version", lambda name: version)
    with pytest.raises(ImportError) as info:
        _capi._check_version()
    assert ">=49,<51" in str(info.value) and version in str(info.value)


@pytest.mark.parametrize("version", ["49.0.0", "50.0.1"])
def test_supported_wasmtime_versions(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(_capi.metadata, "version", lambda name: version)
    assert _capi._check_version() == version


def test_metadata_range_is_the_import_checks_range() -> None:
    # pip sees pyproject's range, the import gate checks SUPPORTED: one range.
    import re

    text = (HERE.parent / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*)\]$", text, re.M).group(1)  # type: ignore[union-attr]
    assert deps == f'"wasmtime{_capi.SUPPORTED}"'
    assert _rt.SUPPORTED == _capi.SUPPORTED and _rt.WASMTIME_VERSION == _capi.WASMTIME_VERSION
