"""What the oldest supported Python (3.10) lacks, defined once."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    from typing import assert_never
else:
    from typing import NoReturn

    def assert_never(value: NoReturn, /) -> NoReturn:
        """The end of an exhaustive `match`: mypy reports a kind left out."""
        raise AssertionError(f"unhandled: {value!r}")


__all__ = ["assert_never"]
