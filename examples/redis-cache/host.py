"""The host side of the demo: the `cache` interface of fixtures/cache.wit,
implemented on Redis.

It implements the `Host` Protocol that witgen generates from the legacy
file (`witgen export ../../fixtures/cache.wit --legacy-package
wasi-mindmap:cache -o cache_bindings`), imported here as the package
`cache_bindings`; run.py generates it when it is not there.

How the WIT maps onto Redis:

* `set(key, value, ttl)` is `SET prefix+key value`, with `EX ttl` when `ttl`
  is given (seconds; Redis refuses 0, which comes back as `runtime-error`).
  A `set` without `ttl` makes the key persistent again, as `SET` does.
* `get(key)` is `GET`; a missing (or expired) key is `not-found-error`.
* `delete(key)` is `DEL`; deleting a missing key is `not-found-error`.
* Any Redis failure (cannot connect, timeout, refused command) is
  `runtime-error` for the guest; the cause goes to the `redis_cache` logger
  so whoever runs the host can see it.

Keys get a prefix (`witgen-demo:` unless told otherwise) so the demo never
touches other keys of the database it is pointed at.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator, Optional

import redis

from cache_bindings import Err
from cache_bindings.cache import Error, Host, Payload

log = logging.getLogger("redis_cache")

__all__ = ["RedisCache"]


class RedisCache(Host):
    """The generated `Host` Protocol of `cache`, on a Redis client."""

    def __init__(self, client: redis.Redis, prefix: str = "witgen-demo:") -> None:
        self.client = client
        self.prefix = prefix

    def key(self, key: str) -> str:
        """The Redis key the guest's `key` is stored under."""
        return self.prefix + key

    def set(self, key: str, value: Payload, ttl: Optional[int]) -> None:
        name = self.key(key)
        log.info("SET %s (%d bytes)%s", name, len(value), "" if ttl is None else f" EX {ttl}")
        with _runtime_errors(f"SET {name}"):
            self.client.set(name, value, ex=ttl)

    def get(self, key: str) -> Payload:
        name = self.key(key)
        with _runtime_errors(f"GET {name}"):
            value = self.client.get(name)
        log.info("GET %s -> %s", name, "missing" if value is None else f"{len(value)} bytes")
        if value is None:
            raise Err(Error.NOT_FOUND_ERROR)
        if not isinstance(value, bytes):
            raise TypeError("RedisCache needs a client that returns bytes (decode_responses=False)")
        return value

    def delete(self, key: str) -> None:
        name = self.key(key)
        with _runtime_errors(f"DEL {name}"):
            deleted = self.client.delete(name)
        log.info("DEL %s -> %d", name, deleted)
        if not deleted:
            raise Err(Error.NOT_FOUND_ERROR)


@contextlib.contextmanager
def _runtime_errors(command: str) -> Iterator[None]:
    """Redis failures become the WIT `runtime-error` (all the guest can do is
    know that the cache failed); the cause is logged for the operator."""
    try:
        yield
    except redis.RedisError as error:
        log.warning("%s failed: %s: %s", command, type(error).__name__, error)
        raise Err(Error.RUNTIME_ERROR) from error
