"""witgen: typed Python host bindings for WebAssembly components, from WIT.

    import witgen
    generation = witgen.generate("adder.wit")      # or ["app/wit", "wasi/io", ...]
    generation.files                               # {"__init__.py": "...", ...}
    generation.warnings                            # legacy syntax, functions left out

`generate` and `Generation` live in `witgen.api` (imported on first use, so
that the CLI's other commands start without Jinja and black).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Generation", "generate"]

if TYPE_CHECKING:
    from .api import Generation, generate


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'witgen' has no attribute {name!r}")
