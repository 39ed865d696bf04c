"""Per-call cost of typed calls (templates/runtime.py) against the raw
wasmtime-py calls they replace, measured in the same run.

    python bench/bench_calls.py [--guests] [-n 20000]

Scenarios, each raw vs typed:

* export: the host calls ``add(s32, s32) -> s32`` of a component
  (raw: ``Func.__call__``; typed: ``ExportFunc``).
* import: the host calls an export that calls a host function
  ``double(u32) -> u32`` (raw: a plain ``add_func`` callback; typed: the same
  logic through ``host_func``, with ``Func.__call__`` outside in both so only
  the import side differs).

* compound: records, strings and options crossing into and out of an export.

The components are component-model text (pure wasm, so the ratio shows the
bindings' overhead undiluted); ``--guests`` adds the componentize-py
``adder`` guest from tests/guests (built on first use).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Component, Linker

ROOT = Path(__file__).resolve().parent.parent

WAT = """
(component
  (import "double" (func $double (param "x" u32) (result u32)))
  (core func $double_lowered (canon lower (func $double)))
  (core module $m
    (import "" "double" (func $double (param i32) (result i32)))
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "via-host") (param i32) (result i32) local.get 0 call $double))
  (core instance $i (instantiate $m (with "" (instance (export "double" (func $double_lowered))))))
  (func (export "add") (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $i "add")))
  (func (export "via-host") (param "x" u32) (result u32) (canon lift (core func $i "via-host")))
)
"""


COMPOUND = """
(component
  (type $point0 (record (field "x" s32) (field "y" s32)))
  (export $point "point" (type $point0))
  (core module $m
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
    (func (export "get-point") (result i32)
      (i32.store (i32.const 16) (i32.const 1)) (i32.store (i32.const 20) (i32.const 2)) (i32.const 16))
    (func (export "put-point") (param i32 i32))
    (func (export "put-string") (param i32 i32))
    (func (export "maybe") (param i32) (result i32)
      (i32.store (i32.const 16) (i32.const 1)) (i32.store (i32.const 20) (local.get 0)) (i32.const 16)))
  (core instance $i (instantiate $m))
  (func (export "get-point") (result $point) (canon lift (core func $i "get-point") (memory $i "mem")))
  (func (export "put-point") (param "p" $point) (canon lift (core func $i "put-point")))
  (func (export "put-string") (param "s" string)
    (canon lift (core func $i "put-string") (memory $i "mem") (realloc (func $i "realloc"))))
  (func (export "maybe") (param "x" u32) (result (option u32)) (canon lift (core func $i "maybe") (memory $i "mem")))
)
"""


def load_runtime() -> Any:
    spec = importlib.util.spec_from_file_location("_witgen_runtime", ROOT / "templates" / "runtime.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _sample(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def compare(label: str, raw: Callable[[], Any], typed: Callable[[], Any], n: int, repeats: int = 7) -> None:
    """Alternate raw and typed samples (so drift hits both), report medians
    of the mean time per call in µs."""
    for fn in (raw, typed):
        _sample(fn, min(n, 1000))
    raw_samples, typed_samples = [], []
    for _ in range(repeats):
        raw_samples.append(_sample(raw, n))
        typed_samples.append(_sample(typed, n))
    r, t = statistics.median(raw_samples), statistics.median(typed_samples)
    print(f"{label:40} raw {r:7.2f} µs   typed {t:7.2f} µs   typed/raw {t / r:5.2f}")


def bench_wat(rt: Any, n: int) -> None:
    engine = Engine()
    component = Component(engine, WAT)

    def instance(double: Any) -> tuple[Store, Any]:
        linker = Linker(engine)
        with linker.root() as root:
            if isinstance(double, rt.HostFunc):
                rt.add_func(root, "double", double)
            else:
                root.add_func("double", double)
        store = Store(engine)
        return store, linker.instantiate(store, component)

    raw_double = lambda _store, x: 2 * x  # noqa: E731
    typed_double = rt.host_func(
        "double", rt.host_getter(lambda x: 2 * x, ()), lambda h, x: h(x), (("x", rt.U32),), rt.U32
    )

    store, inst = instance(raw_double)
    raw_add = inst.get_func(store, "add")
    state = rt.InstanceState(store, inst, "bench")
    typed_add = rt.ExportFunc(state, None, "add", (("a", rt.S32), ("b", rt.S32)), rt.S32)
    assert raw_add(store, 1, 2) == typed_add(1, 2) == 3
    compare("export add(s32, s32) [wat]", lambda: raw_add(store, 1, 2), lambda: typed_add(1, 2), n)

    raw_via = inst.get_func(store, "via-host")
    t_store, t_inst = instance(typed_double)
    rt.register_store(t_store)
    typed_via = t_inst.get_func(t_store, "via-host")
    assert raw_via(store, 21) == typed_via(t_store, 21) == 42
    compare("import double(u32) [wat]", lambda: raw_via(store, 21), lambda: typed_via(t_store, 21), n)

    t_state = rt.InstanceState(t_store, t_inst, "bench")
    typed_both = rt.ExportFunc(t_state, None, "via-host", (("x", rt.U32),), rt.U32)
    compare("export calling import, all typed [wat]", lambda: raw_via(store, 21), lambda: typed_both(21), n)


def bench_compound(rt: Any, n: int) -> None:
    from dataclasses import dataclass

    from wasmtime.component import Record

    @dataclass
    class Point:
        x: int
        y: int

    point_codec = rt.Record(Point, [("x", "x", rt.S32), ("y", "y", rt.S32)])
    engine = Engine()
    store = Store(engine)
    inst = Linker(engine).instantiate(store, Component(engine, COMPOUND))
    state = rt.InstanceState(store, inst, "bench")
    raw_point = Record()
    raw_point.x, raw_point.y = 1, 2
    text = "héllo, wörld " * 4

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = []
    for label, name, raw_args, params, result, typed_args in [
        ("export get-point() -> record", "get-point", (), (), point_codec, ()),
        ("export put-point(record)", "put-point", (raw_point,), (("p", point_codec),), None, (Point(1, 2),)),
        ("export put-string(string), 52 chars", "put-string", (text,), (("s", rt.STRING),), None, (text,)),
        ("export maybe(u32) -> option<u32>", "maybe", (7,), (("x", rt.U32),), rt.Option(rt.U32), (7,)),
    ]:
        raw = inst.get_func(store, name)
        typed = rt.ExportFunc(state, None, name, params, result)
        cases.append((label, (lambda f=raw, a=raw_args: f(store, *a)), (lambda f=typed, a=typed_args: f(*a))))
    for label, raw_call, typed_call in cases:
        compare(label, raw_call, typed_call, n)


def bench_guest(rt: Any, n: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from guests import build

    engine = Engine()
    component = build.load(engine, "adder")
    linker = Linker(engine)
    linker.add_wasip2()
    store = Store(engine)
    store.set_wasi(WasiConfig())
    inst = linker.instantiate(store, component)
    raw_add = inst.get_func(store, "add")
    state = rt.InstanceState(store, inst, "adder")
    typed_add = rt.ExportFunc(state, None, "add", (("a", rt.S32), ("b", rt.S32)), rt.S32)
    assert raw_add(store, 1, 2) == typed_add(1, 2) == 3
    compare("export add(s32, s32) [componentize-py]", lambda: raw_add(store, 1, 2), lambda: typed_add(1, 2), n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="calls per sample")
    parser.add_argument("--guests", action="store_true", help="also run the componentize-py adder guest")
    args = parser.parse_args()
    rt = load_runtime()
    from importlib.metadata import version

    print(f"wasmtime-py {version('wasmtime')}, Python {sys.version.split()[0]}, median of 7 x {args.n} calls")
    bench_wat(rt, args.n)
    bench_compound(rt, args.n)
    if args.guests:
        bench_guest(rt, args.n)


if __name__ == "__main__":
    main()
