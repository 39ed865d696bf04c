"""What the bindings can bind: which side owns each resource, and which
values and functions cannot cross wasmtime's C API (they are left out, and
the package says why)."""

from __future__ import annotations

from .. import model as m
from . import types  # what each kind's values need
from .plan import Role


class Support:
    """Answers for one package: resource roles are the plan's, so are the
    answers. Memoised: types that name the previous type twice, 30 deep, are
    2**30 paths but 30 types."""

    def __init__(self, resolve: m.Resolve, resource_roles: dict[m.TypeId, Role]) -> None:
        self.resolve = resolve
        self.resource_roles = resource_roles
        self._reasons: dict[m.TypeId, str | None] = {}
        self._mentions: dict[Role, dict[m.TypeId, bool]] = {}

    def value_reason(self, ty: m.Type) -> str | None:
        """Why values of `ty` cannot cross through wasmtime's C API, if they cannot."""
        if isinstance(ty, str):
            return types.crossing_reason(ty)
        reasons = self._reasons
        for id in m.post_order([ty], self.resolve.type_ids_referenced, reasons):
            reason = self._own_reason(id)
            if reason is None and not isinstance(self.resolve.types[id].kind, m.Resource):
                for ref in self.resolve.type_references(self.resolve.types[id].kind):
                    reason = self.value_reason(ref) if isinstance(ref, str) else reasons[ref]
                    if reason is not None:
                        break
            reasons[id] = reason
        return reasons[ty]

    def _own_reason(self, id: m.TypeId) -> str | None:
        """What of the type itself (not what it refers to) cannot cross."""
        typedef = self.resolve.types[id]
        if isinstance(typedef.kind, m.Resource) and self.resource_roles.get(id) == "types":
            owner = typedef.owner
            where = self.resolve.interface_name(m.InterfaceId(owner.id)) if owner and owner.kind == "interface" else None
            return f"resource `{typedef.name}` of `{where}`, which wasmtime implements: its handles cannot reach Python"
        return types.crossing_reason(typedef.kind)

    def function_reason(self, function: m.Function, side: Role) -> str | None:
        """Why the bindings cannot bind `function` on `side`, if they cannot."""
        if function.is_async:
            return "async functions need wasmtime's async component support, which wasmtime-py lacks"
        types = [p.type for p in function.params] + ([function.result] if function.result is not None else [])
        for ty in types:
            reason = self.value_reason(ty)
            if reason is not None:
                return f"it uses {reason}"
        if side == "host":
            if any(self.mentions(ty, "guest") for ty in types):
                return "it passes a resource the component exports to the host, which the runtime does not support yet"
        elif function.resource is not None and self.resource_roles.get(function.resource) == "host":
            return (
                "its resource is also implemented by the host (the interface is both imported and "
                "exported), and witgen binds one side of a resource"
            )
        return None

    def mentions(self, ty: m.Type, role: Role) -> bool:
        """Whether `ty` holds a resource of `role`."""
        if isinstance(ty, str):
            return False
        cache = self._mentions.setdefault(role, {})
        for id in m.post_order([ty], self.resolve.type_ids_referenced, cache):
            kind = self.resolve.types[id].kind
            if isinstance(kind, m.Resource):
                cache[id] = self.resource_roles.get(id) == role
            else:
                cache[id] = any(isinstance(r, int) and cache[r] for r in self.resolve.type_references(kind))
        return cache[ty]
