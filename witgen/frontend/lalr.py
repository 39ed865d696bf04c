"""A grammar's LALR(1) parse table, and the loop that runs it over tokens.

Lark computes the table from a `.lark` grammar; computing it takes a tenth
of a second and importing Lark half that again, so the table is kept beside
the grammar as JSON (`wit.lark` -> `wit.lalr.json`) and `witgen check`
never imports Lark. A table that no longer matches its grammar (the grammar
was edited) is recomputed in memory; `python -m witgen.frontend.lalr`
writes the files again, and a test fails until it is run.

The parse calls the builder's method named after each reduced rule (or its
`-> alias`) with the rule's children, exactly as a Lark `Transformer` does
with `parser="lalr"` and `maybe_placeholders=False`: rules named `_...`
(Lark's helpers for `x*`) are spliced into their parent, and a `?rule` with
one child is that child. Nothing recurses, so nesting depth is bounded by
memory, not by the stack.
"""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .._resources import grammar_path
from .lexer import Token

# A reduced rule: the nonterminal it makes, how many values it pops, and
# what it makes of them (None: the one value it pops, as it is).
_Rule = tuple[str, int, "Callable[[list[Any]], Any] | None"]


class UnexpectedToken(Exception):
    """A token no rule can take here; `expected` names those that could
    (terminal names, `$END` for the end of input)."""

    def __init__(self, token: Token, expected: set[str]) -> None:
        super().__init__(f"unexpected {token.type}")
        self.token = token
        self.expected = expected


class Grammar:
    """One grammar's parse table and vocabulary (see `load`)."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.states: list[dict[str, int]] = table["states"]
        self.start: int = table["start"]
        self.end: int = table["end"]
        # [origin, size, callback name (None: spliced into the parent),
        #  expand1, [[child index, splice], ...] (None: every child, as is)]
        self.rules: list[list[Any]] = table["rules"]
        # Terminals defined by a literal string: text -> terminal name.
        self.strings: dict[str, str] = table["strings"]

    def parser(self, builder: object) -> Parser:
        return Parser(self, builder)


class Parser:
    """`grammar` with `builder`'s methods as the rules' callbacks."""

    def __init__(self, grammar: Grammar, builder: object) -> None:
        self.states = grammar.states
        self.start = grammar.start
        self.end = grammar.end
        self.rules: list[_Rule] = []
        for origin, size, name, expand1, include in grammar.rules:
            if expand1 and size == 1 and include is None:
                self.rules.append((origin, size, None))  # `?rule: a | b`: the child itself
            else:
                build = _reduction(getattr(builder, name) if name else None, expand1, include)
                self.rules.append((origin, size, build))

    def parse(self, tokens: Iterable[Token]) -> Any:
        """What the builder makes of `tokens`, or `UnexpectedToken`."""
        states = self.states
        rules = self.rules
        accept = self.end
        state_stack = [self.start]
        value_stack: list[Any] = []
        # The end of input is one more token: it only reduces, until the
        # start rule is complete.
        for token in itertools.chain(tokens, (Token("$END", "", 0, 0),)):
            kind = token.type
            while True:
                action = states[state_stack[-1]].get(kind)
                if action is None:
                    raise UnexpectedToken(token, _expected(states[state_stack[-1]]))
                if action >= 0:  # shift
                    state_stack.append(action)
                    value_stack.append(token)
                    break
                origin, size, build = rules[~action]
                if build is None:  # `?rule` of one child: the value stays, the state moves on
                    state_stack[-1] = states[state_stack[-2]][origin]
                else:
                    if size:
                        children = value_stack[-size:]
                        del state_stack[-size:]
                        del value_stack[-size:]
                    else:
                        children = []
                    value_stack.append(build(children))
                    state_stack.append(states[state_stack[-1]][origin])
                if state_stack[-1] == accept and kind == "$END":
                    return value_stack[-1]
        raise AssertionError("the end of input is always accepted or rejected")


def _expected(actions: dict[str, int]) -> set[str]:
    # Terminals are upper case, rules lower case (Lark's convention).
    return {symbol for symbol in actions if symbol.isupper()}


def _reduction(
    callback: Callable[[list[Any]], Any] | None, expand1: bool, include: list[list[Any]] | None
) -> Callable[[list[Any]], Any]:
    """What a rule makes of the values it pops."""
    if include is None:
        children: Callable[[list[Any]], list[Any]] = _same
    else:
        children = functools.partial(_filter, [(index, bool(splice)) for index, splice in include])
    if callback is None:  # a `_` helper: its children go to the parent
        return children
    if expand1:
        return functools.partial(_expand1, children, callback)
    if include is None:
        return callback
    return lambda values: callback(children(values))


def _same(values: list[Any]) -> list[Any]:
    return values


def _filter(include: list[tuple[int, bool]], values: list[Any]) -> list[Any]:
    kept: list[Any] = []
    for index, splice in include:
        if not splice:
            kept.append(values[index])
        elif kept:
            kept += values[index]
        else:  # a left-recursive helper: reuse its list
            kept = values[index]
    return kept


def _expand1(
    children: Callable[[list[Any]], list[Any]], callback: Callable[[list[Any]], Any], values: list[Any]
) -> Any:
    kept = children(values)
    return kept[0] if len(kept) == 1 else callback(kept)


# ---- the words of a syntax error ------------------------------------------


def describe(kind: str, words: dict[str, str], keywords: dict[str, str], operators: dict[str, str]) -> str:
    """How a syntax error names a terminal: in the grammar's own `words`
    (`$END` -> "eof", `ID` -> "an identifier"), else as its keyword or
    operator (`keyword `use``, `';'`)."""
    if kind in words:
        return words[kind]
    for text, name in keywords.items():
        if name == kind:
            return f"keyword `{text}`"
    for text, name in operators.items():
        if name == kind:
            return f"'{text}'"
    return kind


def one_of(words: set[str]) -> str:
    """`a`, `a or b`, `a, b or c` (up to four), else `one of a, b, ...`."""
    ordered = sorted(words)
    if len(ordered) == 1:
        return ordered[0]
    if len(ordered) <= 4:
        return ", ".join(ordered[:-1]) + " or " + ordered[-1]
    return "one of " + ", ".join(ordered)


# ---- the tables on disk -------------------------------------------------


def table_path(grammar: Path) -> Path:
    return grammar.with_name(grammar.name.removesuffix(".lark") + ".lalr.json")


@functools.lru_cache(maxsize=None)
def load(path: Path) -> Grammar:
    """The grammar at `path`, from its table file if that is fresh."""
    text = path.read_text(encoding="utf-8")
    try:
        table = json.loads(table_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = None
    if table is None or table.get("grammar") != text:
        table = build_table(text)
    return Grammar(table)


def build_table(text: str) -> dict[str, Any]:
    """The parse table of the Lark grammar `text`, computed by Lark."""
    from lark import Lark
    from lark.grammar import Terminal
    from lark.lexer import Lexer, PatternStr

    class NoLexer(Lexer):
        # Tokens come from witgen.frontend.lexer: Lark only computes the table.
        def __init__(self, conf: object) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Iterator[Any]:
            raise NotImplementedError

    lark = Lark(text, parser="lalr", lexer=NoLexer, maybe_placeholders=False)
    table = lark.parser.parser._parse_table
    rule_ids: dict[Any, int] = {}
    rules: list[list[Any]] = []
    for rule in lark.rules:
        expansion = rule.expansion
        include = [
            [index, int(not symbol.is_term and symbol.name.startswith("_"))]
            for index, symbol in enumerate(expansion)
            if rule.options.keep_all_tokens or not (isinstance(symbol, Terminal) and symbol.filter_out)
        ]
        inline = rule.origin.name.startswith("_")
        assert not (inline and rule.alias), rule
        assert rule.options.template_source is None, "templates are not supported"
        rule_ids[rule] = len(rules)
        rules.append(
            [
                rule.origin.name,
                len(expansion),
                None if inline else rule.alias or rule.origin.name,
                bool(rule.options.expand1 and not rule.alias),
                None if len(include) == len(expansion) and not any(s for _, s in include) else include,
            ]
        )
    # Lark's state numbers vary with the hash seed: number them in the
    # order a walk from the start meets them, so that the file is the same
    # whoever writes it.
    numbers = {table.start_states["start"]: 0}
    order = [table.start_states["start"]]
    for state in order:
        for symbol, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift" and arg not in numbers:
                numbers[arg] = len(order)
                order.append(arg)
    for state in sorted(table.states):  # any the walk missed (none should be)
        if state not in numbers:
            numbers[state] = len(order)
            order.append(state)
    states: list[dict[str, int]] = []
    for state in order:
        actions: dict[str, int] = {}
        for symbol, (action, arg) in table.states[state].items():
            actions[symbol] = numbers[arg] if action.name == "Shift" else ~rule_ids[arg]
        states.append(actions)
    strings = {
        terminal.pattern.value: terminal.name
        for terminal in lark.terminals
        if isinstance(terminal.pattern, PatternStr)
    }
    return {
        "grammar": text,
        "start": numbers[table.start_states["start"]],
        "end": numbers[table.end_states["start"]],
        "rules": rules,
        "states": states,
        "strings": strings,
    }


def write_tables(names: Iterable[str] = ("wit.lark", "wit_legacy.lark")) -> list[Path]:
    """Writes each grammar's table file; returns the paths written."""
    written = []
    for name in names:
        path = grammar_path(name)
        table = build_table(path.read_text(encoding="utf-8"))
        target = table_path(path)
        target.write_text(_dumps(table), encoding="utf-8")
        written.append(target)
    return written


def _dumps(table: dict[str, Any]) -> str:
    """JSON with a line per state and per rule, so that a diff reads."""
    lines = ["{"]
    for index, (key, value) in enumerate(sorted(table.items())):
        comma = "," if index < len(table) - 1 else ""
        if isinstance(value, list):
            rows = ",\n".join("  " + json.dumps(row, sort_keys=True) for row in value)
            lines.append(f"{json.dumps(key)}: [\n{rows}\n]{comma}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}")
    return "\n".join(lines) + "\n}\n"


if __name__ == "__main__":
    for written in write_tables():
        print(f"wrote {written}")
