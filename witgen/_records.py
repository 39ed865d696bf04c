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

from operator import attrgetter
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
    setattr(cls, "__record_fields__", fields)
    setattr(cls, "__record_frozen__", frozen)
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
    frozen: bool = getattr(cls, "__record_frozen__")
    scope: dict[str, Any] = {"_MISSING": _MISSING}
    params = ["self"]
    body = ["d = self.__dict__"] if frozen else []
    for f in fields:
        if f.default is not _MISSING:
            scope[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
            value = f.name
        elif f.default_factory is not _MISSING:
            scope[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            value = f"_f_{f.name}() if {f.name} is _MISSING else {f.name}"
        else:
            params.append(f.name)
            value = f.name
        # A frozen instance is filled through its __dict__: its __setattr__ refuses.
        body.append(f"d[{f.name!r}] = {value}" if frozen else f"self.{f.name} = {value}")
    source = f"def __init__({', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _fields(obj: Any) -> tuple[Field, ...]:
    found: tuple[Field, ...] | None = getattr(obj, "__record_fields__", None)
    if found is None:
        raise TypeError("must be called with a dataclass type or instance")
    return found


def _is_dataclass(obj: Any) -> bool:
    return hasattr(obj, "__record_fields__")


def _replace(obj: _T, /, **changes: Any) -> _T:
    cls = obj.__class__
    names: tuple[str, ...] = getattr(cls, "__match_args__")
    if not changes.keys() <= set(names):
        unknown = next(name for name in changes if name not in names)
        raise TypeError(f"{cls.__qualname__}.__init__() got an unexpected keyword argument {unknown!r}")
    # Filled as `__init__` would be, without calling it: the fields are all
    # in the instance's `__dict__`, and the new values are checked by mypy.
    values = obj.__dict__
    new = cls.__new__(cls)
    new.__dict__.update({name: changes[name] if name in changes else values[name] for name in names})
    return new


if TYPE_CHECKING:
    from dataclasses import dataclass, field, fields, is_dataclass, replace
else:
    dataclass, field, fields, is_dataclass, replace = _dataclass, _field, _fields, _is_dataclass, _replace
