"""Hostile and huge WIT: does witgen finish, cleanly, and how fast?

    python bench/bench_hostile.py [--scale 1.0] [--timeout 60] [--only NAME] [--witgen CHECKOUT]

Each case is generated into a temp dir (tests/hostile_inputs.py) and run
through the CLI in a fresh interpreter with bounded memory (1.5 GiB) and a
timeout: `witgen check`, then `witgen import --no-format` where the input
is valid (black, linear but slow on huge modules, is left out). Per case it prints the input size, the exit status, whether it
crashed (a traceback, a signal, a timeout), the bytes printed to stderr and
the wall time. The sizes are far beyond real WIT; `--scale` multiplies
them (1.0 is what the figures in the issue report were measured at).
"""

from __future__ import annotations

import argparse
import os
import resource
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile_inputs as h  # noqa: E402

MEMORY = 1536 * 1024 * 1024


@dataclass
class Case:
    name: str
    make: Callable[[Path, float], Path]  # writes the input under a dir, returns the path to pass
    generate: bool = True  # also run `witgen import`
    options: tuple[str, ...] = ()  # for `witgen import`
    direction: str = "import"  # or "export": a legacy file has no world


def _file(text: Callable[[float], str]) -> Callable[[Path, float], Path]:
    def make(root: Path, scale: float) -> Path:
        path = root / "input.wit"
        path.write_text(text(scale))
        return path

    return make


def _n(base: int, scale: float) -> int:
    return max(2, int(base * scale))


def _fifo_dep(root: Path, scale: float) -> Path:
    (root / "deps").mkdir()
    os.mkfifo(root / "deps" / "pipe.wit")
    (root / "main.wit").write_text("package hostile:fifo;\n\nworld w {}\n")
    return root


def _zero_dep(root: Path, scale: float) -> Path:
    (root / "deps").mkdir()
    (root / "deps" / "zero.wit").symlink_to("/dev/zero")
    (root / "main.wit").write_text("package hostile:zero;\n\nworld w {}\n")
    return root


def _bad_utf8(root: Path, scale: float) -> Path:
    path = root / "input.wit"
    path.write_bytes(b"package a:b;\n\ninterface i {\n  // caf\xe9\n}\n")
    return path


def _legacy_chain(root: Path, scale: float) -> Path:
    return h.legacy_star_chain(root / "legacy", _n(3000, scale))


CASES = [
    Case("type-chain", _file(lambda s: h.type_chain(_n(3000, s)))),
    Case("alias-chain", _file(lambda s: h.alias_chain(_n(3000, s)))),
    Case("interface-chain", _file(lambda s: h.interface_chain(_n(3000, s)))),
    Case("export-chain", _file(lambda s: h.export_chain(_n(2000, s)))),
    # Each world holds every one before it: quadratic by WIT's semantics.
    Case("include-chain", _file(lambda s: h.include_chain(_n(300, s))), options=("--world", "w1")),
    Case("deps-chain", lambda root, s: h.deps_chain(root / "pkg", _n(2000, s))),
    Case("legacy-star-chain", _legacy_chain, direction="export"),
    Case("deep-record", _file(lambda s: h.deep_types("record"))),
    Case("deep-tuple", _file(lambda s: h.deep_types("tuple"))),
    Case("deep-variant", _file(lambda s: h.deep_types("variant"))),
    Case("deep-result-40", _file(lambda s: h.deep_types("result", depth=_n(40, s), width=2))),
    Case("deep-resource-40", _file(lambda s: h.deep_resource_types(_n(40, s)))),
    Case("params-10k", _file(lambda s: h.many_params(_n(10_000, s)))),
    Case("params-50k", _file(lambda s: h.many_params(_n(50_000, s))), generate=False),
    Case("functions-5k", _file(lambda s: h.many_functions(_n(5_000, s)))),
    Case("functions-50k", _file(lambda s: h.many_functions(_n(50_000, s)))),
    Case("world-functions-5k", _file(lambda s: h.world_functions(_n(5_000, s)))),
    Case("resources-3k", _file(lambda s: h.many_resources(_n(3_000, s)))),
    Case("include-renames-10k", _file(lambda s: h.include_with_renames(_n(10_000, s))), options=("--world", "w")),
    Case("name-collisions-8k", _file(lambda s: h.case_variants(13)), generate=False),
    Case("misspellings-4k", _file(lambda s: h.misspelt_names(_n(4000, s))), generate=False),
    Case("errors-one-line", _file(lambda s: h.errors_on_one_line(_n(2000, s))), generate=False),
    Case("fifo-in-deps", _fifo_dep, generate=False),
    Case("dev-zero-in-deps", _zero_dep, generate=False),
    Case("bad-utf8", _bad_utf8, generate=False),
]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.lstat().st_size for p in path.rglob("*") if stat.S_ISREG(p.lstat().st_mode))
    return path.stat().st_size


def run(argv: list[str], timeout: float, root: Path = ROOT) -> tuple[str, bool, int, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "witgen", *argv],
            cwd=root, env=env, capture_output=True, timeout=timeout, preexec_fn=_limit,
        )
    except subprocess.TimeoutExpired as expired:
        return "timeout", True, len(expired.stderr or b""), time.perf_counter() - start
    elapsed = time.perf_counter() - start
    crashed = done.returncode not in (0, 1, 2) or b"Traceback" in done.stderr
    return str(done.returncode), crashed, len(done.stderr), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--witgen", type=Path, default=ROOT, help="the checkout to run (to compare with another)")
    args = parser.parse_args()
    print(f"{'case':<20} {'command':<7} {'input':>10} {'exit':>7} {'crash':>5} {'stderr':>9} {'time':>8}")
    crashes = 0
    longest = (0.0, "")
    for case in CASES:
        if args.only and case.name not in args.only:
            continue
        with tempfile.TemporaryDirectory(prefix="witgen-hostile-") as tmp:
            path = case.make(Path(tmp), args.scale)
            size = _size(Path(tmp))
            commands = [["check", str(path)]]
            if case.generate:
                out = str(Path(tmp) / "out")
                commands.append([case.direction, str(path), "-o", out, "--no-format", *case.options])
            for argv in commands:
                code, crashed, stderr, elapsed = run(argv, args.timeout, args.witgen)
                crashes += crashed
                longest = max(longest, (elapsed, f"{case.name} {argv[0]}"))
                print(
                    f"{case.name:<20} {argv[0]:<7} {size:>10,} {code:>7} {'YES' if crashed else 'no':>5} "
                    f"{stderr:>9,} {elapsed:>7.2f}s",
                    flush=True,
                )
    print(f"\ncrashes: {crashes}; longest: {longest[1]} {longest[0]:.2f}s")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
