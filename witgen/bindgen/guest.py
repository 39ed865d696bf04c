"""What the host calls: an exported interface's `Exports` class (one typed
method per function), and a class per exported resource whose constructor,
methods and static functions call into the component."""

from __future__ import annotations

from .. import model as m
from . import code as cm
from . import names
from .awaited import async_methods, awaited_resource_function
from .context import Context, ModuleBuilder
from .names import Scope, shouty_part, snake
from .world_shape import interface_shape, shape_expr
from . import signature as signatures

SELF = cm.Name("self")
STORE = cm.Name("store")
# A resource's constructor and statics take the instance first: `Counter(exports, store, 5)`.
_CLASS_PARAMS = frozenset({"cls", "exports"})


def proxy(ctx: Context, module: ModuleBuilder, resource: m.TypeId) -> list[cm.Decl]:
    """An exported resource's class, then the specs its functions call
    through (module-level constants, written after the codecs)."""
    typedef = ctx.resolve.types[resource]
    cls = ctx.type_names[resource]
    wit = typedef.name or ""
    module.rt("GuestResource")  # the base class
    instance = ctx.instance_name(module)
    scope = Scope(names.PROXY_NAMES)
    methods: list[cm.Def] = []
    kinds: list[signatures.Kind] = []
    specs: list[cm.Decl] = []
    for function in ctx.resource_functions(resource):
        if ctx.support.function_reason(function, "guest") is not None:
            continue  # `exports_side` says why
        class_level = signatures.kind_of(function) in ("constructor", "static")
        sig = signatures.signature(ctx, function, module, "guest", _CLASS_PARAMS if class_level else frozenset())
        member = sig.item if sig.kind != "constructor" else "new"
        spec = module.scope.claim(f"_{shouty_part(wit)}_{shouty_part(member)}")
        specs.append(
            cm.Constant(
                spec,
                cm.Call(
                    module.rt("ExportSpec"),
                    (cm.Lit(instance), cm.Lit(sig.wit), sig.params_codec, sig.result_codec),
                    (("raises", cm.Lit(sig.is_result)),),
                ),
            )
        )
        store = cm.Param("store", module.name("wasmtime", "Store"))
        args = tuple(cm.Name(a) for a in sig.args)
        kinds.append(sig.kind)
        match sig.kind:
            case "constructor":
                # `__new__`: the runtime makes instances of a handle with `object.__new__`.
                call = _call(cm.Attr(cm.Attr(cm.Name("exports"), "_instance"), "funcs"), spec, args)
                params = (cm.Param("cls"), _exports_param(), store, *sig.python_params())
                methods.append(cm.Def("__new__", params, cm.Name(cls), sig.docs, body=call, local=sig.local))
            case "method":
                call = _call(cm.Attr(cm.Attr(SELF, "_instance"), "funcs"), spec, (SELF, *args))
                params = (cm.Param("self"), store, *sig.python_params())
                methods.append(_method(scope.claim(snake(sig.item)), params, sig, call))
            case "static":
                call = _call(cm.Attr(cm.Attr(cm.Name("exports"), "_instance"), "funcs"), spec, args)
                params = (_exports_param(), store, *sig.python_params())
                methods.append(_method(scope.claim(snake(sig.item)), params, sig, call, "staticmethod"))
            case "freestanding":
                raise AssertionError("a resource's function is a constructor, method or static")
    # Awaited twins, named after every synchronous one has its name: `new_async`, `increment_async`.
    async_exports = cm.Name(names.ASYNC_EXPORTS)
    store_calls = module.rt("store_calls")
    twins = [
        awaited_resource_function(
            method,
            scope.claim(f"{'new' if kind == 'constructor' else method.name}_async"),
            kind,
            cls,
            async_exports,
            store_calls,
        )
        for method, kind in zip(methods, kinds)
    ]
    docs = typedef.docs or f"Resource `{wit}`, exported by the component."
    return [cm.Proxy(cls, docs, wit, (*methods, *twins)), *specs]


def _exports_param() -> cm.Param:
    """The instance a constructor or static calls into: an `Exports`."""
    return cm.Param("exports", cm.Name(names.EXPORTS))


def _call(funcs: cm.Expr, spec: str, args: tuple[cm.Expr, ...]) -> cm.Expr:
    """`<instance>.funcs[SPEC].call(store, ...)`: the bound export, one dict lookup away."""
    return cm.Call(cm.Attr(cm.Subscript(funcs, (cm.Name(spec),)), "call"), (STORE, *args))


def _method(
    name: str, params: tuple[cm.Param, ...], sig: signatures.Signature, call: cm.Expr, decorator: cm.Decorator | None = None
) -> cm.Def:
    return cm.Def(name, params, sig.returns, sig.docs, decorator, call, sig.local, sig.raises)


def exported_functions(
    ctx: Context,
    module: ModuleBuilder,
    functions: list[m.Function],
    instance: str | None,
    scope: Scope,
    privates: Scope,
) -> tuple[list[cm.Slot], list[cm.Def]]:
    """The freestanding functions of an exported interface (or a world's
    own exports): a slot holding each bound export, and the method calling
    it. Reports what is left out, resource functions included."""
    slots, methods = [], []
    owner = cm.Name("instance") if instance is not None else cm.Attr(SELF, "_instance")
    name_expr = cm.Name("name") if instance is not None else cm.NONE
    for function in functions:
        reason = ctx.support.function_reason(function, "guest")
        if reason is not None:
            module.left_out.append(cm.LeftOut(f"{instance}#{function.name}" if instance else function.name, reason))
            continue
        if function.resource is not None:
            continue  # its resource's class has it
        sig = signatures.signature(ctx, function, module, "guest")
        name = scope.claim(snake(function.item_name))
        slot = privates.claim(f"_{name}")
        keywords = (("raises", cm.Lit(True)),) if sig.is_result else ()
        export = cm.Call(
            module.rt("ExportFunc"), (owner, name_expr, cm.Lit(sig.wit), sig.params_codec, sig.result_codec), keywords
        )
        slots.append(cm.Slot(slot, export))
        call = cm.Call(cm.Attr(cm.Attr(SELF, slot), "call"), (STORE, *(cm.Name(a) for a in sig.args)))
        store = cm.Param("store", module.name("wasmtime", "Store"))
        methods.append(_method(name, (cm.Param("self"), store, *sig.python_params()), sig, call))
    return slots, methods


def exports_side(ctx: Context, module: ModuleBuilder, functions: list[m.Function], instance: str) -> cm.Accessor:
    """An exported interface's class: `Exports(instance_state, name)`, or
    `Exports.instantiate(store, component, linker)` without a world."""
    slots, methods = exported_functions(
        ctx, module, functions, instance, Scope(names.ACCESSOR_NAMES), Scope(names.PRIVATE_NAMES)
    )
    module.exports += [names.EXPORTS, names.ASYNC_EXPORTS]
    # Its `__init__` and `instantiate(store, component, linker)`.
    module.name("wasmtime", "Store")
    module.name("wasmtime.component", "Component")
    module.name("wasmtime.component", "Linker")
    module.rt("InstanceState")
    iface = module.owner.id if module.owner is not None else None
    own_docs = ctx.resolve.interfaces[iface].docs if iface is not None else None
    docs = own_docs or f"The functions of `{instance}` the component exports."
    # What `Exports.instantiate` checks the component against.
    shape = module.scope.claim("_SHAPE")
    assert iface is not None, "an exported interface's module has its interface"
    value = shape_expr(interface_shape(ctx.resolve, m.InterfaceId(iface), instance), module.rt("WorldShape"))
    module.declarations.append(cm.Constant(shape, value))
    return cm.Accessor(names.EXPORTS, docs, instance, tuple(slots), tuple(methods), shape, names.ASYNC_EXPORTS,
                       async_methods(tuple(methods)))
