"""Calls into what a component exports: `InstanceState` (one instance, its
store and whether a trap poisoned it), `ExportSpec` and `ExportFunc`.

A function's type is read once, when it is bound, and checked against the
codecs; then one straight-line function is compiled for its signature:
scalar arguments checked with inline expressions (``type(p0) is int and lo
<= p0 <= hi``) and packed with one `struct.pack_into` per run of
consecutive scalars, a scalar result read with one `unpack_from`. Anything
the inline checks do not accept (a bad value, an int for a float, a
re-entered call, several resources) takes the generic path, which converts
or raises the proper error, so messages are the same on both paths.
Measurements: docs/design/runtime.md.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from wasmtime import Store, WasmtimeError
from wasmtime.component import Instance

from . import _capi as C
from ._capi import MEM, pack_into, unpack_from
from ._errors import BindingMismatchError, Err, InstancePoisonedError, Trap
from ._store import CallScope, Context, plain_call, prepare_store, register_store, set_current
from ._values import V_BOOL, V_RESOURCE, Bad, Codec, ResultOf, check_signature, scalar_format, signature_of

__all__ = ["InstanceState", "ExportSpec", "ExportFunc"]

_char_array = ctypes.c_char.__mul__
_addressof = ctypes.addressof



class InstanceState:
    """One instance of a component, as the bindings see it: its store, and
    whether a trap has made it unusable."""

    def __init__(self, store: Store, instance: Instance, world: str) -> None:
        self.store = store
        self.ctx = C.context(store)  # valid while the store lives, which `store` ensures
        self.instance = instance
        self.world = world
        self.state = register_store(store)
        prepare_store(store)  # also when instantiated without `instantiate`
        #: `funcs[spec]`: the `ExportFunc` of an `ExportSpec` in this
        #: instance, made on first use (resource methods, constructors).
        self.funcs = _Funcs(self)
        self._funcs: list[ExportFunc] = []

    def check_exports(self) -> None:
        """Bind every function made for this instance now, so a component
        that does not match the bindings fails at instantiation."""
        for func in self._funcs:
            func.bind()

    def check_store(self, store: Any) -> None:
        """Calls take the store first, as in wasmtime-py: it must be ours."""
        if store is not self.store:
            raise ValueError(
                f"store: this {self.world} instance belongs to another store "
                f"({type(store).__name__} given)"
            )

    @property
    def poisoned(self) -> Optional[str]:
        return self.state.poisoned

    def _check(self) -> None:
        if self.state.poisoned is not None:
            raise InstancePoisonedError(
                f"this {self.world} instance cannot be called: {self.state.poisoned}. "
                "Create a new Store and instantiate the component again (after a trap wasmtime "
                "refuses every call into any instance of that store)"
            )

    def _trapped(self, what: str, error: BaseException) -> BaseException:
        """Mark the store poisoned; return the exception to raise."""
        if self.state.poisoned is None:
            self.state.poisoned = f"its store trapped earlier, in {what}"
        if isinstance(error, Trap):
            cause = error.__cause__
            # Ctrl-C in a host function stays a KeyboardInterrupt.
            if cause is not None and not isinstance(cause, Exception):
                return cause
            return error
        if not isinstance(error, Exception):
            return error
        if isinstance(error, WasmtimeError):
            trap = Trap(f"{what} trapped: {_reason(str(error))}")
        else:
            trap = Trap(f"{what} failed: {type(error).__name__}: {error}")
        trap.__cause__ = error
        return trap

    def _failed(self, what: str, err: int) -> BaseException:
        """The exception for a failed C call (`err`, a `wasmtime_error_t *`)."""
        error = C.take_error(err)
        return self._trapped(what, C.pop_exception(self.ctx) or error)


class _Funcs(dict["ExportSpec", "ExportFunc"]):
    """An instance's `ExportFunc`s by `ExportSpec` (a dict lookup per call)."""

    def __init__(self, owner: InstanceState) -> None:
        super().__init__()
        self.owner = owner

    def __missing__(self, spec: ExportSpec) -> ExportFunc:
        func = self[spec] = ExportFunc(self.owner, spec.interface, spec.name, spec.params, spec.result, spec.raises)
        return func


def _reason(message: str) -> str:
    """The line of a wasmtime error that says what happened: the first
    after "Caused by:" (a backtrace comes before it, advice after it), or
    the last."""
    lines = [line.strip() for line in message.strip().splitlines()]
    if "Caused by:" in lines:
        after = [line for line in lines[lines.index("Caused by:") + 1:] if line]
        if after:
            return after[0]
    return lines[-1] if lines else "trap"


@dataclass(frozen=True, eq=False)
class ExportSpec:
    """A component export as the generator describes it, at module level;
    `InstanceState.funcs` turns it into an `ExportFunc` per instance. Used
    for resource methods, whose proxies reach their instance at call time
    (``instance.funcs[spec]``)."""

    interface: Optional[str]
    name: str
    params: Sequence[tuple[str, Codec]]
    result: Optional[Codec]
    raises: bool = False


class ExportFunc:
    """A component export with typed parameters; generated methods call it
    as ``func.call(store, *args)`` (an attribute, not a method, so that a
    call reaches the compiled function directly).

    Bound on `InstanceState.check_exports` (or the first call): finds the
    function (inside ``interface`` if given), checks its type against the
    codecs, preallocates the argument and result slots and compiles the
    call, so a call costs the conversions and one C call."""

    __slots__ = ("_owner", "_interface", "_name", "qualname", "_params", "_names", "_codecs", "_result",
                 "_raises", "call", "_func", "_faddr", "_uses_context", "source", "_keep")

    def __init__(
        self,
        owner: InstanceState,
        interface: Optional[str],
        name: str,
        params: Sequence[tuple[str, Codec]],
        result: Optional[Codec],
        raises: bool = False,
    ) -> None:
        """``raises``: the WIT result is a ``result``; return its ok value and
        raise `Err` with its error."""
        self._owner = owner
        self._interface = interface
        self._name = name
        self.qualname = f"{interface}#{name}" if interface else name
        self._params = tuple(params)
        self._names = [p for p, _ in self._params]
        self._codecs = [c for _, c in self._params]
        self._result = result
        self._raises = raises
        self._uses_context = any(c.uses_context for c in self._codecs) or (
            result is not None and result.uses_context)
        self.call: Callable[..., Any] = self._bind_then_call
        self._func: Any = None
        self.source = ""
        owner._funcs.append(self)

    def bind(self) -> None:
        """Find the function in the instance and check its type (once)."""
        if self._func is None:
            self._bind()

    def __call__(self, store: Any, *args: Any) -> Any:
        """The same as ``self.call(store, *args)``, one Python call slower."""
        if len(args) != len(self._codecs):
            raise TypeError(f"{self.qualname}() takes {len(self._codecs)} arguments after the store, got {len(args)}")
        return self.call(store, *args)

    def _bind_then_call(self, store: Any, *args: Any) -> Any:
        self.bind()
        return self.call(store, *args)

    def _bind(self) -> None:
        owner = self._owner
        store, instance = owner.store, owner.instance
        index = None
        if self._interface is not None:
            index = instance.get_export_index(store, self._interface)
            if index is None:
                raise BindingMismatchError(f"the component does not export {self._interface!r}")
        fi = instance.get_export_index(store, self._name, index)
        func = instance.get_func(store, fi) if fi is not None else None
        if func is None:
            raise BindingMismatchError(f"the component does not export a function {self.qualname!r}")
        try:
            check_signature(self.qualname, signature_of(func, store), self._params, self._result)
        except TypeError as e:
            raise BindingMismatchError(
                f"{self.qualname}: the component's signature does not match the bindings ({e}); regenerate them"
            ) from None
        self._func = func  # `_faddr` points into it
        self._faddr = C.func_address(func)
        self.call = self._compile()

    def _compile(self) -> Callable[..., Any]:
        """The call as one straight-line function made for this signature
        (see the module's docstring); everything else goes to `_generic`.

        A resource at the top level (one parameter, or an own result) is
        inlined: with one resource per call nothing can be passed twice, so
        no `CallScope` is needed. Resources inside other values, or several
        per call, take the generic path."""
        from ._resources import Borrow, GuestBorrow, GuestOwn, Own

        owner = self._owner
        codecs, n, result = self._codecs, len(self._codecs), self._result
        top = [c for c in codecs if type(c) in (GuestOwn, GuestBorrow, Own, Borrow)]
        nested = [c for c in codecs if c.uses_context and c not in top]
        if nested or len(top) > 1 or (result is not None and result.uses_context and type(result) is not GuestOwn):
            return self._generic  # scopes, handle tables, the per-thread context
        args_buf = _char_array(32 * max(n, 1))()
        res_buf = _char_array(32)()
        self._keep = (args_buf, res_buf)  # the compiled code holds their addresses only
        a, r, ctx = _addressof(args_buf), _addressof(res_buf), owner.ctx
        env: dict[str, Any] = {
            "generic": self._generic, "STORE": owner.store, "OWNER": owner, "state": owner.state,
            "handles": owner.state.handles, "tokens": [True], "pack_into": pack_into,
            "unpack_from": unpack_from, "MEM": MEM, "func_call": C.func_call, "failed": owner._failed, "Bad": Bad,
            "val_delete": C.val_delete, "Err": Err, "take_error": C.take_error, "any_drop": C.resource_any_drop,
            "any_delete": C.resource_any_delete, "host_new": C.resource_host_new,
            "host_delete": C.resource_host_delete, "to_any": C.resource_host_to_any,
        }
        ps = [f"p{i}" for i in range(n)]
        arglist = ", ".join(["store", *ps])
        checks = ["store is STORE", "state.poisoned is None"]
        body: list[str] = []
        handle_body: list[str] = []  # host handles: made last, after everything that can still fail
        after: list[str] = []  # once the call returns, whatever happened in it
        run: list[int] = []

        def flush() -> None:
            if run:
                values = ", ".join(f"{codecs[i].kind}, p{i}" for i in run)
                body.append(f"pack_into({scalar_format([codecs[i] for i in run])!r}, MEM, {a + 32 * run[0]}, {values})")
                run.clear()

        uses_keep = False
        for i, codec in enumerate(codecs):
            slot = a + 32 * i
            if codec.inline_check:
                checks.append(codec.inline_check.format(v=f"p{i}"))
                run.append(i)
                continue
            flush()
            if isinstance(codec, GuestOwn):
                env[f"cls{i}"] = codec.cls
                checks.append(f"type(p{i}) is cls{i} and p{i}._handle is not None and p{i}._instance is OWNER")
                body.append(f"pack_into('<B7xQ', MEM, {slot}, {V_RESOURCE}, p{i}._handle)")
                if not codec.borrow:
                    # Passing an own moves it: the guest has it once the call is made.
                    body += [f"h{i} = p{i}._handle", f"p{i}._handle = None"]
                    after.append(f"any_delete(h{i})")
            elif isinstance(codec, (Own, Borrow)):
                resource = codec.resource
                env[f"check{i}"] = resource.check
                handle_body += ["try:", f"    check{i}(p{i}, state)", "except Bad as e:",
                                f"    raise e.error({self._names[i]!r}) from None",
                                f"rep{i} = handles.insert(p{i}, {codec.borrow})",
                                f"host = host_new(True, rep{i}, {resource.type_id})",
                                f"err = to_any({ctx}, host, {slot + 8})", "host_delete(host)",
                                "if err:", f"    handles.discard(rep{i})", "    raise take_error(err)",
                                f"MEM[{slot}] = {V_RESOURCE}"]
                # Lent (borrow): dropping our own handle runs no destructor once
                # the object left the table. Given (own): the guest has it.
                after.append(f"a{i} = unpack_from('<Q', MEM, {slot + 8})[0]")
                if codec.borrow:
                    after += [f"any_drop({ctx}, a{i})", f"handles.discard(rep{i})"]
                after.append(f"any_delete(a{i})")
            else:
                uses_keep = True
                env[f"lower{i}"] = codec.lower
                body += ["try:", f"    lower{i}({slot}, p{i}, keep)",
                         "except Bad as e:", f"    raise e.error({self._names[i]!r}) from None"]
        flush()
        lines = [f"def call({arglist}):",
                 f"    if not ({' and '.join(checks)}):",
                 f"        return generic({arglist})",
                 "    try:", "        tokens.pop()", "    except IndexError:",
                 f"        return generic({arglist})",  # re-entered: these slots are in use
                 # A store with awaited calls is one thread's at a time (`_store.plain_call`).
                 "    busy = state.busy",
                 "    if busy is not None and not busy.acquire(False):",
                 "        tokens.append(True)",
                 f"        return generic({arglist})",  # which says why
                 "    try:"]
        inner = ["keep = []"] if uses_keep else []
        inner += body + handle_body
        inner.append(f"err = func_call({self._faddr}, {ctx}, {a}, {n}, {r}, {int(result is not None)})")
        inner += after
        inner += ["if err:", f"    raise failed({self.qualname!r}, err)"]
        inner += self._result_lines(r, env)
        lines += ["        " + line for line in inner]
        lines += ["    finally:", "        tokens.append(True)", "        if busy is not None:",
                  "            busy.release()"]
        self.source = "\n".join(lines) + "\n"
        C.compile_source(self.source, f"<export {self.qualname}>", env)
        return env["call"]  # type: ignore[no-any-return]

    def _result_lines(self, r: int, env: dict[str, Any]) -> list[str]:
        """Read the result from slot `r`, release it, return it (or raise)."""
        from ._resources import GuestOwn

        result = self._result
        release = [f"val_delete({r})", f"MEM[{r}] = {V_BOOL}"]  # a valid value again: wasmtime drops the old one
        if result is None:
            return ["return None"]
        if result.inline_check:
            return [f"return unpack_from('<{result.fmt_char}', MEM, {r + 8})[0]"]
        if isinstance(result, GuestOwn):
            # Our own slot's handle: taken, not copied.
            env["result_cls"] = result.cls
            return [f"v = result_cls._adopt(OWNER, unpack_from('<Q', MEM, {r + 8})[0])", f"MEM[{r}] = {V_BOOL}",
                    "return v"]
        if self._raises and isinstance(result, ResultOf):
            # The payload of whichever case, without an `Ok` in between.
            def read(codec: Optional[Codec], name: str) -> str:
                if codec is None:
                    return "None"
                if codec.inline_check:
                    return f"unpack_from('<{codec.fmt_char}', MEM, p + 8)[0]"
                env[name] = codec.lift
                return f"{name}(p)"

            return [f"is_ok, p = unpack_from('<?7xQ', MEM, {r + 8})",
                    "try:", f"    v = {read(result.ok, 'ok_lift')} if is_ok else {read(result.err, 'err_lift')}",
                    "finally:", *["    " + x for x in release],
                    "if is_ok:", "    return v", "raise Err(v)"]
        env["result_lift"] = result.lift
        return ["try:", f"    return result_lift({r})", "finally:", *["    " + x for x in release]]

    def _generic(self, store: Any, *args: Any) -> Any:
        owner = self._owner
        if store is not owner.store:
            owner.check_store(store)
        owner._check()
        if owner.state.busy is None:
            return self._call(*args)
        with plain_call(owner.state, self.qualname):  # not while another thread runs the store's wasm
            return self._call(*args)

    def _call(self, *args: Any) -> Any:
        owner = self._owner
        codecs, names = self._codecs, self._names
        n = len(codecs)
        if len(args) != n:
            raise TypeError(f"{self.qualname}() takes {n} arguments after the store, got {len(args)}")
        # Fresh slots: a re-entered call (a host function calling back in,
        # or another thread) must not overwrite ones in use.
        args_buf = _char_array(32 * max(n, 1))()
        res_buf = _char_array(32)()
        a, r = _addressof(args_buf), _addressof(res_buf)
        scope = CallScope() if self._uses_context else None
        cx = Context(owner.store, owner.ctx, owner.state, owner, scope) if scope is not None else None
        before = set_current(cx) if cx is not None else None
        keep: list[Any] = []
        result = self._result
        try:
            i = 0
            try:
                for codec, v in zip(codecs, args):
                    codec.lower(a + 32 * i, v, keep)
                    i += 1
            except Bad as e:
                raise e.error(names[i], list(zip(names, args))) from None
            if scope is not None:
                scope.commit()
            err = C.func_call(self._faddr, owner.ctx, a, n, r, int(result is not None))
            if err:
                raise owner._failed(self.qualname, err)
            if result is None:
                return None
            try:
                value = result.lift(r)
            except Bad as e:
                raise e.error(f"result of {self.qualname}") from None
            finally:
                C.val_delete(r)
        except BaseException:
            if scope is not None and not scope.called:
                scope.refused(owner.state.handles)  # no trace of a call not made
            raise
        finally:
            if scope is not None and scope.after:
                scope.end()
            if cx is not None:
                set_current(before)
        if self._raises:
            if isinstance(value, Err):
                raise value
            return value.value
        return value
