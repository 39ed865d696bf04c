"""`dataclass`, `field`, `fields` and `replace`, at a fraction of the cost.

To mypy these are the `dataclasses` functions themselves, so every class is
checked as a dataclass (frozen ones included). At run time a class is set up
without `dataclasses`: that module (with `inspect`, which it imports) and
the `exec` of six methods per class cost about a millisecond a class, and
the front end has ninety; `witgen check` must start in a fraction of a
second. Here only `__init__` is generated, on the first instance, so a class
that a run never builds costs nothing. `__eq__`, `__hash__` and `__repr__`
behave as the generated ones do.

Only what witgen uses is supported: `frozen`, defaults, and `field()` with
`default`, `default_factory`, `compare`, `hash` and `repr`. No inheritance
between these classes, no `__post_init__`, no `ClassVar` fields.
"""

from __future__ import annotations

import functools
import sys
from operator import attrgetter
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Callable, TypeVar

__all__ = ["FrozenInstanceError", "dataclass", "field", "fields", "is_dataclass", "replace"]

_C = TypeVar("_C", bound=type)
_T = TypeVar("_T")

_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen class (as `dataclasses` raises)."""


class Field:
    """What `fields()` reports of one field."""

    __slots__ = ("name", "default", "default_factory", "compare", "hash", "repr")

    def __init__(
        self,
        default: Any = _MISSING,
        default_factory: Any = _MISSING,
        compare: bool = True,
        hash: bool | None = None,
        repr: bool = True,
    ) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.hash = hash
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


def _field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | Any = _MISSING,
    compare: bool = True,
    hash: bool | None = None,
    repr: bool = True,
) -> Any:
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, compare, hash, repr)


def _dataclass(cls: _C | None = None, /, *, frozen: bool = False) -> Any:
    def wrap(cls: _C) -> _C:
        return _process(cls, frozen)

    return wrap if cls is None else wrap(cls)


def _process(cls: _C, frozen: bool) -> _C:
    if "__post_init__" in cls.__dict__ or any(hasattr(base, "__record_fields__") for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: __post_init__ and inheritance are not supported")
    specs: list[Field] = []
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, _MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name = name
        if isinstance(value, Field):
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        specs.append(spec)
    fields = tuple(specs)
    names = tuple(f.name for f in fields)
    if any(_has_default(a) and not _has_default(b) for a, b in zip(fields, fields[1:])):
        raise TypeError(f"{cls.__qualname__}: a field without a default follows one with a default")
    setattr(cls, "__record_fields__", fields)
    setattr(cls, "__dataclass_fields__", _DataclassFields())
    setattr(cls, "__match_args__", names)
    cls.__init__ = _first_init  # type: ignore[misc]
    compared = [f.name for f in fields if f.compare]
    key = _key(compared)
    hashed = _key([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = [f.name for f in fields if f.repr]

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return key(self) == key(other)

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    if "__eq__" not in cls.__dict__:
        setattr(cls, "__eq__", __eq__)
    if "__repr__" not in cls.__dict__:
        setattr(cls, "__repr__", __repr__)
    if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
        # As dataclasses: frozen and compared by value is hashable, mutable is not.
        setattr(cls, "__hash__", __hash__ if frozen else None)
    if frozen:
        setattr(cls, "__setattr__", _frozen_setattr)
        setattr(cls, "__delattr__", _frozen_delattr)
    return cls


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of `names`' values that `__eq__` or `__hash__` compares."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    return lambda obj: ()


class _DataclassFields:
    """A record's `__dataclass_fields__`, made on first use: then
    `dataclasses.replace`, `fields` and `is_dataclass` work on records as
    well (importing `dataclasses` only then), for code that uses them."""

    def __get__(self, obj: object, cls: type) -> dict[str, Any]:
        import dataclasses

        found: dict[str, Any] = {}
        for f in getattr(cls, "__record_fields__"):
            kept: Any = dataclasses.field(
                default=f.default if f.default is not _MISSING else dataclasses.MISSING,
                default_factory=f.default_factory if f.default_factory is not _MISSING else dataclasses.MISSING,
                compare=f.compare,
                hash=f.hash,
                repr=f.repr,
            )
            kept.name = f.name
            kept.type = cls.__annotations__[f.name]
            kept._field_type = getattr(dataclasses, "_FIELD")  # what `fields()` lists
            found[f.name] = kept
        setattr(cls, "__dataclass_fields__", found)
        return found


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _first_init(self: Any, *args: Any, **kwargs: Any) -> None:
    """Compiles the class's `__init__`, installs it and runs it."""
    cls = self.__class__
    init = _make_init(cls)
    cls.__init__ = init
    init(self, *args, **kwargs)


def _make_init(cls: type) -> Callable[..., None]:
    fields: tuple[Field, ...] = getattr(cls, "__record_fields__")
    code = _init_template(len(fields))
    # The template's parameters f0, f1, ... and the keys it stores them under
    # become the fields' names.
    names = {f"f{i}": f.name for i, f in enumerate(fields)}
    code = code.replace(
        co_varnames=tuple(names.get(v, v) for v in code.co_varnames),
        co_consts=tuple(names.get(c, c) if isinstance(c, str) else c for c in code.co_consts),
    )
    if sys.version_info >= (3, 11):  # the name errors give (`X.__init__() missing ...`)
        code = code.replace(co_qualname=f"{cls.__qualname__}.__init__")
    scope = {"_MISSING": _MISSING, **{f"_F{i}": f.default_factory for i, f in enumerate(fields)}}
    defaults = tuple(f.default if f.default_factory is _MISSING else _MISSING for f in fields if _has_default(f))
    init = FunctionType(code, scope, "__init__", defaults or None)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


@functools.lru_cache(maxsize=None)
def _init_template(arity: int) -> CodeType:
    """`__init__` for `arity` fields, named f0, f1, ...: compiled once per
    arity and renamed per class, as compiling one per class took 80 µs a
    class. Every instance is filled through its `__dict__`: a frozen one's
    `__setattr__` refuses; a field whose default is `_MISSING` has a factory."""
    params = "".join(f", f{i}" for i in range(arity))
    lines = [f"def __init__(__record_self{params}):", "    __record_dict = __record_self.__dict__"]
    lines += [f"    __record_dict['f{i}'] = _F{i}() if f{i} is _MISSING else f{i}" for i in range(arity)]
    scope: dict[str, Any] = {}
    exec("\n".join(lines), scope)
    code: CodeType = scope["__init__"].__code__
    return code


def _has_default(f: Field) -> bool:
    return f.default is not _MISSING or f.default_factory is not _MISSING


def _fields(obj: Any) -> tuple[Field, ...]:
    found: tuple[Field, ...] | None = getattr(obj, "__record_fields__", None)
    if found is None:
        raise TypeError("must be called with a dataclass type or instance")
    return found


def _is_dataclass(obj: Any) -> bool:
    return hasattr(obj, "__record_fields__")


def _replace(obj: _T, /, **changes: Any) -> _T:
    cls = obj.__class__
    # Filled as `__init__` would be, without calling it: the fields are all
    # in the instance's `__dict__`, and the new values are checked by mypy.
    values = obj.__dict__
    copied = {name: values[name] for name in getattr(cls, "__match_args__")}
    if not changes.keys() <= copied.keys():
        unknown = next(name for name in changes if name not in copied)
        raise TypeError(f"{cls.__qualname__}.__init__() got an unexpected keyword argument {unknown!r}")
    copied.update(changes)
    new = cls.__new__(cls)
    new.__dict__.update(copied)
    return new


if TYPE_CHECKING:
    from dataclasses import dataclass, field, fields, is_dataclass, replace
else:
    dataclass, field, fields, is_dataclass, replace = _dataclass, _field, _fields, _is_dataclass, _replace
