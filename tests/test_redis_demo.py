"""examples/redis-cache end to end: a real `redis-server` (started here on a
free loopback port, in a temporary folder, and stopped after), the demo's
componentize-py guest, the host on the bindings generated from the legacy
fixtures/cache.wit, and `run.py` run as the README says.

Needs the `redis` package and componentize-py; the tests that talk to Redis
need `redis-server` too (apt-get install redis-server) and are skipped,
saying so, without it.
The guest and its compiled artifact are cached beside the guest cache
(`.cache/redis-demo/` unless WITGEN_GUEST_CACHE moves it).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

import pytest

from guests import build
from redis_server import client, free_port, redis_url  # noqa: F401 - client, redis_url: fixtures

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "redis-cache"

if not (DEMO / "run.py").is_file():
    pytest.skip("examples/redis-cache is not in this source tree", allow_module_level=True)
redis: Any = pytest.importorskip("redis", reason="the `redis` package is not installed (pip install redis)")


def _import(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


run_py: Any = _import("redis_demo_run", DEMO / "run.py")


# --------------------------------------------------------------------------
# The demo's guest, built once per machine


def _demo_cache() -> Path:
    return build.cache_dir().parent / "redis-demo"


@pytest.fixture(scope="module")
def guest_wasm() -> Path:
    digest = hashlib.sha256(f"componentize-py={metadata.version('componentize-py')}\n".encode())
    for path in run_py.guest_sources():
        digest.update(path.relative_to(DEMO).as_posix().encode() + b"\0" + path.read_bytes())
    wasm = _demo_cache() / f"cache-demo-{digest.hexdigest()[:24]}.wasm"
    if not wasm.exists():
        run_py.build_guest(wasm)
    return wasm


def _run_demo(guest_wasm: Path, redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REDIS_URL": redis_url, "WITGEN_CACHE_DIR": str(_demo_cache())}
    return subprocess.run(
        [sys.executable, "run.py", "--guest", str(guest_wasm), *args],
        cwd=DEMO, env=env, capture_output=True, text=True, timeout=300,
    )


def _lines(output: str, prefix: str) -> list[str]:
    return [line[len(prefix):] for line in output.splitlines() if line.startswith(prefix)]


GUEST_REPORT = [
    "set greeting (no ttl): ok",
    "set session (ttl {ttl} s): ok",
    "set blob (256 bytes, no ttl): ok",
    "get greeting: 'hello from the guest'",
    "get session: 'token-1234'",
    "get blob: same 256 bytes",
    "delete greeting: ok",
    "delete blob: ok",
    "get greeting: err not-found-error",
    "delete greeting: err not-found-error",
    "get never-set: err not-found-error",
]


# --------------------------------------------------------------------------
# The demo, as the README runs it


def test_demo_end_to_end(guest_wasm: Path, redis_url: str, client: Any) -> None:
    ttl = 2
    proc = _run_demo(guest_wasm, redis_url, "--ttl", str(ttl))
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    assert _lines(proc.stdout, "guest: ")[1:] == [line.format(ttl=ttl) for line in GUEST_REPORT]
    host = _lines(proc.stdout, "host:  ")
    assert "SET witgen-demo:greeting (20 bytes)" in host
    assert f"SET witgen-demo:session (10 bytes) EX {ttl}" in host
    assert "GET witgen-demo:never-set -> missing" in host
    assert "expires in" in _lines(proc.stdout, "redis: ")[-1]

    # What the guest left behind, seen in Redis itself.
    assert client.exists("witgen-demo:greeting", "witgen-demo:blob", "witgen-demo:never-set") == 0
    assert client.get("witgen-demo:session") == b"token-1234"
    assert 0 < client.ttl("witgen-demo:session") <= ttl
    assert 0 < client.pttl("witgen-demo:session") <= ttl * 1000
    deadline = time.monotonic() + ttl + 5
    while client.pttl("witgen-demo:session") != -2:  # -2: no such key
        assert time.monotonic() < deadline, "the session key never expired"
        time.sleep(0.05)
    assert client.get("witgen-demo:session") is None


def test_demo_without_redis(guest_wasm: Path) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    proc = _run_demo(guest_wasm, closed)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"cannot reach {closed}" in proc.stdout
    report = _lines(proc.stdout, "guest: ")[1:]
    assert len(report) == len(GUEST_REPORT)
    assert all(line.endswith(": err runtime-error") for line in report), report
    assert any("failed: ConnectionError" in line for line in _lines(proc.stdout, "host:  "))


# --------------------------------------------------------------------------
# The host on its own, through the generated bindings


@pytest.fixture(scope="module")
def host_module() -> Iterator[Any]:
    with tempfile.TemporaryDirectory() as tmp:
        bindings = run_py.import_bindings(run_py.generate_bindings(Path(tmp)))
        host = _import("redis_demo_host", DEMO / "host.py")
        yield host, bindings
        for name in [n for n in sys.modules if n.split(".")[0] in ("cache_bindings", "redis_demo_host")]:
            del sys.modules[name]


def test_host_maps_the_interface_onto_redis(host_module: Any, client: Any) -> None:
    host_py, bindings = host_module
    Err, Error = bindings.Err, bindings.cache.Error
    cache = host_py.RedisCache(client, prefix="t:")
    cache.set("plain", b"\x00\xff", None)
    assert client.get("t:plain") == b"\x00\xff"
    assert client.ttl("t:plain") == -1, "no ttl: no expiry"
    cache.set("plain", b"v2", 100)
    assert 0 < client.pttl("t:plain") <= 100_000
    cache.set("plain", b"v3", None)
    assert client.ttl("t:plain") == -1, "a set without ttl makes the key persistent again"
    assert cache.get("plain") == b"v3"
    cache.delete("plain")
    with pytest.raises(Err) as missing:
        cache.get("plain")
    assert missing.value.value is Error.NOT_FOUND_ERROR
    with pytest.raises(Err) as missing:
        cache.delete("plain")
    assert missing.value.value is Error.NOT_FOUND_ERROR
    with pytest.raises(Err) as refused:
        cache.set("zero", b"", 0)  # Redis refuses EX 0
    assert refused.value.value is Error.RUNTIME_ERROR


def test_host_turns_connection_errors_into_runtime_error(host_module: Any) -> None:
    host_py, bindings = host_module
    down = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)  # as run.py
    cache = host_py.RedisCache(down)
    for call in (lambda: cache.set("k", b"v", None), lambda: cache.get("k"), lambda: cache.delete("k")):
        with pytest.raises(bindings.Err) as error:
            call()
        assert error.value.value is bindings.cache.Error.RUNTIME_ERROR
        assert isinstance(error.value.__cause__, redis.ConnectionError)
