"""Everything that touches wasmtime-py's internals, and nothing else.

The value layer works on raw addresses: a ``wasmtime_component_val_t`` is
32 bytes (kind ``u8`` at 0, payload at 8), written and read through `MEM`, a
memoryview of the whole address space, with `struct` — one C call per
scalar instead of a chain of ctypes attribute views. The C functions are
re-declared here with ``c_void_p``/``c_size_t`` arguments so that calls take
plain ints (ctypes' pointer-type checks cost more than the call).

Supported: wasmtime-py 49.x and 50.x. Their ``_bindings.py`` differ only by
additions (50 adds ``wasmtime_config_wasm_compact_imports_set``,
``..._component_model_canonical_names_set``, ``..._accessors_set`` and trap
codes 50–53); every component-model struct and function used here is
identical, which `_check_layout` verifies at import rather than trusting.
"""

from __future__ import annotations

import ctypes
import itertools
import struct
import sys
import threading
from ctypes import c_bool, c_size_t, c_uint8, c_uint32, c_void_p
from importlib import metadata
from typing import Any, Callable, Optional

SUPPORTED = ">=49,<51"


def _check_version() -> str:
    try:
        version = metadata.version("wasmtime")
    except metadata.PackageNotFoundError:  # pragma: no cover - wasmtime is a dependency
        raise ImportError(f"witgen_runtime needs wasmtime{SUPPORTED}; wasmtime is not installed") from None
    major = version.split(".", 1)[0]
    if major not in ("49", "50"):
        raise ImportError(
            f"witgen_runtime supports wasmtime{SUPPORTED} (49.x and 50.x); found wasmtime {version}. "
            f"Install a supported version: pip install 'wasmtime{SUPPORTED}'"
        )
    return version


WASMTIME_VERSION = _check_version()
# wasmtime 50.0.x fails a host function that receives two borrowed host
# resources, inside wasmtime before the function runs ("BUG: deferred host
# scope has no call context", crates/wasmtime/src/runtime/component/resources.rs).
TWO_HOST_BORROWS_FAIL = WASMTIME_VERSION.startswith("50.")

import wasmtime  # noqa: E402
from wasmtime import _bindings as _B  # noqa: E402
from wasmtime import WasmtimeError  # noqa: E402

if sys.implementation.name != "cpython":  # pragma: no cover
    raise ImportError("witgen_runtime needs CPython (it reads bytes objects in place)")

VAL_SIZE = 32
# Value kinds (`wasmtime_component_valkind_t`); MAP is absent from wasmtime-py's
# `_ffi.py` and was read back from a map value returned by a real component.
BOOL, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, CHAR, STRING, LIST, RECORD, TUPLE, \
    VARIANT, ENUM, OPTION, RESULT, FLAGS, RESOURCE, MAP = range(23)

# Type kinds (`wasmtime_component_valtype_kind_t`): a different numbering.
T_BOOL, T_S8, T_S16, T_S32, T_S64, T_U8, T_U16, T_U32, T_U64, T_F32, T_F64, T_CHAR, T_STRING, \
    T_LIST, T_RECORD, T_TUPLE, T_VARIANT, T_ENUM, T_OPTION, T_RESULT, T_FLAGS, T_OWN, T_BORROW, \
    T_FUTURE, T_STREAM, T_ERROR_CONTEXT, T_MAP = range(27)


def _check_layout() -> None:
    val = _B.wasmtime_component_val_t
    problems = []
    if ctypes.sizeof(val) != VAL_SIZE or val.of.offset != 8:
        problems.append("wasmtime_component_val_t is not 32 bytes with its payload at 8")
    if ctypes.sizeof(_B.wasmtime_component_valrecord_entry_t) != 48:
        problems.append("valrecord_entry is not 48 bytes")
    if ctypes.sizeof(_B.wasmtime_component_valmap_entry_t) != 64:
        problems.append("valmap_entry is not 64 bytes")
    if ctypes.sizeof(_B.wasmtime_component_func_t) != 32:
        problems.append("wasmtime_component_func_t is not 32 bytes")
    if problems:  # pragma: no cover - a future wasmtime
        raise ImportError(f"witgen_runtime: wasmtime {WASMTIME_VERSION}'s C layout changed: {'; '.join(problems)}")


_check_layout()

# The whole address space as bytes: `pack_into(fmt, MEM, address, ...)`.
MEM = memoryview((ctypes.c_char * (1 << 47)).from_address(0)).cast("B")
pack_into = struct.pack_into
unpack_from = struct.unpack_from


def _bytes_data_offset() -> int:
    probe = bytes(bytearray(b"probe"))
    offset = ctypes.cast(ctypes.c_char_p(probe), c_void_p).value - id(probe)  # type: ignore[operator]
    if bytes(MEM[id(probe) + offset: id(probe) + offset + 5]) != b"probe":  # pragma: no cover
        raise ImportError("witgen_runtime: cannot locate a bytes object's data")
    return offset


# `id(b) + BYTES_DATA` is where a bytes object's contents start (CPython).
BYTES_DATA = _bytes_data_offset()

_dll = _B.dll  # type: ignore[attr-defined]


def _fn(name: str, restype: Any, *argtypes: Any) -> Any:
    f = getattr(_dll, name)
    # A private prototype: `_bindings` set argtypes on the shared attribute.
    proto = ctypes.CFUNCTYPE(restype, *argtypes)
    return proto(ctypes.cast(f, c_void_p).value or 0)


P = c_void_p
func_call = _fn("wasmtime_component_func_call", P, P, P, P, c_size_t, P, c_size_t)
func_type = _fn("wasmtime_component_func_type", P, P, P)
func_type_delete = _fn("wasmtime_component_func_type_delete", None, P)
func_type_param_count = _fn("wasmtime_component_func_type_param_count", c_size_t, P)
func_type_param_nth = _fn("wasmtime_component_func_type_param_nth", c_bool, P, c_size_t, P, P, P)
func_type_result = _fn("wasmtime_component_func_type_result", c_bool, P, P)
val_delete = _fn("wasmtime_component_val_delete", None, P)
vallist_new_uninit = _fn("wasmtime_component_vallist_new_uninit", None, P, c_size_t)
valrecord_new_uninit = _fn("wasmtime_component_valrecord_new_uninit", None, P, c_size_t)
valtuple_new_uninit = _fn("wasmtime_component_valtuple_new_uninit", None, P, c_size_t)
valflags_new_uninit = _fn("wasmtime_component_valflags_new_uninit", None, P, c_size_t)
valmap_new_uninit = _fn("wasmtime_component_valmap_new_uninit", None, P, c_size_t)
val_new = _fn("wasmtime_component_val_new", P, P)
byte_vec_new = _fn("wasm_byte_vec_new", None, P, c_size_t, P)
error_new = _fn("wasmtime_error_new", P, ctypes.c_char_p)
resource_any_delete = _fn("wasmtime_component_resource_any_delete", None, P)
resource_any_drop = _fn("wasmtime_component_resource_any_drop", P, P, P)
resource_any_clone = _fn("wasmtime_component_resource_any_clone", P, P)
resource_any_to_host = _fn("wasmtime_component_resource_any_to_host", P, P, P, P)
resource_host_new = _fn("wasmtime_component_resource_host_new", P, c_bool, c_uint32, c_uint32)
resource_host_to_any = _fn("wasmtime_component_resource_host_to_any", P, P, P, P)
resource_host_rep = _fn("wasmtime_component_resource_host_rep", c_uint32, P)
resource_host_delete = _fn("wasmtime_component_resource_host_delete", None, P)
valtype_delete = _fn("wasmtime_component_valtype_delete", None, P)



def config_enable_map(config: wasmtime.Config) -> None:
    """Turn on `map<K, V>` (wasmtime-py has the setter; no value support)."""
    _B.wasmtime_config_wasm_component_model_map_set(config.ptr(), True)


def context(store: Any) -> int:
    """The `wasmtime_context_t *` of a `Store` or `StoreContext`, as an int."""
    return ctypes.cast(store._context(), c_void_p).value or 0


def func_address(func: Any) -> int:
    """Address of a component `Func`'s `wasmtime_component_func_t`.

    Only valid while `func` lives: callers keep the `Func`."""
    return ctypes.addressof(func._func)


def take_error(ptr: int) -> WasmtimeError:
    return WasmtimeError._from_ptr(ctypes.cast(ptr, ctypes.POINTER(_B.wasmtime_error_t)))


def new_error(message: str) -> int:
    return error_new(message.encode("utf-8"))  # type: ignore[no-any-return]


def compile_source(src: str, filename: str, env: dict[str, Any]) -> dict[str, Any]:
    """Run generated code. (Not registered with linecache: one entry per
    bound function would grow with every instance; `ExportFunc.source`
    keeps the text for debugging.)"""
    exec(compile(src, filename, "exec"), env)
    return env


# ---- function types, read once when a function is bound --------------------

_valtype_t = _B.wasmtime_component_valtype_t


def describe(vt: Any, resource: Optional[Callable[[Any], Any]] = None) -> tuple:  # type: ignore[type-arg]
    """Describe a `wasmtime_component_valtype_t` (ctypes struct) as nested
    tuples ``(kind, *details)``; does not free it.

    kind is a `T_*` constant; details: list/option -> (elem,),
    record -> ((name, t), ...), tuple -> (t, ...), variant -> ((name, t|None), ...),
    enum/flags -> (name, ...), result -> (ok|None, err|None), own/borrow -> (),
    map -> (k, v).

    With `resource` (`_verify`'s comparison): own/borrow -> (resource(its
    `wasmtime_component_resource_type_t *`),), and future, stream and
    error-context -> () instead of an error, since only their kind is compared."""
    k = vt.kind
    if k <= T_STRING:
        return (k,)
    of = vt.of

    def sub(fill: Callable[[Any], Any]) -> tuple:  # type: ignore[type-arg]
        t = _valtype_t()
        fill(ctypes.byref(t))
        try:
            return describe(t, resource)
        finally:
            valtype_delete(ctypes.addressof(t))

    def named(count: Callable[[Any], int], nth: Callable[..., bool], p: Any, with_type: bool,
              optional: bool = False) -> tuple:  # type: ignore[type-arg]
        out: list[Any] = []
        for i in range(count(p)):
            name_p = ctypes.POINTER(ctypes.c_char)()
            size = c_size_t()
            if not with_type:
                nth(p, i, ctypes.byref(name_p), ctypes.byref(size))
                out.append(ctypes.string_at(name_p, size.value).decode())
                continue
            t = _valtype_t()
            has = c_bool(True)
            if optional:
                nth(p, i, ctypes.byref(name_p), ctypes.byref(size), ctypes.byref(has), ctypes.byref(t))
            else:
                nth(p, i, ctypes.byref(name_p), ctypes.byref(size), ctypes.byref(t))
            name = ctypes.string_at(name_p, size.value).decode()
            if optional and not has.value:
                out.append((name, None))
            else:
                out.append((name, describe(t, resource)))
                valtype_delete(ctypes.addressof(t))
        return tuple(out)

    if k == T_LIST:
        return (k, sub(lambda o: _B.wasmtime_component_list_type_element(of.list, o)))
    if k == T_OPTION:
        return (k, sub(lambda o: _B.wasmtime_component_option_type_ty(of.option, o)))
    if k == T_MAP:
        return (k, sub(lambda o: _B.wasmtime_component_map_type_key(of.map, o)),
                sub(lambda o: _B.wasmtime_component_map_type_value(of.map, o)))
    if k == T_RECORD:
        return (k, named(_B.wasmtime_component_record_type_field_count,
                         _B.wasmtime_component_record_type_field_nth, of.record, True))
    if k == T_TUPLE:
        p = of.tuple
        n = _B.wasmtime_component_tuple_type_types_count(p)
        def nth(i: int) -> Callable[[Any], Any]:
            return lambda o: _B.wasmtime_component_tuple_type_types_nth(p, i, o)
        return (k, *(sub(nth(i)) for i in range(n)))
    if k == T_VARIANT:
        return (k, named(_B.wasmtime_component_variant_type_case_count,
                         _B.wasmtime_component_variant_type_case_nth, of.variant, True, optional=True))
    if k == T_ENUM:
        return (k, named(_B.wasmtime_component_enum_type_names_count,
                         _B.wasmtime_component_enum_type_names_nth, of.enum_, False))
    if k == T_FLAGS:
        return (k, named(_B.wasmtime_component_flags_type_names_count,
                         _B.wasmtime_component_flags_type_names_nth, of.flags, False))
    if k == T_RESULT:
        p = of.result
        ok = _valtype_t()
        err = _valtype_t()
        has_ok = _B.wasmtime_component_result_type_ok(p, ctypes.byref(ok))
        has_err = _B.wasmtime_component_result_type_err(p, ctypes.byref(err))
        out = (k, describe(ok, resource) if has_ok else None, describe(err, resource) if has_err else None)
        if has_ok:
            valtype_delete(ctypes.addressof(ok))
        if has_err:
            valtype_delete(ctypes.addressof(err))
        return out
    if k in (T_OWN, T_BORROW):
        if resource is not None:
            return (k, resource(of.own if k == T_OWN else of.borrow))
        return (k,)
    if resource is not None and k in (T_FUTURE, T_STREAM, T_ERROR_CONTEXT):
        return (k,)
    raise TypeError(f"wasmtime {WASMTIME_VERSION}: value type kind {k} (future/stream/error-context) is not supported")


def func_signature(func: Any, store: Any) -> tuple[list[tuple[str, tuple]], Optional[tuple]]:  # type: ignore[type-arg]
    """``([(param name, desc)], result desc or None)`` of a component `Func`."""
    fty = func_type(func_address(func), context(store))
    try:
        return signature(fty)
    finally:
        func_type_delete(fty)


def signature(fty: int, resource: Optional[Callable[[Any], Any]] = None,
              ) -> tuple[list[tuple[str, tuple]], Optional[tuple]]:  # type: ignore[type-arg]
    """The same, of a `wasmtime_component_func_type_t *` (not freed);
    `resource` as for `describe`."""
    params = []
    for i in range(func_type_param_count(fty)):
        name_p = ctypes.c_void_p()
        size = c_size_t()
        t = _valtype_t()
        func_type_param_nth(fty, i, ctypes.addressof(name_p), ctypes.addressof(size), ctypes.addressof(t))
        params.append((ctypes.string_at(name_p.value, size.value).decode(), describe(t, resource)))  # type: ignore[arg-type]
        valtype_delete(ctypes.addressof(t))
    t = _valtype_t()
    result = None
    if func_type_result(fty, ctypes.addressof(t)):
        result = describe(t, resource)
        valtype_delete(ctypes.addressof(t))
    return params, result


# ---- per thread ----------------------------------------------------------------


class _OutCell(threading.local):
    """A pointer-sized out-parameter for C calls that return through one."""

    def __init__(self) -> None:
        self.value = c_void_p()
        self.addr = ctypes.addressof(self.value)


OUT = _OutCell()

# Host exceptions, kept for the caller of the export the host function ran in.

class _Exception(threading.local):
    """What a host callback raised, and in which store (its context)."""

    exc: Optional[BaseException] = None
    ctx = 0


EXCEPTION = _Exception()


def stash_exception(exc: BaseException, ctx: int) -> None:
    EXCEPTION.exc, EXCEPTION.ctx = exc, ctx


def pop_exception(ctx: int) -> Optional[BaseException]:
    """What a host callback of store `ctx` raised in this thread, if
    anything. Taken only when a call fails, so a call pays nothing for it;
    one another store's failure left (through wasmtime-py's own calls, which
    never take it) is not this store's."""
    exc, EXCEPTION.exc = EXCEPTION.exc, None
    return exc if EXCEPTION.ctx == ctx else None


# C callbacks (ctypes thunks) registered on linkers, by the id wasmtime hands
# back as `data`: a thunk freed while wasm can still call it crashes the
# process, so each lives until wasmtime's finalizer says the definition is
# gone (when the linker is dropped).
_CALLBACKS: dict[int, Any] = {}
_callback_ids = itertools.count(1)


def failed(exc: BaseException, what: str, ctx: int) -> int:
    """Keep `exc` for the export's caller (per thread); an error for wasm."""
    stash_exception(exc, ctx)
    return new_error(f"{what} raised {type(exc).__name__}")


def _finalize(data: Optional[int]) -> None:
    if _CALLBACKS is not None:  # None at interpreter shutdown
        _CALLBACKS.pop(data or 0, None)


callback_t = ctypes.CFUNCTYPE(c_size_t, P, P, P, P, c_size_t, P, c_size_t)
destructor_t = ctypes.CFUNCTYPE(c_size_t, P, P, c_uint32)
finalizer_t = ctypes.CFUNCTYPE(None, P)
_FINALIZER = finalizer_t(_finalize)
_add_func = _fn("wasmtime_component_linker_instance_add_func", P, P, P, c_size_t, callback_t, P, finalizer_t)
_add_resource = _fn("wasmtime_component_linker_instance_add_resource", P, P, P, c_size_t, P, destructor_t, P,
                    finalizer_t)
_resource_type_new_host = _fn("wasmtime_component_resource_type_new_host", P, c_uint32)
_resource_type_delete = _fn("wasmtime_component_resource_type_delete", None, P)


def add_func(linker_instance: Any, name: str, callback: Callable[..., int]) -> None:
    """Define `name` in a wasmtime-py `LinkerInstance` as the C callback
    ``callback(data, ctx, fty, args, nargs, results, nresults)``, which
    returns 0 or a `wasmtime_error_t *` (see `failed`) and never raises."""
    linker_instance._assert_not_locked()
    idx = next(_callback_ids)
    thunk = _CALLBACKS[idx] = callback_t(callback)
    encoded = name.encode("utf-8")
    err = _add_func(ctypes.cast(linker_instance.ptr(), c_void_p).value, encoded, len(encoded), thunk, idx,
                    _FINALIZER)
    if err:
        del _CALLBACKS[idx]
        raise take_error(err)


def add_resource(linker_instance: Any, name: str, type_id: int, destructor: Callable[[int, int], None]) -> None:
    """Define host resource type `type_id` as `name`; ``destructor(ctx,
    rep)`` runs when the guest drops an own handle to it."""
    linker_instance._assert_not_locked()

    def call(_data: Optional[int], ctx: int, rep: int) -> int:
        try:
            destructor(ctx, rep)
            return 0
        except BaseException as exc:  # noqa: BLE001 - every exception is a trap, KeyboardInterrupt included
            return failed(exc, f"destructor of {name}", ctx)

    idx = next(_callback_ids)
    thunk = _CALLBACKS[idx] = destructor_t(call)
    encoded = name.encode("utf-8")
    ty = _resource_type_new_host(type_id)
    try:
        err = _add_resource(ctypes.cast(linker_instance.ptr(), c_void_p).value, encoded, len(encoded), ty,
                            thunk, idx, _FINALIZER)
    finally:
        _resource_type_delete(ty)
    if err:
        del _CALLBACKS[idx]
        raise take_error(err)
