"""Awaited calls, async host functions and cancellation (`_async`), with a
WAT component: `spin(n)` computes for a while, `via-host(x)` returns
``host(x) + 1``, `checked(x)` returns 0 or 1 as ``check(x)`` (a WIT
``result``) succeeded or failed."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Callable, Optional

import pytest
from wasmtime import Config, Engine, Store
from wasmtime.component import Component, Linker

import witgen_runtime as _rt

SPIN_WAT = """(component
  (import "host" (func $host (param "x" u32) (result u32)))
  (import "check" (func $check (param "x" u32) (result (result))))
  (core func $h (canon lower (func $host)))
  (core func $c (canon lower (func $check)))
  (core module $M
    (import "" "host" (func $host (param i32) (result i32)))
    (import "" "check" (func $check (param i32) (result i32)))
    (func (export "spin") (param $n i64) (result i64)
      (local $i i64) (local $acc i64)
      (block $done (loop $l
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $i) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $l)))
      (local.get $acc))
    (func (export "via-host") (param i32) (result i32)
      (i32.add (call $host (local.get 0)) (i32.const 1)))
    (func (export "checked") (param i32) (result i32)
      (call $check (local.get 0))))
  (core instance $m (instantiate $M (with "" (instance (export "host" (func $h)) (export "check" (func $c))))))
  (alias core export $m "spin" (core func $spin))
  (alias core export $m "via-host" (core func $via))
  (alias core export $m "checked" (core func $checked))
  (func (export "spin") (param "n" u64) (result u64) (canon lift (core func $spin)))
  (func (export "via-host") (param "x" u32) (result u32) (canon lift (core func $via)))
  (func (export "checked") (param "x" u32) (result u32) (canon lift (core func $checked))))"""

FOREVER = 1 << 62  # iterations of `spin`: far longer than any test


def sum_of_squares(n: int) -> int:
    return (n - 1) * n * (2 * n - 1) // 6 % (1 << 64)


@pytest.fixture(scope="module")
def engine() -> Engine:
    config = Config()
    config.epoch_interruption = True
    return Engine(config)


@pytest.fixture(scope="module")
def component(engine: Engine) -> Component:
    return Component(engine, SPIN_WAT)


class Guest:
    """One instance in its own store, with awaited calls."""

    def __init__(self, engine: Engine, component: Component, host: Callable[[int], Any],
                 check: Optional[Callable[[int], Any]] = None) -> None:
        linker = Linker(engine)
        fixed = _rt.host_getter(object(), ())
        with linker.root() as root:
            _rt.add_func(root, "host", _rt.host_func("host", fixed, lambda _h, x: host(x), [("x", _rt.U32)], _rt.U32))
            _rt.add_func(root, "check", _rt.host_func("check", fixed, lambda _h, x: (check or (lambda _: None))(x),
                                                      [("x", _rt.U32)], _rt.ResultOf(None, None), raises=True))
        self.store = Store(engine)
        self.calls = _rt.store_calls(self.store)
        self.state = _rt.InstanceState(self.store, _rt.instantiate(self.store, component, linker), "spin")
        self.spin = _rt.ExportFunc(self.state, None, "spin", [("n", _rt.U64)], _rt.U64)
        self.via_host = _rt.ExportFunc(self.state, None, "via-host", [("x", _rt.U32)], _rt.U32)
        self.checked = _rt.ExportFunc(self.state, None, "checked", [("x", _rt.U32)], _rt.U32)

    async def run(self, func: _rt.ExportFunc, *args: Any) -> Any:
        return await self.calls.run(func, self.store, *args)


def double(x: int) -> int:
    return 2 * x


def test_an_awaited_call_returns_and_the_loop_keeps_serving(engine: Engine, component: Component) -> None:
    guest = Guest(engine, component, double)
    n = 30_000_000

    async def main() -> tuple[Any, int]:
        ticks = 0
        call = asyncio.ensure_future(guest.run(guest.spin, n))
        while not call.done():
            await asyncio.sleep(0.001)
            ticks += 1
        return call.result(), ticks

    result, ticks = asyncio.run(main())
    assert result == sum_of_squares(n)
    assert ticks >= 3  # the loop ran while the guest computed


def test_one_call_at_a_time_per_store_each_store_its_own_thread(engine: Engine, component: Component) -> None:
    seen: list[tuple[str, int]] = []
    running = [0]
    overlap = [False]

    def host(x: int) -> int:
        running[0] += 1
        overlap[0] |= running[0] > 1
        time.sleep(0.01)
        seen.append((threading.current_thread().name, x))
        running[0] -= 1
        return x

    a, b = Guest(engine, component, host), Guest(engine, component, double)

    async def main() -> list[Any]:
        return list(await asyncio.gather(*(a.run(a.via_host, i) for i in range(5)), b.run(b.via_host, 7)))

    assert asyncio.run(main()) == [1, 2, 3, 4, 5, 15]
    assert not overlap[0]
    assert len({name for name, _ in seen}) == 1 and seen[0][0] != threading.current_thread().name


def test_async_host_functions_run_on_the_awaiting_loop(engine: Engine, component: Component) -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def host(x: int) -> int:
        loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0.01)
        return 10 * x

    async def check(x: int) -> None:
        await asyncio.sleep(0)
        if x:
            raise _rt.Err(None)

    guest = Guest(engine, component, host, check)

    async def main() -> tuple[Any, Any, Any, asyncio.AbstractEventLoop]:
        return (await guest.run(guest.via_host, 4), await guest.run(guest.checked, 0),
                await guest.run(guest.checked, 1), asyncio.get_running_loop())

    via, ok, failed, loop = asyncio.run(main())
    assert (via, ok, failed) == (41, 0, 1)
    assert loops == [loop]


def test_an_async_host_exception_is_a_trap_with_its_cause(engine: Engine, component: Component) -> None:
    async def host(x: int) -> int:
        await asyncio.sleep(0)
        raise KeyError("no such key")

    guest = Guest(engine, component, host)
    with pytest.raises(_rt.Trap, match="host function host raised KeyError") as info:
        asyncio.run(guest.run(guest.via_host, 1))
    assert isinstance(info.value.__cause__, KeyError)
    with pytest.raises(_rt.InstancePoisonedError):
        asyncio.run(guest.run(guest.via_host, 1))


def test_an_async_host_called_without_await_is_a_clear_trap(engine: Engine, component: Component) -> None:
    async def host(x: int) -> int:
        return x

    guest = Guest(engine, component, host)
    with pytest.raises(_rt.Trap) as info:
        guest.via_host(guest.store, 1)
    assert "is async" in str(info.value.__cause__) and "Async class" in str(info.value.__cause__)


def test_a_timeout_interrupts_only_the_cancelled_store(engine: Engine, component: Component) -> None:
    slow, other = Guest(engine, component, double), Guest(engine, component, double)
    n = 60_000_000

    async def main() -> tuple[float, Any]:
        busy = asyncio.ensure_future(other.run(other.spin, n))
        start = time.perf_counter()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(slow.run(slow.spin, FOREVER), 0.1)
        return time.perf_counter() - start, await busy

    elapsed, result = asyncio.run(main())
    assert elapsed < 5
    assert result == sum_of_squares(n)  # the other store went on
    assert other.state.poisoned is None
    with pytest.raises(_rt.InstancePoisonedError, match="was cancelled, which interrupted the guest"):
        slow.spin(slow.store, 1)


def test_cancelling_says_the_store_is_poisoned(engine: Engine, component: Component) -> None:
    guest = Guest(engine, component, double)

    async def main() -> BaseException:
        call = asyncio.ensure_future(guest.run(guest.spin, FOREVER))
        await asyncio.sleep(0.05)
        call.cancel()
        try:
            await call
        except asyncio.CancelledError as e:
            return e
        raise AssertionError("not cancelled")

    error = asyncio.run(main())
    assert "cancelled" in str(error) and "poisoned" in str(error)


def test_cancelling_a_guest_waiting_for_an_async_host_cancels_the_host(engine: Engine, component: Component) -> None:
    cancelled = []

    async def host(x: int) -> int:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(x)
            raise
        return x

    guest = Guest(engine, component, host)

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(guest.run(guest.via_host, 5), 0.05)

    asyncio.run(main())
    assert cancelled == [5]
    assert guest.state.poisoned is not None


def test_a_call_cancelled_before_it_starts_leaves_the_store_usable(engine: Engine, component: Component) -> None:
    guest = Guest(engine, component, double)

    async def main() -> Any:
        first = asyncio.ensure_future(guest.run(guest.spin, 20_000_000))
        queued = asyncio.ensure_future(guest.run(guest.via_host, 1))
        await asyncio.sleep(0.005)
        queued.cancel()
        await first
        return await guest.run(guest.via_host, 2)

    assert asyncio.run(main()) == 5
    assert guest.state.poisoned is None


def test_an_async_host_awaiting_its_own_store_is_refused(engine: Engine, component: Component) -> None:
    guest: list[Guest] = []

    async def host(x: int) -> int:
        g = guest[0]
        result: int = await g.run(g.via_host, x)
        return result

    guest.append(Guest(engine, component, host))
    with pytest.raises(_rt.Trap) as info:
        asyncio.run(guest[0].run(guest[0].via_host, 1))
    assert "would wait forever" in str(info.value.__cause__)


def test_a_plain_call_while_an_awaited_one_runs_in_the_store_is_refused(engine: Engine, component: Component) -> None:
    # wasm of one store must never run on two threads at once: the plain
    # call is refused before it runs, and works again once the store is free.
    guest = Guest(engine, component, double)
    other = Guest(engine, component, double)

    async def main() -> tuple[Any, Any, Any]:
        long = asyncio.ensure_future(guest.run(guest.spin, 20_000_000))
        await asyncio.sleep(0.01)
        with pytest.raises(_rt.WitError, match="an awaited call into this store .* is running"):
            guest.via_host(guest.store, 1)
        assert other.via_host(other.store, 1) == 3  # another store is not held up
        await long
        inner = await guest.calls.run(lambda: guest.via_host(guest.store, 2))  # plain calls an awaited one makes
        return guest.via_host(guest.store, 3), inner, guest.state.poisoned

    assert asyncio.run(main()) == (7, 5, None)


def test_an_engine_without_epoch_interruption_is_refused() -> None:
    with pytest.raises(_rt.UnsupportedError, match="epoch_interruption = True"):
        _rt.store_calls(Store(Engine()))
