"""Source text, spans and rustc-style diagnostics.

Every stage reports a user's mistake as a `Diagnostic` with a `Span`; a
stage that finds several raises them together in one `WitError`. Rendering:

    error: type `foo` does not exist
      --> cache.wit:3:14
       |
     3 |   get: func() -> foo;
       |                  ^^^
       = help: did you mean `food`?
"""

from __future__ import annotations

import bisect
import os
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from ._records import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Literal, Sequence

Severity = Literal["error", "warning"]

# Output stays bounded whatever the input: a diagnostic shows this many
# characters of its source line around the caret, and of its message and
# hint; at most MAX_SHOWN diagnostics are printed, then how many more there
# were (a 47 KB line with 2,000 mistakes once printed 140 MB).
LINE_WINDOW = 120
MAX_MESSAGE = 1000
MAX_SHOWN = 50
ELLIPSIS = "..."

# Far beyond any real WIT (all of WASI is 140 KB); what is larger is a
# mistake (a link to /dev/zero, a log file) and would only exhaust memory.
MAX_SOURCE_BYTES = 16 * 1024 * 1024


class Source:
    """One file's text, with a line table for offset -> line/column."""

    __slots__ = ("path", "text", "_line_starts")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._line_starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of `offset`."""
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        self.line_col(0)
        assert self._line_starts is not None
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def __repr__(self) -> str:
        return f"Source({self.path!r})"


@dataclass(frozen=True)
class Span:
    """A range of characters in one source."""

    source: Source = field(compare=False, hash=False)
    start: int
    end: int

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def line(self) -> int:
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.line_col(self.start)[1]

    def location(self) -> str:
        line, col = self.source.line_col(self.start)
        return f"{self.source.path}:{line}:{col}"

    def __repr__(self) -> str:
        return f"Span({self.location()}+{self.end - self.start})"


@dataclass(frozen=True)
class Diagnostic:
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: Severity = "error"

    def render(self) -> str:
        lines = [f"{self.severity}: {_clip(self.message)}"]
        if self.span is not None:
            source = self.span.source
            line, col = source.line_col(self.span.start)
            text = source.line_text(line)
            gutter = " " * len(str(line))
            # The caret covers the span, clipped to its first line.
            last = min(self.span.end, self.span.start + max(1, len(text) - col + 1))
            width = max(1, last - self.span.start)
            shown, col, width = _window(text, col, width)
            # Tabs keep their width so the caret lines up under them.
            pad = "".join("\t" if ch == "\t" else " " for ch in shown[: col - 1])
            lines += [
                f"{gutter}--> {self.span.location()}",
                f"{gutter} |",
                f"{line} | {shown}",
                f"{gutter} | {pad}{'^' * width}",
            ]
            if self.hint:
                lines.append(f"{gutter} = help: {_clip(self.hint)}")
        elif self.hint:
            lines.append(f"  = help: {_clip(self.hint)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class WitError(Exception):
    """One or more diagnostics for input that witgen rejects."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        assert self.diagnostics, "a WitError needs at least one diagnostic"
        # Rendered on demand: stages re-raise collected errors, and rendering
        # each time would cost as much as printing them.
        super().__init__(self.diagnostics)

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def at(cls, span: Span | None, message: str, hint: str | None = None) -> WitError:
        return cls([Diagnostic(message, span, hint)])

    def render(self) -> str:
        return "\n\n".join(render_all(self.diagnostics))


class Collector:
    """Gathers diagnostics so a stage can report several before stopping."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, span: Span | None, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(message, span, hint))

    def extend(self, error: WitError) -> None:
        self.diagnostics.extend(error.diagnostics)

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise WitError(self.diagnostics)


def read_source(path: str | Path) -> Source:
    """The text of the WIT file at `path`, or `WitError`.

    Only a regular file of at most MAX_SOURCE_BYTES is read: a FIFO would
    block forever and a device may never end. Text that is not UTF-8 is
    reported at its first bad byte."""
    name = str(path)
    try:
        # O_NONBLOCK: opening a FIFO for reading would wait for a writer.
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise WitError([Diagnostic(f"cannot read {name}: {error.strerror or error}")]) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WitError([Diagnostic(f"cannot read {name}: not a regular file")])
        if info.st_size > MAX_SOURCE_BYTES:
            raise WitError([Diagnostic(_too_large(name))])
        try:
            data = file.read(MAX_SOURCE_BYTES + 1)
        except OSError as error:
            raise WitError([Diagnostic(f"cannot read {name}: {error.strerror or error}")]) from None
    if len(data) > MAX_SOURCE_BYTES:  # it grew after the fstat
        raise WitError([Diagnostic(_too_large(name))])
    try:
        return Source(name, data.decode("utf-8"))
    except UnicodeDecodeError as error:
        # Shown with the bad bytes replaced, the caret on the first of them.
        source = Source(name, data.decode("utf-8", errors="replace"))
        start = len(data[: error.start].decode("utf-8"))
        bad = data[error.start : error.end].hex(" ").upper()
        raise WitError.at(
            Span(source, start, start + 1), "input file is not valid utf-8", f"invalid byte(s): 0x{bad}"
        ) from None


def _too_large(name: str) -> str:
    return f"cannot read {name}: larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB, the limit for a WIT file"


def render_all(diagnostics: Sequence[Diagnostic], limit: int = MAX_SHOWN) -> list[str]:
    """The first `limit` diagnostics rendered, then a note of how many more."""
    shown = [d.render() for d in diagnostics[:limit]]
    rest = diagnostics[limit:]
    if rest:
        errors = sum(d.severity == "error" for d in rest)
        counts = [
            f"{n} more {what}{'s' if n != 1 else ''}"
            for n, what in ((errors, "error"), (len(rest) - errors, "warning"))
            if n
        ]
        shown.append(f"note: {' and '.join(counts)} not shown")
    return shown


def _clip(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def _window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """At most LINE_WINDOW characters of `text` around the caret at `col`
    (1-based, `width` wide), with an ellipsis where it is cut: the shown
    text and the caret's column and width in it."""
    if len(text) <= LINE_WINDOW:
        return text, col, width
    # The caret a third of the way in, so that what leads to it shows.
    start = max(0, min(col - 1 - LINE_WINDOW // 3, len(text) - LINE_WINDOW))
    end = start + LINE_WINDOW
    head = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    col = col - start + len(head)
    width = max(1, min(width, end - start + len(head) - col + 1))
    return head + text[start:end] + tail, col, width


# Each hint compares a name with every candidate: thousands of mistakes in a
# scope of thousands of names took minutes. Within `hint_budget()` (one load),
# only the first MAX_HINTS mistakes get one: more than are ever shown.
MAX_HINTS = MAX_SHOWN
_hints_left: ContextVar[int | None] = ContextVar("witgen_hints_left", default=None)


@contextmanager
def hint_budget(limit: int = MAX_HINTS) -> Iterator[None]:
    token = _hints_left.set(limit)
    try:
        yield
    finally:
        _hints_left.reset(token)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, if one is close enough."""
    import difflib

    left = _hints_left.get()
    if left is not None:
        if left <= 0:
            return None
        _hints_left.set(left - 1)

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f"did you mean `{close[0]}`?" if close else None
