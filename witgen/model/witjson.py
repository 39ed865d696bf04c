"""The resolved model as wit-parser's JSON (`Resolve` through serde).

The same schema as the `*.wit.json` expectations of wit-parser's test
suite, so that the two can be compared.
"""

from __future__ import annotations

import json
from typing import Any

from .. import model as m
from .._compat import assert_never

Json = Any


def to_json(resolve: m.Resolve) -> dict[str, Json]:
    return {
        "worlds": [_world(resolve, w) for w in resolve.worlds],
        "interfaces": [_interface(i) for i in resolve.interfaces],
        "types": [_typedef(t) for t in resolve.types],
        "packages": [_package(p) for p in resolve.packages],
    }


def dumps(resolve: m.Resolve) -> str:
    return json.dumps(to_json(resolve), indent=2) + "\n"


def _docs(out: dict[str, Json], docs: str | None) -> None:
    if docs is not None:
        out["docs"] = {"contents": docs}


def _stability(out: dict[str, Json], s: m.Stability) -> None:
    if s.kind == "stable":
        body: dict[str, Json] = {"since": s.since}
        if s.deprecated is not None:
            body["deprecated"] = s.deprecated
        out["stability"] = {"stable": body}
    elif s.kind == "unstable":
        body = {"feature": s.feature}
        if s.deprecated is not None:
            body["deprecated"] = s.deprecated
        out["stability"] = {"unstable": body}


def _external_id(out: dict[str, Json], external_id: str | None) -> None:
    if external_id is not None:
        out["external_id"] = external_id


def _key(key: m.WorldKey) -> str:
    return key if isinstance(key, str) else f"interface-{key}"


def _item(resolve: m.Resolve, item: m.WorldItem) -> Json:
    if isinstance(item, m.InterfaceItem):
        body: dict[str, Json] = {"id": item.id}
        _stability(body, item.stability)
        _external_id(body, item.external_id)
        _docs(body, item.docs)
        return {"interface": body}
    if isinstance(item, m.FunctionItem):
        return {"function": _function(item.function)}
    return {"type": item.id}


def _world(resolve: m.Resolve, w: m.World) -> Json:
    out: dict[str, Json] = {
        "name": w.name,
        "imports": {_key(k): _item(resolve, v) for k, v in w.imports.items()},
        "exports": {_key(k): _item(resolve, v) for k, v in w.exports.items()},
        "package": w.package,
    }
    _docs(out, w.docs)
    _stability(out, w.stability)
    return out


def _interface(i: m.Interface) -> Json:
    out: dict[str, Json] = {
        "name": i.name,
        "types": dict(i.types),
        "functions": {name: _function(f) for name, f in i.functions.items()},
    }
    _docs(out, i.docs)
    _stability(out, i.stability)
    out["package"] = i.package
    if i.clone_of is not None:
        out["clone_of"] = i.clone_of
    return out


def _function(f: m.Function) -> Json:
    kind: Json = f.kind if f.resource is None else {f.kind: f.resource}
    out: dict[str, Json] = {
        "name": f.name,
        "kind": kind,
        "params": [{"name": p.name, "type": p.type} for p in f.params],
    }
    if f.result is not None:
        out["result"] = f.result
    _docs(out, f.docs)
    _stability(out, f.stability)
    _external_id(out, f.external_id)
    return out


def _named(items: list[Any], payload: bool) -> list[Json]:
    out = []
    for x in items:
        entry: dict[str, Json] = {"name": x.name}
        if payload:
            entry["type"] = x.type
        _docs(entry, x.docs)
        out.append(entry)
    return out


def _kind(kind: m.TypeDefKind) -> Json:
    match kind:
        case m.Alias(target=target):
            return {"type": target}
        case m.Record(fields=fields):
            return {"record": {"fields": _named(fields, True)}}
        case m.Flags(flags=flags):
            return {"flags": {"flags": _named(flags, False)}}
        case m.Variant(cases=cases):
            return {"variant": {"cases": _named(cases, True)}}
        case m.Enum(cases=enum_cases):
            return {"enum": {"cases": _named(enum_cases, False)}}
        case m.Resource():
            return "resource"
        case m.Handle(kind=how, resource=resource):
            return {"handle": {how: resource}}
        case m.Unknown():
            return "unknown"
        case m.ShapeKind():
            return m.shape_json(kind)
        case _:
            assert_never(kind)


def _owner(owner: m.TypeOwner | None) -> Json:
    return None if owner is None else {owner.kind: owner.id}


def _typedef(t: m.TypeDef) -> Json:
    out: dict[str, Json] = {"name": t.name, "kind": _kind(t.kind), "owner": _owner(t.owner)}
    _docs(out, t.docs)
    _stability(out, t.stability)
    _external_id(out, t.external_id)
    return out


def _package(p: m.Package) -> Json:
    out: dict[str, Json] = {
        "name": str(p.name),
        "interfaces": dict(p.interfaces),
        "worlds": dict(p.worlds),
    }
    _docs(out, p.docs)
    return out
