"""The resolved model: ids, what each kind refers to, and the walks over it.

Each test builds a small `Resolve` by hand, so that it tests the model and
nothing before it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args, get_origin

import pytest

from witgen import model as m

ROOT = Path(__file__).resolve().parents[2]

T1, T2 = m.TypeId(1), m.TypeId(2)

# The classes of the model's kinds (`Shape[Type]`'s members are generic aliases).
KINDS = {get_origin(a) or a for a in get_args(m.TypeDefKind)}


def one_of_each() -> list[tuple[m.TypeDefKind, list[m.Type]]]:
    """One definition of every kind, with the types it refers to."""
    return [
        (m.Alias(T1), [T1]),
        (m.Record([m.Field("a", "u32"), m.Field("b", T1)]), ["u32", T1]),
        (m.Flags([m.Flag("x")]), []),
        (m.Variant([m.Case("a", T2), m.Case("b", None), m.Case("c", "string")]), [T2, "string"]),
        (m.Enum([m.EnumCase("p")]), []),
        (m.Resource(), []),
        (m.Handle("borrow", T2), [T2]),
        (m.List(T1), [T1]),
        (m.FixedList("u8", 4), ["u8"]),
        (m.Map("string", T2), ["string", T2]),
        (m.Option(T1), [T1]),
        (m.Result(None, T2), [T2]),
        (m.Tuple((T2, "char", T1)), [T2, "char", T1]),
        (m.Future(None), []),
        (m.Stream(T1), [T1]),
        (m.Unknown(), []),
    ]


_NAMES = [type(kind).__name__ for kind, _ in one_of_each()]


def test_the_examples_cover_every_kind() -> None:
    # Adding a kind to `TypeDefKind` fails here until it has an example,
    # and then the tests below check it is handled.
    assert {type(kind) for kind, _ in one_of_each()} == KINDS


def test_every_shape_class_is_in_the_shape_union() -> None:
    # `case m.ShapeKind():` stands for every shape; the per-shape `match`es
    # (and mypy's exhaustiveness) see the `Shape` union. They must agree.
    shapes = {get_origin(a) for a in get_args(m.Shape)}
    assert set(m.ShapeKind.__subclasses__()) == shapes


def test_equal_shapes_are_one_key() -> None:
    # The resolver gives one id to each distinct anonymous structure.
    assert {m.Tuple(("u8", T1)), m.Tuple(("u8", T1)), m.Result(None, T1), m.Result(T1, None)} == {
        m.Tuple(("u8", T1)),
        m.Result(None, T1),
        m.Result(T1, None),
    }
    assert m.List(T1) != m.Option(T1)


@pytest.mark.parametrize("kind, refs", one_of_each(), ids=_NAMES)
def test_type_references_lists_each_kinds_children_in_order(kind: m.TypeDefKind, refs: list[m.Type]) -> None:
    assert list(m.type_references(kind)) == refs
    assert list(m.Resolve().type_references(kind)) == refs


def test_result_and_future_references_skip_what_is_absent() -> None:
    assert list(m.type_references(m.Result(T1, None))) == [T1]
    assert list(m.type_references(m.Result(T1, T2))) == [T1, T2]
    assert list(m.type_references(m.Result(None, None))) == []
    assert list(m.type_references(m.Future(T2))) == [T2]
    assert list(m.type_references(m.Stream(None))) == []


def test_a_kind_that_is_not_one_is_an_error_not_a_default() -> None:
    with pytest.raises(AssertionError):
        list(m.type_references(object()))  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        m.map_type_ids(object(), lambda id: id)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind, refs", one_of_each(), ids=_NAMES)
def test_map_type_ids_maps_the_ids_in_reference_order(kind: m.TypeDefKind, refs: list[m.Type]) -> None:
    seen: list[m.TypeId] = []

    def shift(id: m.TypeId) -> m.TypeId:
        seen.append(id)
        return m.TypeId(id + 100)

    before = repr(kind)
    mapped = m.map_type_ids(kind, shift)
    # Copies number the types they make in this order (`resolve.elaborate`).
    assert seen == [t for t in refs if isinstance(t, int)]
    assert list(m.type_references(mapped)) == [t + 100 if isinstance(t, int) else t for t in refs]
    assert type(mapped) is type(kind)
    assert repr(kind) == before  # the original is left alone
    if isinstance(kind, (m.Flags, m.Enum, m.Resource, m.Unknown)):
        assert mapped is kind  # nothing to map: not copied


def test_map_type_ids_keeps_what_is_not_a_reference() -> None:
    record = m.Record([m.Field("a", T1, docs="the a", span=None)])
    mapped = m.map_type_ids(record, lambda id: T2)
    assert isinstance(mapped, m.Record)
    assert (mapped.fields[0].name, mapped.fields[0].docs, mapped.fields[0].type) == ("a", "the a", T2)
    handle = m.map_type_ids(m.Handle("own", T1), lambda id: T2)
    assert handle == m.Handle("own", T2)
    assert m.map_type_ids(m.FixedList(T1, 7), lambda id: T2) == m.FixedList(T2, 7)


# ---- ids and primitives ------------------------------------------------------


def test_ids_are_plain_ints_at_run_time() -> None:
    for new_id in (m.TypeId, m.InterfaceId, m.WorldId, m.PackageId):
        id = new_id(3)
        assert type(id) is int and id == 3


def test_primitives_are_listed_once_in_wit_parsers_order() -> None:
    assert m.PRIMITIVES == get_args(m.Primitive)
    assert m.PRIMITIVES[:5] == ("bool", "u8", "u16", "u32", "u64")
    assert len(set(m.PRIMITIVES)) == len(m.PRIMITIVES) == 14


def test_the_grammar_knows_the_same_primitives() -> None:
    # The grammar's `primitive` rule is the other place WIT's primitives are
    # written (its terminals); the two lists must agree: as many alternatives
    # as primitives, and each primitive parses as one.
    from witgen.frontend import ast, lalr
    from witgen.frontend.parser import GRAMMAR, parse_text

    alternatives = [rule for rule in lalr.load(GRAMMAR).rules if rule[0] == "primitive"]
    assert len(alternatives) == len(m.PRIMITIVES)
    for name in m.PRIMITIVES:
        (interface,) = parse_text(f"interface i {{ type t = {name}; }}").items
        assert isinstance(interface, ast.Interface)
        (alias,) = interface.items
        assert isinstance(alias, ast.TypeAlias)
        assert isinstance(alias.type, ast.Primitive) and alias.type.name == name


# ---- helpers over a Resolve ---------------------------------------------------


def _resolve(*kinds: m.TypeDefKind) -> m.Resolve:
    return m.Resolve(types=[m.TypeDef(f"t{i}", kind, None) for i, kind in enumerate(kinds)])


def test_unalias_follows_a_chain_to_its_end() -> None:
    # 0 -> 1 -> 2 (a record); 3 -> "u8"
    resolve = _resolve(m.Alias(T1), m.Alias(T2), m.Record([m.Field("a", "u8")]), m.Alias("u8"))
    assert resolve.unalias(m.TypeId(0)) == T2
    assert resolve.unalias(m.TypeId(3)) == "u8"
    assert resolve.unalias("string") == "string"
    assert resolve.unalias(T2) == T2


def test_unalias_memo_records_every_link_and_is_used() -> None:
    resolve = _resolve(m.Alias(T1), m.Alias(T2), m.Resource())
    memo: dict[m.TypeId, m.Type] = {}
    assert resolve.unalias(m.TypeId(0), memo) == T2
    assert memo == {0: T2, 1: T2}
    # The memo is trusted: what it says wins over the arena.
    memo[m.TypeId(1)] = "u32"
    assert resolve.unalias(T1, memo) == "u32"


def test_resource_of_sees_through_aliases_only() -> None:
    resolve = _resolve(m.Resource(), m.Alias(m.TypeId(0)), m.Handle("own", m.TypeId(0)), m.Alias("u8"))
    assert resolve.resource_of(m.TypeId(0)) == 0
    assert resolve.resource_of(T1) == 0
    assert resolve.resource_of(T2) is None  # a handle is not the resource
    assert resolve.resource_of(m.TypeId(3)) is None


def test_type_ids_referenced_leaves_out_primitives() -> None:
    resolve = _resolve(m.Resource(), m.Tuple(("u8", m.TypeId(0), "string", m.TypeId(0))))
    assert resolve.type_ids_referenced(T1) == [0, 0]


def test_topological_types_puts_each_type_after_what_it_refers_to() -> None:
    # 0 = list<1>, 1 = option<2>, 2 = record, 3 = tuple<2, 0>
    resolve = _resolve(m.List(T1), m.Option(T2), m.Record([m.Field("a", "u8")]), m.Tuple((T2, m.TypeId(0))))
    assert resolve.topological_types() == [2, 1, 0, 3]
    assert resolve.topological_types([m.TypeId(3)]) == [2, 1, 0, 3]
    assert resolve.topological_types([T1]) == [2, 1]


def test_post_order_is_iterative_and_honours_skip() -> None:
    depth = 100_000  # far beyond the recursion limit
    children = {i: [i + 1] for i in range(depth)}
    children[depth] = []
    order = m.post_order([0], children.__getitem__)
    assert order[0] == depth and order[-1] == 0 and len(order) == depth + 1
    assert m.post_order([0], children.__getitem__, skip={3}) == [2, 1, 0]


def test_type_interface_dep_is_the_interface_a_use_comes_from() -> None:
    owner_a = m.TypeOwner("interface", m.InterfaceId(0))
    owner_b = m.TypeOwner("interface", m.InterfaceId(1))
    resolve = m.Resolve(
        types=[
            m.TypeDef("r", m.Record([m.Field("a", "u8")]), owner_a),
            m.TypeDef("r", m.Alias(m.TypeId(0)), owner_b),  # `use a.{r}` in b
            m.TypeDef("s", m.Alias(m.TypeId(0)), owner_a),  # `type s = r` in a
        ],
        interfaces=[m.Interface("a", {"r": m.TypeId(0)}), m.Interface("b", {"r": T1})],
    )
    assert resolve.type_interface_dep(T1) == 0
    assert resolve.type_interface_dep(T2) is None
    assert list(resolve.interface_direct_deps(m.InterfaceId(1))) == [0]


# ---- what mypy makes of it -------------------------------------------------------

_CHECKED = '''
from witgen import model as m
from witgen._compat import assert_never

def type_wanted(id: m.TypeId) -> None: ...

type_wanted(m.InterfaceId(1))  # E: interface for type
m.Alias("u3")  # E: not a primitive

def leaves_out_stream(kind: m.TypeDefKind) -> str:
    match kind:
        case m.Alias() | m.Record() | m.Flags() | m.Variant() | m.Enum() | m.Resource() | m.Handle():
            return "a"
        case m.List() | m.FixedList() | m.Map() | m.Option() | m.Result() | m.Tuple() | m.Future():
            return "b"
        case m.Unknown():
            return "c"
        case _:
            assert_never(kind)  # E: Stream left out
'''


def test_mypy_rejects_mixed_ids_unknown_primitives_and_a_kind_left_out(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    source = tmp_path / "checked.py"
    source.write_text(textwrap.dedent(_CHECKED))
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--hide-error-context",
            "--cache-dir", str(ROOT / ".cache" / "mypy-model-tests"), str(source),
        ],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    flagged = sorted(int(line.split(":")[1]) for line in result.stdout.splitlines() if ": error:" in line)
    expected = [i + 1 for i, line in enumerate(textwrap.dedent(_CHECKED).splitlines()) if "# E:" in line]
    assert flagged == expected, result.stdout + result.stderr
