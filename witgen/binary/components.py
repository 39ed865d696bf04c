"""Component binary -> its component-level types (a small validator).

Reads a component's sections and builds what wasmparser's validator knows
of it, as much as decoding WIT needs: each type index space, the types of
functions, instances and nested components, what every import and export
is. Core modules, core instances and core types are skipped (their sections
are sized); canonical definitions are read only for the functions `lift`
creates.

Types live in one arena (`Store`) and are addressed by id, with
wasmparser's identities: a type export `(eq t)` and an exported type each
create a new id that is an *alias* of `t` (`Store.peel` follows it); `(sub
resource)` creates a fresh resource. Instantiating a component substitutes
its imported types with the arguments' (`Store.remap`), creating new ids
only for types that change. `witgen.binary.decode` reads the result.
"""

from __future__ import annotations

from typing import Literal, Optional, TypeGuard, Union

from .. import model as m

from .._records import dataclass, field
from .reader import BinaryError, Reader

# A value type: a primitive's name or a type id.
ValType = Union[str, int]

PRIMITIVE_CODES = {
    0x7F: "bool",
    0x7E: "s8",
    0x7D: "u8",
    0x7C: "s16",
    0x7B: "u16",
    0x7A: "s32",
    0x79: "u32",
    0x78: "s64",
    0x77: "u64",
    0x76: "f32",
    0x75: "f64",
    0x74: "char",
    0x73: "string",
    0x64: "error-context",
}

Sort = Literal["type", "func", "instance", "component", "module", "value", "core"]


@dataclass(frozen=True)
class Entity:
    """An import or export: its sort and type. For a type, `id` is the type
    referenced and `created` the id the import/export introduces."""

    sort: Sort
    id: int = -1
    created: int = -1
    external_id: Optional[str] = None
    implements: Optional[str] = None
    version_suffix: Optional[str] = None


# ---- the arena's entries --------------------------------------------------


@dataclass(frozen=True)
class Prim:
    name: str


@dataclass(frozen=True)
class RecordT:
    fields: tuple[tuple[str, ValType], ...]


@dataclass(frozen=True)
class VariantT:
    cases: tuple[tuple[str, Optional[ValType]], ...]


@dataclass(frozen=True)
class FlagsT:
    names: tuple[str, ...]


@dataclass(frozen=True)
class EnumT:
    names: tuple[str, ...]


@dataclass(frozen=True)
class HandleT:
    kind: Literal["own", "borrow"]
    resource: int


# Shapes (`list<T>`, ...) are the model's own classes, over `ValType`.
Defined = Union[Prim, RecordT, VariantT, FlagsT, EnumT, HandleT, m.Shape[ValType]]


@dataclass(frozen=True)
class FuncT:
    params: tuple[tuple[str, ValType], ...]
    result: Optional[ValType]
    is_async: bool


@dataclass(frozen=True)
class ResourceT:
    pass


@dataclass(frozen=True)
class AliasT:
    target: int


@dataclass
class InstanceT:
    exports: dict[str, Entity] = field(default_factory=dict)


@dataclass
class ComponentT:
    imports: dict[str, Entity] = field(default_factory=dict)
    exports: dict[str, Entity] = field(default_factory=dict)


Entry = Union[Defined, FuncT, ResourceT, AliasT, InstanceT, ComponentT]


def is_defined(entry: object) -> TypeGuard[Defined]:
    """Whether `entry` is a value type (not a function, resource, instance...)."""
    return isinstance(entry, (Prim, RecordT, VariantT, FlagsT, EnumT, HandleT)) or m.is_shape(entry)

# Beyond what any real component has; bounds the work hostile input causes.
MAX_TYPES = 1_000_000
MAX_NESTING = 100


class Store:
    """The arena of component-level types."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        # The id at the end of each one's alias chain: chains of exports can
        # be long, and `resolved` is asked about them often.
        self.roots: list[int] = []

    def add(self, entry: Entry, offset: int = 0) -> int:
        if len(self.entries) >= MAX_TYPES:
            raise BinaryError(offset, f"more than {MAX_TYPES} types")
        id = len(self.entries)
        self.entries.append(entry)
        self.roots.append(self.roots[entry.target] if isinstance(entry, AliasT) else id)
        return id

    def peel(self, id: int) -> int | None:
        """What an alias stands for; None for a type that is no alias."""
        entry = self.entries[id]
        return entry.target if isinstance(entry, AliasT) else None

    def resolved(self, id: int) -> Entry:
        """The entry behind `id` and its aliases."""
        return self.entries[self.roots[id]]

    def remap(self, id: int, mapping: dict[int, int], memo: dict[int, int], depth: int = 0) -> int:
        """`id` with `mapping` substituted throughout; a new id only where
        something changed (memoised per substitution)."""
        if id in mapping:
            return mapping[id]
        if id in memo:
            return memo[id]
        if depth > MAX_NESTING:
            raise BinaryError(0, "types are nested too deeply")
        entry = self.entries[id]
        new = self._remap_entry(entry, mapping, memo, depth + 1)
        result = id if new is None else self.add(new)
        memo[id] = result
        return result

    def _remap_entry(self, entry: Entry, mapping: dict[int, int], memo: dict[int, int], depth: int) -> Entry | None:
        """The entry with ids substituted, or None if nothing changed."""

        def v(t: ValType) -> ValType:
            return t if isinstance(t, str) else self.remap(t, mapping, memo, depth)

        def o(t: ValType | None) -> ValType | None:
            return None if t is None else v(t)

        new: Entry
        match entry:
            case Prim() | FlagsT() | EnumT() | ResourceT():
                return None
            case AliasT(target=target):
                new = AliasT(self.remap(target, mapping, memo, depth))
            case RecordT(fields=fields):
                new = RecordT(tuple((n, v(t)) for n, t in fields))
            case VariantT(cases=cases):
                new = VariantT(tuple((n, o(t)) for n, t in cases))
            case HandleT(kind=kind, resource=resource):
                new = HandleT(kind, self.remap(resource, mapping, memo, depth))
            case FuncT(params=params, result=result, is_async=is_async):
                new = FuncT(tuple((n, v(t)) for n, t in params), o(result), is_async)
            case InstanceT(exports=exports):
                new_exports = {n: self.remap_entity(e, mapping, memo, depth) for n, e in exports.items()}
                if new_exports == exports:
                    return None
                return InstanceT(new_exports)
            case ComponentT(imports=imports, exports=exports):
                new_imports = {n: self.remap_entity(e, mapping, memo, depth) for n, e in imports.items()}
                new_exports = {n: self.remap_entity(e, mapping, memo, depth) for n, e in exports.items()}
                if new_imports == imports and new_exports == exports:
                    return None
                return ComponentT(new_imports, new_exports)
            case _:
                new = m.map_shape(entry, v)
        return None if new == entry else new

    def remap_entity(self, entity: Entity, mapping: dict[int, int], memo: dict[int, int], depth: int = 0) -> Entity:
        if entity.sort not in ("type", "func", "instance", "component"):
            return entity
        id = self.remap(entity.id, mapping, memo, depth)
        created = self.remap(entity.created, mapping, memo, depth) if entity.sort == "type" else -1
        if id == entity.id and created == entity.created:
            return entity
        return Entity(entity.sort, id, created, entity.external_id, entity.implements, entity.version_suffix)


# ---- scopes and index spaces ---------------------------------------------

ScopeKind = Literal["component", "component-type", "instance-type"]


class Scope:
    """One component, component type or instance type being read: its
    index spaces (ids into the `Store`) and what it imports and exports."""

    def __init__(self, kind: ScopeKind, parent: Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.types: list[int] = []
        self.funcs: list[int] = []
        self.instances: list[int] = []
        self.components: list[int] = []
        self.imports: dict[str, Entity] = {}
        self.exports: dict[str, Entity] = {}
        # Custom sections by name (top-level ones carry `package-docs`).
        self.custom: list[tuple[str, bytes, int]] = []

    def depth(self) -> int:
        return 0 if self.parent is None else 1 + self.parent.depth()


@dataclass
class Component:
    """What decoding needs of a component binary."""

    store: Store
    imports: dict[str, Entity]
    exports: dict[str, Entity]
    # (name, bytes, offset) of each top-level custom section.
    custom: list[tuple[str, bytes, int]]
    # Imports and exports in the order the binary lists them (wit-parser's
    # order for a component's world): (name, is_import).
    order: list[tuple[str, bool]]


MAGIC = b"\0asm"
COMPONENT_VERSION = b"\x0d\x00\x01\x00"


def read_component(data: bytes) -> Component:
    """Parse a component binary (raises `BinaryError`)."""
    reader = Reader(data)
    store = Store()
    top = Scope("component", None)
    order: list[tuple[str, bool]] = []
    _Parser(store).component(reader, top, order)
    if not reader.at_end():
        raise reader.error("unexpected bytes after the component")
    return Component(store, top.imports, top.exports, top.custom, order)


_SECTION_NAMES = {
    0: "custom",
    1: "core module",
    2: "core instance",
    3: "core type",
    4: "component",
    5: "instance",
    6: "alias",
    7: "type",
    8: "canonical function",
    9: "start",
    10: "import",
    11: "export",
    12: "value",
}


class _Parser:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- the component and its sections ----

    def component(self, r: Reader, scope: Scope, order: list[tuple[str, bool]] | None = None) -> None:
        start = r.pos
        header = r.bytes(8) if r.remaining >= 8 else r.bytes(r.remaining)
        if header[:4] != MAGIC:
            raise BinaryError(start, "not a WebAssembly binary (no `\\0asm` magic)")
        if len(header) < 8:
            raise BinaryError(start + len(header), "unexpected end of binary in its header")
        if header[4:8] != COMPONENT_VERSION:
            if header[6:8] == b"\x00\x00":
                raise BinaryError(start + 4, "a core WebAssembly module, not a component")
            raise BinaryError(start + 4, f"unknown component binary version {header[4:8].hex()}")
        if scope.depth() > MAX_NESTING:
            raise BinaryError(start, "components are nested too deeply")
        while not r.at_end():
            section_start = r.pos
            code = r.byte()
            size = r.u32()
            if size > r.remaining:
                raise BinaryError(
                    section_start + 1,
                    f"{_SECTION_NAMES.get(code, 'unknown')} section size {size} is larger than the {r.remaining} bytes left",
                )
            body = r.sub(size)
            self.section(code, body, scope, order, section_start)
            if code != 4:
                body.expect_end(f"the {_SECTION_NAMES.get(code, '')} section")

    def section(self, code: int, r: Reader, scope: Scope, order: list[tuple[str, bool]] | None, start: int) -> None:
        match code:
            case 0:
                name = r.name()
                scope.custom.append((name, r.bytes(r.remaining), r.pos))
            case 1 | 2 | 3:
                r.pos = r.end  # core definitions: nothing WIT needs
            case 4:
                inner = Scope("component", scope)
                self.component(r, inner)
                r.expect_end("the nested component")
                ty = self.store.add(ComponentT(inner.imports, inner.exports), start)
                scope.components.append(ty)
            case 5:
                for _ in range(r.count()):
                    self.instance(r, scope)
            case 6:
                for _ in range(r.count()):
                    self.alias(r, scope)
            case 7:
                for _ in range(r.count()):
                    scope.types.append(self.deftype(r, scope))
            case 8:
                for _ in range(r.count()):
                    self.canon(r, scope)
            case 9 | 12:
                raise r.error(f"{_SECTION_NAMES[code]} sections are not supported", start)
            case 10:
                for _ in range(r.count()):
                    at = r.pos
                    name, attrs = self.name_attributes(r)
                    entity = self.externtype(r, scope, attrs)
                    self.add_import(scope, name, entity, at)
                    if order is not None:
                        order.append((name, True))
            case 11:
                for _ in range(r.count()):
                    at = r.pos
                    name, attrs = self.name_attributes(r)
                    entity = self.export(r, scope, attrs)
                    self.add_export(scope, name, entity, at)
                    if order is not None:
                        order.append((name, False))
            case _:
                raise r.error(f"unknown section code {code:#x}", start)

    # ---- names ----

    def name_attributes(self, r: Reader) -> tuple[str, tuple[str | None, str | None, str | None]]:
        """An import/export name and its (implements, version suffix,
        external id) attributes."""
        at = r.pos
        tag = r.byte()
        if tag in (0x00, 0x01):
            return r.name(), (None, None, None)
        if tag != 0x02:
            raise r.error(f"unknown name encoding {tag:#x}", at)
        name = r.name()
        implements = suffix = external = None
        for _ in range(r.count()):
            kind_at = r.pos
            kind = r.byte()
            match kind:
                case 0x00:
                    implements = r.name()
                case 0x01:
                    suffix = r.name()
                case 0x02:
                    external = r.name()
                case _:
                    raise r.error(f"unknown name attribute {kind:#x}", kind_at)
        return name, (implements, suffix, external)

    # ---- index spaces ----

    def _index(self, space: list[int], index: int, what: str, at: int) -> int:
        if index >= len(space):
            raise BinaryError(at, f"{what} index {index} out of bounds ({len(space)} defined)")
        return space[index]

    def type_at(self, scope: Scope, index: int, at: int) -> int:
        return self._index(scope.types, index, "type", at)

    def valtype(self, r: Reader, scope: Scope) -> ValType:
        at = r.pos
        value = r.s33()
        if value < 0:
            code = value + 0x80
            prim = PRIMITIVE_CODES.get(code)
            if prim is None:
                raise r.error(f"unknown value type {code:#x}", at)
            return prim
        id = self.type_at(scope, value, at)
        if not is_defined(self.store.resolved(id)):
            raise r.error(f"type index {value} is not a value type", at)
        return id

    def resource_at(self, scope: Scope, index: int, at: int) -> int:
        id = self.type_at(scope, index, at)
        if not isinstance(self.store.resolved(id), ResourceT):
            raise BinaryError(at, f"type index {index} is not a resource type")
        return id

    def _kind_at(self, scope: Scope, index: int, at: int, kind: type, what: str) -> int:
        id = self.type_at(scope, index, at)
        if not isinstance(self.store.resolved(id), kind):
            raise BinaryError(at, f"type index {index} is not {what}")
        return id

    # ---- types ----

    def deftype(self, r: Reader, scope: Scope) -> int:
        at = r.pos
        tag = r.peek()
        store = self.store
        if tag in (0x40, 0x43):
            r.byte()
            params = self.labelled(r, scope)
            result_tag = r.byte()
            if result_tag == 0x00:
                result: ValType | None = self.valtype(r, scope)
            elif result_tag == 0x01:
                if r.byte() != 0x00:
                    raise r.error("named results are not supported", r.pos - 1)
                result = None
            else:
                raise r.error(f"unknown result encoding {result_tag:#x}", r.pos - 1)
            return store.add(FuncT(params, result, tag == 0x43), at)
        if tag == 0x41:
            r.byte()
            inner = Scope("component-type", scope)
            self.declarations(r, inner)
            return store.add(ComponentT(inner.imports, inner.exports), at)
        if tag == 0x42:
            r.byte()
            inner = Scope("instance-type", scope)
            self.declarations(r, inner)
            return store.add(InstanceT(inner.exports), at)
        if tag == 0x3F:
            r.byte()
            if scope.kind != "component":
                raise r.error("resource definitions are not allowed in a type", at)
            r.byte()  # the core representation
            if r.byte() == 0x01:
                r.u32()  # the destructor
            return store.add(ResourceT(), at)
        return store.add(self.defvaltype(r, scope), at)

    def labelled(self, r: Reader, scope: Scope) -> tuple[tuple[str, ValType], ...]:
        return tuple((r.name(), self.valtype(r, scope)) for _ in range(r.count(2)))

    def optional_valtype(self, r: Reader, scope: Scope) -> ValType | None:
        at = r.pos
        flag = r.byte()
        if flag == 0x00:
            return None
        if flag == 0x01:
            return self.valtype(r, scope)
        raise r.error(f"invalid optional flag {flag:#x}", at)

    def defvaltype(self, r: Reader, scope: Scope) -> Defined:
        at = r.pos
        tag = r.byte()
        if tag in PRIMITIVE_CODES:
            return Prim(PRIMITIVE_CODES[tag])
        match tag:
            case 0x72:
                fields = self.labelled(r, scope)
                if not fields:
                    raise r.error("a record needs at least one field", at)
                return RecordT(fields)
            case 0x71:
                cases: list[tuple[str, ValType | None]] = []
                for _ in range(r.count(3)):
                    name = r.name()
                    ty = self.optional_valtype(r, scope)
                    refines_at = r.pos
                    if r.byte() != 0x00:
                        raise r.error("variant case refinements are not supported", refines_at)
                    cases.append((name, ty))
                if not cases:
                    raise r.error("a variant needs at least one case", at)
                return VariantT(tuple(cases))
            case 0x70:
                return m.List(self.valtype(r, scope))
            case 0x67:
                element = self.valtype(r, scope)
                size = r.u32()
                if size == 0:
                    raise r.error("a fixed-length list needs a length above 0", at)
                return m.FixedList(element, size)
            case 0x63:
                return m.Map(self.valtype(r, scope), self.valtype(r, scope))
            case 0x6F:
                types = [self.valtype(r, scope) for _ in range(r.count())]
                if not types:
                    raise r.error("a tuple needs at least one type", at)
                return m.Tuple(tuple(types))
            case 0x6E | 0x6D:
                names = tuple(r.name() for _ in range(r.count()))
                if not names:
                    raise r.error(f"{'flags' if tag == 0x6E else 'an enum'} needs at least one name", at)
                return FlagsT(names) if tag == 0x6E else EnumT(names)
            case 0x6B:
                return m.Option(self.valtype(r, scope))
            case 0x6A:
                return m.Result(self.optional_valtype(r, scope), self.optional_valtype(r, scope))
            case 0x69 | 0x68:
                index_at = r.pos
                resource = self.resource_at(scope, r.u32(), index_at)
                return HandleT("own" if tag == 0x69 else "borrow", resource)
            case 0x66:
                return m.Stream(self.optional_valtype(r, scope))
            case 0x65:
                return m.Future(self.optional_valtype(r, scope))
        raise r.error(f"unknown type encoding {tag:#x}", at)

    def declarations(self, r: Reader, scope: Scope) -> None:
        """The declarations of a component type or instance type."""
        if scope.depth() > MAX_NESTING:
            raise r.error("types are nested too deeply")
        for _ in range(r.count()):
            at = r.pos
            tag = r.byte()
            match tag:
                case 0x03 if scope.kind == "component-type":
                    name, attrs = self.name_attributes(r)
                    entity = self.externtype(r, scope, attrs)
                    self.add_import(scope, name, entity, at)
                case 0x00:
                    raise r.error("core types inside component types are not supported", at)
                case 0x01:
                    scope.types.append(self.deftype(r, scope))
                case 0x02:
                    self.alias(r, scope)
                case 0x04:
                    name, attrs = self.name_attributes(r)
                    entity = self.externtype(r, scope, attrs)
                    self.add_export(scope, name, entity, at)
                case _:
                    raise r.error(f"unknown declaration {tag:#x}", at)

    def externtype(self, r: Reader, scope: Scope, attrs: tuple[str | None, str | None, str | None]) -> Entity:
        implements, suffix, external = attrs
        at = r.pos
        tag = r.byte()
        match tag:
            case 0x00:
                if r.byte() != 0x11:
                    raise r.error("expected a core module type", at + 1)
                r.u32()
                return Entity("module")
            case 0x01:
                return Entity("func", self._kind_at(scope, r.u32(), at, FuncT, "a function type"), -1, external)
            case 0x02:
                raise r.error("value imports and exports are not supported", at)
            case 0x03:
                bound_at = r.pos
                bound = r.byte()
                if bound == 0x00:
                    referenced = self.type_at(scope, r.u32(), bound_at)
                    created = self.store.add(AliasT(referenced), at)
                    return Entity("type", referenced, created, external)
                if bound == 0x01:
                    resource = self.store.add(ResourceT(), at)
                    return Entity("type", resource, resource, external)
                raise r.error(f"unknown type bound {bound:#x}", bound_at)
            case 0x04:
                return Entity("component", self._kind_at(scope, r.u32(), at, ComponentT, "a component type"))
            case 0x05:
                id = self._kind_at(scope, r.u32(), at, InstanceT, "an instance type")
                return Entity("instance", id, -1, external, implements, suffix)
        raise r.error(f"unknown extern type {tag:#x}", at)

    def add_import(self, scope: Scope, name: str, entity: Entity, at: int) -> None:
        if name in scope.imports:
            raise BinaryError(at, f"duplicate import name `{name}`")
        scope.imports[name] = entity
        self.push(scope, entity)

    def add_export(self, scope: Scope, name: str, entity: Entity, at: int) -> None:
        if name in scope.exports:
            raise BinaryError(at, f"duplicate export name `{name}`")
        scope.exports[name] = entity
        self.push(scope, entity)

    def push(self, scope: Scope, entity: Entity) -> None:
        """An import, export or alias adds an index to its sort's space."""
        match entity.sort:
            case "type":
                scope.types.append(entity.created)
            case "func":
                scope.funcs.append(entity.id)
            case "instance":
                scope.instances.append(entity.id)
            case "component":
                scope.components.append(entity.id)
            case "module" | "value" | "core":
                pass

    # ---- sorts, aliases, exports, instances ----

    def sort(self, r: Reader) -> Sort:
        at = r.pos
        tag = r.byte()
        match tag:
            case 0x00:
                core = r.byte()
                return "module" if core == 0x11 else "core"
            case 0x01:
                return "func"
            case 0x02:
                return "value"
            case 0x03:
                return "type"
            case 0x04:
                return "component"
            case 0x05:
                return "instance"
        raise r.error(f"unknown sort {tag:#x}", at)

    def item(self, scope: Scope, sort: Sort, index: int, at: int) -> Entity:
        """The entity at `index` of `sort`'s space (as an instantiation
        argument or an export sees it)."""
        match sort:
            case "type":
                id = self.type_at(scope, index, at)
                return Entity("type", id, id)
            case "func":
                return Entity("func", self._index(scope.funcs, index, "function", at))
            case "instance":
                return Entity("instance", self._index(scope.instances, index, "instance", at))
            case "component":
                return Entity("component", self._index(scope.components, index, "component", at))
            case "value":
                raise BinaryError(at, "values are not supported")
            case "module" | "core":
                return Entity(sort)

    def alias(self, r: Reader, scope: Scope) -> None:
        at = r.pos
        sort = self.sort(r)
        tag = r.byte()
        match tag:
            case 0x00:
                instance = self._index(scope.instances, r.u32(), "instance", at)
                name = r.name()
                ty = self.store.resolved(instance)
                assert isinstance(ty, InstanceT)
                found = ty.exports.get(name)
                if found is None:
                    raise r.error(f"instance has no export named `{name}`", at)
                if found.sort != sort and not (sort == "core" and found.sort == "module"):
                    raise r.error(f"export `{name}` is a {found.sort}, not a {sort}", at)
                self.push(scope, found)
            case 0x01:
                r.u32()
                r.name()  # a core export: nothing WIT needs
            case 0x02:
                count = r.u32()
                index = r.u32()
                outer = scope
                for _ in range(count):
                    if outer.parent is None:
                        raise r.error(f"outer alias count {count} is beyond the enclosing scopes", at)
                    outer = outer.parent
                match sort:
                    case "type":
                        scope.types.append(self.type_at(outer, index, at))
                    case "component":
                        scope.components.append(self._index(outer.components, index, "component", at))
                    case "module" | "core":
                        pass
                    case _:
                        raise r.error(f"outer aliases of a {sort} are not allowed", at)
            case _:
                raise r.error(f"unknown alias kind {tag:#x}", at)

    def export(self, r: Reader, scope: Scope, attrs: tuple[str | None, str | None, str | None]) -> Entity:
        at = r.pos
        sort = self.sort(r)
        index = r.u32()
        actual = self.item(scope, sort, index, at)
        if actual.sort == "type":
            # An exported type is a new type equal to the one exported.
            actual = Entity("type", actual.id, self.store.add(AliasT(actual.id), at))
        flag_at = r.pos
        flag = r.byte()
        if flag == 0x01:
            ascribed = self.externtype(r, scope, attrs)
            if ascribed.sort != actual.sort:
                raise r.error(f"ascribed type of export is a {ascribed.sort}, not a {actual.sort}", flag_at)
            if ascribed.sort != "type":
                actual = ascribed
        elif flag != 0x00:
            raise r.error(f"invalid optional flag {flag:#x}", flag_at)
        implements, suffix, external = attrs
        return Entity(actual.sort, actual.id, actual.created, external, implements, suffix)

    def instance(self, r: Reader, scope: Scope) -> None:
        at = r.pos
        tag = r.byte()
        if tag == 0x00:
            component = self._index(scope.components, r.u32(), "component", at)
            args: dict[str, Entity] = {}
            for _ in range(r.count()):
                arg_at = r.pos
                name = r.name()
                sort = self.sort(r)
                args[name] = self.item(scope, sort, r.u32(), arg_at)
            scope.instances.append(self.instantiate(component, args, at))
        elif tag == 0x01:
            exports: dict[str, Entity] = {}
            for _ in range(r.count()):
                export_at = r.pos
                name, attrs = self.name_attributes(r)
                sort = self.sort(r)
                entity = self.item(scope, sort, r.u32(), export_at)
                exports[name] = Entity(entity.sort, entity.id, entity.created, attrs[2], attrs[0], attrs[1])
            scope.instances.append(self.store.add(InstanceT(exports), at))
        else:
            raise r.error(f"unknown instance encoding {tag:#x}", at)

    def instantiate(self, component: int, args: dict[str, Entity], at: int) -> int:
        """The type of an instance of `component`: its exports with each
        imported type replaced by the argument's."""
        ty = self.store.resolved(component)
        assert isinstance(ty, ComponentT)
        mapping: dict[int, int] = {}
        for name, imported in ty.imports.items():
            arg = args.get(name)
            if arg is None:
                raise BinaryError(at, f"missing instantiation argument `{name}`")
            if arg.sort != imported.sort:
                raise BinaryError(at, f"instantiation argument `{name}` is a {arg.sort}, not a {imported.sort}")
            self.match_types(imported, arg, mapping, at)
        memo: dict[int, int] = {}
        exports = {n: self.store.remap_entity(e, mapping, memo) for n, e in ty.exports.items()}
        return self.store.add(InstanceT(exports), at)

    def match_types(self, imported: Entity, arg: Entity, mapping: dict[int, int], at: int, depth: int = 0) -> None:
        """Record which types of `arg` stand for the imported ones."""
        if depth > MAX_NESTING:
            raise BinaryError(at, "instances are nested too deeply")
        if imported.sort == "type":
            mapping[imported.created] = arg.id
        elif imported.sort == "instance":
            want = self.store.resolved(imported.id)
            have = self.store.resolved(arg.id)
            assert isinstance(want, InstanceT) and isinstance(have, InstanceT)
            for name, entity in want.exports.items():
                given = have.exports.get(name)
                if given is None:
                    raise BinaryError(at, f"instantiation argument lacks the export `{name}`")
                if given.sort != entity.sort:
                    raise BinaryError(at, f"export `{name}` of an instantiation argument is a {given.sort}")
                if entity.sort == "type":
                    mapping[entity.created] = given.created
                elif entity.sort == "instance":
                    self.match_types(entity, given, mapping, at, depth + 1)

    def canon(self, r: Reader, scope: Scope) -> None:
        at = r.pos
        tag = r.byte()
        if tag == 0x00:
            if r.byte() != 0x00:
                raise r.error("canon lift of a non-function", at + 1)
            r.u32()
            self.canon_options(r)
            index_at = r.pos
            scope.funcs.append(self._kind_at(scope, r.u32(), index_at, FuncT, "a function type"))
            return
        # Everything else defines a core function: skip its immediates.
        match tag:
            case 0x01:
                r.byte()
                r.u32()
                self.canon_options(r)
            case 0x02 | 0x03 | 0x04 | 0x0E | 0x13 | 0x14 | 0x15 | 0x1A | 0x1B | 0x27 | 0x06 | 0x0C | 0x29:
                r.u32() if tag not in (0x06, 0x0C, 0x29) else r.byte()
                if tag == 0x27:
                    r.u32()
            case 0x0F | 0x10 | 0x16 | 0x17:
                r.u32()
                self.canon_options(r)
            case 0x11 | 0x12 | 0x18 | 0x19:
                r.u32()
                r.byte()
            case 0x09:
                if r.byte() == 0x00:
                    self.valtype(r, scope)
                else:
                    r.byte()
                self.canon_options(r)
            case 0x0A | 0x0B:
                r.byte()
                r.u32()
            case 0x1C | 0x1D:
                self.canon_options(r)
            case 0x20 | 0x21:
                r.byte()
                r.u32()
            case 0x2A | 0x2B | 0x2C | 0x2D:
                r.byte()
            case 0x40:
                r.byte()
                r.u32()
            case 0x41:
                r.byte()
                r.u32()
                r.u32()
            case 0x42:
                r.byte()
            case 0x05 | 0x08 | 0x0D | 0x1E | 0x1F | 0x22 | 0x23 | 0x24 | 0x25 | 0x26 | 0x28 | 0x07:
                pass
            case _:
                raise r.error(f"unknown canonical function {tag:#x}", at)

    def canon_options(self, r: Reader) -> None:
        for _ in range(r.count()):
            at = r.pos
            tag = r.byte()
            if tag in (0x03, 0x04, 0x05, 0x07):
                r.u32()
            elif tag == 0x08:
                r.u32()  # core-type (wasm-tools' extension for async lifts)
            elif tag not in (0x00, 0x01, 0x02, 0x06):
                raise r.error(f"unknown canonical option {tag:#x}", at)
