"""Generation speed for WASI worlds: parse + resolve, bindgen, rendering
without and with black; median of several runs, warm (in-process) and cold
(a fresh interpreter, imports included, as `witgen import` pays).

    python bench/bench_generate.py [RUNS]

Target: `wasi:http/proxy` under 2 s including black.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from witgen import bindgen  # noqa: E402
from witgen.api import plan  # noqa: E402
from witgen.loader import Loaded, load_many  # noqa: E402
from witgen.render import render_package  # noqa: E402

WASI = ROOT.parent / "shared" / "corpus" / "wasi-0.2.12"
# (world, implement_wasi): with it, every WASI interface gets Protocols and
# `add_to_linker` instead of types only, which is the most code to generate.
WORLDS = (
    ("wasi:http/proxy", False),
    ("wasi:http/proxy", True),
    ("wasi:cli/command", False),
    ("wasi:cli/command", True),
)
TARGET = 2.0  # seconds, wasi:http/proxy including black

T = TypeVar("T")

COLD = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from witgen.api import generate_from_resolve, plan
from witgen.loader import load_many
wasi = Path(sys.argv[1])
loaded = load_many(sorted(p for p in wasi.iterdir() if p.is_dir()))
built = plan(loaded.resolve, loaded.main, "import", source="wasi", world=sys.argv[2], implement_wasi=sys.argv[3] == "1")
generate_from_resolve(loaded.resolve, built)
print(time.perf_counter() - t0)
"""


def median(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def cold(world: str, implement_wasi: bool, runs: int) -> float:
    return statistics.median(
        float(
            subprocess.run(
                [sys.executable, "-c", COLD, str(WASI), world, "1" if implement_wasi else "0"],
                cwd=ROOT, capture_output=True, text=True, check=True,
            ).stdout
        )
        for _ in range(runs)
    )


def main() -> int:
    if not WASI.is_dir():
        print(f"the WASI corpus is not at {WASI}")
        return 1
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    folders = sorted(p for p in WASI.iterdir() if p.is_dir())
    warm = load_many(folders)  # and import black, fill the template cache
    render_package(bindgen.build(warm.resolve, _plan(warm, WORLDS[0][0], False)), format=True)

    print(f"median of {runs} runs, seconds; cold = a fresh interpreter, imports included")
    print(f"{'world':<36} {'parse+resolve':>13} {'bindgen':>8} {'render':>7} {'black':>7} {'total':>7} {'cold':>7}")
    missed = False
    for world, implement_wasi in WORLDS:
        resolving, loaded = median(runs, lambda: load_many(folders))
        planning, package = median(runs, lambda: bindgen.build(loaded.resolve, _plan(loaded, world, implement_wasi)))
        rendering, _ = median(runs, lambda: render_package(package, format=False))
        formatted, files = median(runs, lambda: render_package(package, format=True))
        total = resolving + planning + formatted
        fresh = cold(world, implement_wasi, max(3, runs // 2))
        lines = sum(text.count("\n") for text in files.values())
        label = f"{world}{' --implement-wasi' if implement_wasi else ''}"
        print(
            f"{label:<36} {resolving:>13.3f} {planning:>8.3f} {rendering:>7.3f} "
            f"{formatted - rendering:>7.3f} {total:>7.3f} {fresh:>7.3f}   ({len(files)} files, {lines} lines)"
        )
        missed |= world == "wasi:http/proxy" and fresh > TARGET
    print(f"target: wasi:http/proxy cold, black included, under {TARGET} s: {'MISSED' if missed else 'met'}")
    return 1 if missed else 0


def _plan(loaded: Loaded, world: str, implement_wasi: bool) -> bindgen.Plan:
    return plan(loaded.resolve, loaded.main, "import", source="wasi", world=world, implement_wasi=implement_wasi)


if __name__ == "__main__":
    sys.exit(main())
