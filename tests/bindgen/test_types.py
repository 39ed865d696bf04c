"""The types stage: every primitive has an annotation and a codec the
runtime defines, and names of the code model render as Python."""

from __future__ import annotations

import witgen_runtime

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
