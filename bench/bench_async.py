"""Awaited calls: guests computing in parallel on several stores, and what an
`await` costs over a plain call.

    python bench/bench_async.py [--compute-ms 200] [--reps 5] [--calls 2000]

Both through the bindings witgen generates for `WIT` below (the awaited
class, `AwaitedAsync`, and the plain one), on a component written in
component-model text (`WAT`: pure wasm, no WASI):

* **Parallel guests.** `spin(n)` loops `n` times; `n` is calibrated so that
  one call computes for about ``--compute-ms``. For N = 1, 2, 4, 8: N
  awaited calls into N stores (one worker thread each) started together
  with `asyncio.gather`. Printed: the wall time; it over the longest of the
  same N calls made one after the other (``x longest``: 1.0 is fully
  parallel) and over their sum (``x sum``: 1.0 is serial); and the process's
  CPU time over the wall time (the cores the guests had). Wasm runs without
  the GIL, so with C idle cores the best is about max(1, N / C) x longest.
* **Overhead.** `add(s32, s32)` called plainly (`world.add(store, 1, 2)`)
  and awaited (`await world_async.add(store, 1, 2)`, on a running loop:
  one hop to the store's thread and back), µs per call; and the hop
  alone, a no-op through `loop.run_in_executor` on a one-thread pool (what
  any awaited call run on another thread pays).

Each figure is the median over ``--reps`` repetitions (variants
interleaved). Wall time, so the machine's other load shows: the header
prints the cores and the load average, read the ratios with them.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime
import importlib
import os
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from wasmtime import Config, Engine, Store
from wasmtime.component import Component, Linker

ROOT = Path(__file__).resolve().parent.parent

WIT = """
package bench:awaited;

world awaited {
  /// Loops `n` times; returns a sum so the loop is not optimised away.
  export spin: func(n: u64) -> u64;
  export add: func(a: s32, b: s32) -> s32;
}
"""

WAT = """(component
  (core module $M
    (func (export "spin") (param $n i64) (result i64)
      (local $i i64) (local $acc i64)
      (block $done (loop $l
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $i) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $l)))
      (local.get $acc))
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1))))
  (core instance $m (instantiate $M))
  (alias core export $m "spin" (core func $spin))
  (alias core export $m "add" (core func $add))
  (func (export "spin") (param "n" u64) (result u64) (canon lift (core func $spin)))
  (func (export "add") (param "a" s32) (param "b" s32) (result s32) (canon lift (core func $add))))"""

COUNTS = (1, 2, 4, 8)


def generated(folder: Path) -> Any:
    """The bindings of `WIT`, generated with witgen into `folder`, imported."""
    from witgen.api import generate

    source = folder / "awaited.wit"
    source.write_text(WIT, encoding="utf-8")
    for path, text in generate(source, "import", name="bench_async_gen").files.items():
        target = folder / "out" / "bench_async_gen" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder / "out"))
    importlib.invalidate_caches()
    return importlib.import_module("bench_async_gen")


class Guests:
    """Instances of the component, each in its own store, plain and awaited."""

    def __init__(self, pkg: Any, engine: Engine, component: Component) -> None:
        self.pkg, self.engine, self.component = pkg, engine, component
        self.linker = Linker(engine)
        pkg.Awaited.add_to_linker(self.linker, wasi=False)

    async def instance(self) -> tuple[Store, Any]:
        store = Store(self.engine)
        return store, await self.pkg.AwaitedAsync.instantiate(store, self.component, self.linker)


def median(values: list[float]) -> float:
    return statistics.median(values)


async def calibrate(guests: Guests, compute_ms: float) -> int:
    """Iterations of `spin` that take about `compute_ms` (median of 3)."""
    store, world = await guests.instance()
    n = 10_000_000
    times = []
    for _ in range(3):
        start = time.perf_counter()
        await world.spin(store, n)
        times.append(time.perf_counter() - start)
    return max(1, int(n * compute_ms / 1000 / median(times)))


async def parallel(guests: Guests, n: int, reps: int) -> None:
    print(f"Parallel guests: spin({n:,}) per call, each store its own thread")
    print(f"{'N':>3}  {'wall':>9}  {'longest':>9}  {'sum':>9}  {'x longest':>9}  {'x sum':>6}  {'cores used':>10}")
    instances = [await guests.instance() for _ in range(max(COUNTS))]
    for count in COUNTS:
        rows: dict[str, list[float]] = {k: [] for k in ("wall", "longest", "sum", "x longest", "x sum", "cores")}
        for _ in range(reps):
            singles = []
            for store, world in instances[:count]:
                start = time.perf_counter()
                await world.spin(store, n)
                singles.append(time.perf_counter() - start)
            cpu, start = time.process_time(), time.perf_counter()
            await asyncio.gather(*(world.spin(store, n) for store, world in instances[:count]))
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            rows["wall"].append(wall)
            rows["longest"].append(max(singles))
            rows["sum"].append(sum(singles))
            rows["x longest"].append(wall / max(singles))
            rows["x sum"].append(wall / sum(singles))
            rows["cores"].append(cpu / wall)
        m = {k: median(v) for k, v in rows.items()}
        print(f"{count:>3}  {m['wall'] * 1000:>7.0f}ms  {m['longest'] * 1000:>7.0f}ms  {m['sum'] * 1000:>7.0f}ms  "
              f"{m['x longest']:>9.2f}  {m['x sum']:>6.2f}  {m['cores']:>10.2f}")


async def overhead(guests: Guests, calls: int, reps: int) -> None:
    store, awaited = await guests.instance()
    plain = awaited._sync  # the plain world the awaited one wraps: same store, same instance
    assert plain.add(store, 1, 2) == 3 and await awaited.add(store, 1, 2) == 3
    per_call: dict[str, list[float]] = {"plain": [], "awaited": [], "hop": []}
    loop = asyncio.get_running_loop()
    pool = concurrent.futures.ThreadPoolExecutor(1)
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(calls):
            plain.add(store, 1, 2)
        per_call["plain"].append((time.perf_counter() - start) / calls)
        start = time.perf_counter()
        for _ in range(calls):
            await awaited.add(store, 1, 2)
        per_call["awaited"].append((time.perf_counter() - start) / calls)
        start = time.perf_counter()
        for _ in range(calls):
            await loop.run_in_executor(pool, int)
        per_call["hop"].append((time.perf_counter() - start) / calls)
    pool.shutdown()
    p, a, h = median(per_call["plain"]), median(per_call["awaited"]), median(per_call["hop"])
    print(f"Overhead: add(s32, s32) -> s32, {calls:,} calls a rep")
    print(f"  plain    world.add(store, 1, 2)          {p * 1e6:8.1f} µs")
    print(f"  awaited  await world_async.add(...)      {a * 1e6:8.1f} µs  ({a / p:.1f}x, +{(a - p) * 1e6:.1f} µs)")
    print(f"  the hop  await loop.run_in_executor(...)  {h * 1e6:8.1f} µs  (a no-op on a one-thread pool)")


async def run(args: argparse.Namespace, pkg: Any) -> None:
    config = Config()
    config.epoch_interruption = True  # the awaited classes need it (cancellation)
    engine = Engine(config)
    guests = Guests(pkg, engine, Component(engine, WAT))
    n = await calibrate(guests, args.compute_ms)
    await parallel(guests, n, args.reps)
    print()
    await overhead(guests, args.calls, args.reps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compute-ms", type=float, default=200.0, help="how long one spin call computes (default 200)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions, medians printed (default 5)")
    ap.add_argument("--calls", type=int, default=2000, help="calls per repetition of the overhead rows (default 2000)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))

    import witgen_runtime

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"wasmtime {version('wasmtime')}, {now}, Python {sys.version.split()[0]}, "
          f"witgen_runtime {witgen_runtime.__version__}; {cores} cores, "
          f"load average {os.getloadavg()[0]:.1f} (before)")
    print(f"{args.reps} reps, medians of wall time")
    print()
    with tempfile.TemporaryDirectory(prefix="witgen-bench-") as tmp:
        asyncio.run(run(args, generated(Path(tmp))))
    print()
    print(f"load average {os.getloadavg()[0]:.1f} (after)")


if __name__ == "__main__":
    main()
