"""The guest of the Redis demo: a component that only knows the `cache`
interface it imports. Built with componentize-py (see ../README.md)."""

from typing import Callable, TypeVar

import wit_world
from componentize_py_types import Err
from wit_world.imports import cache

T = TypeVar("T")


def _step(report: list[str], what: str, call: Callable[[], T], show: Callable[[T], str] = lambda _: "ok") -> None:
    try:
        report.append(f"{what}: {show(call())}")
    except Err as e:
        report.append(f"{what}: err {e.value.name.lower().replace('_', '-')}")


class WitWorld(wit_world.WitWorld):
    def run(self, ttl_seconds: int) -> list[str]:
        report: list[str] = []
        blob = bytes(range(256))
        _step(report, "set greeting (no ttl)", lambda: cache.set("greeting", b"hello from the guest", None))
        _step(report, f"set session (ttl {ttl_seconds} s)", lambda: cache.set("session", b"token-1234", ttl_seconds))
        _step(report, "set blob (256 bytes, no ttl)", lambda: cache.set("blob", blob, None))
        _step(report, "get greeting", lambda: cache.get("greeting"), lambda v: repr(v.decode()))
        _step(report, "get session", lambda: cache.get("session"), lambda v: repr(v.decode()))
        _step(report, "get blob", lambda: cache.get("blob"), lambda v: "same 256 bytes" if v == blob else f"differs: {v!r}")
        _step(report, "delete greeting", lambda: cache.delete("greeting"))
        _step(report, "delete blob", lambda: cache.delete("blob"))
        _step(report, "get greeting", lambda: cache.get("greeting"), lambda v: repr(v.decode()))
        _step(report, "delete greeting", lambda: cache.delete("greeting"))
        _step(report, "get never-set", lambda: cache.get("never-set"), lambda v: repr(v.decode()))
        return report
