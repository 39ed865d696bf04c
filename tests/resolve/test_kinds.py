"""Every type kind, through every stage of the front end.

One WIT file writes each kind of type there is; each stage is checked to
see all of them, so a kind added to the AST or to the model and forgotten
by a stage fails here (mypy names the place; this shows it is reached).
A stage given something that is not a kind fails loudly: no stage has a
default that quietly turns an unknown kind into another.
"""

from __future__ import annotations

from typing import get_args, get_origin

import pytest

from witgen import model as m
from witgen.diagnostics import Span, Source
from witgen.frontend import ast
from witgen.frontend.parser import parse_text
from witgen.frontend.printer import print_file, without_positions
from witgen.loader import load_text
from witgen.model import witjson
from witgen.resolve.link import Features, Remap
from witgen.resolve.package import PackageResolver, PackageSource

EVERY_KIND = """
package a:b;

interface i {
  resource r {
    m: func(x: borrow<r>) -> own<r>;
  }
  record rec { a: u32, b: r }
  flags fl { x, y }
  variant v { a(string), b }
  enum e { p, q }
  type named = rec;
  type t = list<u8>;
  type fixed = list<u8, 4>;
  type mp = map<string, u32>;
  type o = option<rec>;
  type res = result<u32, string>;
  type tup = tuple<u8, char>;
  type fut = future<u32>;
  type st = stream;
  type ec = error-context;
}
"""

# The classes of the model's kinds (`Shape[Type]`'s members are generic aliases).
KINDS = {get_origin(a) or a for a in get_args(m.TypeDefKind)}


def _ast_types(file: ast.File) -> set[type]:
    """The kinds of every type expression written in `file`."""
    found: set[type] = set()

    def visit(node: object) -> None:
        if isinstance(node, get_args(ast.Type)):
            found.add(type(node))
        if isinstance(node, tuple):
            for item in node:
                visit(item)
        elif hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                visit(getattr(node, name))

    visit(file)
    return found


def test_the_file_writes_every_ast_type_and_prints_back() -> None:
    file = parse_text(EVERY_KIND)
    assert _ast_types(file) == set(get_args(ast.Type))
    assert without_positions(parse_text(print_file(file))) == without_positions(file)


def test_the_file_resolves_to_every_model_kind_but_unknown() -> None:
    resolve = load_text(EVERY_KIND).resolve
    kinds = {type(t.kind) for t in resolve.types}
    # `Unknown` is a placeholder of the resolver's, gone once linked.
    assert kinds == KINDS - {m.Unknown}
    out = witjson.to_json(resolve)
    assert all(t["kind"] != "unknown" for t in out["types"])
    order = resolve.topological_types()
    assert sorted(order) == list(range(len(resolve.types)))


_AT = Span(Source("<test>", ""), 0, 0)


def _package(*items: ast.InterfaceItem) -> PackageSource:
    iface = ast.Interface("i", tuple(items), None, (), _AT)
    return PackageSource(ast.PackageName("a", "b", None, _AT), None, [(iface,)])


def test_the_resolver_rejects_a_type_node_it_does_not_know() -> None:
    bogus = ast.TypeAlias("t", object(), None, (), _AT)  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        PackageResolver(_package(bogus)).resolve()


def test_linking_rejects_a_kind_it_does_not_know() -> None:
    remap = Remap(m.Resolve(), Features())
    with pytest.raises(AssertionError):
        remap._update_kind(object(), None)  # type: ignore[arg-type]
