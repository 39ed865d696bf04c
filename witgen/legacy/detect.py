"""Whether a text is legacy (2022) WIT: by its words, before any parse.

Legacy files have no `package`, `interface`, `world` or `;`, and use words
or forms that modern WIT does not (`function`, `expected<`, `use * from`,
`unit`, a function or a type definition at the top level).
"""

from __future__ import annotations

import re

_COMMENT_MARKS = re.compile(r"//|/\*|\*/|\n")
_MODERN = re.compile(r"(?m)^\s*(?:@[a-z-]+\([^)]*\)\s*)*(?:package|interface|world)\b|;")
_LEGACY = re.compile(
    r":\s*(?:async\s+)?(?:static\s+)?function\s*\("
    r"|\bexpected\s*<"
    r"|\buse\s*(?:\*|\{)"
    r"|\b(?:float32|float64|unit)\b"
    r"|\bhandle\s+[%A-Za-z]"
    r"|^\s*[%A-Za-z][\w-]*\s*:\s*(?:async\s+)?func\s*\("
    # Definitions outside any interface: modern WIT has none.
    r"|\A\s*(?:use|type|record|flags|variant|enum|union|resource)\s",
    re.MULTILINE,
)


def _without_comments(text: str) -> str:
    """`text` with its comments (block comments nest) turned into spaces."""
    out: list[str] = []
    depth = 0
    line_comment = False
    pos = 0
    for mark in _COMMENT_MARKS.finditer(text):
        kind = mark.group()
        if line_comment:
            if kind == "\n":
                line_comment = False
                pos = mark.start()
            continue
        if kind == "//" and depth == 0:
            out.append(text[pos : mark.start()])
            line_comment = True
        elif kind == "/*":
            if depth == 0:
                out.append(text[pos : mark.start()])
            depth += 1
        elif kind == "*/" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(" ")
                pos = mark.end()
    if depth == 0 and not line_comment:
        out.append(text[pos:])
    return "".join(out)


def looks_legacy(text: str) -> bool:
    """Whether `text` reads as 2022 WIT rather than modern WIT, broken or not:
    no modern form (outside comments) and at least one legacy one."""
    code = _without_comments(text)
    if _MODERN.search(code):
        return False
    return _LEGACY.search(code) is not None
