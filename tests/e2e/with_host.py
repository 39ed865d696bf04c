"""Typed host code for `test_with.py`: it implements host-echo with the
classes of package A (`witgen export`, `e2e_with_host`) and calls the
coverage guest through package B (`witgen import --with`, `e2e_with_world`),
which has no classes of its own for A's interfaces. Checked with
`mypy --strict` together with both packages, and run."""

from __future__ import annotations

from typing import Optional

from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Component, Linker

import e2e_with_host as host_pkg
import e2e_with_world as world_pkg
from e2e_with_host import types as t
from e2e_with_host.host_echo import Host as HostEcho


class BowlImpl:
    def __init__(self, grams: int) -> None:
        self.grams = grams

    def weigh(self) -> int:
        return self.grams

    @staticmethod
    def merge(a: BowlImpl, grams: int) -> BowlImpl:
        return BowlImpl(a.grams + grams)


class Echo:
    Bowl = BowlImpl

    def bools(self, x: bool) -> bool: return x
    def ints(self, a: int, b: int, c: int, d: int, e: int, f: int, g: int, h: int) -> tuple[int, int, int, int, int, int, int, int]: return (a, b, c, d, e, f, g, h)
    def floats(self, a: float, b: float) -> tuple[float, float]: return (a, b)
    def chars(self, c: str) -> str: return c
    def strings(self, s: str) -> str: return s
    def bytes_(self, b: bytes) -> bytes: return b
    def lists(self, l: list[list[str]]) -> list[list[str]]: return l  # noqa: E741
    def records(self, r: t.Mixed) -> t.Mixed: return r
    def enums(self, c: t.Color) -> t.Color: return c
    def flag_sets(self, p: t.Perms) -> t.Perms: return p
    def variants(self, s: t.Shape) -> t.Shape: return s
    def options(self, o: Optional[str]) -> Optional[str]: return o
    def nested_options(self, o: Optional[host_pkg.Some[Optional[int]]]) -> Optional[host_pkg.Some[Optional[int]]]: return o
    def results(self, r: host_pkg.Result[int, str]) -> int:
        if isinstance(r, host_pkg.Err):
            raise r
        return r.value
    def unit_results(self, r: host_pkg.Result[None, None]) -> None: return None
    def ambiguous_results(self, r: host_pkg.Result[str, str]) -> str: return "x"
    def tuples(self, t_: tuple[int, str, bytes]) -> tuple[int, str, bytes]: return t_
    def list_of_records(self, l: list[t.Point]) -> list[t.Point]: return l  # noqa: E741
    def fallible(self, ok: bool) -> str:
        if ok:
            return "fine"
        raise host_pkg.Err(t.Color.BLUE_ISH)
    def nothing(self) -> None: pass
    def drawings(self, d: t.Drawing) -> t.Drawing: return d
    def nested(self, x: Optional[host_pkg.Result[list[Optional[int]], str]]) -> Optional[host_pkg.Result[list[Optional[int]], str]]: return x
    def weigh_plus(self, a: BowlImpl, grams: int) -> int: return a.grams * 1000 + grams
    def host_double(self, x: int) -> int: return 2 * x


def instantiate(engine: Engine, component: Component) -> tuple[Store, world_pkg.Coverage]:
    echo = Echo()
    host: HostEcho = echo  # A's Protocol is the one B's world asks for
    linker = Linker(engine)
    world_pkg.Coverage.add_to_linker(linker, host_echo=host, imports=echo)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    return store, world_pkg.Coverage.instantiate(store, component, linker)


def run(engine: Engine, component: Component) -> dict[str, object]:
    """A's values in and out of B's calls: records, enums, flags, variants,
    results, host resources (A's Protocol) and guest resources (B's proxy)."""
    store, world = instantiate(engine, component)
    echo = world.guest_echo
    drawing = t.Drawing(
        "d", [t.Shape_Circle(0.5), t.Shape_Rect(t.Point(-1, 1)), t.Shape_Empty()], t.Color.GREEN,
        t.Perms.READ | t.Perms.EXEC, (t.Point(3, 4), t.Shape_Empty()),
    )
    mixed: t.Mixed = echo.records(store, t.Mixed(True, "n", t.Point(1, -2), ["x"], 7))
    color: t.Color = echo.enums(store, t.Color.BLUE_ISH)
    perms: t.Perms = echo.flag_sets(store, t.Perms.WRITE)
    shape: t.Shape = echo.variants(store, t.Shape_Rect(t.Point(5, 6)))
    points: list[t.Point] = echo.list_of_records(store, [t.Point(1, 2)])
    try:
        echo.fallible(store, False)
        error: object = None
    except world_pkg.Err as raised:  # the runtime's one `Err`, re-exported by both packages
        error = raised.value
    counter = echo.make_counter(store, 40)
    with counter:
        counted = counter.increment(store) + counter.increment(store)
    return {
        "drawing": echo.drawings(store, drawing) == drawing,
        "mixed": mixed,
        "color": color,
        "perms": perms,
        "shape": shape,
        "points": points,
        "error": error,
        "bowls": echo.bowls(store, 3, 4),  # host resources, through A's add_to_linker
        "counted": counted,  # a guest resource: B's own proxy class
        "double": world.double_via_host(store, 21),
    }
