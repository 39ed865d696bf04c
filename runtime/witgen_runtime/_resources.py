"""Resource handles: guest-defined (the component exports them) and host-defined."""

from __future__ import annotations

import itertools
from typing import Any, Optional

from wasmtime.component import ResourceType

from . import _capi as C
from ._capi import MEM, pack_into, unpack_from
from ._func import After, _trap, current_context
from ._func import _ctx as _per_thread
from ._values import Bad, Codec


_any_drop = C.resource_any_drop
_any_delete = C.resource_any_delete


class GuestHandle:
    """A handle to a resource the component defines (owns a `resource_any`)."""

    __slots__ = ("_ptr", "owned", "_ctx")

    def __init__(self, ptr: int, owned: bool, ctx: int) -> None:
        self._ptr: Optional[int] = ptr
        self.owned = owned
        self._ctx = ctx  # the store's context, for drop (the handle belongs to that store)

    def _take(self) -> int:
        if self._ptr is None:
            raise Bad(ValueError, "resource handle was dropped or moved")
        return self._ptr

    def drop(self, store: Any = None) -> None:
        """Run the guest's destructor (for an `own` handle) and free the handle.

        `store` is accepted for symmetry with wasmtime-py; the handle already
        knows its store (converting a store to its context costs ~2 µs)."""
        ptr = self._ptr
        if ptr is None:
            raise ValueError("resource handle was dropped or moved")
        self._ptr = None
        err = _any_drop(self._ctx, ptr)
        _any_delete(ptr)
        if err:
            raise _trap(err, "dropping a resource")

    def __del__(self) -> None:
        # Frees the C box only; dropping calls into wasm, which GC must not do.
        if self._ptr is not None:
            C.resource_any_delete(self._ptr)
            self._ptr = None


class GuestResource(Codec):
    kind = C.RESOURCE

    def __init__(self, borrow: bool, wit: str = "resource") -> None:
        self.borrow = borrow
        self.wit = f"{'borrow' if borrow else 'own'}<{wit}>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not GuestHandle:
            raise Bad(TypeError, f"expected a handle for {self.wit}, got {type(v).__name__}")
        ptr = v._take()
        if keep is not None:
            if not self.borrow:
                # Passing an own moves it: the handle is the guest's now.
                v._ptr = None
                keep.append(After(lambda: C.resource_any_delete(ptr)))
            pack_into("<B7xQ", MEM, addr, C.RESOURCE, ptr)
        else:
            # wasmtime frees a host function's results: give it its own box.
            pack_into("<B7xQ", MEM, addr, C.RESOURCE, C.resource_any_clone(ptr))
            if not self.borrow:
                v._ptr = None
                C.resource_any_delete(ptr)

    def lift(self, addr: int) -> Any:
        ptr = unpack_from("<Q", MEM, addr + 8)[0]
        return GuestHandle(C.resource_any_clone(ptr), not self.borrow, current_context())


_ids = itertools.count(0x5747_0001)  # resource type ids, unique in the process


class HostResource:
    """A resource the host implements: objects live in a table keyed by rep."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.type_id = next(_ids)
        self.objects: dict[int, Any] = {}
        self._reps = itertools.count(1)
        self.own = _HostCodec(self, borrow=False)
        self.borrow = _HostCodec(self, borrow=True)

    def add(self, obj: Any) -> int:
        rep = next(self._reps)
        self.objects[rep] = obj
        return rep

    def destructor(self, _store: Any, rep: int) -> None:
        obj = self.objects.pop(rep, None)
        close = getattr(obj, "close", None)
        if close is not None:
            close()


class _HostCodec(Codec):
    kind = C.RESOURCE

    def __init__(self, resource: HostResource, borrow: bool) -> None:
        self.resource = resource
        self.borrow = borrow
        self.wit = f"{'borrow' if borrow else 'own'}<{resource.name}>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if v is None:
            raise Bad(TypeError, f"expected an object for {self.wit}, got None")
        ctx = current_context()
        r = self.resource
        rep = r.add(v)
        host = C.resource_host_new(True, rep, r.type_id)
        # to_any writes the handle straight into the slot's payload.
        err = C.resource_host_to_any(ctx, host, addr + 8)
        C.resource_host_delete(host)
        if err:
            r.objects.pop(rep, None)
            raise C.take_error(err)
        MEM[addr] = C.RESOURCE
        anyp = unpack_from("<Q", MEM, addr + 8)[0]
        if keep is not None:
            # Lent for this call (an own handle under the hood: wasmtime
            # cannot lower a host borrow from outside a call). Dropping it
            # afterwards runs no destructor; the object leaves the table.
            def release() -> None:
                C.resource_any_drop(ctx, anyp)
                C.resource_any_delete(anyp)
                r.objects.pop(rep, None)
            keep.append(After(release))

    def lift(self, addr: int) -> Any:
        anyp = unpack_from("<Q", MEM, addr + 8)[0]
        t = _per_thread
        # to_host also ends a borrow, which must not outlive the call.
        err = C.resource_any_to_host(t.value, anyp, t.out_addr)
        if err:
            raise C.take_error(err)
        host = t.out.value
        rep = C.resource_host_rep(host)
        C.resource_host_delete(host)
        objects = self.resource.objects
        if rep not in objects:
            unknown_handle(self, rep)
        return objects[rep] if self.borrow else objects.pop(rep)


def unknown_handle(codec: Codec, rep: int) -> None:
    raise LookupError(f"{codec.wit}: unknown handle (rep {rep})")


def add_host_resource(linker_instance: Any, name: str, resource: HostResource) -> None:
    """Define the resource type in a wasmtime-py `LinkerInstance` (at link time)."""
    linker_instance.add_resource(name, ResourceType.host(resource.type_id), resource.destructor)
