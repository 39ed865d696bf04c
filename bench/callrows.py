"""What the call benches share: one component, its rows, wasmtime-py's public
call and the C-API floor for each row (on its own C declarations,
floor_capi.py), and the interleaved timing that prints one markdown table.

`bench_calls.py` (generated bindings) adds one more variant: an object with a method per row key
(`ROWS`) taking the row's arguments and returning a zero-argument call, or a
string saying why there is none. Each method checks its call's result once.

The floor is a hand-written minimal ctypes call for exactly that signature:
preallocated slots, ``struct.pack_into`` / ``unpack_from`` at fixed
addresses, no checks, no generality. (The bulk rows use strided memoryview
copies: nothing faster is known from Python.)
"""

from __future__ import annotations

import array
import ctypes
import gc
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Union

from wasmtime import Config, Engine, Store
from wasmtime.component import Component, Linker, Record, ResourceHost, ResourceType

import floor_capi as C
from floor_capi import BYTES_DATA, MEM, pack_into, unpack_from

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "runtime" / "tests"))
from wat import MEMORY_MODULE  # noqa: E402

# One component for every row. The guest resource lives in an exported
# interface (`ns:pkg/counters`, through a shim component that names its
# types), so that a WIT world can describe the whole component.
WAT = r"""
(component
  (import "double" (func $double (param "x" u32) (result u32)))
  (import "ns:pkg/r" (instance $h
    (export "bowl" (type $b (sub resource)))
    (export "[method]bowl.weigh" (func (param "self" (borrow $b)) (result u32)))))
  (alias export $h "bowl" (type $bowl))
""" + MEMORY_MODULE + r"""
  (core func $double_l (canon lower (func $double)))
  (core func $weigh (canon lower (func $h "[method]bowl.weigh")))
  (core func $bdrop (canon resource.drop $bowl))
  (type $counter (resource (rep i32)))
  (core func $cnew (canon resource.new $counter))
  (core module $G
    (import "" "mem" (memory 1))
    (import "" "double" (func $double (param i32) (result i32)))
    (import "" "weigh" (func $weigh (param i32) (result i32)))
    (import "" "bdrop" (func $bdrop (param i32)))
    (import "" "cnew" (func $cnew (param i32) (result i32)))
    (import "" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "" "reset" (func $reset))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "call-double") (param i32) (result i32) (call $double (local.get 0)))
    (func (export "rec") (param i32 i32 i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 0)) (i32.store (i32.const 20) (local.get 1))
      (i32.store (i32.const 24) (local.get 2)) (i32.store (i32.const 28) (local.get 3)) (i32.const 16))
    (func (export "pair") (param i32 i32) (result i32)
      (i32.store (i32.const 16) (local.get 0)) (i32.store (i32.const 20) (local.get 1)) (i32.const 16))
    (func (export "len") (param i32 i32) (result i32) (local.get 1))
    (func (export "make") (param i32) (result i32)
      (i32.store (i32.const 16) (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get 0)))
      (i32.store (i32.const 20) (local.get 0)) (i32.const 16))
    (func (export "maybe") (param i32) (result i32)
      (i32.store (i32.const 16) (i32.ne (local.get 0) (i32.const 0)))
      (i32.store (i32.const 20) (local.get 0)) (i32.const 16))
    (func (export "shape") (param i32) (result i32)
      (i32.store (i32.const 16) (i32.rem_u (local.get 0) (i32.const 3)))
      (i32.store (i32.const 20) (local.get 0)) (i32.const 16))
    (func (export "check") (param i32) (result i32)
      (i32.store (i32.const 16) (i32.and (local.get 0) (i32.const 1)))
      (i32.store (i32.const 20) (local.get 0)) (i32.const 16))
    (func (export "post") (param i32) (call $reset))
    (func (export "ctor") (param i32) (result i32) (call $cnew (local.get 0)))
    (func (export "get") (param i32) (result i32) (local.get 0))
    (func (export "peek") (param i32) (result i32) (local $r i32)
      (local.set $r (call $weigh (local.get 0))) (call $bdrop (local.get 0)) (local.get $r)))
  (core instance $gi (instantiate $G (with "" (instance
    (export "mem" (memory $mem)) (export "double" (func $double_l)) (export "weigh" (func $weigh))
    (export "bdrop" (func $bdrop)) (export "cnew" (func $cnew)) (export "realloc" (func $realloc))
    (export "reset" (func $reset))))))
  (type $rec (record (field "a" u32) (field "b" u32) (field "c" u32) (field "d" u32)))
  (type $shape (variant (case "a" u32) (case "b" u32) (case "none")))
  (export $rec-e "rec-t" (type $rec))
  (export $shape-e "shape-t" (type $shape))
  (alias core export $gi "add" (core func $add))
  (alias core export $gi "call-double" (core func $call-double))
  (alias core export $gi "rec" (core func $rec))
  (alias core export $gi "pair" (core func $pair))
  (alias core export $gi "len" (core func $len))
  (alias core export $gi "make" (core func $make))
  (alias core export $gi "maybe" (core func $maybe))
  (alias core export $gi "shape" (core func $shapef))
  (alias core export $gi "check" (core func $check))
  (alias core export $gi "post" (core func $post))
  (alias core export $gi "ctor" (core func $ctor))
  (alias core export $gi "get" (core func $get))
  (alias core export $gi "peek" (core func $peek))
  (func (export "add") (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $add)))
  (func (export "call-double") (param "x" u32) (result u32) (canon lift (core func $call-double)))
  (func (export "echo-rec") (param "r" $rec-e) (result $rec-e)
    (canon lift (core func $rec) (memory $mem) (post-return $post)))
  (func (export "echo-string") (param "s" string) (result string)
    (canon lift (core func $pair) (memory $mem) (realloc $realloc) string-encoding=utf8 (post-return $post)))
  (func (export "bytes-in") (param "b" (list u8)) (result u32)
    (canon lift (core func $len) (memory $mem) (realloc $realloc) (post-return $post)))
  (func (export "bytes-out") (param "n" u32) (result (list u8))
    (canon lift (core func $make) (memory $mem) (realloc $realloc) (post-return $post)))
  (func (export "echo-u32s") (param "l" (list u32)) (result (list u32))
    (canon lift (core func $pair) (memory $mem) (realloc $realloc) (post-return $post)))
  (func (export "maybe") (param "x" u32) (result (option u32))
    (canon lift (core func $maybe) (memory $mem) (post-return $post)))
  (func (export "shape") (param "x" u32) (result $shape-e)
    (canon lift (core func $shapef) (memory $mem) (post-return $post)))
  (func (export "check") (param "x" u32) (result (result u32 (error u32)))
    (canon lift (core func $check) (memory $mem) (post-return $post)))
  (func (export "echo-map") (param "m" (map string u32)) (result (map string u32))
    (canon lift (core func $pair) (memory $mem) (realloc $realloc) string-encoding=utf8 (post-return $post)))
  (func (export "peek") (param "b" (borrow $bowl)) (result u32) (canon lift (core func $peek)))
  (func $new (param "n" u32) (result (own $counter)) (canon lift (core func $ctor)))
  (func $cget (param "self" (borrow $counter)) (result u32) (canon lift (core func $get)))
  (component $Counters
    (import "counter" (type $r (sub resource)))
    (import "new" (func $f (param "n" u32) (result (own $r))))
    (import "get" (func $g (param "self" (borrow $r)) (result u32)))
    (export $re "counter" (type $r))
    (export "[constructor]counter" (func $f) (func (param "n" u32) (result (own $re))))
    (export "[method]counter.get" (func $g) (func (param "self" (borrow $re)) (result u32))))
  (instance $ci (instantiate $Counters
    (with "counter" (type $counter)) (with "new" (func $new)) (with "get" (func $cget))))
  (export "ns:pkg/counters" (instance $ci))
)
"""

COUNTERS = "ns:pkg/counters"  # the exported interface holding resource `counter`
HOST_IFACE = "ns:pkg/r"  # the imported interface holding host resource `bowl`

KB, MB = 1000, 1_000_000
STRING_SIZES = (("10 B", 10), ("1 KB", KB), ("100 KB", 100 * KB))
BYTES_SIZES = (("1 KB", KB), ("100 KB", 100 * KB), ("1 MB", MB))


def _bytes(size: int) -> bytes:
    return bytes(range(256)) * (size // 256) + bytes(size % 256)


@dataclass(frozen=True)
class Row:
    """A table row: a variant's method `key` called with `args`. `size` is
    the bytes a call moves (0 for scalar rows): it caps the memory run."""

    name: str
    key: str
    args: tuple[Any, ...]
    size: int = 0


def rows() -> list[Row]:
    out = [
        Row("add(s32, s32) -> s32", "add", (3, 4)),
        Row("host import double(u32) -> u32", "double", (21,)),
        Row("record of 4 fields in and out", "record", (1, 2, 3, 4)),
    ]
    out += [Row(f"string echo {label}", "string", ("x" * n,), n) for label, n in STRING_SIZES]
    out += [Row(f"list<u8> in, {label}", "bytes_in", (_bytes(n),), n) for label, n in BYTES_SIZES]
    out += [Row(f"list<u8> out, {label}", "bytes_out", (n,), n) for label, n in BYTES_SIZES]
    out += [
        Row("list<u32> of 100,000, in and out", "u32s", (list(range(100_000)),), 400_000),
        Row("option<u32> return", "option", (5,)),
        Row("variant return", "variant", (4,)),
        Row("result ok", "result", (4,)),
        Row("result err", "result", (5,)),
        Row("map<string, u32> of 1,000 entries, in and out", "map", ({f"key-{i}": i for i in range(1000)},), 64_000),
        Row("guest resource new + method + drop", "guest_resource", (3,)),
        Row("host resource method", "host_resource", (9,)),
    ]
    return out


def engine() -> Engine:
    config = Config()
    config.wasm_component_model_map = True  # the `map` row
    return Engine(config)


def export(store: Store, instance: Any, name: str, interface: str | None = None) -> Any:
    """The exported function `name` (inside `interface` if given)."""
    index = instance.get_export_index(store, interface) if interface else None
    return instance.get_func(store, instance.get_export_index(store, name, index))


class Bowl:
    """The host resource's object (every variant lends one to `peek`)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def weigh(self) -> int:
        return self.n


# ---- wasmtime-py's public API ----

class Public:
    """`Func.__call__` and `LinkerInstance.add_func` with wasmtime-py's own
    value model."""

    BOWL_ID = 77  # this variant's resource type id

    def __init__(self, engine: Engine, component: Component) -> None:
        linker = Linker(engine)
        self.bowls: dict[int, Bowl] = {}
        with linker.root() as root:
            root.add_func("double", lambda store, x: x * 2)
            with root.add_instance(HOST_IFACE) as li:
                li.add_resource("bowl", ResourceType.host(self.BOWL_ID), lambda store, rep: None)
                li.add_func("[method]bowl.weigh", lambda store, b: self.bowls[b.to_host(store).rep].n)
        self.store = Store(engine)
        self.instance = linker.instantiate(self.store, component)

    def _f(self, name: str, interface: str | None = None) -> Any:
        return export(self.store, self.instance, name, interface)

    def _call(self, name: str, *args: Any) -> Callable[[], Any]:
        f, s = self._f(name), self.store
        return lambda: f(s, *args)

    def add(self, a: int, b: int) -> Callable[[], Any]:
        fn = self._call("add", a, b)
        assert fn() == a + b
        return fn

    def double(self, x: int) -> Callable[[], Any]:
        fn = self._call("call-double", x)
        assert fn() == 2 * x
        return fn

    def record(self, *values: int) -> Callable[[], Any]:
        r = Record()
        for n, v in zip("abcd", values):
            setattr(r, n, v)
        fn = self._call("echo-rec", r)
        assert fn().d == values[3]
        return fn

    def string(self, s: str) -> Callable[[], Any]:
        fn = self._call("echo-string", s)
        assert fn() == s
        return fn

    def bytes_in(self, b: bytes) -> Callable[[], Any]:
        fn = self._call("bytes-in", b)
        assert fn() == len(b)
        return fn

    def bytes_out(self, n: int) -> Callable[[], Any]:
        fn = self._call("bytes-out", n)
        assert len(fn()) == n
        return fn

    def u32s(self, values: list[int]) -> Callable[[], Any]:
        fn = self._call("echo-u32s", values)
        assert fn() == values
        return fn

    def option(self, x: int) -> Callable[[], Any]:
        fn = self._call("maybe", x)
        assert fn() == x
        return fn

    def variant(self, x: int) -> Callable[[], Any]:
        fn = self._call("shape", x)
        assert fn().payload == x
        return fn

    def result(self, x: int) -> Callable[[], Any]:
        fn = self._call("check", x)
        fn()
        return fn

    def map(self, m: dict[str, int]) -> str:
        return "n/a"  # wasmtime-py's value model has no maps

    def guest_resource(self, n: int) -> Callable[[], Any]:
        new, get, s = self._f("[constructor]counter", COUNTERS), self._f("[method]counter.get", COUNTERS), self.store

        def fn() -> int:
            h = new(s, n)
            v = get(s, h)
            h.drop(s)
            return v  # type: ignore[no-any-return]
        assert fn() == n
        return fn

    def host_resource(self, n: int) -> Callable[[], Any]:
        peek, s, bowl_id = self._f("peek"), self.store, self.BOWL_ID
        self.bowls[1] = Bowl(n)

        def fn() -> int:
            h = ResourceHost.own(1, bowl_id).to_any(s)
            v = peek(s, h)
            h.drop(s)
            return v  # type: ignore[no-any-return]
        assert fn() == n
        return fn


# ---- the floor: wasmtime's C API through ctypes ----

class Floor:
    """Minimal ctypes calls through wasmtime's C API, one per signature."""

    BOWL_ID = 78

    def __init__(self, engine: Engine, component: Component) -> None:
        linker = Linker(engine)
        self.objects: dict[int, Bowl] = {}
        objects = self.objects
        host_out = ctypes.c_void_p()
        host_out_addr = ctypes.addressof(host_out)

        def double(ctx: int, args: int, nargs: int, results: int, nresults: int) -> None:
            pack_into("<B7xI", MEM, results, C.U32, unpack_from("<I", MEM, args + 8)[0] * 2)

        def weigh(ctx: int, args: int, nargs: int, results: int, nresults: int) -> None:
            C.resource_any_to_host(ctx, unpack_from("<Q", MEM, args + 8)[0], host_out_addr)
            rep = C.resource_host_rep(host_out.value)
            C.resource_host_delete(host_out.value)
            pack_into("<B7xI", MEM, results, C.U32, objects[rep].n)

        with linker.root() as root:
            C.add_func(root, "double", double)
            with root.add_instance(HOST_IFACE) as li:
                li.add_resource("bowl", ResourceType.host(self.BOWL_ID), lambda store, rep: None)
                C.add_func(li, "[method]bowl.weigh", weigh)
        self.store = Store(engine)
        self.instance = linker.instantiate(self.store, component)
        self.ctx = C.context(self.store)
        # The slots, by address only: kept alive here.
        self._args = (ctypes.c_char * 256)()
        self._res = (ctypes.c_char * 32)()
        self.fa, self.fr = ctypes.addressof(self._args), ctypes.addressof(self._res)
        self._keep: list[Any] = [host_out]

    def func(self, name: str, interface: str | None = None) -> int:
        """The address of an export's `wasmtime_component_func_t` (the `Func` is kept)."""
        f = export(self.store, self.instance, name, interface)
        self._keep.append(f)
        return C.func_address(f)

    @staticmethod
    def _checked(err: int) -> None:
        if err:
            raise C.take_error(err)

    def add(self, a: int, b: int) -> Callable[[], Any]:
        return self.add_on(self.store, export(self.store, self.instance, "add"), a, b)

    def add_on(self, store: Store, func: Any, a: int, b: int) -> Callable[[], Any]:
        """`add(s32, s32) -> s32` on any such export `func` of an instance in
        `store` (another component's too: bench_calls' `--guests` row)."""
        self._keep.append(func)
        ff, ctx = C.func_address(func), C.context(store)
        fa, fr, call, checked, S32 = self.fa, self.fr, C.func_call, self._checked, C.S32

        def fn() -> int:
            pack_into("<B7xi20xB7xi", MEM, fa, S32, a, S32, b)
            checked(call(ff, ctx, fa, 2, fr, 1))
            return unpack_from("<i", MEM, fr + 8)[0]  # type: ignore[no-any-return]
        assert fn() == a + b
        return fn

    def double(self, x: int) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("call-double"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> int:
            pack_into("<B7xI", MEM, fa, C.U32, x)
            checked(call(ff, fctx, fa, 1, fr, 1))
            return unpack_from("<I", MEM, fr + 8)[0]  # type: ignore[no-any-return]
        assert fn() == 2 * x
        return fn

    def record(self, *values: int) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("echo-rec"), self.ctx, self.fa, self.fr, C.func_call, self._checked
        names = [n.encode() for n in "abcd"]
        tmpl = bytearray(48 * 4)
        for i, n in enumerate(names):
            pack_into("<QQ", tmpl, 48 * i, 1, id(n) + BYTES_DATA)
        entries = (ctypes.c_char * (48 * 4)).from_buffer_copy(tmpl)
        self._keep += [names, entries]
        ea = ctypes.addressof(entries)
        p0, p1, p2, p3 = (id(n) + BYTES_DATA for n in names)

        class Rec:
            __slots__ = ("a", "b", "c", "d")

            def __init__(self, a: int, b: int, c: int, d: int) -> None:
                self.a, self.b, self.c, self.d = a, b, c, d
        r = Rec(*values)

        def fn() -> Rec:
            # (one pack: padding bytes are written too, so the names go in it)
            pack_into("<QQB7xI20xQQB7xI20xQQB7xI20xQQB7xI", MEM, ea, 1, p0, C.U32, r.a, 1, p1, C.U32, r.b,
                      1, p2, C.U32, r.c, 1, p3, C.U32, r.d)
            pack_into("<B7xQQ", MEM, fa, C.RECORD, 4, ea)
            checked(call(ff, fctx, fa, 1, fr, 1))
            p = unpack_from("<Q", MEM, fr + 16)[0]
            out = Rec(*unpack_from("<I44xI44xI44xI", MEM, p + 24))
            C.val_delete(fr)
            MEM[fr] = 0
            return out
        assert fn().d == values[3]
        return fn

    def string(self, s: str) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("echo-string"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> str:
            b = s.encode()
            pack_into("<B7xQQ", MEM, fa, C.STRING, len(b), id(b) + BYTES_DATA)
            checked(call(ff, fctx, fa, 1, fr, 1))
            size, data = unpack_from("<QQ", MEM, fr + 8)
            got = str(MEM[data:data + size], "utf-8")
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        assert fn() == s
        return fn

    def bytes_in(self, b: bytes) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("bytes-in"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> int:
            n = len(b)
            buf = (ctypes.c_char * (32 * n))()
            p = ctypes.addressof(buf)
            MEM[p:p + 32 * n:32] = bytes([C.U8]) * n
            MEM[p + 8:p + 32 * n:32] = b
            pack_into("<B7xQQ", MEM, fa, C.LIST, n, p)
            checked(call(ff, fctx, fa, 1, fr, 1))
            return unpack_from("<I", MEM, fr + 8)[0]  # type: ignore[no-any-return]
        assert fn() == len(b)
        return fn

    def bytes_out(self, n: int) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("bytes-out"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> bytes:
            pack_into("<B7xI", MEM, fa, C.U32, n)
            checked(call(ff, fctx, fa, 1, fr, 1))
            k, p = unpack_from("<QQ", MEM, fr + 8)
            got = MEM[p + 8:p + 8 + 32 * k:32].tobytes()
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        assert len(fn()) == n
        return fn

    def u32s(self, values: list[int]) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("echo-u32s"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> list[int]:
            n = len(values)
            buf = (ctypes.c_char * (32 * n))()
            p = ctypes.addressof(buf)
            MEM[p:p + 32 * n:32] = bytes([C.U32]) * n
            MEM[p + 8:p + 32 * n].cast("I")[::8] = array.array("I", values)
            pack_into("<B7xQQ", MEM, fa, C.LIST, n, p)
            checked(call(ff, fctx, fa, 1, fr, 1))
            k, q = unpack_from("<QQ", MEM, fr + 8)
            got = MEM[q + 8:q + 8 + 32 * k].cast("I")[::8].tolist()
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        assert fn() == values
        return fn

    def option(self, x: int) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("maybe"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> Any:
            pack_into("<B7xI", MEM, fa, C.U32, x)
            checked(call(ff, fctx, fa, 1, fr, 1))
            p = unpack_from("<Q", MEM, fr + 8)[0]
            got = unpack_from("<I", MEM, p + 8)[0] if p else None
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        assert fn() == x
        return fn

    def variant(self, x: int) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("shape"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        class Case:
            __slots__ = ("value",)

            def __init__(self, value: int | None = None) -> None:
                self.value = value

        class A(Case):
            __slots__ = ()

        class B(Case):
            __slots__ = ()

        class NoneCase(Case):
            __slots__ = ()
        by_name = {b"a": A, b"b": B}

        def fn() -> Any:
            pack_into("<B7xI", MEM, fa, C.U32, x)
            checked(call(ff, fctx, fa, 1, fr, 1))
            size, data, p = unpack_from("<QQQ", MEM, fr + 8)
            cls = by_name.get(MEM[data:data + size].tobytes())
            got = cls(unpack_from("<I", MEM, p + 8)[0]) if cls else NoneCase()
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        assert fn().value == x
        return fn

    def result(self, x: int) -> Callable[[], Any]:
        class Ok:
            __slots__ = ("value",)

            def __init__(self, value: int) -> None:
                self.value = value

        class Err(Ok):
            __slots__ = ()

        ff, fctx, fa, fr, call, checked = self.func("check"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> Any:
            pack_into("<B7xI", MEM, fa, C.U32, x)
            checked(call(ff, fctx, fa, 1, fr, 1))
            is_ok, p = unpack_from("<?7xQ", MEM, fr + 8)
            v = unpack_from("<I", MEM, p + 8)[0]
            got = Ok(v) if is_ok else Err(v)
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        got = fn()
        assert type(got) is (Ok if x % 2 == 0 else Err) and got.value == x
        return fn

    def map(self, m: dict[str, int]) -> Callable[[], Any]:
        ff, fctx, fa, fr, call, checked = self.func("echo-map"), self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> dict[str, int]:
            n = len(m)
            buf = (ctypes.c_char * (64 * n))()
            p = ctypes.addressof(buf)
            keep = []
            a = p
            for k, v in m.items():
                kb = k.encode()
                keep.append(kb)
                pack_into("<B7xQQ8xB7xI", MEM, a, C.STRING, len(kb), id(kb) + BYTES_DATA, C.U32, v)
                a += 64
            pack_into("<B7xQQ", MEM, fa, C.MAP, n, p)
            checked(call(ff, fctx, fa, 1, fr, 1))
            k, q = unpack_from("<QQ", MEM, fr + 8)
            got = {}
            for a in range(q, q + 64 * k, 64):
                size, data = unpack_from("<QQ", MEM, a + 8)
                got[str(MEM[data:data + size], "utf-8")] = unpack_from("<I", MEM, a + 40)[0]
            C.val_delete(fr)
            MEM[fr] = 0
            return got
        assert fn() == m
        return fn

    def guest_resource(self, n: int) -> Callable[[], Any]:
        fnew, fget = self.func("[constructor]counter", COUNTERS), self.func("[method]counter.get", COUNTERS)
        fctx, fa, fr, call, checked = self.ctx, self.fa, self.fr, C.func_call, self._checked

        def fn() -> int:
            pack_into("<B7xI", MEM, fa, C.U32, n)
            checked(call(fnew, fctx, fa, 1, fr, 1))
            h = unpack_from("<Q", MEM, fr + 8)[0]
            MEM[fr] = 0  # the handle is ours now
            pack_into("<B7xQ", MEM, fa, C.RESOURCE, h)
            checked(call(fget, fctx, fa, 1, fr, 1))
            v = unpack_from("<I", MEM, fr + 8)[0]
            checked(C.resource_any_drop(fctx, h))
            C.resource_any_delete(h)
            return v  # type: ignore[no-any-return]
        assert fn() == n
        return fn

    def host_resource(self, n: int) -> Callable[[], Any]:
        fpeek, fctx, fa, fr, call, checked = self.func("peek"), self.ctx, self.fa, self.fr, C.func_call, self._checked
        self.objects[1] = Bowl(n)
        any_out = ctypes.c_void_p()
        self._keep.append(any_out)
        any_addr, bowl_id = ctypes.addressof(any_out), self.BOWL_ID

        def fn() -> int:
            host = C.resource_host_new(True, 1, bowl_id)
            C.resource_host_to_any(fctx, host, any_addr)
            C.resource_host_delete(host)
            h = any_out.value
            pack_into("<B7xQ", MEM, fa, C.RESOURCE, h)
            checked(call(fpeek, fctx, fa, 1, fr, 1))
            v = unpack_from("<I", MEM, fr + 8)[0]
            C.resource_any_drop(fctx, h)
            C.resource_any_delete(h)
            return v  # type: ignore[no-any-return]
        assert fn() == n
        return fn


# ---- timing and the table ----

# CPU time of this process, not wall time: the machine is shared, and time
# spent descheduled is not the code's (wasm runs in-process, so it counts).
clock = time.process_time

Cell = Union[Callable[[], Any], str]  # a call, or why there is none


@dataclass(frozen=True)
class Settings:
    reps: int
    quick: bool
    memory_calls: int  # 0: no memory run
    memory_bytes: float  # cap on bytes moved per row in the memory run
    memory_seconds: float  # cap on the memory run's time per row


def brief(exc: BaseException, limit: int = 90) -> str:
    """An exception as one short table cell."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ").replace("|", "\\|")
    return "error: " + (text if len(text) <= limit else text[:limit - 1] + "…")


def make(source: Any, row: Row) -> Cell:
    """`source`'s call for `row` (a string source: that string in every row)."""
    if isinstance(source, str):
        return source
    try:
        cell: Cell = getattr(source, row.key)(*row.args)
        return cell
    except Exception as exc:  # noqa: BLE001 - one failing variant must not end the table
        return brief(exc)


def _batch(fn: Callable[[], Any], budget: float) -> int:
    """Calls per timed batch, so that a batch takes about `budget` seconds."""
    t = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t, 1e-7)
    return max(1, min(2000, int(budget / one)))


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


def time_row(cells: dict[str, Cell], reps: int, budget: float) -> dict[str, Union[float, str]]:
    """Median CPU time per call of each callable cell, the variants
    interleaved (round-robin per repetition); a call that raises becomes
    its error."""
    live = {k: c for k, c in cells.items() if callable(c)}
    out: dict[str, Union[float, str]] = {k: c for k, c in cells.items() if isinstance(c, str)}
    counts: dict[str, int] = {}
    for k, fn in list(live.items()):
        try:
            counts[k] = _batch(fn, budget)
        except Exception as exc:  # noqa: BLE001
            out[k] = brief(exc)
            del live[k]
    times: dict[str, list[float]] = {k: [] for k in live}
    for _ in range(reps):
        for k, fn in list(live.items()):
            n = counts[k]
            try:
                t = clock()
                for _ in range(n):
                    fn()
                times[k].append((clock() - t) / n)
            except Exception as exc:  # noqa: BLE001
                out[k] = brief(exc)
                del live[k]
    out.update({k: statistics.median(times[k]) for k in live})
    return out


def growth(fn: Callable[[], Any], size: int, per_call: float, s: Settings) -> str:
    """RSS growth per call over a run of calls after a warm-up, and the count."""
    calls = min(s.memory_calls, max(200, int(s.memory_bytes / max(size, 1))))
    if s.memory_seconds < float("inf"):
        calls = min(calls, max(10, int(s.memory_seconds / max(per_call, 1e-9))))
    try:
        for _ in range(min(calls // 10, 2000)):
            fn()
        gc.collect()
        before = _rss()
        for _ in range(calls):
            fn()
        gc.collect()
    except Exception as exc:  # noqa: BLE001
        return brief(exc)
    return f"{(_rss() - before) / calls:.2f} ({calls:,})"


def fmt(t: Union[float, str, None]) -> str:
    if t is None:
        return "n/a"
    if isinstance(t, str):
        return t
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.2f} µs"


def _ratio(a: Union[float, str, None], b: Union[float, str, None], digits: int) -> str:
    if isinstance(a, float) and isinstance(b, float):
        return f"{a / b:.{digits}f}x"
    return "n/a"


Sources = Union[dict[str, Any], Callable[[], dict[str, Any]]]


def table(rows: Iterable[tuple[Row, Sources]], middle: str, s: Settings) -> None:
    """Print one markdown table: per row, `public`, `middle` and `floor`
    (each a source: an object with the row's method, or a string; a
    callable gives the three when the row's turn comes), their ratios and
    the growth of `middle`. Rows are made and measured one at a time, so a
    slow or failing row shows as soon as it is done."""
    budget = 0.005 if s.quick else 0.02
    print(f"| call | public `Func.__call__` | {middle} | floor | {middle} / floor | public / {middle} | "
          f"{middle} growth, bytes/call (calls) |")
    print("|---|---|---|---|---|---|---|")
    sys.stdout.flush()
    for row, given in rows:
        sources = given() if callable(given) else given
        cells: dict[str, Cell] = {}
        for k in ("public", middle, "floor"):
            if k == "public" and s.quick and row.size >= MB:
                cells[k] = "skipped (--quick)"
            else:
                cells[k] = make(sources[k], row)
        med = time_row(cells, s.reps, budget)
        mid = med[middle]
        grew = ""
        if s.memory_calls and isinstance(mid, float):
            fn = cells[middle]
            assert callable(fn)
            grew = growth(fn, row.size, mid, s)
        print(f"| {row.name} | {fmt(med['public'])} | {fmt(mid)} | {fmt(med['floor'])} | "
              f"{_ratio(mid, med['floor'], 2)} | {_ratio(med['public'], mid, 1)} | {grew} |")
        sys.stdout.flush()
