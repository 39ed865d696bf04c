"""The resolver and the resolved model, one behaviour per test.

Inputs are small packages written to a temporary folder and loaded the way
users load them (`witgen.loader.load`); errors are checked for their exact
message and the line they point at, which is wit-parser's.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from witgen import model as m
from witgen.diagnostics import WitError
from witgen.loader import Loaded, load, load_many, load_text


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def load_wit(tmp_path: Path, text: str, **kwargs: object) -> Loaded:
    return load(write(tmp_path, {"main.wit": text}) / "main.wit", **kwargs)  # type: ignore[arg-type]


def error_of(tmp_path: Path, text: str, **kwargs: object) -> tuple[str, int | None]:
    with pytest.raises(WitError) as caught:
        load_wit(tmp_path, text, **kwargs)
    diagnostic = caught.value.diagnostics[0]
    return diagnostic.message, diagnostic.span.line if diagnostic.span else None


def interface(loaded: Loaded, name: str) -> m.Interface:
    package = loaded.resolve.packages[loaded.main[0]]
    return loaded.resolve.interfaces[package.interfaces[name]]


def world(loaded: Loaded, name: str) -> m.World:
    package = loaded.resolve.packages[loaded.main[0]]
    return loaded.resolve.worlds[package.worlds[name]]


# ---- the model ----------------------------------------------------------


def test_resources_desugar_to_mangled_functions(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface files {
          resource file {
            constructor(path: string);
            read: func(n: u32) -> list<u8>;
            open: static func(path: string) -> file;
            close: async func();
          }
        }
        """,
    )
    resolve = loaded.resolve
    files = interface(loaded, "files")
    file_id = files.types["file"]
    assert isinstance(resolve.types[file_id].kind, m.Resource)
    assert list(files.functions) == [
        "[constructor]file",
        "[method]file.read",
        "[static]file.open",
        "[method]file.close",
    ]
    ctor = files.functions["[constructor]file"]
    assert ctor.kind == "constructor" and ctor.resource == file_id
    assert isinstance(ctor.result, int)
    assert resolve.types[ctor.result].kind == m.Handle("own", file_id)
    read = files.functions["[method]file.read"]
    assert read.kind == "method" and read.item_name == "read"
    self_param = read.params[0]
    assert self_param.name == "self"
    assert isinstance(self_param.type, int)
    assert resolve.types[self_param.type].kind == m.Handle("borrow", file_id)
    assert files.functions["[static]file.open"].kind == "static"
    assert files.functions["[method]file.close"].kind == "async-method"
    assert files.functions["[method]file.close"].is_async


def test_types_keep_docs_owner_and_structure(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface shapes {
          /// A point.
          record point { x: f64, y: f64 }
          variant shape { circle(f64), dot }
          enum color { red, green }
          flags mode { read, write }
          type points = list<point>;
        }
        """,
    )
    resolve = loaded.resolve
    shapes = interface(loaded, "shapes")
    point = resolve.types[shapes.types["point"]]
    assert point.docs == "A point."
    assert point.owner == m.TypeOwner("interface", loaded.resolve.packages[loaded.main[0]].interfaces["shapes"])
    assert isinstance(point.kind, m.Record)
    assert [(f.name, f.type) for f in point.kind.fields] == [("x", "f64"), ("y", "f64")]
    shape = resolve.types[shapes.types["shape"]].kind
    assert isinstance(shape, m.Variant)
    assert [(c.name, c.type) for c in shape.cases] == [("circle", "f64"), ("dot", None)]
    # A named `list<...>` is the list itself; nested ones are anonymous.
    assert resolve.types[shapes.types["points"]].kind == m.List(shapes.types["point"])
    assert resolve.types[shapes.types["points"]].name == "points"


def test_unalias_follows_uses_and_aliases(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface base { resource r; type n = u64; }
        interface user {
          use base.{r, n as count};
          type again = count;
          type handle = r;
        }
        """,
    )
    resolve = loaded.resolve
    user, base = interface(loaded, "user"), interface(loaded, "base")
    assert resolve.unalias(user.types["again"]) == "u64"
    assert resolve.unalias(user.types["handle"]) == base.types["r"]
    assert resolve.resource_of(user.types["handle"]) == base.types["r"]
    assert resolve.resource_of(user.types["count"]) is None
    assert resolve.type_interface_dep(user.types["count"]) == loaded.resolve.packages[loaded.main[0]].interfaces["base"]
    assert list(resolve.interface_direct_deps(resolve.packages[loaded.main[0]].interfaces["user"])) == [
        resolve.packages[loaded.main[0]].interfaces["base"]
    ]


def test_topological_types_put_dependencies_first(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface i {
          record outer { inner: inner, items: list<inner> }
          record inner { n: u32 }
        }
        """,
    )
    resolve = loaded.resolve
    order = resolve.topological_types()
    assert sorted(order) == list(range(len(resolve.types)))
    position = {id: i for i, id in enumerate(order)}
    for id, ty in enumerate(resolve.types):
        for ref in resolve.type_references(ty.kind):
            if isinstance(ref, int):
                assert position[ref] < position[id]
    i = interface(loaded, "i")
    assert resolve.topological_types([i.types["outer"]])[-1] == i.types["outer"]


# ---- worlds ---------------------------------------------------------------


def test_world_elaboration_imports_what_exports_use(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface types { type t = u32; }
        interface api { use types.{t}; get: func() -> t; }
        world w {
          import log: func(msg: string);
          export api;
        }
        """,
    )
    resolve = loaded.resolve
    ids = resolve.packages[loaded.main[0]].interfaces
    w = world(loaded, "w")
    assert list(w.imports) == [ids["types"], "log"]
    assert list(w.exports) == [ids["api"]]
    assert [resolve.world_key_name(k) for k in w.imports] == ["a:b/types", "log"]
    assert [key for key, _ in resolve.world_exports(loaded.resolve.packages[loaded.main[0]].worlds["w"])] == [
        ids["api"]
    ]


def test_named_interface_import_uses_the_label_as_key(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface store { get: func() -> u32; }
        world w {
          import primary: store;
          import backup: store;
        }
        """,
    )
    w = world(loaded, "w")
    store = loaded.resolve.packages[loaded.main[0]].interfaces["store"]
    assert list(w.imports) == ["primary", "backup"]
    assert all(isinstance(item, m.InterfaceItem) and item.id == store for item in w.imports.values())


def test_include_with_renames(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        world base {
          import tick: func();
          resource clock;
          export run: func();
        }
        world full {
          include base with { tick as tock, clock as timer }
        }
        """,
    )
    full = world(loaded, "full")
    assert set(full.imports) == {"tock", "timer"}
    assert list(full.exports) == ["run"]
    timer = full.imports["timer"]
    assert isinstance(timer, m.TypeItem)
    assert loaded.resolve.types[timer.id].name == "timer"
    assert loaded.resolve.types[timer.id].owner == m.TypeOwner(
        "world", loaded.resolve.packages[loaded.main[0]].worlds["full"]
    )
    tock = full.imports["tock"]
    assert isinstance(tock, m.FunctionItem) and tock.function.name == "tock"


def test_world_use_and_type_imports(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:b;
        interface types { record r { x: u8 } }
        world w {
          use types.{r as rec};
          import f: func(x: rec);
        }
        """,
    )
    resolve = loaded.resolve
    types = resolve.packages[loaded.main[0]].interfaces["types"]
    w = world(loaded, "w")
    assert list(w.imports) == [types, "rec", "f"]


# ---- packages and dependencies ------------------------------------------


def test_dependencies_from_deps_folder_and_top_level_use(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "app/main.wit": """
                package my:app;
                use wasi:io/streams@0.2.0 as s;
                interface api { use s.{input-stream}; read: func(x: borrow<input-stream>); }
                world w { export api; }
            """,
            "app/deps/io/streams.wit": """
                package wasi:io@0.2.0;
                interface streams { resource input-stream; }
            """,
        },
    )
    loaded = load(root / "app")
    resolve = loaded.resolve
    assert [str(resolve.packages[i].name) for i in loaded.main] == ["my:app"]
    io = resolve.package_names[m.PackageName("wasi", "io", "0.2.0")]
    streams = resolve.packages[io].interfaces["streams"]
    assert resolve.interface_name(streams) == "wasi:io/streams@0.2.0"
    # Dependencies come first in the arenas.
    assert io < loaded.main[0]
    assert list(world(loaded, "w").imports) == [streams]


def test_a_path_inside_wit_names_its_package_exactly(tmp_path: Path) -> None:
    # wit-parser looks up `b:dep` as written: `b:dep@1.2.0` is another package.
    root = write(
        tmp_path,
        {
            "root.wit": "package a:root;\nworld w { import b:dep/x; }\n",
            "deps/dep.wit": "package b:dep@1.2.0;\ninterface x { f: func(); }\n",
        },
    )
    with pytest.raises(WitError) as caught:
        load(root)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "package 'b:dep' not found. known packages:\n    a:root"
    assert diagnostic.span is not None and diagnostic.span.line == 2


def test_selecting_a_world_without_version_takes_the_only_version(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "root.wit": "package a:root;\nworld w { import b:dep/x@1.2.0; }\n",
            "deps/dep.wit": "package b:dep@1.2.0;\ninterface x { f: func(); }\nworld v { import x; }\n",
        },
    )
    loaded = load(root)
    dep = loaded.resolve.package_names[m.PackageName("b", "dep", "1.2.0")]
    assert loaded.resolve.select_world(loaded.main, "b:dep/v") == loaded.resolve.packages[dep].worlds["v"]


def test_nested_packages_in_one_file(tmp_path: Path) -> None:
    loaded = load_wit(
        tmp_path,
        """
        package a:main;
        package a:inner {
          interface i { type t = u8; }
        }
        world w { import a:inner/i; }
        """,
    )
    names = [str(loaded.resolve.packages[i].name) for i in loaded.main]
    assert names == ["a:main", "a:inner"]


def test_load_many_lets_folders_depend_on_each_other(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "io/streams.wit": "package x:io;\ninterface streams { resource s; }\n",
            "cli/run.wit": "package x:cli;\nworld command { import x:io/streams; }\n",
        },
    )
    loaded = load_many([tmp_path / "cli", tmp_path / "io"])
    assert [str(loaded.resolve.packages[i].name) for i in loaded.main] == ["x:cli", "x:io"]


# ---- feature gates ----------------------------------------------------------

GATED = """
package a:b@1.0.0;
interface i {
  @since(version = 1.0.0)
  stable: func();
  @unstable(feature = shiny)
  shiny: func();
  @unstable(feature = shiny)
  type t = u32;
}
"""


def test_unstable_items_are_gone_unless_enabled(tmp_path: Path) -> None:
    default = interface(load_wit(tmp_path, GATED), "i")
    assert list(default.functions) == ["stable"] and not default.types
    enabled = load_wit(tmp_path, GATED, features=frozenset({"shiny"}))
    assert list(interface(enabled, "i").functions) == ["stable", "shiny"]
    everything = load_wit(tmp_path, GATED, all_features=True)
    shiny = interface(everything, "i").functions["shiny"]
    assert shiny.stability == m.Stability("unstable", feature="shiny")
    assert interface(everything, "i").functions["stable"].stability == m.Stability("stable", since="1.0.0")


def test_a_reference_to_a_gated_type_is_an_error(tmp_path: Path) -> None:
    message, line = error_of(
        tmp_path,
        """
        package a:b;
        interface i {
          @unstable(feature = shiny)
          type t = u32;
          f: func(x: t);
        }
        """,
    )
    assert message == "found a reference to a type which is excluded due to its feature not being activated"
    assert line == 5


def test_since_a_later_version_is_an_error(tmp_path: Path) -> None:
    message, line = error_of(
        tmp_path,
        """
        package a:b@1.0.0;
        interface i {
          @since(version = 2.0.0)
          f: func();
        }
        """,
    )
    assert (
        message
        == "feature gate cannot reference unreleased version 2.0.0 of package [a:b@1.0.0] (current version 1.0.0)"
    )
    assert line == 4


# ---- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, line",
    [
        (
            "package a:b;\ninterface i {\n  f: func() -> nope;\n}\n",
            "name `nope` does not exist",
            3,
        ),
        (
            "package a:b;\ninterface i {\n  type a = b;\n  type b = a;\n}\n",
            "type `b` depends on itself",
            3,
        ),
        (
            "package a:b;\ninterface i {\n  type a = u8;\n  type a = u16;\n}\n",
            "name `a` is defined more than once",
            4,
        ),
        (
            "package a:b;\ninterface i {\n  resource r;\n  f: func(x: r) -> borrow<r>;\n}\n",
            "function `f` returns a type which contains a `borrow<T>` which is not supported",
            4,
        ),
        (
            "package a:b;\ninterface i {\n  type t = u8;\n  f: func(x: own<t>);\n}\n",
            "type `t` used in a handle must be a resource",
            4,
        ),
        (
            "package a:b;\ninterface x { use y.{t}; }\ninterface y { use x.{t}; }\n",
            "interface or world `y` depends on itself",
            3,
        ),
        (
            "package a:b;\nworld w {\n  import c:d/e;\n}\n",
            "package 'c:d' not found. known packages:\n    a:b",
            3,
        ),
        (
            "package a:b;\ninterface i {}\ninterface i {}\n",
            "duplicate item named `i`",
            3,
        ),
        (
            "package a:b;\nworld w {\n  include nope;\n}\n",
            "interface or world `nope` does not exist",
            3,
        ),
        (
            "package a:b;\nworld base { import f: func(); }\nworld w {\n  include base with { g as h }\n}\n",
            "no import or export kebab-name `g`. Note that an ID does not support renaming",
            4,
        ),
        (
            "package a:b;\ninterface i {\n  resource r {\n    constructor() -> u32;\n  }\n}\n",
            "if a constructor return type is declared it must be a `result`",
            4,
        ),
        (
            "package a:b;\ninterface i { type t = u8; }\nworld w {\n  export i;\n  import i;\n  export i;\n}\n",
            "interface cannot be exported more than once",
            6,
        ),
        (
            "interface i {}\n",
            "no `package` header was found in any WIT file for this package",
            1,  # at the first item (wit-parser gives no location)
        ),
    ],
)
def test_errors_carry_wit_parsers_message_and_line(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    assert error_of(tmp_path, text) == (message, line)


def test_type_cycle_through_a_record_is_rejected(tmp_path: Path) -> None:
    message, line = error_of(
        tmp_path,
        "package a:b;\ninterface i {\n  record node { next: option<node> }\n}\n",
    )
    assert (message, line) == ("type `node` depends on itself", 3)


def test_old_float_names_get_a_hint(tmp_path: Path) -> None:
    with pytest.raises(WitError) as caught:
        load_wit(tmp_path, "package a:b;\ninterface i {\n  type f = float32;\n}\n")
    assert caught.value.diagnostics[0].hint is not None
    assert "`f32`" in caught.value.diagnostics[0].hint


def test_errors_of_separate_packages_are_reported_together(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.wit": "package a:main;\ninterface i { f: func() -> missing; }\n",
            "deps/one.wit": "package a:one;\ninterface j { g: func() -> gone; }\n",
        },
    )
    with pytest.raises(WitError) as caught:
        load(root)
    messages = [d.message for d in caught.value.diagnostics]
    assert messages == ["name `missing` does not exist", "name `gone` does not exist"]


def test_a_missing_path_is_a_wit_error(tmp_path: Path) -> None:
    with pytest.raises(WitError):
        load(tmp_path / "nowhere.wit")


def test_errors_render_with_a_location(tmp_path: Path) -> None:
    with pytest.raises(WitError) as caught:
        load_wit(tmp_path, "package a:b;\ninterface i {\n  f: func() -> nope;\n}\n")
    rendered = caught.value.render()
    assert "main.wit:3:" in rendered and "^^^^" in rendered


def test_select_world_by_plain_or_qualified_name(tmp_path: Path) -> None:
    loaded = load_wit(tmp_path, "package a:b@1.0.0;\nworld one {}\nworld two {}\n")
    resolve, main = loaded.resolve, loaded.main
    worlds = resolve.packages[main[0]].worlds
    assert resolve.select_world(main, "two") == worlds["two"]
    assert resolve.select_world(main, "a:b/one") == worlds["one"]
    assert resolve.select_world(main, "a:b/one@1.0.0") == worlds["one"]
    with pytest.raises(LookupError):
        resolve.select_world(main)
    with pytest.raises(LookupError):
        resolve.select_world(main, "three")


def test_load_text_resolves_one_file_without_dependencies() -> None:
    loaded = load_text("package a:b;\nworld w { import f: func(); }\n", "inline.wit")
    assert str(loaded.resolve.packages[loaded.main[0]].name) == "a:b"
    with pytest.raises(WitError) as caught:
        load_text("package a:b;\nworld w { import c:d/e; }\n", "inline.wit")
    span = caught.value.diagnostics[0].span
    assert span is not None and span.path == "inline.wit" and span.line == 2


def test_independent_mistakes_in_one_package_are_reported_together(tmp_path: Path) -> None:
    with pytest.raises(WitError) as caught:
        load_wit(
            tmp_path,
            """
            package a:b;
            interface one { f: func() -> nope; }
            interface two { type t = also-nope; }
            interface three { use one.{x}; }
            world w { import one; import g: func() -> missing; }
            """,
        )
    found = [(d.message, d.span.line if d.span else None) for d in caught.value.diagnostics]
    # `three` and `w` use `one`, so what they would say is left unsaid.
    assert found == [("name `nope` does not exist", 2), ("type `also-nope` does not exist", 3)]


def test_legacy_files_load_with_a_warning(tmp_path: Path) -> None:
    pytest.importorskip("witgen.legacy")
    root = write(
        tmp_path,
        {
            "types.wit": "record point { x: u32, y: u32 }\n",
            "api.wit": "use { point } from types\nmove: function(p: point) -> point\n",
        },
    )
    loaded = load(root)
    package = loaded.resolve.packages[loaded.main[0]]
    assert set(package.interfaces) == {"types", "api"}
    # One warning for the folder, not one per file.
    assert [w.severity for w in loaded.warnings] == ["warning"]
    assert "legacy" in loaded.warnings[0].message
    assert str(loaded.resolve.packages[loaded.main[0]].name).startswith("legacy:test-legacy-files")


def test_a_legacy_file_brings_the_siblings_it_uses(tmp_path: Path) -> None:
    pytest.importorskip("witgen.legacy")
    root = write(
        tmp_path,
        {
            "types.wit": "record point { x: u32, y: u32 }\n",
            "api.wit": "use * from types\nmove: function(p: point) -> point\n",
        },
    )
    loaded = load(root / "api.wit", legacy_package="geo:shapes")
    package = loaded.resolve.packages[loaded.main[0]]
    assert str(package.name) == "geo:shapes"
    assert set(package.interfaces) == {"types", "api"}


def test_legacy_mistakes_are_reported_in_legacy_terms(tmp_path: Path) -> None:
    pytest.importorskip("witgen.legacy")
    root = write(tmp_path, {"bad.wit": "type payload = list<u8>\ncount: u32\n"})
    with pytest.raises(WitError) as caught:
        load(root / "bad.wit")
    assert caught.value.diagnostics[0].span is not None
    assert caught.value.diagnostics[0].span.line == 2


def test_broken_modern_wit_is_not_mistaken_for_legacy(tmp_path: Path) -> None:
    message, line = error_of(tmp_path, "package a:b;\ninterface i {\n  f: func(\n}\n")
    assert line == 4


def test_an_unknown_name_gets_a_did_you_mean_hint(tmp_path: Path) -> None:
    with pytest.raises(WitError) as caught:
        load_wit(tmp_path, "package a:b;\ninterface i {\n  record food { x: u8 }\n  get: func() -> foo;\n}\n")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "name `foo` does not exist"
    assert diagnostic.hint == "did you mean `food`?"


def test_every_bad_function_of_an_interface_is_reported(tmp_path: Path) -> None:
    with pytest.raises(WitError) as caught:
        load_wit(
            tmp_path,
            """
            package a:b;
            interface one {
              type payload = list<u8>;
              get: func() -> payloda;
              put: func(x: strin);
              del: func(k: u32, k: u32);
            }
            """,
        )
    found = [(d.message, d.span.line if d.span else None, d.hint) for d in caught.value.diagnostics]
    assert found == [
        ("name `payloda` does not exist", 4, "did you mean `payload`?"),
        ("name `strin` does not exist", 5, "did you mean `string`?"),
        ("param `k` is defined more than once", 6, None),
    ]


# ---- rules of wit-parser 1.262 (newer than the corpus's) ----

_FLAGS_33 = ", ".join(f"a{i}" for i in range(33))


@pytest.mark.parametrize(
    "body, message, line",
    [
        ("record r {}", "empty record", 3),
        ("flags f {}", "empty flags", 3),
        ("type t = tuple<>;", "empty tuple", 3),
        ("f: func(a: list<tuple<>>);", "empty tuple", 3),
        (f"flags f {{ {_FLAGS_33} }}", "cannot have more than 32 flags", 3),
        ("resource x { x: static func(); }", "name `[static]x.x` conflicts with previous name `x`", 3),
        ("resource x { x: func(); }", "name `[method]x.x` conflicts with previous name `x`", 3),
        ("resource r { a: func();\n a: static func(); }", "name `[static]r.a` conflicts with previous name `[method]r.a`", 4),
        ("resource r { constructor();\n constructor(); }", "duplicate name `[constructor]r`", 4),
        ("type a = u32;\nf: func();\nA: func();", "name `A` conflicts with previous name `a`", 5),
        ("A: func();\ntype a = u32;", "name `A` conflicts with previous name `a`", 3),
        ("f: func();\nf: func();", "duplicate name `f`", 4),
        ("type a = u32;\ntype A = u32;", "name `A` conflicts with previous name `a`", 4),
        ("record r { a: u32,\n a: u32 }", "duplicate field `a`", 4),
        ("record r { a: u32,\n A: u32 }", "field `A` conflicts with previous field `a`", 4),
        ("flags f { a,\n A }", "flag `A` conflicts with previous flag `a`", 4),
        ("enum e { a,\n a }", "duplicate case `a`", 4),
        ("variant v { a,\n A(u32) }", "case `A` conflicts with previous case `a`", 4),
        ("f: func(a: u32,\n A: u32);", "param `A` is defined more than once", 4),
    ],
)
def test_newer_wit_parser_rules(tmp_path: Path, body: str, message: str, line: int) -> None:
    text = "package a:b;\ninterface i {\n" + body + "\n}\n"
    path = tmp_path / "t.wit"
    path.write_text(text)
    with pytest.raises(WitError) as caught:
        load(path)
    diagnostic = caught.value.diagnostics[0]
    # The body starts on line 3.
    assert (diagnostic.message, diagnostic.span.line if diagnostic.span else None) == (message, line)


@pytest.mark.parametrize(
    "items, message",
    [
        ("import f: func();\nimport F: func();", "name `F` conflicts with previous name `f`"),
        ("type t = u32;\nimport T: func();", "name `T` conflicts with previous name `t`"),
        ("resource x { X: static func(); }", "name `[static]x.X` conflicts with previous name `x`"),
        ("export a: interface {}\nexport A: func();", "name `A` conflicts with previous name `a`"),
    ],
)
def test_world_names_are_strongly_unique(tmp_path: Path, items: str, message: str) -> None:
    assert error_of(tmp_path, "package a:b;\nworld w {\n" + items + "\n}\n")[0] == message


def test_imports_and_exports_are_separate_scopes(tmp_path: Path) -> None:
    load_wit(tmp_path, "package a:b;\nworld w {\n  import f: func();\n  export F: func();\n}\n")


def test_names_that_only_look_alike_are_fine(tmp_path: Path) -> None:
    # `[method]x.y` is `x.y`, not `x-y`; `[constructor]x` may share its resource's name.
    load_wit(
        tmp_path,
        "package a:b;\ninterface i {\n  resource x { constructor(); y: func(); }\n  type x-y = u32;\n  y: func();\n"
        f"  flags f {{ {', '.join(f'a{i}' for i in range(32))} }}\n}}\n",
    )


def test_includes_keep_names_strongly_unique(tmp_path: Path) -> None:
    message, _ = error_of(
        tmp_path,
        "package a:b;\nworld v { import a: func(); }\nworld w {\n  import A: func();\n  include v;\n}\n",
    )
    assert message == "import `a` in world `w` conflicts with import `A` (names must be strongly unique)"
