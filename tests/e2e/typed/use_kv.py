from typing import Optional
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker, Component
import e2e_kv_store as kv


class Connection:
    def __init__(self) -> None:
        self.db: dict[str, str] = {}

    def get(self, key: str) -> Optional[str]:
        return self.db.get(key)

    def set(self, key: str, value: str) -> None:
        self.db[key] = value

    def remove(self, key: str) -> Optional[str]:
        return self.db.pop(key, None)

    def clear(self) -> None:
        self.db.clear()

    def close(self) -> None:
        pass


class Host:
    Connection = Connection

    def log(self, msg: str) -> None:
        print(msg)


def main(engine: Engine, component: Component) -> Optional[str]:
    linker = Linker(engine)
    host = Host()
    kv.KvStore.add_to_linker(linker, kvdb=host, imports=host)
    kv.KvStore.add_to_linker(linker, kvdb=lambda s: host, imports=lambda s: host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    world = kv.KvStore.instantiate(store, component, linker)
    try:
        return world.replace_value(store, "a", "b")
    except kv.Trap:
        kv.release_store(store)
        raise
