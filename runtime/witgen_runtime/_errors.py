"""The values and errors every generated package shares.

`Ok`, `Err` and `Some` are the shapes componentize-py's guest bindings use;
the errors all derive from `WitError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar, Union

__all__ = [
    "Ok", "Err", "Some", "Result", "WitError", "Trap", "InstancePoisonedError", "ResourceDroppedError",
    "HandleError", "BindingMismatchError", "UnsupportedError", "CloseError",
]

T = TypeVar("T")
E = TypeVar("E")
S = TypeVar("S")

# --------------------------------------------------------------------------
# Values shared with componentize-py's guest-side bindings


@dataclass
class Some(Generic[S]):
    """The present case of a nested ``option`` (``option<option<T>>``)."""

    value: S


@dataclass
class Ok(Generic[T]):
    """The success case of a WIT ``result`` value."""

    value: T


class Err(Exception, Generic[E]):
    """The failure case of a WIT ``result``: a value, and raised by functions
    whose WIT return type is a ``result``."""

    __match_args__ = ("value",)

    def __init__(self, value: E) -> None:
        # (`args` is already `(value,)`: BaseException.__new__ sets it.)
        self.value = value

    def __repr__(self) -> str:
        return f"Err({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Err) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


Result = Union[Ok[T], Err[E]]


# --------------------------------------------------------------------------
# Errors


class WitError(Exception):
    """Base class of the errors raised by generated bindings."""


class Trap(WitError):
    """A call into a component trapped; the instance cannot be used again.

    ``__cause__`` is what caused it: the exception a host function raised,
    or wasmtime's ``WasmtimeError`` for a trap in the guest."""


class InstancePoisonedError(WitError):
    """A call was made into an instance that trapped earlier."""


class ResourceDroppedError(WitError):
    """A resource handle was used after ``drop()`` or after being moved."""


class HandleError(WitError, LookupError):
    """A resource handle does not name a live resource in this store."""


class BindingMismatchError(WitError, TypeError):
    """The component's types are not the ones the bindings were generated for.

    ``differences``: each one found, when the whole component was compared
    with the world (``instantiate``, ``witgen verify``); the message shows
    the first 50 of them."""

    def __init__(self, message: str, differences: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.differences = list(differences)


class UnsupportedError(WitError):
    """What the bindings cannot do with this wasmtime (said when linking,
    never in the middle of a call)."""


class CloseError(WitError):
    """``close()`` of one or more host objects failed in `release_store`.

    Every object was closed (or tried) first; ``errors`` holds what each
    failing ``close()`` raised, in order, and ``__cause__`` is the first."""

    def __init__(self, message: str, errors: Sequence[BaseException]) -> None:
        super().__init__(message)
        self.errors = list(errors)

