"""Hypothesis strategies for *valid* WIT packages (the resolver's oracle
generates mostly invalid text, on purpose; encoding needs valid input).

Every name is fresh, every type refers only to what is defined before it,
borrows appear only in parameters; docs are sprinkled so that the
`package-docs` section is exercised too.
"""

from __future__ import annotations

from hypothesis import strategies as st

PRIMITIVES = ["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "bool", "char", "string"]


class _Names:
    def __init__(self) -> None:
        self.count = 0

    def fresh(self, prefix: str = "n") -> str:
        self.count += 1
        return f"{prefix}{self.count}"


@st.composite
def type_expr(draw: st.DrawFn, named: list[str], resources: list[str], param: bool, depth: int = 0) -> str:
    choices = ["prim", "prim"]
    if named:
        choices += ["named", "named"]
    if resources:
        choices += ["own"] + (["borrow"] if param else [])
    if depth < 2:
        choices += ["list", "option", "result", "tuple"]
    kind = draw(st.sampled_from(choices))
    inner = lambda: draw(type_expr(named, resources, param, depth + 1))  # noqa: E731
    match kind:
        case "prim":
            return draw(st.sampled_from(PRIMITIVES))
        case "named":
            return draw(st.sampled_from(named))
        case "own":
            return draw(st.sampled_from(resources))
        case "borrow":
            return f"borrow<{draw(st.sampled_from(resources))}>"
        case "list":
            return f"list<{inner()}>"
        case "option":
            return f"option<{inner()}>"
        case "tuple":
            return f"tuple<{', '.join(inner() for _ in range(draw(st.integers(1, 3))))}>"
        case _:
            shape = draw(st.sampled_from(["both", "ok", "err", "none"]))
            if shape == "both":
                return f"result<{inner()}, {inner()}>"
            if shape == "ok":
                return f"result<{inner()}>"
            if shape == "err":
                return f"result<_, {inner()}>"
            return "result"


def _doc(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(["", "", "/// some docs\n", "/// two\n/// lines\n"]))


# Set per package: `@since` needs a versioned package.
_GATES = ["", "", "", "@since(version = 1.0.0)\n", "@since(version = 0.1.0)\n@deprecated(version = 0.9.0)\n"]


def _gate(draw: st.DrawFn, versioned: bool) -> str:
    return draw(st.sampled_from(_GATES)) if versioned else ""


@st.composite
def func(draw: st.DrawFn, names: _Names, named: list[str], resources: list[str]) -> str:
    params = ", ".join(
        f"{names.fresh('p')}: {draw(type_expr(named, resources, True))}" for _ in range(draw(st.integers(0, 3)))
    )
    result = "" if draw(st.booleans()) else f" -> {draw(type_expr(named, resources, False))}"
    return f"func({params}){result}"


@st.composite
def typedef(draw: st.DrawFn, names: _Names, named: list[str], resources: list[str]) -> tuple[str, str, bool]:
    """(text, name, is a resource)"""
    name = names.fresh("t")
    kind = draw(st.sampled_from(["record", "variant", "enum", "flags", "alias", "resource"]))
    ty = lambda: draw(type_expr(named, resources, False))  # noqa: E731
    match kind:
        case "record":
            fields = ", ".join(f"{_doc(draw)}{names.fresh('f')}: {ty()}" for _ in range(draw(st.integers(1, 3))))
            return f"record {name} {{ {fields} }}", name, False
        case "variant":
            cases = ", ".join(
                names.fresh("c") + ("" if draw(st.booleans()) else f"({ty()})") for _ in range(draw(st.integers(1, 3)))
            )
            return f"variant {name} {{ {cases} }}", name, False
        case "enum" | "flags":
            members = ", ".join(names.fresh("e") for _ in range(draw(st.integers(1, 3))))
            return f"{kind} {name} {{ {members} }}", name, False
        case "alias":
            return f"type {name} = {ty()};", name, False
        case _:
            members = []
            for _ in range(draw(st.integers(0, 3))):
                which = draw(st.sampled_from(["constructor", "method", "static"]))
                if which == "constructor" and not any(m.startswith("constructor") for m in members):
                    params = ", ".join(
                        f"{names.fresh('p')}: {draw(type_expr(named, resources, True))}"
                        for _ in range(draw(st.integers(0, 2)))
                    )
                    members.append(f"constructor({params});")
                elif which != "constructor":
                    body = draw(func(names, named, [*resources, name]))
                    members.append(f"{names.fresh('m')}: {'static ' if which == 'static' else ''}{body};")
            if not members:
                return f"resource {name};", name, True
            return f"resource {name} {{ {' '.join(members)} }}", name, True


@st.composite
def interface_body(draw: st.DrawFn, names: _Names, earlier: list[tuple[str, list[str], list[str]]]) -> tuple[list[str], list[str], list[str]]:
    items: list[str] = []
    named: list[str] = []
    resources: list[str] = []
    if earlier and draw(st.booleans()):
        source, types, source_resources = draw(st.sampled_from(earlier))
        if types:
            used = draw(st.lists(st.sampled_from(types), min_size=1, max_size=2, unique=True))
            items.append(f"use {source}.{{{', '.join(used)}}};")
            named += used
            resources += [u for u in used if u in source_resources]
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 2)) == 0:
            items.append(f"{_doc(draw)}{names.fresh('g')}: {draw(func(names, named, resources))};")
            continue
        text, name, is_resource = draw(typedef(names, named, resources))
        items.append(_doc(draw) + text)
        named.append(name)
        if is_resource:
            resources.append(name)
    return items, named, resources


@st.composite
def packages(draw: st.DrawFn) -> str:
    """One valid package: interfaces, then worlds using them."""
    names = _Names()
    version = draw(st.sampled_from(["", "@1.0.0"]))
    lines = [_doc(draw) + "package t:p" + version + ";"]
    interfaces: list[tuple[str, list[str], list[str]]] = []
    for index in range(draw(st.integers(1, 3))):
        name = f"i{index}"
        items, named, resources = draw(interface_body(names, interfaces))
        lines.append(f"{_doc(draw)}{_gate(draw, bool(version))}interface {name} {{")
        lines += [f"  {item}" for item in items]
        lines.append("}")
        interfaces.append((name, named, resources))
    for index in range(draw(st.integers(0, 2))):
        lines.append(f"{_doc(draw)}world w{index} {{")
        used: set[str] = set()
        for _ in range(draw(st.integers(0, 4))):
            direction = draw(st.sampled_from(["import", "export"]))
            what = draw(st.sampled_from(["interface", "func", "inline", "named"]))
            if what == "named":
                # `import x: i0;`, a name for an interface (the `implements` attribute)
                lines.append(f"  {direction} {names.fresh('k')}: {draw(st.sampled_from(interfaces))[0]};")
            elif what == "interface":
                iface = draw(st.sampled_from(interfaces))[0]
                if iface not in used:
                    used.add(iface)
                    lines.append(f"  {_gate(draw, bool(version))}{direction} {iface};")
            elif what == "func":
                lines.append(f"  {direction} {names.fresh('w')}: {draw(func(names, [], []))};")
            else:
                items, _, _ = draw(interface_body(names, []))
                lines.append(f"  {direction} {names.fresh('x')}: interface {{ {' '.join(items)} }}")
        lines.append("}")
    return "\n".join(lines) + "\n"
