"""The world class in `__init__`: the component's exports as attributes and
methods, `instantiate`, and `add_to_linker` taking a host per imported
interface."""

from __future__ import annotations

from .. import model as m
from . import code as cm
from . import names
from .awaited import async_methods
from .context import Context, ModuleBuilder
from .guest import exported_functions
from .host import HostSide
from .names import Scope, pascal, snake
from .world_shape import shape_expr, world_shape

_LINKER_DOCS = """Define everything the world imports in `linker`.

Each host argument is an object implementing its Protocol, or a callable
taking the `Store` and returning one."""
_WITH_WASI = """

With `wasi` (the default), wasmtime's own WASI implementation is added too
(once per linker, so several worlds can share one), which components built
by componentize-py need: configure it per store with
`store.set_wasi(wasmtime.WasiConfig())` (stdout, env, preopens)."""
_WASI_HTTP = """ `wasi:http`
is wasmtime's too and needs `store.set_wasi_http()` in each store."""
_DENY_ALL = """

`instantiate` gives a store with no WASI configuration a deny-all default."""
_IMPLEMENTED_WASI = """

These bindings were generated with `--implement-wasi`: the WASI interfaces
the world imports are host arguments too, so wasmtime's own WASI is not
added. `wasi=True` adds it as well (once per linker), for a component that
imports WASI the world does not name; it fails if both define the same
interface."""


def qualified_name(ctx: Context, world: m.World) -> str:
    if world.package is None:
        return world.name
    name = ctx.resolve.packages[world.package].name
    version = f"@{name.version}" if name.version else ""
    return f"{name.namespace}:{name.name}/{world.name}{version}"


def world_class(
    ctx: Context,
    world_id: m.WorldId,
    accessors: list[tuple[m.WorldKey, ModuleBuilder, cm.Accessor]],
    hosts: list[tuple[m.WorldKey, ModuleBuilder, HostSide]],
    own_host: HostSide | None,
    own_exports: list[m.Function],
) -> cm.WorldClass:
    """`accessors`: the exported interfaces' classes; `hosts`: what the host
    implements for each imported interface; `own_host`: for the world's
    own imports. Attributes and parameters are named after the name an
    interface is imported or exported as, or its module."""
    init = ctx.init
    world = ctx.resolve.worlds[world_id]
    qualified = qualified_name(ctx, world)
    name = init.scope.claim(pascal(world.name))
    async_name = init.scope.claim(f"{name}Async")
    init.exports[0:0] = [name, async_name]
    init.name("wasmtime", "Store")
    for used in ("Component", "Instance", "Linker"):
        init.name("wasmtime.component", used)
    init.rt("InstanceState")
    # What `instantiate` checks the component against before linking it.
    shape = init.scope.claim("_SHAPE")
    compared = lambda iface: not ctx.plan.provided_by_wasmtime(ctx.resolve, iface)  # noqa: E731
    init.declarations.append(
        cm.Constant(shape, shape_expr(world_shape(ctx.resolve, world_id, qualified, compared), init.rt("WorldShape")))
    )

    # Members: the class's own, then exported interfaces, then functions.
    # Private ones (`_instance`, a slot per function) begin with `_`, which
    # no name from WIT does.
    members = Scope(names.WORLD_CLASS_NAMES)
    privates = Scope(names.PRIVATE_NAMES)
    slots, async_slots = [], []
    for key, module, accessor in accessors:
        attribute = members.claim(_attribute(key, module))
        cls = init.qualify(module, accessor.name)
        instance = cm.Lit(ctx.resolve.world_key_name(key))
        slots.append(cm.Slot(attribute, cm.Call(cls, (cm.Attr(cm.Name("self"), "_instance"), instance))))
        awaited = init.qualify(module, accessor.async_name)
        async_slots.append(cm.Slot(attribute, cm.Call(awaited, (cm.Attr(cm.Name("sync"), attribute),))))
    function_slots, methods = exported_functions(ctx, init, own_exports, None, members, privates)

    # `add_to_linker`'s own parameters, and the module-level function its
    # body calls for the world's own imports.
    params = Scope({*names.WORLD_LINKER_PARAMS, *([own_host[2].name] if own_host else [])})
    linker_params, calls = [], []
    for key, module, (protocol, _, linker, twin) in hosts:
        param = params.claim(_attribute(key, module))
        annotation = _host_annotation(ctx, init.qualify(module, protocol.name), init.qualify(module, twin.name))
        linker_params.append(cm.Param(param, annotation, keyword_only=True))
        add = init.qualify(module, linker.name)
        calls.append(cm.Call(add, (cm.Name("linker"), cm.Name(param), cm.Lit(ctx.resolve.world_key_name(key)))))
    if own_host is not None:
        protocol, _, linker, twin = own_host
        param = params.claim("imports")
        annotation = _host_annotation(ctx, cm.Name(protocol.name), cm.Name(twin.name))
        linker_params.append(cm.Param(param, annotation, keyword_only=True))
        calls.append(cm.Call(cm.Name(linker.name), (cm.Name("linker"), cm.Name(param))))
    wasi_default = not ctx.plan.implement_wasi
    linker_params.append(cm.Param("wasi", cm.Name("bool"), cm.Lit(wasi_default), keyword_only=True))
    wasi_http = any(
        isinstance(item, m.InterfaceItem)
        and ctx.plan.provided_by_wasmtime(ctx.resolve, item.id)
        and _package(ctx, item.id) == "wasi:http"
        for item in world.imports.values()
    )
    init.rt("add_wasi")
    if wasi_default:
        linker_docs = _LINKER_DOCS + _WITH_WASI + (_WASI_HTTP if wasi_http else "") + _DENY_ALL
    else:
        linker_docs = _LINKER_DOCS + _IMPLEMENTED_WASI
    return cm.WorldClass(
        name=name,
        docs=world.docs or f"World `{qualified}`: an instance of a component that targets it.",
        qualified=qualified,
        shape=shape,
        slots=(*slots, *function_slots),
        linker_params=tuple(linker_params),
        linker_docs=linker_docs,
        wasi_http=wasi_http,
        linker_calls=tuple(calls),
        methods=tuple(methods),
        async_name=async_name,
        async_slots=tuple(async_slots),
        async_methods=async_methods(tuple(methods)),
    )


def _attribute(key: m.WorldKey, module: ModuleBuilder) -> str:
    return snake(key) if isinstance(key, str) else module.path.removesuffix(".py")


def _host_annotation(ctx: Context, protocol: cm.Expr, async_protocol: cm.Expr) -> cm.Expr:
    """`Union[P, AP, Callable[[Store], Union[P, AP]]]`: a host (its methods
    plain or `async def`), or a host per store."""
    init = ctx.init
    union, callable_ = init.name("typing", "Union"), init.name("typing", "Callable")
    store = init.name("wasmtime", "Store")
    either = cm.Subscript(union, (protocol, async_protocol))
    return cm.Subscript(union, (protocol, async_protocol, cm.Subscript(callable_, (cm.ListOf((store,)), either))))


def _package(ctx: Context, iface: m.InterfaceId) -> str | None:
    package = ctx.resolve.interfaces[iface].package
    if package is None:
        return None
    name = ctx.resolve.packages[package].name
    return f"{name.namespace}:{name.name}"
