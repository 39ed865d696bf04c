"""The value layer (runtime/witgen_runtime) against wasmtime-py's public API
and the C-API floor, in one process, variants interleaved, medians.

    PYTHONPATH=runtime python bench/bench_values.py [--reps 7] [--quick] [--no-memory]

Variants per row (the component, the rows, ``public`` and ``floor`` are
shared with bench_calls.py, in callrows.py):

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
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "runtime"))

from wasmtime import Engine, Store  # noqa: E402
from wasmtime.component import Component, Linker  # noqa: E402

from witgen_runtime import _layer as R  # noqa: E402
from witgen_runtime import _capi as C  # noqa: E402

import callrows  # noqa: E402
from callrows import COUNTERS, HOST_IFACE, Bowl, export  # noqa: E402


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


class Layer:
    """`ExportFunc(...).call` (the function specialised for the signature when
    bound: what generated bindings will keep) and `add_host_func`."""

    def __init__(self, engine: Engine, component: Component) -> None:
        linker = Linker(engine)
        self.bowl = R.HostResource("bowl")
        with linker.root() as root:
            R.add_host_func(root, "double", lambda x: x * 2, [("x", R.U32)], R.U32)
            with root.add_instance(HOST_IFACE) as li:
                R.add_host_resource(li, "bowl", self.bowl)
                R.add_host_func(li, "[method]bowl.weigh", lambda b: b.n, [("self", self.bowl.borrow)], R.U32)
        self.store = Store(engine)
        self.instance = linker.instantiate(self.store, component)

    def _fn(self, name: str, params: list, result: Any, interface: str | None = None) -> Any:  # type: ignore[type-arg]
        func = export(self.store, self.instance, name, interface)
        return R.ExportFunc(self.store, func, name, params, result).call

    def add(self, a: int, b: int) -> Callable[[], Any]:
        f = self._fn("add", [("a", R.S32), ("b", R.S32)], R.S32)
        assert f(a, b) == a + b
        return lambda: f(a, b)

    def double(self, x: int) -> Callable[[], Any]:
        f = self._fn("call-double", [("x", R.U32)], R.U32)
        assert f(x) == 2 * x
        return lambda: f(x)

    def record(self, *values: int) -> Callable[[], Any]:
        codec = R.Record(Rec, [(n, n, R.U32) for n in "abcd"])
        f, r = self._fn("echo-rec", [("r", codec)], codec), Rec(*values)
        assert f(r).d == values[3]
        return lambda: f(r)

    def string(self, s: str) -> Callable[[], Any]:
        f = self._fn("echo-string", [("s", R.STRING)], R.STRING)
        assert f(s) == s
        return lambda: f(s)

    def bytes_in(self, b: bytes) -> Callable[[], Any]:
        f = self._fn("bytes-in", [("b", R.BYTES)], R.U32)
        assert f(b) == len(b)
        return lambda: f(b)

    def bytes_out(self, n: int) -> Callable[[], Any]:
        f = self._fn("bytes-out", [("n", R.U32)], R.BYTES)
        assert len(f(n)) == n
        return lambda: f(n)

    def u32s(self, values: list[int]) -> Callable[[], Any]:
        f = self._fn("echo-u32s", [("l", R.List(R.U32))], R.List(R.U32))
        assert f(values) == values
        return lambda: f(values)

    def option(self, x: int) -> Callable[[], Any]:
        f = self._fn("maybe", [("x", R.U32)], R.Option(R.U32))
        assert f(x) == x
        return lambda: f(x)

    def variant(self, x: int) -> Callable[[], Any]:
        shape = R.Variant("shape", [("a", A, R.U32), ("b", B, R.U32), ("none", NoneCase, None)])
        f = self._fn("shape", [("x", R.U32)], shape)
        assert f(x).value == x
        return lambda: f(x)

    def result(self, x: int) -> Callable[[], Any]:
        f = self._fn("check", [("x", R.U32)], R.Result(R.U32, R.U32))
        assert f(x) == (R.Ok(x) if x % 2 == 0 else R.Err(x))
        return lambda: f(x)

    def map(self, m: dict[str, int]) -> Callable[[], Any]:
        codec = R.Map(R.STRING, R.U32)
        f = self._fn("echo-map", [("m", codec)], codec)
        assert f(m) == m
        return lambda: f(m)

    def guest_resource(self, n: int) -> Callable[[], Any]:
        new = self._fn("[constructor]counter", [("n", R.U32)], R.GuestResource(False, "counter"), COUNTERS)
        get = self._fn("[method]counter.get", [("self", R.GuestResource(True, "counter"))], R.U32, COUNTERS)
        s = self.store

        def fn() -> int:
            h = new(n)
            v = get(h)
            h.drop(s)
            return v  # type: ignore[no-any-return]
        assert fn() == n
        return fn

    def host_resource(self, n: int) -> Callable[[], Any]:
        f, bowl = self._fn("peek", [("b", self.bowl.borrow)], R.U32), Bowl(n)
        assert f(bowl) == n
        return lambda: f(bowl)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="short batches, skip public 1 MB rows")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--memory-calls", type=int, default=100_000)
    ap.add_argument("--memory-bytes", type=float, default=2e8,
                    help="cap on bytes moved per row in the memory run (large rows run fewer calls)")
    args = ap.parse_args()
    engine = callrows.engine()
    component = Component(engine, callrows.WAT)
    sources = {"public": callrows.Public(engine, component), "layer": Layer(engine, component),
               "floor": callrows.Floor(engine, component)}
    settings = callrows.Settings(args.reps, args.quick, 0 if args.no_memory else args.memory_calls,
                                 args.memory_bytes, float("inf"))
    print(f"wasmtime {C.WASMTIME_VERSION}, Python {sys.version.split()[0]}, {args.reps} interleaved reps, medians per call")
    print()
    callrows.table(((row, sources) for row in callrows.rows()), "layer", settings)


if __name__ == "__main__":
    main()
