from typing import Optional
from wasmtime import Engine, Store
from wasmtime.component import Linker, Component
import e2e_coverage as cov
from e2e_coverage import types as t


class BowlImpl:
    def __init__(self, grams: int) -> None:
        self.grams = grams

    def weigh(self) -> int:
        return self.grams

    @staticmethod
    def merge(a: "BowlImpl", grams: int) -> "BowlImpl":
        return BowlImpl(a.grams + grams)


class Echo:
    Bowl = BowlImpl

    def bools(self, x: bool) -> bool: return x
    def ints(self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> tuple[int, int, int, int, int, int, int, int]: return (a, b, c, d, e, f, g, h)
    def floats(self, a: float, b: float) -> tuple[float, float]: return (a, b)
    def chars(self, c: str) -> str: return c
    def strings(self, s: str) -> str: return s
    def bytes_(self, b: bytes) -> bytes: return b
    def lists(self, l: list[list[str]]) -> list[list[str]]: return l
    def records(self, r: t.Mixed) -> t.Mixed: return r
    def enums(self, c: t.Color) -> t.Color: return c
    def flag_sets(self, p: t.Perms) -> t.Perms: return p
    def variants(self, s: t.Shape) -> t.Shape: return s
    def options(self, o: Optional[str]) -> Optional[str]: return o
    def nested_options(self, o: Optional[cov.Some[Optional[int]]]) -> Optional[cov.Some[Optional[int]]]: return o
    def results(self, r: cov.Result[int, str]) -> int:
        if isinstance(r, cov.Err):
            raise r
        return r.value
    def unit_results(self, r: cov.Result[None, None]) -> None: return None
    def ambiguous_results(self, r: cov.Result[str, str]) -> str: return "x"
    def tuples(self, t_: tuple[int, str, bytes]) -> tuple[int, str, bytes]: return t_
    def list_of_records(self, l: list[t.Point]) -> list[t.Point]: return l
    def fallible(self, ok: bool) -> str:
        raise cov.Err(t.Color.RED)
    def nothing(self) -> None: pass
    def drawings(self, d: t.Drawing) -> t.Drawing: return d
    def nested(self, x: Optional[cov.Result[list[Optional[int]], str]]) -> Optional[cov.Result[list[Optional[int]], str]]: return x
    def weigh_plus(self, a: "BowlImpl", grams: int) -> int: return a.grams + grams
    def host_double(self, x: int) -> int: return 2 * x


def main(engine: Engine, component: Component, store: Store) -> int:
    linker = Linker(engine)
    e = Echo()
    cov.Coverage.add_to_linker(linker, host_echo=e, imports=e)
    world = cov.Coverage.instantiate(store, component, linker)
    c = cov.guest_echo.Counter(world.guest_echo, store, 1)
    with c:
        n = c.increment(store)
    d: t.Drawing = world.guest_echo.drawings(store, t.Drawing("x", [t.Shape_Empty()], None, t.Perms.READ, (t.Point(1, 2), t.Shape_Circle(1.0))))
    s: t.Shape = t.Shape_Rect(t.Point(0, 0))
    world.guest_echo.variants(store, s)
    world.guest_echo.results(store, cov.Ok(1))
    world.guest_echo.nested(store, cov.Err("x"))
    return n + cov.guest_echo.Counter.sum(world.guest_echo, store, c, c) + len(d.name)
