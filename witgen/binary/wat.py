"""WebAssembly text -> binary, for WIT packages kept as `.wat`.

wit-parser reads `.wat` dependencies with the `wat` crate; witgen uses the
same parser as shipped in wasmtime-py (`wasmtime.wat2wasm`), which
witgen-runtime already depends on, so no `wasm-tools` is needed at run
time.
"""

from __future__ import annotations

import re

_LOCATION = re.compile(r"-->\s*\S*?:(\d+):(\d+)")


class WatError(Exception):
    """Text that does not parse: the message, and where (0-based line and
    column, when the parser says)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def wat_to_binary(text: str) -> bytes:
    try:
        from wasmtime import WasmtimeError, wat2wasm
    except ImportError:  # pragma: no cover - wasmtime comes with witgen-runtime
        raise WatError("reading WebAssembly text needs the `wasmtime` package") from None
    try:
        return bytes(wat2wasm(text))
    except WasmtimeError as error:
        message = str(error)
        first = message.strip().splitlines()[0] if message.strip() else "invalid WebAssembly text"
        found = _LOCATION.search(message)
        if found is None:
            raise WatError(first) from None
        raise WatError(first, int(found.group(1)) - 1, int(found.group(2)) - 1) from None
