"""What the host implements: for an imported interface (or a world's own
imported functions) a Protocol, the Protocols of its resource classes, and
the `add_to_linker` that defines each function in a linker, calling into
the host's object."""

from __future__ import annotations

from .. import model as m
from . import code as cm
from . import names
from .awaited import async_protocol
from .context import Context, ModuleBuilder
from .names import Scope, snake
from . import signature as signatures

# The host's Protocol, its resource classes' Protocol, `add_to_linker`, the `async def` Protocol.
HostSide = tuple[cm.Protocol, cm.Protocol | None, cm.LinkerFunction, cm.Protocol]


def resource_protocol(ctx: Context, module: ModuleBuilder, resource: m.TypeId) -> cm.Protocol:
    """A host resource: the Protocol its class satisfies."""
    typedef = ctx.resolve.types[resource]
    methods = []
    for sig in _resource_signatures(ctx, module, resource):
        params = sig.python_params()
        match sig.kind:
            case "constructor":
                methods.append(_stub("__init__", (cm.Param("self"), *params), sig, cm.NONE))
            case "method":
                methods.append(_stub(_member(sig), (cm.Param("self"), *params), sig))
            case "static":
                methods.append(_stub(_member(sig), params, sig, decorator="staticmethod"))
            case "freestanding":
                raise AssertionError("a resource's function is a constructor, method or static")
    docs = typedef.docs or f"Resource `{typedef.name}`, implemented by the host: a class with these methods."
    return cm.Protocol(ctx.type_names[resource], docs, (module.name("typing", "Protocol"),), tuple(methods))


def host_side(
    ctx: Context, module: ModuleBuilder, functions: list[m.Function], instance: str | None
) -> HostSide | None:
    """The Protocol and `add_to_linker` of what the host implements in
    `module`; None when there is nothing to implement (an interface of
    types only, or one whose every function is left out)."""
    resources = _host_resources(ctx, module)
    bound = []
    for function in functions:
        reason = ctx.support.function_reason(function, "host")
        if reason is not None:
            _leave_out(module, function, instance, reason)
        elif function.resource is None:
            bound.append(function)
    if not bound and not resources:
        return None
    if instance is None:  # a world's own imports, in `__init__`
        world = ctx.resolve.worlds[module.owner.id] if module.owner else None
        world_name = world.name if world is not None else "world"
        protocol = module.scope.claim(f"{names.pascal(world_name)}Imports")
        async_name = module.scope.claim(f"{names.pascal(world_name)}AsyncImports")
        docs = f"What the host implements for the functions world `{world_name}` imports."
        linker_function = module.scope.claim("add_imports_to_linker")
        resources_protocol = module.scope.claim(f"{protocol}Resources")
    else:
        protocol, linker_function, resources_protocol = names.HOST, names.ADD_TO_LINKER, names.HOST_RESOURCES
        async_name = names.ASYNC_HOST
        iface = module.owner.id if module.owner is not None else None
        own_docs = ctx.resolve.interfaces[iface].docs if iface is not None else None
        docs = own_docs or f"What the host implements for `{instance}`."
    module.exports += [protocol, async_name, *([resources_protocol] if resources else []), linker_function]

    # The resource classes are attributes of a base Protocol: in the main
    # one, a resource's name must mean its Protocol class in annotations.
    typing_protocol = module.name("typing", "Protocol")
    base = None
    if resources:
        base = cm.Protocol(
            resources_protocol,
            f"The classes implementing the resources of `{instance}`.",
            (typing_protocol,),
            tuple(
                cm.Def(
                    ctx.type_names[r],
                    (cm.Param("self"),),
                    cm.Subscript(cm.Name("type"), (cm.Name(ctx.type_names[r]),)),
                    docs=f"The class implementing resource `{ctx.resolve.types[r].name}`.",
                    decorator="property",
                )
                for r in resources
            ),
        )
    scope = Scope(ctx.type_names[r] for r in resources)
    methods = []
    definitions: list[cm.Expr] = []
    required = [ctx.type_names[r] for r in resources]
    for resource in resources:
        cls = ctx.type_names[resource]
        definitions.append(
            cm.Call(
                module.rt("add_host_resource"),
                (
                    cm.Name("instance"),
                    cm.Lit(ctx.resolve.types[resource].name or ""),
                    cm.Name(ctx.codec_names[resource]),
                    cm.Name("get"),
                    cm.Lit(cls),
                ),
            )
        )
        for sig in _resource_signatures(ctx, module, resource):
            definitions.append(_definition(module, sig, instance, _resource_call(sig, cls)))
    for function in bound:
        sig = signatures.signature(ctx, function, module, "host")
        name = scope.claim(snake(function.item_name))
        methods.append(_stub(name, (cm.Param("self"), *sig.python_params()), sig))
        required.append(name)
        call = cm.Call(cm.Attr(cm.Name(sig.local), name), tuple(cm.Name(a) for a in sig.args))
        definitions.append(_definition(module, sig, instance, call))

    # `add_to_linker(linker, host: Union[P, Callable[[Store], P]], name=...)`
    for source, used in (("typing", "Union"), ("typing", "Callable"), ("wasmtime", "Store")):
        module.name(source, used)
    module.name("wasmtime.component", "Linker")
    module.rt("host_getter")
    main = cm.Protocol(protocol, docs, (*([cm.Name(resources_protocol)] if base else []), typing_protocol), tuple(methods))
    async_docs = f"`{protocol}` with `async def` methods, run on the loop awaiting the call."
    twin = async_protocol(main, async_name, async_docs)
    linker = cm.LinkerFunction(
        linker_function, cm.Name(protocol), instance, cm.Name(async_name), tuple(required), tuple(definitions)
    )
    return main, base, linker, twin


def _host_resources(ctx: Context, module: ModuleBuilder) -> list[m.TypeId]:
    """The resources `module` declares that the host implements, in order."""
    if module.owner is None or module.owner.kind != "interface":
        return []
    return [
        id for id in ctx.resolve.interfaces[module.owner.id].types.values()
        if isinstance(ctx.resolve.types[id].kind, m.Resource) and ctx.support.resource_roles.get(id) == "host"
    ]


def _resource_signatures(ctx: Context, module: ModuleBuilder, resource: m.TypeId) -> list[signatures.Signature]:
    """The signatures of a host resource's functions the bindings bind
    (`host_side` reports those left out)."""
    return [
        signatures.signature(ctx, f, module, "host")
        for f in ctx.resource_functions(resource)
        if ctx.support.function_reason(f, "host") is None
    ]


def _member(sig: signatures.Signature) -> str:
    """A resource function's Python name (one scope per resource class)."""
    return names.escape(snake(sig.item), names.HOST_RESOURCE_NAMES)


def _resource_call(sig: signatures.Signature, cls: str) -> cm.Expr:
    """What the host lambda of a resource function calls."""
    args = tuple(cm.Name(a) for a in sig.args)
    host = cm.Name(sig.local)
    match sig.kind:
        case "constructor":
            return cm.Call(cm.Attr(host, cls), args)
        case "method":
            return cm.Call(cm.Attr(cm.Name("self"), _member(sig)), args)
        case "static":
            return cm.Call(cm.Attr(cm.Attr(host, cls), _member(sig)), args)
        case "freestanding":
            raise AssertionError("a resource's function is a constructor, method or static")


def _definition(module: ModuleBuilder, sig: signatures.Signature, instance: str | None, call: cm.Expr) -> cm.Expr:
    """`_rt.add_func(instance, "wit-name", _rt.host_func(...))`; traps name
    the function as `ns:pkg/iface#func` (the instance as linked)."""
    qualname: cm.Expr = cm.Add(cm.Name("name"), cm.Lit(f"#{sig.wit}")) if instance else cm.Lit(sig.wit)
    params = tuple(p.name for p in sig.params)
    host_func = cm.Call(
        module.rt("host_func"),
        (qualname, cm.Name("get"), cm.Lambda((sig.local, *params), call), sig.params_codec, sig.result_codec),
        (("raises", cm.Lit(True)),) if sig.is_result else (),
    )
    return cm.Call(module.rt("add_func"), (cm.Name("instance"), cm.Lit(sig.wit), host_func))


def _stub(
    name: str, params: tuple[cm.Param, ...], sig: signatures.Signature, returns: cm.Expr | None = None,
    decorator: cm.Decorator | None = None,
) -> cm.Def:
    return cm.Def(
        name, params, sig.returns if returns is None else returns, docs=sig.docs, decorator=decorator,
        raises=sig.raises,
    )


def _leave_out(module: ModuleBuilder, function: m.Function, instance: str | None, reason: str) -> None:
    module.left_out.append(cm.LeftOut(f"{instance}#{function.name}" if instance else function.name, reason))
