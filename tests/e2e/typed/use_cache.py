from typing import Optional
from wasmtime import Engine, Store
from wasmtime.component import Linker, Component
import e2e_cache as cache
import e2e_cache_user as cacheuser
from e2e_cache import cache as api


class DictCache:
    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def set(self, key: str, value: bytes, ttl: Optional[int]) -> None:
        self.items[key] = value

    def get(self, key: str) -> bytes:
        try:
            return self.items[key]
        except KeyError:
            raise cache.Err(api.Error.NOT_FOUND_ERROR) from None

    def delete(self, key: str) -> None:
        if self.items.pop(key, None) is None:
            raise cache.Err(api.Error.NOT_FOUND_ERROR)


def main(engine: Engine, component: Component, store: Store) -> list[str]:
    linker = Linker(engine)
    api.add_to_linker(linker, DictCache())
    return cacheuser.CacheUser.instantiate(store, component, linker).run(store)
