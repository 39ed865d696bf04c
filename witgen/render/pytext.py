"""Outside text -> Python source that means exactly that text.

File names, WIT names and WIT docs reach generated modules as string
literals, docstrings and comments. Whatever they contain (quotes,
backslashes, `\\N{`, newlines, NUL, form feeds, U+2028, lone surrogates, a
`# -*- coding` line, Jinja delimiters), it must stay data: never end the
literal, never start a new line or token, never change how the module is
decoded. Everything here goes through `_escape`: characters that are not
printable become backslash escapes, so the module's text is printable,
encodes as UTF-8 and reads back as the same characters.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text: str, keep: str = "") -> str:
    """Backslashes and unprintable characters (controls, line and paragraph
    separators, surrogates, unassigned) escaped; the characters in `keep`
    left as they are."""
    out = []
    for char in text:
        if char in keep:
            out.append(char)
        elif char in _NAMED:
            out.append(_NAMED[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def literal(text: str) -> str:
    """A double-quoted string literal of `text`: `eval(literal(t)) == t`."""
    return '"' + _escape(text).replace('"', '\\"') + '"'


def shown(text: str) -> str:
    """`text` with each lone surrogate written out as `\\udcff`: a class
    cannot have a docstring holding one (CPython encodes it as UTF-8)."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def docstring(text: str) -> str:
    """The inside of a `\"\"\"` docstring that evaluates to `shown(text)`. Newlines
    and tabs stay as they are (black re-indents docstrings); a quote is
    escaped where it would join another into a closing `\"\"\"`: when a quote
    follows it, and at the end."""
    escaped = _escape(shown(text), keep="\n\t")
    out = []
    for index, char in enumerate(escaped):
        following = escaped[index + 1 : index + 2]
        out.append('\\"' if char == '"' and following in ('"', "") else char)
    return "".join(out)


def comment(text: str) -> str:
    """`text` for the inside of a `#` comment: one line, printable."""
    return _escape(text)
