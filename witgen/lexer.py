"""Tokens of WIT, fed to the Lark parser.

Hand-written because WIT's block comments nest, `%` escapes keywords and
versions are semver: none of that is a regular language Lark can lex. The
vocabulary (which words are keywords, which characters operators) comes
from the grammar's terminal definitions, so it is written down once.

Comments are not tokens, but WIT keeps them as docs: `comments_before`
maps the offset of each token to the comments just before it.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from lark import Token
from lark.lexer import Lexer, PatternStr, TerminalDef

from .diagnostics import Source, Span, WitError

MAX_TYPE_DEPTH = 100

# Any word, so that a bad one is reported whole by `kebab_error`.
_WORD = re.compile(r"[^\W\d][\w-]*")
_VERSION = re.compile(
    r"\d+\.\d+\.\d+"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"[ \t\n\r]+")
_LINE_COMMENT = re.compile(r"//[^\n]*")
_BLOCK_DELIMITER = re.compile(r"/\*|\*/")
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]"
)


def kebab_error(name: str) -> str | None:
    """Why `name` is not a valid WIT identifier, or None if it is."""
    if not name:
        return "identifiers must have at least one character"
    for index, part in enumerate(name.split("-")):
        if not part:
            return f"`{name}` has an empty part between dashes"
        if index == 0 and not part[0].isalpha():
            return f"identifiers must start with a letter, not `{part[0]}`"
        letters = [c for c in part if not c.isdigit()]
        if not all(c.isascii() and c.isalpha() for c in letters):
            bad = next(c for c in letters if not (c.isascii() and c.isalpha()))
            return f"invalid character `{bad}` in identifier `{name}`"
        if letters and not (
            all(c.islower() for c in letters) or all(c.isupper() for c in letters)
        ):
            return (
                f"identifier `{name}` mixes cases in `{part}`: each part of a "
                "kebab-case name is all lowercase or all uppercase"
            )
    return None


class Tokens:
    """The result of lexing one source: Lark tokens plus the comments."""

    def __init__(self, source: Source, keywords: dict[str, str], operators: dict[str, str]):
        self.source = source
        self.keywords = keywords
        self.operators = operators
        self.comments_before: dict[int, list[str]] = {}
        self.explicit_ids: set[int] = set()

    def error(self, start: int, end: int, message: str, hint: str | None = None) -> WitError:
        return WitError.at(Span(self.source, start, end), message, hint)

    def lex(self) -> Iterator[Token]:
        text = self.source.text
        keywords = self.keywords
        operators = self.operators
        pos = 0
        size = len(text)
        pending: list[str] = []
        # `<` only opens type arguments: counting them bounds type nesting
        # (as wit-parser does) before any stage has to recurse into it.
        angle_depth = 0
        less, greater = operators["<"], operators[">"]

        forbidden = _FORBIDDEN.search(text)
        if forbidden:
            at = forbidden.start()
            raise self.error(
                at, at + 1, f"invalid character {text[at]!r} in WIT source"
            )

        while pos < size:
            ch = text[pos]
            if ch in " \t\n\r":
                pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
                continue
            if text.startswith("//", pos):
                end = _LINE_COMMENT.match(text, pos).end()  # type: ignore[union-attr]
                pending.append(text[pos:end])
                pos = end
                continue
            if text.startswith("/*", pos):
                end = self._block_comment_end(pos)
                pending.append(text[pos:end])
                pos = end
                continue

            start = pos
            if ch == "%" or ch.isalpha() or ch == "_":
                explicit = ch == "%"
                match = _WORD.match(text, pos + 1 if explicit else pos)
                if match is None:
                    raise self.error(pos, pos + 1, "expected an identifier after `%`")
                word = match.group()
                pos = match.end()
                if explicit:
                    kind = "ID"
                    self.explicit_ids.add(start)
                elif word == "_":
                    kind = operators["_"]
                else:
                    kind = keywords.get(word, "ID")
                if kind == "ID":
                    problem = kebab_error(word)
                    if problem:
                        raise self.error(start, pos, problem)
                value = word
            elif ch.isdigit():
                match = _VERSION.match(text, pos)
                kind = "VERSION"
                if match is None:
                    match = _DIGITS.match(text, pos)
                    kind = "INT"
                assert match is not None
                value = match.group()
                pos = match.end()
            elif ch == '"':
                value, pos = self._string(pos)
                kind = "STRING"
            elif text.startswith("->", pos):
                kind = operators["->"]
                value = "->"
                pos += 2
            elif ch in operators:
                kind = operators[ch]
                value = ch
                pos += 1
            else:
                raise self.error(pos, pos + 1, f"unexpected character {ch!r}")

            if angle_depth >= MAX_TYPE_DEPTH:
                raise self.error(start, pos, "type nesting too deep")
            if kind == less:
                angle_depth += 1
            elif kind == greater and angle_depth:
                angle_depth -= 1
            if pending:
                self.comments_before[start] = pending
                pending = []
            # Offsets only: diagnostics turn them into lines via `Source`.
            yield Token(kind, value, start_pos=start, end_pos=pos)
        if pending:
            self.comments_before[size] = pending

    def _block_comment_end(self, start: int) -> int:
        text = self.source.text
        depth = 0
        for match in _BLOCK_DELIMITER.finditer(text, start):
            depth += 1 if match.group() == "/*" else -1
            if depth == 0:
                return match.end()
        raise self.error(start, start + 2, "unterminated block comment")

    def _string(self, start: int) -> tuple[str, int]:
        text = self.source.text
        end = text.find('"', start + 1)
        newline = text.find("\n", start + 1)
        if end < 0 or 0 <= newline < end:
            raise self.error(start, start + 1, "unterminated string literal")
        return text[start + 1 : end], end + 1


def vocabulary(terminals: Iterable[TerminalDef]) -> tuple[dict[str, str], dict[str, str]]:
    """Keyword and operator tables (text -> terminal name) from a grammar."""
    keywords: dict[str, str] = {}
    operators: dict[str, str] = {}
    for terminal in terminals:
        if isinstance(terminal.pattern, PatternStr):
            value = terminal.pattern.value
            table = keywords if value[0].isalpha() else operators
            table[value] = terminal.name
    return keywords, operators


class WitLexer(Lexer):
    """Adapts `Tokens` to Lark's custom-lexer interface: the parser is handed
    a `Tokens` in place of text."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: Tokens) -> Iterator[Token]:  # type: ignore[override]
        return data.lex()
