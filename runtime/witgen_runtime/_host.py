"""Host functions: what the host implements for a component's imports,
as C callbacks compiled per signature like `ExportFunc` calls are."""

from __future__ import annotations

from types import CoroutineType
from typing import Any, Callable, Optional, Sequence

from . import _capi as C
from ._capi import MEM, pack_into, unpack_from
from ._async import await_host
from ._errors import BindingMismatchError, Err, Ok, Trap, UnsupportedError
from ._store import CallScope, Context, FixedHost, StoreState, set_current, state_for
from ._values import Bad, Codec, ResultOf, _tname, check_signature, import_signature

__all__ = ["HostFunc", "host_func", "add_func"]


class HostFunc:
    """A typed host function, made by `host_func`; define it with `add_func`."""

    def __init__(
        self,
        qualname: str,
        get_host: Callable[[StoreState], Any],
        call: Callable[..., Any],
        params: Sequence[tuple[str, Codec]],
        result: Optional[Codec],
        raises: bool,
    ) -> None:
        if raises and not isinstance(result, ResultOf):
            raise TypeError(f"{qualname}: raises=True needs a result<...> codec")
        self.qualname = qualname
        self._get_host = get_host
        self._call = call
        self.params = tuple(params)
        self.result = result
        self._raises = raises
        self._where_result = f"return value of {qualname}"
        self._checked = False
        self._callback: Optional[Callable[..., int]] = None

    def _check_type(self, fty: int) -> None:
        """The first call: the component's type of this import must be the
        codecs' (a mismatch traps, naming both)."""
        try:
            check_signature(self.qualname, import_signature(fty), self.params, self.result)
        except TypeError as e:
            raise BindingMismatchError(f"{self.qualname}: the component imports it with another signature ({e})") from None
        self._checked = True

    def callback(self) -> Callable[..., int]:
        """The C API's callback, ``(data, ctx, fty, args, nargs, results,
        nresults) -> wasmtime_error_t * or 0``, compiled once for the
        signature. An exception becomes a `Trap` chained to it, kept (per
        thread) for the caller of the export; wasm gets an error."""
        if self._callback is None:
            self._callback = self._compile()
        return self._callback

    def _lower_result(self, results: int, value: Any) -> None:
        result = self.result
        try:
            if self._raises:
                assert isinstance(result, ResultOf)
                if isinstance(value, Ok):
                    value = value.value
                elif isinstance(value, Err):  # returned instead of raised
                    result.lower_case(results, False, value.value, None)
                    return
                result.lower_case(results, True, value, None)
            elif result is None:
                if value is not None:
                    raise Bad(TypeError, f"expected None, got {_tname(value)}")
            else:
                result.lower(results, value, None)
        except Bad as e:
            raise e.error(self._where_result) from None

    def _lower_err(self, results: int, error: Err[Any]) -> None:
        assert isinstance(self.result, ResultOf)
        try:
            self.result.lower_case(results, False, error.value, None)
        except Bad as e:
            raise e.error(self._where_result) from None

    def _trap(self, e: BaseException, ctx: int) -> int:
        if not isinstance(e, Trap):
            trap = Trap(f"host function {self.qualname} raised {type(e).__name__}: {e}")
            trap.__cause__ = e
            e = trap
        return C.failed(e, f"host function {self.qualname}", ctx)

    def _compile(self) -> Callable[..., int]:
        """Straight-line, like `ExportFunc._compile`: scalars read and the
        result written inline, a host handle at the top level of a parameter
        looked up inline; the per-thread `Context` only for resources inside
        other values or in the result."""
        from ._resources import Borrow, Own

        codecs = [c for _, c in self.params]
        result = self.result
        top = [type(c) in (Own, Borrow) for c in codecs]
        uses_context = any(c.uses_context and not t for c, t in zip(codecs, top)) or (
            result is not None and result.uses_context)
        fixed = isinstance(self._get_host, FixedHost)
        env: dict[str, Any] = {
            "host": self, "get": self._get_host, "HOST": self._get_host.host if fixed else None,  # type: ignore[attr-defined]
            "call": self._call, "state_for": state_for, "MEM": MEM, "unpack_from": unpack_from,
            "pack_into": pack_into, "Err": Err, "lower_result": self._lower_result, "lower_err": self._lower_err,
            "CallScope": CallScope, "Context": Context, "set_current": set_current, "trap": self._trap,
            "OUT": C.OUT, "to_host": C.resource_any_to_host, "host_rep": C.resource_host_rep,
            "host_delete": C.resource_host_delete, "take_error": C.take_error,
            "CORO": CoroutineType, "await_host": await_host, "QUALNAME": self.qualname,
        }
        pre: list[str] = []
        exprs = []
        for i, c in enumerate(codecs):
            if c.inline_check:
                exprs.append(f"unpack_from('<{c.fmt_char}', MEM, args + {32 * i + 8})[0]")
            elif isinstance(c, (Own, Borrow)):
                # to_host also ends a borrow, which must not outlive the call.
                pre += [f"err = to_host(ctx, unpack_from('<Q', MEM, args + {32 * i + 8})[0], OUT.addr)",
                        "if err:", "    raise take_error(err)",
                        "h = OUT.value.value", "rep = host_rep(h)", "host_delete(h)",
                        f"a{i} = state.handles.{'get' if c.borrow else 'remove'}(rep, {c.wit!r})"]
                exprs.append(f"a{i}")
            else:
                env[f"lift{i}"] = c.lift
                exprs.append(f"lift{i}(args + {32 * i})")
        needs_state = uses_context or not fixed or any(top)
        lines = ["def callback(data, ctx, fty, args, nargs, results, nresults):"]
        body = ["state = state_for(ctx)"] if needs_state else []
        if uses_context:
            # A scope only for lowering the result: lifting arguments moves nothing.
            scoped = result is not None and result.uses_context
            body += [f"scope = {'CallScope()' if scoped else 'None'}",
                     "before = set_current(Context(state.store, ctx, state, None, scope))"]
        body += ["try:"]
        inner = ["if not host._checked:", "    host._check_type(fty)", *pre,
                 f"r = call({'HOST' if fixed else 'get(state)'}{''.join(', ' + e for e in exprs)})",
                 # An `async def` implementation: awaited on the loop of the awaited call.
                 "if type(r) is CORO:", "    r = await_host(r, QUALNAME, ctx)"]
        if self._raises:
            inner = ["try:", *["    " + x for x in inner], "except Err as e:", "    lower_err(results, e)",
                     "    return 0"]
        if result is not None and result.inline_check and not self._raises:
            inner += [f"if {result.inline_check.format(v='r')}:",
                      f"    pack_into('<B7x{result.fmt_char}', MEM, results, {result.kind}, r)",
                      "else:", "    lower_result(results, r)"]
        elif result is None:
            inner += ["if r is not None:", "    lower_result(results, r)"]  # refused, naming it
        else:
            inner.append("lower_result(results, r)")
        body += ["    " + x for x in inner]
        body += ["    return 0", "except BaseException as e:"]
        if uses_context and result is not None and result.uses_context:
            body.append("    scope.refused(state.handles)  # a result not returned gives nothing away")
        body.append("    return trap(e, ctx)")
        if uses_context:
            body += ["finally:"]
            if result is not None and result.uses_context:
                body += ["    if scope.after:", "        scope.end()"]
            body.append("    set_current(before)")
        lines += ["    " + x for x in body]
        source = "\n".join(lines) + "\n"
        C.compile_source(source, f"<host {self.qualname}>", env)
        callback: Callable[..., int] = env["callback"]
        return callback


def host_func(
    qualname: str,
    get_host: Callable[[StoreState], Any],
    call: Callable[..., Any],
    params: Sequence[tuple[str, Codec]],
    result: Optional[Codec],
    raises: bool = False,
) -> HostFunc:
    """Wrap ``call(host, *args)`` as a host function.

    Arguments are lifted to typed values, the return value lowered (and
    checked). With ``raises`` (a WIT ``result`` return) the implementation
    returns the ok value and raises `Err(e)` for the error. Any other
    exception becomes a `Trap` chained to it, which the caller of the export
    receives; the store is unusable afterwards (wasmtime's rule)."""
    return HostFunc(qualname, get_host, call, params, result, raises)


def add_func(li: Any, name: str, func: HostFunc) -> None:
    """Define ``func`` as ``name`` in a wasmtime-py `LinkerInstance`.

    Refuses, on wasmtime 50.0.x, a function that takes two or more borrowed
    host resources: wasmtime would fail every call of it."""
    if C.TWO_HOST_BORROWS_FAIL:
        borrows = sum(_count_borrows(c) for _, c in func.params)
        if borrows >= 2:
            raise UnsupportedError(
                f"{func.qualname} takes {borrows} borrowed host resources, and wasmtime {C.WASMTIME_VERSION} "
                "fails every call of such a host function inside wasmtime (\"BUG: deferred host scope has no "
                "call context\", a regression of wasmtime 50.0.x). Use wasmtime 49 "
                "(pip install 'wasmtime>=49,<50') or a release that fixes it."
            )
    C.add_func(li, name, func.callback())


def _count_borrows(codec: Codec) -> int:
    from ._resources import Borrow

    if isinstance(codec, Borrow):
        return 1
    return sum(_count_borrows(c) for c in codec.children())
