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
from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


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
        lines = [f"{self.severity}: {self.message}"]
        if self.span is not None:
            source = self.span.source
            line, col = source.line_col(self.span.start)
            text = source.line_text(line)
            gutter = " " * len(str(line))
            # The caret covers the span, clipped to its first line.
            last = min(self.span.end, self.span.start + max(1, len(text) - col + 1))
            width = max(1, last - self.span.start)
            # Tabs keep their width so the caret lines up under them.
            pad = "".join("\t" if ch == "\t" else " " for ch in text[: col - 1])
            lines += [
                f"{gutter}--> {self.span.location()}",
                f"{gutter} |",
                f"{line} | {text}",
                f"{gutter} | {pad}{'^' * width}",
            ]
            if self.hint:
                lines.append(f"{gutter} = help: {self.hint}")
        elif self.hint:
            lines.append(f"  = help: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class WitError(Exception):
    """One or more diagnostics for input that witgen rejects."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        assert self.diagnostics, "a WitError needs at least one diagnostic"
        super().__init__(self.render())

    @classmethod
    def at(cls, span: Span | None, message: str, hint: str | None = None) -> WitError:
        return cls([Diagnostic(message, span, hint)])

    def render(self) -> str:
        return "\n\n".join(d.render() for d in self.diagnostics)


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


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, if one is close enough."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f"did you mean `{close[0]}`?" if close else None
