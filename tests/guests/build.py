"""Build the guest components the end-to-end tests run, once per machine.

Each guest is a WIT package, a world and a Python app under
``tests/guests/<name>/``; componentize-py turns them into a component
(≈ 18 MB, ≈ 6 s). Compiling that component takes ≈ 3.5 s more, so both the
``.wasm`` and wasmtime's serialized compiled artifact are cached:

    <cache>/<key>.wasm     key = hash(inputs, componentize-py version)
    <cache>/<key>-<wasmtime version>-<machine>.cwasm

and loading a cached guest is ``Component.deserialize_file`` (≈ 2 ms).
The cache lives in ``.cache/guests/`` at the repository root unless
``WITGEN_GUEST_CACHE`` names another directory. Guests written directly in
component-model text (``<name>/<name>.wat``, for what componentize-py cannot
build) go through the same cache, keyed by the text.

Usage::

    python tests/guests/build.py            # build every guest, in parallel
    python tests/guests/build.py adder kv-store
    python tests/guests/build.py --clean    # and drop files of older inputs

This module depends only on the standard library and wasmtime so that it can
run as a script, from pytest (``guests.build``) and in CI before the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import wasmtime
    import wasmtime.component

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# Bump when the build procedure changes in a way the inputs do not show.
BUILD_FORMAT = "1"


@dataclass(frozen=True)
class Guest:
    """One guest component: where its WIT and app live, and which world."""

    name: str
    world: str
    wit: Path  # a .wit file or a directory of them
    app: str = "app"  # Python module of the app, inside the guest's folder

    @property
    def folder(self) -> Path:
        return HERE / self.name

    @property
    def wat(self) -> Path:
        return self.folder / f"{self.name}.wat"


FIXTURES = REPO / "fixtures"

GUESTS: dict[str, Guest] = {
    g.name: g
    for g in [
        # The repository's shared fixtures, where they are modern WIT.
        Guest("adder", "adder", FIXTURES / "adder.wit"),
        Guest("interfaced-adder", "interfaced-adder", FIXTURES / "interfaced-adder.wit"),
        Guest("kv-store", "kv-store", FIXTURES / "kv-store"),
        # fixtures/cache.wit is the 2022 syntax (`function`, `expected`);
        # this is its migrated form (package wasi-mindmap:cache) and a world.
        Guest("cache", "cache-user", HERE / "cache" / "cache.wit"),
        Guest("coverage", "coverage", HERE / "coverage" / "wit"),
        # Component-model text: no WIT, no app, no WASI.
        Guest("host-resource", "", HERE / "host-resource" / "host-resource.wat"),
        Guest("names", "", HERE / "names" / "names.wat"),
        Guest("wasi-http", "", HERE / "wasi-http" / "wasi-http.wat"),
    ]
}


def cache_dir() -> Path:
    override = os.environ.get("WITGEN_GUEST_CACHE")
    return Path(override) if override else REPO / ".cache" / "guests"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "none"


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def _digest(guest: Guest) -> str:
    """Hash of everything the .wasm depends on."""
    h = hashlib.sha256()
    h.update(f"format={BUILD_FORMAT}\n".encode())
    if guest.wat.exists():
        inputs = [guest.wat]
    else:
        h.update(f"componentize-py={_version('componentize-py')}\n".encode())
        h.update(f"world={guest.world}\napp={guest.app}\n".encode())
        app_files = [p for p in _files(guest.folder) if p.suffix == ".py"]
        inputs = _files(guest.wit) + app_files
    for path in inputs:
        rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        h.update(rel.as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:24]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialize builds of one key across processes (pytest-xdist, CI)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: builds may race; writes stay atomic.
        yield
        return
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _componentize(guest: Guest, out: Path) -> None:
    exe = shutil.which("componentize-py")
    if exe is None:
        raise RuntimeError(
            "componentize-py is not installed; `pip install componentize-py==0.25.1` "
            "(it is in the `test` extra)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        # Copy the app so componentize-py's generated bindings and caches
        # never land in the source tree.
        src = Path(tmp) / "app"
        shutil.copytree(guest.folder, src, ignore=shutil.ignore_patterns("__pycache__", "*.wit", "*.wat", "wit"))
        wasm = Path(tmp) / "out.wasm"
        cmd = [
            exe, "-q", "-d", str(guest.wit), "-w", guest.world,
            "componentize", guest.app, "-p", str(src), "-o", str(wasm),
        ]
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        proc = subprocess.run(cmd, cwd=src, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(
                f"componentize-py failed for guest {guest.name!r}:\n"
                f"$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
            )
        _atomic_write(out, wasm.read_bytes())


def wasm_path(name: str) -> Path:
    """The guest's component binary, built if it is not cached yet."""
    guest = GUESTS[name]
    key = f"{name}-{_digest(guest)}"
    out = cache_dir() / f"{key}.wasm"
    if out.exists():
        return out
    with _locked(cache_dir() / f"{key}.lock"):
        if not out.exists():
            if guest.wat.exists():
                from wasmtime import wat2wasm

                _atomic_write(out, bytes(wat2wasm(guest.wat.read_text())))
            else:
                _componentize(guest, out)
    return out


def compiled_path(name: str) -> Path:
    """The guest compiled for this machine's wasmtime with a default Config."""
    import wasmtime
    from wasmtime.component import Component

    wasm = wasm_path(name)
    tag = f"wasmtime{_version('wasmtime')}-{platform.machine()}-{sys.platform}"
    out = wasm.with_name(f"{wasm.stem}-{tag}.cwasm")
    if out.exists():
        return out
    with _locked(out.with_suffix(".lock")):
        if not out.exists():
            component = Component.from_file(wasmtime.Engine(), wasm)
            _atomic_write(out, bytes(component.serialize()))
    return out


def load(engine: wasmtime.Engine, name: str) -> wasmtime.component.Component:
    """Load a guest for ``engine``; it must use the default ``Config``."""
    from wasmtime.component import Component

    return Component.deserialize_file(engine, str(compiled_path(name)))


def clean() -> int:
    """Delete cached files no current guest uses; returns how many."""
    keep = {f"{name}-{_digest(guest)}" for name, guest in GUESTS.items()}
    removed = 0
    if cache_dir().is_dir():
        for path in cache_dir().iterdir():
            if not any(path.name.startswith(k) for k in keep):
                path.unlink()
                removed += 1
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"guests to build (default: all of {', '.join(GUESTS)})")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="builds at once")
    parser.add_argument("--clean", action="store_true", help="first delete cached files of older inputs")
    args = parser.parse_args(argv)
    names = args.names or list(GUESTS)
    unknown = [n for n in names if n not in GUESTS]
    if unknown:
        parser.error(f"unknown guest(s): {', '.join(unknown)}")
    if args.clean:
        print(f"removed {clean()} stale file(s) from {cache_dir()}")

    def one(name: str) -> str:
        start = time.perf_counter()
        path = compiled_path(name)
        return f"{name:18} {time.perf_counter() - start:6.2f}s  {path}"

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for line in pool.map(one, names):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

