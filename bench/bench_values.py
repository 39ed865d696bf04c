"""The value layer (runtime/witgen_runtime) against wasmtime-py's public API
and the C-API floor, in one process, variants interleaved, medians.

    PYTHONPATH=runtime python bench/bench_values.py [--reps 7] [--quick] [--no-memory]

Variants per row:

* ``public``: wasmtime-py's ``Func.__call__`` (and ``LinkerInstance.add_func``
  for host functions) with its own value model.
* ``layer``: ``witgen_runtime.ExportFunc`` / ``add_host_func`` with codecs.
* ``floor``: a hand-written minimal ctypes call for exactly that signature:
  preallocated slots, ``struct.pack_into`` / ``unpack_from`` at fixed
  addresses, no checks, no generality. (The bulk rows use the same strided
  copies as the layer: nothing faster is known from Python.)

Memory: RSS growth per call of the layer over up to 100,000 calls per row
(fewer for the large rows: ``--memory-bytes``, 200 MB moved per row by
default, at least 200 calls; the count is printed). The component is component-model text: pure wasm, so the Python
side shows undiluted. Times are CPU time of the process (`time.process_time`), which a shared
machine disturbs less than wall time; still, read the ratios, not the µs.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "runtime"))

from wasmtime import Config, Engine, Store  # noqa: E402
from wasmtime.component import Component, Linker, Record, ResourceHost, ResourceType, Variant  # noqa: E402

from witgen_runtime import _layer as R  # noqa: E402
from witgen_runtime import _capi as C  # noqa: E402
from witgen_runtime._capi import MEM, BYTES_DATA, pack_into, unpack_from  # noqa: E402

sys.path.insert(0, str(ROOT / "runtime" / "tests"))
from wat import MEMORY_MODULE  # noqa: E402

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
  (export $counter-e "counter" (type $counter))
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
  (func (export "new-counter") (param "n" u32) (result (own $counter-e)) (canon lift (core func $ctor)))
  (func (export "counter-get") (param "self" (borrow $counter-e)) (result u32) (canon lift (core func $get)))
  (func (export "peek") (param "b" (borrow $bowl)) (result u32) (canon lift (core func $peek)))
)
"""


class Rec:
    __slots__ = ("a", "b", "c", "d")

    def __init__(self, a: int, b: int, c: int, d: int) -> None:
        self.a, self.b, self.c, self.d = a, b, c, d


class A:
    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


class B(A):
    __slots__ = ()


class NoneCase:
    __slots__ = ()


class Bowl:
    def __init__(self, n: int) -> None:
        self.n = n


BOWL_ID = 77  # the public variant's own resource type id


class Worlds:
    """Three instances of one component: one per variant (their host
    functions differ)."""

    def __init__(self) -> None:
        config = Config()
        R.config_enable_map(config)
        self.engine = Engine(config)
        self.component = Component(self.engine, WAT)
        self.public = self._public()
        self.layer = self._layer()
        self.floor = self._floor()

    def _instance(self, linker: Linker) -> tuple[Store, Any]:
        store = Store(self.engine)
        return store, linker.instantiate(store, self.component)

    def _public(self) -> dict[str, Any]:
        linker = Linker(self.engine)
        bowls: dict[int, Bowl] = {}
        with linker.root() as root:
            root.add_func("double", lambda store, x: x * 2)
            with root.add_instance("ns:pkg/r") as li:
                li.add_resource("bowl", ResourceType.host(BOWL_ID), lambda store, rep: None)
                li.add_func("[method]bowl.weigh", lambda store, b: bowls[b.to_host(store).rep].n)
        store, inst = self._instance(linker)
        return {"store": store, "inst": inst, "bowls": bowls}

    def _layer(self) -> dict[str, Any]:
        linker = Linker(self.engine)
        self.bowl = R.HostResource("bowl")
        with linker.root() as root:
            R.add_host_func(root, "double", lambda x: x * 2, [("x", R.U32)], R.U32)
            with root.add_instance("ns:pkg/r") as li:
                R.add_host_resource(li, "bowl", self.bowl)
                R.add_host_func(li, "[method]bowl.weigh", lambda b: b.n, [("self", self.bowl.borrow)], R.U32)
        store, inst = self._instance(linker)
        return {"store": store, "inst": inst}

    def _floor(self) -> dict[str, Any]:
        linker = Linker(self.engine)
        self.floor_bowl_id = 78
        objects: dict[int, Bowl] = {}
        self.floor_objects = objects
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
            with root.add_instance("ns:pkg/r") as li:
                li.add_resource("bowl", ResourceType.host(self.floor_bowl_id), lambda store, rep: None)
                C.add_func(li, "[method]bowl.weigh", weigh)
        store, inst = self._instance(linker)
        return {"store": store, "inst": inst}


def _func(world: dict[str, Any], name: str) -> Any:
    return world["inst"].get_func(world["store"], name)


def rows(w: Worlds, quick: bool) -> list[tuple[str, dict[str, Callable[[], Any]], int]]:
    """(row name, {variant: zero-argument call}, bytes per call: the C values' size
    for the bulk rows, which caps the memory run's calls)."""
    out: list[tuple[str, dict[str, Callable[[], Any]], int]] = []
    pub, lay, flo = w.public, w.layer, w.floor
    ps, ls = pub["store"], lay["store"]
    fctx = C.context(flo["store"])

    def layer_fn(name: str, params: list, result: Any) -> Any:  # type: ignore[type-arg]
        # `.call`: the function specialised for this signature when bound
        # (what generated bindings keep).
        return R.ExportFunc(ls, _func(lay, name), name, params, result).call

    def floor_fn(name: str) -> tuple[int, Any]:
        f = _func(flo, name)
        return C.func_address(f), f

    args_buf = (ctypes.c_char * 256)()
    res_buf = (ctypes.c_char * 32)()
    fa, fr = ctypes.addressof(args_buf), ctypes.addressof(res_buf)
    call = C.func_call
    keepalive: list[Any] = [args_buf, res_buf]  # the floor's slots, by address only

    def checked(err: int) -> None:
        if err:
            raise C.take_error(err)

    # add(s32, s32)
    pf, lf, (ff, fobj) = _func(pub, "add"), layer_fn("add", [("a", R.S32), ("b", R.S32)], R.S32), floor_fn("add")
    keepalive.append(fobj)

    def floor_add(a: int = 3, b: int = 4, ff: int = ff) -> int:
        pack_into("<B7xi20xB7xi", MEM, fa, C.S32, a, C.S32, b)
        checked(call(ff, fctx, fa, 2, fr, 1))
        return unpack_from("<i", MEM, fr + 8)[0]  # type: ignore[no-any-return]
    assert pf(ps, 3, 4) == lf(3, 4) == floor_add() == 7
    out.append(("add(s32, s32) -> s32", {"public": lambda pf=pf: pf(ps, 3, 4), "layer": lambda lf=lf: lf(3, 4),
                                         "floor": floor_add}, 0))

    # host import double(u32)
    pf, lf, (ff, fobj) = _func(pub, "call-double"), layer_fn("call-double", [("x", R.U32)], R.U32), floor_fn("call-double")
    keepalive.append(fobj)

    def floor_double(x: int = 21, ff: int = ff) -> int:
        pack_into("<B7xI", MEM, fa, C.U32, x)
        checked(call(ff, fctx, fa, 1, fr, 1))
        return unpack_from("<I", MEM, fr + 8)[0]  # type: ignore[no-any-return]
    assert pf(ps, 21) == lf(21) == floor_double() == 42
    out.append(("host import double(u32)", {"public": lambda pf=pf: pf(ps, 21), "layer": lambda lf=lf: lf(21),
                                            "floor": floor_double}, 0))

    # record of 4 fields in and out
    rec_codec = R.Record(Rec, [(n, n, R.U32) for n in "abcd"])
    pf, lf, (ff, fobj) = _func(pub, "echo-rec"), layer_fn("echo-rec", [("r", rec_codec)], rec_codec), floor_fn("echo-rec")
    keepalive.append(fobj)
    names = [n.encode() for n in "abcd"]
    keepalive.append(names)
    tmpl = bytearray(48 * 4)
    for i, n in enumerate(names):
        pack_into("<QQ", tmpl, 48 * i, 1, id(n) + BYTES_DATA)
    entries = (ctypes.c_char * (48 * 4)).from_buffer_copy(tmpl)
    ea = ctypes.addressof(entries)
    n0 = 1
    p0, p1, p2, p3 = (id(n) + BYTES_DATA for n in names)
    keepalive.append(entries)

    def floor_rec(r: Rec, ff: int = ff) -> Rec:
        # (one pack: padding bytes are written too, so the names go in it)
        pack_into("<QQB7xI20xQQB7xI20xQQB7xI20xQQB7xI", MEM, ea, n0, p0, C.U32, r.a, n0, p1, C.U32, r.b,
                  n0, p2, C.U32, r.c, n0, p3, C.U32, r.d)
        pack_into("<B7xQQ", MEM, fa, C.RECORD, 4, ea)
        checked(call(ff, fctx, fa, 1, fr, 1))
        p = unpack_from("<Q", MEM, fr + 16)[0]
        out = Rec(*unpack_from("<I44xI44xI44xI", MEM, p + 24))
        C.val_delete(fr)
        MEM[fr] = 0
        return out
    prec = Record()
    for n, v in zip("abcd", (1, 2, 3, 4)):
        setattr(prec, n, v)
    r = Rec(1, 2, 3, 4)
    assert pf(ps, prec).d == lf(r).d == floor_rec(r).d == 4
    out.append(("record of 4 fields in and out", {"public": lambda pf=pf: pf(ps, prec), "layer": lambda lf=lf: lf(r),
                                                  "floor": lambda: floor_rec(r)}, 0))

    # strings
    pf, lf, (ff, fobj) = _func(pub, "echo-string"), layer_fn("echo-string", [("s", R.STRING)], R.STRING), floor_fn("echo-string")
    keepalive.append(fobj)

    def floor_string(s: str, ff: int = ff) -> str:
        b = s.encode()
        pack_into("<B7xQQ", MEM, fa, C.STRING, len(b), id(b) + BYTES_DATA)
        checked(call(ff, fctx, fa, 1, fr, 1))
        size, data = unpack_from("<QQ", MEM, fr + 8)
        got = str(MEM[data:data + size], "utf-8")
        C.val_delete(fr)
        MEM[fr] = 0
        return got
    for label, size in (("10 B", 10), ("1 KB", 1000), ("100 KB", 100_000)):
        s = "x" * size
        assert pf(ps, s) == lf(s) == floor_string(s) == s
        out.append((f"string echo {label}", {"public": lambda s=s, pf=pf: pf(ps, s), "layer": lambda s=s, lf=lf: lf(s),
                                             "floor": lambda s=s: floor_string(s)}, size))

    # list<u8> in
    pf, lf, (ff, fobj) = _func(pub, "bytes-in"), layer_fn("bytes-in", [("b", R.BYTES)], R.U32), floor_fn("bytes-in")
    keepalive.append(fobj)

    def floor_bytes_in(b: bytes, ff: int = ff) -> int:
        n = len(b)
        buf = (ctypes.c_char * (32 * n))()
        p = ctypes.addressof(buf)
        MEM[p:p + 32 * n:32] = bytes([C.U8]) * n
        MEM[p + 8:p + 32 * n:32] = b
        pack_into("<B7xQQ", MEM, fa, C.LIST, n, p)
        checked(call(ff, fctx, fa, 1, fr, 1))
        return unpack_from("<I", MEM, fr + 8)[0]  # type: ignore[no-any-return]
    sizes = (("1 KB", 1000), ("100 KB", 100_000), ("1 MB", 1_000_000))
    for label, size in sizes:
        b = bytes(range(256)) * (size // 256) + bytes(size % 256)
        if not (quick and size > 100_000):
            assert pf(ps, b) == size
        assert lf(b) == floor_bytes_in(b) == size
        variants = {"public": lambda b=b, pf=pf: pf(ps, b), "layer": lambda b=b, lf=lf: lf(b), "floor": lambda b=b: floor_bytes_in(b)}
        out.append((f"list<u8> in, {label}", variants, size))

    # list<u8> out
    pf, lf, (ff, fobj) = _func(pub, "bytes-out"), layer_fn("bytes-out", [("n", R.U32)], R.BYTES), floor_fn("bytes-out")
    keepalive.append(fobj)

    def floor_bytes_out(n: int, ff: int = ff) -> bytes:
        pack_into("<B7xI", MEM, fa, C.U32, n)
        checked(call(ff, fctx, fa, 1, fr, 1))
        k, p = unpack_from("<QQ", MEM, fr + 8)
        got = MEM[p + 8:p + 8 + 32 * k:32].tobytes()
        C.val_delete(fr)
        MEM[fr] = 0
        return got
    for label, size in sizes:
        if not (quick and size > 100_000):
            assert len(pf(ps, size)) == size
        assert len(lf(size)) == len(floor_bytes_out(size)) == size
        out.append((f"list<u8> out, {label}", {"public": lambda n=size, pf=pf: pf(ps, n), "layer": lambda n=size, lf=lf: lf(n),
                                               "floor": lambda n=size: floor_bytes_out(n)}, size))

    # list<u32> of 100,000, in and out
    pf, lf, (ff, fobj) = _func(pub, "echo-u32s"), layer_fn("echo-u32s", [("l", R.List(R.U32))], R.List(R.U32)), floor_fn("echo-u32s")
    keepalive.append(fobj)
    import array

    def floor_u32s(values: list, ff: int = ff) -> list:  # type: ignore[type-arg]
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
    u32s = list(range(100_000))
    if not quick:
        assert pf(ps, u32s) == u32s
    assert lf(u32s) == floor_u32s(u32s) == u32s
    out.append(("list<u32> of 100,000, in and out", {"public": lambda pf=pf: pf(ps, u32s), "layer": lambda lf=lf: lf(u32s),
                                                     "floor": lambda: floor_u32s(u32s)}, 400_000))

    # option<u32> return
    pf, lf, (ff, fobj) = _func(pub, "maybe"), layer_fn("maybe", [("x", R.U32)], R.Option(R.U32)), floor_fn("maybe")
    keepalive.append(fobj)

    def floor_maybe(x: int = 5, ff: int = ff) -> Any:
        pack_into("<B7xI", MEM, fa, C.U32, x)
        checked(call(ff, fctx, fa, 1, fr, 1))
        p = unpack_from("<Q", MEM, fr + 8)[0]
        got = unpack_from("<I", MEM, p + 8)[0] if p else None
        C.val_delete(fr)
        MEM[fr] = 0
        return got
    assert pf(ps, 5) == lf(5) == floor_maybe() == 5
    out.append(("option<u32> return", {"public": lambda pf=pf: pf(ps, 5), "layer": lambda lf=lf: lf(5), "floor": floor_maybe}, 0))

    # variant return
    shape = R.Variant("shape", [("a", A, R.U32), ("b", B, R.U32), ("none", NoneCase, None)])
    pf, lf, (ff, fobj) = _func(pub, "shape"), layer_fn("shape", [("x", R.U32)], shape), floor_fn("shape")
    keepalive.append(fobj)
    by_name = {b"a": A, b"b": B}

    def floor_shape(x: int = 4, ff: int = ff) -> Any:
        pack_into("<B7xI", MEM, fa, C.U32, x)
        checked(call(ff, fctx, fa, 1, fr, 1))
        size, data, p = unpack_from("<QQQ", MEM, fr + 8)
        cls = by_name.get(MEM[data:data + size].tobytes())
        got = cls(unpack_from("<I", MEM, p + 8)[0]) if cls else NoneCase()
        C.val_delete(fr)
        MEM[fr] = 0
        return got
    assert pf(ps, 4).payload == lf(4).value == floor_shape().value == 4
    out.append(("variant return", {"public": lambda pf=pf: pf(ps, 4), "layer": lambda lf=lf: lf(4), "floor": floor_shape}, 0))

    # result ok / err
    pf, lf, (ff, fobj) = _func(pub, "check"), layer_fn("check", [("x", R.U32)], R.Result(R.U32, R.U32)), floor_fn("check")
    keepalive.append(fobj)

    def floor_check(x: int, ff: int = ff) -> Any:
        pack_into("<B7xI", MEM, fa, C.U32, x)
        checked(call(ff, fctx, fa, 1, fr, 1))
        is_ok, p = unpack_from("<?7xQ", MEM, fr + 8)
        v = unpack_from("<I", MEM, p + 8)[0]
        got = R.Ok(v) if is_ok else R.Err(v)
        C.val_delete(fr)
        MEM[fr] = 0
        return got
    for label, x in (("ok", 4), ("err", 5)):
        assert lf(x) == floor_check(x)
        out.append((f"result {label}", {"public": lambda x=x, pf=pf: pf(ps, x), "layer": lambda x=x, lf=lf: lf(x),
                                        "floor": lambda x=x: floor_check(x)}, 0))

    # map of 1,000 entries
    lf, (ff, fobj) = layer_fn("echo-map", [("m", R.Map(R.STRING, R.U32))], R.Map(R.STRING, R.U32)), floor_fn("echo-map")
    keepalive.append(fobj)
    the_map = {f"key-{i}": i for i in range(1000)}

    def floor_map(m: dict, ff: int = ff) -> dict:  # type: ignore[type-arg]
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
    assert lf(the_map) == floor_map(the_map) == the_map
    out.append(("map<string, u32> of 1,000 entries", {"layer": lambda lf=lf: lf(the_map), "floor": lambda: floor_map(the_map)}, 64_000))

    # guest resource new + method + drop
    pnew, pget = _func(pub, "new-counter"), _func(pub, "counter-get")
    lnew = layer_fn("new-counter", [("n", R.U32)], R.GuestResource(False, "counter"))
    lget = layer_fn("counter-get", [("self", R.GuestResource(True, "counter"))], R.U32)
    (fnew, o1), (fget, o2) = floor_fn("new-counter"), floor_fn("counter-get")
    keepalive += [o1, o2]

    def public_res() -> int:
        h = pnew(ps, 3)
        v = pget(ps, h)
        h.drop(ps)
        return v  # type: ignore[no-any-return]

    def layer_res() -> int:
        h = lnew(3)
        v = lget(h)
        h.drop(ls)
        return v  # type: ignore[no-any-return]

    def floor_res() -> int:
        pack_into("<B7xI", MEM, fa, C.U32, 3)
        checked(call(fnew, fctx, fa, 1, fr, 1))
        h = unpack_from("<Q", MEM, fr + 8)[0]
        MEM[fr] = 0  # the handle is ours now
        pack_into("<B7xQ", MEM, fa, C.RESOURCE, h)
        checked(call(fget, fctx, fa, 1, fr, 1))
        v = unpack_from("<I", MEM, fr + 8)[0]
        checked(C.resource_any_drop(fctx, h))
        C.resource_any_delete(h)
        return v  # type: ignore[no-any-return]
    assert public_res() == layer_res() == floor_res() == 3
    out.append(("guest resource new + method + drop", {"public": public_res, "layer": layer_res, "floor": floor_res}, 0))

    # host resource method (a host object lent to an export, which calls its method)
    ppeek, lpeek, (fpeek, o3) = _func(pub, "peek"), layer_fn("peek", [("b", w.bowl.borrow)], R.U32), floor_fn("peek")
    keepalive.append(o3)
    bowl = Bowl(9)
    pub["bowls"][1] = bowl
    w.floor_objects[1] = bowl
    any_out = ctypes.c_void_p()

    def public_peek() -> int:
        h = ResourceHost.own(1, BOWL_ID).to_any(ps)
        v = ppeek(ps, h)
        h.drop(ps)
        return v  # type: ignore[no-any-return]

    def floor_peek() -> int:
        host = C.resource_host_new(True, 1, w.floor_bowl_id)
        C.resource_host_to_any(fctx, host, ctypes.addressof(any_out))
        C.resource_host_delete(host)
        h = any_out.value
        pack_into("<B7xQ", MEM, fa, C.RESOURCE, h)
        checked(call(fpeek, fctx, fa, 1, fr, 1))
        v = unpack_from("<I", MEM, fr + 8)[0]
        C.resource_any_drop(fctx, h)
        C.resource_any_delete(h)
        return v  # type: ignore[no-any-return]
    assert public_peek() == lpeek(bowl) == floor_peek() == 9
    out.append(("host resource method", {"public": public_peek, "layer": lambda: lpeek(bowl), "floor": floor_peek}, 0))
    w.keepalive = keepalive  # type: ignore[attr-defined]
    return out


# CPU time of this process, not wall time: the machine is shared, and time
# spent descheduled is not the code's (wasm runs in-process, so it counts).
clock = time.process_time


def _batch(fn: Callable[[], Any], budget: float) -> int:
    """Calls per timed batch, so that a batch takes about `budget` seconds."""
    t = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t, 1e-7)
    return max(1, min(2000, int(budget / one)))


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="short batches, skip public 1 MB rows")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--memory-calls", type=int, default=100_000)
    ap.add_argument("--memory-bytes", type=float, default=2e8,
                    help="cap on bytes moved per row in the memory run (large rows run fewer calls)")
    args = ap.parse_args()
    w = Worlds()
    table = rows(w, args.quick)
    budget = 0.005 if args.quick else 0.02
    print(f"wasmtime {C.WASMTIME_VERSION}, Python {sys.version.split()[0]}, {args.reps} interleaved reps, medians per call")
    print()
    print("| call | public `Func.__call__` | layer | floor | layer / floor | public / layer | layer growth, bytes/call (calls) |")
    print("|---|---|---|---|---|---|---|")
    for name, variants, size in table:
        if args.quick and size >= 1_000_000:
            variants = {k: v for k, v in variants.items() if k != "public"}
        counts = {k: _batch(fn, budget) for k, fn in variants.items()}
        times: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(args.reps):
            for k, fn in variants.items():
                n = counts[k]
                t = clock()
                for _ in range(n):
                    fn()
                times[k].append((clock() - t) / n)
        med = {k: statistics.median(v) for k, v in times.items()}
        growth = ""
        if not args.no_memory:
            calls = min(args.memory_calls, max(200, int(args.memory_bytes / max(size, 1))))
            fn = variants["layer"]
            for _ in range(min(calls // 10, 2000)):
                fn()
            gc.collect()
            before = _rss()
            for _ in range(calls):
                fn()
            gc.collect()
            growth = f"{(_rss() - before) / calls:.2f} ({calls:,})"
        pub = med.get("public")
        speedup = f"{pub / med['layer']:.1f}x" if pub else "n/a"
        print(f"| {name} | {_fmt(pub)} | {_fmt(med['layer'])} | {_fmt(med['floor'])} | "
              f"{med['layer'] / med['floor']:.2f}x | {speedup} | {growth} |")
        sys.stdout.flush()


def _fmt(t: float | None) -> str:
    if t is None:
        return "n/a"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.2f} µs"


if __name__ == "__main__":
    main()
