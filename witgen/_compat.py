"""What differs between the Pythons witgen runs on (3.10-3.13)."""

from __future__ import annotations

import sys
from typing import NoReturn

if sys.version_info >= (3, 11):
    from typing import assert_never
else:

    def assert_never(value: NoReturn) -> NoReturn:
        """mypy: a `match` handled every case; at run time: it did not."""
        raise AssertionError(f"unhandled: {value!r}")


__all__ = ["assert_never"]
