"""The parse tables beside the grammars, and the loop that runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lark import Lark, Transformer
from lark.exceptions import UnexpectedToken as LarkUnexpectedToken
from lark.lexer import Lexer

from witgen._resources import grammar_path
from witgen.frontend import lalr
from witgen.frontend.lexer import Token

ROOT = Path(__file__).resolve().parents[2]
GRAMMARS = ["wit.lark", "wit_legacy.lark"]


@pytest.mark.parametrize("name", GRAMMARS)
def test_table_files_are_those_of_their_grammars(name: str) -> None:
    path = grammar_path(name)
    written = lalr.table_path(path).read_text(encoding="utf-8")
    assert written == lalr._dumps(lalr.build_table(path.read_text(encoding="utf-8"))), (
        f"{lalr.table_path(path).name} is stale: run `python -m witgen.frontend.lalr`"
    )


def test_a_stale_table_is_recomputed(tmp_path: Path) -> None:
    grammar = tmp_path / "g.lark"
    grammar.write_text('start: A B*\nA: "a"\nB: "b"\n%declare C\n', encoding="utf-8")
    lalr.table_path(grammar).write_text('{"grammar": "something else"}', encoding="utf-8")
    loaded = lalr.load(grammar)
    assert loaded.strings == {"a": "A", "b": "B"}


# A grammar with each shape a rule can take: `?rule`, aliases, `x*` helpers
# spliced into their parent, optional parts, and a rule with no method.
_GRAMMAR = """
start: item* tail?
?item: pair | single | ID -> named
pair: ID COLON value
single: LBRACE (ID (COMMA ID)*)? RBRACE
?value: ID | INT
tail: SEMI
ID: "id"
INT: "1"
COLON: ":"
COMMA: ","
LBRACE: "{"
RBRACE: "}"
SEMI: ";"
"""


class _Builder:
    def start(self, children: list[Any]) -> Any:
        return ("start", children)

    def pair(self, children: list[Any]) -> Any:
        return ("pair", children)

    def single(self, children: list[Any]) -> Any:
        return ("single", children)

    def named(self, children: list[Any]) -> Any:
        return ("named", children)

    def tail(self, children: list[Any]) -> Any:
        return ("tail", children)


class _LarkBuilder(Transformer, _Builder):  # type: ignore[type-arg]
    pass


class _ListLexer(Lexer):
    def __init__(self, conf: object) -> None:
        pass

    def lex(self, data: Any, parser_state: Any = None) -> Any:
        return iter(data)


def _plain(value: Any) -> Any:
    """Lark's and witgen's tokens as the same plain data."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "type"):
        return (value.type, str(value.value))
    return value


_INPUTS = [
    "",
    "id : id",
    "id : 1 { } { id } { id , id , id } ;",
    "id id : id ;",
    "{ id , } ",
    "id : ;",
    ";",
    "{ id id }",
]


@pytest.mark.parametrize("text", _INPUTS)
def test_the_loop_builds_what_lark_builds(text: str) -> None:
    from lark import Token as LarkToken

    kinds = {"id": "ID", "1": "INT", ":": "COLON", ",": "COMMA", "{": "LBRACE", "}": "RBRACE", ";": "SEMI"}
    words = text.split()
    ours = [Token(kinds[w], w, i, i + 1) for i, w in enumerate(words)]
    theirs = [LarkToken(kinds[w], w, start_pos=i, end_pos=i + 1) for i, w in enumerate(words)]
    lark = Lark(_GRAMMAR, parser="lalr", lexer=_ListLexer, transformer=_LarkBuilder(), maybe_placeholders=False)
    parser = lalr.Grammar(lalr.build_table(_GRAMMAR)).parser(_Builder())
    try:
        expected = ("ok", _plain(lark.parse(theirs)))
    except LarkUnexpectedToken as error:
        expected = ("error", error.token.type, sorted(error.expected))
    try:
        got = ("ok", _plain(parser.parse(ours)))
    except lalr.UnexpectedToken as error:
        got = ("error", error.token.type, sorted(error.expected))
    assert got == expected


def test_checking_imports_neither_lark_nor_dataclasses(tmp_path: Path) -> None:
    wit = tmp_path / "a.wit"
    wit.write_text("package a:b;\ninterface i { f: func(); }\n", encoding="utf-8")
    code = (
        "import sys; from witgen.loader import load; load(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'dataclasses', 'inspect')))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(wit)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
