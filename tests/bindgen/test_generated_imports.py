"""A generated module imports what its code uses, and nothing else.

Imports are recorded as the code model uses a name; docs that mention
`Protocol`, `Union[`, `Callable[` and the like once added imports of their
own (they were found by a regular expression over the rendered text).
Missing imports are caught by mypy (tests/test_generate_corpus.py); this
checks that none is unused, over the fixtures and wit-bindgen's corpus.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from witgen.api import generate, generate_from_resolve, plan
from witgen.diagnostics import WitError
from witgen.loader import load

ROOT = Path(__file__).resolve().parents[2]
CODEGEN = ROOT.parent / "shared" / "corpus" / "wit-bindgen-codegen"


def unused_imports(source: str, init: bool = False) -> list[str]:
    tree = ast.parse(source)
    imported: dict[str, str] = {}
    for node in tree.body:
        if init and isinstance(node, ast.ImportFrom) and node.module is None:
            continue  # `__init__` imports every module, so `import pkg` loads the package
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            imported.update({(a.asname or a.name): ast.unparse(node) for a in node.names})
        elif isinstance(node, ast.Import):
            imported.update({(a.asname or a.name): ast.unparse(node) for a in node.names})
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    exported: set[str] = set()
    for node in tree.body:  # `__init__` re-exports the runtime's names by `__all__`
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            exported = set(ast.literal_eval(node.value))
    return sorted(f"{name} ({line})" for name, line in imported.items() if name not in used | exported)


MENTIONS = "Protocol, Union[a], Callable[[b], c], Optional[d], Any, @dataclass, enum.Enum, enum.Flag, _rt.x, Store, Component, Instance, Linker"


def test_docs_that_mention_names_import_nothing(tmp_path: Path) -> None:
    wit = tmp_path / "mentions.wit"
    wit.write_text(
        f"package a:b;\n/// {MENTIONS}\ninterface types {{\n  /// {MENTIONS}\n  type t = u32;\n}}\n"
        f"/// {MENTIONS}\nworld w {{\n  use types.{{t}};\n  /// {MENTIONS}\n  export run: func() -> t;\n}}\n"
    )
    files = generate(wit).files
    for path, text in files.items():
        if path.endswith(".py"):
            assert unused_imports(text, path == "__init__.py") == [], path


def _corpus() -> list[Path]:
    if not CODEGEN.is_dir():
        return []
    return sorted(p / "wit" if (p / "wit").is_dir() else p for p in CODEGEN.iterdir() if p.is_dir() or p.suffix == ".wit")


@pytest.mark.parametrize("path", [ROOT / "fixtures" / "kv-store", ROOT / "tests" / "guests" / "coverage" / "wit", *_corpus()],
                         ids=lambda p: p.name if p.name != "wit" else p.parent.name)
def test_no_generated_module_has_an_unused_import(path: Path) -> None:
    try:
        loaded = load(path, all_features=True)
    except WitError:
        pytest.skip("does not resolve (tests/test_generate_corpus.py says why)")
    packages = []
    for package in loaded.main:
        for world in loaded.resolve.packages[package].worlds:
            pn = loaded.resolve.packages[package].name
            name = f"{pn.namespace}:{pn.name}/{world}" + (f"@{pn.version}" if pn.version else "")
            packages.append(generate_from_resolve(loaded.resolve, plan(loaded.resolve, loaded.main, "import", source="x", world=name), format=False).files)
    if loaded.resolve.packages[loaded.main[0]].interfaces:
        packages.append(generate_from_resolve(loaded.resolve, plan(loaded.resolve, loaded.main, "export", source="x"), format=False).files)
    for files in packages:
        for module, text in files.items():
            if module.endswith(".py"):
                assert unused_imports(text, module == "__init__.py") == [], module
