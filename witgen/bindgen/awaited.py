"""The awaited twins of what the host implements and calls: a Protocol
whose methods are `async def` (`AsyncHost`), classes whose methods await
the synchronous ones on the store's own thread (`AsyncExports`,
`{World}Async`), and an exported resource's `..._async` methods. Made
from the synchronous code model, so the two always have the same names,
parameters and types. Decisions: docs/design/async.md."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from . import code as cm

if TYPE_CHECKING:  # `signature` needs the stages that need this module
    from .signature import Kind

SELF = cm.Name("self")


def async_protocol(protocol: cm.Protocol, name: str, docs: str) -> cm.Protocol:
    """`protocol` with every method `async def` (resource classes, its
    bases, stay as they are: their methods may be `async def` at run time)."""
    methods = tuple(dataclasses.replace(method, is_async=True) for method in protocol.methods)
    return cm.Protocol(name, docs, protocol.bases, methods)


def async_methods(methods: tuple[cm.Def, ...]) -> tuple[cm.Def, ...]:
    """Each method as `async def`, awaiting the synchronous one of
    `self._sync` on the store's thread (`self._calls`, a `StoreCalls`)."""
    return tuple(_awaited(method) for method in methods)


def _awaited(method: cm.Def) -> cm.Def:
    args = tuple(cm.Name(p.name) for p in method.params if p.annotation is not None)
    sync = cm.Attr(cm.Attr(SELF, "_sync"), method.name)
    body = cm.Await(cm.Call(cm.Attr(cm.Attr(SELF, "_calls"), "run"), (sync, *args)))
    return dataclasses.replace(method, body=body, is_async=True)


def awaited_resource_function(
    method: cm.Def, name: str, kind: Kind, cls: str, async_exports: cm.Expr, store_calls: cm.Expr
) -> cm.Def:
    """The `async def` twin `name` of an exported resource's constructor
    (`__new__`), method or static `method`, awaiting it on the store's
    thread. A constructor or static takes the `AsyncExports` an awaited
    world gives (`world.iface`) where the synchronous one takes `Exports`."""
    args = tuple(cm.Name(p.name) for p in method.params if p.annotation is not None)
    docs = f"`{method.name if kind != 'constructor' else cls}`, awaited on the store's thread."
    if kind == "method":
        calls: cm.Expr = cm.Call(store_calls, (cm.Name("store"),))
        run = cm.Call(cm.Attr(calls, "run"), (cm.Attr(SELF, method.name), *args))
        return dataclasses.replace(method, name=name, docs=docs, body=cm.Await(run), is_async=True)
    exports = cm.Name("exports")
    target = cm.Name("cls") if kind == "constructor" else cm.Attr(cm.Name(cls), method.name)
    rest = args[1:]  # after `exports`, which the synchronous function takes as `exports._sync`
    run = cm.Call(cm.Attr(cm.Attr(exports, "_calls"), "run"), (target, cm.Attr(exports, "_sync"), *rest))
    params = tuple(
        dataclasses.replace(p, annotation=async_exports) if p.name == "exports" else p for p in method.params
    )
    decorator = "classmethod" if kind == "constructor" else method.decorator
    return dataclasses.replace(
        method, name=name, params=params, docs=docs, decorator=decorator, body=cm.Await(run), is_async=True
    )
