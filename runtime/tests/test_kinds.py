"""The table of WIT type kinds (`_values.KINDS`): each kind has every part
it needs (text, rendering, comparison, the C API's numbers and reading, a
codec when passable), and wasmtime-py has no kind the table lacks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from wasmtime import Config, Engine, _bindings, _ffi
from wasmtime.component import Component

import witgen_runtime as _rt
from witgen_runtime import _resources
from witgen_runtime._types import Form, Kind, Type, first_difference
from witgen_runtime._values import KINDS, Codec

WASM_TOOLS = shutil.which("wasm-tools") or str(Path(sys.executable).parent / "wasm-tools")


def example(kind: Kind) -> str:
    """A type of `kind` as the world's text writes it, made from its entry alone."""
    kw = kind.keyword
    match kind.form:
        case Form.BARE:
            return kw
        case Form.ARGS:
            count = len(kind.labels) if kind.labels else 2
            return f"{kw}<{', '.join(['u8', 'string', 'bool'][:count])}>"
        case Form.FIELDS:
            return f"{kw} {{ a: u8, b: string }}"
        case Form.CASES:
            return f"{kw} {{ a, b(u8) }}"
        case Form.NAMES:
            return f"{kw} {{ a, b }}"
        case Form.HANDLE:
            return f"{kw}<r>"
    raise AssertionError(kind.form)


def rendered(kind: Kind) -> str:
    return kind.keyword if kind.kind_only else example(kind)


@pytest.mark.parametrize("kind", KINDS.kinds, ids=lambda k: k.keyword)
def test_every_kind_is_parsed_rendered_and_compared(kind: Kind) -> None:
    t = KINDS.parse(example(kind))
    assert isinstance(t, Type) and t.kind == kind.keyword
    assert KINDS.render(t) == rendered(kind)
    assert first_difference(t, KINDS.parse(example(kind)), []) is None
    for other in KINDS.kinds:
        if other is not kind:
            found = first_difference(t, KINDS.parse(example(other)), ["x"])
            assert found is not None and found.path == ["x"], other


@pytest.mark.parametrize("kind", [k for k in KINDS.kinds if k.form is Form.ARGS and not k.kind_only],
                         ids=lambda k: k.keyword)
def test_a_childs_difference_is_named_by_its_label(kind: Kind) -> None:
    want = KINDS.parse(example(kind))
    got = KINDS.parse(example(kind).replace("u8", "u16", 1))
    found = first_difference(want, got, [])
    assert found is not None and found.path == [want.labels[0]]  # type: ignore[union-attr]
    assert (KINDS.render(found.want), KINDS.render(found.got)) == ("u8", "u16")


def test_every_c_type_kind_of_wasmtime_has_an_entry() -> None:
    numbers = {name[len("WASMTIME_COMPONENT_VALTYPE_"):].lower().replace("_", "-"): value.value
               for name, value in vars(_ffi).items() if name.startswith("WASMTIME_COMPONENT_VALTYPE_")}
    assert numbers, "wasmtime-py no longer names its type kinds: check the table by hand"
    for keyword, number in numbers.items():
        assert KINDS[keyword].c_type == number, keyword
    # Each member of the valtype union (a kind with details) is read by its
    # kind, but those compared by kind only.
    members = {f[0] for f in _bindings.wasmtime_component_valtype_union._fields_}
    read = {r.member for k in KINDS.kinds for r in k.c_read}
    assert members - {k.keyword for k in KINDS.kinds if k.kind_only} <= read
    for kind in KINDS.kinds:
        details = kind.form is not Form.BARE and not kind.kind_only
        assert bool(kind.c_read) == (details and kind.c_type is not None), kind.keyword


def test_every_value_kind_of_wasmtime_has_an_entry_and_a_codec() -> None:
    values = {name[len("WASMTIME_COMPONENT_"):]: value.value for name, value in vars(_ffi).items()
              if name.startswith("WASMTIME_COMPONENT_") and not name.startswith(("WASMTIME_COMPONENT_VALTYPE_",
                                                                                  "WASMTIME_COMPONENT_ITEM_"))}
    assert values
    passable = {k.value for k in KINDS.kinds if k.value is not None}
    assert set(values.values()) <= passable
    for name, value in values.items():
        assert getattr(_rt._values, f"V_{name}") == value
    codec_kinds = set()
    pending: list[type] = [Codec]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        codec_kinds.add(getattr(cls, "kind", -1))
    codec_kinds |= {c.kind for c in vars(_rt._values).values() if isinstance(c, Codec)}
    assert passable <= codec_kinds


RESOURCE = _rt.HostResource("demo:t/i#r")
CODECS = [  # one per passable kind; the wit_type of each is its kind's
    _rt.BOOL, _rt.S8, _rt.S16, _rt.S32, _rt.S64, _rt.U8, _rt.U16, _rt.U32, _rt.U64, _rt.F32, _rt.F64,
    _rt.CHAR, _rt.STRING, _rt.List(_rt.STRING), _rt.Tuple(_rt.U8, _rt.STRING),
    _rt.Option(_rt.U8), _rt.ResultOf(None, _rt.STRING), _rt.Map(_rt.STRING, _rt.U32),
    _rt.Own(RESOURCE), _rt.Borrow(RESOURCE),
]


@pytest.mark.parametrize("codec", CODECS, ids=repr)
def test_codecs_describe_themselves_in_their_kinds_form(codec: Codec) -> None:
    t = codec.wit_type()
    assert codec.kind == KINDS[t.kind].value
    if t.kind not in ("own", "borrow"):  # a codec's handle names no resource key
        assert KINDS.parse(KINDS.render(t)) == t


def test_a_codec_of_every_passable_kind_is_listed() -> None:
    from test_values import COLOR, POINT, SHAPE, PERM  # the compounds with classes

    kinds = {c.wit_type().kind for c in [*CODECS, COLOR, POINT, SHAPE, PERM]}
    assert kinds == {k.keyword for k in KINDS.kinds if k.value is not None}
    for c in (COLOR, POINT, SHAPE, PERM):
        assert KINDS.parse(KINDS.render(c.wit_type())) == c.wit_type()


# ---- against a component: every kind the C API describes, read back ----

DEFINED = (Form.FIELDS, Form.CASES, Form.NAMES)


@pytest.mark.skipif(not Path(WASM_TOOLS).exists(), reason="needs the wasm-tools binary")
def test_every_passable_kind_is_read_from_a_component_as_its_text(tmp_path: Path) -> None:
    kinds = [k for k in KINDS.kinds if k.value is not None]
    params, types = [], {}
    definitions = ["resource r;"]
    for i, kind in enumerate(kinds):
        text = example(kind)
        if kind.form in DEFINED:
            name = f"t{i}"
            definitions.append(f"{kind.keyword} {name} {text[len(kind.keyword):]}")
            types[f"demo:t/i#{name}"] = text
            params.append((f"p{i}", name, f"demo:t/i#{name}"))
        elif kind.form is Form.HANDLE:
            params.append((f"p{i}", text, f"{kind.keyword}<demo:t/i#r>"))
        else:
            params.append((f"p{i}", text, text))
    types["demo:t/i#r"] = "resource"
    wit = ("package demo:t;\ninterface i {\n  " + "\n  ".join(definitions) + "\n  f: func("
           + ", ".join(f"{p}: {t}" for p, t, _ in params) + ");\n}\nworld w { export i; }\n")
    (tmp_path / "w.wit").write_text(wit)
    core, out = tmp_path / "core.wasm", tmp_path / "c.wasm"
    for args in (["component", "embed", "--all-features", "--dummy", str(tmp_path / "w.wit"), "-w", "w",
                  "-o", str(core)], ["component", "new", str(core), "-o", str(out)]):
        done = subprocess.run([WASM_TOOLS, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    config = Config()
    _rt.config_enable_map(config)
    engine = Engine(config)
    component = Component.from_file(engine, str(out))
    func = "func(" + ", ".join(f"{p}: {t}" for p, _, t in params) + ")"
    shape = _rt.WorldShape("demo:t/w", types, {}, {"demo:t/i": {"f": func}})
    assert _rt.differences(engine, component, shape) == []
    for p, _, t in params:  # and each differs from a u8 in its place
        wrong = func.replace(f"{p}: {t}", f"{p}: {'u16' if t == 'u8' else 'u8'}")
        (found,) = _rt.differences(engine, component, _rt.WorldShape("demo:t/w", types, {}, {"demo:t/i": {"f": wrong}}))
        assert found.startswith(f"export `demo:t/i#f`: param {p}: "), found
