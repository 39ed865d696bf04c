from typing import Any

import wit_world
from wit_world import exports, host_double
from wit_world.imports import host_echo


class WitWorld(wit_world.WitWorld):
    def double_via_host(self, x: int) -> int:
        return host_double(x)


class GuestEcho(exports.GuestEcho):
    # Each export forwards to the host import of the same name, so one call
    # carries a value host -> guest -> host and back. An Err raised by the
    # host import propagates out of the export as its err result.
    def bools(self, *args: Any) -> Any:
        return host_echo.bools(*args)

    def ints(self, *args: Any) -> Any:
        return host_echo.ints(*args)

    def floats(self, *args: Any) -> Any:
        return host_echo.floats(*args)

    def chars(self, *args: Any) -> Any:
        return host_echo.chars(*args)

    def strings(self, *args: Any) -> Any:
        return host_echo.strings(*args)

    def bytes(self, *args: Any) -> Any:
        return host_echo.bytes(*args)

    def lists(self, *args: Any) -> Any:
        return host_echo.lists(*args)

    def records(self, *args: Any) -> Any:
        return host_echo.records(*args)

    def enums(self, *args: Any) -> Any:
        return host_echo.enums(*args)

    def flag_sets(self, *args: Any) -> Any:
        return host_echo.flag_sets(*args)

    def variants(self, *args: Any) -> Any:
        return host_echo.variants(*args)

    def options(self, *args: Any) -> Any:
        return host_echo.options(*args)

    def nested_options(self, *args: Any) -> Any:
        return host_echo.nested_options(*args)

    def results(self, *args: Any) -> Any:
        return host_echo.results(*args)

    def unit_results(self, *args: Any) -> Any:
        return host_echo.unit_results(*args)

    def ambiguous_results(self, *args: Any) -> Any:
        return host_echo.ambiguous_results(*args)

    def tuples(self, *args: Any) -> Any:
        return host_echo.tuples(*args)

    def list_of_records(self, *args: Any) -> Any:
        return host_echo.list_of_records(*args)

    def fallible(self, *args: Any) -> Any:
        return host_echo.fallible(*args)

    def nothing(self, *args: Any) -> Any:
        return host_echo.nothing(*args)

    def drawings(self, *args: Any) -> Any:
        return host_echo.drawings(*args)

    def nested(self, *args: Any) -> Any:
        return host_echo.nested(*args)

    def bowls(self, a: int, b: int) -> tuple[int, int]:
        with host_echo.Bowl(a) as x:
            with host_echo.Bowl.merge(x, b) as merged:
                return merged.weigh(), host_echo.weigh_plus(x, b)

    def trap(self) -> None:
        raise RuntimeError("guest asked to trap")

    def make_counter(self, start: int) -> "guest_echo.Counter":
        return guest_echo.Counter(start)

    def read_counter(self, c: "guest_echo.Counter") -> int:
        return c.value()

    def consume_counter(self, c: "guest_echo.Counter") -> int:
        return c.value()

    def make_counters(self, starts: list[int]) -> list["guest_echo.Counter"]:
        return [guest_echo.Counter(s) for s in starts]

    def maybe_counter(self, start: int | None) -> "guest_echo.Counter | None":
        return None if start is None else guest_echo.Counter(start)

    def total(self, cs: list["guest_echo.Counter"]) -> int:
        return sum(c.value() for c in cs)

    def consume_plus(self, c: "guest_echo.Counter", n: int) -> int:
        return c.value() + n

    def consume_all(self, cs: list["guest_echo.Counter"]) -> int:
        return sum(c.value() for c in cs)

    def consume_and_read(self, c: "guest_echo.Counter", d: "guest_echo.Counter") -> int:
        return c.value() + d.value()


import guest_echo  # noqa: E402  (exported resources live in a module named after the interface)
