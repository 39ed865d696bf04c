import wit_world
from wit_world import log
from wit_world.imports import kvdb


class WitWorld(wit_world.WitWorld):
    def replace_value(self, key: str, value: str) -> str | None:
        # One connection per call, dropped on exit: the host sees the drop.
        with kvdb.Connection() as conn:
            old = conn.get(key)
            if value == "":
                conn.remove(key)
                log(f"removed {key}")
            else:
                conn.set(key, value)
                log(f"replaced {key}: {old!r} -> {value!r}")
            return old
