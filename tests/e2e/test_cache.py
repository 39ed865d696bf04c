"""The legacy (2022) `fixtures/cache.wit`, implemented on the host through
bindings generated from the legacy file itself (`witgen export`), called by
a guest built from its migrated form."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Optional

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

EXPECTED = [
    "set a",
    "set b ttl=60",
    "get a alpha",
    "get b 00ff62657461",
    "delete a",
    "get a err not-found-error",
    "delete a again err not-found-error",
    "set empty err runtime-error",
]


def make_host(cache: Any, *, return_err: bool = False) -> Any:
    Error, Err = cache.cache.Error, cache.Err

    class DictCache:
        def __init__(self) -> None:
            self.items: dict[str, bytes] = {}
            self.calls: list[tuple[Any, ...]] = []

        def set(self, key: str, value: bytes, ttl: Optional[int]) -> None:
            self.calls.append(("set", key, value, ttl))
            if not key:
                raise Err(Error.RUNTIME_ERROR)
            self.items[key] = value

        def get(self, key: str) -> bytes:
            self.calls.append(("get", key))
            try:
                return self.items[key]
            except KeyError:
                raise Err(Error.NOT_FOUND_ERROR) from None

        def delete(self, key: str) -> Any:
            self.calls.append(("delete", key))
            if self.items.pop(key, None) is None:
                if return_err:
                    return Err(Error.NOT_FOUND_ERROR)  # returned, not raised
                raise Err(Error.NOT_FOUND_ERROR)
            return None

    return DictCache()


def run(bindings: SimpleNamespace, guest: Any, engine: Engine, host: Any) -> list[str]:
    linker = Linker(engine)
    linker.add_wasip2()
    bindings.cache.cache.add_to_linker(linker, host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    user = bindings.cache_user.CacheUser.instantiate(store, guest("cache"), linker)
    out: list[str] = user.run(store)
    return out


def test_generated_from_the_legacy_file_names_the_guests_import(bindings: SimpleNamespace, engine: Engine, guest: Any) -> None:
    imports = guest("cache").type.imports(engine)
    assert "wasi-mindmap:cache/cache" in imports
    assert bindings.cache.cache.add_to_linker.__defaults__ == ("wasi-mindmap:cache/cache",)


def test_guest_uses_every_cache_function(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    host = make_host(bindings.cache)
    assert run(bindings, guest, engine, host) == EXPECTED
    assert host.calls[:2] == [("set", "a", b"alpha", None), ("set", "b", b"\x00\xffbeta", 60)]
    assert [c[0] for c in host.calls] == ["set", "set", "get", "get", "delete", "get", "delete", "set"]


def test_host_may_return_err_instead_of_raising(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    assert run(bindings, guest, engine, make_host(bindings.cache, return_err=True)) == EXPECTED


def test_host_raising_something_else_traps(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    host = make_host(bindings.cache)
    host.get = lambda key: (_ for _ in ()).throw(LookupError(key))
    # The host's package raises its own Trap; the caller gets its package's.
    with pytest.raises(bindings.cache_user.Trap, match="cache#get raised LookupError") as info:
        run(bindings, guest, engine, host)
    assert isinstance(info.value.__cause__, LookupError)


def test_err_of_the_wrong_type_traps_naming_the_function(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    host = make_host(bindings.cache)

    def get(key: str) -> bytes:
        raise bindings.cache.Err("not an Error member")

    host.get = get
    with pytest.raises(bindings.cache_user.Trap) as info:
        run(bindings, guest, engine, host)
    assert "wasi-mindmap:cache/cache#get" in str(info.value)
    assert isinstance(info.value.__cause__, TypeError)


def test_projection_host_across_packages(bindings: SimpleNamespace, guest: Any, engine: Engine) -> None:
    """The host side (from the legacy file) and the world class (from the
    guest's WIT) are two packages with two copies of the runtime; a host
    projected from the store must still find the store."""
    linker = Linker(engine)
    linker.add_wasip2()
    bindings.cache.cache.add_to_linker(linker, lambda store: store.data())
    hosts = []
    for _ in range(2):
        host = make_host(bindings.cache)
        store = Store(engine, host)
        store.set_wasi(WasiConfig())
        assert bindings.cache_user.CacheUser.instantiate(store, guest("cache"), linker).run(store) == EXPECTED
        hosts.append(host)
    assert hosts[0].items == hosts[1].items == {"b": b"\x00\xffbeta"}
