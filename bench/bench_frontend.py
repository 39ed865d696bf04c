"""Front-end speed: parse + resolve, cold and warm, and `witgen check` wall time.

    python bench/bench_frontend.py [--runs N]

Targets (issue 2): all of WASI 0.2.12 (~140 KB of WIT) in at most 0.25 s
in-process, cold: from the first `import` of witgen in a fresh interpreter
to the end of parse + resolve (`load_many` of its package folders), the
median of fresh interpreters; `witgen check` on it under 0.6 s wall from a
shell.

"Cold" is a fresh interpreter with Python's bytecode caches (`*.pyc`, as an
installed package has them) and the parse tables beside the grammar (as
Lark's `cache=` kept them): the benchmark runs its interpreters with a
bytecode cache of its own, after one run that fills it, whatever
PYTHONDONTWRITEBYTECODE says. The figure without bytecode caches for
witgen (every module compiled from source) is printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's witgen, not an installed one
CORPUS = ROOT.parent / "shared" / "corpus"
WASI = sorted(p for p in (CORPUS / "wasi-0.2.12").iterdir() if p.is_dir())
OUT_OF_SCOPE = {"kinds-of-deps", "simple-wasm-text"}


def _ui_case(expected: Path) -> Path:
    name = expected.name.removesuffix(".wit.json")
    folder = expected.parent / name
    return folder if folder.is_dir() else expected.parent / f"{name}.wit"


def _resolves(path: Path) -> bool:
    from witgen.diagnostics import WitError
    from witgen.loader import load

    try:
        load(path, features=frozenset({"active"}))
    except WitError:
        return False
    return True


# wit-parser 1.262, which witgen follows, rejects a few cases the corpus's
# older wit-parser accepted (tests/resolve/test_conformance.py: NEWER_REJECTS).
UI = sorted(
    case
    for p in (CORPUS / "wit-parser-ui").glob("*.wit.json")
    if p.name.removesuffix(".wit.json") not in OUT_OF_SCOPE and _resolves(case := _ui_case(p))
)

# One fresh interpreter: import, then load_many, with the parse (reading,
# lexing, parsing: `parse_source` as the loader calls it) timed apart from
# the rest (resolving). Prints the three in seconds.
COLD = """
import time, sys
t0 = time.perf_counter()
import witgen.loader
from witgen.loader import load_many
t1 = time.perf_counter()
parse_source = witgen.loader.parse_source
parsing = 0.0
def timed(source):
    global parsing
    start = time.perf_counter()
    try:
        return parse_source(source)
    finally:
        parsing += time.perf_counter() - start
witgen.loader.parse_source = timed
load_many(sys.argv[1:])
t2 = time.perf_counter()
print(t1 - t0, parsing, t2 - t1 - parsing)
"""


def wit_bytes(paths: list[Path]) -> int:
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*.wit"))]
    return sum(f.stat().st_size for f in files)


def _environment(bytecode: bool, cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = cache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def cold(paths: list[Path], env: dict[str, str], runs: int) -> list[tuple[float, float, float]]:
    """(import, parse, resolve) of `runs` fresh interpreters, after one that
    fills the bytecode cache."""
    samples = []
    for _ in range(runs + 1):
        out = subprocess.run(
            [sys.executable, "-c", COLD, *map(str, paths)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        ).stdout.split()
        samples.append((float(out[0]), float(out[1]), float(out[2])))
    return samples[1:]


def _print_cold(label: str, samples: list[tuple[float, float, float]]) -> None:
    ms = [tuple(x * 1000 for x in s) for s in samples]
    total = statistics.median(sum(s) for s in ms)
    imports, parse, resolve = (statistics.median(s[i] for s in ms) for i in range(3))
    spread = sorted(sum(s) for s in ms)
    print(f"  cold, in-process, {label}: {total:6.1f} ms   (target <= 250 ms)")
    print(f"    import {imports:6.1f} + parse {parse:6.1f} + resolve {resolve:6.1f} ms (medians of {len(ms)} fresh"
          f" interpreters; totals {spread[0]:.1f} .. {spread[-1]:.1f} ms)")


def warm(paths: list[Path], each: bool, runs: int = 10) -> float:
    from witgen.loader import load, load_many

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        if each:
            for path in paths:
                load(path, features=frozenset({"active"}))
        else:
            load_many(paths)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_wall(paths: list[Path], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "witgen", "check", *map(str, paths)],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh interpreters per cold figure (default 9)")
    args = parser.parse_args()
    if not WASI:
        sys.exit(f"the corpus is not at {CORPUS}")
    print(f"WASI 0.2.12: {len(WASI)} packages, {wit_bytes(WASI) / 1024:.0f} KiB of WIT")
    with tempfile.TemporaryDirectory(prefix="witgen-bench-pyc-") as cache:
        cached = _environment(bytecode=True, cache=cache)
        _print_cold("bytecode cached", cold(WASI, cached, args.runs))
        _print_cold("no bytecode cache", cold(WASI, _environment(bytecode=False, cache=cache), args.runs))
        print(f"  warm, in-process  parse+resolve {warm(WASI, each=False) * 1000:6.1f} ms")
        print(f"  `witgen check`    {check_wall(WASI, cached, args.runs) * 1000:6.1f} ms wall   (target < 600 ms)")
    print(f"wit-parser-ui valid cases: {len(UI)} cases, {wit_bytes(UI) / 1024:.0f} KiB of WIT")
    print(f"  warm, in-process  parse+resolve each {warm(UI, each=True, runs=3) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
