"""Component binaries -> the resolved model (the binary front end).

One stage per module:

- `reader`: bounded reads of bytes (LEB128, names, vectors);
- `components`: sections -> component-level types (a small validator);
- `decode`: those types -> `witgen.model.Resolve`, as wit-parser's
  `decoding.rs` builds it (`metadata` adds the `package-docs` section);
- `merge`: a decoded `Resolve` into another (a binary in `deps/`).

`decode_binary` is the entry point used by `witgen.loader`. Every problem
with the input is a `WitError` naming the file and the byte offset. The
stages are imported when a binary is met: reading WIT text never pays for
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, WitError

if TYPE_CHECKING:
    from .. import model as m
    from .decode import Decoded

__all__ = ["decode_binary", "is_binary_file", "is_wasm", "load_binary", "merge_decoded", "read_binary"]

MAGIC = b"\0asm"


def is_wasm(data: bytes) -> bool:
    return data[:4] == MAGIC


def merge_decoded(into: m.Resolve, other: m.Resolve) -> list[m.PackageId]:
    """Append a decoded `Resolve` to another (see `merge.merge`)."""
    from .merge import merge as merge_into

    return merge_into(into, other)


def decode_binary(data: bytes, path: str) -> Decoded:
    """Decode a component or a WIT package encoded as wasm (raises `WitError`)."""
    from .components import read_component
    from .decode import DecodeError, decode_component
    from .metadata import MetadataError
    from .reader import BinaryError

    try:
        component = read_component(data)
        return decode_component(component)
    except BinaryError as error:
        raise WitError([Diagnostic(f"{path}: offset {error.offset:#x}: {error.message}")]) from None
    except (DecodeError, MetadataError) as error:
        raise WitError([Diagnostic(f"{path}: cannot decode WIT from this binary: {error}")]) from None
    except RecursionError:
        raise WitError([Diagnostic(f"{path}: types are nested too deeply")]) from None


# Components are larger than WIT: componentize-py's are about 18 MiB.
MAX_BINARY_BYTES = 512 * 1024 * 1024


def _open_regular(path: str) -> tuple[int, int]:
    import os
    import stat

    try:
        # O_NONBLOCK: opening a FIFO for reading would wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise WitError([Diagnostic(f"cannot read {path}: {error.strerror or error}")]) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise WitError([Diagnostic(f"cannot read {path}: not a regular file")])
    return fd, info.st_size


def is_binary_file(path: str) -> bool:
    """Whether the file at `path` starts with the `\\0asm` magic."""
    import os

    fd, _ = _open_regular(path)
    with os.fdopen(fd, "rb") as file:
        return is_wasm(file.read(4))


def read_binary(path: str) -> bytes:
    """The bytes of the binary at `path`, bounded (raises `WitError`)."""
    import os

    fd, size = _open_regular(path)
    limit = MAX_BINARY_BYTES
    with os.fdopen(fd, "rb") as file:
        if size > limit:
            raise WitError([Diagnostic(f"cannot read {path}: larger than {limit >> 20} MiB")])
        try:
            data = file.read(limit + 1)
        except OSError as error:
            raise WitError([Diagnostic(f"cannot read {path}: {error.strerror or error}")]) from None
    if len(data) > limit:
        raise WitError([Diagnostic(f"cannot read {path}: larger than {limit >> 20} MiB")])
    return data


def load_binary(path: str) -> Decoded:
    return decode_binary(read_binary(path), path)


def load_wat(path: str) -> Decoded:
    """A WIT package in WebAssembly text (`.wat`)."""
    from ..diagnostics import Span, read_source
    from .wat import WatError, wat_to_binary

    source = read_source(path)
    try:
        data = wat_to_binary(source.text)
    except WatError as error:
        if error.line is None or error.column is None:
            raise WitError([Diagnostic(f"{path}: {error.message}")]) from None
        lines = source.text.split("\n")
        line = min(error.line, len(lines) - 1)
        offset = sum(len(text) + 1 for text in lines[:line]) + min(error.column, len(lines[line]))
        raise WitError.at(Span(source, offset, offset + 1), error.message) from None
    return decode_binary(data, path)
