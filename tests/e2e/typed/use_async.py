import asyncio
from typing import Optional
from wasmtime import Config, Engine, Store
from wasmtime.component import Linker, Component
import e2e_kv_store as kv
import e2e_coverage as cov


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


class AsyncHost:
    Connection = Connection

    async def log(self, msg: str) -> None:
        await asyncio.sleep(0)


def epoch_engine() -> Engine:
    config = Config()
    config.epoch_interruption = True
    return Engine(config)


async def main(engine: Engine, component: Component) -> Optional[str]:
    linker = Linker(engine)
    host = AsyncHost()
    kv.KvStore.add_to_linker(linker, kvdb=host, imports=host)
    store = Store(engine)
    world = await kv.KvStoreAsync.instantiate(store, component, linker)
    try:
        return await asyncio.wait_for(world.replace_value(store, "a", "b"), 1.0)
    except asyncio.TimeoutError:
        raise
    except kv.Trap:
        kv.release_store(store)
        raise


async def counters(world: cov.CoverageAsync, store: Store) -> int:
    doubled: int = await world.double_via_host(store, 2)
    echoed: bool = await world.guest_echo.bools(store, True)
    counter = await world.guest_echo.make_counter(store, 1)
    value: int = await kv.store_calls(store).run(counter.increment, store)
    made: cov.guest_echo.Counter = await cov.guest_echo.Counter.new_async(world.guest_echo, store, 3)
    bumped: int = await made.increment_async(store)
    total: int = await cov.guest_echo.Counter.sum_async(world.guest_echo, store, counter, made)
    return doubled + value + int(echoed) + bumped + total
