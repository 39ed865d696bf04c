"""Generated hostile WIT: deep, wide, long or strange inputs.

Shared by tests/test_hostile.py (at sizes that keep the suite quick but are
far past any recursion limit) and bench/bench_hostile.py (at larger sizes,
timed). Each generator returns the text of one file, or writes a directory
and returns its path.
"""

from __future__ import annotations

from pathlib import Path


def type_chain(n: int) -> str:
    """`n` named types, each a record holding the previous one; a world uses the last."""
    lines = ["package hostile:chain;", "", "world w {", "  record t0 { x: u8 }"]
    lines += [f"  record t{i} {{ x: t{i - 1} }}" for i in range(1, n)]
    lines.append(f"  import f: func(a: t{n - 1}) -> t{n - 1};")
    lines.append(f"  export g: func(a: t{n - 1}) -> t{n - 1};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def alias_chain(n: int) -> str:
    """`type a{i} = a{i-1}`, `n` deep, ending in a resource: every alias walk."""
    lines = ["package hostile:aliases;", "", "interface i {", "  resource a0;"]
    lines += [f"  type a{i} = a{i - 1};" for i in range(1, n)]
    lines.append(f"  f: func(x: borrow<a{n - 1}>) -> a{n - 1};")
    lines += ["}", "", "world w {", "  import i;", "  export i;", "}"]
    return "\n".join(lines) + "\n"


def interface_chain(n: int) -> str:
    """`n` interfaces, each `use`ing a type of the previous; a world imports
    and exports the last (so elaboration walks the whole chain both ways)."""
    lines = ["package hostile:ifaces;", "", "interface i0 {", "  type t = u8;", "}"]
    for i in range(1, n):
        lines += [f"interface i{i} {{", f"  use i{i - 1}.{{t}};", "  f: func(x: list<t>) -> option<t>;", "}"]
    lines += ["world w {", f"  import i{n - 1};", f"  export e: interface {{ use i{n - 1}.{{t}}; g: func(x: t); }}", "}"]
    return "\n".join(lines) + "\n"


def export_chain(n: int) -> str:
    """Like `interface_chain`, but the world exports every interface."""
    lines = ["package hostile:exports;", "", "interface i0 {", "  type t = u8;", "}"]
    for i in range(1, n):
        lines += [f"interface i{i} {{", f"  use i{i - 1}.{{t}};", "  f: func(x: list<t>) -> option<t>;", "}"]
    lines += ["world w {"] + [f"  export i{i};" for i in range(n)] + ["}"]
    return "\n".join(lines) + "\n"


def include_chain(n: int) -> str:
    """`n` worlds, each including the previous (and owning a type)."""
    lines = ["package hostile:includes;", ""]
    lines += ["world w0 {", "  record r0 { x: u8 }", "  import g0: func(x: r0);", "}"]
    for i in range(1, n):
        lines += [f"world w{i} {{", f"  include w{i - 1};", f"  import g{i}: func();", "}"]
    return "\n".join(lines) + "\n"


def deps_chain(root: Path, n: int) -> Path:
    """A package whose `deps/` holds `n` packages, each using the previous."""
    deps = root / "deps"
    deps.mkdir(parents=True)
    (deps / "p0.wit").write_text("package dep:p0;\n\ninterface i {\n  type t = u8;\n}\n")
    for i in range(1, n):
        (deps / f"p{i}.wit").write_text(
            f"package dep:p{i};\n\ninterface i {{\n  use dep:p{i - 1}/i.{{t}};\n  f: func(x: t);\n}}\n"
        )
    (root / "main.wit").write_text(
        f"package hostile:deps;\n\nworld w {{\n  import dep:p{n - 1}/i;\n}}\n"
    )
    return root


def deep_types(kind: str, depth: int = 8, width: int = 16) -> str:
    """wasm-tools' `wit-deep-record` / `-tuple` / `-variant` shape: `depth`
    types, each naming the next `width` times (width**depth paths)."""
    lines = ["package hostile:deep;", "", "world w {"]
    for i in range(1, depth + 1):
        inner = f"t{i + 1}" if i < depth else "u8"
        if kind == "record":
            lines.append(f"  record t{i} {{ " + ", ".join(f"f{j}: {inner}" for j in range(width)) + " }")
        elif kind == "variant":
            lines.append(f"  variant t{i} {{ " + ", ".join(f"f{j}({inner})" for j in range(width)) + " }")
        elif kind == "tuple":
            lines.append(f"  type t{i} = tuple<" + ", ".join([inner] * width) + ">;")
        elif kind == "result":
            lines.append(f"  type t{i} = result<{inner}, {inner}>;")
        else:
            raise ValueError(kind)
    lines += ["  import x: func(t: t1) -> t1;", "  export y: func(t: t1) -> t1;", "}"]
    return "\n".join(lines) + "\n"


def deep_resource_types(depth: int) -> str:
    """Types that each name the previous twice, over a resource: the walks
    that look for resources (borrows, roles) see 2**depth paths."""
    lines = ["package hostile:deepres;", "", "interface i {", "  resource r;", "  type t0 = tuple<borrow<r>, r>;"]
    lines += [f"  type t{i} = tuple<t{i - 1}, t{i - 1}>;" for i in range(1, depth)]
    lines += [f"  f: func(x: t{depth - 1});", "}", "", "world w {", "  import i;", "  export i;", "}"]
    return "\n".join(lines) + "\n"


def many_params(n: int) -> str:
    params = ", ".join(f"p{i}: u32" for i in range(n))
    return f"package hostile:params;\n\nworld w {{\n  import f: func({params});\n}}\n"


def many_functions(n: int) -> str:
    lines = ["package hostile:funcs;", "", "interface i {"]
    lines += [f"  fun{i}: func(a: u32) -> u32;" for i in range(n)]
    lines += ["}", "", "world w {", "  import i;", "}"]
    return "\n".join(lines) + "\n"


def errors_on_one_line(n: int) -> str:
    """`n` functions with an unknown type, all on one line."""
    body = " ".join(f"fun{i}: func() -> nope{i};" for i in range(n))
    return f"package hostile:errors;\n\ninterface i {{ {body} }}\n"


def include_with_renames(n: int) -> str:
    """A world including one of `n` functions and renaming every one."""
    lines = ["package hostile:renames;", "", "world base {"]
    lines += [f"  import fun{i}: func();" for i in range(n)]
    lines += ["}", "", "world w {"]
    lines.append("  include base with { " + ", ".join(f"fun{i} as new{i}" for i in range(n)) + " }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def case_variants(bits: int) -> str:
    """A record of 2**bits fields that all map to one Python name (`a_a_..`):
    `a-a-a`, `A-a-a`, `a-A-a`, ..."""
    fields = []
    for mask in range(2**bits):
        parts = ["A" if mask >> i & 1 else "a" for i in range(bits)]
        fields.append(f"{'-'.join(parts)}: u8")
    return f"package hostile:cases;\n\nworld w {{\n  record r {{ {', '.join(fields)} }}\n  import f: func(x: r);\n}}\n"


def many_resources(n: int) -> str:
    """An interface of `n` resources, each with a constructor, a method and
    a static function; a world imports it and exports a copy."""
    block: list[str] = []
    for i in range(n):
        block += [
            f"  resource r{i} {{",
            "    constructor(x: u32);",
            "    get: func() -> u32;",
            f"    make: static func() -> r{i};",
            "  }",
        ]
    lines = ["package hostile:resources;", "", "interface i {", *block, "}", "", "interface j {", *block, "}"]
    lines += ["", "world w {", "  import i;", "  export j;", "}"]
    return "\n".join(lines) + "\n"


def world_functions(n: int) -> str:
    """A world importing and exporting `n` functions each, directly."""
    lines = ["package hostile:worldfuncs;", "", "world w {"]
    lines += [f"  import imp{i}: func(a: u32) -> u32;" for i in range(n)]
    lines += [f"  export exp{i}: func(a: u32) -> u32;" for i in range(n)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def legacy_star_chain(root: Path, n: int) -> Path:
    """`n` legacy (2022) files, each `use * from` the previous (and nothing
    else, so that the names stay few); returns the last."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "l0.wit").write_text("record r0 { x: u8 }\n")
    for i in range(1, n):
        (root / f"l{i}.wit").write_text(f"use * from l{i - 1}\n")
    return root / f"l{n - 1}.wit"


def misspelt_names(n: int) -> str:
    """`n` types and `n` functions, each naming a misspelling of one."""
    types = [f"  type name{i} = u8;" for i in range(n)]
    funcs = [f"  fun{i}: func() -> nmae{i};" for i in range(n)]
    return "\n".join(["package hostile:typos;", "", "interface i {", *types, *funcs, "}"]) + "\n"
