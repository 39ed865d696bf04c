"""Whether a component matches a world, before it is instantiated:
`WorldShape` (the world, as generated code carries it), `differences` and
`verify` (what generated ``instantiate`` and ``witgen verify`` call).

The component's side is read from ``Component.type`` (names, instances,
functions) and `_capi.signature` (each function's types, read by the
kinds' table `_values.KINDS`; compared by `_types.first_difference`).
Directions (docs/design/verify.md): the component may import less than the
world (it need not use every import) and export more (nothing calls it),
but not import more (no host provides it; ``wasi:*`` interfaces excepted,
which wasmtime provides) nor export less. Types must be equal: the bindings
convert values of exactly the world's types.
"""

from __future__ import annotations

import ctypes
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from wasmtime import Engine
from wasmtime.component import Component, ComponentInstanceType, FuncType, ResourceType

from . import _capi as C
from ._errors import BindingMismatchError
from ._types import Described, Ref, Type, first_difference
from ._values import KINDS

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


# ---- the expected side: the world's text, read by the kinds' table -----------------

_MAX_ALIASES = 100  # a named type naming another, and so on


# ---- the comparison ----------------------------------------------------------------


class _Comparison:
    def __init__(self, engine: Engine, shape: WorldShape, imports: dict[str, Any], exports: dict[str, Any]) -> None:
        self.engine = engine
        self.shape = shape
        self.imports = imports
        self.exports = exports
        self.found: list[str] = []
        # The resources of the instances the shape names; of the others.
        self._named_resources: Optional[list[tuple[str, int]]] = None
        self._resources: Optional[list[tuple[str, int]]] = None
        self._types: list[ResourceType] = []
        self.read = KINDS.reader(self.resource)

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
            parsed[text] = KINDS.signature(text)
        params, result = parsed[text]
        address = ctypes.cast(actual.ptr(), ctypes.c_void_p).value
        try:
            got_params, got_result = C.signature(address, self.read)  # type: ignore[arg-type]
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

    def named(self, ref: Ref) -> Described:
        """The type a key of the shape's `types` names, through aliases."""
        t: Described = ref
        for _ in range(_MAX_ALIASES):
            if type(t) is not Ref:
                break
            t = self.definition(t.key)
        return t

    def definition(self, key: str) -> Described:
        types = self.shape._parsed
        if ("#type", key) not in types:  # each text read once
            text = self.shape.types.get(key)
            if text is None:
                raise ValueError(f"witgen_runtime: world shape names an undefined type {key!r}")
            types["#type", key] = KINDS.parse(text)
        return types["#type", key]  # type: ignore[no-any-return]

    def first(self, want: Optional[Described], got: Optional[Type], path: list[str]) -> Optional[str]:
        """The path to the first difference of `want` and `got`, and both types there."""
        found = first_difference(want, got, path, self.named)
        if found is None:
            return None
        return f"{' → '.join(found.path)}: {self.text(found.want)} vs {self.text(found.got)}"

    def text(self, t: Optional[Described]) -> str:
        out = KINDS.render(t)
        return out if len(out) <= _MAX_TYPE_TEXT else out[:_MAX_TYPE_TEXT - 1] + "…"

    def resource(self, pointer: int) -> str:
        """The key of the resource a component's own/borrow names: where
        the component imports or exports it (``"ns:pkg/iface#name"``).
        The instances the shape names are searched first: WASI's many
        resources only when those do not have it."""
        named = set(self.shape.exports) | set(self.shape.imports or ())
        if self._named_resources is None:
            self._named_resources = self._declared(lambda name: self.shape.renamed.get(name, name) in named)
        for key, ty in self._named_resources:
            if C.resource_type_equal(pointer, ty):
                return key
        if self._resources is None:
            self._resources = self._declared(lambda name: self.shape.renamed.get(name, name) not in named)
        for key, ty in self._resources:
            if C.resource_type_equal(pointer, ty):
                return key
        return "?"

    def _declared(self, wanted: Callable[[str], bool]) -> list[tuple[str, int]]:
        """The resources the component's instances (and the component
        itself) import and export, of the instances `wanted` accepts, with
        the address of each one's type (kept alive in `self._types`)."""
        out: list[tuple[str, ResourceType]] = []
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
        self._types.extend(ty for _, ty in out)
        return [(key, ctypes.cast(ty.ptr(), ctypes.c_void_p).value or 0) for key, ty in out]


def _kind(ty: Any) -> str:
    if isinstance(ty, FuncType):
        return "a function"
    if isinstance(ty, ComponentInstanceType):
        return "an instance"
    if isinstance(ty, ResourceType):
        return "a resource"
    return f"a {type(ty).__name__}"


def _func_text(comparison: _Comparison, params: Sequence[tuple[str, Described]], result: Optional[Described]) -> str:
    text = f"func({', '.join(f'{n}: {comparison.text(t)}' for n, t in params)})"
    return text + (f" -> {comparison.text(result)}" if result is not None else "")
