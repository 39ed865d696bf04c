"""`WorldShape` and the comparator (`differences`, `verify`) against real
components: made from WIT by `wasm-tools component embed --dummy` (core
functions that trap, which nothing here calls: only the types matter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
import pytest
from wasmtime import Engine
from wasmtime.component import Component

import witgen_runtime as _rt
from witgen_runtime._verify import MAX_SHOWN

WASM_TOOLS = shutil.which("wasm-tools") or str(Path(sys.executable).parent / "wasm-tools")
pytestmark = pytest.mark.skipif(not Path(WASM_TOOLS).exists(), reason="needs the wasm-tools binary")

ENGINE = Engine()

STORE = """
interface store {
  resource blob {
    constructor(data: list<u8>);
    read: func() -> list<u8>;
  }
  record request { id: u32, body: list<u8> }
  put: func(req: request) -> result<own<blob>, string>;
}
"""


def component(tmp_path: Path, wit: str, world: str = "w") -> Component:
    (tmp_path / "w.wit").write_text("package demo:t;\n" + wit)
    core, out = tmp_path / "core.wasm", tmp_path / "c.wasm"
    for args in (["component", "embed", "--dummy", str(tmp_path / "w.wit"), "-w", world, "-o", str(core)],
                 ["component", "new", str(core), "-o", str(out)]):
        done = subprocess.run([WASM_TOOLS, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return Component.from_file(ENGINE, str(out))


BLOB = "demo:t/store#blob"
SHAPE = _rt.WorldShape(
    "demo:t/w",
    types={BLOB: "resource", "demo:t/store#request": "record { id: u32, body: list<u8> }"},
    imports={
        "log": "func(msg: string)",
        "demo:t/store": {
            "[constructor]blob": f"func(data: list<u8>) -> own<{BLOB}>",
            "[method]blob.read": f"func(self: borrow<{BLOB}>) -> list<u8>",
            "put": f"func(req: demo:t/store#request) -> result<own<{BLOB}>, string>",
        },
        "wasi:cli/environment@0.2.0": None,
    },
    exports={"echo": "func(data: list<u8>) -> list<u8>", "count": "func() -> u32"},
)


def test_a_matching_component_has_no_differences(tmp_path: Path) -> None:
    c = component(tmp_path, STORE + """
world w {
  import log: func(msg: string);
  import store;
  export echo: func(data: list<u8>) -> list<u8>;
  export count: func() -> u32;
}""")
    assert _rt.differences(ENGINE, c, SHAPE) == []
    _rt.verify(ENGINE, c, SHAPE)


def test_every_difference_at_once_in_order(tmp_path: Path) -> None:
    c = component(tmp_path, STORE.replace("record request { id: u32, body: list<u8> }",
                                          "record request { id: u32, body: string }") + """
interface extra { ping: func(); }
world w {
  import extra;
  import store;
  export echo: func(data: string) -> list<u8>;
  export more: func();
}""")
    with pytest.raises(_rt.BindingMismatchError) as caught:
        _rt.verify(ENGINE, c, SHAPE)
    assert caught.value.differences == [
        "extra import `demo:t/extra`: the world does not import it",
        "import `demo:t/store#put`: param req → field body: list<u8> vs string",
        "missing export `count`: the component does not export it",
        "export `echo`: param data: list<u8> vs string",
    ]  # `log` not imported: fine; `more` exported besides: fine
    assert str(caught.value).startswith(
        "the component does not match world `demo:t/w` (4 differences; types read WIT vs component):\n"
        "  extra import `demo:t/extra`")


def test_resources_are_compared_by_identity_and_own_borrow(tmp_path: Path) -> None:
    c = component(tmp_path, STORE.replace("put: func(req: request) -> result<own<blob>, string>;",
                                          "resource lump;\n  put: func(req: request) -> result<own<lump>, string>;")
                  .replace("read: func() -> list<u8>;", "read: static func(b: own<blob>) -> list<u8>;") + """
world w { import store; }""")
    shape = _rt.WorldShape("demo:t/w", SHAPE.types, SHAPE.imports, {})
    assert _rt.differences(ENGINE, c, shape) == [
        "extra import `demo:t/store#[static]blob.read`: the world's interface has no such function",
        "import `demo:t/store#put`: result → ok: own<blob> vs own<lump>",
    ]


def test_compound_types_name_the_path_to_the_first_difference(tmp_path: Path) -> None:
    c = component(tmp_path, """
world w {
  variant v { a, b(u32) }
  enum e { x, y }
  flags fl { p, q }
  export f: func(a: tuple<u8, option<list<s32>>>, b: result<_, string>) -> u8;
  export g: func(v: v, e: e, fl: fl) -> result<string>;
  export h: func();
}""")
    shape = _rt.WorldShape("demo:t/w", {"v": "variant { a, b(u64) }"}, {}, {
        "f": "func(a: tuple<u8, option<list<s64>>>, b: result<_, string>) -> u8",
        "g": "func(v: v, e: enum { x, y }, fl: flags { p, q }) -> result<string>",
        "h": "func(x: u8)",
    })
    assert _rt.differences(ENGINE, c, shape) == [
        "export `f`: param a → element 1 → some → element: s64 vs s32",
        "export `g`: param v → case b: u64 vs u32",
        "export `h`: 1 parameter vs 0 (func(x: u8) vs func())",
    ]
    assert _rt.differences(ENGINE, c, _rt.WorldShape("demo:t/w", {}, {}, {
        "g": "func(v: variant { a, b(u32) }, e: enum { x, z }, fl: flags { p, q }) -> result<string>",
    })) == ["export `g`: param e: enum { x, z } vs enum { x, y }"]


def test_an_interfaces_shape_ignores_imports_and_follows_a_rename(tmp_path: Path) -> None:
    c = component(tmp_path, STORE + "world w { import log: func(msg: string); export store; }")
    store = SHAPE.imports["demo:t/store"]  # type: ignore[index]
    shape = _rt.WorldShape("demo:t/store", SHAPE.types, None, {"demo:t/store": store})
    assert _rt.differences(ENGINE, c, shape) == []
    renamed = shape.exported_as("demo:t/store", "other:x/y")
    assert _rt.differences(ENGINE, c, renamed) == ["missing export `other:x/y`: the component does not export it"]
    with pytest.raises(_rt.BindingMismatchError, match="does not match interface `demo:t/store`"):
        _rt.verify(ENGINE, c, renamed)


def test_wasi_imports_the_world_does_not_name_are_not_extra(tmp_path: Path) -> None:
    c = component(tmp_path, """
world w {
  import wasi:clocks/monotonic-clock@0.2.0;
  import now: func() -> u64;
  export count: func() -> u32;
}

package wasi:clocks@0.2.0 {
  interface monotonic-clock { now: func() -> u64; }
}""")
    shape = _rt.WorldShape("demo:t/w", {}, {"now": "func() -> u64"}, {"count": "func() -> u32"})
    assert _rt.differences(ENGINE, c, shape) == []  # wasmtime provides WASI (`add_wasi`)
    assert _rt.differences(ENGINE, c, _rt.WorldShape("demo:t/w", {}, {}, {})) == [
        "extra import `now`: the world does not import it"]


def test_the_message_is_bounded(tmp_path: Path) -> None:
    n = MAX_SHOWN + 7
    c = component(tmp_path, "world w {\n" + "".join(f"  export fn{i}: func();\n" for i in range(n)) + "}")
    shape = _rt.WorldShape("demo:t/w", {}, {}, {f"fn{i}": "func(x: u8)" for i in range(n)})
    with pytest.raises(_rt.BindingMismatchError) as caught:
        _rt.verify(ENGINE, c, shape)
    assert len(caught.value.differences) == n
    message = str(caught.value)
    assert message.count("\n  export") == MAX_SHOWN and message.endswith("... and 7 more")


def test_long_types_are_cut_short(tmp_path: Path) -> None:
    c = component(tmp_path, "world w { export f: func(r: tuple<" + ", ".join(["u8"] * 60) + ">); }")
    shape = _rt.WorldShape("demo:t/w", {}, {}, {"f": "func(r: tuple<" + ", ".join(["u16"] * 60) + ">)"})
    (found,) = _rt.differences(ENGINE, c, shape)
    assert found.startswith("export `f`: param r → element 0: u16 vs u8")
    shape = _rt.WorldShape("demo:t/w", {}, {}, {"f": "func(r: string)"})
    (found,) = _rt.differences(ENGINE, c, shape)
    assert "…" in found and len(found) < 200
