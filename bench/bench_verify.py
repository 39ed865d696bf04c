"""What checking a component against its world costs before `instantiate`.

    python bench/bench_verify.py [--reps 60]

Generated `instantiate` compares the component's type with the world the
bindings were made for (`witgen_runtime.differences`, docs/design/verify.md)
and remembers a match, so a component instantiated again and again pays
once. Measured on the suite's componentize-py guests (tests/guests, built
and cached on first use): `kv-store` (a small world with a resource) and
`coverage` (every kind of value, about a hundred functions). For each, the
median over ``--reps`` fresh world shapes of

* **first**: the whole comparison with nothing cached (the expected-world
  text parsed, the component's function types read through the C API);
* **again**: the same shape compared again (its text already parsed; the
  component's types read again, as `witgen verify` would on a new engine).

Wall time on a shared machine: the header prints the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from guests import build as guests  # noqa: E402

GUESTS = {"kv-store": REPO / "fixtures" / "kv-store", "coverage": REPO / "tests" / "guests" / "coverage" / "wit"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=60)
    args = parser.parse_args()

    from wasmtime import Engine

    import witgen_runtime as rt
    from witgen.bindgen.world_shape import world_shape
    from witgen.loader import load_many
    from witgen.verification import runtime_shape, world_name

    print(f"wasmtime {rt.WASMTIME_VERSION}, load average {os.getloadavg()[0]:.2f}, medians of {args.reps}")
    engine = Engine()
    for name, wit in GUESTS.items():
        component = guests.load(engine, name)
        loaded = load_many([wit])
        world = loaded.resolve.select_world(loaded.main, None)
        expected = world_shape(loaded.resolve, world, world_name(loaded.resolve, world), lambda _: True)
        first, again = [], []
        for _ in range(args.reps):
            shape = runtime_shape(expected)
            start = time.perf_counter()
            found = rt.differences(engine, component, shape)
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            rt.differences(engine, component, shape)
            again.append(time.perf_counter() - start)
            assert found == [], found
        print(f"  {name:9} first {statistics.median(first) * 1e3:6.2f} ms   again {statistics.median(again) * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
