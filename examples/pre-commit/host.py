"""`python host.py`: the calculator component, through the committed bindings."""

from wasmtime import Engine, Store
from wasmtime.component import Linker

from calc_bindings import Calc, load_component

engine = Engine()
store = Store(engine)
calc = Calc.instantiate(store, load_component(engine, "calc.wat"), Linker(engine))
print("40 + 2 =", calc.add(store, 40, 2))
