"""The C-API floor's own declarations of wasmtime's C functions.

Deliberately not `witgen_runtime._capi`: the floor is what the runtime is
measured against, so it must not change when the runtime does. Functions are
declared with ``c_void_p``/``c_size_t`` arguments so calls take plain ints;
values are written and read with `struct` on `MEM`, a memoryview of the
whole address space (a ``wasmtime_component_val_t`` is 32 bytes: kind
``u8`` at 0, payload at 8).
"""

from __future__ import annotations

import ctypes
import struct
from ctypes import c_bool, c_size_t, c_uint32, c_void_p
from typing import Any, Callable

from wasmtime import WasmtimeError
from wasmtime import _bindings as _B

# Value kinds (`wasmtime_component_valkind_t`); MAP (22) is not in wasmtime-py's `_ffi.py`.
BOOL, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, CHAR, STRING, LIST, RECORD, TUPLE, \
    VARIANT, ENUM, OPTION, RESULT, FLAGS, RESOURCE, MAP = range(23)

MEM = memoryview((ctypes.c_char * (1 << 47)).from_address(0)).cast("B")
pack_into = struct.pack_into
unpack_from = struct.unpack_from


def _bytes_data_offset() -> int:
    probe = bytes(bytearray(b"probe"))
    offset: int = ctypes.cast(ctypes.c_char_p(probe), c_void_p).value - id(probe)  # type: ignore[operator]
    assert bytes(MEM[id(probe) + offset:id(probe) + offset + 5]) == b"probe"
    return offset


# `id(b) + BYTES_DATA` is where a bytes object's contents start (CPython).
BYTES_DATA = _bytes_data_offset()


def _fn(name: str, restype: Any, *argtypes: Any) -> Any:
    # A private prototype: wasmtime-py's own attribute keeps its argtypes.
    proto = ctypes.CFUNCTYPE(restype, *argtypes)
    return proto(ctypes.cast(getattr(_B.dll, name), c_void_p).value or 0)  # type: ignore[attr-defined]


P = c_void_p
func_call = _fn("wasmtime_component_func_call", P, P, P, P, c_size_t, P, c_size_t)
val_delete = _fn("wasmtime_component_val_delete", None, P)
error_new = _fn("wasmtime_error_new", P, ctypes.c_char_p)
resource_any_delete = _fn("wasmtime_component_resource_any_delete", None, P)
resource_any_drop = _fn("wasmtime_component_resource_any_drop", P, P, P)
resource_any_to_host = _fn("wasmtime_component_resource_any_to_host", P, P, P, P)
resource_host_new = _fn("wasmtime_component_resource_host_new", P, c_bool, c_uint32, c_uint32)
resource_host_to_any = _fn("wasmtime_component_resource_host_to_any", P, P, P, P)
resource_host_rep = _fn("wasmtime_component_resource_host_rep", c_uint32, P)
resource_host_delete = _fn("wasmtime_component_resource_host_delete", None, P)

_callback_t = ctypes.CFUNCTYPE(c_size_t, P, P, P, P, c_size_t, P, c_size_t)
_finalizer_t = ctypes.CFUNCTYPE(None, P)
_add_func = _fn("wasmtime_component_linker_instance_add_func", P, P, P, c_size_t, _callback_t, P, _finalizer_t)
_NO_FINALIZER = _finalizer_t(lambda _p: None)
_THUNKS: list[Any] = []  # a freed thunk called from wasm crashes the process


def context(store: Any) -> int:
    """The `wasmtime_context_t *` of a `Store`, as an int."""
    return ctypes.cast(store._context(), c_void_p).value or 0


def func_address(func: Any) -> int:
    """Address of a component `Func`'s `wasmtime_component_func_t` (keep the `Func`)."""
    return ctypes.addressof(func._func)


def take_error(ptr: int) -> WasmtimeError:
    return WasmtimeError._from_ptr(ctypes.cast(ptr, ctypes.POINTER(_B.wasmtime_error_t)))


def add_func(linker_instance: Any, name: str, callback: Callable[[int, int, int, int, int], None]) -> None:
    """Define `name` as ``callback(ctx, args, nargs, results, nresults)``;
    an exception becomes a trap with the exception's type in the message."""

    def trampoline(_data: int, ctx: int, _fty: int, args: int, nargs: int, results: int, nresults: int) -> int:
        try:
            callback(ctx, args, nargs, results, nresults)
            return 0
        except BaseException as exc:  # noqa: BLE001 - wasm gets an error instead
            return error_new(f"host function {name} raised {type(exc).__name__}".encode())  # type: ignore[no-any-return]

    thunk = _callback_t(trampoline)
    name_bytes = name.encode()
    err = _add_func(ctypes.cast(linker_instance.ptr(), c_void_p).value, name_bytes, len(name_bytes),
                    thunk, None, _NO_FINALIZER)
    if err:
        raise take_error(err)
    _THUNKS.append(thunk)
