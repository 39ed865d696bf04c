"""witgen: typed Python host bindings for WebAssembly components, from WIT.

    import witgen
    generation = witgen.generate("adder.wit")      # or ["app/wit", "wasi/io", ...]
    generation.files                               # {"__init__.py": "...", ...}
    generation.warnings                            # legacy syntax, functions left out
    witgen.verify("app.wasm", "wit").differences   # [] when the component matches the world

`generate` and `Generation` live in `witgen.api`, `verify` and `Verification`
in `witgen.verification` (imported on first use, so that the CLI's other
commands start without Jinja, black or wasmtime).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Generation", "generate", "Verification", "verify"]

if TYPE_CHECKING:
    from .api import Generation, generate
    from .verification import Verification, verify


def __getattr__(name: str) -> Any:
    if name in ("Generation", "generate"):
        from . import api

        return getattr(api, name)
    if name in ("Verification", "verify"):
        from . import verification

        return getattr(verification, name)
    raise AttributeError(f"module 'witgen' has no attribute {name!r}")
