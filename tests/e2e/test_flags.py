"""Flags at the 32-member limit, through component-model text (componentize-py
cannot build large flags, PLATFORM.md), and past it, which WIT (wit-parser
1.262 and the specification) and wasmtime both reject."""

from __future__ import annotations

from pathlib import Path

import pytest
from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import Component, Linker

from witgen import generate
from witgen.diagnostics import WitError

from .conftest import generate_and_import


def _wit(n: int) -> str:
    names = ", ".join(f"b{i}" for i in range(n))
    return f"package e2e:big;\n\nworld big-flags {{\n  flags big {{ {names} }}\n  export echo: func(f: big) -> big;\n}}\n"


def _wat(n: int) -> str:
    names = " ".join(f'"b{i}"' for i in range(n))
    return f"""(component
  (type $flags (flags {names}))
  (export $big "big" (type $flags))
  (core module $m (func (export "echo") (param i32) (result i32) local.get 0))
  (core instance $i (instantiate $m))
  (func (export "echo") (param "f" $big) (result $big) (canon lift (core func $i "echo"))))"""


def test_thirty_two_flags_round_trip(generated_root: Path, tmp_path: Path, engine: Engine) -> None:
    (tmp_path / "flags.wit").write_text(_wit(32))
    pkg = generate_and_import(generated_root, "e2e_flags32", tmp_path / "flags.wit")
    Big = pkg.Big
    assert len(list(Big)) == 32
    store = Store(engine)
    world = pkg.BigFlags.instantiate(store, Component(engine, _wat(32)), Linker(engine))
    everything = Big(0)
    for member in Big:
        everything |= member
    for value in (Big(0), Big.B0, Big.B31, Big.B0 | Big.B15 | Big.B31, everything):
        out = world.echo(store, value)
        assert out == value and type(out) is Big
    with pytest.raises(TypeError, match="f: expected Big"):
        world.echo(store, 1)


def test_more_than_thirty_two_flags_are_rejected_by_witgen_and_by_wasmtime(tmp_path: Path, engine: Engine) -> None:
    (tmp_path / "flags.wit").write_text(_wit(33))
    with pytest.raises(WitError) as info:
        generate(tmp_path / "flags.wit", "import")
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.message == "cannot have more than 32 flags"
    assert str(info.value).splitlines()[1] == f" --> {tmp_path / 'flags.wit'}:4:165"  # at `b32`
    with pytest.raises(WasmtimeError, match="cannot have more than 32 flags"):
        Component(engine, _wat(33))
