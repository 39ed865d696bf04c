"""What the templates render: plain data, every decision already made.

`witgen.bindgen` builds these from the resolved model; `witgen.render`
hands them to the Jinja templates, which only loop, branch and call macros.
Strings here are finished Python: names, annotations, codec expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# ---- types ----------------------------------------------------------------


@dataclass
class Member:
    """A record field, enum case or flag: `name` in Python, `wit` in WIT."""

    name: str
    wit: str
    docs: str | None
    annotation: str = ""


@dataclass
class RecordClass:
    name: str
    wit: str
    docs: str | None
    fields: list[Member]
    kind: str = "record"


@dataclass
class EnumClass:
    name: str
    wit: str
    docs: str | None
    members: list[Member]
    kind: str = "enum"


@dataclass
class FlagsClass:
    name: str
    wit: str
    docs: str | None
    members: list[Member]
    kind: str = "flags"


@dataclass
class VariantCase:
    name: str  # the case's class, `Shape_Circle`
    wit: str
    docs: str | None
    annotation: str | None  # of its `value`, None without payload


@dataclass
class VariantClass:
    name: str  # the Union alias
    wit: str
    docs: str | None
    cases: list[VariantCase]
    kind: str = "variant"


@dataclass
class AliasDef:
    name: str
    wit: str
    docs: str | None
    target: str  # the annotation it stands for
    kind: str = "alias"


@dataclass
class Method:
    """A function as the user sees it: in a Protocol, or on an accessor."""

    name: str
    wit: str  # the WIT name in the component (mangled for resources)
    docs: str | None
    params: list[Member]  # Python name, WIT name, annotation
    returns: str  # the annotation of what the Python function returns
    raises: str | None  # the annotation of `Err(...)` values, for the docstring
    spec: str  # the module-level private name of its codec spec
    params_codecs: str  # `(("a", _rt.S32), ...)`
    result_codec: str  # `_rt.S32` or "None"
    is_result: bool  # the WIT result is a `result`: ok returned, err raised
    kind: str = "freestanding"  # freestanding | method | static | constructor
    call: str = ""  # host side: the expression calling the implementation
    local: str = "result"  # the body's own name: an export's result, a host lambda's host
    slot: str = ""  # an export: the private attribute holding its `_rt.ExportFunc`


@dataclass
class HostResource:
    """A resource the host implements: a Protocol the host's class satisfies."""

    name: str
    wit: str
    docs: str | None
    handle: str  # the private `_rt.HostResource(...)` constant
    qualname: str
    constructor: Method | None
    methods: list[Method]
    statics: list[Method]
    kind: str = "host_resource"


@dataclass
class GuestResource:
    """A resource the guest exports: a proxy class calling into it."""

    name: str
    wit: str
    docs: str | None
    methods: list[Method]
    kind: str = "guest_resource"


TypeDecl = Union[RecordClass, EnumClass, FlagsClass, VariantClass, AliasDef, HostResource, GuestResource]


@dataclass
class Codec:
    """`_POINT = _rt.Record(Point, ...)`: built once, at import."""

    name: str
    expression: str


# ---- functions ------------------------------------------------------------


@dataclass
class HostSide:
    """What the host implements for one interface or a world's functions:
    a Protocol and the `add_to_linker` that registers it."""

    protocol: str
    docs: str | None
    instance: str | None  # `ns:pkg/iface@1.0.0`, None for world-level items
    functions: list[Method]
    resources: list[HostResource]
    linker_function: str  # `add_to_linker`, or `add_<world>_imports_to_linker`
    required: list[str]  # attributes `host_getter` checks
    # The resource classes go in a base Protocol: in the main one, a resource's
    # name must mean its Protocol class in annotations, not the attribute.
    resources_protocol: str = ""


@dataclass
class GuestSide:
    """What the host calls in one exported interface (or a world's functions)."""

    accessor: str  # the class name
    docs: str | None
    instance: str | None
    functions: list[Method]
    constructors: list[Method]
    statics: list[Method]


@dataclass
class Unsupported:
    """A function left out, and why (said in the module docstring and by the CLI)."""

    wit: str
    reason: str


# ---- modules --------------------------------------------------------------


@dataclass
class Module:
    path: str  # inside the generated package, `kvdb.py`
    docs: str
    imports: list[str] = field(default_factory=list)  # lines; "" between groups
    package_imports: list[str] = field(default_factory=list)  # `from . import x as _x`
    # `__init__` only: the runtime interface it checks before importing the rest.
    runtime_interface: int | None = None
    types: list[TypeDecl] = field(default_factory=list)
    codecs: list[Codec] = field(default_factory=list)
    specs: list[Codec] = field(default_factory=list)
    host: HostSide | None = None
    guest: GuestSide | None = None
    world: WorldClass | None = None
    unsupported: list[Unsupported] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)  # `__all__`


@dataclass
class WorldAccessor:
    """An exported interface as an attribute of the world class."""

    attribute: str
    cls: str  # `_kvdb.KvdbExports`
    instance: str  # the name it is exported as, a string literal
    docs: str | None


@dataclass
class WorldClass:
    name: str
    literal: str  # `"ns:pkg/world"`, a string literal
    wit: str  # `ns:pkg/world`
    docs: str | None
    accessors: list[WorldAccessor]
    guest: GuestSide | None  # the world's own exported functions
    linkers: list[tuple[str, str]]  # (parameter name, `_mod.add_to_linker`)
    host_param_annotations: list[tuple[str, str]]  # (parameter, Protocol annotation)
    wasi_http: bool  # the world imports wasi:http: `add_to_linker` adds wasmtime's
    wasi_default: bool = True  # `add_to_linker(wasi=...)`: False when WASI has Protocols here


@dataclass
class Package:
    """A whole generated package: its modules, and what was left out."""

    name: str
    source: str
    modules: list[Module]
    unsupported: list[Unsupported]
