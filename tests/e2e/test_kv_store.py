"""kv-store: a host-implemented resource (`kvdb.connection`) and a host
function (`log`) behind the guest's `replace-value`."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable, Optional

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

import witgen_runtime


class MemoryConnection:
    """The host's `connection`: a view of the host's dict."""

    def __init__(self, host: "KvHost") -> None:
        self.host = host
        self.id = len(host.opened)
        host.opened.append(self)
        host.events.append(f"open {self.id}")

    def get(self, key: str) -> Optional[str]:
        if key == "explode":
            raise KeyError("explode is not a key")
        return self.host.db.get(key)

    def set(self, key: str, value: str) -> None:
        self.host.db[key] = value

    def remove(self, key: str) -> Optional[str]:
        return self.host.db.pop(key, None)

    def clear(self) -> None:
        self.host.db.clear()

    def close(self) -> None:
        self.host.events.append(f"close {self.id}")


class KvHost:
    """Implements both `kvdb` (its `Connection` class) and the world's `log`."""

    def __init__(self) -> None:
        self.db: dict[str, str] = {}
        self.events: list[str] = []
        self.logs: list[str] = []
        self.opened: list[MemoryConnection] = []
        host = self

        class Connection(MemoryConnection):
            def __init__(self) -> None:
                super().__init__(host)

        self.Connection = Connection

    def log(self, msg: str) -> None:
        self.logs.append(msg)


def instantiate(bindings: SimpleNamespace, guest: Any, engine: Engine, host: Any, data: Any = None) -> tuple[Any, Store]:
    kv = bindings.kv_store
    linker = Linker(engine)
    kv.KvStore.add_to_linker(linker, kvdb=host, imports=host)
    store = Store(engine, data)
    store.set_wasi(WasiConfig())
    return kv.KvStore.instantiate(store, guest("kv-store"), linker), store


def test_replace_value_uses_the_host_connection(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    host = KvHost()
    world, store = instantiate(bindings, guest, engine, host)
    assert world.replace_value(store, "k", "v1") is None
    assert world.replace_value(store, "k", "v2") == "v1"  # the old value
    assert host.db == {"k": "v2"}
    assert host.logs == ["replaced k: None -> 'v1'", "replaced k: 'v1' -> 'v2'"]
    # One connection per call, dropped by the guest: released and closed.
    assert host.events == ["open 0", "close 0", "open 1", "close 1"]
    assert world.replace_value(store, "k", "") == "v2"  # "" removes
    assert host.db == {} and host.logs[-1] == "removed k"
    assert world.replace_value(store, "ünï", "😀") is None
    assert host.db == {"ünï": "😀"}


def test_host_as_a_projection_of_the_store(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    """`lambda store: store.data()`: one host object per store."""
    kv = bindings.kv_store
    linker = Linker(engine)
    project: Callable[[Store], Any] = lambda store: store.data()
    kv.KvStore.add_to_linker(linker, kvdb=project, imports=project)
    hosts, worlds = [], []
    for _ in range(2):
        host = KvHost()
        store = Store(engine, host)
        store.set_wasi(WasiConfig())
        hosts.append(host)
        worlds.append((kv.KvStore.instantiate(store, guest("kv-store"), linker), store))
    (a, sa), (b, sb) = worlds
    assert a.replace_value(sa, "x", "1") is None
    assert b.replace_value(sb, "x", "2") is None
    assert a.replace_value(sa, "x", "3") == "1"
    assert hosts[0].db == {"x": "3"} and hosts[1].db == {"x": "2"}
    assert len(hosts[0].logs) == 2 and len(hosts[1].logs) == 1
    assert hosts[0].events == ["open 0", "close 0", "open 1", "close 1"]


def test_interface_module_alone(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    """The per-interface `add_to_linker`s, without the world class's."""
    kv = bindings.kv_store
    host = KvHost()
    linker = Linker(engine)
    linker.add_wasip2()
    kv.kvdb.add_to_linker(linker, host)
    kv.add_imports_to_linker(linker, host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    world = kv.KvStore(store, linker.instantiate(store, guest("kv-store")))
    assert world.replace_value(store, "a", "b") is None
    assert host.db == {"a": "b"}


def test_host_lacking_a_resource_class_is_refused_at_link_time(bindings: SimpleNamespace, engine: Engine) -> None:
    class NoConnection:
        def log(self, msg: str) -> None:
            pass

    with pytest.raises(TypeError, match="lacks Connection"):
        bindings.kv_store.KvStore.add_to_linker(Linker(engine), kvdb=NoConnection(), imports=NoConnection())


def test_host_exception_is_a_trap_chained_to_it(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    kv = bindings.kv_store
    host = KvHost()
    world, store = instantiate(bindings, guest, engine, host)
    with pytest.raises(kv.Trap) as info:
        world.replace_value(store, "explode", "x")
    assert isinstance(info.value.__cause__, KeyError)
    assert "connection.get" in str(info.value)
    with pytest.raises(kv.InstancePoisonedError, match="new Store"):
        world.replace_value(store, "k", "v")


def test_host_returning_the_wrong_type_is_a_trap_naming_it(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    kv = bindings.kv_store
    host = KvHost()
    host.log = lambda msg: 42  # type: ignore[method-assign,assignment,return-value]
    world, store = instantiate(bindings, guest, engine, host)
    with pytest.raises(kv.Trap) as info:
        world.replace_value(store, "k", "v")
    assert isinstance(info.value.__cause__, TypeError)
    assert "return value of log" in str(info.value)


def test_release_store_closes_what_the_guest_still_holds(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    kv = bindings.kv_store
    host = KvHost()
    world, store = instantiate(bindings, guest, engine, host)

    class Lingering(MemoryConnection):
        def set(self, key: str, value: str) -> None:
            raise RuntimeError("fail before the guest drops the handle")

    host.Connection = lambda: Lingering(host)  # type: ignore[method-assign,assignment,return-value]
    with pytest.raises(kv.Trap):
        world.replace_value(store, "k", "v")
    assert host.events == ["open 0"]  # the trap left the handle in the guest
    kv.release_store(store)
    assert host.events == ["open 0", "close 0"]


def test_a_stale_host_handle_is_a_handle_error(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    """An object gone from the store's table (behind the guest's back) is a
    HandleError chained to a Trap, never a crash."""
    kv = bindings.kv_store
    host = KvHost()
    world, store = instantiate(bindings, guest, engine, host)

    class Stale(MemoryConnection):
        def get(self, key: str) -> Optional[str]:
            witgen_runtime.store_state(store).handles._objects.clear()
            return None

    host.Connection = lambda: Stale(host)  # type: ignore[method-assign,assignment,return-value]
    with pytest.raises(kv.Trap) as info:
        world.replace_value(store, "k", "v")
    assert isinstance(info.value.__cause__, kv.HandleError)
    assert "no live resource" in str(info.value.__cause__)


def test_close_raising_is_a_trap_chained_to_it(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    kv = bindings.kv_store
    host = KvHost()
    world, store = instantiate(bindings, guest, engine, host)

    class Leaky(MemoryConnection):
        def close(self) -> None:
            raise OSError("disk gone")

    host.Connection = lambda: Leaky(host)  # type: ignore[method-assign,assignment,return-value]
    with pytest.raises(kv.Trap, match="destructor of wasi-mindmap:kv-store/kvdb/connection raised OSError") as info:
        world.replace_value(store, "k", "v")
    assert isinstance(info.value.__cause__, OSError)
    assert host.db == {"k": "v"}  # the guest's work before the drop happened
