"""A private `redis-server` for the tests of the Redis demos: started on a
free loopback port in a temporary folder, stopped after. `REDIS_SERVER` is
None when it is not installed (apt-get install redis-server): skip then."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def redis_server(redis: Any) -> Iterator[str]:
    """The URL of a fresh server; `redis` is the `redis` package (imported
    by the caller, which skips without it)."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    with tempfile.TemporaryDirectory(prefix="witgen-redis-") as tmp:
        folder = Path(tmp)
        for attempt in range(5):  # another process may take the port between probe and start
            port = free_port()
            proc = subprocess.Popen(
                [
                    REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--logfile", str(folder / f"redis-{port}.log"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            url = f"redis://127.0.0.1:{port}/0"
            try:
                deadline = time.monotonic() + 10
                while proc.poll() is None and time.monotonic() < deadline:
                    try:
                        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
                        break
                    except redis.ConnectionError:
                        time.sleep(0.05)
                else:
                    continue  # it exited (port taken?) or never answered: next port
                yield url
                return
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in folder.glob("redis-*.log"))
        pytest.fail(f"redis-server did not start on a free loopback port:\n{logs}")


# The fixtures both demos' tests use (import them into the test module).


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis", reason="the `redis` package is not installed (pip install redis)")
    with redis_server(redis) as url:
        yield url


@pytest.fixture
def client(redis_url: str) -> Iterator[Any]:
    """A client of the private server, its database emptied first."""
    redis = pytest.importorskip("redis", reason="the `redis` package is not installed (pip install redis)")
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()
