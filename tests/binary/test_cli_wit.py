"""`witgen wit`, and the other commands given a component binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from guests import build as guests
from shared_corpus import SHARED
from witgen import cli
from witgen.api import generate
from witgen.loader import load

UI = SHARED / "corpus" / "wit-parser-ui"


def test_wit_prints_a_components_world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wasm = guests.wasm_path("interfaced-adder")
    assert cli.main(["wit", str(wasm)]) == cli.OK
    out = capsys.readouterr().out
    assert out.startswith("package root:component;\n\nworld root {\n")
    assert "  export wasi-mindmap:interfaced-adder/add;\n" in out
    assert "package wasi-mindmap:interfaced-adder {\n  interface add {\n    add: func(a: s32, b: s32) -> s32;\n" in out
    target = tmp_path / "out.wit"
    assert cli.main(["wit", str(wasm), "-o", str(target), "--no-docs"]) == cli.OK
    assert target.read_text() == out  # this guest has no docs
    # witgen reads its own output back.
    assert load(target).resolve.packages


@pytest.mark.skipif(not UI.is_dir(), reason=f"the shared corpus is not at {UI}")
def test_wit_prints_a_folder_with_binary_deps(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["wit", str(UI / "kinds-of-deps")]) == cli.OK
    out = capsys.readouterr().out
    assert out.startswith("package a:a;\n\nworld a {\n  import b:b/b;\n")
    assert "package e:e {\n  interface e {\n  }\n}\n" in out


def test_a_component_in_deps_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "app.wasm").write_bytes(guests.wasm_path("names").read_bytes())
    (tmp_path / "a.wit").write_text("package a:b;\n")
    assert cli.main(["check", str(tmp_path)]) == cli.REJECTED
    assert "found an actual component instead of an encoded WIT package in wasm" in capsys.readouterr().err


def test_a_package_named_by_text_and_binary_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "e.wasm").write_bytes((UI / "kinds-of-deps" / "deps" / "e.wasm").read_bytes())
    (tmp_path / "deps" / "e.wit").write_text("package e:e;\ninterface e {}\n")
    (tmp_path / "a.wit").write_text("package a:b;\n")
    assert cli.main(["check", str(tmp_path)]) == cli.REJECTED
    assert "package `e:e` is defined in two different locations" in capsys.readouterr().err


def test_bindings_from_a_component_binary() -> None:
    """`generate` (and so `witgen import`) takes the binary as its path."""
    generated = generate(guests.wasm_path("interfaced-adder"), name="adder_host", format=False)
    assert generated.name == "adder_host"
    assert "__init__.py" in generated.files
    assert "class Root" in generated.files["__init__.py"]
