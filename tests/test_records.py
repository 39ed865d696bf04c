"""witgen._records behaves as `dataclasses` does, for what witgen uses."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from witgen import _records


def _classes(dataclass: Any, field: Any) -> tuple[Any, Any, Any]:
    @dataclass(frozen=True)
    class Span:
        source: object = field(compare=False, hash=False)
        start: int
        end: int

    @dataclass(frozen=True)
    class Named:
        name: str
        docs: str | None = None

    @dataclass
    class Item:
        name: str
        items: list[int] = field(default_factory=list)
        docs: str | None = None

    return Span, Named, Item


REAL = _classes(dataclasses.dataclass, dataclasses.field)
OURS = _classes(_records._dataclass, _records._field)


def _behaviour(classes: tuple[Any, Any, Any], replace: Any) -> list[object]:
    Span, Named, Item = classes
    a, b = Span("a.wit", 1, 2), Span("b.wit", 1, 2)
    item = Item("i")
    item.items.append(1)
    seen: list[object] = [
        a == b,
        hash(a) == hash(b),
        a == Span("a.wit", 1, 3),
        repr(Named("n")),
        Named("n") == Named("n", None),
        Named("n") == Named("m"),
        Named("n") != ("n", None),
        hash(Named("n")) == hash(Named("n")),
        Item.__hash__ is None,
        repr(item),
        Item("j").items,
        Named.__match_args__,
        Item.__match_args__,
        repr(replace(item, name="k")),
        replace(item, name="k").items is item.items,
        repr(replace(Named("n", "d"), name="m")),
    ]
    match Named("x", "y"):
        case Named(name, docs):
            seen.append((name, docs))
    for bad in (lambda: Named(), lambda: Named("a", "b", "c"), lambda: Item(nam="x"), lambda: replace(item, nam="x")):
        try:
            bad()
        except TypeError:
            seen.append("TypeError")
    for assign in (lambda: setattr(Named("n"), "name", "m"), lambda: delattr(Named("n"), "name")):
        try:
            assign()
        except AttributeError as error:
            seen.append(str(error))
    item.name = "changed"  # a record that is not frozen can change
    seen.append(item.name)
    return seen


def test_records_behave_as_dataclasses() -> None:
    assert _behaviour(OURS, _records._replace) == _behaviour(REAL, dataclasses.replace)


def test_fields_and_is_dataclass() -> None:
    Span, Named, _ = OURS
    assert [f.name for f in _records._fields(Named("n"))] == ["name", "docs"]
    assert _records._is_dataclass(Span) and _records._is_dataclass(Named("n")) and not _records._is_dataclass(1)
    with pytest.raises(TypeError):
        _records._fields(1)


def test_unsupported_uses_fail_when_the_class_is_made() -> None:
    @_records._dataclass
    class Base:
        x: int

    with pytest.raises(TypeError):

        @_records._dataclass
        class Derived(Base):
            y: int

    with pytest.raises(TypeError):

        @_records._dataclass(order=True)  # type: ignore[call-arg]
        class Ordered:
            x: int

    with pytest.raises(ValueError):
        _records._field(default=1, default_factory=list)


def test_a_class_costs_nothing_until_it_is_built() -> None:
    _, Named, _ = _classes(_records._dataclass, _records._field)
    assert Named.__init__ is _records._first_init
    Named("n")
    assert Named.__init__ is not _records._first_init


def test_dataclasses_functions_work_on_records() -> None:
    # For code written against `dataclasses` (a record is one, to mypy).
    Span, Named, Item = _classes(_records._dataclass, _records._field)
    item = Item("i", [1])
    assert dataclasses.is_dataclass(item) and dataclasses.is_dataclass(Named)
    assert [f.name for f in dataclasses.fields(Item)] == ["name", "items", "docs"]
    assert dataclasses.replace(item, name="j") == Item("j", [1])
    assert dataclasses.replace(Named("n"), docs="d") == Named("n", "d")
    assert dataclasses.asdict(Span("s", 1, 2)) == {"source": "s", "start": 1, "end": 2}
