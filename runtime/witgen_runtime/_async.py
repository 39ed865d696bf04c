"""Awaited calls into components, async host functions, and cancellation.

wasmtime-py has no async API, but every C call releases the GIL while wasm
runs. So an awaited call runs the synchronous call on a thread of the
store's own (`StoreCalls`: one worker thread per store, so one call at a
time per store) while the event loop serves other tasks.

A host function whose implementation returns a coroutine (an ``async def``
method) is awaited on the event loop of the awaited call the guest is
running in: the guest's thread waits for it (`await_host`).

Cancelling the awaiting task interrupts the guest with wasmtime's epoch
interruption. The epoch is engine-wide, so each store has its own deadline
callback (`wasmtime_store_epoch_deadline_callback`, which wasmtime-py does
not wrap) that traps only if its store's call was cancelled, and otherwise
lets wasm go on. The trap poisons the store (wasmtime's rule), and the
store's state says it was cancelled.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import ctypes
import itertools
import threading
import weakref
from typing import Any, Callable, Coroutine, NoReturn, Optional, ParamSpec, TypeVar

import wasmtime
from wasmtime import Engine, Store

from . import _capi as C
from ._errors import UnsupportedError, WitError
from ._store import StoreState, store_state

__all__ = ["StoreCalls", "store_calls", "await_host", "epoch_interruption"]

P = ParamSpec("P")
T = TypeVar("T")

# ---- per-store epoch deadline callbacks ---------------------------------------

_deadline_callback_t = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p,
                                        ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_uint8))
_finalizer_t = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_set_deadline_callback = C._fn("wasmtime_store_epoch_deadline_callback", None, ctypes.c_void_p,
                               _deadline_callback_t, ctypes.c_void_p, _finalizer_t)
_CONTINUE = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE

# The stores with a deadline callback, by the id wasmtime hands back as `data`.
_BY_ID: dict[int, "StoreCalls"] = {}
_ids = itertools.count(1)


def _on_deadline(_ctx: Optional[int], data: Optional[int], delta: Any, kind: Any) -> int:
    # Runs on the guest's thread whenever the engine's epoch moves past this
    # store's deadline: only the store whose call was cancelled traps.
    calls = _BY_ID.get(data or 0)
    if calls is not None and calls.interrupting:
        return C.new_error("interrupted: the awaited call was cancelled")
    delta[0] = 1
    kind[0] = _CONTINUE
    return 0


def _forget(data: Optional[int]) -> None:
    if _BY_ID is not None:  # None at interpreter shutdown
        _BY_ID.pop(data or 0, None)


_ON_DEADLINE = _deadline_callback_t(_on_deadline)
_FORGET = _finalizer_t(_forget)

# Engines found to have (or lack) epoch interruption.
_EPOCHS: "weakref.WeakKeyDictionary[Engine, bool]" = weakref.WeakKeyDictionary()
_PROBE = '(module (func (export "f")))'


def epoch_interruption(engine: Engine) -> bool:
    """Whether `engine` was made with ``Config.epoch_interruption = True``
    (wasmtime cannot say: a store whose deadline is now traps on entering
    wasm only if it was; found once per engine)."""
    known = _EPOCHS.get(engine)
    if known is None:
        store = Store(engine)
        store.set_epoch_deadline(0)
        func = wasmtime.Instance(store, wasmtime.Module(engine, _PROBE), []).exports(store)["f"]
        try:
            func(store)  # type: ignore[operator]
            known = False
        except (wasmtime.Trap, wasmtime.WasmtimeError):
            known = True
        _EPOCHS[engine] = known
    return known


# ---- the worker of a store ------------------------------------------------------


class _Worker(threading.local):
    #: The awaited call running on this thread (a store's worker), if any.
    call: Optional["_Call"] = None


_WORKER = _Worker()

# The stores whose async host functions are running in this context: an
# awaited call into one of them would wait for itself.
_HOST_OF: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("witgen_host_of", default=frozenset())


class _Call:
    """One awaited call: the loop awaiting it, whether it was interrupted,
    and the host coroutine the guest waits for, if any."""

    __slots__ = ("loop", "what", "started", "interrupted", "host_future")

    def __init__(self, loop: asyncio.AbstractEventLoop, what: str) -> None:
        self.loop = loop
        self.what = what
        self.started = False
        self.interrupted = False
        self.host_future: Optional[concurrent.futures.Future[Any]] = None


class StoreCalls:
    """The awaited calls of one store: its worker thread (one call at a
    time), and the per-store flag its epoch deadline callback reads."""

    def __init__(self, store: Store, state: StoreState) -> None:
        self._state = state
        self._engine = store.engine
        self._key = C.context(store)
        self._lock = threading.Lock()
        self._running: Optional[_Call] = None
        # Held by the thread inside the store's wasm: the worker for an
        # awaited call, or the thread of a plain one (`_store.plain_call`,
        # and calls compiled by `ExportFunc`). A store is one thread's at a
        # time (wasmtime's rule); reentrant, because the worker runs the
        # plain calls an awaited one is made of.
        self._busy = state.busy = threading.RLock()
        #: Set when a running call is cancelled; the deadline callback then traps.
        self.interrupting = False
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="witgen-store")
        self._id = next(_ids)
        _BY_ID[self._id] = self
        _set_deadline_callback(ctypes.cast(store.ptr(), ctypes.c_void_p).value, _ON_DEADLINE, self._id, _FORGET)
        store.set_epoch_deadline(1)  # every tick asks the callback
        weakref.finalize(store, self._executor.shutdown, wait=False)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on the store's thread, awaited. Cancelling
        the awaiting task interrupts the guest if the call has started
        (the store is then poisoned), and re-raises `CancelledError`."""
        if self._key in _HOST_OF.get():
            raise WitError(
                f"an async host function of this store awaited a call into the same store ({_name(fn)}); "
                "the store runs one call at a time and its guest is waiting for that host function, so "
                "this would wait forever"
            )
        loop = asyncio.get_running_loop()
        call = _Call(loop, _name(fn))
        outcome: asyncio.Future[T] = loop.create_future()
        # The worker settles `outcome` itself (`_settle`): a quarter cheaper
        # than `wrap_future`'s chain of callbacks on every awaited call.
        job = self._executor.submit(self._work, call, fn, args, kwargs, outcome)
        try:
            return await outcome
        except asyncio.CancelledError:
            if not self._interrupt(call):
                raise  # never started: nothing ran, nothing to undo
            await self._stopped(job)
            raise asyncio.CancelledError(
                f"{call.what} was cancelled: the guest was interrupted, so its store is poisoned "
                "(make a new Store and instantiate again)"
            ) from None

    def _work(self, call: _Call, fn: Callable[..., T], args: Any, kwargs: Any, outcome: asyncio.Future[T]) -> None:
        result: Optional[T] = None
        error: Optional[BaseException] = None
        with self._busy:  # waits for a plain call another thread is making, if any
            with self._lock:
                if call.interrupted:
                    return  # cancelled while queued: never run
                call.started = True
                self._running = call
            _WORKER.call = call
            try:
                result = fn(*args, **kwargs)
            except BaseException as e:
                error = e
            finally:
                _WORKER.call = None
                with self._lock:
                    self._running = None
        # Only once the store is free: the awaiting task may call it right away.
        call.loop.call_soon_threadsafe(_settle, outcome, result, error)

    def refuse(self, what: str) -> NoReturn:
        """A plain (not awaited) call `what` found the store busy: wasm of
        one store must not run on two threads at once."""
        running = self._running
        busy = f"an awaited call into this store ({running.what}) is running" if running else (
            "another thread is calling into this store")
        raise WitError(
            f"{what}: {busy}, and a store runs one call at a time: await this call too (the Async "
            "class, or `await store_calls(store).run(...)`), or use another store"
        )

    def _interrupt(self, call: _Call) -> bool:
        """Stop `call`: True if it had started (the guest is being interrupted)."""
        with self._lock:
            call.interrupted = True
            if self._running is not call:
                return False
            self.interrupting = True
            if self._state.poisoned is None:
                self._state.poisoned = f"an awaited call into it ({call.what}) was cancelled, which interrupted the guest"
            host = call.host_future
        if host is not None:
            host.cancel()
        self._engine.increment_epoch()  # every store's callback runs; only this one traps
        return True

    @staticmethod
    async def _stopped(future: concurrent.futures.Future[Any]) -> None:
        """Wait for the interrupted call to end (a trap at the next epoch
        check), so the guest is not running when the caller goes on."""
        while not future.done():
            waiter = asyncio.wrap_future(future)
            # The call's outcome (the trap) no longer matters: retrieve it, or
            # asyncio logs "Future exception was never retrieved".
            waiter.add_done_callback(_ignore_outcome)
            try:
                await asyncio.wait([waiter])
            except asyncio.CancelledError:
                continue  # cancelled again: the guest stops anyway, very soon


def _settle(outcome: asyncio.Future[T], result: Optional[T], error: Optional[BaseException]) -> None:
    """On the loop: the awaited call's result or exception, unless the
    awaiting task gave up on it (cancelled: the error is the interrupt's)."""
    if outcome.done():
        return
    if error is not None:
        outcome.set_exception(error)
    else:
        outcome.set_result(result)  # type: ignore[arg-type]


def _ignore_outcome(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


def store_calls(store: Store) -> StoreCalls:
    """The `StoreCalls` of `store`, made on first use. Its engine must have
    epoch interruption (``Config.epoch_interruption = True``): without it
    a cancelled call could not be stopped, so `UnsupportedError` is raised."""
    state = store_state(store)
    calls = state.calls
    if calls is None:
        if not epoch_interruption(store.engine):
            raise UnsupportedError(
                "awaited calls need an engine with epoch interruption, so that cancelling a call "
                "can stop the guest: config = wasmtime.Config(); config.epoch_interruption = True; "
                "engine = wasmtime.Engine(config)"
            )
        calls = state.calls = StoreCalls(store, state)
    assert isinstance(calls, StoreCalls)
    return calls


# ---- async host functions ---------------------------------------------------------


async def _host(coro: Coroutine[Any, Any, T], key: int) -> T:
    _HOST_OF.set(_HOST_OF.get() | {key})  # this task's context only
    return await coro


def await_host(value: Coroutine[Any, Any, T], qualname: str, ctx: int) -> T:
    """Run a host function's coroutine on the loop awaiting the guest's
    call, the guest's thread waiting for its result. Called on the guest's
    thread by host callbacks whose implementation returned a coroutine."""
    call = _WORKER.call
    if call is None:
        value.close()
        raise WitError(
            f"host function {qualname} is async (it returned a coroutine), but the guest was called "
            "without await: call the component through the world's Async class, which runs the guest "
            "off the event loop and awaits async host functions on it"
        )
    future = asyncio.run_coroutine_threadsafe(_host(value, ctx), call.loop)
    call.host_future = future
    if call.interrupted:
        future.cancel()
    try:
        return future.result()
    finally:
        call.host_future = None
