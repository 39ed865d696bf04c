"""Component binaries -> the resolved model (the binary front end).

One stage per module:

- `reader`: bounded reads of bytes (LEB128, names, vectors);
- `components`: sections -> component-level types (a small validator);
- `decode`: those types -> `witgen.model.Resolve`, as wit-parser's
  `decoding.rs` builds it (`metadata` adds the `package-docs` section);
- `merge`: a decoded `Resolve` into another (a binary in `deps/`).

`decode_binary` is the entry point used by `witgen.loader`. Every problem
with the input is a `WitError` naming the file and the byte offset.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, WitError
from .components import is_wasm, read_component
from .decode import DecodeError, Decoded, decode_component
from .metadata import MetadataError
from .reader import BinaryError

__all__ = ["Decoded", "decode_binary", "is_wasm"]


def decode_binary(data: bytes, path: str) -> Decoded:
    """Decode a component or a WIT package encoded as wasm (raises `WitError`)."""
    try:
        component = read_component(data)
        return decode_component(component)
    except BinaryError as error:
        raise WitError([Diagnostic(f"{path}: offset {error.offset:#x}: {error.message}")]) from None
    except (DecodeError, MetadataError) as error:
        raise WitError([Diagnostic(f"{path}: cannot decode WIT from this binary: {error}")]) from None
    except RecursionError:
        raise WitError([Diagnostic(f"{path}: types are nested too deeply")]) from None
