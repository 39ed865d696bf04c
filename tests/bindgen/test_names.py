"""`witgen.bindgen.names`: case conversion, escaping only where a name must be
escaped, and the names generated code reserves for itself matching what the
generated code and its runtime really define."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import witgen_runtime

from witgen import model as m
from witgen.bindgen import names as naming
from witgen.api import generate, plan
from witgen.bindgen import used_interfaces
from witgen.bindgen.names import RUNTIME_EXPORTS
from witgen.loader import load
from witgen.bindgen.names import Scope, pascal, shouty, snake

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


def test_cases_and_escapes() -> None:
    assert (snake("get-URL"), pascal("http-request"), pascal("HTTP"), shouty("not-found")) == (
        "get_url", "HttpRequest", "Http", "NOT_FOUND"
    )
    # Keywords always; builtins only those generated code uses; soft keywords never.
    assert [snake(n) for n in ("%from", "%none", "list", "type", "int", "id", "h", "cls", "match", "case")] == [
        "from_", "none", "list_", "type_", "int_", "id", "h", "cls", "match", "case"
    ]
    # Classes live in modules: no builtin of any kind is hidden.
    assert [pascal(n) for n in ("exception", "none", "true", "store")] == ["Exception_", "None_", "True_", "Store"]


def test_scope_gives_way_to_what_it_reserves_and_to_earlier_claims() -> None:
    scope = Scope({"store"})
    assert [scope.claim(n) for n in ("store", "store", "store", "x")] == ["store_", "store_2", "store_3", "x"]


def test_proxy_names_are_the_guest_resource_base_class_members() -> None:
    base = witgen_runtime.GuestResource
    assert {n for n in dir(base) if not n.startswith("_")} == naming.PROXY_NAMES


def test_host_resource_names_are_what_the_runtime_calls() -> None:
    source = Path(inspect.getfile(witgen_runtime._store)).read_text()
    assert {n for n in naming.HOST_RESOURCE_NAMES if f'getattr(obj, "{n}"' in source} == naming.HOST_RESOURCE_NAMES


def test_world_and_accessor_classes_define_only_their_reserved_public_names(tmp_path: Path) -> None:
    wit = tmp_path / "w.wit"
    wit.write_text("package a:b;\ninterface i {\n  f: func();\n}\nworld w {\n  export i;\n}\n")
    files = generate(wit).files
    for path, cls, reserved, wit_names in (
        ("__init__.py", "W", naming.WORLD_CLASS_NAMES, set()),
        ("i.py", "Exports", naming.ACCESSOR_NAMES, {"f"}),
    ):
        tree = ast.parse(files[path])
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
        members = {n.name for n in body if isinstance(n, ast.FunctionDef)}
        assigned = {
            t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign)
            for t in n.targets if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
        }
        assert {m for m in members if not m.startswith("_")} - wit_names == reserved
        # Private: the reserved ones, and a slot per exported function.
        assert {a for a in assigned if a.startswith("_")} <= naming.PRIVATE_NAMES | {f"_{m}" for m in wit_names}


def test_awaited_twins_of_a_resource_give_way_to_its_own_functions(tmp_path: Path) -> None:
    # A WIT name wins over a twin's: `increment-async` keeps `increment_async`.
    wit = tmp_path / "w.wit"
    wit.write_text(
        "package a:b;\ninterface i {\n  resource r {\n    constructor();\n    increment: func();\n"
        "    increment-async: func();\n    new-async: static func() -> r;\n  }\n}\nworld w {\n  export i;\n}\n"
    )
    tree = ast.parse(generate(wit).files["i.py"])
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "R").body
    members = {n.name: isinstance(n, ast.AsyncFunctionDef) for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    assert members == {
        "__new__": False, "increment": False, "increment_async": False, "new_async": False,
        "new_async_": True, "increment_async_": True, "increment_async_async": True, "new_async_async": True,
    }


def test_module_names_cover_every_name_modules_import() -> None:
    for path in sorted(GOLDEN.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "level", 0) == 0:
                names = {a.asname or a.name for a in node.names} - {"_rt"}  # private: no WIT name begins with `_`
                assert names <= naming.MODULE_NAMES | set(RUNTIME_EXPORTS), (path, names)


def _top_level_names(text: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


GUESTS = ROOT / "tests" / "guests"


@pytest.mark.parametrize(
    "wit", [GUESTS / "names" / "names.wit", GUESTS / "coverage" / "wit", ROOT / "fixtures" / "kv-store"],
    ids=["names", "coverage", "kv-store"],
)
def test_a_reused_module_defines_every_name_the_reusing_package_expects(wit: Path) -> None:
    """`--with` names another package's classes without seeing them, which
    is sound only if a module's names depend on its interface alone. Reusing
    each interface in turn (with what it uses), every `_alias.Name` the
    package writes is defined by the plain package's module of that alias,
    whatever else the package holds (names.wit is collisions throughout)."""
    loaded = load(wit)
    built = plan(loaded.resolve, loaded.main, "import", source=wit.name)
    resolve = loaded.resolve
    plain = generate(wit, format=False).files
    plain_modules = {  # alias -> the plain package's module it stands for
        node.names[0].asname: node.names[0].name
        for text in plain.values() for node in ast.parse(text).body
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.names[0].asname
    }
    checked = 0
    for iface in used_interfaces(resolve, built):
        reused = m.post_order([iface], resolve.interface_direct_deps)
        if any(resolve.interface_name(i) is None for i in reused):
            continue  # an inline interface has no name to map
        with_ = {resolve.interface_name(i) or "": f"other_{i}" for i in reused}
        files = generate(wit, with_=with_, format=False).files
        for text in files.values():
            tree = ast.parse(text)
            aliases = {
                a.asname: a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names
                if a.name.startswith("other_") and a.asname
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                    module = plain_modules[node.value.id]
                    assert node.attr in _top_level_names(plain[f"{module}.py"]), (with_, module, node.attr)
                    checked += 1
    assert checked > 0


def test_reserved_names_do_not_depend_on_the_python_running_witgen() -> None:
    """Written out (3.10-3.13); a newer Python with another builtin or hard
    keyword fails here until it is added."""
    import builtins
    import keyword

    assert {n for n in dir(builtins) if not n.startswith("_")} <= naming.BUILTINS
    assert set(keyword.kwlist) == naming.KEYWORDS
