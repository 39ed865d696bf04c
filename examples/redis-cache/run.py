"""Run the demo: a guest component using the `cache` interface of
fixtures/cache.wit, hosted on Redis through witgen's generated bindings.

    python run.py [--ttl 5] [--guest build/cache-demo.wasm] [--bindings DIR]

1. Bindings: generated from ../../fixtures/cache.wit (legacy syntax, package
   `wasi-mindmap:cache`) into a temporary folder, or the pre-generated
   package given with `--bindings` (`witgen export ... -o DIR`).
2. Guest: `--guest`, by default build/cache-demo.wasm, built with
   componentize-py when missing or older than its sources.
3. Redis: the server at `$REDIS_URL` (default redis://127.0.0.1:6379/0);
   run.py starts none. Keys get the prefix `witgen-demo:`.
4. Load the guest (compiled once, then from witgen's compiled-artifact
   cache), link the Redis host, call the guest's `run(ttl-seconds)`, print
   what the host did and what the guest saw, and the TTL Redis reports for
   the key the guest set to expire.

Exit status: 0 when the demo ran, 1 when Redis could not be reached (the
guest then sees `runtime-error` for every call), 2 for a usage problem.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LEGACY_WIT = REPO / "fixtures" / "cache.wit"
PACKAGE = "wasi-mindmap:cache"  # the package wit/cache.wit declares
WORLD = "cache-demo"
DEFAULT_GUEST = HERE / "build" / "cache-demo.wasm"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def generate_bindings(folder: Path) -> Path:
    """Generate the host's bindings from the legacy WIT into `folder/cache_bindings`."""
    try:
        from witgen.api import generate
    except ImportError:  # running from a checkout without `pip install -e .`
        sys.path.insert(0, str(REPO))
        from witgen.api import generate

    package = folder / "cache_bindings"
    for path, text in generate(LEGACY_WIT, "export", legacy_package=PACKAGE).files.items():
        target = package / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return package


def import_bindings(package: Path) -> ModuleType:
    """Import the generated package at `package` as `cache_bindings` (the
    name host.py imports), whatever its folder is called."""
    init = package / "__init__.py"
    if not init.is_file():
        raise SystemExit(f"run.py: {package} is not a generated package (no __init__.py)")
    spec = importlib.util.spec_from_file_location("cache_bindings", init, submodule_search_locations=[str(package)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cache_bindings"] = module
    spec.loader.exec_module(module)
    return module


def build_guest(out: Path) -> None:
    """componentize-py -d wit -w cache-demo componentize app -p guest -o OUT,
    from a copy of the sources so nothing is written beside them."""
    exe = shutil.which("componentize-py")
    if exe is None:
        raise SystemExit("run.py: componentize-py is not installed (pip install componentize-py==0.25.1)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(HERE / "guest", Path(tmp) / "guest", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(HERE / "wit", Path(tmp) / "wit")
        wasm = Path(tmp) / "out.wasm"
        cmd = [exe, "-d", "wit", "-w", WORLD, "componentize", "app", "-p", "guest", "-o", str(wasm)]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"run.py: building the guest failed:\n$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
        partial = out.with_name(out.name + ".tmp")
        shutil.copyfile(wasm, partial)
        os.replace(partial, out)


def _shown(path: Path) -> str:
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def guest_sources() -> list[Path]:
    return sorted(p for folder in (HERE / "guest", HERE / "wit") for p in folder.rglob("*") if p.suffix in (".py", ".wit"))


def _stale(wasm: Path) -> bool:
    return not wasm.exists() or any(p.stat().st_mtime > wasm.stat().st_mtime for p in guest_sources())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ttl", type=int, default=5, help="seconds until the guest's `session` key expires (default 5)")
    parser.add_argument("--guest", type=Path, help=f"the guest component (default: build it as {DEFAULT_GUEST.relative_to(HERE)})")
    parser.add_argument("--bindings", type=Path, help="a pre-generated bindings package (default: generate them now)")
    parser.add_argument("--prefix", default="witgen-demo:", help="prefix of the Redis keys (default witgen-demo:)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL), help="default: $REDIS_URL or %(default)s")
    args = parser.parse_args(argv)
    if not 0 <= args.ttl < 2**32:
        parser.error("--ttl must fit a u32")
    logging.basicConfig(level=logging.INFO, format="host:  %(message)s", stream=sys.stdout)
    logging.getLogger("witgen").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        if args.bindings is not None:
            package = args.bindings.resolve()
            print(f"bindings: {package} (pre-generated)")
        else:
            package = generate_bindings(Path(tmp))
            print(f"bindings: generated from {LEGACY_WIT.relative_to(REPO)} (package {PACKAGE})")
        bindings = import_bindings(package)
        return _run(args, bindings)


def _run(args: argparse.Namespace, bindings: Any) -> int:
    import redis
    from wasmtime import Engine, Store, WasiConfig
    from wasmtime.component import Linker

    from host import RedisCache

    wasm: Path = (args.guest or DEFAULT_GUEST).resolve()
    if args.guest is None and _stale(wasm):
        print(f"guest: building {_shown(wasm)} with componentize-py (≈ 10 s)")
        build_guest(wasm)
    if not wasm.is_file():
        print(f"run.py: no guest component at {wasm}", file=sys.stderr)
        return 2

    engine = Engine()
    start = time.perf_counter()
    component = bindings.load_component(engine, wasm)
    print(f"guest: {_shown(wasm)} loaded in {(time.perf_counter() - start) * 1000:.0f} ms (compiled artifacts cached by witgen)")

    client = redis.Redis.from_url(args.redis_url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
        reachable = True
        print(f"redis: {args.redis_url}, keys prefixed {args.prefix!r}")
    except redis.RedisError as error:
        reachable = False
        print(f"redis: cannot reach {args.redis_url} ({error}); every cache call will be a runtime-error")
    host = RedisCache(client, args.prefix)

    linker = Linker(engine)
    linker.add_wasip2()  # componentize-py guests import WASI
    bindings.cache.add_to_linker(linker, host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    instance = linker.instantiate(store, component)
    run = instance.get_func(store, "run")
    assert run is not None, "the guest exports run"
    report: list[str] = run(store, args.ttl)  # untyped: only the host side is generated here
    for line in report:
        print(f"guest: {line}")

    if reachable:
        session = host.key("session")
        pttl = client.pttl(session)
        left = {-2: "gone (expired, or never set)", -1: "set, without expiry"}.get(pttl, f"expires in {pttl} ms")
        print(f"redis: PTTL {session} = {pttl}: {left}")
    return 0 if reachable else 1


if __name__ == "__main__":
    sys.exit(main())
