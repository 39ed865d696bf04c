"""Code-model expressions -> Python source text. Text from outside goes
through `pytext.literal`, the one place that quotes it."""

from __future__ import annotations

from .._compat import assert_never
from ..bindgen import code as cm
from .pytext import literal


def python(expr: cm.Expr) -> str:
    match expr:
        case cm.Name(id=id):
            return id
        case cm.Attr(value=value, name=name):
            return f"{python(value)}.{name}"
        case cm.Call(func=func, args=args, keywords=keywords):
            parts = [python(a) for a in args] + [f"{k}={python(v)}" for k, v in keywords]
            return f"{python(func)}({', '.join(parts)})"
        case cm.Subscript(value=value, items=items):
            inside = ", ".join(python(i) for i in items) if items else "()"  # `tuple[()]`
            return f"{python(value)}[{inside}]"
        case cm.Lit(value=value):
            if isinstance(value, str):
                return literal(value)
            return repr(value)  # None, True, False, an int
        case cm.TupleOf(items=items):
            if len(items) == 1:
                return f"({python(items[0])},)"
            return f"({', '.join(python(i) for i in items)})"
        case cm.ListOf(items=items):
            return f"[{', '.join(python(i) for i in items)}]"
        case cm.DictOf(items=items):
            return "{" + ", ".join(f"{python(k)}: {python(v)}" for k, v in items) + "}"
        case cm.Add(left=left, right=right):
            return f"{python(left)} + {python(right)}"
        case cm.Lambda(params=params, body=body):
            return f"lambda {', '.join(params)}: {python(body)}"
        case cm.Await(value=value):
            return f"await {python(value)}"
        case _:
            assert_never(expr)


def import_line(line: cm.Import) -> str:
    if not line.names:
        return f"import {line.module}" + (f" as {line.alias}" if line.alias else "")
    names = ", ".join(line.names)
    return f"from {line.module} import {names}" + (f" as {line.alias}" if line.alias else "")


def parameters(params: tuple[cm.Param, ...]) -> str:
    """A parameter list, with `*` before the first keyword-only one."""
    out = []
    star = False
    for p in params:
        if p.keyword_only and not star:
            out.append("*")
            star = True
        text = p.name if p.annotation is None else f"{p.name}: {python(p.annotation)}"
        if p.default is not None:
            text += f" = {python(p.default)}"
        out.append(text)
    return ", ".join(out)
