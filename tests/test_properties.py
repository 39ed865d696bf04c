"""Mutated corpus files: the front end either accepts them or answers with
its own diagnostics, never with another exception."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from witgen.diagnostics import WitError
from witgen.loader import load

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEEDS = sorted((CORPUS / "wit-parser-ui").glob("*.wit")) + sorted(
    (CORPUS / "wit-parser-ui" / "parse-fail").glob("*.wit")
)

pytestmark = pytest.mark.skipif(not SEEDS, reason=f"the WIT corpus is not at {CORPUS}")

# Fragments that steer mutations toward interesting mistakes.
FRAGMENTS = [
    "{", "}", "<", ">", "(", ")", ";", ",", ":", ".", "/", "@", "%", "->", "_",
    "use ", "type ", "func", "resource ", "own<", "borrow<", "list<", "result<",
    "interface ", "world ", "import ", "export ", "include ", "package a:b;",
    "@since(version = 1.0.0)", "@unstable(feature = x)", "/*", "*/", "//", "\n",
    "constructor();", "a", "self", "0.1.0", "x: u32", "%type", "\"",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    seed = draw(st.sampled_from(SEEDS))
    text = seed.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            end = draw(st.integers(at, min(len(text), at + 20)))
            text = text[:at] + text[end:]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        else:
            end = draw(st.integers(at, min(len(text), at + 60)))
            text = text[:end] + text[at:end] + text[end:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_input_gets_a_diagnostic_or_resolves(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.wit"
        path.write_text(text, encoding="utf-8")
        try:
            load(path, features=frozenset({"active"}))
        except WitError as error:
            assert error.diagnostics
            for diagnostic in error.diagnostics:
                assert diagnostic.render()
