"""Runs adder.wasm through the bindings `witgen import` generated in ./adder."""

from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from adder import Adder, load_component

engine = Engine()
component = load_component(engine, "adder.wasm")  # compiled once, then cached

linker = Linker(engine)
Adder.add_to_linker(linker)  # the world imports nothing but WASI, which componentize-py guests need
store = Store(engine)
store.set_wasi(WasiConfig())

adder = Adder.instantiate(store, component, linker)
print("1 + 2 =", adder.add(store, 1, 2))
