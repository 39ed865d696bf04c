"""Codecs: Python values straight into ``wasmtime_component_val_t`` slots and back.

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
import struct
from operator import attrgetter
from typing import Any, Optional, Sequence

from . import _capi as C
from ._capi import MEM, BYTES_DATA, pack_into, unpack_from

_char_array = ctypes.c_char.__mul__
_addressof = ctypes.addressof


class Bad(Exception):
    """A value that does not fit its type; `path` grows outward."""

    def __init__(self, cls: type, message: str) -> None:
        self.cls: type = cls
        self.message = message
        self.path: list[str] = []

    def at(self, segment: str) -> "Bad":
        self.path.append(segment)
        return self

    def error(self, root: str) -> Exception:
        exc: Exception = self.cls(f"{root}{''.join(reversed(self.path))}: {self.message}")
        return exc


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


# ---- values the runtime defines ----------------------------------------------

class Ok:
    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Ok and other.value == self.value

    def __repr__(self) -> str:
        return f"Ok({self.value!r})"


class Err(Exception):
    __match_args__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        super().__init__(value)
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Err and other.value == self.value

    __hash__ = Exception.__hash__

    def __repr__(self) -> str:
        return f"Err({self.value!r})"


class Some:
    """`option<T>` where T's own values include None (nested options)."""

    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Some and other.value == self.value

    def __repr__(self) -> str:
        return f"Some({self.value!r})"


# ---- scalars -----------------------------------------------------------------

class Codec:
    kind: int = -1
    wit = "?"
    nullable = False  # whether None is one of its Python values
    # For bind-time specialisation (`_func`, `Record`): a check expression
    # over ``{v}`` that is true exactly when `lower` would pack the value as
    # the struct format `fmt` with no conversion, or None.
    inline_check: Optional[str] = None
    fmt_char = ""

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        raise NotImplementedError

    def lift(self, addr: int) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.wit


class _Bool(Codec):
    kind = C.BOOL
    wit = "bool"
    inline_check = "type({v}) is bool"
    fmt_char = "?"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not bool:
            raise Bad(TypeError, f"expected bool, got {_tname(v)}")
        pack_into("<B7x?", MEM, addr, C.BOOL, v)

    def lift(self, addr: int) -> Any:
        return MEM[addr + 8] != 0


class _Int(Codec):
    def __init__(self, wit: str, kind: int, fmt: str, lo: int, hi: int) -> None:
        self.wit, self.kind, self.lo, self.hi = wit, kind, lo, hi
        self.fmt = "<B7x" + fmt
        self.rfmt = "<" + fmt
        self.array_code = {"b": "b", "B": "B", "h": "h", "H": "H", "i": "i", "I": "I", "q": "q", "Q": "Q"}[fmt]
        self.inline_check = f"type({{v}}) is int and {lo} <= {{v}} <= {hi}"
        self.fmt_char = fmt

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not int:
            raise Bad(TypeError, f"expected int, got {_tname(v)}")
        if not self.lo <= v <= self.hi:
            raise Bad(ValueError, f"{v} is out of range for {self.wit}")
        pack_into(self.fmt, MEM, addr, self.kind, v)

    def lift(self, addr: int) -> Any:
        return unpack_from(self.rfmt, MEM, addr + 8)[0]


class _Float(Codec):
    def __init__(self, wit: str, kind: int, fmt: str) -> None:
        self.wit, self.kind = wit, kind
        self.fmt = "<B7x" + fmt
        self.rfmt = "<" + fmt
        self.array_code = fmt
        self.fmt_char = fmt
        # f32 can overflow when packed, so only f64 is inlined (ints and
        # f32 take the method, which converts or refuses them).
        self.inline_check = "type({v}) is float" if fmt == "d" else None

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        t = type(v)
        if t is not float and t is not int:
            raise Bad(TypeError, f"expected float, got {_tname(v)}")
        try:
            pack_into(self.fmt, MEM, addr, self.kind, v)
        except OverflowError:
            raise Bad(ValueError, f"{v!r} is out of range for {self.wit}") from None

    def lift(self, addr: int) -> Any:
        return unpack_from(self.rfmt, MEM, addr + 8)[0]


class _Char(Codec):
    kind = C.CHAR
    wit = "char"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not str or len(v) != 1:
            raise Bad(TypeError, f"expected a 1-character str, got {v!r}" if type(v) is str else f"expected a 1-character str, got {_tname(v)}")
        o = ord(v)
        # A surrogate is not a Unicode scalar value: wasmtime would panic
        # (abort the process) converting it to a Rust `char`.
        if 0xD800 <= o <= 0xDFFF:
            raise Bad(ValueError, f"{v!r} is a surrogate, not a Unicode scalar value")
        pack_into("<B7xI", MEM, addr, C.CHAR, o)

    def lift(self, addr: int) -> Any:
        return chr(unpack_from("<I", MEM, addr + 8)[0])


def _encode(v: Any) -> bytes:
    if type(v) is not str:
        raise Bad(TypeError, f"expected str, got {_tname(v)}")
    try:
        return v.encode("utf-8")
    except UnicodeEncodeError as e:
        # wasmtime unwraps `String::from_utf8`: invalid UTF-8 would abort.
        raise Bad(ValueError, f"not encodable as UTF-8 (lone surrogate at index {e.start})") from None


class _String(Codec):
    kind = C.STRING
    wit = "string"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        b = _encode(v)
        if keep is not None:
            keep.append(b)
            pack_into("<B7xQQ", MEM, addr, C.STRING, len(b), id(b) + BYTES_DATA)
        else:
            MEM[addr] = C.STRING
            C.byte_vec_new(addr + 8, len(b), id(b) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        size, data = unpack_from("<QQ", MEM, addr + 8)
        return str(MEM[data:data + size], "utf-8")


BOOL = _Bool()
S8 = _Int("s8", C.S8, "b", -(1 << 7), (1 << 7) - 1)
U8 = _Int("u8", C.U8, "B", 0, (1 << 8) - 1)
S16 = _Int("s16", C.S16, "h", -(1 << 15), (1 << 15) - 1)
U16 = _Int("u16", C.U16, "H", 0, (1 << 16) - 1)
S32 = _Int("s32", C.S32, "i", -(1 << 31), (1 << 31) - 1)
U32 = _Int("u32", C.U32, "I", 0, (1 << 32) - 1)
S64 = _Int("s64", C.S64, "q", -(1 << 63), (1 << 63) - 1)
U64 = _Int("u64", C.U64, "Q", 0, (1 << 64) - 1)
F32 = _Float("f32", C.F32, "f")
F64 = _Float("f64", C.F64, "d")
CHAR = _Char()
STRING = _String()

_NUMERIC = (S8, U8, S16, U16, S32, U32, S64, U64, F32, F64)


# ---- lists -------------------------------------------------------------------

class _Bytes(Codec):
    """`list<u8>` as `bytes`: two strided copies instead of a loop."""

    kind = C.LIST
    wit = "list<u8>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        t = type(v)
        if t is not bytes and t is not bytearray:
            raise Bad(TypeError, f"expected bytes, got {_tname(v)}")
        n = len(v)
        p = _storage(addr, C.LIST, n, 32, keep, C.vallist_new_uninit)
        if n:
            MEM[p:p + 32 * n:32] = _U8_KINDS[:n] if n <= len(_U8_KINDS) else bytes([C.U8]) * n
            MEM[p + 8:p + 32 * n:32] = v

    def lift(self, addr: int) -> Any:
        n, p = unpack_from("<QQ", MEM, addr + 8)
        return MEM[p + 8:p + 8 + 32 * n:32].tobytes() if n else b""


_U8_KINDS = bytes([C.U8]) * (1 << 16)


class _NumList(Codec):
    """`list<number>` as `list`: the payloads move as one strided array copy."""

    kind = C.LIST

    def __init__(self, elem: Any) -> None:
        self.elem = elem
        self.wit = f"list<{elem.wit}>"
        self.code = elem.array_code
        self.step = 32 // array.array(self.code).itemsize
        self.kind_byte = bytes([elem.kind])

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not list:
            raise Bad(TypeError, f"expected list, got {_tname(v)}")
        try:
            values = array.array(self.code, v)
        except (TypeError, OverflowError):
            # Find the culprit for the message (only on the error path).
            for i, x in enumerate(v):
                try:
                    self.elem.lower(_SCRATCH, x, None)
                except Bad as e:
                    raise e.at(f"[{i}]") from None
            raise
        n = len(values)
        p = _storage(addr, C.LIST, n, 32, keep, C.vallist_new_uninit)
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
    kind = C.LIST

    def __init__(self, elem: Codec) -> None:
        self.elem = elem
        self.wit = f"list<{elem.wit}>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not list:
            raise Bad(TypeError, f"expected list, got {_tname(v)}")
        n = len(v)
        p = _storage(addr, C.LIST, n, 32, keep, C.vallist_new_uninit)
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


# ---- fixed-shape compounds ---------------------------------------------------

def _name(s: str) -> bytes:
    return s.encode("utf-8")


class Record(Codec):
    """A record as instances of `cls`, fields ``[(py_attr, wit_name, codec)]``.

    Lowering reads the attributes (any object that has them is accepted);
    lifting calls ``cls(*fields)``."""

    kind = C.RECORD

    def __init__(self, cls: Any, fields: Sequence[tuple[str, str, Codec]]) -> None:
        self.cls = cls
        self.wit = getattr(cls, "__name__", "record")
        self.attrs = [a for a, _, _ in fields]
        self.codecs = [c for _, _, c in fields]
        self.names = [_name(w) for _, w, _ in fields]
        self.n = len(fields)
        self.get = attrgetter(*self.attrs) if self.n > 1 else (lambda v, g=attrgetter(self.attrs[0]): (g(v),))
        # Entries (name: wasm_name_t, val: 32 bytes) with the names filled in:
        # one copy per call in borrowed mode.
        tmpl = bytearray(48 * self.n)
        for i, b in enumerate(self.names):
            pack_into("<QQ", tmpl, 48 * i, len(b), id(b) + BYTES_DATA)
        self.template = bytes(tmpl)
        self.buf_type = _char_array(48 * self.n)
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
    try:
        {tuple_target} = get(v)
    except AttributeError:
        return _method(addr, v, keep)
    if keep is None or not ({checks}):
        return _method(addr, v, keep)
    buf = buf_type()
    keep.append(buf)
    p = addressof(buf)
    pack_into("<{entry}", MEM, p, {packed})
    pack_into("<B7xQQ", MEM, addr, {C.RECORD}, {self.n}, p)

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
        try:
            values = self.get(v)
        except AttributeError:
            raise Bad(TypeError, f"expected {self.wit}, got {_tname(v)}") from None
        n = self.n
        if keep is not None:
            buf = self.buf_type.from_buffer_copy(self.template)
            keep.append(buf)
            p = _addressof(buf)
            pack_into("<B7xQQ", MEM, addr, C.RECORD, n, p)
        else:
            MEM[addr] = C.RECORD
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


class Tuple(Codec):
    kind = C.TUPLE

    def __init__(self, *codecs: Codec) -> None:
        self.codecs = codecs
        self.n = len(codecs)
        self.wit = f"tuple<{', '.join(c.wit for c in codecs)}>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if type(v) is not tuple:
            raise Bad(TypeError, f"expected tuple, got {_tname(v)}")
        n = self.n
        if len(v) != n:
            raise Bad(TypeError, f"expected a tuple of {n}, got {len(v)} items")
        p = _storage(addr, C.TUPLE, n, 32, keep, C.valtuple_new_uninit)
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
    kind = C.OPTION
    nullable = True

    def __init__(self, elem: Codec) -> None:
        self.elem = elem
        self.wit = f"option<{elem.wit}>"
        # option<option<T>>: the inner value None needs `Some(None)`.
        self.wrap = elem.nullable

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if v is None:
            pack_into("<B7xQ", MEM, addr, C.OPTION, 0)
            return
        if self.wrap:
            if type(v) is not Some:
                raise Bad(TypeError, f"expected None or Some(...) for {self.wit}, got {_tname(v)}")
            v = v.value
        try:
            p = _boxed(self.elem, v, keep)
        except Bad as e:
            raise e.at(".value" if self.wrap else "") from None
        pack_into("<B7xQ", MEM, addr, C.OPTION, p)

    def lift(self, addr: int) -> Any:
        p = unpack_from("<Q", MEM, addr + 8)[0]
        if not p:
            return None
        v = self.elem.lift(p)
        return Some(v) if self.wrap else v


class Result(Codec):
    """`result<T, E>` as `Ok(value)` / `Err(value)` (None for a missing `_`)."""

    kind = C.RESULT

    def __init__(self, ok: Optional[Codec], err: Optional[Codec]) -> None:
        self.ok, self.err = ok, err
        self.wit = f"result<{ok.wit if ok else '_'}, {err.wit if err else '_'}>"

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        t = type(v)
        if t is Ok:
            is_ok, codec = True, self.ok
        elif t is Err or isinstance(v, Err):
            is_ok, codec = False, self.err
        else:
            raise Bad(TypeError, f"expected Ok(...) or Err(...) for {self.wit}, got {_tname(v)}")
        p = 0
        if codec is not None:
            try:
                p = _boxed(codec, v.value, keep)
            except Bad as e:
                raise e.at(".value") from None
        elif v.value is not None:
            raise Bad(TypeError, f"{self.wit} has no {'ok' if is_ok else 'err'} payload, got {_tname(v.value)}")
        pack_into("<B7x?7xQ", MEM, addr, C.RESULT, is_ok, p)

    def lift(self, addr: int) -> Any:
        is_ok, p = unpack_from("<?7xQ", MEM, addr + 8)
        if is_ok:
            return Ok(self.ok.lift(p) if self.ok is not None else None)
        return Err(self.err.lift(p) if self.err is not None else None)


class Variant(Codec):
    """Cases ``[(wit_name, cls, codec or None)]``: a value is an instance of
    its case's class (``cls(payload)`` / ``cls()``, payload in ``.value``)."""

    kind = C.VARIANT

    def __init__(self, wit: str, cases: Sequence[tuple[str, Any, Optional[Codec]]]) -> None:
        self.wit = wit
        self.names = [_name(n) for n, _, _ in cases]
        self.by_cls = {cls: (self.names[i], codec, i) for i, (_, cls, codec) in enumerate(cases)}
        self.by_name = {self.names[i]: (cls, codec) for i, (_, cls, codec) in enumerate(cases)}

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        case = self.by_cls.get(type(v))
        if case is None:
            raise Bad(TypeError, f"expected a case of {self.wit}, got {_tname(v)}")
        name, codec, _ = case
        p = 0
        if codec is not None:
            try:
                p = _boxed(codec, v.value, keep)
            except Bad as e:
                raise e.at(".value") from None
        if keep is not None:
            pack_into("<B7xQQQ", MEM, addr, C.VARIANT, len(name), id(name) + BYTES_DATA, p)
        else:
            pack_into("<B7xQQQ", MEM, addr, C.VARIANT, 0, 0, p)
            C.byte_vec_new(addr + 8, len(name), id(name) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        size, data, p = unpack_from("<QQQ", MEM, addr + 8)
        cls, codec = self.by_name[MEM[data:data + size].tobytes()]
        return cls(codec.lift(p)) if codec is not None else cls()


class Enum(Codec):
    """An `enum.Enum` class whose members are the WIT cases, in order."""

    kind = C.ENUM

    def __init__(self, cls: Any, wit_names: Sequence[str]) -> None:
        self.cls = cls
        self.wit = cls.__name__
        members = list(cls)
        self.by_member = {m: _name(n) for m, n in zip(members, wit_names)}
        self.by_name = {_name(n): m for m, n in zip(members, wit_names)}

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        try:
            name = self.by_member[v]
        except (KeyError, TypeError):
            raise Bad(TypeError, f"expected {self.wit}, got {v!r}") from None
        if keep is not None:
            pack_into("<B7xQQ", MEM, addr, C.ENUM, len(name), id(name) + BYTES_DATA)
        else:
            MEM[addr] = C.ENUM
            C.byte_vec_new(addr + 8, len(name), id(name) + BYTES_DATA)

    def lift(self, addr: int) -> Any:
        size, data = unpack_from("<QQ", MEM, addr + 8)
        return self.by_name[MEM[data:data + size].tobytes()]


class Flags(Codec):
    """An `enum.Flag` class whose members are the WIT flags, in order."""

    kind = C.FLAGS

    def __init__(self, cls: Any, wit_names: Sequence[str]) -> None:
        self.cls = cls
        self.wit = cls.__name__
        self.members = list(cls)
        self.names = [_name(n) for n in wit_names]
        self.bits = [int(m.value) for m in self.members]
        self.by_name = {n: int(m.value) for n, m in zip(self.names, self.members)}

    def lower(self, addr: int, v: Any, keep: Optional[list]) -> None:  # type: ignore[type-arg]
        if not isinstance(v, self.cls):
            raise Bad(TypeError, f"expected {self.wit}, got {_tname(v)}")
        bits = v.value
        chosen = [n for n, b in zip(self.names, self.bits) if bits & b]
        k = len(chosen)
        p = _storage(addr, C.FLAGS, k, 16, keep, C.valflags_new_uninit)
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


class Map(Codec):
    """`map<K, V>` as `dict` (wasmtime_component_valmap_t: (key, value) val pairs)."""

    kind = C.MAP

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
                return ("B7xQQ" + ("" if last else "8x"), f"{C.STRING}, len({var}b), id({var}b) + {BYTES_DATA}",
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
    pack_into("<B7xQQ", MEM, addr, {C.MAP}, n, p)

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
        p = _storage(addr, C.MAP, n, 64, keep, C.valmap_new_uninit)
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

    def lift(self, addr: int) -> Any:
        n, p = unpack_from("<QQ", MEM, addr + 8)
        klift, vlift = self.key.lift, self.value.lift
        return {klift(a): vlift(a + 32) for a in range(p, p + 64 * n, 64)}


def from_desc(desc: tuple) -> Codec:  # type: ignore[type-arg]
    """A codec for a component type description (`_capi.describe`), for the
    kinds whose Python shape needs no generated class (scalars, strings,
    lists, options, results, tuples, maps). Records, variants, enums, flags
    and resources need their classes: build those codecs explicitly."""
    k = desc[0]
    simple = {C.T_BOOL: BOOL, C.T_S8: S8, C.T_U8: U8, C.T_S16: S16, C.T_U16: U16, C.T_S32: S32,
              C.T_U32: U32, C.T_S64: S64, C.T_U64: U64, C.T_F32: F32, C.T_F64: F64, C.T_CHAR: CHAR,
              C.T_STRING: STRING}
    if k in simple:
        return simple[k]
    if k == C.T_LIST:
        return List(from_desc(desc[1]))
    if k == C.T_OPTION:
        return Option(from_desc(desc[1]))
    if k == C.T_RESULT:
        return Result(from_desc(desc[1]) if desc[1] else None, from_desc(desc[2]) if desc[2] else None)
    if k == C.T_TUPLE:
        return Tuple(*(from_desc(d) for d in desc[1:]))
    if k == C.T_MAP:
        return Map(from_desc(desc[1]), from_desc(desc[2]))
    raise TypeError(f"no generic Python shape for type kind {k}; pass a codec")


def check(codec: Codec, desc: tuple, path: str) -> None:  # type: ignore[type-arg]
    """Raise `TypeError` if `codec` does not fit the component's type `desc`."""
    k = desc[0]
    expect = {C.T_BOOL: C.BOOL, C.T_S8: C.S8, C.T_U8: C.U8, C.T_S16: C.S16, C.T_U16: C.U16,
              C.T_S32: C.S32, C.T_U32: C.U32, C.T_S64: C.S64, C.T_U64: C.U64, C.T_F32: C.F32,
              C.T_F64: C.F64, C.T_CHAR: C.CHAR, C.T_STRING: C.STRING, C.T_LIST: C.LIST,
              C.T_RECORD: C.RECORD, C.T_TUPLE: C.TUPLE, C.T_VARIANT: C.VARIANT, C.T_ENUM: C.ENUM,
              C.T_OPTION: C.OPTION, C.T_RESULT: C.RESULT, C.T_FLAGS: C.FLAGS, C.T_OWN: C.RESOURCE,
              C.T_BORROW: C.RESOURCE, C.T_MAP: C.MAP}[k]
    if codec.kind != expect:
        raise TypeError(f"{path}: the component has a {_KIND_NAMES.get(k, k)} where the bindings have {codec.wit}")
    if k == C.T_LIST:
        elem = codec.elem if not isinstance(codec, _Bytes) else U8  # type: ignore[attr-defined]
        check(elem, desc[1], path + "[]")
    elif k == C.T_OPTION:
        check(codec.elem, desc[1], path + "?")  # type: ignore[attr-defined]
    elif k == C.T_RECORD:
        fields = desc[1]
        if [n for n, _ in fields] != [n.decode() for n in codec.names]:  # type: ignore[attr-defined]
            raise TypeError(f"{path}: record fields differ: component {[n for n, _ in fields]}")
        for (n, d), c in zip(fields, codec.codecs):  # type: ignore[attr-defined]
            check(c, d, f"{path}.{n}")
    elif k == C.T_TUPLE:
        if len(desc) - 1 != codec.n:  # type: ignore[attr-defined]
            raise TypeError(f"{path}: tuple arity differs")
        for i, (d, c) in enumerate(zip(desc[1:], codec.codecs)):  # type: ignore[attr-defined]
            check(c, d, f"{path}[{i}]")
    elif k in (C.T_ENUM, C.T_FLAGS):
        names = [n.decode() for n in (codec.by_name if k == C.T_ENUM else codec.names)]  # type: ignore[attr-defined]
        if list(desc[1]) != names:
            raise TypeError(f"{path}: cases differ: component {list(desc[1])}")
    elif k == C.T_VARIANT:
        if [n for n, _ in desc[1]] != [n.decode() for n in codec.names]:  # type: ignore[attr-defined]
            raise TypeError(f"{path}: cases differ: component {[n for n, _ in desc[1]]}")
        for (n, d) in desc[1]:
            c = codec.by_name[n.encode()][1]  # type: ignore[attr-defined]
            if (c is None) != (d is None):
                raise TypeError(f"{path}.{n}: payload differs")
            if c is not None:
                check(c, d, f"{path}.{n}")
    elif k == C.T_RESULT:
        for side, d, c in (("ok", desc[1], codec.ok), ("err", desc[2], codec.err)):  # type: ignore[attr-defined]
            if (c is None) != (d is None):
                raise TypeError(f"{path}: {side} payload differs")
            if c is not None:
                check(c, d, f"{path}.{side}")
    elif k == C.T_MAP:
        check(codec.key, desc[1], path + ".key")  # type: ignore[attr-defined]
        check(codec.value, desc[2], path + ".value")  # type: ignore[attr-defined]
    elif k in (C.T_OWN, C.T_BORROW):
        if codec.borrow != (k == C.T_BORROW):  # type: ignore[attr-defined]
            raise TypeError(f"{path}: own/borrow differs")


_KIND_NAMES = {C.T_BOOL: "bool", C.T_S8: "s8", C.T_U8: "u8", C.T_S16: "s16", C.T_U16: "u16", C.T_S32: "s32",
               C.T_U32: "u32", C.T_S64: "s64", C.T_U64: "u64", C.T_F32: "f32", C.T_F64: "f64", C.T_CHAR: "char",
               C.T_STRING: "string", C.T_LIST: "list", C.T_RECORD: "record", C.T_TUPLE: "tuple",
               C.T_VARIANT: "variant", C.T_ENUM: "enum", C.T_OPTION: "option", C.T_RESULT: "result",
               C.T_FLAGS: "flags", C.T_OWN: "own", C.T_BORROW: "borrow", C.T_MAP: "map"}
