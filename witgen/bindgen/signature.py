"""A WIT function as Python sees it, on either side: parameter names,
annotations, what it returns or raises, and the codecs of its values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .. import model as m
from . import code as cm
from . import names
from .context import Context, ModuleBuilder
from .names import Scope, snake
from . import types

Side = Literal["host", "guest"]
Kind = Literal["freestanding", "method", "static", "constructor"]


@dataclass(frozen=True)
class Param:
    name: str  # in Python
    wit: str
    annotation: cm.Expr | None  # None: the `self` of a method


@dataclass(frozen=True)
class Signature:
    kind: Kind
    wit: str  # the name in the component (mangled for resources)
    item: str  # the name as written: `m` of `[method]r.m`
    docs: str | None
    params: tuple[Param, ...]  # `self` first for a method
    local: str  # a free name for the body's own use (an export's result, a host lambda's host)
    returns: cm.Expr  # what the Python function returns: a `result`'s ok value
    raises: cm.Expr | None  # a `result`'s error, raised as `Err(...)`
    params_codec: cm.Expr  # `(("a", _rt.S32), ...)`
    result_codec: cm.Expr
    is_result: bool

    @property
    def args(self) -> tuple[str, ...]:
        """The WIT parameters' Python names, `self` left out."""
        return tuple(p.name for p in self.params if p.annotation is not None)

    def python_params(self) -> tuple[cm.Param, ...]:
        return tuple(cm.Param(p.name, p.annotation) for p in self.params if p.annotation is not None)


def signature(
    ctx: Context, function: m.Function, module: ModuleBuilder, side: Side, reserved: frozenset[str] = frozenset()
) -> Signature:
    """`reserved`: the parameters the generated function has before the WIT
    function's (beyond `self` and, for an export, `store`)."""
    # Parameters keep their WIT names (keyword calls work) unless taken by
    # the generated signature itself: `self`, and the store the host passes
    # into exports. The body's own name is chosen after them.
    scope = Scope((names.EXPORT_PARAMS if side == "guest" else names.HOST_PARAMS) | reserved)
    kind = kind_of(function)
    params = []
    for param in function.params:
        if kind == "method" and param.name == "self":
            params.append(Param("self", "self", None))
            continue
        hint = types.annotation(ctx, param.type, module, host_param=side == "host")
        params.append(Param(scope.claim(snake(param.name)), param.name, hint))
    local = scope.claim(names.EXPORT_LOCAL if side == "guest" else names.HOST_LOCAL)
    result = function.result
    target = ctx.unalias(result) if result is not None else None
    result_kind = ctx.resolve.types[target].kind if isinstance(target, int) else None
    raises: cm.Expr | None = None
    if isinstance(result_kind, m.Result):
        returns = types.annotation(ctx, result_kind.ok, module) if result_kind.ok is not None else cm.NONE
        if result_kind.err is not None:
            with module.quiet():  # named in the docstring only
                raises = types.annotation(ctx, result_kind.err, module)
    else:
        returns = types.annotation(ctx, result, module) if result is not None else cm.NONE
    params_codec = cm.TupleOf(
        tuple(cm.TupleOf((cm.Lit(p.wit), types.codec(ctx, fp.type, module))) for p, fp in zip(params, function.params))
    )
    return Signature(
        kind=kind,
        wit=function.name,
        item=function.item_name,
        docs=function.docs,
        params=tuple(params),
        local=local,
        returns=returns,
        raises=raises,
        params_codec=params_codec,
        result_codec=types.codec(ctx, result, module) if result is not None else cm.NONE,
        is_result=isinstance(result_kind, m.Result),
    )


def kind_of(function: m.Function) -> Kind:
    """The kind of a function as Python binds it: async or not is the same."""
    match function.kind:
        case "freestanding" | "async-freestanding":
            return "freestanding"
        case "method" | "async-method":
            return "method"
        case "static" | "async-static":
            return "static"
        case "constructor":
            return "constructor"

