"""WIT types -> Python: whether a type's values can cross wasmtime's C API,
each named type's declaration, and for any type its annotation and its codec
(the runtime object that lowers and lifts it). One `match` per question,
over every kind of the model: a new kind is handled here and nowhere else in
the back end."""

from __future__ import annotations

from .. import model as m
from .._compat import assert_never
from . import code as cm
from . import guest, host
from .context import Context, ModuleBuilder
from .names import Scope, shouty, snake

# Primitive -> (annotation, the runtime's codec). `error-context` values
# never reach Python (`support` leaves out what uses them).
PRIMITIVES: dict[str, tuple[str, str]] = {
    "bool": ("bool", "BOOL"),
    "s8": ("int", "S8"), "s16": ("int", "S16"), "s32": ("int", "S32"), "s64": ("int", "S64"),
    "u8": ("int", "U8"), "u16": ("int", "U16"), "u32": ("int", "U32"), "u64": ("int", "U64"),
    "f32": ("float", "F32"), "f64": ("float", "F64"),
    "char": ("str", "CHAR"), "string": ("str", "STRING"),
    "error-context": ("object", "ERROR_CONTEXT"),
}


def crossing_reason(kind: m.Primitive | m.TypeDefKind) -> str | None:
    """Why values of `kind` itself (not of the types it refers to) cannot
    cross wasmtime's C API, if they cannot; `support` leaves out what uses
    them."""
    match kind:
        case "error-context":
            return "`error-context` values, which wasmtime's C API cannot pass"
        case str():
            return None
        case m.Future() | m.Stream():
            return f"`{type(kind).__name__.lower()}` values, which wasmtime's C API cannot pass"
        case m.FixedList():
            return "fixed-length lists, which wasmtime's C API cannot pass"
        case (
            m.Alias() | m.Record() | m.Flags() | m.Variant() | m.Enum() | m.Resource() | m.Handle() | m.List()
            | m.Map() | m.Option() | m.Result() | m.Tuple() | m.Unknown()
        ):
            return None
        case _:
            assert_never(kind)


def declare(ctx: Context, module: ModuleBuilder, type_id: m.TypeId) -> list[cm.Decl]:
    """The declaration of a named type in its module, with the codec its
    module keeps for it (after every type: codecs refer to classes)."""
    typedef = ctx.resolve.types[type_id]
    name = ctx.type_names[type_id]
    wit = typedef.name or ""
    docs = typedef.docs
    match typedef.kind:
        case m.Record(fields=fields):
            module.name("dataclasses", "dataclass")
            members = tuple(
                cm.Member(python, f.name, f.docs, annotation(ctx, f.type, module))
                for python, f in zip(field_names(fields), fields)
            )
            return [cm.Record(name, docs or f"Record `{wit}`.", members)]
        case m.Enum(cases=cases):
            module.module("enum")
            scope = Scope()
            members = tuple(cm.Member(scope.claim(shouty(c.name)), c.name, c.docs) for c in cases)
            return [cm.Enum(name, docs or f"Enum `{wit}`.", members)]
        case m.Flags(flags=flags):
            module.module("enum")
            scope = Scope()
            members = tuple(cm.Member(scope.claim(shouty(f.name)), f.name, f.docs) for f in flags)
            return [cm.Flags(name, docs or f"Flags `{wit}`.", members)]
        case m.Variant(cases=variant_cases):
            module.name("dataclasses", "dataclass")
            module.name("typing", "Union")
            declared = tuple(
                cm.Case(
                    case_name,
                    c.docs or f"Case `{c.name}` of `{wit}`.",
                    annotation(ctx, c.type, module) if c.type is not None else None,
                )
                for case_name, c in zip(ctx.case_names[type_id], variant_cases)
            )
            return [cm.Variant(name, docs or f"Variant `{wit}`.", declared)]
        case m.Resource():
            match ctx.role(type_id):
                case "host":
                    return [host.resource_protocol(ctx, module, type_id)]
                case "guest":
                    return guest.proxy(ctx, module, type_id)
                case "types":
                    module.rt("GuestResource")
                    return [cm.Proxy(name, docs or "A resource wasmtime implements.", wit, ())]
                case other:
                    assert_never(other)
        case (
            m.Alias() | m.Handle() | m.List() | m.FixedList() | m.Map() | m.Option() | m.Result() | m.Tuple()
            | m.Future() | m.Stream() | m.Unknown()
        ):
            # `type a = ...`, `use`d names, handles and anonymous shapes given a name.
            return [cm.Alias(name, docs, shape_annotation(ctx, typedef.kind, module))]
        case _:
            assert_never(typedef.kind)


def named_codec(ctx: Context, module: ModuleBuilder, type_id: m.TypeId) -> cm.Constant | None:
    """The module-level codec of a named type its module declares, if the
    type has one of its own."""
    typedef = ctx.resolve.types[type_id]
    if ctx.support.value_reason(type_id) is not None:
        return None
    wit = cm.Lit(ctx.wit_qualname(type_id))
    cls = cm.Name(ctx.type_names[type_id])
    match typedef.kind:
        case m.Record(fields=fields):
            parts = tuple(
                cm.TupleOf((cm.Lit(python), cm.Lit(f.name), codec(ctx, f.type, module)))
                for python, f in zip(field_names(fields), fields)
            )
            value: cm.Expr = cm.Call(module.rt("Record"), (wit, cls, cm.ListOf(parts)))
        case m.Enum(cases=cases):
            value = cm.Call(module.rt("Enum"), (wit, cls, cm.ListOf(tuple(cm.Lit(c.name) for c in cases))))
        case m.Flags(flags=flags):
            value = cm.Call(module.rt("Flags"), (wit, cls, cm.ListOf(tuple(cm.Lit(f.name) for f in flags))))
        case m.Variant(cases=cases):
            parts = tuple(
                cm.TupleOf((cm.Lit(c.name), cm.Name(case), codec(ctx, c.type, module) if c.type is not None else cm.NONE))
                for case, c in zip(ctx.case_names[type_id], cases)
            )
            value = cm.Call(module.rt("Variant"), (wit, cm.ListOf(parts)))
        case m.Resource():
            if ctx.role(type_id) != "host":
                return None  # a proxy class is its own codec's argument
            value = cm.Call(module.rt("HostResource"), (wit,))
        case m.Alias():
            return None  # its target's codec is used: `use`d names are aliases
        case m.Handle() | m.List() | m.Map() | m.Option() | m.Result() | m.Tuple():
            # A named shape (`type t = tuple<a, a>`) has one codec that every
            # use shares: written out at each, a type naming the previous
            # one twice would be 2**depth codecs.
            value = shape_codec(ctx, typedef.kind, module)
        case m.FixedList() | m.Future() | m.Stream() | m.Unknown():
            return None  # `support` leaves out what uses them
        case _:
            assert_never(typedef.kind)
    return cm.Constant(ctx.codec_names[type_id], value)


def field_names(fields: list[m.Field]) -> list[str]:
    """A record's Python field names. Fields are keyword arguments: even
    `self` works (dataclasses allow it)."""
    scope = Scope()
    return [scope.claim(snake(f.name)) for f in fields]


def annotation(ctx: Context, ty: m.Type, module: ModuleBuilder, *, host_param: bool = False) -> cm.Expr:
    """The Python annotation of `ty` in `module`. `host_param`: a parameter
    of what the host implements, where a host resource is `Any`: the host
    gets its own objects, and a resource's Protocol would reject its
    classes (parameters are contravariant)."""
    if isinstance(ty, str):
        return cm.Name(PRIMITIVES[ty][0])
    typedef = ctx.resolve.types[ty]
    if host_param and isinstance(typedef.kind, m.Resource) and ctx.role(ty) == "host":
        return module.name("typing", "Any")
    if typedef.name is not None and ty in ctx.type_names:
        return module.qualify(ctx.module_of(typedef.owner), ctx.type_names[ty])
    return shape_annotation(ctx, typedef.kind, module, host_param=host_param)


def shape_annotation(ctx: Context, kind: m.TypeDefKind, module: ModuleBuilder, *, host_param: bool = False) -> cm.Expr:
    """The annotation of a type's structure (what an alias stands for)."""

    def of(ty: m.Type) -> cm.Expr:
        return annotation(ctx, ty, module, host_param=host_param)

    match kind:
        case m.Alias(target=target):
            return of(target)
        case m.List(element=element):
            if ctx.unalias(element) == "u8":
                return cm.Name("bytes")
            return cm.Subscript(cm.Name("list"), (of(element),))
        case m.FixedList(element=element):
            return cm.Subscript(cm.Name("list"), (of(element),))
        case m.Option(inner=inner):
            value = of(inner)
            if _is_option(ctx, inner):
                value = cm.Subscript(module.rt("Some"), (value,))
            return cm.Subscript(module.name("typing", "Optional"), (value,))
        case m.Result(ok=ok, err=err):
            return cm.Subscript(module.rt("Result"), (of(ok) if ok is not None else cm.NONE, of(err) if err is not None else cm.NONE))
        case m.Tuple(types=types):
            return cm.Subscript(cm.Name("tuple"), tuple(of(t) for t in types))
        case m.Map(key=key, value=value_type):
            return cm.Subscript(cm.Name("dict"), (of(key), of(value_type)))
        case m.Handle(resource=resource):
            return of(resource)
        case m.Record() | m.Enum() | m.Flags() | m.Variant() | m.Resource():
            raise AssertionError("a named kind is declared, not written out")
        case m.Future() | m.Stream() | m.Unknown():
            return cm.Name("object")  # no values in wasmtime's C API: `support` leaves them out
        case _:
            assert_never(kind)


def _is_option(ctx: Context, ty: m.Type) -> bool:
    target = ctx.unalias(ty)
    return isinstance(target, int) and isinstance(ctx.resolve.types[target].kind, m.Option)


def codec(ctx: Context, ty: m.Type, module: ModuleBuilder) -> cm.Expr:
    """The codec of `ty` in `module`: a primitive's, a named type's
    module-level one, or one written out for its structure."""
    ty = ctx.unalias(ty)  # iteratively: chains of `use` can be thousands long
    if isinstance(ty, str):
        return module.rt(PRIMITIVES[ty][1])
    typedef = ctx.resolve.types[ty]
    if typedef.name is not None and ty in ctx.codec_names:
        match typedef.kind:
            case m.Resource():
                return handle_codec(ctx, "own", ty, module)
            case (
                m.Record() | m.Enum() | m.Flags() | m.Variant() | m.Handle() | m.List() | m.Map() | m.Option()
                | m.Result() | m.Tuple()
            ):
                return module.qualify(ctx.module_of(typedef.owner), ctx.codec_names[ty])
            case m.Alias() | m.FixedList() | m.Future() | m.Stream() | m.Unknown():
                pass  # its target's, below
            case _:
                assert_never(typedef.kind)
    return shape_codec(ctx, typedef.kind, module)


def shape_codec(ctx: Context, kind: m.TypeDefKind, module: ModuleBuilder) -> cm.Expr:
    def of(ty: m.Type | None) -> cm.Expr:
        return codec(ctx, ty, module) if ty is not None else cm.NONE

    match kind:
        case m.Alias(target=target):
            return of(target)
        case m.List(element=element):
            if ctx.unalias(element) == "u8":
                return module.rt("BYTES")
            return cm.Call(module.rt("List"), (of(element),))
        case m.Option(inner=inner):
            return cm.Call(module.rt("Option"), (of(inner),))
        case m.Result(ok=ok, err=err):
            return cm.Call(module.rt("ResultOf"), (of(ok), of(err)))
        case m.Tuple(types=types):
            return cm.Call(module.rt("Tuple"), tuple(of(t) for t in types))
        case m.Map(key=key, value=value):
            return cm.Call(module.rt("Map"), (of(key), of(value)))
        case m.Handle(kind=how, resource=resource):
            return handle_codec(ctx, how, resource, module)
        case m.Record() | m.Enum() | m.Flags() | m.Variant() | m.Resource():
            raise AssertionError("a named kind has a module-level codec")
        case m.FixedList() | m.Future() | m.Stream() | m.Unknown():
            raise AssertionError(f"no codec for {kind}: `support` leaves out what uses it")
        case _:
            assert_never(kind)


def handle_codec(ctx: Context, how: str, resource: m.TypeId, module: ModuleBuilder) -> cm.Expr:
    resource = ctx.resource_of(resource)
    owner = ctx.module_of(ctx.resolve.types[resource].owner)
    if ctx.role(resource) == "host":
        handle = module.qualify(owner, ctx.codec_names[resource])
        return cm.Call(module.rt("Own" if how == "own" else "Borrow"), (handle,))
    cls = module.qualify(owner, ctx.type_names[resource])
    return cm.Call(module.rt("GuestOwn" if how == "own" else "GuestBorrow"), (cls,))
