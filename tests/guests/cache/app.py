import wit_world
from componentize_py_types import Err
from wit_world.imports import cache


def _err(e: Err) -> str:
    return "err " + e.value.name.lower().replace("_", "-")


class WitWorld(wit_world.WitWorld):
    def run(self) -> list[str]:
        seen = []
        cache.set("a", b"alpha", None)
        seen.append("set a")
        cache.set("b", b"\x00\xffbeta", 60)
        seen.append("set b ttl=60")
        seen.append("get a " + cache.get("a").decode())
        seen.append("get b " + cache.get("b").hex())
        cache.delete("a")
        seen.append("delete a")
        try:
            cache.get("a")
            seen.append("get a still there")
        except Err as e:
            seen.append("get a " + _err(e))
        try:
            cache.delete("a")
            seen.append("delete a again ok")
        except Err as e:
            seen.append("delete a again " + _err(e))
        try:
            cache.set("", b"", None)
            seen.append("set empty ok")
        except Err as e:
            seen.append("set empty " + _err(e))
        return seen
