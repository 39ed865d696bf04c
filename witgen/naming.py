"""WIT names -> Python names. Every case change and escape happens here.

WIT identifiers are kebab-case words, each all lowercase or all uppercase
(`get-URL`). Python names follow PEP 8 the way componentize-py's guest
bindings do: `snake_case` functions and fields, `PascalCase` classes,
`SHOUTY` enum members, and a trailing `_` for keywords and builtins.
"""

from __future__ import annotations

import builtins
import keyword
from typing import Iterable

# Keywords can never be names; builtins must not be shadowed where a name is
# a variable (a parameter `list` would hide the builtin in its function). An
# attribute (`conn.set`, a field `type`) shadows nothing and stays as is.
KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
RESERVED = KEYWORDS | frozenset(dir(builtins))
# Except the builtins generated annotations use: in a class body, a method
# or field named `int` would make `int` in the next annotation mean it.
ATTRIBUTE_RESERVED = KEYWORDS | {"bool", "bytes", "dict", "float", "int", "list", "object", "str", "tuple", "type"}


def words(name: str) -> list[str]:
    return [w for w in name.lstrip("%").split("-") if w]


def snake(name: str, *, attribute: bool = False) -> str:
    """`get-URL` -> `get_url`, escaped if it is a keyword, or a builtin
    unless it names an `attribute` (a method or field)."""
    return escape("_".join(w.lower() for w in words(name)), attribute=attribute)


def pascal(name: str) -> str:
    """`http-request` -> `HttpRequest`; `HTTP` -> `Http`."""
    return escape("".join(w[0].upper() + w[1:].lower() for w in words(name)))


def shouty(name: str) -> str:
    """`not-found` -> `NOT_FOUND` (enum and flag members)."""
    return escape("_".join(w.upper() for w in words(name)), attribute=True)


def escape(identifier: str, *, attribute: bool = False) -> str:
    return f"{identifier}_" if identifier in (ATTRIBUTE_RESERVED if attribute else RESERVED) else identifier


class Scope:
    """Hands out distinct names: a second claim of `x` gets `x_`, then `x_2`.

    One scope per Python namespace (a module, a class, a parameter list), so
    two WIT names that map to the same Python name never collide."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken = set(reserved)
        # wanted -> the next suffix to try: thousands of WIT names can map to
        # one Python name (`a-b`, `A-b`, `a-B`, ...); counting from 2 each
        # time made that quadratic.
        self._next: dict[str, int] = {}

    def claim(self, wanted: str) -> str:
        name = wanted
        if name in self._taken:
            name = f"{wanted}_"
        counter = self._next.get(wanted, 2)
        while name in self._taken:
            name = f"{wanted}_{counter}"
            counter += 1
        self._next[wanted] = counter
        self._taken.add(name)
        return name

    def __contains__(self, name: str) -> bool:
        return name in self._taken
