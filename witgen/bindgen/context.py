"""What every stage of the back end shares: the modules being built, with
the imports their code uses recorded as it uses them (the way betterproto's
typing compiler does), and the names given to each type."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from .. import model as m
from . import code as cm
from .names import Scope
from .plan import Plan, Role

if TYPE_CHECKING:  # support asks `types`, which uses this module
    from .support import Support

RUNTIME = "witgen_runtime"


@dataclass
class ModuleBuilder:
    """A generated module while it is built. Stages append declarations in
    the order they are written; nothing reads them back."""

    path: str  # inside the package, `kvdb.py`
    alias: str  # how other modules import it: `from . import kvdb as _kvdb`
    owner: m.TypeOwner | None
    scope: Scope  # module-level names
    roles: set[Role] = field(default_factory=set)
    key: m.WorldKey | None = None
    # Another package's module for this interface (`Plan.reused`): built to
    # know its names, imported by absolute path, not written.
    external: str | None = None
    # The named types it declares, dependencies first (set by the layout).
    types: list[m.TypeId] = field(default_factory=list)
    declarations: list[cm.Decl] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    left_out: list[cm.LeftOut] = field(default_factory=list)
    # The imports its code uses.
    _modules: set[str] = field(default_factory=set)  # `import enum`
    _names: dict[str, set[str]] = field(default_factory=dict)  # `from typing import Any`
    _runtime: bool = False
    _package: set[cm.Import] = field(default_factory=set)
    _recording: bool = True

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """For names that go into docs, not code: they import nothing."""
        before, self._recording = self._recording, False
        try:
            yield
        finally:
            self._recording = before

    def name(self, source: str, name: str) -> cm.Name:
        """`name`, imported from `source` (`typing`, `wasmtime`, ...)."""
        if self._recording:
            self._names.setdefault(source, set()).add(name)
        return cm.Name(name)

    def module(self, name: str) -> cm.Name:
        """Module `name` (`enum`), imported."""
        if self._recording:
            self._modules.add(name)
        return cm.Name(name)

    def rt(self, name: str) -> cm.Attr:
        """`_rt.<name>` of the runtime library, imported."""
        self._runtime = self._runtime or self._recording
        return cm.rt(name)

    def qualify(self, owner: ModuleBuilder, name: str) -> cm.Expr:
        """`name` of module `owner` as this module writes it."""
        if owner is self:
            return cm.Name(name)
        if self._recording:
            self._package.add(owner.import_of)
        return cm.Attr(cm.Name(owner.alias), name)

    def import_module(self, other: ModuleBuilder) -> None:
        self._package.add(other.import_of)

    def import_names(self, line: cm.Import) -> None:
        """An import placed with the package's own (after `__init__`'s check)."""
        self._package.add(line)

    @property
    def import_of(self) -> cm.Import:
        """How other modules import this one, as `alias`."""
        if self.external is not None:
            return cm.Import(self.external, alias=self.alias)
        return cm.Import(".", (self.path.removesuffix(".py"),), self.alias)

    def finish(
        self,
        docs: str,
        *,
        runtime_interface: int | None = None,
        host: tuple[cm.Protocol, cm.Protocol | None, cm.LinkerFunction] | None = None,
        async_host: cm.Protocol | None = None,
        accessor: cm.Accessor | None = None,
        world: cm.WorldClass | None = None,
    ) -> cm.Module:
        """The module as code: standard library, wasmtime, the runtime, a
        blank line between groups; the package's own modules come after
        the runtime's interface check (`__init__`)."""
        standard = [cm.Import(name) for name in sorted(self._modules)]
        standard += [
            cm.Import(source, tuple(sorted(names)))
            for source, names in sorted(self._names.items())
            if not source.startswith("wasmtime")
        ]
        wasmtime = [
            cm.Import(source, tuple(sorted(names))) for source, names in sorted(self._names.items())
            if source.startswith("wasmtime")
        ]
        runtime = [cm.Import(RUNTIME, alias="_rt")] if self._runtime else []
        groups = tuple(tuple(group) for group in (standard, wasmtime, runtime) if group)
        package = tuple(sorted(self._package, key=lambda i: (i.module != ".", i.module, i.names)))
        return cm.Module(
            path=self.path,
            docs=docs,
            imports=groups,
            package_imports=package,
            exports=tuple(self.exports),
            declarations=tuple(self.declarations),
            left_out=tuple(self.left_out),
            runtime_interface=runtime_interface,
            host=host,
            async_host=async_host,
            accessor=accessor,
            world=world,
        )


@dataclass
class Context:
    """The package being built: its plan, its modules and the names of its types."""

    resolve: m.Resolve
    plan: Plan
    support: Support
    init: ModuleBuilder
    # Interface and world owners -> their module (a world's is `__init__`).
    modules: dict[m.TypeOwner, ModuleBuilder]
    type_names: dict[m.TypeId, str]
    codec_names: dict[m.TypeId, str]
    case_names: dict[m.TypeId, tuple[str, ...]]
    _unaliased: dict[m.TypeId, m.Type] = field(default_factory=dict)  # `resolve.unalias`'s memo
    _by_resource: dict[m.TypeOwner, dict[m.TypeId, list[m.Function]]] = field(default_factory=dict)

    def owner_functions(self, owner: m.TypeOwner) -> list[m.Function]:
        """An interface's functions, or a world's own (imported and exported)."""
        if owner.kind == "interface":
            return list(self.resolve.interfaces[owner.id].functions.values())
        world = self.resolve.worlds[owner.id]
        return [i.function for i in [*world.imports.values(), *world.exports.values()] if isinstance(i, m.FunctionItem)]

    def resource_functions(self, resource: m.TypeId) -> list[m.Function]:
        """The constructor, methods and statics of `resource`, as its owner lists them."""
        owner = self.resolve.types[resource].owner
        if owner is None:
            return []
        # Grouped once per owner: a scan per resource is quadratic.
        by_resource = self._by_resource.get(owner)
        if by_resource is None:
            by_resource = self._by_resource[owner] = {}
            for function in self.owner_functions(owner):
                if function.resource is not None:
                    by_resource.setdefault(function.resource, []).append(function)
        return by_resource.get(resource, [])

    def module_of(self, owner: m.TypeOwner | None) -> ModuleBuilder:
        module = self.modules.get(owner) if owner is not None else None
        return module if module is not None else self.init

    def interface_module(self, iface: m.InterfaceId) -> ModuleBuilder:
        return self.modules[m.TypeOwner("interface", iface)]

    def unalias(self, ty: m.Type) -> m.Type:
        return self.resolve.unalias(ty, self._unaliased)

    def resource_of(self, ty: m.TypeId) -> m.TypeId:
        resource = self.resolve.resource_of(ty, self._unaliased)
        return resource if resource is not None else ty

    def role(self, resource: m.TypeId) -> Role:
        return self.support.resource_roles[self.resource_of(resource)]

    def instance_name(self, module: ModuleBuilder) -> str | None:
        """The name an interface module's instance is linked or exported as."""
        return self.resolve.world_key_name(module.key) if module.key is not None else None

    def wit_qualname(self, type_id: m.TypeId) -> str:
        """`ns:pkg/iface@1.0.0/name`: what makes two packages' classes the
        same WIT type for the runtime (a world's own types: `ns:pkg/world/name`)."""
        typedef = self.resolve.types[type_id]
        owner = typedef.owner
        if owner is None:
            prefix = "?"
        elif owner.kind == "interface":
            name = self.resolve.interface_name(m.InterfaceId(owner.id))
            if name is None:  # an interface inline in a world: its key there
                name = self.instance_name(self.modules[owner]) or "?"
            prefix = name
        else:
            world = self.resolve.worlds[owner.id]
            package = self.resolve.packages[world.package] if world.package is not None else None
            prefix = f"{package.name.namespace}:{package.name.name}/{world.name}" if package else world.name
        return f"{prefix}/{typedef.name}"
