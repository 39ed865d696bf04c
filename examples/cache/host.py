"""Implements the legacy cache interface in memory with the bindings
`witgen export` generated in ./bindings, and runs a component that uses it."""

from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from bindings import Err, load_component
from bindings.cache import Error, Payload, add_to_linker


class DictCache:
    """The generated `bindings.cache.Host` Protocol, on a dict (ttl ignored)."""

    def __init__(self) -> None:
        self.items: dict[str, Payload] = {}

    def set(self, key: str, value: Payload, ttl: int | None) -> None:
        self.items[key] = value

    def get(self, key: str) -> Payload:
        if key not in self.items:
            raise Err(Error.NOT_FOUND_ERROR)  # the guest sees result::err(not-found-error)
        return self.items[key]

    def delete(self, key: str) -> None:
        if self.items.pop(key, None) is None:
            raise Err(Error.NOT_FOUND_ERROR)


engine = Engine()
linker = Linker(engine)
linker.add_wasip2()
add_to_linker(linker, DictCache())  # defines wasi-mindmap:cache/cache

store = Store(engine)
store.set_wasi(WasiConfig())
instance = linker.instantiate(store, load_component(engine, "cache-demo.wasm"))
run = instance.get_func(store, "run")  # the guest's own export: `witgen import` would type it too
assert run is not None
for line in run(store, 60):
    print(line)
