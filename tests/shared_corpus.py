"""`../shared` beside the checkout (absent on some machines: tests using it
skip, saying so), and its resolved-JSON comparator `tools/witjson.py`."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

SHARED = Path(__file__).parents[1].parent / "shared"


@functools.cache
def witjson_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("witjson_tool", SHARED / "tools" / "witjson.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
