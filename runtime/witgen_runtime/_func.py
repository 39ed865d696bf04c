"""Calls: exports (host -> component) and host functions (component -> host)."""

from __future__ import annotations

import ctypes
import threading
from typing import Any, Callable, Optional, Sequence

from . import _capi as C
from ._capi import MEM, pack_into, unpack_from
from ._values import Bad, Codec, check

_char_array = ctypes.c_char.__mul__
_addressof = ctypes.addressof


class Trap(Exception):
    """A call into the component failed (a trap, or a host function raised).

    ``__cause__`` is the host function's exception when there was one,
    otherwise wasmtime's error. After a trap wasmtime refuses further calls
    into the store's instances."""


class BindingMismatchError(TypeError):
    """The component's function type is not the one the bindings expect."""


_ctx = threading.local()


def current_context() -> int:
    """The store context of the call in progress on this thread (for resources)."""
    return _ctx.value  # type: ignore[no-any-return]


def _trap(err: int, what: str) -> Trap:
    error = C.take_error(err)
    cause = C.pop_exception()
    trap = Trap(f"{what}: {error}")
    trap.__cause__ = cause if cause is not None else error
    return trap


def _needs_ctx(codecs: Sequence[Optional[Codec]]) -> bool:
    return any(c is not None and _has_resource(c) for c in codecs)


def _has_resource(c: Any, seen: Optional[set] = None) -> bool:  # type: ignore[type-arg]
    if c.kind == C.RESOURCE:
        return True
    subs = []
    for attr in ("elem", "key", "value", "ok", "err"):
        s = getattr(c, attr, None)
        if isinstance(s, Codec):
            subs.append(s)
    subs += list(getattr(c, "codecs", ()) or ())
    if hasattr(c, "by_cls"):
        subs += [codec for _, codec, _ in c.by_cls.values() if codec is not None]
    return any(_has_resource(s) for s in subs)


class ExportFunc:
    """An exported function bound to one store: types read and checked once.

    ``__call__(*args)`` lowers the arguments into a preallocated slot array
    (checks first: a bad argument raises before any wasm runs), calls
    ``wasmtime_component_func_call`` (which also runs post-return), lifts the
    result from a preallocated slot and releases it."""

    def __init__(self, store: Any, func: Any, name: str,
                 params: Sequence[tuple[str, Codec]], result: Optional[Codec]) -> None:
        sig_params, sig_result = C.func_signature(func, store)
        if len(sig_params) != len(params):
            raise BindingMismatchError(f"{name}: the component's function takes {len(sig_params)} parameters, "
                                       f"the bindings {len(params)}; regenerate them")
        try:
            for (pname, desc), (_, codec) in zip(sig_params, params):
                check(codec, desc, f"{name}({pname})")
            if (sig_result is None) != (result is None):
                raise TypeError(f"{name}: result differs")
            if result is not None:
                check(result, sig_result, f"{name} result")  # type: ignore[arg-type]
        except TypeError as e:
            raise BindingMismatchError(f"{e}; regenerate the bindings") from None
        self.name = name
        self.store = store  # the context pointer is only valid while the store lives
        self.func = func    # `faddr` points into it
        self.faddr = C.func_address(func)
        self.ctx = C.context(store)
        self.names = [p for p, _ in params]
        self.codecs = [c for _, c in params]
        self.n = len(params)
        self.result = result
        self.nres = 1 if result is not None else 0
        self.args_buf = _char_array(32 * max(self.n, 1))()
        self.res_buf = _char_array(32)()
        self.args = _addressof(self.args_buf)
        self.res = _addressof(self.res_buf)
        # Scalars own nothing: no delete call for them.
        self.res_delete = result is not None and result.kind >= C.STRING
        self.needs_ctx = _needs_ctx([*self.codecs, result])
        # Held while this frame's slots are in use (atomic, unlike a flag).
        self.free = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        if len(args) != self.n:
            raise TypeError(f"{self.name}() takes {self.n} arguments, got {len(args)}")
        if not self.free.acquire(False):
            # Re-entered (a host function calling back in, or another thread):
            # this frame's slots are in use, take fresh ones.
            # (Hold the buffers in locals: an address alone keeps nothing alive.)
            args_buf = _char_array(32 * max(self.n, 1))()
            res_buf = _char_array(32)()
            return self._call(args, _addressof(args_buf), _addressof(res_buf))
        try:
            return self._call(args, self.args, self.res)
        finally:
            self.free.release()

    def _call(self, args: Sequence[Any], a: int, r: int) -> Any:
        keep: list = []  # type: ignore[type-arg]
        if self.needs_ctx:
            _ctx.value = self.ctx
        i = 0
        try:
            for codec, v in zip(self.codecs, args):
                codec.lower(a + 32 * i, v, keep)
                i += 1
        except Bad as e:
            raise e.error(self.names[i]) from None
        err = C.func_call(self.faddr, self.ctx, a, self.n, r, self.nres)
        for x in keep:
            if type(x) is After:
                x.run()
        if err:
            raise _trap(err, self.name)
        if self.result is None:
            return None
        try:
            return self.result.lift(r)
        finally:
            if self.res_delete:
                C.val_delete(r)
                MEM[r] = C.BOOL  # a valid value again: wasmtime drops the slot's old value on write


class After:
    """Kept in a call's `keep` list: run once the call returns."""

    __slots__ = ("run",)

    def __init__(self, run: Callable[[], None]) -> None:
        self.run = run


def add_host_func(linker_instance: Any, name: str, fn: Callable[..., Any],
                  params: Sequence[tuple[str, Codec]], result: Optional[Codec]) -> Any:
    """Define `name` in a wasmtime-py `LinkerInstance` as ``fn(*args)``.

    Arguments are lifted from wasmtime's slots, the return value lowered
    into its result slot (allocated with wasmtime's allocators: wasmtime
    frees it). An exception, or a return value that does not fit (a
    `TypeError`/`ValueError` naming ``return value of <name>``), traps; the
    export's caller gets `Trap` chained to it."""
    lifts = [c.lift for _, c in params]
    n = len(lifts)
    needs_ctx = _needs_ctx([c for _, c in params] + [result])
    what = f"return value of {name}"

    if n == 1 and not needs_ctx:
        lift0 = lifts[0]

        def callback(ctx: int, args: int, nargs: int, results: int, nresults: int) -> None:
            r = fn(lift0(args))
            if result is not None:
                try:
                    result.lower(results, r, None)
                except Bad as e:
                    raise e.error(what) from None
    else:
        def callback(ctx: int, args: int, nargs: int, results: int, nresults: int) -> None:
            if needs_ctx:
                _ctx.value = ctx
            r = fn(*[lift(args + 32 * i) for i, lift in enumerate(lifts)])
            if result is not None:
                try:
                    result.lower(results, r, None)
                except Bad as e:
                    raise e.error(what) from None

    return C.add_func(linker_instance, name, callback)
