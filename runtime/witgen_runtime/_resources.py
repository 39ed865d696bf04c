"""Resources: those the host implements (the component imports them) and
those the component implements (it exports them), as codecs over wasmtime's
C handles.

Converting a handle needs the store and, when lowering an export's
arguments, the call's `CallScope`: codecs read both from the per-thread
`Context` the call sets (`_store.current`).
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Optional, Type, TypeVar

from . import _capi as C
from ._capi import MEM, pack_into, unpack_from
from ._errors import ResourceDroppedError, Trap, WitError
from ._store import StoreState, all_hosts, current, hosts_of, plain_call, state_for
from ._types import Type as WitType
from ._values import KINDS, V_RESOURCE, Bad, Codec, _expected, _tname

__all__ = ["HostResource", "Own", "Borrow", "add_host_resource", "GuestResource", "GuestOwn", "GuestBorrow"]

def _to_host_rep(ctx: int, anyp: int) -> int:
    """The rep of a host resource handle (ends a borrow, which must not
    outlive the host call)."""
    t = C.OUT
    err = C.resource_any_to_host(ctx, anyp, t.addr)
    if err:
        raise C.take_error(err)
    host = t.value.value
    rep: int = C.resource_host_rep(host)
    C.resource_host_delete(host)
    return rep


def _new_host_handle(ctx: int, rep: int, type_id: int, addr: int) -> None:
    """Write an own handle to host resource `rep` as the value at `addr`."""
    host = C.resource_host_new(True, rep, type_id)
    err = C.resource_host_to_any(ctx, host, addr + 8)
    C.resource_host_delete(host)
    if err:
        raise C.take_error(err)
    MEM[addr] = V_RESOURCE


# --------------------------------------------------------------------------
# Resources the host implements


class _Implementation:
    __slots__ = ("get", "attr")

    def __init__(self, get: Callable[[StoreState], Any], attr: str) -> None:
        self.get = get
        self.attr = attr


# ResourceType.host(id), a u32: one per WIT resource in the process, so
# every generated package's `HostResource` for it agrees, and different
# resources never collide.
_RESOURCE_IDS: dict[str, int] = {}


class HostResource:
    """A resource type the host implements; one per WIT resource. Values of
    it are host objects; the guest holds handles into the store's table."""

    def __init__(self, qualname: str) -> None:
        self.qualname = qualname
        self.name = qualname.rsplit("/", 1)[-1]
        self.type_id = _RESOURCE_IDS.setdefault(qualname, len(_RESOURCE_IDS) + 1)

    def check(self, value: Any, state: StoreState) -> None:
        """A host object passed where this resource is expected must be an
        instance of a class implementing it: anything else would reach the
        guest, trap when it calls the resource, and poison the store.

        The classes are ``<attr>`` of the hosts given to `add_to_linker`
        for this store (a projection may pick another host per store; one
        that fails for this store is not this store's host), found once
        per store and resource."""
        known = state.host_classes.get(self.type_id)
        if known is None or known[0] != len(state.hosts) or not state.hosts:
            known = (len(state.hosts), *self._classes(state))
            if state.hosts:  # (all_hosts() may change: not kept)
                state.host_classes[self.type_id] = known
        _, classes, factory = known
        if type(value) in classes or any(isinstance(value, c) for c in classes):
            return
        if factory or not classes:
            # The class is unknown (a factory, or defined some other way than
            # add_to_linker): only the obvious mistakes can be refused.
            if value is None or isinstance(value, (str, bytes, int, float, list, tuple, dict)):
                raise Bad(TypeError, f"expected a host object implementing {self.name}, got {_tname(value)}")
            return
        same = [c for c in classes if c.__name__ == type(value).__name__]
        raise Bad(TypeError, _expected(same[0] if same else classes[0], value))

    def _classes(self, state: StoreState) -> tuple[tuple[type, ...], bool]:
        """(the classes implementing this resource for the store, whether a
        host gives a factory instead of a class)."""
        classes: list[type] = []
        factory = False
        # A store instantiated some other way than `instantiate`: every linker.
        for impl in [i for hosts in state.hosts or all_hosts() for i in hosts.get(self.type_id, ())]:
            try:
                cls = getattr(impl.get(state), impl.attr)
            except Exception:
                continue
            if not isinstance(cls, type):
                factory = True
            elif cls not in classes:
                classes.append(cls)
        return tuple(classes), factory


class _HostHandle(Codec):
    kind = V_RESOURCE
    size = align = 4
    borrow = False

    @property
    def uses_context(self) -> bool:
        return True

    def __init__(self, resource: HostResource) -> None:
        self.resource = resource
        self.wit = f"{'borrow' if self.borrow else 'own'}<{resource.qualname}>"

    def wit_type(self) -> WitType:
        return KINDS["borrow" if self.borrow else "own"].bare


class Own(_HostHandle):
    """``own<R>`` of a host resource: the object itself."""

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        cx = current()
        self.resource.check(v, cx.state)
        scope = cx.scope
        if scope is not None:
            scope.own(v, _tname(v))
        # The guest now holds the object; it comes back via the destructor.
        rep = cx.state.handles.insert(v)
        if scope is not None:
            scope.inserted.append(rep)
        _new_host_handle(cx.ctx, rep, self.resource.type_id, addr)
        if keep is not None:
            # An export's argument: wasmtime copies the handle; free our box.
            anyp = unpack_from("<Q", MEM, addr + 8)[0]
            if scope is not None:
                scope.after.append(lambda: C.resource_any_delete(anyp))

    def lift(self, addr: int) -> Any:
        # Ownership passes to the host: the object leaves the table.
        cx = current()
        return cx.state.handles.remove(_to_host_rep(cx.ctx, unpack_from("<Q", MEM, addr + 8)[0]), self.wit)


class Borrow(_HostHandle):
    """``borrow<R>`` of a host resource (e.g. ``self`` of a method)."""

    borrow = True

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        # Lending a host object to an export for one call: wasmtime cannot
        # lower a host borrow from outside a call, so an own handle is
        # passed (to a borrow parameter) and dropped after the call; the
        # object is only lent, never closed.
        cx = current()
        scope = cx.scope
        if scope is None or keep is None:
            raise Bad(WitError, "a borrow can only be passed to an export")
        self.resource.check(v, cx.state)
        scope.borrow(v, _tname(v))
        handles, ctx = cx.state.handles, cx.ctx
        rep = handles.insert(v, lent=True)
        anyp = 0

        def give_back() -> None:
            handles.discard(rep)
            if anyp:
                C.resource_any_drop(ctx, anyp)  # runs no destructor: the rep is gone
                C.resource_any_delete(anyp)

        scope.after.append(give_back)  # whether or not the call is made
        _new_host_handle(ctx, rep, self.resource.type_id, addr)
        anyp = unpack_from("<Q", MEM, addr + 8)[0]

    def lift(self, addr: int) -> Any:
        cx = current()
        return cx.state.handles.get(_to_host_rep(cx.ctx, unpack_from("<Q", MEM, addr + 8)[0]), self.wit)


def add_host_resource(
    li: Any,
    name: str,
    resource: HostResource,
    get: Optional[Callable[[StoreState], Any]] = None,
    attr: Optional[str] = None,
) -> None:
    """Define ``resource`` under ``name`` in a wasmtime-py `LinkerInstance`;
    a guest drop releases the object and calls its ``close()`` if it has
    one. ``get(state).<attr>`` is the class implementing it (``get`` from
    `host_getter`): host objects passed to exports are checked against it."""
    if get is not None and attr is not None:
        hosts_of(li).setdefault(resource.type_id, []).append(_Implementation(get, attr))

    def destructor(ctx: int, rep: int) -> None:
        try:
            state_for(ctx).handles.release(rep, f"drop of {resource.qualname}")
        except BaseException as e:
            raise Trap(f"destructor of {resource.qualname} raised {type(e).__name__}: {e}") from e

    C.add_resource(li, name, resource.type_id, destructor)


# --------------------------------------------------------------------------
# Resources the component implements

_any_drop, _any_delete = C.resource_any_drop, C.resource_any_delete


GR = TypeVar("GR", bound="GuestResource")


class GuestResource:
    """Base of the generated proxy classes for exported resources.

    Holds an owned handle; ``drop()`` (or leaving a ``with`` block) runs the
    guest's destructor; any use afterwards raises `ResourceDroppedError`."""

    _wit_name: ClassVar[str] = "resource"
    __slots__ = ("_handle", "_instance", "__weakref__")

    _handle: Optional[int]  # a `wasmtime_component_resource_any_t *`
    _instance: Any  # the `InstanceState`

    @classmethod
    def _adopt(cls: Type[GR], instance: Any, handle: int) -> GR:
        # Not `cls.__new__`: a generated class's `__new__` is the guest's constructor.
        self = object.__new__(cls)
        self._handle = handle
        self._instance = instance
        return self

    @property
    def dropped(self) -> bool:
        return self._handle is None

    def drop(self, store: Any = None) -> None:
        """Run the guest's destructor now. Dropping twice is an error.

        ``store``, if given, must be the instance's (as for every call);
        leaving a ``with`` block drops without it."""
        instance = self._instance
        if store is not None and store is not instance.store:
            instance.check_store(store)
        handle = self._handle
        if handle is None:
            raise ResourceDroppedError(f"{self._wit_name}.drop(): this {self._wit_name} was dropped or moved")
        if instance.state.poisoned is not None:
            instance._check()
        with plain_call(instance.state, f"{self._wit_name}.drop()"):
            self._handle = None
            err = _any_drop(instance.ctx, handle)
        _any_delete(handle)
        if err:
            # A host function the guest's destructor called may have failed.
            error = C.take_error(err)
            raise instance._trapped(f"{self._wit_name}.drop()", C.pop_exception(instance.ctx) or error)

    def __enter__(self: GR) -> GR:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._handle is not None:
            self.drop()

    def __del__(self) -> None:
        # Frees the C box only: dropping calls into wasm, which GC must not do.
        handle = getattr(self, "_handle", None)
        if handle is not None:
            self._handle = None
            C.resource_any_delete(handle)

    def __repr__(self) -> str:
        state = "dropped" if self._handle is None else "live"
        return f"<{type(self).__name__} {self._wit_name} ({state})>"


class GuestOwn(Codec):
    """``own<R>`` of a guest resource: a `GuestResource` proxy. Passing one
    moves it (once the call is made); the proxy is unusable afterwards."""

    kind = V_RESOURCE
    size = align = 4
    borrow = False

    @property
    def uses_context(self) -> bool:
        return True

    def __init__(self, cls: Type[GuestResource]) -> None:
        self.cls = cls
        self.wit = f"{'borrow' if self.borrow else 'own'}<{cls._wit_name}>"

    def wit_type(self) -> WitType:
        return KINDS["borrow" if self.borrow else "own"].bare

    def _handle_of(self, v: Any, instance: Any) -> int:
        if not isinstance(v, self.cls):
            raise Bad(TypeError, _expected(self.cls, v))
        handle = v._handle
        if handle is None:
            raise Bad(ResourceDroppedError, f"this {self.cls._wit_name} was dropped or moved")
        if instance is not None and v._instance is not instance:
            # Handles index a per-instance table: wasmtime would trap, or
            # worse, find some other resource under that index.
            raise Bad(ValueError, f"this {self.cls._wit_name} belongs to another instance of the component; "
                                  "resources cannot be passed between instances")
        return handle

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        cx = current()
        handle = self._handle_of(v, cx.instance)
        if keep is None:
            # A host function's result: wasmtime frees it, so give it a copy.
            pack_into("<B7xQ", MEM, addr, V_RESOURCE, C.resource_any_clone(handle))
            if not self.borrow:
                v._handle = None
                C.resource_any_delete(handle)
            return
        scope = cx.scope
        if scope is not None:
            if self.borrow:
                scope.borrow(v, self.cls.__name__)
            else:
                scope.own(v, self.cls.__name__)
                scope.moves.append(v)
        pack_into("<B7xQ", MEM, addr, V_RESOURCE, handle)

    def lift(self, addr: int) -> Any:
        cx = current()
        if cx.instance is None:
            raise Bad(WitError, "a component's own resource passed to a host function is not supported yet")
        return self.cls._adopt(cx.instance, C.resource_any_clone(unpack_from("<Q", MEM, addr + 8)[0]))


class GuestBorrow(GuestOwn):
    """``borrow<R>`` of a guest resource (``self`` of its methods)."""

    borrow = True
