"""Component-model text for the value layer's tests and benchmark.

`echo_component(types)` builds one component that, for each type T, imports
``host-<i>: func(x: T) -> T`` and exports ``echo-<i>: func(x: T) -> T``
implemented by calling the import: one call of the export lowers through
the export path, lifts in the host callback, lowers the callback's result
and lifts the export's result — every codec both ways.

Types are tuples: ("u32",), ("list", T), ("record", [(name, T)]),
("tuple", [T]), ("variant", [(name, T or None)]), ("enum", [names]),
("option", T), ("result", T or None, T or None), ("flags", [names]),
("map", K, V), ("string",), ...
"""

from __future__ import annotations

from typing import Any

_I32 = {"bool", "s8", "u8", "s16", "u16", "s32", "u32", "char"}


def flat(t: tuple) -> list[str]:  # type: ignore[type-arg]
    k = t[0]
    if k in _I32 or k in ("enum", "flags", "own", "borrow"):
        return ["i32"]
    if k in ("s64", "u64"):
        return ["i64"]
    if k in ("f32", "f64"):
        return [k]
    if k in ("string", "list", "map"):
        return ["i32", "i32"]
    if k == "record":
        return [x for _, f in t[1] for x in flat(f)]
    if k == "tuple":
        return [x for f in t[1] for x in flat(f)]
    if k in ("variant", "option", "result"):
        cases = [c for _, c in t[1]] if k == "variant" else [None, t[1]] if k == "option" else [t[1], t[2]]
        joined: list[str] = []
        for c in cases:
            if c is None:
                continue
            for i, x in enumerate(flat(c)):
                if i < len(joined):
                    joined[i] = _join(joined[i], x)
                else:
                    joined.append(x)
        return ["i32", *joined]
    raise ValueError(k)


def _join(a: str, b: str) -> str:
    if a == b:
        return a
    if {a, b} == {"i32", "f32"}:
        return "i32"
    return "i64"


def wat_type(t: tuple) -> str:  # type: ignore[type-arg]
    k = t[0]
    if k == "list":
        return f"(list {wat_type(t[1])})"
    if k == "option":
        return f"(option {wat_type(t[1])})"
    if k == "map":
        return f"(map {wat_type(t[1])} {wat_type(t[2])})"
    if k == "tuple":
        return "(tuple " + " ".join(wat_type(x) for x in t[1]) + ")"
    if k == "result":
        ok = f" {wat_type(t[1])}" if t[1] is not None else ""
        err = f" (error {wat_type(t[2])})" if t[2] is not None else ""
        return f"(result{ok}{err})"
    if k == "record":
        return "(record " + " ".join(f'(field "{n}" {wat_type(f)})' for n, f in t[1]) + ")"
    if k == "variant":
        return "(variant " + " ".join(f'(case "{n}"' + (f" {wat_type(c)})" if c else ")") for n, c in t[1]) + ")"
    if k == "enum":
        return "(enum " + " ".join(f'"{n}"' for n in t[1]) + ")"
    if k == "flags":
        return "(flags " + " ".join(f'"{n}"' for n in t[1]) + ")"
    return k


_NAMED = ("record", "variant", "enum", "flags")

MEMORY_MODULE = """
  (core module $Mem
    (memory (export "mem") 1)
    (global $hp (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32) (local $end i32)
      ;; bump allocator: align, then grow memory when needed
      (local.set $p (i32.and (i32.add (global.get $hp) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (local.set $end (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end)
                  (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))))))
      (global.set $hp (local.get $end))
      (local.get $p))
    (func (export "reset") (global.set $hp (i32.const 1024))))
  (core instance $mi (instantiate $Mem))
  (alias core export $mi "mem" (core memory $mem))
  (alias core export $mi "realloc" (core func $realloc))
  (alias core export $mi "reset" (core func $reset))
"""

_OPTS = "(memory $mem) (realloc $realloc) string-encoding=utf8"


def _named_type_decls(i: int, t: tuple, out: list[str], counter: list[int]) -> str:  # type: ignore[type-arg]
    """WAT for `t` where records/variants/enums/flags are defined, imported and
    referred to by name (component functions may only use named ones)."""
    k = t[0]
    if k in _NAMED:
        inner: tuple = t  # type: ignore[type-arg]
        if k == "record":
            inner = (k, [(n, _Ref(_named_type_decls(i, f, out, counter))) for n, f in t[1]])
        elif k == "variant":
            inner = (k, [(n, _Ref(_named_type_decls(i, c, out, counter)) if c else None) for n, c in t[1]])
        counter[0] += 1
        name = f"t{i}-{counter[0]}"
        out.append(f'  (type $d-{name} {wat_type_refs(inner)})\n'
                   f'  (import "{name}" (type $ty-{name} (eq $d-{name})))\n')
        return f"$ty-{name}"
    if k in ("list", "option"):
        return f"({k} {_named_type_decls(i, t[1], out, counter)})"
    if k == "map":
        return f"(map {_named_type_decls(i, t[1], out, counter)} {_named_type_decls(i, t[2], out, counter)})"
    if k == "tuple":
        return "(tuple " + " ".join(_named_type_decls(i, x, out, counter) for x in t[1]) + ")"
    if k == "result":
        ok = f" {_named_type_decls(i, t[1], out, counter)}" if t[1] is not None else ""
        err = f" (error {_named_type_decls(i, t[2], out, counter)})" if t[2] is not None else ""
        return f"(result{ok}{err})"
    return k


class _Ref(str):
    pass


def wat_type_refs(t: Any) -> str:
    if isinstance(t, _Ref):
        return str(t)
    return wat_type(t) if not isinstance(t, tuple) or t[0] not in ("record", "variant") else (
        "(record " + " ".join(f'(field "{n}" {f})' for n, f in t[1]) + ")" if t[0] == "record" else
        "(variant " + " ".join(f'(case "{n}"' + (f" {c})" if c else ")") for n, c in t[1]) + ")")


def echo_component(types: list[tuple]) -> str:  # type: ignore[type-arg]
    decls: list[str] = []
    imports, lowers, adapter_imports, adapter_funcs, lifts, withs = [], [], [], [], [], []
    for i, t in enumerate(types):
        ref = _named_type_decls(i, t, decls, [0])
        imports.append(f'  (import "host-{i}" (func $imp{i} (param "x" {ref}) (result {ref})))\n')
        lowers.append(f"  (core func $low{i} (canon lower (func $imp{i}) {_OPTS}))\n")
        params = flat(t)
        if len(params) > 16:
            params = ["i32"]
        results = flat(t)
        indirect = len(results) > 1
        lowered_params = params + (["i32"] if indirect else [])
        lowered_results = [] if indirect else results
        ps = " ".join(params)
        adapter_imports.append(
            f'    (import "" "f{i}" (func $f{i} (param {" ".join(lowered_params)})'
            + (f" (result {' '.join(lowered_results)})" if lowered_results else "") + "))\n")
        gets = " ".join(f"(local.get {j})" for j in range(len(params)))
        if indirect:
            body = f"(call $f{i} {gets} (i32.const 16)) (i32.const 16)"
            res = "i32"
        else:
            body = f"(call $f{i} {gets})"
            res = " ".join(results)
        adapter_funcs.append(
            f'    (func (export "g{i}") (param {ps}) (result {res}) {body})\n'
            f'    (func (export "p{i}") (param {res}) (call $reset))\n')
        withs.append(f'(export "f{i}" (func $low{i}))')
        lifts.append(
            f'  (alias core export $ai "g{i}" (core func $g{i}))\n'
            f'  (alias core export $ai "p{i}" (core func $p{i}))\n'
            f'  (func $e{i} (param "x" {ref}) (result {ref}) (canon lift (core func $g{i}) {_OPTS} (post-return $p{i})))\n'
            f'  (export "echo-{i}" (func $e{i}))\n')
    return ("(component\n" + "".join(decls) + "".join(imports) + MEMORY_MODULE + "".join(lowers)
            + "  (core module $A\n" + "".join(adapter_imports) + '    (import "" "reset" (func $reset))\n'
            + "".join(adapter_funcs) + "  )\n"
            + f'  (core instance $ai (instantiate $A (with "" (instance {" ".join(withs)} (export "reset" (func $reset))))))\n'
            + "".join(lifts) + ")\n")
