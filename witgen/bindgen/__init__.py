"""The resolved model -> the code model of a generated package.

Every decision about the generated Python is made here, one stage per
module, in the order `build` runs them:

- `plan`: which world items each side gets (what the host implements, what
  it calls), and which interfaces another package provides (`--with`);
- `support`: which side owns each resource, what cannot cross wasmtime's C
  API (left out, with the reason);
- `names`: WIT names -> Python names; module names; every scope;
- `types`: each named type's declaration, any type's annotation and codec;
- `host`: Protocols and `add_to_linker` for what the host implements;
- `guest`: `Exports` classes and resource classes for what it calls;
- `world`: the world class in `__init__`;
- `code`: the code model they build, which `witgen.render` lays out.

Interfaces of `wasi:*` packages are provided by wasmtime's own WASI
(`Linker.add_wasip2()`) unless the plan says otherwise, so they get types,
not Protocols. An interface in `Plan.reused` is built like every other, so
that its names are known, and then not written: the package imports that
module instead (`import other_pkg.iface as _iface`). That is sound because
an interface module's names depend on the interface and its side alone.
"""

from __future__ import annotations

from .. import model as m
from . import code as cm
from . import guest, host, names, types, world
from .context import Context, ModuleBuilder
from .names import Scope, pascal, pascal_part, shouty_part
from .plan import Plan, Role, is_wasi, plan, plan_exported_interface, plan_interfaces, plan_world, used_interfaces
from .support import Support

__all__ = [
    "RUNTIME_INTERFACE", "Plan", "build", "is_wasi", "plan", "plan_exported_interface", "plan_interfaces",
    "plan_world", "used_interfaces",
]

# The runtime interface generated code is written against (the runtime
# library's `INTERFACE`): every package's `__init__` checks it first.
RUNTIME_INTERFACE = 3


def build(resolve: m.Resolve, plan: Plan) -> cm.Package:
    ctx, interfaces = _layout(resolve, plan)
    typed = interfaces + ([ctx.init] if plan.world is not None else [])
    for module in typed:
        _declare_types(ctx, module)

    hosts: dict[str, host.HostSide] = {}
    accessors: dict[str, cm.Accessor] = {}
    host_items, guest_items = [], []
    own_imports: list[m.Function] = []
    own_exports: list[m.Function] = []
    for key, item in plan.implement:
        match item:
            case m.InterfaceItem(id=iface):
                if plan.provided_by_wasmtime(resolve, iface):
                    continue
                module = ctx.interface_module(iface)
                functions = list(resolve.interfaces[iface].functions.values())
                side = host.host_side(ctx, module, functions, resolve.world_key_name(key))
                if side is not None:
                    hosts[module.path] = side
                    host_items.append((key, module, side))
            case m.FunctionItem(function=function):
                own_imports.append(function)
            case m.TypeItem():
                pass
    for key, item in plan.call:
        match item:
            case m.InterfaceItem(id=iface):
                module = ctx.interface_module(iface)
                functions = list(resolve.interfaces[iface].functions.values())
                accessor = guest.exports_side(ctx, module, functions, resolve.world_key_name(key))
                accessors[module.path] = accessor
                guest_items.append((key, module, accessor))
            case m.FunctionItem(function=function):
                own_exports.append(function)
            case m.TypeItem():
                pass

    own_host = host.host_side(ctx, ctx.init, own_imports, None) if own_imports else None
    world_class = None
    if plan.world is not None:
        world_class = world.world_class(ctx, plan.world, guest_items, host_items, own_host, own_exports)

    out = []
    for module in interfaces:
        if module.external is None:  # the other package's module is used instead
            docs = _module_docs(ctx, module)
            side = hosts.get(module.path)
            out.append(module.finish(docs, host=side[:3] if side else None, async_host=side[3] if side else None,
                                     accessor=accessors.get(module.path)))
    out.append(_finish_init(ctx, interfaces, own_host, world_class))
    left_out = tuple(u for module in out for u in module.left_out)
    return cm.Package(plan.package, plan.source, tuple(out), left_out)


# ---- modules and names ------------------------------------------------------


def _layout(resolve: m.Resolve, plan: Plan) -> tuple[Context, list[ModuleBuilder]]:
    """One module per interface the package needs, dependencies first;
    world-level items live in `__init__`. Every name a module declares at
    module level is claimed here, before anything is built."""
    wanted = used_interfaces(resolve, plan)
    order = [i for i in m.post_order(list(wanted), resolve.interface_direct_deps) if i in wanted]
    stems = names.module_stems(resolve, {i: wanted[i][1] for i in order}, _home(resolve, plan), plan.modules)
    init = ModuleBuilder("__init__.py", "", None, Scope(names.INIT_NAMES))
    modules: dict[m.TypeOwner, ModuleBuilder] = {}
    interfaces = []
    for iface in order:
        roles, key = wanted[iface]
        owner = m.TypeOwner("interface", iface)
        module = ModuleBuilder(
            f"{stems[iface]}.py", init.scope.claim(f"_{stems[iface]}"), owner, Scope(names.INTERFACE_MODULE_NAMES),
            roles, key, plan.reused.get(iface),
        )
        modules[owner] = module
        interfaces.append(module)
    # A module's namespace holds the aliases of the modules it imports.
    for module in [*interfaces, init]:
        module.scope.reserve(other.alias for other in interfaces)
    if plan.world is not None:
        init.owner = m.TypeOwner("world", plan.world)
        modules[init.owner] = init

    typed = interfaces + ([init] if plan.world is not None else [])
    resource_roles: dict[m.TypeId, Role] = {}
    type_names: dict[m.TypeId, str] = {}
    codec_names: dict[m.TypeId, str] = {}
    case_names: dict[m.TypeId, tuple[str, ...]] = {}
    for module in typed:
        # An interface module's names depend on its interface (and the side
        # it is on) alone, so every package with a module for it agrees on
        # them (`--with` relies on it): its types in their order, then
        # variant cases; privates claimed later (specs) are `_SHOUTY`.
        module.types = [id for id in _owned_types(resolve, module) if resolve.types[id].name is not None]
        for id in module.types:
            typedef = resolve.types[id]
            assert typedef.name is not None
            if isinstance(typedef.kind, m.Resource):
                resource_roles[id] = _resource_role(resolve, id, module)
            type_names[id] = module.scope.claim(pascal(typedef.name))
            codec_names[id] = module.scope.claim(f"_{shouty_part(typedef.name)}")
        for id in module.types:
            typedef = resolve.types[id]
            if isinstance(typedef.kind, m.Variant):
                # `Shape_Circle`, from the unescaped names: `Union_Value`, not `Union__Value`.
                case_names[id] = tuple(
                    module.scope.claim(f"{pascal_part(typedef.name or '')}_{pascal_part(c.name)}")
                    for c in typedef.kind.cases
                )
    ctx = Context(resolve, plan, Support(resolve, resource_roles), init, modules, type_names, codec_names, case_names)
    return ctx, interfaces


def _home(resolve: m.Resolve, plan: Plan) -> m.PackageId | None:
    """The package the bindings are for: its interfaces' modules go by
    their own names."""
    if plan.world is not None:
        return resolve.worlds[plan.world].package
    for _, item in [*plan.implement, *plan.call]:
        if isinstance(item, m.InterfaceItem):
            return resolve.interfaces[item.id].package
    return None


def _owned_types(resolve: m.Resolve, module: ModuleBuilder) -> list[m.TypeId]:
    """The types `module` declares, dependencies first."""
    owner = module.owner
    if owner is None:
        return []
    if owner.kind == "interface":
        ids = list(resolve.interfaces[owner.id].types.values())
    else:
        w = resolve.worlds[owner.id]
        ids = [item.id for item in [*w.imports.values(), *w.exports.values()] if isinstance(item, m.TypeItem)]
    # Walking only this owner's (and anonymous) types: another owner's
    # never lead back here, and a chain of `use`s would make each module
    # walk every module before it.
    def own_refs(id: m.TypeId) -> list[m.TypeId]:
        return [t for t in resolve.type_ids_referenced(id) if resolve.types[t].owner in (None, owner)]

    return [id for id in m.post_order(ids, own_refs) if resolve.types[id].owner == owner]


def _resource_role(resolve: m.Resolve, resource: m.TypeId, module: ModuleBuilder) -> Role:
    if module.owner is not None and module.owner.kind == "world":
        w = resolve.worlds[module.owner.id]
        exported = any(isinstance(i, m.TypeItem) and i.id == resource for i in w.exports.values())
        return "guest" if exported else "host"
    if "host" in module.roles:
        return "host"
    if "guest" in module.roles:
        return "guest"
    return "types"


# ---- declarations -------------------------------------------------------------


def _declare_types(ctx: Context, module: ModuleBuilder) -> None:
    """Types in dependency order, then their codecs, then the specs of
    exported resources' functions: each refers only to what comes before."""
    declarations: list[cm.Decl] = []
    specs: list[cm.Decl] = []
    for type_id in module.types:
        for decl in types.declare(ctx, module, type_id):
            (specs if isinstance(decl, cm.Constant) else declarations).append(decl)
            if not isinstance(decl, cm.Constant):
                module.exports.append(decl.name)
            if isinstance(decl, cm.Variant):
                module.exports += [case.name for case in decl.cases]
    codecs = [
        codec for type_id in module.types
        for codec in [types.named_codec(ctx, module, type_id)] if codec is not None
    ]
    module.declarations += [*declarations, *codecs, *specs]


def _module_docs(ctx: Context, module: ModuleBuilder) -> str:
    assert module.owner is not None and module.owner.kind == "interface"
    iface_id = m.InterfaceId(module.owner.id)
    iface = ctx.resolve.interfaces[iface_id]
    name = ctx.resolve.interface_name(iface_id) or f"`{module.key}`"
    if "host" in module.roles and "guest" in module.roles:
        what = "implemented by the host and exported by the component"
    elif "host" in module.roles:
        what = "implemented by the host: the component imports it"
    elif "guest" in module.roles:
        what = "exported by the component: the host calls it"
    elif ctx.plan.provided_by_wasmtime(ctx.resolve, iface_id):
        what = "its types (wasmtime implements it)"
    else:
        what = "its types"
    header = f"Interface `{name}`, {what}."
    return f"{header}\n\n{iface.docs}" if iface.docs else header


def _finish_init(
    ctx: Context, interfaces: list[ModuleBuilder], own_host: host.HostSide | None, world_class: cm.WorldClass | None
) -> cm.Module:
    init, plan = ctx.init, ctx.plan
    for module in interfaces:
        if module.external is None:  # a reused one only where it is used
            init.import_module(module)
    # Checked before anything else of the package is imported.
    init.rt("require_interface")
    init.import_names(cm.Import("witgen_runtime", names.RUNTIME_EXPORTS))
    init.exports.extend(names.RUNTIME_EXPORTS)
    reused = ""
    if plan.reused:
        lines = sorted(f"- `{ctx.resolve.interface_name(i)}`: `{module}`" for i, module in plan.reused.items())
        reused = "\n\nInterfaces whose modules are another package's (`--with`):\n\n" + "\n".join(lines)
    if world_class is not None:
        docs = f"Bindings for world `{world_class.qualified}`.{reused}"
    else:
        items = ", ".join(f"`{ctx.resolve.world_key_name(k)}`" for k, _ in [*plan.implement, *plan.call])
        docs = f"Bindings for {items}.{reused}"
    return init.finish(docs, runtime_interface=RUNTIME_INTERFACE, host=own_host[:3] if own_host else None,
                       async_host=own_host[3] if own_host else None, world=world_class)
