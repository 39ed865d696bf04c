"""The value layer against real components (component-model text), on
whichever wasmtime the interpreter has (49 in the project venv, 50 in .venv50)."""

from __future__ import annotations

import dataclasses
import enum
import gc
import math
import struct
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from wasmtime import Config, Engine, Store
from wasmtime.component import Component, Linker

from witgen_runtime import _layer as R
from witgen_runtime import _capi

sys.path.insert(0, str(Path(__file__).parent))
from wat import MEMORY_MODULE, echo_component  # noqa: E402

HERE = Path(__file__).parent


@dataclasses.dataclass
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Outer:
    name: str
    at: Point
    tags: list


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


POINT_T = ("record", [("x", ("s32",)), ("y", ("s32",))])
POINT = R.Record(Point, [("x", "x", R.S32), ("y", "y", R.S32)])
OUTER = R.Record(Outer, [("name", "name", R.STRING), ("at", "at", POINT), ("tags", "tags", R.List(R.STRING))])
SHAPE = R.Variant("shape", [("circle", Circle, R.F64), ("named", Named, POINT), ("empty", Empty, None)])

# (type for the WAT, codec, values that must round-trip)
CASES: list[tuple[str, tuple, Any, list]] = [
    ("bool", ("bool",), R.BOOL, [True, False]),
    ("s8", ("s8",), R.S8, [-128, 0, 127]),
    ("u8", ("u8",), R.U8, [0, 255]),
    ("s16", ("s16",), R.S16, [-32768, 32767]),
    ("u16", ("u16",), R.U16, [0, 65535]),
    ("s32", ("s32",), R.S32, [-2**31, 2**31 - 1]),
    ("u32", ("u32",), R.U32, [0, 2**32 - 1]),
    ("s64", ("s64",), R.S64, [-2**63, 2**63 - 1]),
    ("u64", ("u64",), R.U64, [0, 2**64 - 1]),
    ("f32", ("f32",), R.F32, [1.5, -0.0, math.inf, -math.inf]),
    ("f64", ("f64",), R.F64, [0.1, 1e308, -math.inf, 5e-324]),
    ("char", ("char",), R.CHAR, ["a", "\u00e9", "\uffff", "\U0001f600", "\U0010ffff"]),
    ("string", ("string",), R.STRING, ["", "h\u00e9llo", "\U0001f600 non-BMP \U00010348", "x" * 100_000]),
    ("bytes", ("list", ("u8",)), R.BYTES, [b"", bytes(range(256)), bytes(100_000)]),
    ("list-u32", ("list", ("u32",)), R.List(R.U32), [[], [0, 1, 2**32 - 1], list(range(100_000))]),
    ("list-s64", ("list", ("s64",)), R.List(R.S64), [[-2**63, 2**63 - 1]]),
    ("list-f64", ("list", ("f64",)), R.List(R.F64), [[0.5, -1e300, math.inf]]),
    ("list-bool", ("list", ("bool",)), R.List(R.BOOL), [[True, False, True]]),
    ("list-string", ("list", ("string",)), R.List(R.STRING), [[], ["a", "", "\U0001f600"]]),
    ("list-list", ("list", ("list", ("u8",))), R.List(R.BYTES), [[b"ab", b""]]),
    ("tuple", ("tuple", [("u32",), ("string",), ("f64",)]), R.Tuple(R.U32, R.STRING, R.F64), [(1, "two", 3.0)]),
    ("record", POINT_T, POINT, [Point(-1, 2**31 - 1)]),
    ("record-nested", ("record", [("name", ("string",)), ("at", POINT_T), ("tags", ("list", ("string",)))]),
     OUTER, [Outer("o", Point(1, 2), ["t", "u"])]),
    ("list-record", ("list", POINT_T), R.List(POINT), [[Point(1, 2), Point(3, 4)]]),
    ("variant", ("variant", [("circle", ("f64",)), ("named", POINT_T), ("empty", None)]), SHAPE,
     [Circle(2.5), Named(Point(5, 6)), Empty()]),
    ("enum", ("enum", ["red", "green-ish", "blue"]), R.Enum(Color, ["red", "green-ish", "blue"]),
     list(Color)),
    ("flags", ("flags", ["read", "write", "exec"]), R.Flags(Perm, ["read", "write", "exec"]),
     [Perm(0), Perm.READ, Perm.WRITE | Perm.EXEC, Perm.READ | Perm.WRITE | Perm.EXEC]),
    ("option", ("option", ("u32",)), R.Option(R.U32), [None, 0, 7]),
    ("option-string", ("option", ("string",)), R.Option(R.STRING), [None, "", "s"]),
    ("option-option", ("option", ("option", ("u32",))), R.Option(R.Option(R.U32)),
     [None, R.Some(None), R.Some(3)]),
    ("result", ("result", ("u32",), ("string",)), R.Result(R.U32, R.STRING), [R.Ok(5), R.Err("bad")]),
    ("result-empty", ("result", None, None), R.Result(None, None), [R.Ok(), R.Err()]),
    ("result-enum", ("result", None, ("enum", ["red", "green-ish", "blue"])),
     R.Result(None, R.Enum(Color, ["red", "green-ish", "blue"])), [R.Ok(None), R.Err(Color.BLUE)]),
    ("map", ("map", ("string",), ("u32",)), R.Map(R.STRING, R.U32), [{}, {"a": 1, "\U0001f600": 2}]),
    ("map-nested", ("map", ("u32",), ("list", ("string",))), R.Map(R.U32, R.List(R.STRING)),
     [{1: ["x"], 2: []}]),
    ("many-params", ("tuple", [("u64",)] * 10), R.Tuple(*[R.U64] * 10), [tuple(range(10))]),
]
INDEX = {name: i for i, (name, *_rest) in enumerate(CASES)}


class World:
    """One instance of the echo component, every host function counting calls."""

    def __init__(self, override: dict[int, Any] | None = None) -> None:
        config = Config()
        R.config_enable_map(config)
        self.engine = Engine(config)
        self.component = Component(self.engine, echo_component([t for _, t, _, _ in CASES]))
        self.calls = [0] * len(CASES)
        self.linker = Linker(self.engine)
        override = override or {}
        with self.linker.root() as root:
            for i, (_, _, codec, _) in enumerate(CASES):
                R.add_host_func(root, f"host-{i}", override.get(i, self._echo(i)), [("x", codec)], codec)
        self.store = Store(self.engine)
        self.instance = self.linker.instantiate(self.store, self.component)

    def _echo(self, i: int) -> Any:
        def echo(x: Any) -> Any:
            self.calls[i] += 1
            return x
        return echo

    def func(self, name: str, codec: Any = None, param: str = "x", generic: bool = False) -> Any:
        """The bound export: its specialised `call`, or the generic method path."""
        i = INDEX[name]
        codec = codec or CASES[i][2]
        f = R.ExportFunc(self.store, self.instance.get_func(self.store, f"echo-{i}"), f"echo-{i}",
                         [(param, codec)], codec)
        return f if generic else f.call


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b and (not isinstance(a, float) or math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])
@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_round_trip_both_ways(world: World, name: str, generic: bool) -> None:
    f = world.func(name, generic=generic)
    for v in CASES[INDEX[name]][3]:
        before = world.calls[INDEX[name]]
        got = f(v)
        assert _same(got, v), (got, v)
        assert world.calls[INDEX[name]] == before + 1  # went through the host callback


def test_nan_survives(world: World) -> None:
    assert math.isnan(world.func("f64")(math.nan))
    assert math.isnan(world.func("f32")(math.nan))
    # A NaN payload survives f64 both ways (canonicalisation is the guest's business).
    odd = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_0000_1234))[0]
    assert struct.pack("<d", world.func("f64")(odd)) == struct.pack("<d", odd)


def test_f32_rounds_and_refuses_overflow(world: World) -> None:
    assert world.func("f32")(0.1) == struct.unpack("<f", struct.pack("<f", 0.1))[0]
    with pytest.raises(ValueError, match=r"^x: 1e\+40 is out of range for f32$"):
        world.func("f32")(1e40)


@pytest.mark.parametrize("name,value,exc,message", [
    ("u8", 256, ValueError, "x: 256 is out of range for u8"),
    ("u8", -1, ValueError, "x: -1 is out of range for u8"),
    ("s32", 2**31, ValueError, "x: 2147483648 is out of range for s32"),
    ("s64", -2**63 - 1, ValueError, "x: -9223372036854775809 is out of range for s64"),
    ("u64", 2**64, ValueError, "x: 18446744073709551616 is out of range for u64"),
    ("u32", True, TypeError, "x: expected int, got bool"),
    ("u32", 1.0, TypeError, "x: expected int, got float"),
    ("bool", 1, TypeError, "x: expected bool, got int"),
    ("f64", "1", TypeError, "x: expected float, got str"),
    ("char", "ab", TypeError, "x: expected a 1-character str, got 'ab'"),
    ("char", "\ud800", ValueError, "x: '\\ud800' is a surrogate, not a Unicode scalar value"),
    ("string", "a\udc00", ValueError, "x: not encodable as UTF-8 (lone surrogate at index 1)"),
    ("string", b"a", TypeError, "x: expected str, got bytes"),
    ("bytes", [1, 2], TypeError, "x: expected bytes, got list"),
    ("list-u32", [1, -1], ValueError, "x[1]: -1 is out of range for u32"),
    ("list-u32", (1,), TypeError, "x: expected list, got tuple"),
    ("list-string", ["a", 3], TypeError, "x[1]: expected str, got int"),
    ("tuple", (1, "a"), TypeError, "x: expected a tuple of 3, got 2 items"),
    ("tuple", (1, 2, 3.0), TypeError, "x[1]: expected str, got int"),
    ("record", Point(2**31, 0), ValueError, "x.x: 2147483648 is out of range for s32"),
    ("record", (1, 2), TypeError, "x: expected Point, got tuple"),
    ("record-nested", Outer("o", Point(0, 2**31), []), ValueError, "x.at.y: 2147483648 is out of range for s32"),
    ("record-nested", Outer("o", Point(0, 0), ["a", None]), TypeError, "x.tags[1]: expected str, got NoneType"),
    ("list-record", [Point(1, 2), Point(1, -2**31 - 1)], ValueError, "x[1].y: -2147483649 is out of range for s32"),
    ("variant", Circle("no"), TypeError, "x.value: expected float, got str"),
    ("variant", Point(1, 2), TypeError, "x: expected a case of shape, got Point"),
    ("variant", Named(Point(1, 2**40)), ValueError, "x.value.y: 1099511627776 is out of range for s32"),
    ("enum", "red", TypeError, "x: expected Color, got 'red'"),
    ("flags", {"read"}, TypeError, "x: expected Perm, got set"),
    ("option", -1, ValueError, "x: -1 is out of range for u32"),
    ("option-option", 3, TypeError, "x: expected None or Some(...) for option<option<u32>>, got int"),
    ("result", 5, TypeError, "x: expected Ok(...) or Err(...) for result<u32, string>, got int"),
    ("result", R.Err(5), TypeError, "x.value: expected str, got int"),
    ("result-empty", R.Ok(1), TypeError, "x: result<_, _> has no ok payload, got int"),
    ("map", {"a": -1}, ValueError, "x['a']: -1 is out of range for u32"),
    ("map", {1: 1}, TypeError, "x[1]: expected str, got int"),
    ("map", [("a", 1)], TypeError, "x: expected dict, got list"),
    ("map", {"\ud800": 1}, ValueError, "x['\\ud800']: not encodable as UTF-8 (lone surrogate at index 0)"),
    ("map-nested", {1: ["a"], 2: [3]}, TypeError, "x[2][0]: expected str, got int"),
])
@pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])
def test_bad_argument_names_its_path_before_any_wasm(name: str, value: Any, exc: type, message: str,
                                                      generic: bool) -> None:
    w = World()
    f = w.func(name, generic=generic)
    with pytest.raises(exc) as info:
        f(value)
    assert str(info.value) == message
    assert w.calls[INDEX[name]] == 0
    # Nothing ran, nothing is poisoned: the same function still works.
    good = CASES[INDEX[name]][3][-1]
    assert _same(f(good), good)


def test_bad_return_value_of_a_host_function_traps_naming_it() -> None:
    i = INDEX["record"]
    w = World({i: lambda x: Point(x.x, 2**31)})
    with pytest.raises(R.Trap) as info:
        w.func("record")(Point(1, 2))
    cause = info.value.__cause__
    assert isinstance(cause, ValueError)
    assert str(cause) == f"return value of host-{i}.y: 2147483648 is out of range for s32"


def test_host_exception_is_the_trap_cause_per_thread() -> None:
    errors = {}

    def boom(x: int) -> int:
        raise KeyError(f"boom {x}")

    i = INDEX["u32"]
    worlds = [World({i: boom}) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(k: int) -> None:
        barrier.wait()
        try:
            worlds[k].func("u32")(k)
        except R.Trap as t:
            errors[k] = t

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(2):
        assert isinstance(errors[k].__cause__, KeyError)
        assert errors[k].__cause__.args == (f"boom {k}",)


def test_guest_trap_keeps_wasmtimes_error_as_cause() -> None:
    from wasmtime import WasmtimeError

    engine = Engine()
    store = Store(engine)
    wat = """(component
      (core module $m (func (export "boom") (param i32) (result i32) unreachable))
      (core instance $i (instantiate $m))
      (alias core export $i "boom" (core func $boom))
      (func (export "boom") (param "x" u32) (result u32) (canon lift (core func $boom))))"""
    inst = Linker(engine).instantiate(store, Component(engine, wat))
    f = R.ExportFunc(store, inst.get_func(store, "boom"), "boom", [("x", R.U32)], R.U32)
    with pytest.raises(R.Trap, match="^boom: ") as info:
        f.call(1)
    assert isinstance(info.value.__cause__, WasmtimeError)
    assert "unreachable" in str(info.value.__cause__)


def test_host_raising_wasmtime_error_is_the_cause() -> None:
    from wasmtime import WasmtimeError

    i = INDEX["u32"]
    w = World({i: lambda x: (_ for _ in ()).throw(WasmtimeError("from host"))})
    with pytest.raises(R.Trap) as info:
        w.func("u32")(1)
    assert isinstance(info.value.__cause__, WasmtimeError) and str(info.value.__cause__) == "from host"


def test_binding_mismatch_is_refused_when_bound(world: World) -> None:
    with pytest.raises(R.BindingMismatchError, match=r"echo-\d+\(x\): the component has a u32 where the bindings have s32"):
        world.func("u32", codec=R.S32)
    with pytest.raises(R.BindingMismatchError, match="record fields differ"):
        world.func("record", codec=R.Record(Point, [("x", "x", R.S32), ("y", "why", R.S32)]))


def test_reentrant_call_takes_fresh_slots() -> None:
    i = INDEX["string"]
    holder: dict[str, Any] = {}

    def host(x: str) -> str:
        if x == "outer":
            return "in:" + holder["f"]("inner")
        return x

    w = World({i: host})
    f = holder["f"] = w.func("string")
    # The same bound function re-entered from a host function: its slots are
    # in use by the outer call, so the inner one must take fresh ones.
    outcome: Any
    try:
        outcome = f("outer")
    except R.Trap as t:  # a wasmtime that refuses re-entrance fails cleanly
        outcome = t
    assert outcome == "in:inner" or isinstance(outcome, R.Trap)
    if outcome == "in:inner":
        assert f("again") == "again"


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
    ("result", R.Err("bad")),
    ("map", {"a": 1, "b": 2}),
    ("flags", Perm.READ | Perm.EXEC),
])
def test_no_leak(world: World, name: str, value: Any) -> None:
    f = world.func(name)
    for _ in range(2000):
        f(value)
    gc.collect()
    before = _rss()
    n = 20_000
    for _ in range(n):
        f(value)
    gc.collect()
    growth = (_rss() - before) / n
    # A leak of the value (or even of one 32-byte slot) per call would show.
    assert growth < 16, f"{name}: {growth:.1f} bytes per call"


# ---- resources ---------------------------------------------------------------

class Bowl:
    def __init__(self, n: int) -> None:
        self.n = n
        self.closed = False

    def close(self) -> None:
        self.closed = True


class ResourceWorld:
    def __init__(self, generic: bool = False) -> None:
        self.generic = generic
        self.engine = Engine()
        self.bowl = R.HostResource("bowl")
        linker = Linker(self.engine)
        with linker.root() as root, root.add_instance("ns:pkg/r") as li:
            R.add_host_resource(li, "bowl", self.bowl)
            R.add_host_func(li, "[method]bowl.weigh", lambda b: b.n, [("self", self.bowl.borrow)], R.U32)
            R.add_host_func(li, "make-bowl", Bowl, [("n", R.U32)], self.bowl.own)
        self.store = Store(self.engine)
        comp = Component(self.engine, (HERE / "resources.wat").read_text())
        self.instance = linker.instantiate(self.store, comp)
        self.own = R.GuestResource(False, "counter")
        self.borrowed = R.GuestResource(True, "counter")

    def func(self, name: str, params: list, result: Any) -> Any:  # type: ignore[type-arg]
        f = R.ExportFunc(self.store, self.instance.get_func(self.store, name), name, params, result)
        return f if self.generic else f.call


@pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])
def test_guest_resource_new_method_drop(generic: bool) -> None:
    w = ResourceWorld(generic)
    new = w.func("new-counter", [("n", R.U32)], w.own)
    get = w.func("counter-get", [("self", w.borrowed)], R.U32)
    h = new(17)
    assert h.owned and get(h) == 17 and get(h) == 17
    h.drop(w.store)
    with pytest.raises(ValueError, match="^self: resource handle was dropped or moved$"):
        get(h)


@pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])
def test_host_resource_lent_to_a_borrow_and_made_by_the_host(generic: bool) -> None:
    w = ResourceWorld(generic)
    peek = w.func("peek", [("b", w.bowl.borrow)], R.U32)
    b = Bowl(42)
    assert peek(b) == 42 and peek(b) == 42
    assert not b.closed and w.bowl.objects == {}  # lent, not kept, not closed
    make = w.func("make", [("n", R.U32)], w.bowl.own)
    got = make(9)
    assert type(got) is Bowl and got.n == 9 and w.bowl.objects == {}


def test_resource_type_ids_are_unique() -> None:
    assert R.HostResource("bowl").type_id != R.HostResource("bowl").type_id


@pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])
def test_resources_do_not_leak(generic: bool) -> None:
    w = ResourceWorld(generic)
    new = w.func("new-counter", [("n", R.U32)], w.own)
    get = w.func("counter-get", [("self", w.borrowed)], R.U32)
    peek = w.func("peek", [("b", w.bowl.borrow)], R.U32)
    b = Bowl(1)

    def once() -> None:
        h = new(3)
        get(h)
        h.drop(w.store)
        peek(b)

    for _ in range(2000):
        once()
    gc.collect()
    before = _rss()
    n = 10_000
    for _ in range(n):
        once()
    gc.collect()
    assert (_rss() - before) / n < 16


# ---- the version gate ----------------------------------------------------------

@pytest.mark.parametrize("version", ["48.0.1", "51.0.0", "1.0"])
def test_unsupported_wasmtime_is_an_import_error_naming_the_range(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(_capi.metadata, "version", lambda name: version)
    with pytest.raises(ImportError) as info:
        _capi._check_version()
    assert ">=49,<51" in str(info.value) and version in str(info.value)


@pytest.mark.parametrize("version", ["49.0.0", "50.0.1"])
def test_supported_wasmtime_versions(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.setattr(_capi.metadata, "version", lambda name: version)
    assert _capi._check_version() == version


def test_int_for_float_and_bool_for_int_leave_the_inline_path_correctly(world: World) -> None:
    # The specialised call's inline checks refuse these; the generic path
    # then converts (int -> f64) or raises the proper error (bool for u32).
    assert world.func("f64")(3) == 3.0
    with pytest.raises(TypeError, match="^x: expected int, got bool$"):
        world.func("u32")(True)


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


@pytest.mark.parametrize("generic", [False, True], ids=["specialised", "generic"])
def test_mixed_params_each_land_in_their_own_slot(generic: bool) -> None:
    # Runs of scalars are packed by one format around a string: a wrong
    # padding would shift a value into a neighbour's slot.
    engine = Engine()
    store = Store(engine)
    inst = Linker(engine).instantiate(store, Component(engine, MIX_WAT))
    f = R.ExportFunc(store, inst.get_func(store, "mix"), "mix",
                     [("a", R.S32), ("b", R.S64), ("c", R.F64), ("d", R.BOOL), ("s", R.STRING), ("e", R.U8)], R.F64)
    call = f if generic else f.call
    assert call(-2, 2**40, 0.5, True, "abc", 7) == -2 + 2**40 + 0.5 + 1 + 3 * 1000 + 7 * 1_000_000
    with pytest.raises(ValueError, match="^e: 256 is out of range for u8$"):
        call(1, 2, 3.0, False, "", 256)
    with pytest.raises(TypeError, match="^d: expected bool, got int$"):
        call(1, 2, 3.0, 1, "", 0)


def test_metadata_range_is_the_import_checks_range() -> None:
    # pip sees pyproject's range, the import gate checks SUPPORTED: one range.
    import re

    text = (HERE.parent / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*)\]$", text, re.M).group(1)  # type: ignore[union-attr]
    assert deps == f'"wasmtime{_capi.SUPPORTED}"'
