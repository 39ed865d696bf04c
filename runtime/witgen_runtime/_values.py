"""The WIT type kinds (`KINDS`, one entry each: see `_types`), and codecs:
Python values straight into ``wasmtime_component_val_t`` slots and back.

A codec is an object with

- ``lower(addr, value, keep)``: write `value` as the 32-byte value at `addr`.
  ``keep`` is a list in *borrowed* mode (export arguments: wasmtime only
  reads them, so payloads may point into Python memory kept alive in
  `keep`) or ``None`` in *owned* mode (host-function results: wasmtime frees
  them, so payloads are allocated with wasmtime's own allocators).
- ``lift(addr)``: read the value at `addr` (never frees; the caller deletes
  the slot).

Bad input raises `Bad` carrying a path relative to the codec; each parent
adds its own segment on the way out (nothing is built on the happy path) and
the call layer turns it into ``TypeError``/``ValueError`` naming the whole
path, e.g. ``r.at.x: 2147483648 is out of range for s32``.

Codecs are objects with methods; where a method call per value measured
well above the C-API floor (scalar arguments, records of scalars, maps of
strings and scalars), straight-line code is compiled when the codec or the
function is bound, with the method kept as the path for conversions and
errors (NOTES.md has the figures).
"""

from __future__ import annotations

import array
import ctypes
import enum
import math
import struct
from operator import attrgetter
from typing import Any, Optional, Sequence

from . import _capi as C
from ._capi import MEM, BYTES_DATA, pack_into, unpack_from
from ._errors import Err, Ok, Some
from ._types import Form, Kind, Kinds, Type, first_difference

__all__ = [
    "Codec", "BOOL", "U8", "U16", "U32", "U64", "S8", "S16", "S32", "S64", "F32", "F64", "CHAR", "STRING",
    "BYTES", "List", "Tuple", "Record", "Enum", "Flags", "Option", "ResultOf", "Variant", "Map",
]

_char_array = ctypes.c_char.__mul__
_addressof = ctypes.addressof


# ---- the kinds ---------------------------------------------------------------
# Everything the runtime knows of a WIT type kind is here: its entry in
# `KINDS` (the component's type read, the world's text parsed, compared,
# written in messages: see `_types`) and, when wasmtime's C API can pass its
# values, its value kind and codec below. A new kind touches this file only.


# `wasmtime_component_valkind_t`, a value slot's kind byte (module constants:
# read on every value lowered). MAP is absent from wasmtime-py's `_ffi.py`:
# read back from a map value a real component returned.
V_BOOL, V_S8, V_U8, V_S16, V_U16, V_S32, V_U32, V_S64, V_U64, V_F32, V_F64, V_CHAR, V_STRING, V_LIST, V_RECORD, \
    V_TUPLE, V_VARIANT, V_ENUM, V_OPTION, V_RESULT, V_FLAGS, V_RESOURCE, V_MAP = range(23)

_R, _A = C.Reader, C.Access
KINDS = Kinds(
    # WIT keyword, `wasmtime_component_valtype_kind_t` (None: not in the C API), value kind (None: no codec)
    Kind("bool", 0, V_BOOL),
    Kind("s8", 1, V_S8),
    Kind("s16", 2, V_S16),
    Kind("s32", 3, V_S32),
    Kind("s64", 4, V_S64),
    Kind("u8", 5, V_U8),
    Kind("u16", 6, V_U16),
    Kind("u32", 7, V_U32),
    Kind("u64", 8, V_U64),
    Kind("f32", 9, V_F32),
    Kind("f64", 10, V_F64),
    Kind("char", 11, V_CHAR),
    Kind("string", 12, V_STRING),
    Kind("list", 13, V_LIST, Form.ARGS, labels=("element",),
         c_read=(_R("list", _A.ONE, ("list_type_element",)),)),
    Kind("record", 14, V_RECORD, Form.FIELDS, label="field {}",
         c_read=(_R("record", _A.NAMED, ("record_type_field_count", "record_type_field_nth")),)),
    Kind("tuple", 15, V_TUPLE, Form.ARGS, label="element {}",
         c_read=(_R("tuple", _A.TYPES, ("tuple_type_types_count", "tuple_type_types_nth")),)),
    Kind("variant", 16, V_VARIANT, Form.CASES, label="case {}",
         c_read=(_R("variant", _A.NAMED_MAYBE, ("variant_type_case_count", "variant_type_case_nth")),)),
    Kind("enum", 17, V_ENUM, Form.NAMES,
         c_read=(_R("enum_", _A.NAMES, ("enum_type_names_count", "enum_type_names_nth")),)),
    Kind("option", 18, V_OPTION, Form.ARGS, labels=("some",),
         c_read=(_R("option", _A.ONE, ("option_type_ty",)),)),
    Kind("result", 19, V_RESULT, Form.ARGS, labels=("ok", "err"), optional=True,
         c_read=(_R("result", _A.MAYBE, ("result_type_ok",)), _R("result", _A.MAYBE, ("result_type_err",)))),
    Kind("flags", 20, V_FLAGS, Form.NAMES,
         c_read=(_R("flags", _A.NAMES, ("flags_type_names_count", "flags_type_names_nth")),)),
    Kind("own", 21, V_RESOURCE, Form.HANDLE, c_read=(_R("own", _A.RESOURCE),)),
    Kind("borrow", 22, V_RESOURCE, Form.HANDLE, c_read=(_R("borrow", _A.RESOURCE),)),
    # No codec passes these (wasmtime-py has no values for them): compared by kind only.
    Kind("future", 23, None, Form.ARGS, labels=("payload",), optional=True, kind_only=True),
    Kind("stream", 24, None, Form.ARGS, labels=("payload",), optional=True, kind_only=True),
    Kind("error-context", 25),
    Kind("map", 26, V_MAP, Form.ARGS, labels=("key", "value"),
         c_read=(_R("map", _A.ONE, ("map_type_key",)), _R("map", _A.ONE, ("map_type_value",)))),
    # A resource's own definition in the world's text, never a value's type.
    Kind("resource", None),
)


class Bad(Exception):
    """A value that does not fit its type; `path` grows outward."""

    def __init__(self, cls: type, message: str, first: Any = None) -> None:
        self.cls: type = cls
        self.message = message
        self.path: list[str] = []
        # A value passed twice in one call: the message names where it was
        # passed first (`{first}`), found in the arguments when raised.
        self.first = first

    def at(self, segment: str) -> "Bad":
        self.path.append(segment)
        return self

    def error(self, root: str, arguments: Sequence[tuple[str, Any]] = ()) -> Exception:
        message = self.message
        if self.first is not None:
            message = message.format(first=_find(arguments, self.first) or "another argument")
        exc: Exception = self.cls(f"{root}{''.join(reversed(self.path))}: {message}")
        return exc


def _find(arguments: Sequence[tuple[str, Any]], target: Any) -> Optional[str]:
    """The path of the first place `target` occurs in the arguments."""
    def walk(v: Any, path: str, depth: int) -> Optional[str]:
        if v is target:
            return path
        if depth > 32:
            return None
        if isinstance(v, (list, tuple)):
            items: Any = ((f"[{i}]", x) for i, x in enumerate(v))
        elif isinstance(v, dict):
            items = ((f"[{k!r}]", x) for k, x in v.items())
        elif hasattr(v, "__dataclass_fields__"):
            items = ((f".{f}", getattr(v, f, None)) for f in v.__dataclass_fields__)
        else:
            return None
        for segment, x in items:
            found = walk(x, path + segment, depth + 1)
            if found is not None:
                return found
        return None

    for name, v in arguments:
        found = walk(v, name, 0)
        if found is not None:
            return found
    return None


def _tname(v: Any) -> str:
    return type(v).__name__


def _alloc(size: int, keep: list) -> int:  # type: ignore[type-arg]
    buf = _char_array(size)()
    keep.append(buf)
    return _addressof(buf)


def _storage(addr: int, kind: int, n: int, size: int, keep: Optional[list],  # type: ignore[type-arg]
             new_uninit: Any) -> int:
    """Write the header of a `kind` value at `addr` with `n` entries of
    `size` bytes and return the entries' address: Python memory in `keep`
    (borrowed mode) or wasmtime's uninitialised storage (owned mode)."""
    if keep is not None:
        p = _alloc(size * n, keep) if n else 0
        pack_into("<B7xQQ", MEM, addr, kind, n, p)
        return p
    MEM[addr] = kind
    new_uninit(addr + 8, n)
    return unpack_from("<Q", MEM, addr + 16)[0]  # type: ignore[no-any-return]


# The canonical ABI's limits (CanonicalABI.md, `MAX_STRING_BYTE_LENGTH` and
# `MAX_LIST_BYTE_LENGTH`): a longer string or list cannot cross the boundary.
# wasmtime itself copies more into a guest, but the guest sending it back
# to a host function traps (wasmtime's "hostcall fuel", 128 MiB per call).
MAX_STRING_BYTE_LENGTH = (1 << 28) - 1
MAX_LIST_BYTE_LENGTH = (1 << 28) - 1


def _class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _expected(cls: type, v: Any) -> str:
    """``expected Point, got int``; module-qualified when both are called
    the same (another package's class of another WIT type)."""
    got = type(v)
    if got.__name__ == cls.__name__ and got is not cls:
        if _class_name(cls) == _class_name(got):  # two classes made by one function
            return f"expected {_class_name(cls)}, got another class of that name"
        return f"expected {_class_name(cls)}, got {_class_name(got)}"
    return f"expected {cls.__name__}, got {got.__name__}"


# Every generated package defines its own classes for the WIT types it uses;
# codecs accept the classes of every package for the same WIT type (same
# package, interface and name), so a host written with one package's
# classes works with a world bound through another's. WIT name -> classes
# (for variants, one tuple of case classes per package), in load order.
_SAME_WIT: dict[str, list[Any]] = {}


def _register(wit: str, classes: Any) -> list[Any]:
    known = _SAME_WIT.setdefault(wit, [])
    if classes not in known:
        known.append(classes)
    return known


# ---- scalars -----------------------------------------------------------------

class Codec:
    kind: int = -1
    wit = "?"
    nullable = False  # whether None is one of its Python values
    # Canonical ABI size and alignment in linear memory (for the list limit).
    size = 0
    align = 1
    # For bind-time specialisation (`_exports`, `_host`, `Record`): a check expression
    # over ``{v}`` that is true exactly when `lower` would pack the value as
    # the struct format `fmt` with no conversion, or None.
    inline_check: Optional[str] = None
    fmt_char = ""

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        raise NotImplementedError

    def lift(self, addr: int) -> Any:
        raise NotImplementedError

    def children(self) -> Sequence["Codec"]:
        """The codecs of the values inside this one's."""
        return ()

    def wit_type(self) -> Type:
        """The WIT type this codec passes (compared with the component's
        when a function is bound). A scalar's `wit` is its keyword."""
        return KINDS[self.wit].bare

    @property
    def uses_context(self) -> bool:
        """Whether converting needs the call's `Context` (resources, at any
        depth). Read when a function is bound, not per call."""
        return any(c.uses_context for c in self.children())

    def __repr__(self) -> str:
        return self.wit


class _Bool(Codec):
    kind = V_BOOL
    wit = "bool"
    size = align = 1
    inline_check = "type({v}) is bool"
    fmt_char = "?"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not bool:
            raise Bad(TypeError, f"expected bool, got {_tname(v)}")
        pack_into("<B7x?", MEM, addr, V_BOOL, v)

    def lift(self, addr: int) -> Any:
        return MEM[addr + 8] != 0


class _Int(Codec):
    def __init__(self, wit: str, kind: int, fmt: str, lo: int, hi: int) -> None:
        self.wit, self.kind, self.lo, self.hi = wit, kind, lo, hi
        self.size = self.align = struct.calcsize(fmt)
        self.fmt = "<B7x" + fmt
        self.rfmt = "<" + fmt
        self.array_code = {"b": "b", "B": "B", "h": "h", "H": "H", "i": "i", "I": "I", "q": "q", "Q": "Q"}[fmt]
        self.inline_check = f"type({{v}}) is int and {lo} <= {{v}} <= {hi}"
        self.fmt_char = fmt

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not int:
            if not isinstance(v, int) or isinstance(v, bool):
                raise Bad(TypeError, f"expected int ({self.wit}), got {_tname(v)}")
            v = int(v)  # an IntEnum, say
        if not self.lo <= v <= self.hi:
            raise Bad(ValueError, f"{v} is out of range for {self.wit} ({self.lo}..{self.hi})")
        pack_into(self.fmt, MEM, addr, self.kind, v)

    def lift(self, addr: int) -> Any:
        return unpack_from(self.rfmt, MEM, addr + 8)[0]


class _Float(Codec):
    def __init__(self, wit: str, kind: int, fmt: str) -> None:
        self.wit, self.kind = wit, kind
        self.size = self.align = struct.calcsize(fmt)
        self.fmt = "<B7x" + fmt
        self.rfmt = "<" + fmt
        self.array_code = fmt
        self.fmt_char = fmt
        # f32 can overflow when packed, so only f64 is inlined (ints and
        # f32 take the method, which converts or refuses them).
        self.inline_check = "type({v}) is float" if fmt == "d" else None

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not float:
            # typing's float accepts ints; bool is not a number here.
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                raise Bad(TypeError, f"expected float ({self.wit}), got {_tname(v)}")
            try:
                v = float(v)
            except OverflowError:  # an int beyond ±1.8e308
                raise Bad(ValueError, f"an int of {int(v).bit_length()} bits is too large for {self.wit} "
                                      "(beyond ±1.8e308)") from None
        try:
            pack_into(self.fmt, MEM, addr, self.kind, v)
        except OverflowError:
            # Beyond f32's range: rounds to infinity, as a C cast does.
            pack_into(self.fmt, MEM, addr, self.kind, math.copysign(math.inf, v))

    def lift(self, addr: int) -> Any:
        return unpack_from(self.rfmt, MEM, addr + 8)[0]


class _Char(Codec):
    kind = V_CHAR
    wit = "char"
    size = align = 4

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if not isinstance(v, str) or len(v) != 1:
            raise Bad(TypeError, f"expected a one-character str (char), got {v!r:.40}")
        o = ord(v)
        # A surrogate is not a Unicode scalar value: wasmtime would panic
        # (abort the process) converting it to a Rust `char`.
        if 0xD800 <= o <= 0xDFFF:
            raise Bad(ValueError, f"{v!r} is a surrogate, not a Unicode scalar value")
        pack_into("<B7xI", MEM, addr, V_CHAR, o)

    def lift(self, addr: int) -> Any:
        return chr(unpack_from("<I", MEM, addr + 8)[0])


def _encode(v: Any) -> bytes:
    if not isinstance(v, str):
        raise Bad(TypeError, f"expected str, got {_tname(v)}")
    try:
        b = v.encode("utf-8")
    except UnicodeEncodeError as e:
        # wasmtime unwraps `String::from_utf8`: invalid UTF-8 would abort.
        raise Bad(ValueError, f"not encodable as UTF-8 ({e.reason} at {e.start})") from None
    if len(b) > MAX_STRING_BYTE_LENGTH:
        raise Bad(ValueError, f"a string of {len(b)} UTF-8 bytes is longer than the component model "
                              f"allows ({MAX_STRING_BYTE_LENGTH} bytes)")
    return b


class _String(Codec):
    kind = V_STRING
    wit = "string"
    size, align = 8, 4

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        b = _encode(v)
        if keep is not None:
            keep.append(b)
            pack_into("<B7xQQ", MEM, addr, V_STRING, len(b), id(b) + BYTES_DATA)
        else:
            MEM[addr] = V_STRING
            C.byte_vec_new(addr + 8, len(b), id(b) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        size, data = unpack_from("<QQ", MEM, addr + 8)
        return str(MEM[data:data + size], "utf-8")


BOOL = _Bool()
S8 = _Int("s8", V_S8, "b", -(1 << 7), (1 << 7) - 1)
U8 = _Int("u8", V_U8, "B", 0, (1 << 8) - 1)
S16 = _Int("s16", V_S16, "h", -(1 << 15), (1 << 15) - 1)
U16 = _Int("u16", V_U16, "H", 0, (1 << 16) - 1)
S32 = _Int("s32", V_S32, "i", -(1 << 31), (1 << 31) - 1)
U32 = _Int("u32", V_U32, "I", 0, (1 << 32) - 1)
S64 = _Int("s64", V_S64, "q", -(1 << 63), (1 << 63) - 1)
U64 = _Int("u64", V_U64, "Q", 0, (1 << 64) - 1)
F32 = _Float("f32", V_F32, "f")
F64 = _Float("f64", V_F64, "d")
CHAR = _Char()
STRING = _String()

_NUMERIC = (S8, U8, S16, U16, S32, U32, S64, U64, F32, F64)


# ---- lists -------------------------------------------------------------------

class _Bytes(Codec):
    elem: Codec
    """`list<u8>` as `bytes`: two strided copies instead of a loop."""

    kind = V_LIST
    wit = "list<u8>"
    size, align = 8, 4

    def wit_type(self) -> Type:
        return KINDS["list"].make([U8.wit_type()])

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        t = type(v)
        if t is not bytes and t is not bytearray:
            if not isinstance(v, (bytes, bytearray, memoryview)):
                raise Bad(TypeError, f"expected bytes, got {_tname(v)}")
            v = bytes(v)
        n = len(v)
        if n > MAX_LIST_BYTE_LENGTH:
            raise Bad(ValueError, f"{n} bytes is longer than the component model allows for a list "
                                  f"({MAX_LIST_BYTE_LENGTH} bytes)")
        p = _storage(addr, V_LIST, n, 32, keep, C.vallist_new_uninit)
        if n:
            MEM[p:p + 32 * n:32] = _U8_KINDS[:n] if n <= len(_U8_KINDS) else bytes([V_U8]) * n
            MEM[p + 8:p + 32 * n:32] = v

    def lift(self, addr: int) -> Any:
        n, p = unpack_from("<QQ", MEM, addr + 8)
        return MEM[p + 8:p + 8 + 32 * n:32].tobytes() if n else b""


_U8_KINDS = bytes([V_U8]) * (1 << 16)


def _sequence(codec: Codec, v: Any) -> None:
    """Refuse what is not a list (or tuple) of at most the canonical ABI's
    length of `codec`'s elements."""
    t = type(v)
    if t is not list and t is not tuple and not isinstance(v, (list, tuple)):
        raise Bad(TypeError, f"expected list, got {_tname(v)}")
    elem: Codec = codec.elem  # type: ignore[attr-defined]
    if len(v) * elem.size > MAX_LIST_BYTE_LENGTH:
        raise Bad(ValueError, f"{len(v)} elements of {elem.wit} ({len(v) * elem.size} bytes) are more than "
                              f"the component model allows for a list ({MAX_LIST_BYTE_LENGTH} bytes)")


class _NumList(Codec):
    """`list<number>` as `list`: the payloads move as one strided array copy."""

    kind = V_LIST
    size, align = 8, 4

    def children(self) -> Sequence[Codec]:
        return (self.elem,)

    def wit_type(self) -> Type:
        return KINDS["list"].make([self.elem.wit_type()])

    def __init__(self, elem: Any) -> None:
        self.elem = elem
        self.wit = f"list<{elem.wit}>"
        self.code = elem.array_code
        self.step = 32 // array.array(self.code).itemsize
        self.kind_byte = bytes([elem.kind])

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        _sequence(self, v)
        try:
            values = array.array(self.code, v)
            # array takes True for 1; the scalar codecs refuse bools (one
            # C-speed pass over the types, not a Python loop).
            if bool in set(map(type, v)):
                raise TypeError
        except (TypeError, OverflowError):
            # Find the culprit for the message (only on the error path).
            for i, x in enumerate(v):
                try:
                    self.elem.lower(_SCRATCH, x, None)
                except Bad as e:
                    raise e.at(f"[{i}]") from None
            raise
        n = len(values)
        p = _storage(addr, V_LIST, n, 32, keep, C.vallist_new_uninit)
        if n:
            MEM[p:p + 32 * n:32] = self.kind_byte * n
            MEM[p + 8:p + 32 * n].cast(self.code)[::self.step] = values

    def lift(self, addr: int) -> Any:
        n, p = unpack_from("<QQ", MEM, addr + 8)
        if not n:
            return []
        return MEM[p + 8:p + 8 + 32 * n].cast(self.code)[::self.step].tolist()


_SCRATCH_BUF = _char_array(32)()
_SCRATCH = _addressof(_SCRATCH_BUF)


def _zero_rest(p: int, done: int, n: int, size: int) -> None:
    # Owned storage is uninitialised: a partly written list must still be a
    # valid value for wasmtime_component_val_delete (zero = bool false).
    MEM[p + done * size:p + n * size] = bytes((n - done) * size)


class _List(Codec):
    kind = V_LIST
    size, align = 8, 4

    def children(self) -> Sequence[Codec]:
        return (self.elem,)

    def wit_type(self) -> Type:
        return KINDS["list"].make([self.elem.wit_type()])

    def __init__(self, elem: Codec) -> None:
        self.elem = elem
        self.wit = f"list<{elem.wit}>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        _sequence(self, v)
        n = len(v)
        p = _storage(addr, V_LIST, n, 32, keep, C.vallist_new_uninit)
        lower = self.elem.lower
        i = 0
        try:
            for x in v:
                lower(p + 32 * i, x, keep)
                i += 1
        except Bad as e:
            if keep is None:
                _zero_rest(p, i, n, 32)
            raise e.at(f"[{i}]") from None

    def lift(self, addr: int) -> Any:
        n, p = unpack_from("<QQ", MEM, addr + 8)
        lift = self.elem.lift
        return [lift(a) for a in range(p, p + 32 * n, 32)]


def List(elem: Codec) -> Codec:
    if elem is U8:
        return BYTES
    if elem in _NUMERIC:
        return _NumList(elem)
    return _List(elem)


BYTES = _Bytes()
BYTES.elem = U8


# ---- fixed-shape compounds ---------------------------------------------------

def _name(s: str) -> bytes:
    return s.encode("utf-8")


def _align_to(offset: int, align: int) -> int:
    return -(-offset // align) * align


def _struct_layout(codecs: Sequence[Codec]) -> tuple[int, int]:
    """(size, alignment) of a record or tuple of these fields."""
    offset, align = 0, 1
    for c in codecs:
        offset = _align_to(offset, c.align) + c.size
        align = max(align, c.align)
    return _align_to(offset, align), align


def _case_layout(cases: int, payloads: Sequence[Optional[Codec]]) -> tuple[int, int]:
    """(size, alignment) of a variant-like value."""
    discriminant = 1 if cases <= 1 << 8 else 2 if cases <= 1 << 16 else 4
    present = [c for c in payloads if c is not None]
    case_align = max((c.align for c in present), default=1)
    align = max(discriminant, case_align)
    return _align_to(_align_to(discriminant, case_align) + max((c.size for c in present), default=0), align), align


def _short(wit: str) -> str:
    """`point` of `ns:pkg/iface@1.0.0/point`."""
    return wit.rsplit("/", 1)[-1]


class Record(Codec):
    """A record as instances of `cls`, fields ``[(py_attr, wit_name, codec)]``.

    `wit` is the record's qualified WIT name: instances of another
    package's class for it are accepted too. Lifting calls ``cls(*fields)``."""

    kind = V_RECORD

    def __init__(self, wit: str, cls: Any, fields: Sequence[tuple[str, str, Codec]]) -> None:
        self.qualified = wit
        self.cls = cls
        self.same = _register(wit, cls)
        self.wit = getattr(cls, "__name__", _short(wit))
        self.attrs = [a for a, _, _ in fields]
        self.codecs = [c for _, _, c in fields]
        self.names = [_name(w) for _, w, _ in fields]
        self.n = len(fields)
        self.size, self.align = _struct_layout(self.codecs)
        self.get = attrgetter(*self.attrs) if self.n > 1 else (lambda v, g=attrgetter(self.attrs[0]): (g(v),)) if self.n else (lambda v: ())
        # Entries (name: wasm_name_t, val: 32 bytes) with the names filled in:
        # one copy per call in borrowed mode.
        tmpl = bytearray(48 * self.n)
        for i, b in enumerate(self.names):
            pack_into("<QQ", tmpl, 48 * i, len(b), id(b) + BYTES_DATA)
        self.template = bytes(tmpl)
        self.buf_type = _char_array(max(48 * self.n, 1))
        if self.n and all(c.inline_check for c in self.codecs):
            self._specialise()

    def _specialise(self) -> None:
        """Straight-line lower/lift for records of scalars: one `pack_into`
        and one `unpack_from` for the whole record (measured: about half the
        cost of a method call per field, see NOTES.md)."""
        vs = [f"v{i}" for i in range(self.n)]
        chars = [c.fmt_char for c in self.codecs]
        entry = "".join(f"QQB7x{ch}{24 - struct.calcsize(ch)}x" for ch in chars)
        lift_fmt = "<" + "".join(f"{ch}{48 - struct.calcsize(ch)}x" for ch in chars[:-1]) + chars[-1]
        checks = " and ".join(c.inline_check.format(v=v) for c, v in zip(self.codecs, vs))  # type: ignore[union-attr]
        packed = ", ".join(f"{len(b)}, {id(b) + BYTES_DATA}, {c.kind}, {v}" for b, c, v in zip(self.names, self.codecs, vs))
        tuple_target = ", ".join(vs) + ("," if self.n == 1 else "")
        src = f"""
def lower(addr, v, keep, _method=method_lower):
    if keep is None or type(v) is not cls:
        return _method(addr, v, keep)
    try:
        {tuple_target} = get(v)
    except AttributeError:
        return _method(addr, v, keep)
    if not ({checks}):
        return _method(addr, v, keep)
    buf = buf_type()
    keep.append(buf)
    p = addressof(buf)
    pack_into("<{entry}", MEM, p, {packed})
    pack_into("<B7xQQ", MEM, addr, {V_RECORD}, {self.n}, p)

def lift(addr):
    return cls(*unpack_from("{lift_fmt}", MEM, unpack_from("<Q", MEM, addr + 16)[0] + 24))
"""
        env = {"get": self.get, "buf_type": self.buf_type, "addressof": _addressof, "pack_into": pack_into,
               "unpack_from": unpack_from, "MEM": MEM, "cls": self.cls,
               "method_lower": Record.lower.__get__(self)}
        C.compile_source(src, f"<record {self.wit} {id(self):x}>", env)
        self.lower = env["lower"]  # type: ignore[method-assign]
        self.lift = env["lift"]  # type: ignore[method-assign]

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not self.cls and not any(isinstance(v, c) for c in self.same):
            raise Bad(TypeError, _expected(self.cls, v))
        try:
            values = self.get(v)
        except AttributeError:
            attr = next(a for a in self.attrs if not hasattr(v, a))
            raise Bad(TypeError, f"missing (this {type(v).__name__} has no attribute {attr!r})").at(f".{attr}") from None
        n = self.n
        if keep is not None:
            buf = self.buf_type.from_buffer_copy(self.template) if n else self.buf_type()
            keep.append(buf)
            p = _addressof(buf)
            pack_into("<B7xQQ", MEM, addr, V_RECORD, n, p)
        else:
            MEM[addr] = V_RECORD
            C.valrecord_new_uninit(addr + 8, n)
            p = unpack_from("<Q", MEM, addr + 16)[0]
            _zero_rest(p, 0, n, 48)
            for i, b in enumerate(self.names):
                C.byte_vec_new(p + 48 * i, len(b), id(b) + BYTES_DATA)
        i = 0
        try:
            for codec, x in zip(self.codecs, values):
                codec.lower(p + 48 * i + 16, x, keep)
                i += 1
        except Bad as e:
            raise e.at(f".{self.attrs[i]}") from None

    def lift(self, addr: int) -> Any:
        p = unpack_from("<Q", MEM, addr + 16)[0]
        return self.cls(*[c.lift(p + 48 * i + 16) for i, c in enumerate(self.codecs)])

    def children(self) -> Sequence[Codec]:
        return self.codecs

    def wit_type(self) -> Type:
        return KINDS["record"].make([c.wit_type() for c in self.codecs], [n.decode() for n in self.names])


class Tuple(Codec):
    kind = V_TUPLE

    def __init__(self, *codecs: Codec) -> None:
        self.codecs = codecs
        self.n = len(codecs)
        self.wit = f"tuple<{', '.join(c.wit for c in codecs)}>"
        self.size, self.align = _struct_layout(codecs)

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        n = self.n
        if not isinstance(v, tuple) or len(v) != n:
            raise Bad(TypeError, f"expected a tuple of {n} ({self.wit}), got {v!r:.60}")
        p = _storage(addr, V_TUPLE, n, 32, keep, C.valtuple_new_uninit)
        if keep is None:
            _zero_rest(p, 0, n, 32)
        i = 0
        try:
            for codec, x in zip(self.codecs, v):
                codec.lower(p + 32 * i, x, keep)
                i += 1
        except Bad as e:
            raise e.at(f"[{i}]") from None

    def lift(self, addr: int) -> Any:
        p = unpack_from("<Q", MEM, addr + 16)[0]
        return tuple([c.lift(p + 32 * i) for i, c in enumerate(self.codecs)])

    def children(self) -> Sequence[Codec]:
        return self.codecs

    def wit_type(self) -> Type:
        return KINDS["tuple"].make([c.wit_type() for c in self.codecs])


def _boxed(codec: Codec, v: Any, keep: Optional[list]) -> int:  # type: ignore[type-arg]
    """A heap `wasmtime_component_val_t *` holding `v` (option/result/variant payloads)."""
    if keep is not None:
        p = _alloc(32, keep)
        codec.lower(p, v, keep)
        return p
    tmp = _char_array(32)()
    codec.lower(_addressof(tmp), v, None)
    # val_new moves the value into a Box wasmtime frees with the parent.
    return C.val_new(_addressof(tmp))  # type: ignore[no-any-return]


class Option(Codec):
    """``option<T>``: None or the value; None or ``Some(value)`` when T's own
    values include None (``option<option<T>>``), as componentize-py does."""

    kind = V_OPTION
    nullable = True

    def __init__(self, elem: Codec) -> None:
        self.elem = elem
        self.wit = f"option<{elem.wit}>"
        self.wrap = elem.nullable
        self.size, self.align = _case_layout(2, [None, elem])

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if v is None:
            pack_into("<B7xQ", MEM, addr, V_OPTION, 0)
            return
        if self.wrap:
            if not isinstance(v, Some):
                raise Bad(TypeError, f"expected None or Some(...) ({self.wit}), got {_tname(v)}")
            v = v.value
        p = _boxed(self.elem, v, keep)
        pack_into("<B7xQ", MEM, addr, V_OPTION, p)

    def lift(self, addr: int) -> Any:
        p = unpack_from("<Q", MEM, addr + 8)[0]
        if not p:
            return None
        v = self.elem.lift(p)
        return Some(v) if self.wrap else v

    def children(self) -> Sequence[Codec]:
        return (self.elem,)

    def wit_type(self) -> Type:
        return KINDS["option"].make([self.elem.wit_type()])


class ResultOf(Codec):
    """``result<T, E>`` as a value: ``Ok(v)`` or ``Err(e)`` (None for a
    missing ``_``). As a function's return type the bindings return ``v``
    or raise ``Err(e)`` instead."""

    kind = V_RESULT

    def __init__(self, ok: Optional[Codec], err: Optional[Codec]) -> None:
        self.ok, self.err = ok, err
        self.wit = f"result<{ok.wit if ok else '_'}, {err.wit if err else '_'}>"
        self.size, self.align = _case_layout(2, [ok, err])

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if isinstance(v, Ok):
            self.lower_case(addr, True, v.value, keep)
        elif isinstance(v, Err):
            self.lower_case(addr, False, v.value, keep)
        else:
            raise Bad(TypeError, f"expected Ok(...) or Err(...) ({self.wit}), got {_tname(v)}")

    def lower_case(self, addr: int, is_ok: bool, payload: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        codec = self.ok if is_ok else self.err
        p = 0
        if codec is not None:
            p = _boxed(codec, payload, keep)
        elif payload is not None:
            raise Bad(TypeError, f"case {'ok' if is_ok else 'err'!r} of {self.wit} has no value, "
                                 f"expected None, got {_tname(payload)}")
        pack_into("<B7x?7xQ", MEM, addr, V_RESULT, is_ok, p)

    def lift(self, addr: int) -> Any:
        is_ok, p = unpack_from("<?7xQ", MEM, addr + 8)
        if is_ok:
            return Ok(self.ok.lift(p) if self.ok is not None else None)
        return Err(self.err.lift(p) if self.err is not None else None)

    def children(self) -> Sequence[Codec]:
        return [c for c in (self.ok, self.err) if c is not None]

    def wit_type(self) -> Type:
        return KINDS["result"].make([c.wit_type() if c is not None else None for c in (self.ok, self.err)])


class Variant(Codec):
    """Cases ``[(wit_name, cls, codec or None)]``: a value is an instance of
    its case's class (``cls(payload)`` / ``cls()``, payload in ``.value``).
    `wit` is the variant's qualified WIT name: another package's case
    classes for it are accepted too."""

    kind = V_VARIANT

    def __init__(self, wit: str, cases: Sequence[tuple[str, Any, Optional[Codec]]]) -> None:
        self.qualified = wit
        self.wit = _short(wit)
        self.names = [_name(n) for n, _, _ in cases]
        self.classes = tuple(cls for _, cls, _ in cases)
        self.codecs = [codec for _, _, codec in cases]
        self.same = _register(wit, self.classes)
        self.by_cls = {cls: (self.names[i], codec, i) for i, (_, cls, codec) in enumerate(cases)}
        self.by_name = {self.names[i]: (cls, codec) for i, (_, cls, codec) in enumerate(cases)}
        self.size, self.align = _case_layout(len(cases), self.codecs)

    def _foreign_case(self, v: Any) -> Any:
        for classes in self.same:
            if type(v) in classes:
                i = classes.index(type(v))
                return self.names[i], self.codecs[i], i
        if any(type(v).__name__ == c.__name__ for c in self.classes):
            names = ", ".join(_class_name(c) for c in self.classes)
            raise Bad(TypeError, f"expected one of {names}, got {_class_name(type(v))}")
        raise Bad(TypeError, f"expected one of {', '.join(c.__name__ for c in self.classes)}, got {_tname(v)}")

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        case = self.by_cls.get(type(v))
        if case is None:
            case = self._foreign_case(v)
        name, codec, _ = case
        p = 0
        if codec is not None:
            try:
                p = _boxed(codec, v.value, keep)
            except Bad as e:
                raise e.at(".value") from None
        if keep is not None:
            pack_into("<B7xQQQ", MEM, addr, V_VARIANT, len(name), id(name) + BYTES_DATA, p)
        else:
            pack_into("<B7xQQQ", MEM, addr, V_VARIANT, 0, 0, p)
            C.byte_vec_new(addr + 8, len(name), id(name) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        size, data, p = unpack_from("<QQQ", MEM, addr + 8)
        cls, codec = self.by_name[MEM[data:data + size].tobytes()]
        return cls(codec.lift(p)) if codec is not None else cls()

    def children(self) -> Sequence[Codec]:
        return [c for c in self.codecs if c is not None]

    def wit_type(self) -> Type:
        return KINDS["variant"].make([c.wit_type() if c is not None else None for c in self.codecs],
                                     [n.decode() for n in self.names])


class Enum(Codec):
    """An `enum.Enum` class whose members are the WIT cases, in order.
    `wit` is its qualified WIT name: another package's enum for it is
    accepted too."""

    kind = V_ENUM

    def __init__(self, wit: str, cls: Any, wit_names: Sequence[str]) -> None:
        members = list(cls)
        if len(members) != len(wit_names):
            raise ValueError(f"{cls.__name__}: {len(members)} members for {len(wit_names)} WIT cases")
        self.qualified = wit
        self.cls = cls
        self.wit = cls.__name__
        self.same = _register(wit, cls)
        self.names = [_name(n) for n in wit_names]
        self.by_member = dict(zip(members, self.names))
        self.by_name = dict(zip(self.names, members))
        self.size = self.align = 1 if len(members) <= 1 << 8 else 2 if len(members) <= 1 << 16 else 4

    def _name_of(self, v: Any) -> bytes:
        name: Optional[bytes] = self.by_member.get(v) if isinstance(v, enum.Enum) else None
        if name is not None:
            return name
        if type(v) in self.same:
            members: list[Any] = list(type(v))  # type: ignore[call-overload]  # an Enum class iterates its members
            return self.names[members.index(v)]
        if type(v).__name__ == self.cls.__name__:
            raise Bad(TypeError, _expected(self.cls, v))
        raise Bad(TypeError, f"expected {self.cls.__name__}, got {v!r:.40}")

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        name = self._name_of(v)
        if keep is not None:
            pack_into("<B7xQQ", MEM, addr, V_ENUM, len(name), id(name) + BYTES_DATA)
        else:
            MEM[addr] = V_ENUM
            C.byte_vec_new(addr + 8, len(name), id(name) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        size, data = unpack_from("<QQ", MEM, addr + 8)
        return self.by_name[MEM[data:data + size].tobytes()]

    def wit_type(self) -> Type:
        return KINDS["enum"].make(atoms=[n.decode() for n in self.names])


class Flags(Codec):
    """An `enum.Flag` class whose members are the WIT flags, in order.
    `wit` is its qualified WIT name: another package's class for it is
    accepted too."""

    kind = V_FLAGS

    def __init__(self, wit: str, cls: Any, wit_names: Sequence[str]) -> None:
        self.qualified = wit
        self.cls = cls
        self.wit = cls.__name__
        self.same = _register(wit, cls)
        self.members = list(cls)
        self.names = [_name(n) for n in wit_names]
        self.bits = [int(m.value) for m in self.members]
        self.by_name = {n: int(m.value) for n, m in zip(self.names, self.members)}
        n = len(wit_names)
        self.align = 1 if n <= 8 else 2 if n <= 16 else 4
        self.size = 0 if n == 0 else self.align if n <= 32 else 4 * -(-n // 32)

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if isinstance(v, self.cls):
            bits = v.value
            chosen = [n for n, b in zip(self.names, self.bits) if bits & b]
        elif type(v) in self.same:
            members: list[Any] = list(type(v))  # type: ignore[call-overload]  # an Enum class iterates its members
            chosen = [n for n, m in zip(self.names, members) if m in v]
        else:
            raise Bad(TypeError, _expected(self.cls, v))
        k = len(chosen)
        p = _storage(addr, V_FLAGS, k, 16, keep, C.valflags_new_uninit)
        for i, n in enumerate(chosen):
            if keep is not None:
                pack_into("<QQ", MEM, p + 16 * i, len(n), id(n) + BYTES_DATA)
            else:
                C.byte_vec_new(p + 16 * i, len(n), id(n) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        k, p = unpack_from("<QQ", MEM, addr + 8)
        bits = 0
        by_name = self.by_name
        for a in range(p, p + 16 * k, 16):
            size, data = unpack_from("<QQ", MEM, a)
            bits |= by_name[MEM[data:data + size].tobytes()]
        return self.cls(bits)

    def wit_type(self) -> Type:
        return KINDS["flags"].make(atoms=[n.decode() for n in self.names])


class Map(Codec):
    """`map<K, V>` as `dict` (wasmtime_component_valmap_t: (key, value) val pairs)."""

    kind = V_MAP
    size, align = 8, 4

    def __init__(self, key: Codec, value: Codec) -> None:
        self.key, self.value = key, value
        self.wit = f"map<{key.wit}, {value.wit}>"
        if all(c is STRING or c.inline_check for c in (key, value)):
            self._specialise()

    def _specialise(self) -> None:
        """One `pack_into` / `unpack_from` pair per entry for maps of strings
        and scalars (measured 1.5x the floor with two codec calls per entry)."""
        def part(c: Codec, var: str, last: bool) -> tuple[str, str, list[str]]:
            if c is STRING:
                return ("B7xQQ" + ("" if last else "8x"), f"{V_STRING}, len({var}b), id({var}b) + {BYTES_DATA}",
                        [f"if type({var}) is not str:", "    return method(addr, v, keep)",
                         f"{var}b = {var}.encode()", f"keep.append({var}b)"])
            ch = c.fmt_char
            return (f"B7x{ch}" + ("" if last else f"{24 - struct.calcsize(ch)}x"), f"{c.kind}, {var}",
                    [f"if not ({c.inline_check.format(v=var)}):", "    return method(addr, v, keep)"])  # type: ignore[union-attr]

        kf, kargs, kchecks = part(self.key, "k", False)
        vf, vargs, vchecks = part(self.value, "x", True)

        def read(c: Codec, off: int, var: str) -> list[str]:
            if c is STRING:
                return [f"s, d = unpack_from('<QQ', MEM, a + {off})", f"{var} = str(MEM[d:d + s], 'utf-8')"]
            return [f"{var} = unpack_from('<{c.fmt_char}', MEM, a + {off})[0]"]

        body = "\n".join("        " + line for line in kchecks + vchecks)
        lift_body = "\n".join("        " + line for line in read(self.key, 8, "k") + read(self.value, 40, "x"))
        src = f"""
def lower(addr, v, keep):
    if keep is None or type(v) is not dict:
        return method(addr, v, keep)
    n = len(v)
    buf = char_array(64 * n)()
    p = addressof(buf)
    keep.append(buf)
    a = p
    try:
      for k, x in v.items():
{body}
        pack_into("<{kf}{vf}", MEM, a, {kargs}, {vargs})
        a += 64
    except UnicodeEncodeError:
        return method(addr, v, keep)
    pack_into("<B7xQQ", MEM, addr, {V_MAP}, n, p)

def lift(addr):
    n, p = unpack_from("<QQ", MEM, addr + 8)
    out = {{}}
    for a in range(p, p + 64 * n, 64):
{lift_body}
        out[k] = x
    return out
"""
        env = {"method": Map.lower.__get__(self), "char_array": _char_array, "addressof": _addressof,
               "pack_into": pack_into, "unpack_from": unpack_from, "MEM": MEM}
        C.compile_source(src, f"<map {self.wit} {id(self):x}>", env)
        self.lower = env["lower"]  # type: ignore[method-assign]
        self.lift = env["lift"]  # type: ignore[method-assign]

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if not isinstance(v, dict):
            raise Bad(TypeError, f"expected dict, got {_tname(v)}")
        n = len(v)
        p = _storage(addr, V_MAP, n, 64, keep, C.valmap_new_uninit)
        if keep is None:
            _zero_rest(p, 0, n, 64)
        klower, vlower = self.key.lower, self.value.lower
        a = p
        k = None
        try:
            for k, x in v.items():
                klower(a, k, keep)
                vlower(a + 32, x, keep)
                a += 64
        except Bad as e:
            raise e.at(f"[{k!r}]") from None

    def children(self) -> Sequence[Codec]:
        return (self.key, self.value)

    def wit_type(self) -> Type:
        return KINDS["map"].make([self.key.wit_type(), self.value.wit_type()])

    def lift(self, addr: int) -> Any:
        n, p = unpack_from("<QQ", MEM, addr + 8)
        klift, vlift = self.key.lift, self.value.lift
        return {klift(a): vlift(a + 32) for a in range(p, p + 64 * n, 64)}


def scalar_format(codecs: Sequence[Codec]) -> str:
    """One struct format for consecutive 32-byte slots of scalars."""
    parts = [f"B7x{c.fmt_char}{24 - struct.calcsize(c.fmt_char)}x" for c in codecs[:-1]]
    return "<" + "".join(parts) + f"B7x{codecs[-1].fmt_char}"


def check_signature(what: str, sig: tuple[list[tuple[str, Type]], Optional[Type]],
                    params: Sequence[tuple[str, Codec]], result: Optional[Codec]) -> None:
    """Raise `TypeError` unless the component's signature (`signature_of`)
    is the codecs'."""
    sig_params, sig_result = sig
    if len(sig_params) != len(params):
        raise TypeError(f"{what}: the component's function takes {len(sig_params)} parameters, "
                        f"the bindings {len(params)}")
    for (pname, got), (_, codec) in zip(sig_params, params):
        _check(codec, got, f"{what}({pname})")
    if (sig_result is None) != (result is None):
        raise TypeError(f"{what}: the component's function {'has no' if sig_result is None else 'has a'} result")
    if result is not None:
        assert sig_result is not None
        _check(result, sig_result, f"{what} result")


def _check(codec: Codec, got: Type, where: str) -> None:
    found = first_difference(codec.wit_type(), got, [])
    if found is None:
        return
    at = where + "".join(f" → {label}" for label in found.path)
    want, have = found.want, found.got
    if type(want) is Type and type(have) is Type and want.kind == have.kind:
        raise TypeError(f"{at}: {want.kind} {KINDS[want.kind].form.parts} differ: component {KINDS.render(have)}")
    theirs = "nothing" if have is None else f"a {KINDS.render(have)}"
    ours = codec.wit if not found.path else KINDS.render(want)
    raise TypeError(f"{at}: the component has {theirs} where the bindings have {ours}")


def signature_of(func: Any, store: Any) -> tuple[list[tuple[str, Type]], Optional[Type]]:
    """A component `Func`'s signature, to check codecs against."""
    return C.func_signature(func, store, _READ)


def import_signature(fty: int) -> tuple[list[tuple[str, Type]], Optional[Type]]:
    """The same, of a host function's `wasmtime_component_func_type_t *`."""
    return C.signature(fty, _READ)


_READ = KINDS.reader()


# --------------------------------------------------------------------------
