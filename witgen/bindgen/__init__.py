"""The resolved model -> the code model of a generated package.

Every decision about the generated Python is made here: which modules
exist, what each name is, which codec each type needs, what the host
implements and what it calls. `witgen.render` only formats the result.

The host *implements* the interfaces a component imports (`Plan.implement`:
Protocols and `add_to_linker`) and *calls* what it exports (`Plan.call`:
typed accessors, resource proxies). Interfaces of `wasi:*` packages are
provided by wasmtime's own WASI (`Linker.add_wasip2()`) unless the plan
says otherwise, so they get types, not Protocols.

An interface in `Plan.reused` (`--with ns:pkg/iface=other_pkg.iface`) is
built like every other, so that each of its names is known, and then left
out: the package imports that module instead (`import other_pkg.iface as
_iface`). That is sound because an interface module's names depend on the
interface and its side alone (see `_Builder._name_types`), and requires the
other module to have been generated with the interface on the same side
(see `Plan.reused`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Literal, Mapping

from . import code as cm
from .. import model as m
from . import names as naming
from .plan import Plan, Role, used_interfaces
from .names import Scope, pascal, pascal_part, shouty, shouty_part, snake, snake_part
from ..render.pytext import literal

# The runtime interface generated code is written against (the runtime
# library's `INTERFACE`): every package's `__init__` checks it first.
RUNTIME_INTERFACE = 1
# The runtime's public values and errors, re-exported by every package's
# `__init__` so users never import `witgen_runtime` themselves.
RUNTIME_EXPORTS = (
    "Ok", "Err", "Some", "Result", "WitError", "Trap", "InstancePoisonedError",
    "ResourceDroppedError", "HandleError", "BindingMismatchError", "UnsupportedError", "CloseError", "release_store",
    "register_store", "load_component",
)

def build(resolve: m.Resolve, plan: Plan) -> cm.Package:
    return _Builder(resolve, plan).build()


def _tuple(items: Iterable[str]) -> str:
    """A Python tuple expression of `items`."""
    items = list(items)
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _join(*names: str) -> str:
    return ", ".join(names)


def _list(items: Iterable[str]) -> str:
    return f"[{', '.join(items)}]"


# ---------------------------------------------------------------------------


_PRIMITIVE_ANNOTATIONS = {
    "bool": "bool", "s8": "int", "s16": "int", "s32": "int", "s64": "int",
    "u8": "int", "u16": "int", "u32": "int", "u64": "int",
    "f32": "float", "f64": "float", "char": "str", "string": "str",
}
_PRIMITIVE_CODECS = {name: name.upper() for name in _PRIMITIVE_ANNOTATIONS}
_RUNTIME_IMPORT = "import witgen_runtime as _rt"


@dataclass
class _Module:
    """A generated module while it is being built."""

    path: str
    alias: str  # how other modules import it: `from . import kvdb as _kvdb`
    owner: m.TypeOwner | None
    scope: Scope
    role: set[Role] = field(default_factory=set)
    key: m.WorldKey | None = None
    out: cm.Module | None = None
    # Another package's module for this interface (`Plan.reused`): built to
    # know its names, imported by absolute path, not written.
    external: str | None = None
    # What the module's code uses, recorded as the code model is built (the
    # way betterproto's typing compiler does): `import`s are made of this.
    imports: set[str] = field(default_factory=set)  # `from . import x as _x`, after the runtime check
    runtime: set[str] = field(default_factory=set)  # `import witgen_runtime as _rt` and re-exports
    uses: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    modules_used: set[str] = field(default_factory=set)  # `import enum`
    recording: bool = True

    @property
    def import_line(self) -> str:
        """How other modules import this one, as `alias`."""
        if self.external is not None:
            return f"import {self.external} as {self.alias}"
        return f"from . import {self.path.removesuffix('.py')} as {self.alias}"

    def qualify(self, name: str, where: _Module) -> str:
        if where is self:
            return name
        if where.recording:
            where.imports.add(self.import_line)
        return f"{self.alias}.{name}"

    def use(self, source: str, name: str) -> str:
        """`name`, imported from `source` (`typing`, `wasmtime`, ...)."""
        if self.recording:
            self.uses.setdefault(source, set()).add(name)
        return name

    def use_module(self, name: str) -> str:
        if self.recording:
            self.modules_used.add(name)
        return name

    def use_runtime(self) -> str:
        """`_rt`, the package's runtime, imported."""
        if self.recording:
            self.runtime.add(_RUNTIME_IMPORT)
        return "_rt"

    @property
    def rt(self) -> str:
        return self.use_runtime()

    @contextlib.contextmanager
    def not_recorded(self) -> Iterator[None]:
        """For text that goes into docs, not code: it imports nothing."""
        before, self.recording = self.recording, False
        try:
            yield
        finally:
            self.recording = before

    def import_lines(self) -> list[str]:
        """Standard library, wasmtime, the runtime library, a blank line
        between groups (generated modules, the package's own and reused
        ones, are `package_imports`)."""
        plain = [f"import {name}" for name in sorted(self.modules_used)]
        froms = {s: ", ".join(sorted(n)) for s, n in sorted(self.uses.items())}
        standard = plain + [f"from {s} import {n}" for s, n in froms.items() if not s.startswith("wasmtime")]
        wasmtime = [f"from {s} import {n}" for s, n in froms.items() if s.startswith("wasmtime")]
        runtime = sorted(self.runtime)
        return [line for group in (standard, wasmtime, runtime) if group for line in [*group, ""]][:-1]


class _Builder:
    def __init__(self, resolve: m.Resolve, plan: Plan) -> None:
        self.resolve = resolve
        self.plan = plan
        self.modules: dict[m.TypeOwner | None, _Module] = {}
        self.type_names: dict[m.TypeId, str] = {}
        self.codec_names: dict[m.TypeId, str] = {}
        self.resource_roles: dict[m.TypeId, Role] = {}
        self._unsupported_cache: dict[m.TypeId, str | None] = {}
        self._mentions_cache: dict[Role, dict[m.TypeId, bool]] = {}
        self._unaliased: dict[m.TypeId, m.Type] = {}  # `resolve.unalias`'s memo
        # Per module path: indexes built once (see their users).
        self._functions_by_resource: dict[str, dict[m.TypeId, list[m.Function]]] = {}
        self._host_scopes: dict[str, Scope] = {}
        self._guest_resources: dict[str, dict[str, cm.GuestResource]] = {}
        self.unsupported: list[cm.Unsupported] = []
        self.init = _Module("__init__.py", "", None, Scope(naming.MODULE_NAMES | set(RUNTIME_EXPORTS)))

    # ---- the package ----

    def build(self) -> cm.Package:
        self._assign_modules()
        interfaces = self._interface_modules()
        typed = interfaces + ([self.init] if self.plan.world is not None else [])
        for module in typed:
            self._name_types(module)
        for module in interfaces:
            module.out = cm.Module(module.path, self._module_docs(module))
        self.init.out = cm.Module("__init__.py", "")
        for module in typed:
            self._declare_types(module)
        # The world class's members: its own, then exported interfaces, then
        # functions. Private ones (`_instance`, a slot per function) begin
        # with `_`, which no name from WIT does.
        self.world_members = Scope(naming.WORLD_CLASS_NAMES)
        self.world_privates = Scope(naming.PRIVATE_NAMES)
        self.guest_scopes: dict[str, tuple[Scope, Scope]] = {}
        self.proxy_scopes: dict[m.TypeId, Scope] = {}
        self.accessor_attributes = {
            key: self.world_members.claim(snake(key if isinstance(key, str) else self.modules[
                m.TypeOwner("interface", item.id)].path.removesuffix(".py")))
            for key, item in self.plan.call
            if isinstance(item, m.InterfaceItem)
        }
        for key, item in self.plan.implement:
            self._host_side(key, item)
        for key, item in self.plan.call:
            self._guest_side(key, item)
        self._package_init()
        modules = []
        for module in [*interfaces, self.init]:
            assert module.out is not None
            if module.external is not None:
                continue  # the other package's module is used instead
            module.out.imports = module.import_lines()
            module.out.package_imports = sorted(module.imports)
            modules.append(module.out)
        return cm.Package(self.plan.package, self.plan.source, modules, self.unsupported)

    def _interface_modules(self) -> list[_Module]:
        return [mod for owner, mod in self.modules.items() if owner is not None and owner.kind == "interface"]

    def _assign_modules(self) -> None:
        """One module per interface the package needs, dependencies first;
        world-level items live in `__init__`. A reused interface's module is
        named as if it were written (the world's `add_to_linker` parameters
        and accessor attributes are named after modules), but it is
        imported from the module `Plan.reused` gives."""
        resolve = self.resolve
        wanted = used_interfaces(resolve, self.plan)

        # Module names: the interface's own name where that is unique.
        base: dict[m.InterfaceId, str] = {}
        for iface, (_, key) in wanted.items():
            name = resolve.interfaces[iface].name
            base[iface] = snake(name if name is not None else str(key))
        counts: dict[str, int] = {}
        for name in base.values():
            counts[name] = counts.get(name, 0) + 1
        files = Scope(naming.FILE_NAMES)
        order = self._dependency_order(list(wanted))
        for iface in order:
            roles, key = wanted[iface]
            name = base[iface]
            if counts[name] > 1:
                package = resolve.interfaces[iface].package
                if package is not None:
                    pname = resolve.packages[package].name
                    name = snake(f"{pname.namespace}-{pname.name}-{resolve.interfaces[iface].name or key}")
            path = files.claim(name or "interface")
            owner = m.TypeOwner("interface", iface)
            module = _Module(f"{path}.py", self.init.scope.claim(f"_{path}"), owner, Scope(naming.MODULE_NAMES))
            module.external = self.plan.reused.get(iface)
            module.role = roles
            module.key = key
            self.modules[owner] = module
        # A module's namespace holds the aliases of the modules it imports.
        for module in self.modules.values():
            module.scope.reserve(other.alias for other in self.modules.values())
        if self.plan.world is not None:
            self.modules[m.TypeOwner("world", self.plan.world)] = self.init
            self.init.owner = m.TypeOwner("world", self.plan.world)

    def _dependency_order(self, ifaces: list[m.InterfaceId]) -> list[m.InterfaceId]:
        wanted = set(ifaces)
        ordered = m.post_order(ifaces, self.resolve.interface_direct_deps)
        return [i for i in ordered if i in wanted]

    def _module_of(self, owner: m.TypeOwner | None) -> _Module:
        module = self.modules.get(owner) if owner is not None else None
        return module if module is not None else self.init

    def _module_docs(self, module: _Module) -> str:
        assert module.owner is not None and module.owner.kind == "interface"
        iface = self.resolve.interfaces[module.owner.id]
        name = self.resolve.interface_name(module.owner.id) or f"`{module.key}`"
        if "host" in module.role and "guest" in module.role:
            what = "implemented by the host and exported by the component"
        elif "host" in module.role:
            what = "implemented by the host: the component imports it"
        elif "guest" in module.role:
            what = "exported by the component: the host calls it"
        else:
            what = "its types (wasmtime implements it)" if self.plan.provided_by_wasmtime(
                self.resolve, module.owner.id
            ) else "its types"
        header = f"Interface `{name}`, {what}."
        return f"{header}\n\n{iface.docs}" if iface.docs else header

    # ---- types ----

    def _owned_types(self, module: _Module) -> list[m.TypeId]:
        owner = module.owner
        if owner is None:
            return []
        if owner.kind == "interface":
            ids = list(self.resolve.interfaces[owner.id].types.values())
        else:
            world = self.resolve.worlds[owner.id]
            ids = [item.id for item in [*world.imports.values(), *world.exports.values()] if isinstance(item, m.TypeItem)]
        # Dependencies first, walking only this owner's (and anonymous) types:
        # another owner's never lead back here, and a chain of `use`s would
        # make each module walk every module before it.
        types = self.resolve.types

        def own_refs(id: m.TypeId) -> list[m.TypeId]:
            return [t for t in self.resolve.type_ids_referenced(id) if types[t].owner in (None, owner)]

        return m.post_order(ids, own_refs)

    def _name_types(self, module: _Module) -> None:
        # An interface module's names depend on its interface (and the side
        # it is on) alone, so every package with a module for it agrees on
        # them (`--with` relies on it): its types in their order, then what
        # the module declares after them (variant cases, the Protocol, the
        # accessor), in a scope of `MODULE_NAMES` and the package's module
        # aliases. Those aliases differ per package, but they are
        # `_lowercase` and nothing claimed here is: a type is `Pascal`, a
        # codec `_SHOUTY` (a WIT word begins with a letter).
        for type_id in self._owned_types(module):
            typedef = self.resolve.types[type_id]
            if typedef.owner != module.owner or typedef.name is None:
                continue
            if isinstance(typedef.kind, m.Resource):
                self.resource_roles[type_id] = self._resource_role(type_id, module)
            name = module.scope.claim(pascal(typedef.name))
            self.type_names[type_id] = name
            self.codec_names[type_id] = module.scope.claim(f"_{shouty_part(typedef.name)}")

    def _resource_role(self, resource: m.TypeId, module: _Module) -> Role:
        if module.owner is not None and module.owner.kind == "world":
            world = self.resolve.worlds[module.owner.id]
            exported = any(isinstance(i, m.TypeItem) and i.id == resource for i in world.exports.values())
            return "guest" if exported else "host"
        if "host" in module.role:
            return "host"
        if "guest" in module.role:
            return "guest"
        return "types"

    def _declare_types(self, module: _Module) -> None:
        out = module.out
        assert out is not None
        for type_id in self._owned_types(module):
            typedef = self.resolve.types[type_id]
            if typedef.owner != module.owner or type_id not in self.type_names:
                continue
            decl = self._type_decl(type_id, typedef, module)
            out.types.append(decl)
            if isinstance(decl, cm.VariantClass):
                out.exports += [case.name for case in decl.cases]
            out.exports.append(self.type_names[type_id])
            codec = self._named_codec(type_id, typedef, module, decl)
            if codec is not None:
                out.codecs.append(cm.Codec(self.codec_names[type_id], codec))

    def _type_decl(self, type_id: m.TypeId, typedef: m.TypeDef, module: _Module) -> cm.TypeDecl:
        name = self.type_names[type_id]
        wit = typedef.name or ""
        kind = typedef.kind
        docs = typedef.docs
        # What each declaration's template uses is recorded with it.
        if isinstance(kind, m.Record):
            module.use("dataclasses", "dataclass")
            scope = Scope()  # fields are keyword arguments: even `self` works (dataclasses allow it)
            fields = [
                cm.Member(scope.claim(snake(f.name)), f.name, f.docs, self.annotation(f.type, module))
                for f in kind.fields
            ]
            return cm.RecordClass(name, wit, docs, fields)
        if isinstance(kind, m.Enum):
            module.use_module("enum")
            scope = Scope()
            members = [cm.Member(scope.claim(shouty(c.name)), c.name, c.docs) for c in kind.cases]
            return cm.EnumClass(name, wit, docs, members)
        if isinstance(kind, m.Flags):
            module.use_module("enum")
            scope = Scope()
            members = [cm.Member(scope.claim(shouty(f.name)), f.name, f.docs) for f in kind.flags]
            return cm.FlagsClass(name, wit, docs, members)
        if isinstance(kind, m.Variant):
            module.use("dataclasses", "dataclass")
            module.use("typing", "Union")
            cases = []
            for case in kind.cases:
                # `Shape_Circle`, from the unescaped names: `Union_Value`, not `Union__Value`.
                case_name = module.scope.claim(f"{pascal_part(wit)}_{pascal_part(case.name)}")
                payload = self.annotation(case.type, module) if case.type is not None else None
                cases.append(cm.VariantCase(case_name, case.name, case.docs, payload))
            return cm.VariantClass(name, wit, docs, cases)
        if isinstance(kind, m.Resource):
            role = self.resource_roles[type_id]
            if role == "host":
                module.use("typing", "Protocol")
                return self._host_resource(type_id, typedef, module)
            module.use_runtime()  # the proxy's base class
            if role == "guest":
                return cm.GuestResource(name, wit, docs, [])
            return cm.GuestResource(name, wit, docs or "A resource wasmtime implements.", [])
        # `type a = ...`, `use`d names, handles and anonymous shapes given a name.
        return cm.AliasDef(name, wit, docs, self._alias_target(kind, module))

    def _alias_target(self, kind: m.TypeDefKind, module: _Module) -> str:
        if isinstance(kind, m.Alias):
            return self.annotation(kind.target, module)
        return self._anonymous_annotation(kind, module)

    def _named_codec(self, type_id: m.TypeId, typedef: m.TypeDef, module: _Module, decl: cm.TypeDecl) -> str | None:
        kind = typedef.kind
        if self.unsupported_reason(type_id) is not None:
            return None
        name = self.type_names[type_id]
        if isinstance(kind, m.Record):
            assert isinstance(decl, cm.RecordClass)
            parts = ", ".join(
                f"({literal(d.name)}, {literal(f.name)}, {self.codec(f.type, module)})"
                for d, f in zip(decl.fields, kind.fields)
            )
            return f"{module.rt}.Record({literal(self._wit_qualname(type_id))}, {name}, [{parts}])"
        if isinstance(kind, m.Enum):
            cases = _list(literal(c.name) for c in kind.cases)
            return f"{module.rt}.Enum({literal(self._wit_qualname(type_id))}, {name}, {cases})"
        if isinstance(kind, m.Flags):
            flags = _list(literal(f.name) for f in kind.flags)
            return f"{module.rt}.Flags({literal(self._wit_qualname(type_id))}, {name}, {flags})"
        if isinstance(kind, m.Variant):
            assert isinstance(decl, cm.VariantClass)
            parts = ", ".join(
                f'({literal(c.name)}, {d.name}, {self.codec(c.type, module) if c.type is not None else "None"})'
                for d, c in zip(decl.cases, kind.cases)
            )
            return f"{module.rt}.Variant({literal(self._wit_qualname(type_id))}, [{parts}])"
        if isinstance(kind, m.Resource):
            if self.resource_roles[type_id] != "host":
                return None
            return f"{module.rt}.HostResource({literal(self._wit_qualname(type_id))})"
        if isinstance(kind, m.Alias):
            return self.codec(kind.target, module)
        return self._anonymous_codec(kind, module)

    def _wit_qualname(self, type_id: m.TypeId) -> str:
        """`ns:pkg/iface@1.0.0/name`: what makes two packages' classes the
        same WIT type for the runtime (a world's own types: `ns:pkg/world/name`)."""
        typedef = self.resolve.types[type_id]
        owner = typedef.owner
        if owner is not None and owner.kind == "interface":
            prefix = self.resolve.interface_name(owner.id)
            if prefix is None:  # an interface inline in a world: its key there
                key = self.modules[owner].key
                prefix = self.resolve.world_key_name(key) if key is not None else "?"
        elif owner is not None:
            world = self.resolve.worlds[owner.id]
            package = self.resolve.packages[world.package] if world.package is not None else None
            prefix = f"{package.name.namespace}:{package.name.name}/{world.name}" if package is not None else world.name
        else:
            prefix = "?"
        return f"{prefix}/{typedef.name}"

    # ---- annotations and codecs of any type ----

    def annotation(self, ty: m.Type, module: _Module, *, host_resources_as_any: bool = False) -> str:
        """The Python annotation of `ty` in `module`. `host_resources_as_any`:
        for the parameters of what the host implements, where it gets its own
        objects and a resource's Protocol would reject its classes
        (parameters are contravariant)."""
        if isinstance(ty, str):
            return _PRIMITIVE_ANNOTATIONS.get(ty, "object")
        typedef = self.resolve.types[ty]
        if host_resources_as_any and isinstance(typedef.kind, m.Resource) and self.resource_roles.get(ty) == "host":
            return module.use("typing", "Any")
        if typedef.name is not None and ty in self.type_names:
            owner_module = self._module_of(typedef.owner)
            return owner_module.qualify(self.type_names[ty], module)
        return self._anonymous_annotation(typedef.kind, module, host_resources_as_any=host_resources_as_any)

    def _anonymous_annotation(self, kind: m.TypeDefKind, module: _Module, *, host_resources_as_any: bool = False) -> str:
        def a(ty: m.Type, module: _Module) -> str:
            return self.annotation(ty, module, host_resources_as_any=host_resources_as_any)

        if isinstance(kind, m.Alias):
            return a(kind.target, module)
        if isinstance(kind, m.List):
            return "bytes" if self._unalias(kind.element) == "u8" else f"list[{a(kind.element, module)}]"
        if isinstance(kind, m.Option):
            inner = a(kind.inner, module)
            if self._is_option(kind.inner):
                inner = f"{module.rt}.Some[{inner}]"
            return f"{module.use('typing', 'Optional')}[{inner}]"
        if isinstance(kind, m.Result):
            ok = a(kind.ok, module) if kind.ok is not None else "None"
            err = a(kind.err, module) if kind.err is not None else "None"
            return f"{module.rt}.Result[{ok}, {err}]"
        if isinstance(kind, m.Tuple):
            return f"tuple[{', '.join(a(t, module) for t in kind.types)}]" if kind.types else "tuple[()]"
        if isinstance(kind, m.Handle):
            return a(kind.resource, module)
        if isinstance(kind, m.FixedList):
            return f"list[{a(kind.element, module)}]"
        if isinstance(kind, m.Map):
            return f"dict[{a(kind.key, module)}, {a(kind.value, module)}]"
        return "object"  # streams, futures: no values in wasmtime's C API

    def _is_option(self, ty: m.Type) -> bool:
        target = self._unalias(ty)
        return isinstance(target, int) and isinstance(self.resolve.types[target].kind, m.Option)

    def codec(self, ty: m.Type, module: _Module) -> str:
        if isinstance(ty, str):
            return f"{module.rt}.{_PRIMITIVE_CODECS[ty]}"
        typedef = self.resolve.types[ty]
        if typedef.name is not None and ty in self.codec_names:
            if isinstance(typedef.kind, m.Resource):
                return self._handle_codec("own", ty, module)
            return self._module_of(typedef.owner).qualify(self.codec_names[ty], module)
        return self._anonymous_codec(typedef.kind, module)

    def _anonymous_codec(self, kind: m.TypeDefKind, module: _Module) -> str:
        c = self.codec
        if isinstance(kind, m.Alias):
            return c(kind.target, module)
        if isinstance(kind, m.List):
            if self._unalias(kind.element) == "u8":
                return f"{module.rt}.BYTES"
            return f"{module.rt}.List({c(kind.element, module)})"
        if isinstance(kind, m.Option):
            return f"{module.rt}.Option({c(kind.inner, module)})"
        if isinstance(kind, m.Result):
            ok = c(kind.ok, module) if kind.ok is not None else "None"
            err = c(kind.err, module) if kind.err is not None else "None"
            return f"{module.rt}.ResultOf({ok}, {err})"
        if isinstance(kind, m.Tuple):
            return f"{module.rt}.Tuple({', '.join(c(t, module) for t in kind.types)})"
        if isinstance(kind, m.Map):
            return f"{module.rt}.Map({c(kind.key, module)}, {c(kind.value, module)})"
        if isinstance(kind, m.Handle):
            resource = self._resource_of(kind.resource)
            assert resource is not None
            return self._handle_codec(kind.kind, resource, module)
        raise AssertionError(f"no codec for {kind}: check unsupported_reason first")

    def _handle_codec(self, how: str, resource: m.TypeId, module: _Module) -> str:
        resource = self._resource_of(resource) or resource
        owner_module = self._module_of(self.resolve.types[resource].owner)
        if self.resource_roles.get(resource) == "host":
            handle = owner_module.qualify(self.codec_names[resource], module)
            return f"{module.rt}.{'Own' if how == 'own' else 'Borrow'}({handle})"
        cls = owner_module.qualify(self.type_names[resource], module)
        return f"{module.rt}.{'GuestOwn' if how == 'own' else 'GuestBorrow'}({cls})"

    def unsupported_reason(self, ty: m.Type) -> str | None:
        """Why values of `ty` cannot cross through wasmtime's C API, if they cannot."""
        if isinstance(ty, str):
            return "`error-context` values, which wasmtime's C API cannot pass" if ty == "error-context" else None
        cache = self._unsupported_cache
        for id in m.post_order([ty], self.resolve.type_ids_referenced, cache):
            reason = self._own_unsupported(id)
            if reason is None and not isinstance(self.resolve.types[id].kind, m.Resource):
                refs = self.resolve.type_references(self.resolve.types[id].kind)
                reason = next((r for r in map(self._known_unsupported, refs) if r is not None), None)
            cache[id] = reason
        return cache[ty]

    def _known_unsupported(self, ty: m.Type) -> str | None:
        return self.unsupported_reason(ty) if isinstance(ty, str) else self._unsupported_cache[ty]

    def _own_unsupported(self, ty: m.TypeId) -> str | None:
        """What of `ty` itself (not what it refers to) cannot cross."""
        kind = self.resolve.types[ty].kind
        if isinstance(kind, (m.Future, m.Stream)):
            return f"`{type(kind).__name__.lower()}` values, which wasmtime's C API cannot pass"
        if isinstance(kind, m.FixedList):
            return "fixed-length lists, which wasmtime's C API cannot pass"
        if isinstance(kind, m.Resource) and self.resource_roles.get(ty) == "types":
            typedef = self.resolve.types[ty]
            owner = typedef.owner
            where = self.resolve.interface_name(owner.id) if owner and owner.kind == "interface" else None
            return f"resource `{typedef.name}` of `{where}`, which wasmtime implements: its handles cannot reach Python"
        return None

    def _unalias(self, ty: m.Type) -> m.Type:
        return self.resolve.unalias(ty, self._unaliased)

    def _resource_of(self, ty: m.TypeId) -> m.TypeId | None:
        return self.resolve.resource_of(ty, self._unaliased)

    def _function_unsupported(self, function: m.Function, side: Role) -> str | None:
        if function.is_async:
            return "async functions need wasmtime's async component support, which wasmtime-py 49 lacks"
        types = [p.type for p in function.params] + ([function.result] if function.result is not None else [])
        for ty in types:
            reason = self.unsupported_reason(ty)
            if reason is not None:
                return f"it uses {reason}"
        if side == "host":
            for ty in types:
                if self._mentions_role(ty, "guest"):
                    return "it passes a resource the component exports to the host, which the runtime does not support yet"
        elif function.resource is not None and self.resource_roles.get(function.resource) == "host":
            return (
                "its resource is also implemented by the host (the interface is both imported and "
                "exported), and witgen binds one side of a resource"
            )
        return None

    def _mentions_role(self, ty: m.Type, role: Role) -> bool:
        """Whether `ty` holds a resource of `role`. Memoised: types that name
        the previous type twice, 30 deep, are 2**30 paths but 30 types."""
        if isinstance(ty, str):
            return False
        cache = self._mentions_cache.setdefault(role, {})
        for id in m.post_order([ty], self.resolve.type_ids_referenced, cache):
            kind = self.resolve.types[id].kind
            if isinstance(kind, m.Resource):
                cache[id] = self.resource_roles.get(id) == role
            else:
                cache[id] = any(isinstance(r, int) and cache[r] for r in self.resolve.type_references(kind))
        return cache[ty]

    # ---- functions ----

    def _method(self, function: m.Function, module: _Module, scope: Scope, side: Role, spec: str = "") -> cm.Method:
        # Parameters keep their WIT names (keyword calls work) unless taken
        # by the generated signature itself: `self`, and the store the host
        # passes into exports. The body's own name (the local `result` of an
        # export, the host `h` of a host function's lambda) is chosen after.
        params_scope = Scope(naming.EXPORT_PARAMS if side == "guest" else naming.HOST_PARAMS)
        if side == "guest":
            module.use("wasmtime", "Store")
        params = []
        for param in function.params:
            if function.kind in ("method", "async-method") and param.name == "self":
                params.append(cm.Member("self", "self", None, ""))
                continue
            annotation = self.annotation(param.type, module, host_resources_as_any=side == "host")
            params.append(cm.Member(params_scope.claim(snake(param.name)), param.name, None, annotation))
        local = params_scope.claim(naming.EXPORT_LOCAL if side == "guest" else naming.HOST_LOCAL)
        result = function.result
        target = self._unalias(result) if result is not None else None
        is_result = isinstance(target, int) and isinstance(self.resolve.types[target].kind, m.Result)
        raises = None
        if is_result:
            assert isinstance(target, int)
            result_kind = self.resolve.types[target].kind
            assert isinstance(result_kind, m.Result)
            returns = self.annotation(result_kind.ok, module) if result_kind.ok is not None else "None"
            with module.not_recorded():  # it is only named in the docstring
                raises = self.annotation(result_kind.err, module) if result_kind.err is not None else "None"
        else:
            returns = self.annotation(result, module) if result is not None else "None"
        codecs = _tuple(f"({literal(p.wit)}, {self.codec(fp.type, module)})" for p, fp in zip(params, function.params))
        kind = function.kind.removeprefix("async-")
        name = scope.claim(snake(function.item_name)) if kind != "constructor" else "__init__"
        return cm.Method(
            name=name,
            local=local,
            wit=function.name,
            docs=function.docs,
            params=params,
            returns=returns,
            raises=raises,
            spec=spec,
            params_codecs=codecs,
            result_codec=self.codec(result, module) if result is not None else "None",
            is_result=is_result,
            kind=kind,
        )

    def _functions_of(self, key: m.WorldKey, item: m.WorldItem) -> tuple[_Module, list[m.Function], str | None, str | None]:
        """(module, functions, docs, instance name) of a world item."""
        if isinstance(item, m.InterfaceItem):
            iface = self.resolve.interfaces[item.id]
            module = self.modules[m.TypeOwner("interface", item.id)]
            return module, list(iface.functions.values()), iface.docs, self.resolve.world_key_name(key)
        assert isinstance(item, m.FunctionItem)
        return self.init, [item.function], None, None

    def _item_name(self, key: m.WorldKey, item: m.WorldItem) -> str:
        """An interface's own name, or the name it is imported or exported as."""
        name = self.resolve.interfaces[item.id].name if isinstance(item, m.InterfaceItem) else None
        return name or str(key)

    def _host_side(self, key: m.WorldKey, item: m.WorldItem) -> None:
        if isinstance(item, m.TypeItem):
            return
        if isinstance(item, m.InterfaceItem) and self.plan.provided_by_wasmtime(self.resolve, item.id):
            return
        module, functions, docs, instance = self._functions_of(key, item)
        out = module.out
        assert out is not None
        host = out.host
        if host is None:
            if instance is None:
                assert self.plan.world is not None
                world = self.resolve.worlds[self.plan.world]
                protocol = module.scope.claim(f"{pascal(world.name)}Imports")
                docs = f"What the host implements for the functions world `{world.name}` imports."
                linker_function = module.scope.claim("add_imports_to_linker")
            else:
                protocol = module.scope.claim(pascal(self._item_name(key, item)))
                linker_function = "add_to_linker"
            host = out.host = cm.HostSide(protocol, docs, instance, [], [], linker_function, [])
            # The Protocol and `add_to_linker(linker, host: Union[P, Callable[[Store], P]])`.
            for source, name in (("typing", "Protocol"), ("typing", "Union"), ("typing", "Callable")):
                module.use(source, name)
            module.use("wasmtime", "Store")
            module.use("wasmtime.component", "Linker")
            module.use_runtime()
            out.exports += [protocol, linker_function]
            for decl in out.types:
                if isinstance(decl, cm.HostResource):
                    host.resources.append(decl)
                    host.required.append(decl.name)
            if host.resources:
                host.resources_protocol = module.scope.claim(f"{protocol}Resources")
                out.exports.append(host.resources_protocol)
        # One scope per Protocol, kept: world-level functions come one item at
        # a time, and a fresh scope of all before each was quadratic.
        member_scope = self._host_scopes.get(module.path)
        if member_scope is None:
            names = {*(r.name for r in host.resources), *(f.name for f in host.functions)}
            member_scope = self._host_scopes[module.path] = Scope(names)
        for function in functions:
            reason = self._function_unsupported(function, "host")
            if reason is not None:
                self._skip(module, function, instance, reason)
                continue
            if function.resource is not None:
                continue  # declared with its resource
            method = self._method(function, module, member_scope, "host")
            args = [p.name for p in method.params]
            h = method.local
            method.call = f"lambda {_join(h, *args)}: {h}.{method.name}({_join(*args)})"
            host.functions.append(method)
            host.required.append(method.name)

    def _host_resource(self, type_id: m.TypeId, typedef: m.TypeDef, module: _Module) -> cm.HostResource:
        name = self.type_names[type_id]
        decl = cm.HostResource(
            name, typedef.name or "", typedef.docs, self.codec_names[type_id], self._wit_qualname(type_id),
            None, [], [],
        )
        functions = self._resource_functions(type_id, module)
        scope = Scope(naming.HOST_RESOURCE_NAMES)
        for function in functions:
            reason = self._function_unsupported(function, "host")
            if reason is not None:
                self._skip(module, function, self._instance_name(module), reason)
                continue
            method = self._method(function, module, scope, "host")
            args = [p.name for p in method.params]
            h = method.local
            if method.kind == "constructor":
                method.call = f"lambda {_join(h, *args)}: {h}.{name}({_join(*args)})"
                decl.constructor = method
            elif method.kind == "method":
                method.call = f"lambda {_join(h, *args)}: {args[0]}.{method.name}({_join(*args[1:])})"
                decl.methods.append(method)
            else:
                method.call = f"lambda {_join(h, *args)}: {h}.{name}.{method.name}({_join(*args)})"
                decl.statics.append(method)
        return decl

    def _resource_functions(self, resource: m.TypeId, module: _Module) -> list[m.Function]:
        owner = module.owner
        if owner is None:
            return []
        # Grouped once per module: a scan per resource is quadratic.
        by_resource = self._functions_by_resource.get(module.path)
        if by_resource is None:
            if owner.kind == "interface":
                functions = list(self.resolve.interfaces[owner.id].functions.values())
            else:
                world = self.resolve.worlds[owner.id]
                items = [*world.imports.values(), *world.exports.values()]
                functions = [i.function for i in items if isinstance(i, m.FunctionItem)]
            by_resource = self._functions_by_resource[module.path] = {}
            for f in functions:
                if f.resource is not None:
                    by_resource.setdefault(f.resource, []).append(f)
        return by_resource.get(resource, [])

    def _instance_name(self, module: _Module) -> str | None:
        return self.resolve.world_key_name(module.key) if module.key is not None else None

    def _skip(self, module: _Module, function: m.Function, instance: str | None, reason: str) -> None:
        where = f"{instance}#{function.name}" if instance else function.name
        unsupported = cm.Unsupported(where, reason)
        assert module.out is not None
        module.out.unsupported.append(unsupported)
        if module.external is None:  # a reused module's package said so already
            self.unsupported.append(unsupported)

    def _guest_side(self, key: m.WorldKey, item: m.WorldItem) -> None:
        if isinstance(item, m.TypeItem):
            return
        module, functions, docs, instance = self._functions_of(key, item)
        out = module.out
        assert out is not None
        guest = out.guest
        if guest is None:
            if instance is None:
                accessor = ""  # world-level exports are methods of the world class
            else:
                accessor = module.scope.claim(f"{pascal(self._item_name(key, item))}Exports")
                out.exports.append(accessor)
                # Its `__init__` and `instantiate(store, component, linker)`.
                module.use("wasmtime", "Store")
                module.use("wasmtime.component", "Component")
                module.use("wasmtime.component", "Linker")
                module.use_runtime()
            guest = out.guest = cm.GuestSide(accessor, docs, instance, [], [], [])
            # Public members: what the class itself defines is reserved; private
            # ones (`_instance`, a slot per function) all begin with `_`,
            # which no name from WIT does.
            self.guest_scopes[module.path] = (
                (self.world_members, self.world_privates) if instance is None
                else (Scope(naming.ACCESSOR_NAMES), Scope(naming.PRIVATE_NAMES))
            )
        scope, privates = self.guest_scopes[module.path]
        for function in functions:
            reason = self._function_unsupported(function, "guest")
            if reason is not None:
                self._skip(module, function, instance, reason)
                continue
            if function.resource is None:
                method = self._method(function, module, scope, "guest")
                method.slot = privates.claim(f"_{method.name}")
                guest.functions.append(method)
                continue
            resource = self._resource_of(function.resource) or function.resource
            cls = self.type_names[resource]
            resource_wit = self.resolve.types[resource].name or ""
            member = function.item_name if function.kind != "constructor" else "new"
            spec = module.scope.claim(f"_{shouty_part(resource_wit)}_{shouty_part(member)}")
            kind = function.kind.removeprefix("async-")
            if kind == "method":
                proxy_scope = self.proxy_scopes.setdefault(resource, Scope(naming.PROXY_NAMES))
                method = self._method(function, module, proxy_scope, "guest", spec)
                self._guest_resource(module, cls).methods.append(method)
            else:
                # Constructors and statics need an instance: the accessor has them.
                resource_name = snake_part(resource_wit)
                wanted = f"new_{resource_name}" if kind == "constructor" else (
                    f"{resource_name}_{snake_part(function.item_name)}"
                )
                method = self._method(function, module, Scope(), "guest", spec)
                method.name = scope.claim(wanted)
                method.kind = "freestanding"  # a plain method of the accessor
                method.returns = method.returns if kind != "constructor" else self.type_names[resource]
                (guest.constructors if function.kind == "constructor" else guest.statics).append(method)
            out.specs.append(
                cm.Codec(
                    spec,
                    f"{module.rt}.ExportSpec({literal(instance) if instance is not None else 'None'}, "
                    f"{literal(function.name)}, {method.params_codecs}, "
                    f"{method.result_codec}, raises={method.is_result})",
                )
            )

    def _guest_resource(self, module: _Module, name: str) -> cm.GuestResource:
        """The declaration of guest resource `name` in `module` (indexed once)."""
        decls = self._guest_resources.get(module.path)
        if decls is None:
            assert module.out is not None
            decls = self._guest_resources[module.path] = {
                d.name: d for d in module.out.types if isinstance(d, cm.GuestResource)
            }
        return decls[name]

    def _package_name(self, iface: m.InterfaceId) -> str | None:
        package = self.resolve.interfaces[iface].package
        if package is None:
            return None
        name = self.resolve.packages[package].name
        return f"{name.namespace}:{name.name}"

    # ---- the package's __init__ ----

    def _reused_docs(self) -> str:
        if not self.plan.reused:
            return ""
        lines = sorted(
            f"- `{self.resolve.interface_name(iface)}`: `{module}`" for iface, module in self.plan.reused.items()
        )
        return "\n\nInterfaces whose modules are another package's (`--with`):\n\n" + "\n".join(lines)

    def _package_init(self) -> None:
        init = self.init
        out = init.out
        assert out is not None
        plan = self.plan
        for module in self._interface_modules():
            if module.external is None:  # a reused one only where it is used
                init.imports.add(module.import_line)
        # Checked before anything else of the package is imported.
        out.runtime_interface = RUNTIME_INTERFACE
        init.use_runtime()
        init.imports.add(f"from witgen_runtime import {', '.join(RUNTIME_EXPORTS)}")
        out.exports.extend(RUNTIME_EXPORTS)
        if plan.world is None:
            names = ", ".join(f"`{self.resolve.world_key_name(k)}`" for k, _ in [*plan.implement, *plan.call])
            out.docs = f"Bindings for {names}.{self._reused_docs()}"
            return
        world = self.resolve.worlds[plan.world]
        qualified = world.name
        if world.package is not None:
            name = self.resolve.packages[world.package].name
            version = f"@{name.version}" if name.version else ""
            qualified = f"{name.namespace}:{name.name}/{world.name}{version}"
        class_name = init.scope.claim(pascal(world.name))
        # The world class: `__init__(store, instance)`, `instantiate(store,
        # component, linker)`, `add_to_linker(linker, ..., wasi)`.
        init.use("wasmtime", "Store")
        for used in ("Component", "Instance", "Linker"):
            init.use("wasmtime.component", used)
        init.use_runtime()
        accessors = []
        for key, item in plan.call:
            if isinstance(item, m.InterfaceItem):
                module = self.modules[m.TypeOwner("interface", item.id)]
                assert module.out is not None and module.out.guest is not None
                accessors.append(
                    cm.WorldAccessor(
                        self.accessor_attributes[key],
                        module.qualify(module.out.guest.accessor, init),
                        literal(self.resolve.world_key_name(key) or ""),
                        module.out.guest.docs,
                    )
                )
        linkers: list[tuple[str, str]] = []
        annotations: list[tuple[str, str]] = []
        # `add_to_linker`'s own parameters, and the module-level function its
        # body calls for the world's own imports.
        params = Scope({*naming.WORLD_LINKER_PARAMS, *([out.host.linker_function] if out.host is not None else [])})
        for key, item in plan.implement:
            if isinstance(item, m.InterfaceItem):
                module = self.modules[m.TypeOwner("interface", item.id)]
                if module.out is None or module.out.host is None:
                    continue
                if not self.resolve.interfaces[item.id].functions and not module.out.host.resources:
                    continue  # types only: the component imports nothing to define
                param = params.claim(snake(str(key)) if isinstance(key, str) else module.path.removesuffix(".py"))
                instance = literal(self.resolve.world_key_name(key) or "")
                add_to_linker = module.qualify(module.out.host.linker_function, init)
                linkers.append((param, f"{add_to_linker}(linker, {param}, {instance})"))
                annotations.append((param, module.qualify(module.out.host.protocol, init)))
        if out.host is not None:
            param = params.claim("imports")
            linkers.append((param, f"{out.host.linker_function}(linker, {param})"))
            annotations.append((param, out.host.protocol))
        if linkers:
            init.use("typing", "Union")
            init.use("typing", "Callable")
        wasi_http = any(
            isinstance(item, m.InterfaceItem)
            and self.plan.provided_by_wasmtime(self.resolve, item.id)
            and self._package_name(item.id) == "wasi:http"
            for item in world.imports.values()
        )
        out.world = cm.WorldClass(
            class_name, literal(qualified), qualified, world.docs, accessors, out.guest, linkers, annotations,
            wasi_http, wasi_default=not self.plan.implement_wasi,
        )
        out.docs = f"Bindings for world `{qualified}`.{self._reused_docs()}"
        out.exports.insert(0, class_name)
