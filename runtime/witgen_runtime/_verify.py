"""Whether a component matches a world, before it is instantiated:
`WorldShape` (the world, as generated code carries it), `differences` and
`verify` (what generated ``instantiate`` and ``witgen verify`` call).

The component's side is read from ``Component.type`` (names, instances,
functions) and `_capi.signature` (each function's types, maps included).
Directions (docs/design/verify.md): the component may import less than the
world (it need not use every import) and export more (nothing calls it),
but not import more (no host provides it; ``wasi:*`` interfaces excepted,
which wasmtime provides) nor export less. Types must be equal: the bindings
convert values of exactly the world's types.
"""

from __future__ import annotations

import ctypes
import re
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Union

from wasmtime import Engine
from wasmtime import _bindings as _B
from wasmtime.component import Component, ComponentInstanceType, FuncType, ResourceType

from . import _capi as C
from ._errors import BindingMismatchError

__all__ = ["WorldShape", "differences", "verify", "mismatch_message", "MAX_SHOWN"]

MAX_SHOWN = 50  # differences in a message; `BindingMismatchError.differences` has them all
_MAX_TYPE_TEXT = 80  # characters of one type in a message

#: An item of a world: a function (``"func(a: s32) -> s32"``), an
#: interface (its functions by name), or an interface whose functions are
#: not compared (``None``: wasmtime's own WASI, which the linker checks).
Item = Union[str, Mapping[str, str], None]


@dataclass(frozen=True)
class WorldShape:
    """A world as the bindings expect it: plain text, written by witgen.

    Types are WIT-like text; named types are defined once in `types`, keyed
    ``"<interface as imported or exported>#<name>"`` (``"<name>"`` at world
    level), and referred to by that key, which for a resource is its
    identity. `imports` None: not compared (bindings of one interface)."""

    name: str
    types: Mapping[str, str]
    imports: Optional[Mapping[str, Item]]
    exports: Mapping[str, Item]
    # Component instance name -> the name the shape knows it by (`exported_as`).
    renamed: Mapping[str, str] = field(default_factory=dict)
    # Text already read: function signatures, named types.
    _parsed: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def exported_as(self, key: str, name: str) -> WorldShape:
        """The same shape with export `key` looked for as `name`."""
        if name == key:
            return self
        exports = {name if k == key else k: v for k, v in self.exports.items()}
        return WorldShape(self.name, self.types, self.imports, exports, {**self.renamed, name: key})


# Component -> the shapes it was found to match: instantiating one component
# again and again (a request each, say) compares it once.
_matched: weakref.WeakKeyDictionary[Component, list[WorldShape]] = weakref.WeakKeyDictionary()


def verify(engine: Engine, component: Component, shape: WorldShape) -> None:
    """Raise `BindingMismatchError` listing every difference, if any."""
    matched = _matched.get(component, ())
    if any(s is shape for s in matched):
        return
    found = differences(engine, component, shape)
    if not found:
        _matched.setdefault(component, []).append(shape)
        return
    what = "world" if shape.imports is not None else "interface"
    raise BindingMismatchError(mismatch_message(f"{what} `{shape.name}`", found), found)


def mismatch_message(expected: str, found: list[str]) -> str:
    """``expected``: what the component was compared with (``world `x` ``)."""
    shown = found[:MAX_SHOWN]
    more = f"\n  ... and {len(found) - len(shown)} more" if len(found) > len(shown) else ""
    count = f"{len(found)} difference{'s' if len(found) != 1 else ''}"
    return (f"the component does not match {expected} ({count}; types read WIT vs component):\n  "
            + "\n  ".join(shown) + more)


def differences(engine: Engine, component: Component, shape: WorldShape) -> list[str]:
    """Every difference between `component` and `shape`, imports first,
    each part in name order."""
    ctype = component.type
    imports = {name: ext.ty for name, ext in ctype.imports(engine).items()}
    exports = {name: ext.ty for name, ext in ctype.exports(engine).items()}
    return _Comparison(engine, shape, imports, exports).run()


# ---- the expected side: text -> descriptions ------------------------------------
# Descriptions are `_capi.describe`'s tuples, with own/borrow naming their
# resource's key; a named type is `(_REF, key)` until compared.

_REF = -1
_RESOURCE = -2
_FIXED_LIST = -3  # not in wasmtime's C API: never equal to what a component has
_TOKEN = re.compile(r"\s*(->|[<>,(){}]|:(?=\s)|(?:[^\s<>,(){}:]|:(?=\S))+)")
_PRIMITIVES = {
    "bool": C.T_BOOL, "s8": C.T_S8, "u8": C.T_U8, "s16": C.T_S16, "u16": C.T_U16, "s32": C.T_S32,
    "u32": C.T_U32, "s64": C.T_S64, "u64": C.T_U64, "f32": C.T_F32, "f64": C.T_F64, "char": C.T_CHAR,
    "string": C.T_STRING, "error-context": C.T_ERROR_CONTEXT,
}
_NAMES = {v: k for k, v in _PRIMITIVES.items()}
_NAMES.update({C.T_LIST: "list", C.T_OPTION: "option", C.T_RESULT: "result", C.T_TUPLE: "tuple",
               C.T_RECORD: "record", C.T_VARIANT: "variant", C.T_ENUM: "enum", C.T_FLAGS: "flags",
               C.T_OWN: "own", C.T_BORROW: "borrow", C.T_MAP: "map", C.T_FUTURE: "future",
               C.T_STREAM: "stream", _RESOURCE: "resource", _FIXED_LIST: "fixed-length list"})

Desc = tuple[Any, ...]  # `_capi.describe`'s nested tuples
Signature = tuple[list[tuple[str, Desc]], Optional[Desc]]


class _Text:
    """One type's text, read left to right (the grammar `WorldShape`'s
    writer, witgen's `bindgen.shape`, writes)."""

    def __init__(self, text: str) -> None:
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

    def list(self, close: str, item: Callable[[], Any]) -> tuple[Any, ...]:
        out = []
        while self.peek() != close:
            out.append(item())
            if self.peek() != close:
                self.take(",")
        self.take(close)
        return tuple(out)

    def signature(self) -> Signature:
        self.take("func")
        self.take("(")
        params = self.list(")", self.param)
        result = None
        if self.peek() == "->":
            self.take()
            result = self.type()
        return list(params), result

    def param(self) -> tuple[str, Desc]:
        name = self.take()
        self.take(":")
        return name, self.type()

    def case(self) -> tuple[str, Optional[Desc]]:
        name = self.take()
        if self.peek() != "(":
            return name, None
        self.take("(")
        payload = self.type()
        self.take(")")
        return name, payload

    def argument(self) -> Optional[Desc]:
        if self.peek() == "_":  # `result<_, E>`
            self.take()
            return None
        return self.type()

    def type(self) -> Desc:
        name = self.take()
        if name in _PRIMITIVES:
            return (_PRIMITIVES[name],)
        if name == "resource":
            return (_RESOURCE,)
        if name in ("record", "variant", "enum", "flags"):
            self.take("{")
            if name == "record":
                return (C.T_RECORD, self.list("}", self.param))
            if name == "variant":
                return (C.T_VARIANT, self.list("}", self.case))
            return (C.T_ENUM if name == "enum" else C.T_FLAGS, self.list("}", self.take))
        if self.peek() != "<":
            if name in ("result", "future", "stream"):
                return {"result": (C.T_RESULT, None, None), "future": (C.T_FUTURE,), "stream": (C.T_STREAM,)}[name]
            return (_REF, name)
        self.take("<")
        args = self.list(">", self.argument)
        if name == "list":
            return (C.T_LIST, args[0]) if len(args) == 1 else (_FIXED_LIST,)
        if name == "option":
            return (C.T_OPTION, args[0])
        if name == "result":
            return (C.T_RESULT, args[0], args[1] if len(args) > 1 else None)
        if name == "tuple":
            return (C.T_TUPLE, *args)
        if name == "map":
            return (C.T_MAP, args[0], args[1])
        if name in ("own", "borrow"):
            ref = args[0]
            return (C.T_OWN if name == "own" else C.T_BORROW, ref[1] if ref[0] == _REF else "?")
        if name in ("future", "stream"):
            return (C.T_FUTURE if name == "future" else C.T_STREAM,)  # only the kind is compared
        raise ValueError(f"witgen_runtime: world shape type {self.text!r} is not supported here")


# ---- the comparison ----------------------------------------------------------------


class _Comparison:
    def __init__(self, engine: Engine, shape: WorldShape, imports: dict[str, Any], exports: dict[str, Any]) -> None:
        self.engine = engine
        self.shape = shape
        self.imports = imports
        self.exports = exports
        self.found: list[str] = []
        # The resources of the instances the shape names; of the others.
        self._named_resources: Optional[list[tuple[str, ResourceType]]] = None
        self._resources: Optional[list[tuple[str, ResourceType]]] = None

    def run(self) -> list[str]:
        shape = self.shape
        if shape.imports is not None:
            for name in sorted(self.imports):
                expected = shape.imports.get(name)
                if name not in shape.imports:
                    callable_ = isinstance(self.imports[name], (FuncType, ComponentInstanceType))
                    if callable_ and not name.startswith("wasi:"):
                        self.found.append(f"extra import `{name}`: the world does not import it")
                    continue
                self.item("import", name, expected, self.imports[name], extra_is_error=True)
        for name in sorted(shape.exports):
            if name not in self.exports:
                self.found.append(f"missing export `{name}`: the component does not export it")
                continue
            self.item("export", name, shape.exports[name], self.exports[name], extra_is_error=False)
        return self.found

    def item(self, side: str, name: str, expected: Item, actual: Any, extra_is_error: bool) -> None:
        if expected is None:
            return
        if isinstance(expected, str):
            if not isinstance(actual, FuncType):
                self.found.append(f"{side} `{name}`: a function in the world, {_kind(actual)} in the component")
                return
            self.function(f"{side} `{name}`", expected, actual)
            return
        if not isinstance(actual, ComponentInstanceType):
            self.found.append(f"{side} `{name}`: an interface in the world, {_kind(actual)} in the component")
            return
        members = {n: ext.ty for n, ext in actual.exports(self.engine).items()}
        funcs = {n: t for n, t in members.items() if isinstance(t, FuncType)}
        names = sorted(set(expected) | set(funcs)) if extra_is_error else sorted(expected)
        for fname in names:
            where = f"{side} `{name}#{fname}`"
            if fname not in expected:
                self.found.append(f"extra import `{name}#{fname}`: the world's interface has no such function")
            elif fname not in members:
                missing = "missing import" if side == "import" else "missing export"
                if side == "export":
                    self.found.append(f"{missing} `{name}#{fname}`: the component does not export it")
                # An import the component does not use is fine.
            elif fname not in funcs:
                self.found.append(f"{where}: a function in the world, {_kind(members[fname])} in the component")
            else:
                self.function(where, expected[fname], funcs[fname])

    def function(self, where: str, text: str, actual: FuncType) -> None:
        parsed = self.shape._parsed
        if text not in parsed:
            parsed[text] = _Text(text).signature()
        params, result = parsed[text]
        address = ctypes.cast(actual.ptr(), ctypes.c_void_p).value
        try:
            got_params, got_result = C.signature(address, self.resource)  # type: ignore[arg-type]
        except TypeError as e:  # a value type kind this wasmtime-py cannot describe
            self.found.append(f"{where}: {e}")
            return
        if len(got_params) != len(params):
            self.found.append(f"{where}: {len(params)} parameter{'s' if len(params) != 1 else ''} vs "
                              f"{len(got_params)} ({_func_text(self, params, result)} vs "
                              f"{_func_text(self, got_params, got_result)})")
            return
        for (pname, want), (_, got) in zip(params, got_params):
            diff = self.first(want, got, [f"param {pname}"])
            if diff is not None:
                self.found.append(f"{where}: {diff}")
                return
        if (result is None) != (got_result is None):
            self.found.append(f"{where}: result: {self.text(result)} vs {self.text(got_result)}")
            return
        if result is not None:
            diff = self.first(result, got_result, ["result"])
            if diff is not None:
                self.found.append(f"{where}: {diff}")

    # ---- types ----

    def named(self, key: str) -> Desc:
        types = self.shape._parsed
        if ("#type", key) not in types:
            types["#type", key] = (_RESOURCE,)  # against a table that names itself
            text = self.shape.types.get(key)
            if text is None:
                raise ValueError(f"witgen_runtime: world shape names an undefined type {key!r}")
            types["#type", key] = _Text(text).type()
        return types["#type", key]  # type: ignore[no-any-return]

    def unref(self, desc: Desc) -> Desc:
        seen = 0
        while desc[0] == _REF and seen < 100:
            desc = self.named(desc[1])
            seen += 1
        return desc

    def first(self, want: Optional[Desc], got: Optional[Desc], path: list[str]) -> Optional[str]:
        """The path to the first difference of `want` and `got`, and both types there."""
        if want is None or got is None:
            if want is None and got is None:
                return None
            return self.differ(want, got, path)
        want = self.unref(want)
        k = want[0]
        if got[0] != k:
            return self.differ(want, got, path)
        if k in (C.T_LIST, C.T_OPTION):
            return self.first(want[1], got[1], [*path, "element" if k == C.T_LIST else "some"])
        if k == C.T_MAP:
            return self.first(want[1], got[1], [*path, "key"]) or self.first(want[2], got[2], [*path, "value"])
        if k == C.T_RESULT:
            return self.first(want[1], got[1], [*path, "ok"]) or self.first(want[2], got[2], [*path, "err"])
        if k == C.T_TUPLE:
            if len(want) != len(got):
                return self.differ(want, got, path)
            for i, (w, g) in enumerate(zip(want[1:], got[1:])):
                diff = self.first(w, g, [*path, f"element {i}"])
                if diff is not None:
                    return diff
            return None
        if k in (C.T_RECORD, C.T_VARIANT):
            what = "field" if k == C.T_RECORD else "case"
            if [n for n, _ in want[1]] != [n for n, _ in got[1]]:
                return self.differ(want, got, path)
            for (n, w), (_, g) in zip(want[1], got[1]):
                diff = self.first(w, g, [*path, f"{what} {n}"])
                if diff is not None:
                    return diff
            return None
        if k in (C.T_ENUM, C.T_FLAGS, C.T_OWN, C.T_BORROW):
            return None if tuple(want[1:]) == tuple(got[1:]) else self.differ(want, got, path)
        return None  # primitives; future and stream by kind only

    def differ(self, want: Optional[Desc], got: Optional[Desc], path: list[str]) -> str:
        return f"{' → '.join(path)}: {self.text(want)} vs {self.text(got)}"

    def text(self, desc: Optional[Desc]) -> str:
        out = _render(desc, self.shape.types)
        return out if len(out) <= _MAX_TYPE_TEXT else out[:_MAX_TYPE_TEXT - 1] + "…"

    def resource(self, pointer: Any) -> str:
        """The key of the resource a component's own/borrow names: where
        the component imports or exports it (``"ns:pkg/iface#name"``).
        The instances the shape names are searched first: WASI's many
        resources only when those do not have it."""
        named = set(self.shape.exports) | set(self.shape.imports or ())
        if self._named_resources is None:
            self._named_resources = self._declared(lambda name: self.shape.renamed.get(name, name) in named)
        for key, ty in self._named_resources:
            if _B.wasmtime_component_resource_type_equal(pointer, ty.ptr()):
                return key
        if self._resources is None:
            self._resources = self._declared(lambda name: self.shape.renamed.get(name, name) not in named)
        for key, ty in self._resources:
            if _B.wasmtime_component_resource_type_equal(pointer, ty.ptr()):
                return key
        return "?"

    def _declared(self, wanted: Callable[[str], bool]) -> list[tuple[str, ResourceType]]:
        """The resources the component's instances (and the component
        itself) import and export, of the instances `wanted` accepts."""
        out = []
        for items in (self.imports, self.exports):
            for name, ty in sorted(items.items()):
                if not wanted(name):
                    continue
                shape_name = self.shape.renamed.get(name, name)
                if isinstance(ty, ResourceType):
                    out.append((shape_name, ty))
                elif isinstance(ty, ComponentInstanceType):
                    for rname, ext in ty.exports(self.engine).items():
                        member = ext.ty
                        if isinstance(member, ResourceType):
                            out.append((f"{shape_name}#{rname}", member))
        return out


def _kind(ty: Any) -> str:
    if isinstance(ty, FuncType):
        return "a function"
    if isinstance(ty, ComponentInstanceType):
        return "an instance"
    if isinstance(ty, ResourceType):
        return "a resource"
    return f"a {type(ty).__name__}"


def _render(desc: Optional[Desc], types: Mapping[str, str], budget: int = 200) -> str:
    """A description as WIT text (named types by their name), cut short
    once about `budget` characters are written."""
    if desc is None:
        return "nothing"
    parts: list[str] = []
    size = 0

    def put(text: str) -> None:
        nonlocal size
        parts.append(text)
        size += len(text)

    def walk(d: Optional[Desc]) -> None:
        if size > budget:
            return
        if d is None:
            put("_")
            return
        k = d[0]
        if k == _REF:
            put(d[1].rsplit("#", 1)[-1])
        elif k in (C.T_OWN, C.T_BORROW):
            put(f"{_NAMES[k]}<{d[1].rsplit('#', 1)[-1]}>")
        elif k in (C.T_RECORD, C.T_VARIANT):
            put(f"{_NAMES[k]} {{ ")
            for i, (n, t) in enumerate(d[1]):
                put((", " if i else "") + n)
                if t is not None:
                    put(": " if k == C.T_RECORD else "(")
                    walk(t)
                    if k == C.T_VARIANT:
                        put(")")
            put(" }")
        elif k in (C.T_ENUM, C.T_FLAGS):
            put(f"{_NAMES[k]} {{ {', '.join(d[1])} }}")
        elif k in (C.T_LIST, C.T_OPTION, C.T_RESULT, C.T_TUPLE, C.T_MAP) and len(d) > 1:
            args = list(d[1:])
            if k == C.T_RESULT:
                if args[1] is None:
                    args = args[:1]
                if args == [None]:
                    put("result")
                    return
            put(f"{_NAMES[k]}<")
            for i, a in enumerate(args):
                put(", " if i else "")
                walk(a)
            put(">")
        else:
            put(_NAMES.get(k, f"kind {k}"))

    walk(desc)
    return "".join(parts)


def _func_text(comparison: _Comparison, params: list[tuple[str, Desc]], result: Optional[Desc]) -> str:
    text = f"func({', '.join(f'{n}: {comparison.text(t)}' for n, t in params)})"
    return text + (f" -> {comparison.text(result)}" if result is not None else "")
