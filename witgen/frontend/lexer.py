"""Tokens of WIT, fed to the Lark parser.

Hand-written because WIT's block comments nest, `%` escapes keywords and
versions are semver: none of that is a regular language Lark can lex. The
vocabulary (which words are keywords, which characters operators) comes
from the grammar's terminal definitions, so it is written down once.

Comments are not tokens, but WIT keeps them as docs: `comments_before`
maps the offset of each token to the comments just before it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterator

from ..diagnostics import Source, Span, WitError

MAX_TYPE_DEPTH = 100

# Any word, so that a bad one is reported whole by `kebab_error`.
_WORD = re.compile(r"[^\W\d][\w-]*")
_VERSION = re.compile(
    r"[0-9]+\.[0-9]+\.[0-9]+"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_DIGITS = re.compile(r"[0-9]+")
# wit-parser's whitespace: space, tab, `\n` and `\r\n`. A bare `\r` is not
# whitespace, and only `\n` ends a `//` comment: otherwise `// c\rinterface x`
# would define an interface that wit-parser reads as a comment.
_LINE_COMMENT = re.compile(r"//[^\n]*\n?")
# Whitespace and line comments, as many as follow each other.
_TRIVIA = re.compile(r"(?:[ \t\n]+|\r\n|//[^\n]*)+")
# Identifiers `kebab_error` accepts, most of them: those it need not look at.
# (Patterns of the rarer paths are compiled on first use, by `re`'s cache:
# compiling one takes a tenth of a millisecond or more.)
_KEBAB = r"(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z0-9]+|[A-Z0-9]+))*"
_BLOCK_DELIMITER = r"/\*|\*/"
# Codepoints wit-parser refuses anywhere, comments included: control codes
# (Unicode Cc) but tab, `\n` and `\r`; bidirectional overrides
# (CVE-2021-42574); and characters Unicode deprecates or discourages.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_DEPRECATED = "\u0149\u0673\u0f77\u0f79\u17a3\u17a4\u17b4\u17b5"
_BOM = "\ufeff"


def kebab_error(name: str) -> str | None:
    """Why `name` is not a valid WIT identifier, or None if it is."""
    if not name:
        return "identifiers must have at least one character"
    for index, part in enumerate(name.split("-")):
        if not part:
            return f"`{name}` has an empty part between dashes"
        if index == 0 and not part[0].isalpha():
            return f"identifiers must start with a letter, not `{part[0]}`"
        # ASCII digits only: `isdigit` would let `a٤` through.
        letters = [c for c in part if not _is_digit(c)]
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


def semver_error(version: str) -> str | None:
    """Why `version` is not semver, in the words of the `semver` crate that
    wit-parser parses versions with (numbers without leading zeros, within
    u64), or None."""
    core, _, rest = version.partition("+")[0].partition("-")
    for part, which in zip(core.split("."), ("major", "minor", "patch")):
        if len(part) > 1 and part[0] == "0":
            return f"invalid leading zero in {which} version number"
        if int(part) > 0xFFFF_FFFF_FFFF_FFFF:
            return f"value of {which} version number exceeds u64::MAX"
    for identifier in rest.split(".") if rest else ():
        if identifier.isdigit() and len(identifier) > 1 and identifier[0] == "0":
            return "invalid leading zero in pre-release identifier"
    return None


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _escape_unicode(ch: str) -> str:
    """Rust's `char::escape_unicode`, as wit-parser prints codepoints."""
    return f"\\u{{{ord(ch):x}}}"


def _char_debug(ch: str) -> str:
    """Rust's `{:?}` of a char, as wit-parser quotes an unexpected one."""
    escapes = {"\t": "\\t", "\r": "\\r", "\n": "\\n", "'": "\\'", "\\": "\\\\"}
    if ch in escapes:
        return f"'{escapes[ch]}'"
    if ch.isprintable() and not unicodedata.combining(ch):
        return f"'{ch}'"
    return f"'{_escape_unicode(ch)}'"


def _invalid_codepoint(text: str) -> tuple[int, str] | None:
    """The first codepoint wit-parser rejects in `text`, with its message."""
    # One pass over the text (most of it is docs); ASCII text can only hold
    # control codes, and their pattern compiles in a fraction of the time.
    match = _invalid_pattern(text.isascii()).search(text)
    if match is None:
        return None
    ch = match.group()
    if re.fullmatch(f"[{_CONTROL}]", ch):
        message = "Control code '{}'"
    elif re.fullmatch(f"[{_BIDI}]", ch):
        message = "Input contains bidirectional override codepoint '{}'"
    else:
        message = "Codepoint '{}' is discouraged by Unicode"
    return match.start(), message.format(_escape_unicode(ch))


@functools.lru_cache(maxsize=None)
def _invalid_pattern(ascii_only: bool) -> re.Pattern[str]:
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]" if ascii_only else f"[{_CONTROL}{_BIDI}{_DEPRECATED}]")


class Token:
    """One token: its terminal's name (`ID`, `LBRACE`, ...), text and offsets."""

    __slots__ = ("type", "value", "start_pos", "end_pos")

    def __init__(self, type: str, value: str, start_pos: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r}, {self.start_pos}, {self.end_pos})"


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

        invalid = _invalid_codepoint(text)
        if invalid:
            at, message = invalid
            raise self.error(at, at + 1, message)
        if text.startswith(_BOM):
            pos = 1  # wit-parser skips a byte-order mark, at the start only

        fast = _fast_token(tuple(sorted(operators))).match
        # The words and operators the fast path reads -> their terminals.
        common_kinds = {**keywords, **operators}
        while pos < size:
            # Most tokens: trivia, then a lowercase identifier or an operator.
            common = fast(text, pos)
            if common is not None:
                start, end = common.span(2)
                if start - pos > 1 and text.find("//", pos, start) >= 0:
                    pending += _LINE_COMMENT.findall(text, pos, start)
                pos = end
                if angle_depth >= MAX_TYPE_DEPTH:
                    raise self.error(start, pos, "type nesting too deep")
                value = common.group(2)
                kind = common_kinds.get(value, "ID")
                if kind == less:
                    angle_depth += 1
                elif kind == greater and angle_depth:
                    angle_depth -= 1
                if pending:
                    self.comments_before[start] = pending
                    pending = []
                yield Token(kind, value, start, pos)
                continue

            ch = text[pos]
            if ch in " \t\n\r/":
                # Whitespace and line comments, in one match: WIT is mostly docs.
                trivia = _TRIVIA.match(text, pos)
                if trivia is not None:
                    end = trivia.end()
                    if text.find("//", pos, end) >= 0:
                        # Each comment keeps its `\n`, as wit-parser's do; docs trim it.
                        pending += _LINE_COMMENT.findall(text, pos, end)
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
                if kind == "ID" and re.fullmatch(_KEBAB, word) is None:
                    problem = kebab_error(word)
                    if problem:
                        raise self.error(start, pos, problem)
                value = word
            elif "0" <= ch <= "9":  # ASCII only, as wit-parser
                match = _VERSION.match(text, pos)
                kind = "VERSION"
                if match is None:
                    match = _DIGITS.match(text, pos)
                    kind = "INT"
                assert match is not None
                value = match.group()
                pos = match.end()
                problem = semver_error(value) if kind == "VERSION" else None
                if problem:
                    raise self.error(start, pos, problem)
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
                raise self.error(pos, pos + 1, f"unexpected character {_char_debug(ch)}")

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
            yield Token(kind, value, start, pos)
        if pending:
            self.comments_before[size] = pending

    def _block_comment_end(self, start: int) -> int:
        text = self.source.text
        depth = 0
        for match in re.compile(_BLOCK_DELIMITER).finditer(text, start):
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


@functools.lru_cache(maxsize=None)
def _fast_token(operators: tuple[str, ...]) -> re.Pattern[str]:
    """Trivia, then (group 2) a lowercase kebab-case word or one of
    `operators`: what the loop in `Tokens.lex` reads in one match. Anything
    else (`%` names, upper case, numbers, strings, block comments, mistakes)
    it reads itself."""
    singles = "".join(re.escape(op) for op in operators if len(op) == 1 and op not in "_/")
    # The trivia in a lookahead, matched again by `\1`: once taken, it is
    # never given back, so `//` cannot be read as two operators.
    trivia = r"(?=((?:[ \t\n]+|\r\n|//[^\n]*)*))\1"
    ops = [re.escape(op) for op in operators if len(op) > 1] + [f"[{singles}]"]
    if "/" in operators:
        ops.append(r"/(?!\*)")  # not a block comment
    word = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?![\w-])"
    return re.compile(trivia + "(" + "|".join([word, *ops]) + ")")


def vocabulary(strings: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Keyword and operator tables (text -> terminal name) from a grammar's
    literal terminals (`AS: "as"`, `COMMA: ","`)."""
    keywords: dict[str, str] = {}
    operators: dict[str, str] = {}
    for value, name in strings.items():
        table = keywords if value[0].isalpha() else operators
        table[value] = name
    return keywords, operators
