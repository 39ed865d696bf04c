"""WIT types as the runtime compares them, with no kind named here.

A type is a `Type`: its kind's WIT keyword, labelled children (``element``,
``key``, ``field x``, ``case y`` (None: no payload), ``ok`` (None: ``_``))
and atoms (enum and flags names, the resource key of own/borrow, a
fixed-length list's length). Three sources describe types in this one
form: the world's text (`Kinds.parse`, `Kinds.signature`), the component
(`Kinds.reader`, through `_capi.describe`) and the codecs
(``Codec.wit_type``); `first_difference` compares any two, `Kinds.render`
writes one back as WIT for messages.

Everything a kind is lives in its `Kind` entry of the one table,
`_values.KINDS`, next to its codec: the loops here go by a kind's text
`Form` and its entry, never by its name.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple, NoReturn, Optional, Sequence, Union

from . import _capi as C


def assert_never(value: NoReturn) -> NoReturn:  # typing's is 3.11+
    raise AssertionError(f"unhandled: {value!r}")


class Type(NamedTuple):
    kind: str  # the kind's WIT keyword
    labels: tuple[str, ...] = ()
    children: tuple[Optional["Described"], ...] = ()
    atoms: tuple[str, ...] = ()


class Ref(NamedTuple):
    """A named type of the world's text, by its key (see `WorldShape`)."""

    key: str


Described = Union[Type, Ref]
Signature = tuple[list[tuple[str, Optional[Described]]], Optional[Described]]


class Form(enum.Enum):
    """How a kind is written in WIT (and in a `WorldShape`'s text)."""

    BARE = "u8"  # its keyword alone
    ARGS = "list<T>"  # `kw<a, b>`; a number argument is an atom
    FIELDS = "record { x: T }"
    CASES = "variant { a, b(T) }"
    NAMES = "enum { a, b }"  # atoms
    HANDLE = "own<R>"  # a resource by key (an atom)

    @property
    def parts(self) -> str:
        """What differs when two types of one kind of this form do."""
        match self:
            case Form.BARE:
                return "types"
            case Form.ARGS:
                return "arguments"
            case Form.FIELDS:
                return "fields"
            case Form.CASES | Form.NAMES:
                return "cases"
            case Form.HANDLE:
                return "resources"
            case _:
                assert_never(self)


@dataclass(frozen=True)
class Kind:
    """One WIT type kind, everything the runtime knows of its type.

    `labels`: its children's labels, in order (``("key", "value")``); or
    `label`, one pattern for each child (``"field {}"`` by name, ``"element
    {}"`` by position). `optional`: children may be missing (``_``, dropped
    when trailing, the bare keyword when all are: ``result``). `kind_only`:
    two of them are equal whatever their children (future, stream: no
    codec can pass them). `c_type`, `c_read`: its
    ``wasmtime_component_valtype_kind_t`` and how its details are read
    (None: wasmtime's C API has no such type). `value`: its
    ``wasmtime_component_valkind_t`` when a codec passes it."""

    keyword: str
    c_type: Optional[int]
    value: Optional[int] = None
    form: Form = Form.BARE
    labels: tuple[str, ...] = ()
    label: str = ""
    optional: bool = False
    kind_only: bool = False
    c_read: tuple[C.Reader, ...] = ()
    bare: Type = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bare", Type(self.keyword))

    def make(self, children: Sequence[Optional[Described]] = (), names: Sequence[str] = (),
             atoms: Sequence[str] = ()) -> Type:
        """This kind's `Type`: `names` label the children through `label`
        (a FIELDS or CASES form's); else by position or `labels`."""
        if self.kind_only:
            return self.bare
        if not (children or atoms):
            return self.bare if not self.labels else Type(self.keyword, self.labels, (None,) * len(self.labels))
        if names:
            labels = tuple([self.label.format(n) for n in names])
        elif self.label:
            labels = tuple([self.label.format(i) for i in range(len(children))])
        else:
            labels = self.labels
        return Type(self.keyword, labels, tuple(children), tuple(atoms))


class Difference(NamedTuple):
    """Where two types first differ (child labels), and each side there."""

    path: list[str]
    want: Optional[Described]
    got: Optional[Described]


def first_difference(want: Optional[Described], got: Optional[Described], path: list[str],
                     resolve: Callable[[Ref], Described] = lambda ref: ref) -> Optional[Difference]:
    """The first difference of `want` and `got` (depth first) below
    `path`, if any. `resolve` reads `want`'s named types; `got` has none."""
    found = _first(want, got, resolve)
    if found is None:
        return None
    below, w, g = found
    return Difference(path + below[::-1], w, g)


def _first(want: Optional[Described], got: Optional[Described], resolve: Callable[[Ref], Described],
           ) -> Optional[tuple[list[str], Optional[Described], Optional[Described]]]:
    """`first_difference` with the path reversed (built on the way out)."""
    if want is got:  # a kind's `bare` Type, from either side
        return None
    if want is None or got is None:
        return [], want, got
    if type(want) is Ref:
        want = resolve(want)
    if type(want) is Ref or type(got) is Ref:
        return [], want, got
    assert type(want) is Type and type(got) is Type
    if want.kind != got.kind or want.labels != got.labels or want.atoms != got.atoms:
        return [], want, got
    for label, w, g in zip(want.labels, want.children, got.children):
        if w is not g:
            found = _first(w, g, resolve)
            if found is not None:
                found[0].append(label)
                return found
    return None


# The world's text: WIT's punctuation, `->`, `:` before a space (a named
# parameter), everything else runs of other characters (keys have `:`).
_TOKEN = re.compile(r"\s*(->|[<>,(){}]|:(?=\s)|(?:[^\s<>,(){}:]|:(?=\S))+)")


class Kinds:
    """The table of kinds, and what is done with types by it."""

    def __init__(self, *kinds: Kind) -> None:
        self.kinds = kinds
        self.by_keyword = {k.keyword: k for k in kinds}
        self.by_c_type = {k.c_type: k for k in kinds if k.c_type is not None}
        if len(self.by_keyword) != len(kinds) or len(self.by_c_type) != sum(k.c_type is not None for k in kinds):
            raise AssertionError("two kinds share a keyword or a C type kind")

    def __getitem__(self, keyword: str) -> Kind:
        return self.by_keyword[keyword]

    # ---- the component's side ----

    def reader(self, resource: Optional[Callable[[int], str]] = None) -> Callable[[int], Type]:
        """Describe the ``wasmtime_component_valtype_t`` at an address (not
        deleted); with `resource`, own/borrow's atom is the key it gives
        their resource (by its address)."""
        by_c_type = self.by_c_type
        mem = C.MEM

        def read(addr: int) -> Type:
            kind = by_c_type.get(mem[addr])
            if kind is None:
                raise TypeError(f"wasmtime {C.WASMTIME_VERSION}: value type kind {mem[addr]} is not supported")
            if not kind.c_read or kind.kind_only:
                return kind.bare
            children, names, atoms = C.describe(addr, kind.c_read, read, resource)
            return kind.make(children, names, atoms)

        return read

    # ---- the world's side ----

    def parse(self, text: str) -> Described:
        return _Text(self, text).type()

    def signature(self, text: str) -> Signature:
        return _Text(self, text).signature()

    # ---- messages ----

    def render(self, t: Optional[Described], budget: int = 200) -> str:
        """`t` as WIT text (named types by their name), cut short once
        about `budget` characters are written."""
        if t is None:
            return "nothing"
        parts: list[str] = []
        size = 0

        def put(text: str) -> None:
            nonlocal size
            parts.append(text)
            size += len(text)

        def walk(d: Optional[Described]) -> None:
            if size > budget:
                return
            if d is None:
                put("_")
                return
            if type(d) is Ref:
                put(_short(d.key))
                return
            assert type(d) is Type
            kind = self.by_keyword.get(d.kind)
            form = kind.form if kind is not None else Form.BARE
            match form:
                case Form.BARE:
                    put(d.kind)
                case Form.ARGS:
                    args: list[Optional[Described]] = list(d.children)
                    while args and args[-1] is None and kind is not None and kind.optional:
                        args.pop()
                    if not args and not d.atoms:
                        put(d.kind)
                        return
                    put(f"{d.kind}<")
                    for i, a in enumerate(args):
                        put(", " if i else "")
                        walk(a)
                    for i, atom in enumerate(d.atoms):
                        put(", " if i or args else "")
                        put(atom)
                    put(">")
                case Form.FIELDS | Form.CASES:
                    assert kind is not None
                    prefix = len(kind.label.format(""))
                    put(f"{d.kind} {{ ")
                    for i, (label, c) in enumerate(zip(d.labels, d.children)):
                        put((", " if i else "") + label[prefix:])
                        if c is not None:
                            put(": " if form is Form.FIELDS else "(")
                            walk(c)
                            if form is Form.CASES:
                                put(")")
                    put(" }")
                case Form.NAMES:
                    put(f"{d.kind} {{ {', '.join(d.atoms)} }}")
                case Form.HANDLE:
                    put(f"{d.kind}<{_short(d.atoms[0]) if d.atoms else '?'}>")
                case _:
                    assert_never(form)

        walk(t)
        return "".join(parts)


def _short(key: str) -> str:
    """`blob` of `ns:pkg/iface#blob`."""
    return key.rsplit("#", 1)[-1]


class _Text:
    """One type's text, read left to right (the grammar `WorldShape`'s
    writer, witgen's `bindgen.world_shape`, writes)."""

    def __init__(self, kinds: Kinds, text: str) -> None:
        self.kinds = kinds
        self.text = text
        self.tokens = _TOKEN.findall(text)
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at] if self.at < len(self.tokens) else ""

    def take(self, expected: Optional[str] = None) -> str:
        token = self.peek()
        if not token or (expected is not None and token != expected):
            raise ValueError(f"witgen_runtime: bad world shape text {self.text!r} at token {self.at}")
        self.at += 1
        return token

    def items(self, close: str, item: Callable[[], Any]) -> list[Any]:
        out = []
        while self.peek() != close:
            out.append(item())
            if self.peek() != close:
                self.take(",")
        self.take(close)
        return out

    def signature(self) -> Signature:
        self.take("func")
        self.take("(")
        params = self.items(")", self.param)
        result = None
        if self.peek() == "->":
            self.take()
            result = self.type()
        return params, result

    def param(self) -> tuple[str, Described]:
        name = self.take()
        self.take(":")
        return name, self.type()

    def case(self) -> tuple[str, Optional[Described]]:
        name = self.take()
        if self.peek() != "(":
            return name, None
        self.take("(")
        payload = self.type()
        self.take(")")
        return name, payload

    def argument(self) -> Union[Optional[Described], int]:
        """A type, `_` (None), or a number (a fixed-length list's length)."""
        token = self.peek()
        if token == "_":
            self.take()
            return None
        if token.isdigit():
            return int(self.take())
        return self.type()

    def type(self) -> Described:
        name = self.take()
        kind = self.kinds.by_keyword.get(name)
        if kind is None:
            return Ref(name)
        form = kind.form
        match form:
            case Form.BARE:
                return kind.bare
            case Form.ARGS | Form.HANDLE:
                if self.peek() != "<":
                    # `result`; else a type of that name (witgen writes a
                    # world's own type by its name).
                    return kind.make() if kind.optional else Ref(name)
                self.take("<")
                args = self.items(">", self.argument)
                if form is Form.HANDLE:
                    ref = args[0] if args else None
                    return kind.make(atoms=(ref.key if type(ref) is Ref else "?",))
                children = [a for a in args if not isinstance(a, int)]
                atoms = [str(a) for a in args if isinstance(a, int)]
                if kind.optional:
                    children += [None] * (len(kind.labels) - len(children))
                return kind.make(children, atoms=atoms)
            case Form.FIELDS | Form.CASES:
                self.take("{")
                entries = self.items("}", self.param if form is Form.FIELDS else self.case)
                return kind.make([t for _, t in entries], [n for n, _ in entries])
            case Form.NAMES:
                self.take("{")
                return kind.make(atoms=self.items("}", self.take))
            case _:
                assert_never(form)

