"""The awaited twins of what the host implements and calls: a Protocol
whose methods are `async def` (`AsyncHost`), and classes whose methods
await the synchronous ones on the store's own thread (`AsyncExports`,
`{World}Async`). Made from the synchronous code model, so the two always
have the same names, parameters and types. Decisions: docs/design/async.md."""

from __future__ import annotations

import dataclasses

from . import code as cm

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
