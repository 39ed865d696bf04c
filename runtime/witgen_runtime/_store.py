"""What the bindings keep per wasmtime store, and how stores get WASI.

One registry for the process: a host implemented through one generated
package finds the store of a component instantiated through another's, and
handle tables and poisoning agree."""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from typing import Any, Callable, Iterator, Optional, Sequence

from wasmtime import Store, WasiConfig
from wasmtime.component import Instance

from ._capi import context, resource_any_delete
from ._errors import CloseError, HandleError, WitError
from ._values import Bad
from ._verify import WorldShape, verify

# --------------------------------------------------------------------------
# Per-store state: host resource handle tables and the Store itself


class HandleTable:
    """Host objects handed to the guest as resources, by ``rep``.

    One per store; ``rep`` is what `ResourceHost` carries (a u32)."""

    def __init__(self) -> None:
        self._objects: dict[int, Any] = {}
        self._lent: set[int] = set()
        self._next = 1

    def __len__(self) -> int:
        return len(self._objects)

    def insert(self, obj: Any, lent: bool = False) -> int:
        """Add ``obj``; ``lent`` objects are never closed by the table."""
        rep = self._next
        while rep in self._objects:  # only after 2**32 inserts
            rep = rep % 0xFFFF_FFFF + 1
        self._next = rep % 0xFFFF_FFFF + 1
        self._objects[rep] = obj
        if lent:
            self._lent.add(rep)
        return rep

    def discard(self, rep: int) -> None:
        self._objects.pop(rep, None)
        self._lent.discard(rep)

    def get(self, rep: int, what: str) -> Any:
        try:
            return self._objects[rep]
        except KeyError:
            raise HandleError(f"{what}: no live resource with handle {rep} in this store") from None

    def remove(self, rep: int, what: str) -> Any:
        try:
            obj = self._objects.pop(rep)
            self._lent.discard(rep)
            return obj
        except KeyError:
            raise HandleError(f"{what}: no live resource with handle {rep} in this store") from None

    def release(self, rep: int, what: str) -> None:
        """The guest dropped its handle: forget the object and close it."""
        if rep in self._lent:
            self.discard(rep)
            return
        _close(self.remove(rep, what))

    def close_all(self) -> list[tuple[Any, BaseException]]:
        """Close every object the guest still holds. wasmtime runs no
        destructors when a store goes away, so call this (via
        `release_store`) when done with a store.

        One failing ``close()`` does not keep the others open: returns each
        (object, exception) that failed. Ctrl-C still stops it."""
        objects, self._objects = self._objects, {}
        lent, self._lent = self._lent, set()
        failed: list[tuple[Any, BaseException]] = []
        for rep, obj in objects.items():
            if rep not in lent:
                try:
                    _close(obj)
                except Exception as e:
                    failed.append((obj, e))
        return failed


def _close(obj: Any) -> None:
    close = getattr(obj, "close", None)
    if callable(close):
        close()


class StoreState:
    """What the bindings keep per wasmtime store."""

    def __init__(self, store: Optional[Store]) -> None:
        self.handles = HandleTable()
        self._store = weakref.ref(store) if store is not None else None
        #: Set by the first trap. wasmtime 49 then refuses every component
        #: call in the store, new instances included.
        self.poisoned: Optional[str] = None
        #: The host classes of the linkers the store's components were
        #: instantiated with (`hosts_of`), kept: a linker may be dropped
        #: once it has instantiated.
        self.hosts: list[dict[int, list[Any]]] = []
        #: HostResource.check's findings: type id -> (len(hosts) when
        #: found, the classes, whether a host gives a factory).
        self.host_classes: dict[int, tuple[int, tuple[type, ...], bool]] = {}
        #: Its `StoreCalls` (`_async`), once a call into it is awaited.
        self.calls: Any = None
        #: Then, held by the thread running the store's wasm (`plain_call`).
        self.busy: Optional[threading.RLock] = None

    @property
    def store(self) -> Optional[Store]:
        return self._store() if self._store is not None else None


# Every generated package uses this one registry, so a host implemented
# through one package's bindings finds the store of a component instantiated
# through another's, and handle tables and poisoning agree.
_STORES: dict[int, StoreState] = {}


def _store_key(store: Any) -> int:
    # Host callbacks get a fresh `StoreContext` per call; its context pointer
    # is the same as the owning `Store`'s, so it identifies the store.
    return context(store)


def register_store(store: Store) -> StoreState:
    """Start fresh bindings state for ``store`` (done by generated
    ``instantiate``). Needed before host functions that project the host
    from the store run, when the component was instantiated another way."""
    key = _store_key(store)
    known = _STORES.get(key)
    if known is not None and known.store is store:
        return known
    # Absent, or left by a dead store at the same address: start afresh.
    state = StoreState(store)
    _STORES[key] = state
    weakref.finalize(store, _forget_store, key, state)
    return state


def _forget_store(key: int, state: StoreState) -> None:
    if _STORES.get(key) is state:
        del _STORES[key]


def release_store(store: Store) -> None:
    """Close the host objects the store's guests still hold handles to and
    forget the store's state. Calls into the store fail afterwards.

    Every object is closed even if some ``close()`` raises; then a
    `CloseError` lists what each failing ``close()`` raised."""
    state = _STORES.pop(_store_key(store), None)
    if state is not None:
        state.poisoned = "release_store() was called on its store"
        failed = state.handles.close_all()
        if failed:
            what = "; ".join(f"{type(obj).__name__}.close() raised {type(e).__name__}: {e}" for obj, e in failed)
            error = CloseError(f"release_store: {len(failed)} host object(s) failed to close: {what}", [e for _, e in failed])
            raise error from failed[0][1]


def store_state(store: Any) -> StoreState:
    """The state for a `Store` or a host callback's `StoreContext`."""
    if isinstance(store, Store):
        state = _STORES.get(_store_key(store))
        return state if state is not None else register_store(store)
    return state_for(_store_key(store))


def state_for(ctx: int) -> StoreState:
    """The state of the store whose C context is `ctx` (host callbacks)."""
    state = _STORES.get(ctx)
    if state is None:
        # A store instantiated some other way than the generated classes.
        state = _STORES[ctx] = StoreState(None)
    return state


# --------------------------------------------------------------------------
# WASI configuration of stores
#
# A component importing WASI, run in a store without `store.set_wasi(...)`
# (or `set_wasi_http()` for wasi:http), does not fail: wasmtime's C API
# panics and the process aborts. The C API cannot say whether a store has
# them, so every copy of this module records the calls (once per process,
# on wasmtime's `Store`), and `prepare_store` supplies deny-all defaults
# to stores that have none.

_WASI_STATE: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()


def _track_wasi_configuration() -> None:
    cls: Any = Store
    if getattr(cls, "_witgen_wasi_tracked", False):
        return
    init, set_wasi, set_wasi_http = cls.__init__, cls.set_wasi, getattr(cls, "set_wasi_http", None)

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        _WASI_STATE[self] = set()  # known from birth: nothing configured yet

    @functools.wraps(set_wasi)
    def set_wasi_tracked(self: Any, wasi: Any) -> None:
        set_wasi(self, wasi)
        _WASI_STATE.setdefault(self, set()).add("wasi")

    cls.__init__ = __init__
    cls.set_wasi = set_wasi_tracked
    if set_wasi_http is not None:

        @functools.wraps(set_wasi_http)
        def set_wasi_http_tracked(self: Any) -> None:
            set_wasi_http(self)
            _WASI_STATE.setdefault(self, set()).add("http")

        cls.set_wasi_http = set_wasi_http_tracked
    cls._witgen_wasi_tracked = True


_track_wasi_configuration()


def prepare_store(store: Store) -> None:
    """Give ``store`` WASI defaults if it has none, so a component that
    imports WASI cannot abort the process: a deny-all ``WasiConfig()`` (no
    arguments, environment variables or preopened directories; stdin empty,
    stdout and stderr discarded) unless ``store.set_wasi(...)`` was called,
    and ``store.set_wasi_http()`` unless it was. Your own ``set_wasi`` call,
    before or after, replaces the default. A store created before any
    bindings were imported is left alone (whether it has WASI is unknown)."""
    configured = _WASI_STATE.get(store)
    if configured is None:
        return
    if "wasi" not in configured:
        store.set_wasi(WasiConfig())
    if "http" not in configured and hasattr(store, "set_wasi_http"):
        store.set_wasi_http()  # harmless unless the linker has wasi:http


def instantiate(store: Store, component: Any, linker: Any, shape: Optional[WorldShape] = None) -> Instance:
    """``linker.instantiate(store, component)`` after `prepare_store`; with
    `shape`, first `verify` the component against it (interface 2)."""
    if shape is not None:
        verify(store.engine, component, shape)
    prepare_store(store)
    # The linker decides which host classes the store's resources accept.
    state, hosts = store_state(store), hosts_of(linker)
    if not any(h is hosts for h in state.hosts):
        state.hosts.append(hosts)
    with plain_call(state, "instantiate"):
        instance: Instance = linker.instantiate(store, component)
    return instance


@contextlib.contextmanager
def plain_call(state: StoreState, what: str) -> Iterator[None]:
    """Around a call into the store that is not awaited: refused while an
    awaited one runs in it (`StoreCalls.enter`); nothing to do in a store
    never awaited."""
    busy = state.busy
    if busy is None:
        yield
        return
    if not busy.acquire(blocking=False):
        state.calls.refuse(what)
    try:
        yield
    finally:
        busy.release()


class CallScope:
    """What lowering one call's values did with resources, so that the call
    can be refused without a trace (nothing moved, nothing left in a handle
    table) and so that one call cannot move a resource twice."""

    __slots__ = ("passed", "moves", "inserted", "after", "called")

    def __init__(self) -> None:
        # id(value) -> whether it was passed as own. The values are the
        # call's own arguments, alive until it ends, so their ids stay unique.
        self.passed: dict[int, bool] = {}
        self.moves: list[Any] = []  # `GuestResource` proxies passed as `own`: moved once the call is made
        self.inserted: list[int] = []  # host objects given as `own`: handles to forget if refused
        self.after: list[Callable[[], Any]] = []  # run when the call ends, made or not
        self.called = False

    def own(self, value: Any, what: str) -> None:
        # The component model moves an `own` handle out of the caller's
        # table (`lift_own`), and traps if it is lent out (`num_lends != 0`):
        # one value cannot be passed as `own` twice, nor as `own` and
        # `borrow`, in one call. (`{first}`: where it was passed first,
        # found by the call on this error path only.)
        owned = self.passed.get(id(value))
        if owned is None:
            self.passed[id(value)] = True
            return
        if owned:
            raise Bad(ValueError, f"this {what} is already passed as own in {{first}} of the same call; "
                                  "an own handle moves, so it can be passed only once", first=value)
        raise Bad(ValueError, f"this {what} is borrowed in {{first}} of the same call, so it cannot also "
                              "be passed as own (the component model forbids moving a lent handle)", first=value)

    def borrow(self, value: Any, what: str) -> None:
        if self.passed.setdefault(id(value), False):
            raise Bad(ValueError, f"this {what} is passed as own in {{first}} of the same call, so it cannot "
                                  "also be borrowed (the component model forbids moving a lent handle)", first=value)

    def refused(self, handles: "HandleTable") -> None:
        """The call was not made: forget the handles given to it."""
        for rep in self.inserted:
            handles.discard(rep)
        self.inserted.clear()
        self.moves.clear()

    def commit(self) -> None:
        """The call is being made: proxies passed as `own` move now (the
        guest has the resource; our box of its handle is freed after)."""
        self.called = True
        for proxy in self.moves:
            handle, proxy._handle = proxy._handle, None
            self.after.append(functools.partial(resource_any_delete, handle))
        self.moves.clear()

    def end(self) -> None:
        after, self.after = self.after, []
        for undo in after:
            undo()


class Context:
    """What lowering and lifting resources need beyond the value: the store
    (and its C context), the instance of an export call, and for lowering
    the scope of the call (see `CallScope`). Codecs find it per thread
    (`current`), set by the call for as long as it converts values."""

    __slots__ = ("store", "ctx", "state", "instance", "scope")

    def __init__(
        self,
        store: Any,
        ctx: int,
        state: StoreState,
        instance: Any = None,
        scope: Optional[CallScope] = None,
    ) -> None:
        self.store = store
        self.ctx = ctx
        self.state = state
        self.instance = instance  # the `InstanceState` of an export call
        self.scope = scope


# Per linker (the one `add_host_resource` defined a resource in), by resource
# type id: what names the classes implementing it (host getter, attribute).
# A store's checks consult only its own linkers' (`StoreState.hosts`), so
# the hosts of other linkers in the process never decide what it accepts.
_HOSTS: "weakref.WeakKeyDictionary[Any, dict[int, list[Any]]]" = weakref.WeakKeyDictionary()


def hosts_of(linker: Any) -> dict[int, list[Any]]:
    """The host registrations of `linker` (a `Linker` or `LinkerInstance`)."""
    while hasattr(linker, "parent"):  # a LinkerInstance's Linker
        linker = linker.parent
    return _HOSTS.setdefault(linker, {})


def all_hosts() -> list[dict[int, list[Any]]]:
    """Every live linker's (for a store instantiated some other way)."""
    return list(_HOSTS.values())


class _Current(threading.local):
    cx: Optional[Context] = None


_current = _Current()


def current() -> Context:
    """The context of the call converting values on this thread."""
    cx = _current.cx
    if cx is None:  # pragma: no cover - calls set it whenever a codec needs it
        raise WitError("resources can only be converted during a call")
    return cx


def set_current(cx: Optional[Context]) -> Optional[Context]:
    """Make `cx` this thread's context; returns the one it replaces."""
    before = _current.cx
    _current.cx = cx
    return before

# Linkers that already have wasmtime's WASI, so two world classes can share one.
_WASI_LINKERS: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()


def add_wasi(linker: Any, http: bool = False) -> None:
    """``linker.add_wasip2()`` (and ``add_wasi_http()``), once per linker:
    wasmtime refuses to define them twice."""
    added = _WASI_LINKERS.setdefault(linker, set())
    if "p2" not in added:
        linker.add_wasip2()
        added.add("p2")
    if http and "http" not in added:
        linker.add_wasi_http()
        added.add("http")


class FixedHost:
    """The getter of a host shared by every store (compiled host functions
    use `host` directly)."""

    __slots__ = ("host",)

    def __init__(self, host: Any) -> None:
        self.host = host

    def __call__(self, _state: StoreState) -> Any:
        return self.host


def host_getter(host: Any, required: Sequence[str]) -> Callable[[StoreState], Any]:
    """``host`` is an object with the attributes ``required``, or a callable
    taking the `Store` and returning one (a projection, e.g. from
    ``store.data()``). Returns: the store's `StoreState` -> host object."""
    if all(hasattr(host, name) for name in required):
        return FixedHost(host)
    if callable(host):
        def project(state: StoreState) -> Any:
            real = state.store
            if real is None:
                raise WitError(
                    "the host is a projection of the store, but this store was never seen by "
                    "the bindings: instantiate through the generated world class, or call "
                    "register_store(store) first"
                )
            return host(real)
        return project
    missing = [name for name in required if not hasattr(host, name)]
    raise TypeError(f"host {host!r:.60} lacks {', '.join(missing)} and is not callable")

