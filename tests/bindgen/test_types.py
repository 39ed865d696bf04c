"""The types stage: every primitive has an annotation and a codec the
runtime defines, and names of the code model render as Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import witgen_runtime

import witgen
from resolve.test_kinds import EVERY_KIND
from witgen.api import Direction

from witgen import model as m
from witgen.bindgen import code as cm
from witgen.bindgen.types import PRIMITIVES
from witgen.render.python import parameters, python


def test_every_primitive_of_the_model_has_an_annotation_and_a_runtime_codec() -> None:
    assert set(PRIMITIVES) == set(m.PRIMITIVES)
    for annotation, codec in PRIMITIVES.values():
        assert annotation in {"bool", "int", "float", "str", "object"}
        assert hasattr(witgen_runtime, codec) or codec == "ERROR_CONTEXT", codec


def test_expressions_render_as_python() -> None:
    call = cm.Call(cm.rt("Record"), (cm.Lit('a "b"\n'), cm.Name("P"), cm.ListOf(())), (("raises", cm.Lit(True)),))
    assert python(call) == '_rt.Record("a \\"b\\"\\n", P, [], raises=True)'
    assert python(cm.TupleOf((cm.Lit(1),))) == "(1,)"
    assert python(cm.Subscript(cm.Name("tuple"), ())) == "tuple[()]"
    assert python(cm.Lambda(("h", "x"), cm.Call(cm.Attr(cm.Name("h"), "f"), (cm.Name("x"),)))) == "lambda h, x: h.f(x)"
    assert python(cm.Add(cm.Name("name"), cm.Lit("#f"))) == 'name + "#f"'


def test_keyword_only_parameters_get_one_star() -> None:
    params = (cm.Param("linker", cm.Name("Linker")), cm.Param("a", cm.Name("A"), keyword_only=True),
              cm.Param("wasi", cm.Name("bool"), cm.Lit(True), keyword_only=True))
    assert parameters(params) == "linker: Linker, *, a: A, wasi: bool = True"



# Every kind, each used by a function of its own: bindings in both
# directions are generated and imported. A kind added to the model is in
# `EVERY_KIND` (its test says so); here the back end must carry it or leave
# its function out saying why (bindgen/types.py), and the codecs generated
# modules build when imported must exist (the runtime's codec module).
_NAMES = ("r", "rec", "fl", "v", "e", "named", "t", "fixed", "mp", "o", "res", "tup", "fut", "st", "ec")
_USES = f"""
interface uses {{
  use i.{{{", ".join(_NAMES)}}};
{chr(10).join(f"  use-{n}: func(x: {n}) -> {n};" for n in _NAMES)}
}}

world w {{
  import uses;
  export uses;
}}
"""
_LEFT_OUT = {"fixed": "fixed-length lists", "fut": "`future`", "st": "`stream`", "ec": "`error-context`"}


@pytest.mark.parametrize("direction", ["import", "export"])
def test_every_kind_is_carried_or_left_out_saying_why(direction: Direction, tmp_path: Path) -> None:
    source = tmp_path / "every.wit"
    source.write_text(EVERY_KIND + _USES)
    generation = witgen.generate(source, direction, world="w", name="every")
    warnings = [w.message for w in generation.warnings]
    sides = 2 if direction == "import" else 1  # the world's imports, and its exports
    for name, why in _LEFT_OUT.items():
        said = [w for w in warnings if f"use-{name}`" in w]
        assert len(said) == sides and all(why in w for w in said), (name, warnings)
    assert len(warnings) == sides * len(_LEFT_OUT), warnings
    out = tmp_path / "out"
    for path, text in generation.files.items():
        (out / "every" / path).parent.mkdir(parents=True, exist_ok=True)
        (out / "every" / path).write_text(text)
    modules = ["every." + p[:-3].replace("/", ".") for p in generation.files if p.endswith(".py") and "__" not in p]
    code = "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)"
    run = subprocess.run([sys.executable, "-c", code, *modules], cwd=out, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
