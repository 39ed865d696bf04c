"""Per-call cost of generated bindings against wasmtime-py's public API and the
C-API floor: one table, every row measured in one process.

    python bench/bench_calls.py [--quick] [--reps N] [--memory-calls N] [--guests] [--witgen CHECKOUT]

Columns per row (the component, the rows, ``public`` and ``floor`` are in
callrows.py):

* ``public``: wasmtime-py's ``Func.__call__`` (``LinkerInstance.add_func``
  for host functions) with its own value model; n/a where it cannot
  (``map``).
* ``bindings``: the package witgen generates from ``WIT`` below (written
  into a temp dir and imported), called as a user would: the world class's
  ``instantiate`` and methods, ``add_to_linker`` with host objects. A row
  the generator leaves out says ``n/a (not generated)``; a row whose
  bindings fail shows the error.
* ``floor``: a hand-written minimal ctypes call through wasmtime's C API for
  exactly that signature.

Variants are interleaved (round-robin per repetition); each cell is the
median CPU time per call (`time.process_time`: a shared machine disturbs it
less than wall time; read the ratios, not the µs). Growth: RSS growth of the
bindings per call over up to ``--memory-calls`` calls after a warm-up
(fewer for the large or slow rows; the count is printed). Targets:
bindings <= 1.3x the floor on every row, 0 bytes/call.

The component is component-model text (pure wasm, so the Python side shows
undiluted); ``--guests`` adds a row for ``add`` on the componentize-py
``adder`` guest from tests/guests (built and cached on first use, WASI and
a CPython in the guest: the ratios shrink accordingly).
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent

from wasmtime import Engine, Store, WasiConfig  # noqa: E402
from wasmtime.component import Component, Linker  # noqa: E402

import callrows  # noqa: E402
from callrows import Bowl, Row  # noqa: E402

# The world callrows.WAT implements (its interface names are the WAT's).
WIT = """
package ns:pkg;

interface r {
  resource bowl {
    weigh: func() -> u32;
  }
}

interface counters {
  resource counter {
    constructor(n: u32);
    get: func() -> u32;
  }
}

world calls {
  import double: func(x: u32) -> u32;
  import r;
  use r.{bowl};

  record rec-t { a: u32, b: u32, c: u32, d: u32 }
  variant shape-t { a(u32), b(u32), none }

  export counters;
  export add: func(a: s32, b: s32) -> s32;
  export call-double: func(x: u32) -> u32;
  export echo-rec: func(r: rec-t) -> rec-t;
  export echo-string: func(s: string) -> string;
  export bytes-in: func(b: list<u8>) -> u32;
  export bytes-out: func(n: u32) -> list<u8>;
  export echo-u32s: func(l: list<u32>) -> list<u32>;
  export maybe: func(x: u32) -> option<u32>;
  export shape: func(x: u32) -> shape-t;
  export check: func(x: u32) -> result<u32, u32>;
  export echo-map: func(m: map<string, u32>) -> map<string, u32>;
  export peek: func(b: borrow<bowl>) -> u32;
}
"""

ADDER_WIT = ROOT / "fixtures" / "adder.wit"


def generated(wit: str | Path, package: str, folder: Path) -> Any:
    """Generate bindings with witgen into `folder` and import them."""
    from witgen.api import generate

    source = wit if isinstance(wit, Path) else folder / f"{package}.wit"
    if not isinstance(wit, Path):
        source.write_text(wit, encoding="utf-8")
    for path, text in generate(source, "import", name=package).files.items():
        target = folder / "out" / package / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if str(folder / "out") not in sys.path:
        sys.path.insert(0, str(folder / "out"))
    importlib.invalidate_caches()
    return importlib.import_module(package)


class Imports:
    def double(self, x: int) -> int:
        return 2 * x


class RHost:
    """The host of interface `r`: the class implementing resource `bowl`."""

    Bowl = Bowl


class Bindings:
    """The generated package, used as its README says."""

    def __init__(self, pkg: Any, engine: Engine, component: Component) -> None:
        self.pkg = pkg
        linker = Linker(engine)
        pkg.Calls.add_to_linker(linker, r=RHost(), imports=Imports())
        self.store = Store(engine)
        self.world = pkg.Calls.instantiate(self.store, component, linker)

    def add(self, a: int, b: int) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.add(s, a, b) == a + b
        return lambda: w.add(s, a, b)

    def double(self, x: int) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.call_double(s, x) == 2 * x
        return lambda: w.call_double(s, x)

    def record(self, *values: int) -> Callable[[], Any]:
        w, s, r = self.world, self.store, self.pkg.RecT(*values)
        assert w.echo_rec(s, r) == r
        return lambda: w.echo_rec(s, r)

    def string(self, text: str) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.echo_string(s, text) == text
        return lambda: w.echo_string(s, text)

    def bytes_in(self, b: bytes) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.bytes_in(s, b) == len(b)
        return lambda: w.bytes_in(s, b)

    def bytes_out(self, n: int) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert len(w.bytes_out(s, n)) == n
        return lambda: w.bytes_out(s, n)

    def u32s(self, values: list[int]) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.echo_u32s(s, values) == values
        return lambda: w.echo_u32s(s, values)

    def option(self, x: int) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.maybe(s, x) == x
        return lambda: w.maybe(s, x)

    def variant(self, x: int) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.shape(s, x).value == x
        return lambda: w.shape(s, x)

    def result(self, x: int) -> Callable[[], Any]:
        # `check` returns the ok value and raises `Err` with the error.
        w, s, Err = self.world, self.store, self.pkg.Err

        def fn() -> Any:
            try:
                return w.check(s, x)
            except Err as err:
                return err
        got = fn()
        assert (got == x) if x % 2 == 0 else (isinstance(got, Err) and got.value == x)
        return fn

    def map(self, m: dict[str, int]) -> Callable[[], Any] | str:
        w, s = self.world, self.store
        if not hasattr(w, "echo_map"):
            return "n/a (not generated)"
        assert w.echo_map(s, m) == m
        return lambda: w.echo_map(s, m)

    def guest_resource(self, n: int) -> Callable[[], Any]:
        counters, s, Counter = self.world.counters, self.store, self.pkg.counters.Counter

        def fn() -> int:
            c = Counter(counters, s, n)
            v: int = c.get(s)
            c.drop(s)
            return v
        assert fn() == n
        return fn

    def host_resource(self, n: int) -> Callable[[], Any]:
        w, s, bowl = self.world, self.store, Bowl(n)
        assert w.peek(s, bowl) == n
        return lambda: w.peek(s, bowl)


def adder_instance(engine: Engine, component: Component) -> tuple[Store, Any]:
    """A store and the adder guest's `add`, with wasmtime-py's own WASI."""
    linker = Linker(engine)
    linker.add_wasip2()
    store = Store(engine)
    store.set_wasi(WasiConfig())
    func = linker.instantiate(store, component).get_func(store, "add")
    assert func is not None
    return store, func


class GuestPublic:
    """`add` of the componentize-py adder through `Func.__call__`."""

    def __init__(self, engine: Engine, component: Component) -> None:
        self.store, self.func = adder_instance(engine, component)

    def add(self, a: int, b: int) -> Callable[[], Any]:
        f, s = self.func, self.store
        assert f(s, a, b) == a + b
        return lambda: f(s, a, b)


class GuestBindings:
    def __init__(self, pkg: Any, engine: Engine, component: Component) -> None:
        linker = Linker(engine)
        pkg.Adder.add_to_linker(linker)
        self.store = Store(engine)
        self.world = pkg.Adder.instantiate(self.store, component, linker)

    def add(self, a: int, b: int) -> Callable[[], Any]:
        w, s = self.world, self.store
        assert w.add(s, a, b) == a + b
        return lambda: w.add(s, a, b)


class GuestFloor:
    """The floor's `add`, on an adder instance of its own."""

    def __init__(self, floor: callrows.Floor, engine: Engine, component: Component) -> None:
        self.floor = floor
        self.store, self.func = adder_instance(engine, component)

    def add(self, a: int, b: int) -> Callable[[], Any]:
        return self.floor.add_on(self.store, self.func, a, b)


def attempt(make: Callable[[], Any]) -> Any:
    """`make()`, or its error as the text of every cell it would fill."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - the table goes on
        return callrows.brief(exc)


def guest_sources(floor: callrows.Floor, folder: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "tests"))
    from guests import build

    engine = Engine()  # the default Config: the cached compiled guest fits it
    component = attempt(lambda: build.load(engine, "adder"))
    if isinstance(component, str):
        return {"public": component, "bindings": component, "floor": component}
    return {
        "public": attempt(lambda: GuestPublic(engine, component)),
        "bindings": attempt(lambda: GuestBindings(generated(ADDER_WIT, "bench_calls_adder", folder), engine, component)),
        "floor": attempt(lambda: GuestFloor(floor, engine, component)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="short batches, 3 reps, 20,000 memory calls (3 s per row at most), public 1 MB rows skipped")
    ap.add_argument("--reps", type=int, help="interleaved repetitions (default 7, --quick 3)")
    ap.add_argument("--memory-calls", type=int, help="calls per row in the memory run (default 100,000, --quick 20,000)")
    ap.add_argument("--memory-bytes", type=float, default=2e8,
                    help="cap on bytes moved per row in the memory run (large rows run fewer calls)")
    ap.add_argument("--memory-seconds", type=float,
                    help="cap on the memory run's time per row (default 30, --quick 3)")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--guests", action="store_true", help="add a row for the componentize-py adder guest")
    ap.add_argument("--witgen", type=Path, default=ROOT,
                    help="the checkout whose generator makes the bindings (default: this one; "
                         "the runtime is whichever witgen_runtime is installed)")
    args = ap.parse_args()
    sys.path.insert(0, str(args.witgen.resolve()))
    reps = args.reps or (3 if args.quick else 7)
    memory_calls = 0 if args.no_memory else args.memory_calls or (20_000 if args.quick else 100_000)
    memory_seconds = args.memory_seconds or (3.0 if args.quick else 30.0)
    settings = callrows.Settings(reps, args.quick, memory_calls, args.memory_bytes, memory_seconds)

    import witgen
    import witgen_runtime

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"wasmtime {version('wasmtime')}, {now}, Python {sys.version.split()[0]}, "
          f"witgen from {Path(witgen.__file__).parent.parent}, "
          f"witgen_runtime {witgen_runtime.__version__} from {Path(witgen_runtime.__file__).parent.parent}")
    memory = (f"up to {memory_calls:,} calls a row, at most {args.memory_bytes / 1e6:g} MB moved and "
              f"{memory_seconds:g} s" if memory_calls else "not measured")
    print(f"{reps} interleaved reps, medians of CPU time per call{', --quick' if args.quick else ''}; "
          f"bindings growth: {memory}")
    print()

    engine = callrows.engine()
    component = Component(engine, callrows.WAT)
    floor = callrows.Floor(engine, component)
    with tempfile.TemporaryDirectory(prefix="witgen-bench-") as tmp:
        folder = Path(tmp)
        bindings = attempt(lambda: Bindings(generated(WIT, "bench_calls_gen", folder), engine, component))
        sources = {"public": callrows.Public(engine, component), "bindings": bindings, "floor": floor}
        table: list[Any] = [(row, sources) for row in callrows.rows()]
        if args.guests:
            table.append((Row("add(s32, s32) -> s32, componentize-py guest", "add", (3, 4)),
                          lambda: guest_sources(floor, folder)))
        callrows.table(table, "bindings", settings)


if __name__ == "__main__":
    main()
