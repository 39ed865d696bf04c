"""witgen: typed Python host bindings for WebAssembly components, from WIT.

    import witgen
    files = witgen.generate("adder.wit")          # {"__init__.py": "...", ...}

`generate` lives in `witgen.api` (imported on first use, so that the CLI's
other commands start without Jinja and black).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["generate"]

if TYPE_CHECKING:
    from .api import generate


def __getattr__(name: str) -> Any:
    if name == "generate":
        from .api import generate

        return generate
    raise AttributeError(f"module 'witgen' has no attribute {name!r}")
