"""`witjson`: the model as wit-parser's JSON, kind by kind."""

from __future__ import annotations

import json

import pytest

from witgen import model as m
from witgen.loader import load_text
from witgen.model import witjson

from .test_model import one_of_each

# wit-parser's serde form of each example of `one_of_each`, in its order.
EXPECTED = [
    {"type": 1},
    {"record": {"fields": [{"name": "a", "type": "u32"}, {"name": "b", "type": 1}]}},
    {"flags": {"flags": [{"name": "x"}]}},
    {"variant": {"cases": [{"name": "a", "type": 2}, {"name": "b", "type": None}, {"name": "c", "type": "string"}]}},
    {"enum": {"cases": [{"name": "p"}]}},
    "resource",
    {"handle": {"borrow": 2}},
    {"list": 1},
    {"fixed-length-list": ["u8", 4]},
    {"map": ["string", 2]},
    {"option": 1},
    {"result": {"ok": None, "err": 2}},
    {"tuple": {"types": [2, "char", 1]}},
    {"future": None},
    {"stream": 1},
    "unknown",
]


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_each_kind_serialises_as_wit_parser_does(index: int) -> None:
    kind, _ = one_of_each()[index]
    resolve = m.Resolve(types=[m.TypeDef(None, kind, None)])
    assert witjson.to_json(resolve)["types"][0]["kind"] == EXPECTED[index]


def test_every_kind_has_an_expectation() -> None:
    assert len(EXPECTED) == len(one_of_each())


def test_a_typedef_carries_owner_docs_stability_and_external_id() -> None:
    owner = m.TypeOwner("interface", m.InterfaceId(0))
    stable = m.Stability("stable", since="1.0.0", deprecated="1.2.0")
    typedef = m.TypeDef("t", m.Alias("u8"), owner, docs="Docs.", stability=stable, external_id="x")
    out = witjson.to_json(m.Resolve(types=[typedef]))["types"][0]
    assert out == {
        "name": "t",
        "kind": {"type": "u8"},
        "owner": {"interface": 0},
        "docs": {"contents": "Docs."},
        "stability": {"stable": {"since": "1.0.0", "deprecated": "1.2.0"}},
        "external_id": "x",
    }


def test_a_loaded_package_dumps_with_ids_as_numbers() -> None:
    loaded = load_text(
        """
        package a:b;
        interface i {
          resource r;
          f: func(x: borrow<r>) -> list<r>;
        }
        world w { import i; export run: func(); }
        """
    )
    out = json.loads(witjson.dumps(loaded.resolve))
    assert out["packages"] == [{"name": "a:b", "interfaces": {"i": 0}, "worlds": {"w": 0}}]
    iface = out["interfaces"][0]
    assert iface["types"] == {"r": 0}
    f = iface["functions"]["f"]
    borrow, result = f["params"][0]["type"], f["result"]
    assert out["types"][borrow]["kind"] == {"handle": {"borrow": 0}}
    own = out["types"][result]["kind"]["list"]
    assert out["types"][own]["kind"] == {"handle": {"own": 0}}
    world = out["worlds"][0]
    assert list(world["imports"]) == ["interface-0"] and world["imports"]["interface-0"] == {"interface": {"id": 0}}
    assert world["exports"]["run"]["function"]["kind"] == "freestanding"
