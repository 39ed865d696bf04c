"""The coverage world: every WIT value type crosses host -> guest -> host
and back through generated bindings on both sides, and comes back equal."""

from __future__ import annotations

import math
from unittest import mock
from types import SimpleNamespace
from typing import Any, Iterator, Optional

import pytest
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker


class EchoHost:
    """Implements `host-echo` and the world's `host-double` as a user would:
    each function returns what it got, and records the call."""

    def __init__(self, pkg: Any) -> None:
        self.pkg = pkg
        self.seen: list[tuple[str, tuple[Any, ...]]] = []
        self.fail: Optional[BaseException] = None
        host = self

        class Bowl:
            def __init__(self, grams: int) -> None:
                self.grams = grams
                host.seen.append(("Bowl", (grams,)))

            def weigh(self) -> int:
                return self.grams

            @staticmethod
            def merge(a: "Bowl", grams: int) -> "Bowl":
                return Bowl(a.grams + grams)

            def close(self) -> None:
                host.seen.append(("close", (self.grams,)))

        self.Bowl = Bowl

    def _echo(self, name: str, *args: Any) -> Any:
        self.seen.append((name, args))
        if self.fail is not None:
            raise self.fail
        return args[0] if len(args) == 1 else args

    def bools(self, x: bool) -> bool:
        return self._echo("bools", x)  # type: ignore[no-any-return]

    def ints(self, *args: int) -> tuple[int, ...]:
        return self._echo("ints", *args)  # type: ignore[no-any-return]

    def floats(self, a: float, b: float) -> tuple[float, float]:
        return self._echo("floats", a, b)  # type: ignore[no-any-return]

    def chars(self, c: str) -> str:
        return self._echo("chars", c)  # type: ignore[no-any-return]

    def strings(self, s: str) -> str:
        return self._echo("strings", s)  # type: ignore[no-any-return]

    def bytes_(self, b: bytes) -> bytes:
        return self._echo("bytes_", b)  # type: ignore[no-any-return]

    def lists(self, l: list[list[str]]) -> list[list[str]]:  # noqa: E741
        return self._echo("lists", l)  # type: ignore[no-any-return]

    def records(self, r: Any) -> Any:
        return self._echo("records", r)

    def enums(self, c: Any) -> Any:
        return self._echo("enums", c)

    def flag_sets(self, p: Any) -> Any:
        return self._echo("flag_sets", p)

    def variants(self, s: Any) -> Any:
        return self._echo("variants", s)

    def options(self, o: Optional[str]) -> Optional[str]:
        return self._echo("options", o)  # type: ignore[no-any-return]

    def nested_options(self, o: Any) -> Any:
        return self._echo("nested_options", o)

    # A `result` return: the ok value is returned, the error raised as Err.
    def results(self, r: Any) -> int:
        return self._unwrap(self._echo("results", r))

    def unit_results(self, r: Any) -> None:
        self._unwrap(self._echo("unit_results", r))

    def ambiguous_results(self, r: Any) -> str:
        return self._unwrap(self._echo("ambiguous_results", r))

    def _unwrap(self, r: Any) -> Any:
        if isinstance(r, self.pkg.Err):
            raise r
        assert isinstance(r, self.pkg.Ok)
        return r.value

    def tuples(self, t: Any) -> Any:
        return self._echo("tuples", t)

    def list_of_records(self, l: Any) -> Any:  # noqa: E741
        return self._echo("list_of_records", l)

    def fallible(self, ok: bool) -> str:
        self._echo("fallible", ok)
        if ok:
            return "fine"
        raise self.pkg.Err(self.pkg.types.Color.BLUE_ISH)

    def nothing(self) -> None:
        self.seen.append(("nothing", ()))

    def drawings(self, d: Any) -> Any:
        return self._echo("drawings", d)

    def nested(self, x: Any) -> Any:
        return self._echo("nested", x)

    def weigh_plus(self, a: Any, grams: int) -> int:
        return int(a.grams * 1000 + grams)

    def host_double(self, x: int) -> int:
        return 2 * x


@pytest.fixture
def coverage(bindings: SimpleNamespace, guest: Any, engine: Engine) -> Iterator[SimpleNamespace]:
    pkg = bindings.coverage
    host = EchoHost(pkg)
    linker = Linker(engine)
    pkg.Coverage.add_to_linker(linker, host_echo=host, imports=host)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    world = pkg.Coverage.instantiate(store, guest("coverage"), linker)
    yield SimpleNamespace(
        pkg=pkg, t=pkg.types, world=world, echo=world.guest_echo, Counter=pkg.guest_echo.Counter, store=store, host=host
    )


def _roundtrips(pkg: Any) -> list[tuple[str, tuple[Any, ...], Any]]:
    t, Ok, Err, Some = pkg.types, pkg.Ok, pkg.Err, pkg.Some
    Point, Mixed, Color, Perms = t.Point, t.Mixed, t.Color, t.Perms
    mins = (0, -(2**7), 0, -(2**15), 0, -(2**31), 0, -(2**63))
    maxs = (2**8 - 1, 2**7 - 1, 2**16 - 1, 2**15 - 1, 2**32 - 1, 2**31 - 1, 2**64 - 1, 2**63 - 1)
    drawing = t.Drawing(
        "d",
        [t.Shape_Circle(0.5), t.Shape_Rect(Point(-1, 1)), t.Shape_Empty()],
        Color.GREEN,
        Perms.READ | Perms.WRITE | Perms.EXEC,
        (Point(2**31 - 1, -(2**31)), t.Shape_Empty()),
    )
    return [
        ("bools", (True,), True),
        ("bools", (False,), False),
        ("ints", mins, mins),
        ("ints", maxs, maxs),
        ("ints", (1,) * 8, (1,) * 8),
        ("floats", (1.5, -0.0), (1.5, -0.0)),
        ("floats", (math.inf, -math.inf), (math.inf, -math.inf)),
        ("floats", (3.4028234663852886e38, 1.7976931348623157e308), (3.4028234663852886e38, 1.7976931348623157e308)),
        ("floats", (1.401298464324817e-45, 5e-324), (1.401298464324817e-45, 5e-324)),  # subnormals
        ("floats", (1, 2), (1.0, 2.0)),  # ints are accepted for floats
        ("chars", ("a",), "a"),
        ("chars", ("\U0001F600",), "\U0001F600"),  # outside the BMP
        ("chars", ("\U0010FFFF",), "\U0010FFFF"),
        ("chars", ("\x00",), "\x00"),
        ("strings", ("",), ""),
        ("strings", ("héllo\x00wörld ✓ 😀 𝄞",), "héllo\x00wörld ✓ 😀 𝄞"),
        ("strings", ("x" * 100_000,), "x" * 100_000),
        ("bytes_", (b"",), b""),
        ("bytes_", (bytes(range(256)),), bytes(range(256))),
        ("bytes_", (bytearray(b"ab"),), b"ab"),
        ("lists", ([],), []),
        ("lists", ([["a", "b"], [], ["ü"]],), [["a", "b"], [], ["ü"]]),
        ("records", (Mixed(True, "n", Point(1, -2), ["t"], None),), Mixed(True, "n", Point(1, -2), ["t"], None)),
        ("records", (Mixed(False, "", Point(0, 0), [], 2**64 - 1),), Mixed(False, "", Point(0, 0), [], 2**64 - 1)),
        ("enums", (Color.RED,), Color.RED),
        ("enums", (Color.BLUE_ISH,), Color.BLUE_ISH),
        ("flag_sets", (Perms(0),), Perms(0)),
        ("flag_sets", (Perms.READ | Perms.EXEC,), Perms.READ | Perms.EXEC),
        ("flag_sets", (Perms.READ | Perms.WRITE | Perms.EXEC,), Perms.READ | Perms.WRITE | Perms.EXEC),
        ("variants", (t.Shape_Circle(1.5),), t.Shape_Circle(1.5)),
        ("variants", (t.Shape_Rect(Point(3, 4)),), t.Shape_Rect(Point(3, 4))),
        ("variants", (t.Shape_Empty(),), t.Shape_Empty()),
        ("options", (None,), None),
        ("options", ("",), ""),
        ("options", ("x",), "x"),
        ("nested_options", (None,), None),
        ("nested_options", (Some(None),), Some(None)),
        ("nested_options", (Some(0),), Some(0)),
        ("nested_options", (Some(2**32 - 1),), Some(2**32 - 1)),
        ("results", (Ok(5),), 5),
        ("unit_results", (Ok(None),), None),
        ("ambiguous_results", (Ok("a"),), "a"),
        ("ambiguous_results", (Ok(""),), ""),
        ("tuples", ((0, "", b""),), (0, "", b"")),
        ("tuples", ((255, "s", b"\x00"),), (255, "s", b"\x00")),
        ("list_of_records", ([],), []),
        ("list_of_records", ([Point(1, 2), Point(3, 4)],), [Point(1, 2), Point(3, 4)]),
        ("fallible", (True,), "fine"),
        ("nothing", (), None),
        ("drawings", (drawing,), drawing),
        ("drawings", (t.Drawing("", [], None, Perms(0), (Point(0, 0), t.Shape_Circle(-1.0))),),
         t.Drawing("", [], None, Perms(0), (Point(0, 0), t.Shape_Circle(-1.0)))),
        ("nested", (None,), None),
        ("nested", (Ok([]),), Ok([])),
        ("nested", (Ok([None, 7, None, 2**32 - 1]),), Ok([None, 7, None, 2**32 - 1])),
        ("nested", (Err(""),), Err("")),
        ("nested", (Err("bad"),), Err("bad")),
    ]




# The cases need the generated classes, which exist only once the session
# fixture ran: collect their names with stand-ins.
ROUNDTRIP_IDS = [f"{i}-{name}" for i, (name, _, _) in enumerate(_roundtrips(mock.MagicMock()))]


@pytest.mark.parametrize("index", range(len(ROUNDTRIP_IDS)), ids=ROUNDTRIP_IDS)
def test_roundtrip(coverage: SimpleNamespace, index: int) -> None:
    name, args, expected = _roundtrips(coverage.pkg)[index]
    out = getattr(coverage.echo, name)(coverage.store, *args)
    assert out == expected
    assert type(out) is type(expected)
    # The host saw the typed values the caller passed (after one guest hop).
    if name not in ("nothing", "fallible"):
        seen_name, seen_args = coverage.host.seen[-1]
        assert seen_name == name
        if name in ("results", "unit_results", "ambiguous_results"):
            assert seen_args == args
        elif name != "floats" or args != (1, 2):
            assert seen_args == tuple(bytes(a) if isinstance(a, bytearray) else a for a in args)


def test_nan_crosses_both_ways(coverage: SimpleNamespace) -> None:
    a, b = coverage.echo.floats(coverage.store, math.nan, -math.nan)
    assert math.isnan(a) and math.isnan(b)
    seen = coverage.host.seen[-1][1]
    assert math.isnan(seen[0]) and math.isnan(seen[1])


def test_f32_rounds(coverage: SimpleNamespace) -> None:
    a, b = coverage.echo.floats(coverage.store, 0.1, 0.1)
    assert a == 0.10000000149011612 and b == 0.1
    assert coverage.echo.floats(coverage.store, 1e40, 1e308) == (math.inf, 1e308)


def test_one_megabyte_of_bytes(coverage: SimpleNamespace) -> None:
    data = bytes(i * 7 % 256 for i in range(1 << 20))
    assert coverage.echo.bytes_(coverage.store, data) == data
    assert coverage.host.seen[-1][1][0] == data


@pytest.mark.parametrize(
    "name, args, error",
    [
        ("results", "Err('bad')", "Err('bad')"),
        ("unit_results", "Err(None)", "Err(None)"),
        ("ambiguous_results", "Err('e')", "Err('e')"),
        ("ambiguous_results", "Err('')", "Err('')"),
        ("fallible", "False", "Err(t.Color.BLUE_ISH)"),
    ],
)
def test_result_errors_are_raised_as_err(coverage: SimpleNamespace, name: str, args: str, error: str) -> None:
    """The host raises Err; the guest returns it as the WIT error; the host
    calling the export gets it raised as Err. Not a trap."""
    env = {"Err": coverage.pkg.Err, "t": coverage.t}
    with pytest.raises(coverage.pkg.Err) as info:
        getattr(coverage.echo, name)(coverage.store, eval(args, env))
    assert info.value == eval(error, env)
    assert coverage.echo.bools(coverage.store, True) is True


def test_world_level_import_and_export(coverage: SimpleNamespace) -> None:
    assert coverage.world.double_via_host(coverage.store, 21) == 42
    with pytest.raises(ValueError, match="x: .*out of range for u32"):
        coverage.world.double_via_host(coverage.store, -1)


def test_a_host_resource_through_constructor_static_method_and_function(coverage: SimpleNamespace) -> None:
    """`bowls` makes a host bowl, merges it (a static taking a borrow) and
    weighs it (a method, and a function taking a borrow)."""
    assert coverage.echo.bowls(coverage.store, 3, 4) == (7, 3004)
    closed = sorted(args[0] for name, args in coverage.host.seen if name == "close")
    assert closed == [3, 7]  # every bowl released by the guest and closed
    assert coverage.echo.bowls(coverage.store, 0, 2**31) == (2**31, 2**31)
