"""The generated awaited API (`KvStoreAsync`, an `async def` host) against
the componentize-py kv-store guest, in an engine with epoch interruption."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Optional

import pytest
from wasmtime import Config, Engine, Store, WasiConfig
from wasmtime.component import Linker

from guests import build
import witgen_runtime as _rt
from witgen_runtime import load_component


class Connection:
    def __init__(self, db: dict[str, str]) -> None:
        self.db = db

    def get(self, key: str) -> Optional[str]:
        return self.db.get(key)

    def set(self, key: str, value: str) -> None:
        self.db[key] = value

    def remove(self, key: str) -> Optional[str]:
        return self.db.pop(key, None)

    def clear(self) -> None:
        self.db.clear()


class AsyncHost:
    def __init__(self) -> None:
        self.db: dict[str, str] = {}
        self.logs: list[tuple[str, asyncio.AbstractEventLoop]] = []
        db = self.db

        class Conn(Connection):
            def __init__(self) -> None:
                super().__init__(db)

        self.Connection = Conn

    async def log(self, msg: str) -> None:
        await asyncio.sleep(0.001)
        self.logs.append((msg, asyncio.get_running_loop()))


@pytest.fixture(scope="module")
def epoch_engine() -> Engine:
    config = Config()
    config.epoch_interruption = True
    return Engine(config)


def test_awaited_world_with_an_async_host(bindings: SimpleNamespace, epoch_engine: Engine) -> None:
    kv = bindings.kv_store
    component = load_component(epoch_engine, build.wasm_path("kv-store"))
    host = AsyncHost()
    linker = Linker(epoch_engine)
    kv.KvStore.add_to_linker(linker, kvdb=host, imports=host)

    async def main() -> tuple[list[Optional[str]], asyncio.AbstractEventLoop]:
        store = Store(epoch_engine)
        store.set_wasi(WasiConfig())
        world = await kv.KvStoreAsync.instantiate(store, component, linker)
        results = [await world.replace_value(store, "k", "v1"), await world.replace_value(store, "k", "v2")]
        return results, asyncio.get_running_loop()

    results, loop = asyncio.run(main())
    assert results == [None, "v1"]
    assert host.db == {"k": "v2"}
    assert [m for m, _ in host.logs] == ["replaced k: None -> 'v1'", "replaced k: 'v1' -> 'v2'"]
    assert {id(l) for _, l in host.logs} == {id(loop)}


def test_the_sync_world_refuses_an_async_host_clearly(bindings: SimpleNamespace, epoch_engine: Engine) -> None:
    kv = bindings.kv_store
    component = load_component(epoch_engine, build.wasm_path("kv-store"))
    linker = Linker(epoch_engine)
    host = AsyncHost()
    kv.KvStore.add_to_linker(linker, kvdb=host, imports=host)
    store = Store(epoch_engine)
    store.set_epoch_deadline(1 << 40)
    world = kv.KvStore.instantiate(store, component, linker)
    with pytest.raises(kv.Trap) as info:
        world.replace_value(store, "k", "v")
    assert "KvStoreAsync" not in str(info.value) and "Async class" in str(info.value.__cause__)


def test_an_engine_without_epoch_interruption_is_refused_at_instantiate(
    bindings: SimpleNamespace, engine: Engine, guest: object
) -> None:
    kv = bindings.kv_store
    with pytest.raises(kv.UnsupportedError, match="epoch_interruption"):
        asyncio.run(kv.KvStoreAsync.instantiate(Store(engine), None, Linker(engine)))


def test_exported_resources_have_awaited_constructors_methods_and_statics(
    bindings: SimpleNamespace, epoch_engine: Engine
) -> None:
    from .test_coverage import EchoHost

    pkg = bindings.coverage
    component = load_component(epoch_engine, build.wasm_path("coverage"))
    host = EchoHost(pkg)
    linker = Linker(epoch_engine)
    pkg.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    Counter = pkg.guest_echo.Counter
    threads: set[str] = set()

    async def main() -> tuple[int, int, int, int]:
        store = Store(epoch_engine)
        store.set_wasi(WasiConfig())
        world = await pkg.CoverageAsync.instantiate(store, component, linker)
        echo = world.guest_echo
        c = await Counter.new_async(echo, store, 5)  # the constructor, awaited
        assert isinstance(c, Counter)
        first = await c.increment_async(store)
        d = await echo.make_counter(store, 10)
        total = await Counter.sum_async(echo, store, c, d)  # a static with two borrows
        threads.add(threading.current_thread().name)
        calls = _rt.store_calls(store)
        seen = await calls.run(lambda: threading.current_thread().name)
        threads.add(seen)
        return first, await c.value_async(store), total, c.increment(store)  # the sync method still works

    assert asyncio.run(main()) == (6, 6, 16, 7)
    assert len(threads) == 2  # the awaited calls ran on the store's thread, not the loop's

