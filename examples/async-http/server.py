"""An asyncio HTTP server that runs a WebAssembly component per request.

    python server.py [--port 8080] [--timeout 2] [--guest build/handler.wasm] [--redis-url URL]

Each GET is answered by a fresh instance of the guest (world `handler` of
wit/handler.wit) in a store of its own, through the awaited bindings witgen
generates (`HandlerAsync`): the guest computes on its store's thread,
without the GIL, while the event loop serves other connections. The guest's
`cache` import is `RedisCache` below, `async def` methods on a
`redis.asyncio` client, awaited on the server's loop.

A request whose guest runs longer than `--timeout` seconds is cancelled by
`asyncio.wait_for`: the runtime interrupts the guest (wasmtime's epoch
interruption; the engine is made with it), its store is dropped, and the
client gets 504. The other requests do not notice.

Needs the bindings (`witgen import wit`, writing ./handler/) and the guest
(componentize-py); see README.md. No dependency beyond `redis` and what the
bindings need: HTTP/1.1 is parsed here, one request per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import Optional

import redis.asyncio
from wasmtime import Config, Engine, Store, WasiConfig
from wasmtime.component import Component, Linker

from handler import Handler, HandlerAsync, Response, Trap, load_component
from handler.cache import AsyncHost

HERE = Path(__file__).resolve().parent
DEFAULT_GUEST = HERE / "build" / "handler.wasm"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MAX_HEAD = 16 * 1024  # bytes of request line and headers accepted

log = logging.getLogger("async_http")

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           500: "Internal Server Error", 504: "Gateway Timeout"}


class RedisCache(AsyncHost):
    """The guest's `cache` import on Redis: `async def`, so each call is
    awaited on the server's event loop while the guest's thread waits.
    Keys get a prefix so the demo touches nothing else in the database."""

    def __init__(self, client: "redis.asyncio.Redis", prefix: str = "async-http:") -> None:
        self.client = client
        self.prefix = prefix

    async def get(self, key: str) -> Optional[str]:
        value = await self.client.get(self.prefix + key)
        log.info("GET %s%s -> %s", self.prefix, key, "missing" if value is None else "hit")
        return None if value is None else value.decode() if isinstance(value, bytes) else str(value)

    async def set(self, key: str, value: str) -> None:
        await self.client.set(self.prefix + key, value)
        log.info("SET %s%s", self.prefix, key)


def epoch_engine() -> Engine:
    """An engine whose guests can be interrupted (the awaited bindings refuse
    any other: a timeout that cannot stop the guest would stop nothing)."""
    config = Config()
    config.epoch_interruption = True
    return Engine(config)


class Server:
    """Answers each request with a new instance of the component."""

    def __init__(self, engine: Engine, component: Component, cache: AsyncHost, timeout: float) -> None:
        self.engine = engine
        self.component = component
        self.timeout = timeout
        self.linker = Linker(engine)
        Handler.add_to_linker(self.linker, cache=cache)  # WASI too: componentize-py guests import it

    async def respond(self, path: str) -> tuple[int, str]:
        """Status and body for a GET of `path`: the guest's answer, 504 if it
        ran out of time, 500 if it trapped."""
        store = Store(self.engine)  # one per request: a cancelled guest poisons only its own
        store.set_wasi(WasiConfig())
        try:
            response = await asyncio.wait_for(self._run(store, path), self.timeout)
        except asyncio.TimeoutError:
            log.warning("%s: no answer within %g s, guest interrupted", path, self.timeout)
            return 504, f"the handler did not answer within {self.timeout:g} s and was stopped\n"
        except Trap as trap:
            log.error("%s: the guest trapped: %s (cause: %r)", path, trap, trap.__cause__)
            return 500, "the handler failed\n"
        return response.status, response.body

    async def _run(self, store: Store, path: str) -> Response:
        handler = await HandlerAsync.instantiate(store, self.component, self.linker)
        return await handler.handle(store, path)

    async def serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One HTTP/1.1 request on this connection, then close it."""
        start = time.perf_counter()
        try:
            method, path = await read_request(reader)
            if method != "GET":
                status, body = 405, "only GET\n"
            else:
                status, body = await self.respond(path)
        except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            method, path, status, body = "?", "?", 400, f"bad request: {error}\n"
        except ConnectionError:
            writer.close()
            return
        log.info("%s %s -> %d in %.0f ms", method, path, status, (time.perf_counter() - start) * 1000)
        payload = body.encode()
        head = (f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(payload)}\r\n"
                "Connection: close\r\n\r\n")
        try:
            writer.write(head.encode() + payload)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """The method and path of a request; its headers are read and ignored
    (a GET has no body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEAD:
        raise ValueError("request head too long")
    parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1].startswith("/"):
        raise ValueError("not an HTTP/1.x request line")
    return parts[0], parts[1]


async def start(server: Server, host: str = "127.0.0.1", port: int = 0) -> asyncio.Server:
    """Listen on `host`:`port` (0: a free port; read it from the result's sockets)."""
    return await asyncio.start_server(server.serve_connection, host, port, limit=MAX_HEAD)


async def main_async(args: argparse.Namespace) -> int:
    engine = epoch_engine()
    loaded = time.perf_counter()
    component = load_component(engine, args.guest)  # compiled once, then cached
    log.info("guest %s loaded in %.0f ms", args.guest, (time.perf_counter() - loaded) * 1000)
    client = redis.asyncio.Redis.from_url(args.redis_url, socket_connect_timeout=2, socket_timeout=5)
    try:
        await client.ping()
    except redis.RedisError as error:
        print(f"server.py: cannot reach Redis at {args.redis_url}: {error}", file=sys.stderr)
        return 1
    listening = await start(Server(engine, component, RedisCache(client), args.timeout), args.host, args.port)
    address = listening.sockets[0].getsockname()
    print(f"serving on http://{address[0]}:{address[1]}/ (try /primes/20000, /spin), "
          f"timeout {args.timeout:g} s, Redis {args.redis_url}", flush=True)
    async with listening:
        await listening.serve_forever()
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds a guest may run (default 2)")
    parser.add_argument("--guest", type=Path, default=DEFAULT_GUEST, help="the component (default build/handler.wasm)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
                        help="default: $REDIS_URL or %(default)s")
    args = parser.parse_args(argv)
    if not args.guest.is_file():
        parser.error(f"no component at {args.guest}: build it first (README.md)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    try:
        return asyncio.run(main_async(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
