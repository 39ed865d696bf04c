"""`hatch-app [A B]`: A + B and A * B, computed by the component."""

from __future__ import annotations

import sys
from pathlib import Path

from wasmtime import Engine, Store
from wasmtime.component import Linker

from .calc_bindings import Calc, load_component

COMPONENT = Path(__file__).with_name("calc.wat")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        a, b = (int(arg) for arg in args) if args else (6, 7)
    except ValueError:
        print("usage: hatch-app [A B]  (two integers)", file=sys.stderr)
        return 2
    engine = Engine()
    store = Store(engine)
    calc = Calc.instantiate(store, load_component(engine, COMPONENT), Linker(engine))
    print(f"{a} + {b} = {calc.add(store, a, b)}")
    print(f"{a} * {b} = {calc.mul(store, a, b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
