"""Calls: exports (host -> component) and host functions (component -> host)."""

from __future__ import annotations

import ctypes
import struct
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


class _PerThread(threading.local):
    """Per thread: the store context of the call in progress (resources
    need it) and an out-pointer cell for C calls that return through one."""

    def __init__(self) -> None:
        self.value = 0
        self.out = ctypes.c_void_p()
        self.out_addr = ctypes.addressof(self.out)


_ctx = _PerThread()


def current_context() -> int:
    """The store context of the call in progress on this thread (for resources)."""
    return _ctx.value


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
        # One token: taken while this frame's slots are in use. `list.pop` is
        # atomic under the GIL and costs a tenth of a Lock acquire/release.
        self.tokens = [True]
        self.call = self._specialise()

    def _specialise(self) -> Callable[..., Any]:
        """The call as one straight-line function made for this signature.

        Scalar arguments are checked with inline expressions and packed with
        one `pack_into` per run of consecutive scalars; a scalar result is
        one `unpack_from`. Anything the inline checks do not accept (a bad
        value, an int for a float, a re-entered call) goes to the generic
        path, which converts or raises the proper error. Measured: method
        calls per scalar cost ~2x the C-API floor on `add(s32, s32)`; this
        is within noise of it (NOTES.md)."""
        ps = [f"p{i}" for i in range(self.n)]
        arglist = ", ".join(ps)
        env: dict[str, Any] = {
            "generic": self.__call__, "tokens": self.tokens, "pack_into": pack_into, "unpack_from": unpack_from,
            "MEM": MEM, "func_call": C.func_call, "trap": _trap, "Bad": Bad, "After": After, "tls": _ctx,
            "val_delete": C.val_delete, "result_lift": self.result.lift if self.result is not None else None,
        }
        checks = []
        body = []
        run: list[int] = []

        def flush() -> None:
            if not run:
                return
            fmt = "<" + "".join(f"B7x{self.codecs[i].fmt_char}{24 - struct.calcsize(self.codecs[i].fmt_char)}x"
                                for i in run[:-1]) + f"B7x{self.codecs[run[-1]].fmt_char}"
            values = ", ".join(f"{self.codecs[i].kind}, p{i}" for i in run)
            body.append(f"pack_into({fmt!r}, MEM, {self.args + 32 * run[0]}, {values})")
            run.clear()

        from ._resources import GuestHandle, GuestResource, _HostCodec

        env.update(GuestHandle=GuestHandle, any_delete=C.resource_any_delete, any_drop=C.resource_any_drop,
                   host_new=C.resource_host_new, host_delete=C.resource_host_delete,
                   to_any=C.resource_host_to_any, take_error=C.take_error)
        after: list[str] = []
        host_body: list[str] = []
        # Handles at the top level are inlined: the store is known here, so
        # they need neither the per-thread context nor `keep`.
        fast_ctx = _needs_ctx([c for c in self.codecs if type(c) not in (GuestResource, _HostCodec)]
                              + [c for c in [self.result] if c is not None and type(c) is not GuestResource])
        uses_keep = False
        for i, codec in enumerate(self.codecs):
            if codec.inline_check:
                checks.append(codec.inline_check.format(v=f"p{i}"))
                run.append(i)
                continue
            flush()
            if type(codec) is _HostCodec:
                # Lent for the call as an own handle (see _HostCodec.lower);
                # made after every other argument, which may still fail.
                r = codec.resource
                env[f"add{i}"], env[f"objects{i}"] = r.add, r.objects
                slot = self.args + 32 * i
                checks.append(f"p{i} is not None")
                host_body += [f"rep{i} = add{i}(p{i})", f"host = host_new(True, rep{i}, {r.type_id})",
                              f"err = to_any({self.ctx}, host, {slot + 8})", "host_delete(host)",
                              "if err:", f"    objects{i}.pop(rep{i}, None)", "    raise take_error(err)",
                              f"MEM[{slot}] = {C.RESOURCE}"]
                after += [f"a{i} = unpack_from('<Q', MEM, {slot + 8})[0]", f"any_drop({self.ctx}, a{i})",
                          f"any_delete(a{i})", f"objects{i}.pop(rep{i}, None)"]
                continue
            if type(codec) is GuestResource:
                checks.append(f"type(p{i}) is GuestHandle and p{i}._ptr is not None")
                body.append(f"pack_into('<B7xQ', MEM, {self.args + 32 * i}, {C.RESOURCE}, p{i}._ptr)")
                if not codec.borrow:
                    # Passing an own moves it: the handle is the guest's now.
                    body += [f"h{i} = p{i}._ptr", f"p{i}._ptr = None"]
                    after.append(f"any_delete(h{i})")
                continue
            uses_keep = True
            env[f"lower{i}"] = codec.lower
            body += ["try:", f"    lower{i}({self.args + 32 * i}, p{i}, keep)",
                     "except Bad as e:", f"    raise e.error({self.names[i]!r}) from None"]
        flush()
        lines = [f"def call({arglist}):"]
        if checks:
            lines.append(f"    if not ({' and '.join(checks)}):")
            lines.append(f"        return generic({arglist})")
        lines += ["    try:", "        tokens.pop()", "    except IndexError:", f"        return generic({arglist})",
                  "    try:"]
        inner = []
        if uses_keep or fast_ctx:
            inner.append("keep = []")
        if fast_ctx:
            inner.append(f"tls.value = {self.ctx}")
        inner += body + host_body
        inner.append(f"err = func_call({self.faddr}, {self.ctx}, {self.args}, {self.n}, {self.res}, {self.nres})")
        inner += after
        if fast_ctx:
            inner += ["for x in keep:", "    if type(x) is After:", "        x.run()"]
        inner += ["if err:", f"    raise trap(err, {self.name!r})"]
        result = self.result
        if result is None:
            inner.append("return None")
        elif result.inline_check:
            inner.append(f"return unpack_from('<{result.fmt_char}', MEM, {self.res + 8})[0]")
        elif type(result) is GuestResource:
            # A handle in our own result slot: take it, leave a valid bool.
            inner += [f"v = GuestHandle(unpack_from('<Q', MEM, {self.res + 8})[0], {not result.borrow}, {self.ctx})",
                      f"MEM[{self.res}] = {C.BOOL}", "return v"]
        elif not self.res_delete:
            inner.append(f"return result_lift({self.res})")
        else:
            inner += ["try:", f"    return result_lift({self.res})", "finally:",
                      f"    val_delete({self.res})", f"    MEM[{self.res}] = {C.BOOL}"]
        lines += ["        " + line for line in inner]
        lines += ["    finally:", "        tokens.append(True)"]
        self.source = "\n".join(lines) + "\n"
        C.compile_source(self.source, f"<export {self.name} {id(self):x}>", env)
        return env["call"]  # type: ignore[no-any-return]

    def __call__(self, *args: Any) -> Any:
        if len(args) != self.n:
            raise TypeError(f"{self.name}() takes {self.n} arguments, got {len(args)}")
        try:
            self.tokens.pop()
        except IndexError:
            # Re-entered (a host function calling back in, or another thread):
            # this frame's slots are in use, take fresh ones.
            # (Hold the buffers in locals: an address alone keeps nothing alive.)
            args_buf = _char_array(32 * max(self.n, 1))()
            res_buf = _char_array(32)()
            return self._call(args, _addressof(args_buf), _addressof(res_buf))
        try:
            return self._call(args, self.args, self.res)
        finally:
            self.tokens.append(True)

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
    codecs = [c for _, c in params]
    what = f"return value of {name}"

    def lower_result(results: int, r: Any) -> None:
        try:
            result.lower(results, r, None)  # type: ignore[union-attr]
        except Bad as e:
            raise e.error(what) from None

    # Straight-line, like ExportFunc.call: scalars unpacked/packed inline.
    env: dict[str, Any] = {"fn": fn, "MEM": MEM, "unpack_from": unpack_from, "pack_into": pack_into,
                           "tls": _ctx, "lower_result": lower_result}
    from ._resources import _HostCodec, unknown_handle

    env.update(to_host=C.resource_any_to_host, host_rep=C.resource_host_rep, host_delete=C.resource_host_delete,
               take_error=C.take_error, unknown=unknown_handle)
    needs_ctx = _needs_ctx([c for c in codecs if type(c) is not _HostCodec] + [result])
    exprs = []
    pre = []
    for i, c in enumerate(codecs):
        if c.inline_check:
            exprs.append(f"unpack_from('<{c.fmt_char}', MEM, args + {32 * i + 8})[0]")
        elif type(c) is _HostCodec:
            # to_host also ends a borrow, which must not outlive the call.
            env[f"objects{i}"], env[f"codec{i}"] = c.resource.objects, c
            pre += [f"err = to_host(ctx, unpack_from('<Q', MEM, args + {32 * i + 8})[0], t.out_addr)",
                    "if err:", "    raise take_error(err)",
                    "h = t.out.value", "rep = host_rep(h)", "host_delete(h)",
                    f"a{i} = objects{i}.{'get' if c.borrow else 'pop'}(rep, None)",
                    f"if a{i} is None:", f"    unknown(codec{i}, rep)"]
            exprs.append(f"a{i}")
        else:
            env[f"lift{i}"] = c.lift
            exprs.append(f"lift{i}(args + {32 * i})")
    lines = ["def callback(ctx, args, nargs, results, nresults):"]
    if pre:
        lines.append("    t = tls")
        lines += ["    " + line for line in pre]
    if needs_ctx:
        lines.append("    tls.value = ctx")
    lines.append(f"    r = fn({', '.join(exprs)})")
    if result is not None and result.inline_check:
        lines += [f"    if {result.inline_check.format(v='r')}:",
                  f"        pack_into('<B7x{result.fmt_char}', MEM, results, {result.kind}, r)",
                  "    else:", "        lower_result(results, r)"]
    elif result is not None:
        lines.append("    lower_result(results, r)")
    C.compile_source("\n".join(lines) + "\n", f"<host {name} {id(env):x}>", env)
    callback = env["callback"]

    return C.add_func(linker_instance, name, callback)
