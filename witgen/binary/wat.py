"""WebAssembly text -> binary, for what WIT packages in `.wat` use."""

from __future__ import annotations


class WatError(Exception):
    def __init__(self, offset: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.hint = hint


def wat_to_binary(text: str) -> bytes:
    raise WatError(0, "WebAssembly text is not supported", "convert it with `wasm-tools parse FILE.wat -o FILE.wasm`")
