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
import enum
import itertools
import struct
import sys
import threading
from ctypes import c_bool, c_size_t, c_uint32, c_void_p
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Optional, TypeVar

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
# The value kinds (`wasmtime_component_valkind_t`) and type kinds
# (`wasmtime_component_valtype_kind_t`) are numbered in `_values.KINDS`,
# with everything else the runtime knows of each kind.


def _check_layout() -> None:
    val = _B.wasmtime_component_val_t
    problems = []
    if ctypes.sizeof(val) != VAL_SIZE or val.of.offset != 8:
        problems.append("wasmtime_component_val_t is not 32 bytes with its payload at 8")
    if ctypes.sizeof(_B.wasmtime_component_valrecord_entry_t) != 48:
        problems.append("valrecord_entry is not 48 bytes")
    if ctypes.sizeof(_B.wasmtime_component_valmap_entry_t) != 64:
        problems.append("valmap_entry is not 64 bytes")
    if ctypes.sizeof(_B.wasmtime_component_valtype_t) != 16 or _B.wasmtime_component_valtype_t.of.offset != 8:
        problems.append("wasmtime_component_valtype_t is not 16 bytes with its union at 8")
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
_addressof = ctypes.addressof


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
resource_type_equal = _fn("wasmtime_component_resource_type_equal", c_bool, P, P)
valtype_delete = _fn("wasmtime_component_valtype_delete", None, P)



def config_enable_map(config: wasmtime.Config) -> None:
    """Turn on `map<K, V>` (wasmtime-py has the setter; no value support)."""
    _B.wasmtime_config_wasm_component_model_map_set(config.ptr(), True)


def config_use_winch(config: wasmtime.Config) -> None:
    """Compile with Winch, wasmtime's baseline compiler (`Config.strategy`
    offers only auto and Cranelift): about four times faster to compile an
    18 MB componentize-py guest, for a component compiled only to read its
    type, never run fast. Not every platform has it: compiling then fails."""
    _B.wasmtime_config_strategy_set(config.ptr(), 2)  # WASMTIME_STRATEGY_WINCH (the C value)


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

# A `wasmtime_component_valtype_t`: kind byte at 0, a pointer (its union) at 8.
VALTYPE_SIZE = 16
_valtype_buf = ctypes.c_char * VALTYPE_SIZE
_out_buf = ctypes.c_char * 24  # name pointer, name size, has-payload flag


class Access(enum.Enum):
    """The C API's ways of giving a type's details (``p``: the valtype's
    union member; ``out``: a valtype the caller deletes)."""

    ONE = "f(p, out)"  # one child
    MAYBE = "f(p, out) -> has"  # a child or None
    TYPES = "count(p), nth(p, i, out)"  # children by position
    NAMED = "count(p), nth(p, i, &name, &size, out)"  # children by name
    NAMED_MAYBE = "count(p), nth(p, i, &name, &size, &has, out)"  # by name, each or None
    NAMES = "count(p), nth(p, i, &name, &size)"  # atoms
    RESOURCE = "p"  # p is a `wasmtime_component_resource_type_t *`: an atom (its key)


# Each access's C prototypes, arguments as plain ints (see `_fn`).
_PROTOTYPES: dict[Access, tuple[tuple[Any, ...], ...]] = {
    Access.ONE: ((None, P, P),),
    Access.MAYBE: ((c_bool, P, P),),
    Access.TYPES: ((c_size_t, P), (c_bool, P, c_size_t, P)),
    Access.NAMED: ((c_size_t, P), (c_bool, P, c_size_t, P, P, P)),
    Access.NAMED_MAYBE: ((c_size_t, P), (c_bool, P, c_size_t, P, P, P, P)),
    Access.NAMES: ((c_size_t, P), (c_bool, P, c_size_t, P, P)),
    Access.RESOURCE: (),
}


@dataclass(frozen=True)
class Reader:
    """How one part of a kind's type is read: `member` of the valtype's
    union (every member is a pointer at offset 8), through the C functions
    `functions` (less their ``wasmtime_component_`` prefix), called as
    `access` says."""

    member: str
    access: Access
    functions: tuple[str, ...] = ()
    bound: tuple[Any, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Checked and looked up once: what this wasmtime-py lacks fails at import.
        union = _B.wasmtime_component_valtype_union
        if self.member not in {f[0] for f in union._fields_}:
            raise ImportError(f"witgen_runtime: wasmtime {WASMTIME_VERSION} has no valtype member {self.member!r}")
        prototypes = _PROTOTYPES[self.access]
        if len(prototypes) != len(self.functions):
            raise TypeError(f"{self.access}: {len(prototypes)} functions, not {self.functions}")
        object.__setattr__(self, "bound", tuple(
            _fn(f"wasmtime_component_{f}", *proto) for f, proto in zip(self.functions, prototypes)))


Described = TypeVar("Described")


def describe(addr: int, readers: tuple[Reader, ...], read: Callable[[int], Described],
             resource: Optional[Callable[[int], str]] = None,
             ) -> tuple[list[Optional[Described]], list[str], list[str]]:
    """The details of the `wasmtime_component_valtype_t` at `addr` (not
    deleted): ``(children, their names, atoms)``, each child described by
    ``read(its valtype's address)``. Own/borrow's atom is the key
    ``resource(its resource type's address)`` gives (none without)."""
    p = unpack_from("<Q", MEM, addr + 8)[0]
    children: list[Optional[Described]] = []
    names: list[str] = []
    atoms: list[str] = []
    for reader in readers:
        access = reader.access
        if access is Access.RESOURCE:
            if resource is not None:
                atoms.append(resource(p))
            continue
        child = _valtype_buf()
        t = _addressof(child)
        if access is Access.ONE or access is Access.MAYBE:
            has = reader.bound[0](p, t) is not False  # MAYBE: a child or not (ONE returns None)
            children.append(_read_once(read, t) if has else None)
            continue
        count, nth = reader.bound
        out = _out_buf()
        o = _addressof(out)
        for i in range(count(p)):
            if access is Access.NAMES:
                nth(p, i, o, o + 8)
            elif access is Access.TYPES:
                nth(p, i, t)
            elif access is Access.NAMED:
                nth(p, i, o, o + 8, t)
            else:
                MEM[o + 16] = 1
                nth(p, i, o, o + 8, o + 16, t)
            if access is not Access.TYPES:
                data, size = unpack_from("<QQ", MEM, o)
                name = str(MEM[data:data + size], "utf-8")
                if access is Access.NAMES:
                    atoms.append(name)
                    continue
                names.append(name)
            has = MEM[o + 16] != 0 or access is not Access.NAMED_MAYBE
            children.append(_read_once(read, t) if has else None)
    return children, names, atoms


def _read_once(read: Callable[[int], Described], valtype: int) -> Described:
    """``read(valtype)``, then the valtype the C API filled in is deleted."""
    try:
        return read(valtype)
    finally:
        valtype_delete(valtype)


def func_signature(func: Any, store: Any, read: Callable[[int], Described],
                   ) -> tuple[list[tuple[str, Described]], Optional[Described]]:
    """``([(param name, type)], result type or None)`` of a component
    `Func`, each type described by ``read(address of its valtype)`` (not
    deleted)."""
    fty = func_type(func_address(func), context(store))
    try:
        return signature(fty, read)
    finally:
        func_type_delete(fty)


def signature(fty: int, read: Callable[[int], Described],
              ) -> tuple[list[tuple[str, Described]], Optional[Described]]:
    """The same, of a `wasmtime_component_func_type_t *` (not freed)."""
    params = []
    out = _out_buf()
    o = _addressof(out)
    child = _valtype_buf()
    t = _addressof(child)
    for i in range(func_type_param_count(fty)):
        func_type_param_nth(fty, i, o, o + 8, t)
        data, size = unpack_from("<QQ", MEM, o)
        try:
            params.append((str(MEM[data:data + size], "utf-8"), read(t)))
        finally:
            valtype_delete(t)
    result = None
    if func_type_result(fty, t):
        try:
            result = read(t)
        finally:
            valtype_delete(t)
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
