"""Front-end speed: parse + resolve, cold and warm, and `witgen check` wall time.

    python bench/bench_frontend.py

Targets (issue 2): all of WASI 0.2.12 (~140 KB of WIT) in under 0.25 s
in-process, cold (the grammar's parse-table cache allowed); `witgen check`
on it under 0.6 s wall from a shell.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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

COLD = """
import time, sys
t0 = time.perf_counter()
from witgen.loader import load_many
t1 = time.perf_counter()
load_many(sys.argv[1:])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def wit_bytes(paths: list[Path]) -> int:
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*.wit"))]
    return sum(f.stat().st_size for f in files)


def cold(paths: list[Path], runs: int = 5) -> tuple[float, float]:
    """Median (import, parse+resolve) of fresh interpreters."""
    samples = [
        tuple(
            map(
                float,
                subprocess.run(
                    [sys.executable, "-c", COLD, *map(str, paths)],
                    cwd=ROOT, capture_output=True, text=True, check=True,
                ).stdout.split(),
            )
        )
        for _ in range(runs)
    ]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


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


def check_wall(paths: list[Path], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "witgen", "check", *map(str, paths)],
            cwd=ROOT, check=True, capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    if not WASI:
        sys.exit(f"the corpus is not at {CORPUS}")
    sys.path.insert(0, str(ROOT))
    print(f"WASI 0.2.12: {len(WASI)} packages, {wit_bytes(WASI) / 1024:.0f} KiB of WIT")
    imports, resolve = cold(WASI)
    print(f"  cold, in-process  import {imports * 1000:6.1f} ms + parse+resolve {resolve * 1000:6.1f} ms"
          f" = {(imports + resolve) * 1000:6.1f} ms   (target < 250 ms)")
    print(f"  warm, in-process  parse+resolve {warm(WASI, each=False) * 1000:6.1f} ms")
    print(f"  `witgen check`    {check_wall(WASI) * 1000:6.1f} ms wall   (target < 600 ms)")
    print(f"wit-parser-ui valid cases: {len(UI)} cases, {wit_bytes(UI) / 1024:.0f} KiB of WIT")
    print(f"  warm, in-process  parse+resolve each {warm(UI, each=True, runs=3) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
